//! Bulk import: the registry's own export formats (deployments as NDJSON or CSV; sources, campaigns,
//! FOI requests, impact assessments and FOI documents as NDJSON) and the Atlas of Surveillance CSV.
//! All or nothing, in two streaming passes over the file: the first parses and checks every row
//! and reports every bad one with its line number (`check`); only a clean file is read again and
//! written, a thousand rows at a time, in one transaction (`write`). In both passes a second thread
//! parses the next batch while the database works on this one (`with_batches`). Memory holds three
//! batches at most, whatever the file's size. Rows already held as they are change nothing, so
//! importing a file twice is safe.

mod atlas;
mod check;
mod input;
mod own;
pub mod public;
mod write;

use std::collections::HashSet;

use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::DbConnection;
use crate::foi::FoiCalendar;
use crate::store::audit::Actor;
use crate::store::campaigns::Campaign;
use crate::store::deployments::Deployment;
use crate::store::foi_requests::{DocumentCopy, FoiRequest};
use crate::store::impact_assessments::ImpactAssessment;
use crate::store::sources::Source;
use crate::store::StoreError;

pub use atlas::AtlasAgency;
pub use input::Input;

/// What a file holds, recognised from its first line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(example = "deployments_ndjson")]
pub enum FileKind {
    /// `/exports/deployments.ndjson`.
    DeploymentsNdjson,
    /// `/exports/deployments.csv`.
    DeploymentsCsv,
    /// `/exports/foi-requests.ndjson`.
    FoiRequestsNdjson,
    /// `/exports/campaigns.ndjson`.
    CampaignsNdjson,
    /// `/exports/sources.ndjson`.
    SourcesNdjson,
    /// `/exports/impact-assessments.ndjson`.
    AssessmentsNdjson,
    /// `/exports/foi-documents.ndjson`.
    DocumentsNdjson,
    /// The Atlas of Surveillance's CSV download.
    AtlasCsv,
}

/// A row that cannot be imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct RowError {
    /// 1-based line of the file (for CSV, the header is line 1).
    pub line: usize,
    pub reason: String,
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
#[schema(example = json!({
    "kind": "deployments_ndjson",
    "rows": 7,
    "created": 0,
    "updated": 1,
    "unchanged": 6,
    "forces_created": 0,
    "dry_run": true
}))]
pub struct ImportReport {
    #[schema(value_type = Option<FileKind>)]
    pub kind: Option<FileKind>,
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Forces (agencies) an Atlas import added.
    pub forces_created: usize,
    /// Nothing was written.
    pub dry_run: bool,
}

/// Why an import wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{} rows cannot be imported", .0.len())]
    Rows(Vec<RowError>),
    #[error("the file is empty or its first line is not a known header or record")]
    UnknownFormat,
    /// An export the registry writes for reading (a spreadsheet or a derived view), not for import.
    #[error("`{export}` is an export for reading, not for import: import `{instead}` instead")]
    ExportOnly {
        export: &'static str,
        instead: &'static str,
    },
    #[error("cannot read the file: {0}")]
    Read(#[from] std::io::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Options of one import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Check everything, write nothing.
    pub dry_run: bool,
    /// Who the written revisions and change events name.
    pub actor: Actor,
}

/// One parsed row, ready to write.
enum Row {
    Deployment(Box<Deployment>),
    FoiRequest(Box<FoiRequest>),
    Campaign(Box<Campaign>),
    Source(Box<Source>),
    Assessment(Box<ImpactAssessment>),
    /// A document and its bytes, checked against its hash.
    Document(Box<(DocumentCopy, Vec<u8>)>),
    Atlas(Box<atlas::AtlasRow>),
}

