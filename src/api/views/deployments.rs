//! The views of a deployment, of its content and of one entry of its history, as the API answers
//! with them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::assessments::ImpactAssessmentView;
use super::examples::example_with;
use super::sources::SourceView;
use crate::domain::{DeploymentStatus, Provenance};
use crate::store::deployments::{Deployment, DeploymentRevision, DeploymentState};
use crate::store::evidence::EvidencedDeployment;

/// The example of [`DeploymentView`]: its state's example, with where and when it stands.
fn deployment_example() -> serde_json::Value {
    example_with::<DeploymentStateView>(serde_json::json!({
        "id": "0193c4a2-7d1e-7b3a-9f00-6a1d2c3b4e5f",
        "force": "cambridgeshire",
        "tool": "body-worn-video",
        "revision": 1,
        "created_at": "2026-11-26T23:00:00Z",
        "updated_at": "2026-11-26T23:00:00Z"
    }))
}

/// What the registry says about one force's use of one tool.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Deployment, example = deployment_example)]
pub struct DeploymentView {
    pub id: String,
    /// Force slug.
    pub force: String,
    /// Tool slug.
    pub tool: String,
    #[serde(flatten)]
    pub state: DeploymentStateView,
    /// Increases by one with every write; the basis of the write precondition (`If-Match`).
    pub revision: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Deployment> for DeploymentView {
    fn from(v: Deployment) -> Self {
        Self {
            id: v.id,
            force: v.force,
            tool: v.tool,
            state: DeploymentStateView::from(v.state),
            revision: v.revision,
            created_at: v.created_at,
            updated_at: v.updated_at,
        }
    }
}

/// The example of [`DeploymentListItemView`]: a deployment with `include=evidence`.
fn list_item_example() -> serde_json::Value {
    use super::examples::schema_example;
    example_with::<DeploymentView>(serde_json::json!({
        "evidence": [schema_example::<SourceView>()],
        "impact_assessments": []
    }))
}

/// A deployment in a list or export: with `include=evidence`, also its sources and the impact
/// assessments that cover it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = DeploymentListItem, example = list_item_example)]
pub struct DeploymentListItemView {
    #[serde(flatten)]
    pub deployment: DeploymentView,
    /// With `include=evidence`: the sources that back the claim.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Vec<SourceView>>,
    /// With `include=evidence`: the impact assessments that cover it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub impact_assessments: Option<Vec<ImpactAssessmentView>>,
}

impl From<Deployment> for DeploymentListItemView {
    fn from(deployment: Deployment) -> Self {
        Self {
            deployment: deployment.into(),
            evidence: None,
            impact_assessments: None,
        }
    }
}

impl From<EvidencedDeployment> for DeploymentListItemView {
    fn from(d: EvidencedDeployment) -> Self {
        Self {
            deployment: d.deployment.into(),
            evidence: Some(d.evidence.into_iter().map(SourceView::from).collect()),
            impact_assessments: Some(
                d.impact_assessments
                    .into_iter()
                    .map(ImpactAssessmentView::from)
                    .collect(),
            ),
        }
    }
}

/// The content of a deployment, as written and as kept in every revision.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = DeploymentState, example = json!({
    "status": "in_use",
    "vendors": [],
    "product": null,
    "first_known_use": null,
    "last_confirmed": "2019-07-04",
    "ended_on": null,
    "summary": "Confirmed by the Cambridgeshire OPCC in its FOI reply of 4 July 2019.",
    "legal_basis": null,
    "authorisation": null,
    "public_consultation": null,
    "use_policy_url": null,
    "provenance": "foi",
    "verified": true,
    "source_ids": ["0193c4a2-7d1e-7b3a-9f00-6a1d2c3b4e60"]
}))]
pub struct DeploymentStateView {
    pub status: DeploymentStatus,
    pub vendors: Vec<String>,
    pub product: Option<String>,
    pub first_known_use: Option<NaiveDate>,
    pub last_confirmed: Option<NaiveDate>,
    pub ended_on: Option<NaiveDate>,
    pub summary: String,
    pub legal_basis: Option<String>,
    pub authorisation: Option<String>,
    pub public_consultation: Option<String>,
    pub use_policy_url: Option<String>,
    pub provenance: Provenance,
    /// Checked by a registry editor.
    pub verified: bool,
    /// The sources that back this claim.
    pub source_ids: Vec<String>,
}

impl From<DeploymentState> for DeploymentStateView {
    fn from(v: DeploymentState) -> Self {
        Self {
            status: v.status,
            vendors: v.vendors,
            product: v.product,
            first_known_use: v.first_known_use,
            last_confirmed: v.last_confirmed,
            ended_on: v.ended_on,
            summary: v.summary,
            legal_basis: v.legal_basis,
            authorisation: v.authorisation,
            public_consultation: v.public_consultation,
            use_policy_url: v.use_policy_url,
            provenance: v.provenance,
            verified: v.verified,
            source_ids: v.source_ids,
        }
    }
}

/// The example of [`DeploymentRevisionView`]: the deployment's own, as its first revision records
/// it.
fn revision_example() -> serde_json::Value {
    example_with::<DeploymentView>(serde_json::json!({
        "id": null,
        "created_at": null,
        "updated_at": null,
        "action": "create",
        "actor_role": "editor",
        "actor_organisation": "Surveillance Disclosure Registry",
        "recorded_at": "2026-11-26T23:00:00Z"
    }))
}

/// One entry of a deployment's history.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = DeploymentRevision, example = revision_example)]
pub struct DeploymentRevisionView {
    pub revision: i64,
    /// `create`, `update` or `delete`.
    pub action: String,
    pub force: String,
    pub tool: String,
    #[serde(flatten)]
    pub state: DeploymentStateView,
    /// The writer's role (`admin`, `editor`, `force_staff`, or `system` for the registry itself).
    pub actor_role: String,
    pub actor_organisation: String,
    pub recorded_at: DateTime<Utc>,
}

impl From<DeploymentRevision> for DeploymentRevisionView {
    fn from(v: DeploymentRevision) -> Self {
        Self {
            revision: v.revision,
            action: v.action,
            force: v.force,
            tool: v.tool,
            state: DeploymentStateView::from(v.state),
            actor_role: v.actor_role,
            actor_organisation: v.actor_organisation,
            recorded_at: v.recorded_at,
        }
    }
}
