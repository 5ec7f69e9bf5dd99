//! The registry's own export formats, read back: the rows `/exports/...` wrote.

use std::io::BufRead;

use super::input::Reader;
use super::{Row, Rows};
use crate::interchange::deployment_from_record;
use crate::store::deployments::Deployment;
use crate::store::foi_requests::DocumentCopy;

/// One JSON record per non-empty line; `wrap` makes a row of it, or says why it cannot.
fn ndjson<'a, T: serde::de::DeserializeOwned + 'a>(
    reader: Reader<'a>,
    wrap: impl Fn(T) -> Result<Row, String> + Send + 'a,
) -> Rows<'a> {
    Box::new(reader.lines().enumerate().filter_map(move |(index, line)| {
        let row = match line {
            Ok(text) if text.trim().is_empty() => return None,
            Ok(text) => serde_json::from_str::<T>(&text)
                .map_err(|error| error.to_string())
                .and_then(&wrap),
            Err(error) => Err(error.to_string()),
        };
        Some((index + 1, row))
    }))
}

/// `/exports/deployments.ndjson`.
pub(super) fn deployments_ndjson<'a>(reader: Reader<'a>) -> Rows<'a> {
    ndjson(reader, |d: Deployment| Ok(Row::Deployment(Box::new(d))))
}

/// `/exports/foi-requests.ndjson`.
pub(super) fn foi_requests_ndjson<'a>(reader: Reader<'a>) -> Rows<'a> {
    ndjson(reader, |r| Ok(Row::FoiRequest(Box::new(r))))
}

/// `/exports/sources.ndjson`.
pub(super) fn sources_ndjson<'a>(reader: Reader<'a>) -> Rows<'a> {
    ndjson(reader, |s| Ok(Row::Source(Box::new(s))))
}

/// `/exports/campaigns.ndjson`.
pub(super) fn campaigns_ndjson<'a>(reader: Reader<'a>) -> Rows<'a> {
    ndjson(reader, |c| Ok(Row::Campaign(Box::new(c))))
}

/// `/exports/impact-assessments.ndjson`.
pub(super) fn assessments_ndjson<'a>(reader: Reader<'a>) -> Rows<'a> {
    ndjson(reader, |a| Ok(Row::Assessment(Box::new(a))))
}

/// `/exports/foi-documents.ndjson`: each line's bytes are decoded and checked against its size
/// and SHA-256, so a damaged copy is refused before anything is written.
pub(super) fn documents_ndjson<'a>(reader: Reader<'a>) -> Rows<'a> {
    ndjson(reader, |d: DocumentCopy| {
        let bytes = decoded(&d)?;
        Ok(Row::Document(Box::new((d, bytes))))
    })
}

/// The bytes of an exported document, if they are the ones it describes.
fn decoded(copy: &DocumentCopy) -> Result<Vec<u8>, String> {
    use base64::Engine;
    use sha2::{Digest, Sha256};
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(&copy.content_base64)
        .map_err(|e| format!("`content_base64` is not base64: {e}"))?;
    if i64::try_from(bytes.len()).ok() != Some(copy.document.size_bytes) {
        return Err(format!(
            "`content_base64` holds {} bytes; `size_bytes` says {}",
            bytes.len(),
            copy.document.size_bytes
        ));
    }
    if hex::encode(Sha256::digest(&bytes)) != copy.document.sha256 {
        return Err("`content_base64` does not match `sha256`".into());
    }
    Ok(bytes)
}

/// `/exports/deployments.csv`, whose columns are those of [`crate::api`]'s export.
pub(super) fn deployments_csv<'a>(reader: Reader<'a>) -> Rows<'a> {
    let reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(reader);
    Box::new(reader.into_records().map(|record| match record {
        Ok(record) => (
            record.position().map_or(0, |p| p.line() as usize),
            deployment_from_record(&record).map(|d| Row::Deployment(Box::new(d))),
        ),
        Err(error) => (
            error.position().map_or(0, |p| p.line() as usize),
            Err(error.to_string()),
        ),
    }))
}
