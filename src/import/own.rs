//! The registry's own export formats, read back: the rows `/exports/...` wrote.

use chrono::{DateTime, NaiveDate, Utc};

use super::{Row, RowError};
use crate::store::deployments::{Deployment, DeploymentState};
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

/// Several values of one CSV cell, as the exports join them.
fn split(cell: &str) -> Vec<String> {
    cell.split("; ")
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect()
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
        match deployment_from_csv(&record) {
            Ok(d) => rows.push((line, Row::Deployment(Box::new(d)))),
            Err(reason) => errors.push(RowError { line, reason }),
        }
    }
    (rows, errors)
}

fn deployment_from_csv(r: &csv::StringRecord) -> Result<Deployment, String> {
    if r.len() != 20 {
        return Err(format!("has {} columns; the export has 20", r.len()));
    }
    let text = |i: usize| r[i].to_owned();
    let optional = |i: usize| Some(r[i].to_owned()).filter(|v| !v.is_empty());
    let date = |i: usize, column: &str| -> Result<Option<NaiveDate>, String> {
        optional(i)
            .map(|v| NaiveDate::parse_from_str(&v, "%Y-%m-%d"))
            .transpose()
            .map_err(|_| format!("`{column}` is not a date written YYYY-MM-DD"))
    };
    let moment = |i: usize, column: &str| -> Result<DateTime<Utc>, String> {
        DateTime::parse_from_rfc3339(&r[i])
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| format!("`{column}` is not an RFC 3339 timestamp"))
    };
    Ok(Deployment {
        id: text(0),
        force: text(1),
        tool: text(2),
        state: DeploymentState {
            status: r[3].parse().map_err(|e| format!("`status`: {e}"))?,
            vendors: split(&r[4]),
            product: optional(5),
            first_known_use: date(6, "first_known_use")?,
            last_confirmed: date(7, "last_confirmed")?,
            ended_on: date(8, "ended_on")?,
            summary: text(9),
            legal_basis: optional(10),
            authorisation: optional(11),
            public_consultation: optional(12),
            use_policy_url: optional(13),
            provenance: r[14].parse().map_err(|e| format!("`provenance`: {e}"))?,
            verified: r[15]
                .parse()
                .map_err(|_| "`verified` must be `true` or `false`".to_owned())?,
            source_ids: split(&r[16]),
        },
        revision: r[17]
            .parse()
            .map_err(|_| "`revision` must be a whole number".to_owned())?,
        created_at: moment(18, "created_at")?,
        updated_at: moment(19, "updated_at")?,
    })
}
