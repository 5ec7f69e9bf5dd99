//! Sources: the documents behind claims (FOI replies, official publications, press reports).

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::audit::{self, Action, Change, Stamp};
use super::{new_id, parse_column, utc, StoreError};
use crate::db::schema::sources;
use crate::db::DbConnection;
use crate::domain::SourceKind;

/// A document behind a claim.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193c4a2-7d1e-7b3a-9f00-6a1d2c3b4e5f",
    "url": "https://www.cambridgeshire-pcc.gov.uk/foi/19-026-037",
    "archive_url": null,
    "title": "FOI/OPCC/19-026-037: What police surveillance tools are in use in our community?",
    "publisher": "Office of the Police and Crime Commissioner for Cambridgeshire and Peterborough",
    "kind": "foi_response",
    "published_on": "2019-07-04",
    "retrieved_on": "2019-07-05",
    "sha256": null,
    "updated_at": "2026-11-26T23:00:00Z"
}))]
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
    pub updated_at: DateTime<Utc>,
}

/// The content of a source, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFields {
    pub url: Option<String>,
    pub archive_url: Option<String>,
    pub title: String,
    pub publisher: Option<String>,
    pub kind: SourceKind,
    pub published_on: Option<NaiveDate>,
    pub retrieved_on: Option<NaiveDate>,
    pub sha256: Option<String>,
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

/// Records a new source; call inside a write transaction.
pub fn create(
    conn: &mut DbConnection,
    stamp: &Stamp,
    fields: &SourceFields,
) -> Result<Source, StoreError> {
    let id = new_id();
    let at = stamp.at;
    diesel::insert_into(sources::table)
        .values((
            sources::id.eq(&id),
            sources::url.eq(&fields.url),
            sources::archive_url.eq(&fields.archive_url),
            sources::title.eq(&fields.title),
            sources::publisher.eq(&fields.publisher),
            sources::kind.eq(fields.kind.as_str()),
            sources::published_on.eq(fields.published_on),
            sources::retrieved_on.eq(fields.retrieved_on),
            sources::sha256.eq(&fields.sha256),
            sources::created_at.eq(at),
            sources::updated_at.eq(at),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        stamp,
        Change {
            entity_type: "source",
            entity_id: &id,
            action: Action::Create,
            revision: 1,
            force_slug: None,
            changed_fields: &[],
            summary: format!("Source added: {}", fields.title),
        },
    )?;
    get(conn, &id)
}
