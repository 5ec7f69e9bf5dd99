//! The first pass: every row parsed and checked, a batch at a time, keeping nothing of a row once
//! it is checked but a hash of its id (to find an id used twice) and any reason it is bad. What
//! the rows refer to is looked up per batch, in a fixed number of queries.

use std::collections::hash_map::{DefaultHasher, Entry};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{Hash, Hasher};

use diesel::prelude::*;

use super::{atlas, held, rows, with_batches, FileKind, ImportError, Input, Row, RowError};
use crate::db::bulk::Growth;
use crate::db::schema::{forces, sources, tools};
use crate::db::DbConnection;
use crate::domain::{EntityId, Slug};
use crate::foi::FoiCalendar;
use crate::store::deployments::{self, Deployment};
use crate::store::foi_requests::{self, FoiRequestFields, References};
use crate::store::restore::Restorable;
use crate::store::StoreError;

/// What the first pass learnt of a clean file.
pub(super) struct Survey {
    pub(super) rows: usize,
    /// How many rows the tables written in bulk will gain (at most: a row may be imported as an
    /// update instead, if the registry gains its record before the second pass).
    pub(super) growth: Vec<Growth<'static>>,
}

/// Forces and tools: every row may refer to them, and there are few.
struct Known {
    forces: HashSet<String>,
    tools: HashSet<String>,
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
        })
    }

    /// Why a deployment cannot be written, if it cannot; `sources` holds the cited sources that
    /// exist.
    fn check_deployment(&self, d: &Deployment, sources: &HashSet<String>) -> Option<String> {
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
            .find(|s| !sources.contains(*s))
            .map(|s| format!("source `{s}` is not in this registry; add it first"))
    }
}

/// The cited sources among a batch's deployments that the registry holds.
fn cited_sources(
    conn: &mut DbConnection,
    batch: &[(usize, Row)],
) -> Result<HashSet<String>, StoreError> {
    let cited: Vec<&str> = batch
        .iter()
        .filter_map(|(_, row)| match row {
            Row::Deployment(d) => Some(d.state.source_ids.iter().map(String::as_str)),
            _ => None,
        })
        .flatten()
        .collect();
    if cited.is_empty() {
        return Ok(HashSet::new());
    }
    Ok(sources::table
        .filter(sources::id.eq_any(&cited))
        .select(sources::id)
        .load::<String>(conn)?
        .into_iter()
        .collect())
}

/// The lines that break the registry's text rule (a control character, raw or escaped in JSON),
/// which the parsers would otherwise pass on to the database.
fn text_rule_errors(input: &Input<'_>) -> Result<Vec<RowError>, ImportError> {
    use std::io::BufRead;
    let mut errors = Vec::new();
    for (index, line) in input.open()?.lines().enumerate() {
        let Ok(line) = line else {
            continue; // the parser reports it
        };
        if let Some(reason) =
            crate::domain::forbidden_char(&line).or_else(|| crate::domain::forbidden_escape(&line))
        {
            errors.push(RowError {
                line: index + 1,
                reason,
            });
        }
    }
    Ok(errors)
}

/// A 64-bit hash of an id: the first pass remembers ids by it, so its memory stays small. Two ids
/// sharing a hash (about one chance in 10^8 for a million rows) would be reported as one id used
/// twice, never written over each other.
fn id_hash(id: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    id.hash(&mut hasher);
    hasher.finish()
}

/// Reads and checks every row of `input`; a file with any bad row is refused with all of them.
pub(super) fn survey(
    conn: &mut DbConnection,
    calendar: &FoiCalendar,
    kind: FileKind,
    input: &Input<'_>,
) -> Result<Survey, ImportError> {
    let mut errors = text_rule_errors(input)?;
    let known = Known::load(conn)?;
    let agencies = atlas::Agencies::load(conn)?;
    let mut first_line: HashMap<u64, usize> = HashMap::new();
    let mut growth: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut count = 0;
    with_batches(rows(kind, input)?, |batches| {
        for batch in batches {
            let mut parsed = Vec::with_capacity(batch.len());
            for (line, row) in batch {
                match row {
                    Ok(row) => parsed.push((line, row)),
                    Err(reason) => errors.push(RowError { line, reason }),
                }
            }
            count += parsed.len();
            let sources = cited_sources(conn, &parsed)?;
            let requests: Vec<(usize, FoiRequestFields)> = parsed
                .iter()
                .filter_map(|(line, row)| match row {
                    Row::FoiRequest(r) => Some((*line, r.content())),
                    _ => None,
                })
                .collect();
            let references = References::load(conn, requests.iter().map(|(_, f)| f))?;
            let mut request_problems: HashMap<usize, String> = requests
                .iter()
                .filter_map(|(line, fields)| match references.check(calendar, fields) {
                    Err(StoreError::Invalid { message, .. }) => Some((*line, message)),
                    _ => None,
                })
                .collect();
            for (line, row) in &parsed {
                if let Some(id) = row.id() {
                    match first_line.entry(id_hash(id)) {
                        Entry::Occupied(first) => errors.push(RowError {
                            line: *line,
                            reason: format!("`{id}` is also on line {}", first.get()),
                        }),
                        Entry::Vacant(slot) => {
                            slot.insert(*line);
                        }
                    }
                }
                let id_problem = |raw: &str| raw.parse::<EntityId>().err().map(|e| e.0);
                let revision_problem = |revision: i64| {
                    (revision < 1).then(|| "`revision` must be at least 1".to_owned())
                };
                let problem = match row {
                    Row::Deployment(d) => known.check_deployment(d, &sources),
                    Row::Atlas(a) => agencies.check(a, &known.tools),
                    Row::FoiRequest(r) => id_problem(&r.id)
                        .or_else(|| revision_problem(r.revision))
                        .or_else(|| request_problems.remove(line)),
                    Row::Campaign(c) => c.slug.parse::<Slug>().err().map(|e| e.0),
                    Row::Source(s) => id_problem(&s.id),
                    Row::Assessment(a) => {
                        id_problem(&a.id).or_else(|| revision_problem(a.revision))
                    }
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
                // The file is refused: what the tables would gain no longer matters.
                continue;
            }
            let held = held(conn, parsed.iter().map(|(_, row)| row))?;
            let new_deployments: Vec<&Deployment> = parsed
                .iter()
                .filter_map(|(_, row)| match row {
                    Row::Deployment(d) if !held.contains(&d.id) => Some(d.as_ref()),
                    _ => None,
                })
                .collect();
            let new_requests = requests
                .iter()
                .zip(
                    parsed
                        .iter()
                        .filter(|(_, row)| matches!(row, Row::FoiRequest(_))),
                )
                .filter(|(_, (_, row))| row.id().is_some_and(|id| !held.contains(id)))
                .map(|((_, fields), _)| fields);
            for Growth { table, adding } in deployments::bulk_growth(&new_deployments)
                .into_iter()
                .chain(foi_requests::bulk_growth(new_requests))
            {
                *growth.entry(table).or_default() += adding;
            }
        }
        Ok::<_, ImportError>(())
    })?;
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.line);
        return Err(ImportError::Rows(errors));
    }
    Ok(Survey {
        rows: count,
        growth: growth
            .into_iter()
            .map(|(table, adding)| Growth { table, adding })
            .collect(),
    })
}
