//! The registry's own export formats, read back: the rows `/exports/...` wrote.

use super::{Row, RowError};
use crate::interchange::deployment_from_record;
use crate::store::deployments::Deployment;
use crate::store::foi_requests::DocumentCopy;

type Parsed = (Vec<(usize, Row)>, Vec<RowError>);

/// Parses one JSON record per non-empty line; `wrap` makes a row of it, or says why it cannot.
/// The lines are shared out among the machine's cores (parsing is a tenth of a large import).
fn ndjson<T: serde::de::DeserializeOwned>(
    content: &str,
    wrap: impl Fn(T) -> Result<Row, String> + Sync,
) -> Parsed {
    let lines: Vec<(usize, &str)> = content
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(index, line)| (index + 1, line))
        .collect();
    let workers = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let per_worker = lines.len().div_ceil(workers).max(1);
    let parse = |lines: &[(usize, &str)]| {
        let mut parsed: Parsed = (Vec::new(), Vec::new());
        for &(line, text) in lines {
            let row = serde_json::from_str::<T>(text.trim_start_matches('\u{feff}'))
                .map_err(|error| error.to_string())
                .and_then(&wrap);
            match row {
                Ok(row) => parsed.0.push((line, row)),
                Err(reason) => parsed.1.push(RowError { line, reason }),
            }
        }
        parsed
    };
    std::thread::scope(|scope| {
        let parsers: Vec<_> = lines
            .chunks(per_worker)
            .map(|chunk| scope.spawn(|| parse(chunk)))
            .collect();
        parsers.into_iter().fold(
            (Vec::new(), Vec::new()),
            |(mut rows, mut errors), parser| {
                let (more_rows, more_errors) = parser.join().expect("parsing does not panic");
                rows.extend(more_rows);
                errors.extend(more_errors);
                (rows, errors)
            },
        )
    })
}

/// `/exports/deployments.ndjson`.
pub(super) fn deployments_ndjson(content: &str) -> Parsed {
    ndjson(content, |d: Deployment| Ok(Row::Deployment(Box::new(d))))
}

/// `/exports/foi-requests.ndjson`.
pub(super) fn foi_requests_ndjson(content: &str) -> Parsed {
    ndjson(content, |r| Ok(Row::FoiRequest(Box::new(r))))
}

/// `/exports/sources.ndjson`.
pub(super) fn sources_ndjson(content: &str) -> Parsed {
    ndjson(content, |s| Ok(Row::Source(Box::new(s))))
}

/// `/exports/campaigns.ndjson`.
pub(super) fn campaigns_ndjson(content: &str) -> Parsed {
    ndjson(content, |c| Ok(Row::Campaign(Box::new(c))))
}

/// `/exports/impact-assessments.ndjson`.
pub(super) fn assessments_ndjson(content: &str) -> Parsed {
    ndjson(content, |a| Ok(Row::Assessment(Box::new(a))))
}

/// `/exports/foi-documents.ndjson`: each line's bytes are decoded and checked against its size
/// and SHA-256, so a damaged copy is refused before anything is written.
pub(super) fn documents_ndjson(content: &str) -> Parsed {
    ndjson(content, |d: DocumentCopy| {
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
pub(super) fn deployments_csv(content: &str) -> Parsed {
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(content.as_bytes());
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                let line = error.position().map_or(0, |p| p.line() as usize);
                errors.push(RowError {
                    line,
                    reason: error.to_string(),
                });
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line() as usize);
        match deployment_from_record(&record) {
            Ok(d) => rows.push((line, Row::Deployment(Box::new(d)))),
            Err(reason) => errors.push(RowError { line, reason }),
        }
    }
    (rows, errors)
}
