//! The deployment as the API shows it, its state (as written and as every revision keeps it), a new
//! deployment, and one entry of its history.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::{DeploymentStatus, Provenance};

/// The example of [`Deployment`]: its state's example, with where and when it stands.
fn deployment_example() -> serde_json::Value {
    crate::store::revisions::example_with::<DeploymentState>(serde_json::json!({
        "id": "0193c4a2-7d1e-7b3a-9f00-6a1d2c3b4e5f",
        "force": "cambridgeshire",
        "tool": "body-worn-video",
        "revision": 1,
        "created_at": "2026-11-26T23:00:00Z",
        "updated_at": "2026-11-26T23:00:00Z"
    }))
}

/// What the registry says about one force's use of one tool.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(example = deployment_example)]
pub struct Deployment {
    pub id: String,
    /// Force slug.
    pub force: String,
    /// Tool slug.
    pub tool: String,
    #[serde(flatten)]
    pub state: DeploymentState,
    /// Increases by one with every write; the basis of the write precondition (`If-Match`).
    pub revision: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The content of a deployment, as written and as kept in every revision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
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
pub struct DeploymentState {
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

/// A new deployment: which force and tool, and its content.
#[derive(Debug, Clone)]
pub struct NewDeployment {
    pub force: String,
    pub tool: String,
    pub state: DeploymentState,
}

/// The example of [`DeploymentRevision`]: the deployment's own, as its first revision records it.
fn revision_example() -> serde_json::Value {
    crate::store::revisions::example_with::<Deployment>(serde_json::json!({
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
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = revision_example)]
pub struct DeploymentRevision {
    pub revision: i64,
    /// `create`, `update` or `delete`.
    pub action: String,
    pub force: String,
    pub tool: String,
    #[serde(flatten)]
    pub state: DeploymentState,
    /// The writer's role (`admin`, `editor`, `force_staff`, or `system` for the registry itself).
    pub actor_role: String,
    pub actor_organisation: String,
    pub recorded_at: DateTime<Utc>,
}
