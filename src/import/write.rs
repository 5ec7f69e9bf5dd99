//! The second pass: the checked file read again and written in one transaction, a batch at a time.
//! Records the registry lacks go in through each store's bulk insert (multi-row statements, the
//! same on both backends); records it holds are restored one by one (unchanged ones cost a read).

use diesel::connection::SimpleConnection;

use super::check::Survey;
use super::Row;
use super::{
    atlas, held, rows, with_batches, Batch, FileKind, ImportError, ImportOptions, ImportReport,
    Input,
};
use crate::db::{bulk, DbConnection};
use crate::foi::FoiCalendar;
use crate::store::deployments::{self, Deployment};
use crate::store::foi_requests::{self, NewRequest};
use crate::store::restore::{Restorable, Restored};
use crate::store::sources::{self as source_store, Source};
use crate::store::{campaigns, impact_assessments, write_transaction, StoreError};

/// SQLite settings while an import runs: a page cache big enough for a large transaction (without
/// one it spills to the WAL mid-transaction and reads its own writes back from disk), but bounded;
/// and temporary data (the sorts that rebuild indexes) in files, not memory, so that memory stays
/// flat whatever the file's size. Then SQLite's usual cache, and temporary data in memory.
const SQLITE_IMPORT_SETTINGS: &str = "PRAGMA cache_size = -131072; PRAGMA temp_store = FILE;";
const SQLITE_USUAL_SETTINGS: &str = "PRAGMA cache_size = -2000; PRAGMA temp_store = MEMORY;";

/// Switches the connection to the settings of an import (`importing`) or back. On SQLite, the
/// settings above. On PostgreSQL, no prepared statements are kept, so that every lookup is planned
/// for its own values: a generic plan, cached by a lookup that ran while a table was empty (the
/// first pass runs the same lookups before any row is written), would go on scanning the whole
/// table as the import fills it, at hundreds of milliseconds a batch. (Forcing custom plans
/// server-side did the same, but also re-planned the foreign-key check of every inserted row,
/// which took a third of the database's time in an import.)
fn settings(conn: &mut DbConnection, importing: bool) -> Result<(), StoreError> {
    use diesel::connection::{CacheSize, Connection};
    match conn {
        DbConnection::Sqlite(sqlite) => sqlite
            .batch_execute(if importing {
                SQLITE_IMPORT_SETTINGS
            } else {
                SQLITE_USUAL_SETTINGS
            })
            .map_err(StoreError::Database),
        DbConnection::Postgres(pg) => {
            pg.set_prepared_statement_cache_size(if importing {
                CacheSize::Disabled
            } else {
                CacheSize::Unbounded
            });
            Ok(())
        }
    }
}

/// An error of the row on `line`, carried out of the transaction as `line N: reason`.
fn on_line(line: usize, error: StoreError) -> StoreError {
    match error {
        StoreError::Invalid { field, message } => StoreError::Invalid {
            field,
            message: format!("line {line}: {message}"),
        },
        other => other,
    }
}

/// Writes a checked file (or, in a dry run, writes it and rolls back).
pub(super) fn write(
    conn: &mut DbConnection,
    calendar: &FoiCalendar,
    kind: FileKind,
    input: &Input<'_>,
    survey: &Survey,
    options: &ImportOptions,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<ImportReport, ImportError> {
    let mut report = ImportReport {
        kind: Some(kind),
        rows: survey.rows,
        dry_run: options.dry_run,
        ..ImportReport::default()
    };
    let parsed = rows(kind, input)?;
    settings(conn, true)?;
    let outcome = with_batches(parsed, |batches| {
        write_transaction(conn, |conn| {
            let mut agencies = atlas::Agencies::load(conn)?;
            bulk::with_indexes_rebuilt(conn, &survey.growth, |conn| {
                let mut done = 0;
                for batch in batches {
                    done +=
                        write_batch(conn, calendar, options, &mut agencies, &mut report, batch)?;
                    progress(done, survey.rows);
                }
                Ok::<_, StoreError>(())
            })?;
            if options.dry_run {
                // Undo everything: the report says what the import would have done.
                Err(StoreError::Database(
                    diesel::result::Error::RollbackTransaction,
                ))
            } else {
                Ok(())
            }
        })
    });
    settings(conn, false)?;
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
            Err(ImportError::Rows(vec![super::RowError { line, reason }]))
        }
        Err(other) => Err(other.into()),
    }
}

