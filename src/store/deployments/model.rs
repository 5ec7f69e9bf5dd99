//! The deployment as read, its state (as written and as every revision keeps it), a new deployment,
//! and one entry of its history.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::{DeploymentStatus, Provenance};

/// What the registry says about one force's use of one tool.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deployment {
    pub id: String,
    /// Force slug.
    pub force: String,
    /// Tool slug.
    pub tool: String,
    #[serde(flatten)]
    pub state: DeploymentState,
    /// Increases by one with every write; writers name it to show what their change is based on.
    pub revision: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The content of a deployment, as written and as kept in every revision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

/// One entry of a deployment's history.
#[derive(Debug, Clone)]
pub struct DeploymentRevision {
    pub revision: i64,
    /// `create`, `update` or `delete`.
    pub action: String,
    pub force: String,
    pub tool: String,
    pub state: DeploymentState,
    /// The writer's role (`admin`, `editor`, `force_staff`, or `system` for the registry itself).
    pub actor_role: String,
    pub actor_organisation: String,
    pub recorded_at: DateTime<Utc>,
}
