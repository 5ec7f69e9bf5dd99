//! Sources: the documents behind claims (FOI replies, official publications, press reports).

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::audit::{self, Action, Change, Changed, Stamp};
use super::diff;
use super::restore::{plan, Plan, Restorable, Restored};
use super::{new_id, parse_column, utc, Page, PageRequest, StoreError};
use crate::db::schema::sources;
use crate::db::DbConnection;
use crate::domain::SourceKind;

/// A document behind a claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    pub id: String,
    pub url: Option<String>,
    /// A copy kept by a web archive, in case the original moves.
    pub archive_url: Option<String>,
    pub title: String,
    pub publisher: Option<String>,
    pub kind: SourceKind,
    pub published_on: Option<NaiveDate>,
    pub retrieved_on: Option<NaiveDate>,
    /// SHA-256 of the document as retrieved, so a later copy can be checked against it.
    pub sha256: Option<String>,
    /// Where in the document the claims citing it are made: a question, section, page or table.
    #[serde(default)]
    pub locator: Option<String>,
    /// What the document says there, in the registry's own words (never the document's sentences).
    #[serde(default)]
    pub statement: Option<String>,
    /// Increases by one with every write; writers name it to show what their change is based on.
    pub revision: i64,
    pub updated_at: DateTime<Utc>,
}

/// The content of a source, as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceFields {
    pub url: Option<String>,
    pub archive_url: Option<String>,
    pub title: String,
    pub publisher: Option<String>,
    pub kind: SourceKind,
    pub published_on: Option<NaiveDate>,
    pub retrieved_on: Option<NaiveDate>,
    pub sha256: Option<String>,
    pub locator: Option<String>,
    pub statement: Option<String>,
}

impl Restorable for Source {
    type Content = SourceFields;

    fn content(&self) -> SourceFields {
        SourceFields {
            url: self.url.clone(),
            archive_url: self.archive_url.clone(),
            title: self.title.clone(),
            publisher: self.publisher.clone(),
            kind: self.kind,
            published_on: self.published_on,
            retrieved_on: self.retrieved_on,
            sha256: self.sha256.clone(),
            locator: self.locator.clone(),
            statement: self.statement.clone(),
        }
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = sources)]
struct SourceRow {
    id: String,
    url: Option<String>,
    archive_url: Option<String>,
    title: String,
    publisher: Option<String>,
    kind: String,
    published_on: Option<NaiveDate>,
    retrieved_on: Option<NaiveDate>,
    sha256: Option<String>,
    locator: Option<String>,
    statement: Option<String>,
    revision: i64,
    updated_at: chrono::NaiveDateTime,
}

impl SourceRow {
    fn into_source(self) -> Result<Source, StoreError> {
        Ok(Source {
            kind: parse_column("sources.kind", &self.kind)?,
            id: self.id,
            url: self.url,
            archive_url: self.archive_url,
            title: self.title,
            publisher: self.publisher,
            published_on: self.published_on,
            retrieved_on: self.retrieved_on,
            sha256: self.sha256,
            locator: self.locator,
            statement: self.statement,
            revision: self.revision,
            updated_at: utc(self.updated_at),
        })
    }
}

/// One source by id.
pub fn get(conn: &mut DbConnection, id: &str) -> Result<Source, StoreError> {
    sources::table
        .find(id)
        .select(SourceRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::NotFound {
            entity: "source",
            key: id.to_owned(),
        })?
        .into_source()
}

/// The sources with these ids, in id order.
pub fn many(conn: &mut DbConnection, ids: &[String]) -> Result<Vec<Source>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    sources::table
        .filter(sources::id.eq_any(ids))
        .select(SourceRow::as_select())
        .order(sources::id)
        .load(conn)?
        .into_iter()
        .map(SourceRow::into_source)
        .collect()
}

