//! What differs between two readings of the registry (a force's profile or the matrix at two
//! moments): the cells whose status changed, and the claims added, removed or changed field by
//! field. The API's `compare_to` and the force page's compare view both show this.

use super::deployments::Deployment;
use super::diff::{self, FieldChange};
use super::overviews::{ForceProfile, Matrix, ProfileTool};
use crate::domain::DeploymentStatus;

/// A cell's status at the earlier reading (`old`) and the later (`new`), when they differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusChange {
    pub old: DeploymentStatus,
    pub new: DeploymentStatus,
}

/// One claim that differs between the readings.
#[derive(Debug, Clone, PartialEq)]
pub enum ClaimChange {
    /// Recorded in the new reading only.
    Added(Deployment),
    /// Recorded in the old reading only.
    Removed(Deployment),
    /// Recorded in both, with these fields changed.
    Changed {
        deployment: Deployment,
        fields: Vec<FieldChange>,
    },
}

/// One tool of a force's profile that differs between the readings: its status at each (the
/// same when only claims changed) and the claims that differ.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolChange {
    pub tool: String,
    pub name: String,
    pub status: StatusChange,
    pub claims: Vec<ClaimChange>,
}

fn status_change(old: DeploymentStatus, new: DeploymentStatus) -> Option<StatusChange> {
    (old != new).then_some(StatusChange { old, new })
}

/// The claims of one tool that differ: added and changed in the new reading's order, then
/// removed. Only the claims the profiles list are compared (the ten most recent per tool).
fn claim_changes(old: &ProfileTool, new: &ProfileTool) -> Vec<ClaimChange> {
    let mut changes: Vec<ClaimChange> = new
        .deployments
        .iter()
        .filter_map(
            |claim| match old.deployments.iter().find(|d| d.id == claim.id) {
                None => Some(ClaimChange::Added(claim.clone())),
                Some(before) => {
                    let fields = diff::all(&before.state, &claim.state);
                    (!fields.is_empty()).then(|| ClaimChange::Changed {
                        deployment: claim.clone(),
                        fields,
                    })
                }
            },
        )
        .collect();
    changes.extend(
        old.deployments
            .iter()
            .filter(|claim| !new.deployments.iter().any(|d| d.id == claim.id))
            .map(|claim| ClaimChange::Removed(claim.clone())),
    );
    changes
}

/// The tools of a force's profile that differ from the `old` reading to the `new` one, in
/// taxonomy order.
pub fn profiles(old: &ForceProfile, new: &ForceProfile) -> Vec<ToolChange> {
    new.tools
        .iter()
        .filter_map(|tool| {
            let before = old.tools.iter().find(|t| t.tool == tool.tool)?;
            let change = ToolChange {
                tool: tool.tool.clone(),
                name: tool.name.clone(),
                status: StatusChange {
                    old: before.status,
                    new: tool.status,
                },
                claims: claim_changes(before, tool),
            };
            (change.status.old != change.status.new || !change.claims.is_empty()).then_some(change)
        })
        .collect()
}

/// One cell of the matrix whose status differs between the readings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellChange {
    pub force: String,
    pub tool: String,
    pub status: StatusChange,
}

/// The cells of the matrix whose status differs from the `old` reading to the `new` one, in
/// force then taxonomy order. Both readings come from the same filter, so they hold the same rows
/// and columns; a cell missing from one reads as `not_researched`.
pub fn matrices(old: &Matrix, new: &Matrix) -> Vec<CellChange> {
    new.forces
        .iter()
        .flat_map(|row| {
            let before = old.forces.iter().find(|r| r.force == row.force);
            new.tools.iter().filter_map(move |tool| {
                let status = |cells: Option<&std::collections::BTreeMap<_, _>>| {
                    cells
                        .and_then(|cells| cells.get(tool).copied())
                        .unwrap_or(DeploymentStatus::NotResearched)
                };
                let change =
                    status_change(status(before.map(|r| &r.cells)), status(Some(&row.cells)))?;
                Some(CellChange {
                    force: row.force.clone(),
                    tool: tool.clone(),
                    status: change,
                })
            })
        })
        .collect()
}
