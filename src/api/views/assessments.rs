//! The view of an impact assessment, as the API answers with it.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::{AssessmentKind, AssessmentStatus, Provenance};
use crate::store::impact_assessments::ImpactAssessment;

/// An impact assessment of one force's use of one or more tools.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ImpactAssessment, example = json!({
    "id": "0193c4a2-7d1e-7b3a-9f00-6a1d2c3b4e61",
    "force": "south-wales",
    "kind": "dpia",
    "status": "published",
    "title": "Live facial recognition data protection impact assessment",
    "completed_on": "2020-08-01",
    "next_review_due": "2021-08-01",
    "review_overdue": true,
    "url": "https://www.south-wales.police.uk/",
    "summary": "",
    "deployment_ids": ["0193c4a2-7d1e-7b3a-9f00-6a1d2c3b4e62"],
    "revealed_by_source_id": null,
    "revealed_by_foi_request_id": null,
    "provenance": "official_publication",
    "revision": 1,
    "updated_at": "2026-11-26T23:00:00Z"
}))]
pub struct ImpactAssessmentView {
    pub id: String,
    /// Force slug.
    pub force: String,
    pub kind: AssessmentKind,
    pub status: AssessmentStatus,
    pub title: String,
    pub completed_on: Option<NaiveDate>,
    pub next_review_due: Option<NaiveDate>,
    /// The review date has passed (as of today, UTC).
    pub review_overdue: bool,
    pub url: Option<String>,
    pub summary: String,
    /// The deployments this assessment covers.
    pub deployment_ids: Vec<String>,
    /// The source that revealed it.
    pub revealed_by_source_id: Option<String>,
    /// The FOI request whose reply revealed it.
    pub revealed_by_foi_request_id: Option<String>,
    pub provenance: Provenance,
    pub revision: i64,
    pub updated_at: DateTime<Utc>,
}

impl From<ImpactAssessment> for ImpactAssessmentView {
    fn from(v: ImpactAssessment) -> Self {
        Self {
            id: v.id,
            force: v.force,
            kind: v.kind,
            status: v.status,
            title: v.title,
            completed_on: v.completed_on,
            next_review_due: v.next_review_due,
            review_overdue: v.review_overdue,
            url: v.url,
            summary: v.summary,
            deployment_ids: v.deployment_ids,
            revealed_by_source_id: v.revealed_by_source_id,
            revealed_by_foi_request_id: v.revealed_by_foi_request_id,
            provenance: v.provenance,
            revision: v.revision,
            updated_at: v.updated_at,
        }
    }
}
