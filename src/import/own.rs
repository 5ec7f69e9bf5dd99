//! The registry's own export formats, read back: the rows `/exports/...` wrote.

use chrono::{DateTime, NaiveDate, Utc};

use super::{Row, RowError};
use crate::store::deployments::{Deployment, DeploymentState};

type Parsed = (Vec<(usize, Row)>, Vec<RowError>);

/// Parses one JSON record per non-empty line.
fn ndjson<T: serde::de::DeserializeOwned>(content: &str, wrap: fn(T) -> Row) -> Parsed {
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for (index, line) in content.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<T>(line.trim_start_matches('\u{feff}')) {
            Ok(record) => rows.push((index + 1, wrap(record))),
            Err(error) => errors.push(RowError {
                line: index + 1,
                reason: error.to_string(),
            }),
        }
    }
    (rows, errors)
}

/// `/exports/deployments.ndjson`.
pub(super) fn deployments_ndjson(content: &str) -> Parsed {
    ndjson(content, |d: Deployment| Row::Deployment(Box::new(d)))
}

/// `/exports/foi-requests.ndjson`.
pub(super) fn foi_requests_ndjson(content: &str) -> Parsed {
    ndjson(content, |r| Row::FoiRequest(Box::new(r)))
}

/// `/exports/sources.ndjson`.
pub(super) fn sources_ndjson(content: &str) -> Parsed {
    ndjson(content, |s| Row::Source(Box::new(s)))
}

/// `/exports/campaigns.ndjson`.
pub(super) fn campaigns_ndjson(content: &str) -> Parsed {
    ndjson(content, |c| Row::Campaign(Box::new(c)))
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