/// Recognises the kind of file from its first non-empty line.
fn detect(first: &str) -> Option<FileKind> {
    if first.starts_with('{') {
        let value: serde_json::Value = serde_json::from_str(first).ok()?;
        return if value.get("tool").is_some() && value.get("id").is_some() {
            Some(FileKind::DeploymentsNdjson)
        } else if value.get("authority").is_some() {
            Some(FileKind::FoiRequestsNdjson)
        } else if value.get("questions").is_some() {
            Some(FileKind::CampaignsNdjson)
        } else if value.get("archive_url").is_some() {
            Some(FileKind::SourcesNdjson)
        } else if value.get("review_overdue").is_some() {
            Some(FileKind::AssessmentsNdjson)
        } else if value.get("content_base64").is_some() {
            Some(FileKind::DocumentsNdjson)
        } else {
            None
        };
    }
    if first.contains("AOSNUMBER") {
        Some(FileKind::AtlasCsv)
    } else if first.starts_with("id,force,tool,") {
        Some(FileKind::DeploymentsCsv)
    } else {
        None
    }
}

/// The export a file is, when it is one of those written for reading rather than for import (the
/// CSVs other than deployments', FOI answers flattened out of their requests, the matrix), and the
/// file to import instead.
fn export_only(first: &str) -> Option<(&'static str, &'static str)> {
    use crate::interchange::{AnswerRow, ExportRow, MatrixCell};
    if first.starts_with('{') {
        let value: serde_json::Value = serde_json::from_str(first).ok()?;
        let has = |key: &str| value.get(key).is_some();
        return if has("foi_request_id") && has("question") {
            Some(("foi-answers.ndjson", "foi-requests.ndjson"))
        } else if has("tool") && has("status") && !has("id") {
            Some(("matrix.ndjson", "deployments.ndjson"))
        } else {
            None
        };
    }
    let header = |columns: &[&str]| columns.join(",");
    [
        (AnswerRow::HEADER, "foi-answers.csv", "foi-requests.ndjson"),
        (
            FoiRequest::HEADER,
            "foi-requests.csv",
            "foi-requests.ndjson",
        ),
        (MatrixCell::HEADER, "matrix.csv", "deployments.ndjson"),
        (Campaign::HEADER, "campaigns.csv", "campaigns.ndjson"),
        (Source::HEADER, "sources.csv", "sources.ndjson"),
        (
            ImpactAssessment::HEADER,
            "impact-assessments.csv",
            "impact-assessments.ndjson",
        ),
        (
            DocumentCopy::HEADER,
            "foi-documents.csv",
            "foi-documents.ndjson",
        ),
    ]
    .into_iter()
    .find(|(columns, _, _)| first.trim_end() == header(columns))
    .map(|(_, export, instead)| (export, instead))
}

impl Row {
    /// The id (a campaign's slug) that no other row of the file may share, if the row has one.
    fn id(&self) -> Option<&str> {
        match self {
            Self::Deployment(d) => Some(&d.id),
            Self::FoiRequest(r) => Some(&r.id),
            Self::Source(s) => Some(&s.id),
            Self::Campaign(c) => Some(&c.slug),
            Self::Assessment(a) => Some(&a.id),
            Self::Document(d) => Some(&d.0.document.id),
            Self::Atlas(_) => None,
        }
    }
}

/// Rows checked or written together (and between progress reports).
const BATCH: usize = 1000;

/// The rows of a file, each with its line or the reason it cannot be read, in file order.
type Rows<'a> = Box<dyn Iterator<Item = (usize, Result<Row, String>)> + Send + 'a>;

/// The rows of `input`, read afresh from its start.
fn rows<'a>(kind: FileKind, input: &Input<'a>) -> std::io::Result<Rows<'a>> {
    let reader = input.open()?;
    Ok(match kind {
        FileKind::DeploymentsNdjson => own::deployments_ndjson(reader),
        FileKind::DeploymentsCsv => own::deployments_csv(reader),
        FileKind::FoiRequestsNdjson => own::foi_requests_ndjson(reader),
        FileKind::CampaignsNdjson => own::campaigns_ndjson(reader),
        FileKind::SourcesNdjson => own::sources_ndjson(reader),
        FileKind::AssessmentsNdjson => own::assessments_ndjson(reader),
        FileKind::DocumentsNdjson => own::documents_ndjson(reader),
        FileKind::AtlasCsv => atlas::rows(reader),
    })
}

/// `BATCH` rows of a file, in file order.
type Batch = Vec<(usize, Result<Row, String>)>;

