//! Bulk import: the registry's own export formats (deployments as NDJSON or CSV; sources, campaigns,
//! FOI requests, impact assessments and FOI documents as NDJSON) and the Atlas of Surveillance CSV. All or nothing: every row is parsed and checked
//! first and every bad row is reported with its line number; only a clean file is written, in one
//! transaction. Rows already held as they are change nothing, so importing a file twice is safe.

mod atlas;
mod own;
pub mod public;

use std::collections::HashSet;

use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::schema::{forces, sources, tools};
use crate::db::{bulk, DbConnection};
use crate::domain::{EntityId, Slug};
use crate::foi::FoiCalendar;
use crate::store::audit::Actor;
use crate::store::campaigns::{self, Campaign};
use crate::store::deployments::{self, Deployment};
use crate::store::foi_requests::{self, DocumentCopy, FoiRequest};
use crate::store::impact_assessments::{self, ImpactAssessment};
use crate::store::restore::Restored;
use crate::store::sources::{self as source_store, Source};
use crate::store::{write_transaction, StoreError};

pub use atlas::AtlasAgency;

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
pub fn detect(content: &str) -> Option<FileKind> {
    let first = content.lines().find(|l| !l.trim().is_empty())?;
    let first = first.trim_start_matches('\u{feff}');
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
fn export_only(content: &str) -> Option<(&'static str, &'static str)> {
    use crate::interchange::{AnswerRow, ExportRow, MatrixCell};
    let first = content.lines().find(|l| !l.trim().is_empty())?;
    let first = first.trim_start_matches('\u{feff}');
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

/// What rows may refer to, loaded once.
struct Known {
    forces: HashSet<String>,
    tools: HashSet<String>,
    sources: HashSet<String>,
}

impl Known {
    fn load(conn: &mut DbConnection) -> Result<Self, StoreError> {
        Ok(Self {
            forces: forces::table
                .select(forces::slug)
                .load::<String>(conn)?
                .into_iter()
                .collect(),
            tools: tools::table
                .select(tools::slug)
                .load::<String>(conn)?
                .into_iter()
                .collect(),
            sources: sources::table
                .select(sources::id)
                .load::<String>(conn)?
                .into_iter()
                .collect(),
        })
    }

    /// Why a deployment cannot be written, if it cannot.
    fn check_deployment(&self, d: &Deployment) -> Option<String> {
        if let Err(error) = d.id.parse::<EntityId>() {
            return Some(error.0);
        }
        if d.revision < 1 {
            return Some("`revision` must be at least 1".into());
        }
        if !self.forces.contains(&d.force) {
            return Some(format!("no force has the slug `{}`", d.force));
        }
        if !self.tools.contains(&d.tool) {
            return Some(format!("no tool has the slug `{}`", d.tool));
        }
        d.state
            .source_ids
            .iter()
            .find(|s| !self.sources.contains(*s))
            .map(|s| format!("source `{s}` is not in this registry; add it first"))
    }
}

/// Rows written per multi-row batch, and between progress reports.
const BATCH: usize = 1000;

/// The ids of the file's deployments that the registry already holds.
fn existing_deployments(
    conn: &mut DbConnection,
    rows: &[(usize, Row)],
) -> Result<HashSet<String>, StoreError> {
    use crate::db::schema::deployments as table;
    let ids: Vec<&str> = rows
        .iter()
        .filter_map(|(_, row)| match row {
            Row::Deployment(d) => Some(d.id.as_str()),
            _ => None,
        })
        .collect();
    let mut existing = HashSet::new();
    for chunk in ids.chunks(BATCH) {
        existing.extend(
            table::table
                .filter(table::id.eq_any(chunk))
                .select(table::id)
                .load::<String>(conn)?,
        );
    }
    Ok(existing)
}

/// SQLite settings while an import runs: a page cache big enough for its transaction (without one
/// it spills to the WAL mid-transaction and reads its own writes back from disk). Then SQLite's
/// usual cache.
const IMPORT_SETTINGS: &str = "PRAGMA cache_size = -262144;";
const USUAL_SETTINGS: &str = "PRAGMA cache_size = -2000;";

fn sqlite_settings(conn: &mut DbConnection, settings: &str) -> Result<(), StoreError> {
    use diesel::connection::SimpleConnection;
    if let DbConnection::Sqlite(sqlite) = conn {
        sqlite
            .batch_execute(settings)
            .map_err(StoreError::Database)?;
    }
    Ok(())
}

/// Imports `content`. `progress` is called with the number of rows written so far.
/// The lines that break the registry's text rule (a control character, raw or escaped in JSON),
/// which the parsers would otherwise pass on to the database.
fn text_rule_errors(content: &str) -> Vec<RowError> {
    content
        .lines()
        .enumerate()
        .filter_map(|(index, line)| {
            crate::domain::forbidden_char(line)
                .or_else(|| crate::domain::forbidden_escape(line))
                .map(|reason| RowError {
                    line: index + 1,
                    reason,
                })
        })
        .collect()
}

pub fn run(
    conn: &mut DbConnection,
    calendar: &FoiCalendar,
    content: &str,
    options: &ImportOptions,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<ImportReport, ImportError> {
    if let Some((export, instead)) = export_only(content) {
        return Err(ImportError::ExportOnly { export, instead });
    }
    let kind = detect(content).ok_or(ImportError::UnknownFormat)?;
    let parsed = match kind {
        FileKind::DeploymentsNdjson => own::deployments_ndjson(content),
        FileKind::DeploymentsCsv => own::deployments_csv(content),
        FileKind::FoiRequestsNdjson => own::foi_requests_ndjson(content),
        FileKind::CampaignsNdjson => own::campaigns_ndjson(content),
        FileKind::SourcesNdjson => own::sources_ndjson(content),
        FileKind::AssessmentsNdjson => own::assessments_ndjson(content),
        FileKind::DocumentsNdjson => own::documents_ndjson(content),
        FileKind::AtlasCsv => atlas::rows(content),
    };
    let (rows, mut errors) = parsed;
    errors.extend(text_rule_errors(content));
    let known = Known::load(conn)?;
    let agencies = atlas::Agencies::load(conn)?;
    let mut first_line: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (line, row) in &rows {
        let id = match row {
            Row::Deployment(d) => Some(d.id.as_str()),
            Row::FoiRequest(r) => Some(r.id.as_str()),
            Row::Source(s) => Some(s.id.as_str()),
            Row::Campaign(c) => Some(c.slug.as_str()),
            Row::Assessment(a) => Some(a.id.as_str()),
            Row::Document(d) => Some(d.0.document.id.as_str()),
            Row::Atlas(_) => None,
        };
        if let Some(id) = id {
            if let Some(first) = first_line.insert(id, *line) {
                errors.push(RowError {
                    line: *line,
                    reason: format!("`{id}` is also on line {first}"),
                });
            }
        }
        let id_problem = |raw: &str| raw.parse::<EntityId>().err().map(|e| e.0);
        let revision_problem =
            |revision: i64| (revision < 1).then(|| "`revision` must be at least 1".to_owned());
        let problem = match row {
            Row::Deployment(d) => known.check_deployment(d),
            Row::Atlas(a) => agencies.check(a, &known.tools),
            Row::FoiRequest(r) => id_problem(&r.id).or_else(|| revision_problem(r.revision)),
            Row::Campaign(c) => c.slug.parse::<Slug>().err().map(|e| e.0),
            Row::Source(s) => id_problem(&s.id),
            Row::Assessment(a) => id_problem(&a.id).or_else(|| revision_problem(a.revision)),
            Row::Document(d) => id_problem(&d.0.document.id),
        };
        if let Some(reason) = problem {
            errors.push(RowError {
                line: *line,
                reason,
            });
        }
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.line);
        return Err(ImportError::Rows(errors));
    }
    let mut report = ImportReport {
        kind: Some(kind),
        rows: rows.len(),
        dry_run: options.dry_run,
        ..ImportReport::default()
    };
    let total = rows.len();
    let existing = existing_deployments(conn, &rows)?;
    sqlite_settings(conn, IMPORT_SETTINGS)?;
    let outcome = write_transaction(conn, |conn| {
        let mut agencies = agencies;
        let mut done = 0;
        // Deployments the registry does not hold go in with a few multi-row statements per batch.
        let mut new: Vec<&Deployment> = rows
            .iter()
            .filter_map(|(_, row)| match row {
                Row::Deployment(d) if !existing.contains(&d.id) => Some(d.as_ref()),
                _ => None,
            })
            .collect();
        // In id order, each batch's keys land together in the indexes that lead with the id.
        new.sort_unstable_by(|a, b| a.id.cmp(&b.id));
        let growth = deployments::bulk_growth(&new);
        bulk::with_indexes_rebuilt(conn, &growth, |conn| {
            for batch in new.chunks(BATCH) {
                deployments::insert_new(conn, &options.actor, batch)?;
                report.created += batch.len();
                done += batch.len();
                progress(done, total);
            }
            Ok::<_, StoreError>(())
        })?;
        for (line, row) in &rows {
            let restored = match row {
                Row::Deployment(d) if !existing.contains(&d.id) => continue,
                Row::Deployment(d) => deployments::restore(conn, &options.actor, d),
                Row::FoiRequest(r) => foi_requests::restore(conn, calendar, &options.actor, r),
                Row::Campaign(c) => campaigns::restore(conn, &options.actor, c),
                Row::Source(s) => source_store::restore(conn, &options.actor, s),
                Row::Assessment(a) => impact_assessments::restore(conn, &options.actor, a),
                Row::Document(d) => {
                    let (copy, content) = d.as_ref();
                    foi_requests::restore_document(
                        conn,
                        &copy.foi_request_id,
                        &copy.document,
                        content,
                    )
                }
                Row::Atlas(a) => {
                    let (restored, created_force) =
                        atlas::write(conn, &mut agencies, &options.actor, a)?;
                    report.forces_created += usize::from(created_force);
                    Ok(restored)
                }
            }
            .map_err(|error| match error {
                StoreError::Invalid { field, message } => StoreError::Invalid {
                    field,
                    message: format!("line {line}: {message}"),
                },
                other => other,
            })?;
            match restored {
                Restored::Created => report.created += 1,
                Restored::Updated => report.updated += 1,
                Restored::Unchanged => report.unchanged += 1,
            }
            done += 1;
            if done % BATCH == 0 || done == total {
                progress(done, total);
            }
        }
        if options.dry_run {
            // Undo everything: the report says what the import would have done.
            Err(StoreError::Database(
                diesel::result::Error::RollbackTransaction,
            ))
        } else {
            Ok(())
        }
    });
    sqlite_settings(conn, USUAL_SETTINGS)?;
    match outcome {
        Ok(()) => Ok(report),
        Err(StoreError::Database(diesel::result::Error::RollbackTransaction))
            if options.dry_run =>
        {
            Ok(report)
        }
        Err(StoreError::Invalid { message, .. }) => {
            let (line, reason) = message
                .strip_prefix("line ")
                .and_then(|rest| rest.split_once(": "))
                .and_then(|(n, reason)| Some((n.parse().ok()?, reason.to_owned())))
                .unwrap_or((0, message));
            Err(ImportError::Rows(vec![RowError { line, reason }]))
        }
        Err(other) => Err(other.into()),
    }
}
