//! What differs between two readings of a profile or the matrix (`compare_to=`), as the API
//! answers with it.

use serde::Serialize;
use utoipa::ToSchema;

use super::changes::FieldChangeView;
use crate::domain::DeploymentStatus;
use crate::store::compare::{CellChange, ClaimChange, StatusChange, ToolChange};

/// A status at the `compare_to` reading (`old`) and at the profile's or matrix's own (`new`).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = StatusChange, example = json!({"old": "planned", "new": "in_use"}))]
pub struct StatusChangeView {
    pub old: DeploymentStatus,
    pub new: DeploymentStatus,
}

impl From<StatusChange> for StatusChangeView {
    fn from(v: StatusChange) -> Self {
        Self {
            old: v.old,
            new: v.new,
        }
    }
}

/// How one claim differs between the readings.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(example = "changed")]
pub enum ClaimChangeKind {
    /// Recorded at the newer reading only.
    Added,
    /// Recorded at the older reading only.
    Removed,
    /// Recorded at both, with `fields` changed.
    Changed,
}

/// One claim that differs between the readings.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ClaimChange, example = json!({
    "deployment_id": "0193c4a2-7d1e-7b3a-9f00-6a1d2c3b4e5f",
    "change": "changed",
    "summary": "Live facial recognition deployed at events since 2024.",
    "fields": [{"field": "status", "old": "planned", "new": "in_use"}]
}))]
pub struct ClaimChangeView {
    pub deployment_id: String,
    pub change: ClaimChangeKind,
    /// The claim's summary at the newer reading (the older for a removed claim).
    pub summary: String,
    /// The fields that changed, with both values (empty unless `changed`).
    pub fields: Vec<FieldChangeView>,
}

impl From<ClaimChange> for ClaimChangeView {
    fn from(v: ClaimChange) -> Self {
        let (deployment, change, fields) = match v {
            ClaimChange::Added(d) => (d, ClaimChangeKind::Added, Vec::new()),
            ClaimChange::Removed(d) => (d, ClaimChangeKind::Removed, Vec::new()),
            ClaimChange::Changed { deployment, fields } => {
                (deployment, ClaimChangeKind::Changed, fields)
            }
        };
        Self {
            deployment_id: deployment.id,
            change,
            summary: deployment.state.summary,
            fields: fields.into_iter().map(FieldChangeView::from).collect(),
        }
    }
}

/// One tool of a force's profile that differs between the readings.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ProfileToolChange, example = json!({
    "tool": "live-facial-recognition",
    "name": "Live facial recognition",
    "status": {"old": "planned", "new": "in_use"},
    "claims": [crate::api::views::examples::schema_example::<ClaimChangeView>()]
}))]
pub struct ToolChangeView {
    pub tool: String,
    pub name: String,
    /// The cell's status at both readings (the same when only claims changed).
    pub status: StatusChangeView,
    /// The claims that differ, among the ten most recent per tool that a profile lists.
    pub claims: Vec<ClaimChangeView>,
}

impl From<ToolChange> for ToolChangeView {
    fn from(v: ToolChange) -> Self {
        Self {
            tool: v.tool,
            name: v.name,
            status: v.status.into(),
            claims: v.claims.into_iter().map(ClaimChangeView::from).collect(),
        }
    }
}

/// A force's profile compared with another reading of it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ProfileComparison, example = json!({
    "compare_to": "2021-01-01",
    "changes": [crate::api::views::examples::schema_example::<ToolChangeView>()]
}))]
pub struct ProfileComparisonView {
    /// The other reading, as given: the `old` side of every change.
    pub compare_to: String,
    /// The tools that differ, in taxonomy order; empty when nothing does.
    pub changes: Vec<ToolChangeView>,
}

/// One cell of the matrix whose status differs between the readings.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = MatrixCellChange, example = json!({
    "force": "kent",
    "tool": "live-facial-recognition",
    "status": {"old": "not_researched", "new": "in_use"}
}))]
pub struct CellChangeView {
    pub force: String,
    pub tool: String,
    pub status: StatusChangeView,
}

impl From<CellChange> for CellChangeView {
    fn from(v: CellChange) -> Self {
        Self {
            force: v.force,
            tool: v.tool,
            status: v.status.into(),
        }
    }
}

/// The matrix compared with another reading of it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = MatrixComparison, example = json!({
    "compare_to": "2021-01-01",
    "changes": [crate::api::views::examples::schema_example::<CellChangeView>()]
}))]
pub struct MatrixComparisonView {
    /// The other reading, as given: the `old` side of every change.
    pub compare_to: String,
    /// The cells that differ, in force then taxonomy order; empty when nothing does.
    pub changes: Vec<CellChangeView>,
}