/// Runs `work` over `rows` a batch at a time, parsed on a thread of their own: the file's next
/// batch is parsed on one core while `work` has the database check or write the one before on the
/// other. At most one parsed batch waits, so memory holds three batches at most, whatever the
/// file's size.
fn with_batches<T>(
    mut rows: Rows<'_>,
    work: impl FnOnce(&mut dyn Iterator<Item = Batch>) -> T,
) -> T {
    std::thread::scope(|scope| {
        let (sender, receiver) = std::sync::mpsc::sync_channel(1);
        scope.spawn(move || loop {
            let batch: Batch = rows.by_ref().take(BATCH).collect();
            // An empty batch ends the file; a send fails once `work` has stopped reading.
            if batch.is_empty() || sender.send(batch).is_err() {
                return;
            }
        });
        let mut batches = receiver.into_iter();
        let done = work(&mut batches);
        // Stop the parser (its next send fails) before the scope waits for it.
        drop(batches);
        done
    })
}

/// The ids among `rows` that the registry already holds, for the kinds written in bulk (the others
/// are each restored on their own).
fn held<'a>(
    conn: &mut DbConnection,
    rows: impl Iterator<Item = &'a Row>,
) -> Result<HashSet<String>, StoreError> {
    use crate::db::schema::{deployments as d, foi_requests as f, sources as s};
    let (mut deployments, mut requests, mut sources) = (Vec::new(), Vec::new(), Vec::new());
    for row in rows {
        match row {
            Row::Deployment(x) => deployments.push(x.id.as_str()),
            Row::FoiRequest(x) => requests.push(x.id.as_str()),
            Row::Source(x) => sources.push(x.id.as_str()),
            _ => {}
        }
    }
    let mut held = HashSet::new();
    if !deployments.is_empty() {
        held.extend(
            d::table
                .filter(d::id.eq_any(&deployments))
                .select(d::id)
                .load::<String>(conn)?,
        );
    }
    if !requests.is_empty() {
        held.extend(
            f::table
                .filter(f::id.eq_any(&requests))
                .select(f::id)
                .load::<String>(conn)?,
        );
    }
    if !sources.is_empty() {
        held.extend(
            s::table
                .filter(s::id.eq_any(&sources))
                .select(s::id)
                .load::<String>(conn)?,
        );
    }
    Ok(held)
}

/// Imports `input`: checks it whole, then writes it whole (or, in a dry run, writes and rolls
/// back). `progress` is called with the number of rows written so far and the number in all.
pub fn run(
    conn: &mut DbConnection,
    calendar: &FoiCalendar,
    input: &Input<'_>,
    options: &ImportOptions,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<ImportReport, ImportError> {
    let first = input.first_line()?.ok_or(ImportError::UnknownFormat)?;
    if let Some((export, instead)) = export_only(&first) {
        return Err(ImportError::ExportOnly { export, instead });
    }
    let kind = detect(&first).ok_or(ImportError::UnknownFormat)?;
    let survey = check::survey(conn, calendar, kind, input)?;
    write::write(conn, calendar, kind, input, &survey, options, progress)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rows of `text`, as both passes read them.
    fn rows_of(text: &str) -> Rows<'_> {
        rows(FileKind::SourcesNdjson, &Input::Text(text)).expect("a text opens")
    }

    /// `lines` lines, none of them a source: each is still one row of a batch, with its reason.
    fn file(lines: usize) -> String {
        (0..lines).map(|_| "{}\n").collect()
    }

    #[test]
    fn batches_come_whole_and_in_file_order_from_the_parsing_thread() {
        let text = file(2 * BATCH + 7);
        let lines: Vec<Vec<usize>> = with_batches(rows_of(&text), |batches| {
            batches
                .map(|batch| batch.into_iter().map(|(line, _)| line).collect())
                .collect()
        });
        assert_eq!(
            lines.iter().map(Vec::len).collect::<Vec<_>>(),
            [BATCH, BATCH, 7]
        );
        assert!(lines.concat().into_iter().eq(1..=2 * BATCH + 7));
    }

    #[test]
    fn work_that_stops_early_stops_the_parser_too() {
        // The parser would block forever on a full channel if it were not told to stop.
        let text = file(10 * BATCH);
        let first = with_batches(rows_of(&text), |batches| batches.next().map(|b| b.len()));
        assert_eq!(first, Some(BATCH));
    }
}