/// Sources in id order, a page at a time (for exports).
pub fn list(
    conn: &mut DbConnection,
    page: &PageRequest<String>,
) -> Result<Page<Source, String>, StoreError> {
    let mut query = sources::table
        .select(SourceRow::as_select())
        .order(sources::id)
        .limit(page.limit as i64 + 1)
        .into_boxed();
    if let Some(after) = &page.after {
        query = query.filter(sources::id.gt(after.clone()));
    }
    let rows = query.load(conn)?;
    let rows = Page::from_overfetch(rows, page.limit, |row| row.id.clone());
    Ok(Page {
        items: rows
            .items
            .into_iter()
            .map(SourceRow::into_source)
            .collect::<Result<_, _>>()?,
        next_after: rows.next_after,
        total: None,
    })
}

/// Writes a source as exported (same id, revision and time), for imports: nothing when its content
/// is unchanged, an update (with its change event) when it differs, [`insert_new`] when the
/// registry lacks it. Call inside a write transaction.
pub fn restore(
    conn: &mut DbConnection,
    actor: &audit::Actor,
    record: &Source,
) -> Result<Restored, StoreError> {
    match plan(get(conn, &record.id), record)? {
        Plan::Unchanged => return Ok(Restored::Unchanged),
        Plan::Create => {
            insert_new(conn, actor, &[record], imported_summary)?;
            return Ok(Restored::Created);
        }
        Plan::Update(_) => {}
    }
    let at = record.updated_at.naive_utc();
    diesel::update(sources::table.find(&record.id))
        .set((
            sources::url.eq(&record.url),
            sources::archive_url.eq(&record.archive_url),
            sources::title.eq(&record.title),
            sources::publisher.eq(&record.publisher),
            sources::kind.eq(record.kind.as_str()),
            sources::published_on.eq(record.published_on),
            sources::retrieved_on.eq(record.retrieved_on),
            sources::sha256.eq(&record.sha256),
            sources::locator.eq(&record.locator),
            sources::statement.eq(&record.statement),
            sources::revision.eq(record.revision),
            sources::updated_at.eq(at),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        &Stamp {
            actor: actor.clone(),
            at,
        },
        Change {
            entity_type: ENTITY,
            entity_id: &record.id,
            action: Action::Update,
            revision: record.revision,
            force_slug: None,
            changed: Changed::NONE,
            summary: imported_summary(record),
        },
    )?;
    Ok(Restored::Updated)
}

/// The change feed's line for an imported source.
pub fn imported_summary(source: &Source) -> String {
    format!("Source imported: {}", source.title)
}

/// The change feed's line for a source created or changed here.
pub fn written_summary(source: &Source) -> String {
    format!("Source: {}", source.title)
}

/// Writes sources the registry does not hold yet, as given (ids, revisions and times kept), with
/// their change events (`summary` gives each one's line): a few multi-row statements per thousand.
/// Call inside a write transaction.
pub fn insert_new(
    conn: &mut DbConnection,
    actor: &audit::Actor,
    records: &[&Source],
    summary: fn(&Source) -> String,
) -> Result<(), StoreError> {
    use crate::db::bulk::{insert_rows, StoredTime, Value};
    let rows: Vec<Vec<Value<'_>>> = records
        .iter()
        .map(|s| {
            let at = StoredTime(s.updated_at.naive_utc());
            vec![
                Value::Text(&s.id),
                Value::OptText(s.url.as_deref()),
                Value::OptText(s.archive_url.as_deref()),
                Value::Text(&s.title),
                Value::OptText(s.publisher.as_deref()),
                Value::Text(s.kind.as_str()),
                Value::OptDate(s.published_on),
                Value::OptDate(s.retrieved_on),
                Value::OptText(s.sha256.as_deref()),
                Value::OptText(s.locator.as_deref()),
                Value::OptText(s.statement.as_deref()),
                Value::Int(s.revision),
                Value::Time(at),
                Value::Time(at),
            ]
        })
        .collect();
    insert_rows(
        conn,
        "sources",
        &[
            "id",
            "url",
            "archive_url",
            "title",
            "publisher",
            "kind",
            "published_on",
            "retrieved_on",
            "sha256",
            "locator",
            "statement",
            "revision",
            "created_at",
            "updated_at",
        ],
        &rows,
    )?;
    let summaries: Vec<String> = records.iter().map(|s| summary(s)).collect();
    audit::record_many(
        conn,
        actor,
        records
            .iter()
            .zip(&summaries)
            .map(|(s, summary)| audit::NewEvent {
                entity_type: ENTITY,
                entity_id: &s.id,
                action: Action::Create,
                revision: s.revision,
                force_slug: None,
                changes: &[],
                summary,
                occurred_at: s.updated_at.naive_utc(),
            }),
    )
}

const ENTITY: &str = "source";

/// Writes a source's content as `revision`, with its snapshot and change event; shared by create
/// and update.
fn write(
    conn: &mut DbConnection,
    stamp: &Stamp,
    id: &str,
    fields: &SourceFields,
    revision: i64,
    action: Action,
    changed: Changed<'_>,
) -> Result<Source, StoreError> {
    let at = stamp.at;
    let content = (
        sources::url.eq(&fields.url),
        sources::archive_url.eq(&fields.archive_url),
        sources::title.eq(&fields.title),
        sources::publisher.eq(&fields.publisher),
        sources::kind.eq(fields.kind.as_str()),
        sources::published_on.eq(fields.published_on),
        sources::retrieved_on.eq(fields.retrieved_on),
        sources::sha256.eq(&fields.sha256),
        sources::locator.eq(&fields.locator),
        sources::statement.eq(&fields.statement),
        sources::revision.eq(revision),
        sources::updated_at.eq(at),
    );
    if action == Action::Create {
        diesel::insert_into(sources::table)
            .values((sources::id.eq(id), content, sources::created_at.eq(at)))
            .execute(conn)?;
    } else {
        diesel::update(sources::table.find(id))
            .set(content)
            .execute(conn)?;
    }
    let written = get(conn, id)?;
    super::revisions::record_write(
        conn,
        stamp,
        Change {
            entity_type: ENTITY,
            entity_id: id,
            action,
            revision,
            force_slug: None,
            changed,
            summary: written_summary(&written),
        },
        &written,
    )?;
    Ok(written)
}

/// Records a new source; call inside a write transaction.
pub fn create(
    conn: &mut DbConnection,
    stamp: &Stamp,
    fields: &SourceFields,
) -> Result<Source, StoreError> {
    write(
        conn,
        stamp,
        &new_id(),
        fields,
        1,
        Action::Create,
        Changed::NONE,
    )
}

/// Replaces a source's content if it is still at the revision `expected` names. Call inside a write
/// transaction.
pub fn update(
    conn: &mut DbConnection,
    stamp: &Stamp,
    id: &str,
    expected: super::Precondition,
    fields: &SourceFields,
) -> Result<Source, StoreError> {
    let current = get(conn, id)?;
    super::expect_revision("source", id, current.revision, expected)?;
    let before = current.content();
    let changed = Changed::Values(diff::all(&before, fields));
    write(
        conn,
        stamp,
        id,
        fields,
        current.revision + 1,
        Action::Update,
        changed,
    )
}

/// Deletes a source no claim cites, if it is still at the revision `expected` names (a cited source would
/// leave claims without their evidence: 409). Its revisions stay readable. Call inside a write
/// transaction.
pub fn delete(
    conn: &mut DbConnection,
    stamp: &Stamp,
    id: &str,
    expected: super::Precondition,
) -> Result<(), StoreError> {
    use crate::db::schema::{deployment_sources, impact_assessments};
    let current = get(conn, id)?;
    super::expect_revision("source", id, current.revision, expected)?;
    let citing: i64 = deployment_sources::table
        .filter(deployment_sources::source_id.eq(id))
        .count()
        .get_result(conn)?;
    let revealing: i64 = impact_assessments::table
        .filter(impact_assessments::revealed_by_source_id.eq(id))
        .count()
        .get_result(conn)?;
    if citing + revealing > 0 {
        return Err(StoreError::Conflict(format!(
            "source `{id}` backs {citing} deployments and {revealing} impact assessments; \
             correct them first"
        )));
    }
    diesel::delete(sources::table.find(id)).execute(conn)?;
    let revision = current.revision + 1;
    super::revisions::record_write(
        conn,
        stamp,
        Change {
            entity_type: ENTITY,
            entity_id: id,
            action: Action::Delete,
            revision,
            force_slug: None,
            changed: Changed::NONE,
            summary: format!("Source deleted: {}", current.title),
        },
        &current,
    )
}