/// Writes one batch of a checked file: the records the registry lacks through the stores' bulk
/// inserts, the others restored one by one. Returns how many rows the batch held.
fn write_batch(
    conn: &mut DbConnection,
    calendar: &FoiCalendar,
    options: &ImportOptions,
    agencies: &mut atlas::Agencies,
    report: &mut ImportReport,
    batch: Batch,
) -> Result<usize, StoreError> {
    let mut rows = Vec::with_capacity(batch.len());
    for (line, row) in batch {
        // Only a file changed since the first pass can fail here.
        rows.push((
            line,
            row.map_err(|reason| StoreError::Invalid {
                field: "file",
                message: format!("line {line}: {reason}"),
            })?,
        ));
    }
    let held = held(conn, rows.iter().map(|(_, row)| row))?;
    let is_new = |row: &Row| {
        matches!(
            row,
            Row::Deployment(_) | Row::FoiRequest(_) | Row::Source(_)
        ) && row.id().is_some_and(|id| !held.contains(id))
    };
    report.created += insert_new(conn, calendar, options, &rows, &is_new)?;
    for (line, row) in rows.iter().filter(|(_, row)| !is_new(row)) {
        let restored = match row {
            Row::Deployment(d) => deployments::restore(conn, &options.actor, d),
            Row::FoiRequest(r) => foi_requests::restore(conn, calendar, &options.actor, r),
            Row::Campaign(c) => campaigns::restore(conn, &options.actor, c),
            Row::Source(s) => source_store::restore(conn, &options.actor, s),
            Row::Assessment(a) => impact_assessments::restore(conn, &options.actor, a),
            Row::Document(d) => {
                let (copy, content) = d.as_ref();
                foi_requests::restore_document(conn, &copy.foi_request_id, &copy.document, content)
            }
            Row::Atlas(a) => {
                atlas::write(conn, agencies, &options.actor, a).map(|(restored, created_force)| {
                    report.forces_created += usize::from(created_force);
                    restored
                })
            }
        }
        .map_err(|error| on_line(*line, error))?;
        match restored {
            Restored::Created => report.created += 1,
            Restored::Updated => report.updated += 1,
            Restored::Unchanged => report.unchanged += 1,
        }
    }
    Ok(rows.len())
}

/// Writes the batch's records that `is_new` picks through the stores' bulk inserts, deployments in
/// id order (so each statement's keys land together in the indexes that lead with the id).
/// Returns how many it wrote.
fn insert_new(
    conn: &mut DbConnection,
    calendar: &FoiCalendar,
    options: &ImportOptions,
    rows: &[(usize, Row)],
    is_new: &dyn Fn(&Row) -> bool,
) -> Result<usize, StoreError> {
    let new = || rows.iter().map(|(_, row)| row).filter(|row| is_new(row));
    let mut new_deployments: Vec<&Deployment> = new()
        .filter_map(|row| match row {
            Row::Deployment(d) => Some(d.as_ref()),
            _ => None,
        })
        .collect();
    new_deployments.sort_unstable_by(|a, b| a.id.cmp(&b.id));
    let new_sources: Vec<&Source> = new()
        .filter_map(|row| match row {
            Row::Source(s) => Some(s.as_ref()),
            _ => None,
        })
        .collect();
    let requests: Vec<_> = new()
        .filter_map(|row| match row {
            Row::FoiRequest(r) => Some((r, r.content())),
            _ => None,
        })
        .collect();
    let new_requests: Vec<NewRequest<'_>> = requests
        .iter()
        .map(|(record, fields)| NewRequest {
            id: &record.id,
            fields,
            revision: record.revision,
            created_at: record.created_at.naive_utc(),
            updated_at: record.updated_at.naive_utc(),
        })
        .collect();
    if !new_deployments.is_empty() {
        deployments::insert_new(conn, &options.actor, &new_deployments)?;
    }
    if !new_sources.is_empty() {
        source_store::insert_new(
            conn,
            &options.actor,
            &new_sources,
            source_store::imported_summary,
        )?;
    }
    if !new_requests.is_empty() {
        foi_requests::insert_new(conn, calendar, &options.actor, &new_requests)?;
    }
    Ok(new_deployments.len() + new_sources.len() + new_requests.len())
}
