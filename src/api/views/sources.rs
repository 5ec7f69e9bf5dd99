//! The view of a source (a document behind a claim), as the API answers with it.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::SourceKind;
use crate::store::sources::Source;

/// A document behind a claim.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Source, example = json!({
    "id": "0193c4a2-7d1e-7b3a-9f00-6a1d2c3b4e60",
    "url": "https://www.cambridgeshire-pcc.gov.uk/foi/19-026-037",
    "archive_url": null,
    "title": "FOI/OPCC/19-026-037: What police surveillance tools are in use in our community?",
    "publisher": "Office of the Police and Crime Commissioner for Cambridgeshire and Peterborough",
    "kind": "foi_response",
    "published_on": "2019-07-04",
    "retrieved_on": "2019-07-05",
    "sha256": null,
    "locator": "Answer to question 1",
    "statement": "The commissioner's office says the force uses body-worn video and holds nothing on the other six tools.",
    "revision": 1,
    "updated_at": "2026-11-26T23:00:00Z"
}))]
pub struct SourceView {
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
    /// Increases by one with every write; the basis of `If-Match`.
    pub revision: i64,
    pub updated_at: DateTime<Utc>,
}

impl From<Source> for SourceView {
    fn from(v: Source) -> Self {
        Self {
            id: v.id,
            url: v.url,
            archive_url: v.archive_url,
            title: v.title,
            publisher: v.publisher,
            kind: v.kind,
            published_on: v.published_on,
            retrieved_on: v.retrieved_on,
            sha256: v.sha256,
            locator: v.locator,
            statement: v.statement,
            revision: v.revision,
            updated_at: v.updated_at,
        }
    }
}
