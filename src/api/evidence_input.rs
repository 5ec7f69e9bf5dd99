//! The bodies of impact assessment and source writes, parsed into the data layer's fields with
//! every bad field named.

use serde::Deserialize;
use utoipa::ToSchema;

use super::params::Validator;
use super::text_formats::{HttpUrl, NonBlank, Sha256Hex};
use crate::domain::EntityId;
use crate::domain::{AssessmentKind, AssessmentStatus, Provenance, Role, Slug, SourceKind};
use crate::error::ApiError;
use crate::store::impact_assessments::AssessmentFields;
use crate::store::sources::SourceFields;

/// Longest free-text field accepted, in characters.
const MAX_TEXT: usize = 20_000;

/// An impact assessment as written. Dates are `YYYY-MM-DD`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "force": "south-wales",
    "kind": "dpia",
    "status": "published",
    "title": "Live facial recognition data protection impact assessment",
    "completed_on": "2020-08-01",
    "next_review_due": "2021-08-01",
    "url": "https://www.south-wales.police.uk/",
    "deployment_ids": []
}))]
pub struct AssessmentInput {
    /// Force slug (fixed once created).
    #[schema(value_type = Slug)]
    pub force: String,
    #[schema(value_type = AssessmentKind)]
    pub kind: String,
    #[schema(value_type = AssessmentStatus)]
    pub status: String,
    #[schema(value_type = NonBlank)]
    pub title: String,
    #[schema(value_type = Option<chrono::NaiveDate>)]
    pub completed_on: Option<String>,
    #[schema(value_type = Option<chrono::NaiveDate>)]
    pub next_review_due: Option<String>,
    /// An http(s) URL.
    #[schema(value_type = Option<HttpUrl>)]
    pub url: Option<String>,
    #[serde(default)]
    pub summary: String,
    /// Deployments of the same force the assessment covers.
    #[serde(default)]
    #[schema(value_type = Vec<EntityId>)]
    pub deployment_ids: Vec<String>,
    #[schema(value_type = Option<EntityId>)]
    pub revealed_by_source_id: Option<String>,
    #[schema(value_type = Option<EntityId>)]
    pub revealed_by_foi_request_id: Option<String>,
    /// Defaults to `researched`; always `force_reported` for force staff.
    #[schema(value_type = Option<Provenance>)]
    pub provenance: Option<String>,
}

impl AssessmentInput {
    /// Parses the body for a writer with `role`: force staff report as `force_reported`.
    pub fn parse(self, role: Role) -> Result<AssessmentFields, ApiError> {
        let mut v = Validator::default();
        let force = v
            .parse::<Slug>("force", Some(&self.force))
            .map(Slug::into_inner);
        let kind = v.parse::<AssessmentKind>("kind", Some(&self.kind));
        let status = v.parse::<AssessmentStatus>("status", Some(&self.status));
        let provenance = v.provenance(
            Some(role),
            self.provenance.as_deref(),
            Provenance::Researched,
        );
        let title = v.text("title", Some(self.title), MAX_TEXT);
        if title.is_none() {
            v.reject("title", "must not be empty");
        }
        let url = v.url("url", self.url);
        let mut deployment_ids: Vec<String> = self
            .deployment_ids
            .iter()
            .enumerate()
            .filter_map(|(i, raw)| v.id(&format!("deployment_ids[{i}]"), raw))
            .collect();
        deployment_ids.sort();
        deployment_ids.dedup();
        let fields = AssessmentFields {
            completed_on: v.date("completed_on", self.completed_on.as_deref()),
            next_review_due: v.date("next_review_due", self.next_review_due.as_deref()),
            summary: v
                .text("summary", Some(self.summary), MAX_TEXT)
                .unwrap_or_default(),
            revealed_by_source_id: self
                .revealed_by_source_id
                .and_then(|raw| v.id("revealed_by_source_id", &raw)),
            revealed_by_foi_request_id: self
                .revealed_by_foi_request_id
                .and_then(|raw| v.id("revealed_by_foi_request_id", &raw)),
            force: force.unwrap_or_default(),
            kind: kind.unwrap_or(AssessmentKind::Other),
            status: status.unwrap_or(AssessmentStatus::NotHeld),
            title: title.unwrap_or_default(),
            url,
            deployment_ids,
            provenance,
        };
        v.finish()?;
        Ok(fields)
    }
}

/// A source as written.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "url": "https://www.whatdotheyknow.com/request/police_surveillance_tools",
    "title": "What police surveillance tools are in use in our community?",
    "publisher": "Office of the Police and Crime Commissioner for Cambridgeshire and Peterborough",
    "kind": "foi_response",
    "published_on": "2019-07-04",
    "retrieved_on": "2019-07-05"
}))]
pub struct SourceInput {
    /// An http(s) URL.
    #[schema(value_type = Option<HttpUrl>)]
    pub url: Option<String>,
    /// A web archive's copy (http(s) URL).
    #[schema(value_type = Option<HttpUrl>)]
    pub archive_url: Option<String>,
    #[schema(value_type = NonBlank)]
    pub title: String,
    pub publisher: Option<String>,
    #[schema(value_type = SourceKind)]
    pub kind: String,
    #[schema(value_type = Option<chrono::NaiveDate>)]
    pub published_on: Option<String>,
    #[schema(value_type = Option<chrono::NaiveDate>)]
    pub retrieved_on: Option<String>,
    /// Hex SHA-256 of the document as retrieved.
    #[schema(value_type = Option<Sha256Hex>)]
    pub sha256: Option<String>,
    /// Where in the document the claims citing it are made (question, section, page or table).
    #[schema(max_length = 500)]
    pub locator: Option<String>,
    /// What the document says there, in your own words (one line; not the document's sentences).
    #[schema(max_length = 2000)]
    pub statement: Option<String>,
}

impl SourceInput {
    pub fn parse(self) -> Result<SourceFields, ApiError> {
        let mut v = Validator::default();
        let title = v.text("title", Some(self.title), MAX_TEXT);
        if title.is_none() {
            v.reject("title", "must not be empty");
        }
        let sha256 = self.sha256.map(|h| h.trim().to_ascii_lowercase());
        if sha256
            .as_deref()
            .is_some_and(|h| h.len() != 64 || !h.chars().all(|c| c.is_ascii_hexdigit()))
        {
            v.reject("sha256", "must be 64 hexadecimal digits");
        }
        let fields = SourceFields {
            url: v.url("url", self.url),
            archive_url: v.url("archive_url", self.archive_url),
            title: title.unwrap_or_default(),
            publisher: v.text("publisher", self.publisher, MAX_TEXT),
            kind: v
                .parse::<SourceKind>("kind", Some(&self.kind))
                .unwrap_or(SourceKind::Other),
            published_on: v.date("published_on", self.published_on.as_deref()),
            retrieved_on: v.date("retrieved_on", self.retrieved_on.as_deref()),
            sha256,
            locator: v.text("locator", self.locator, 500),
            statement: v.text("statement", self.statement, 2000),
        };
        v.finish()?;
        Ok(fields)
    }
}
