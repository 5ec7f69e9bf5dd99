//! Views across the registry: a force's profile over the whole taxonomy, one tool across every force,
//! and the forces x tools matrix. Each is a handful of queries, whatever the number of rows.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDateTime;
use diesel::prelude::*;

pub use super::deployments::MatrixFilter;
use super::deployments::{self, Deployment, DeploymentFilter};
use super::forces::{self, Force, ForceFilter};
use super::impact_assessments::{self, ImpactAssessment};
use super::sources::{self, Source};
use super::tools::{self, InToolFamily, Tool, ToolFilter};
use super::{PageRequest, StoreError};
use crate::db::schema::tools as tools_table;
use crate::db::DbConnection;
use crate::domain::{DeploymentStatus, Nation};

/// The status a cell shows when several deployments cover it: the most significant one, in the
/// order `DeploymentStatus` declares (in use first, not researched last). No deployment at all
/// means `not_researched`, never `denied`.
pub fn cell_status(statuses: impl IntoIterator<Item = DeploymentStatus>) -> DeploymentStatus {
    statuses
        .into_iter()
        .min()
        .unwrap_or(DeploymentStatus::NotResearched)
}

/// Everything the registry says about one force, tool by tool.
#[derive(Debug)]
pub struct ForceProfile {
    pub force: Force,
    /// Every tool of the taxonomy, in taxonomy order.
    pub tools: Vec<ProfileTool>,
    /// How many tools have each status.
    pub status_counts: BTreeMap<DeploymentStatus, usize>,
}

/// One tool in a force's profile.
#[derive(Debug)]
pub struct ProfileTool {
    pub tool: String,
    pub name: String,
    pub parent: Option<String>,
    /// The cell's status (see the matrix): `not_researched` where nothing is known.
    pub status: DeploymentStatus,
    /// How many deployments of this tool the force has; `status` reflects them all.
    pub deployment_count: usize,
    /// The most recently recorded deployments (at most 10), oldest first; every one is listed at
    /// `GET /deployments?force=<force>&tool=<tool>`.
    pub deployments: Vec<Deployment>,
    /// The assessments covering the deployments listed here.
    pub impact_assessments: Vec<ImpactAssessment>,
    /// The sources behind the deployments listed here.
    pub evidence: Vec<Source>,
}

/// Deployments per tool in a profile: enough for a page a journalist reads, and a profile stays
/// small however many deployments a force records.
const PROFILE_DEPLOYMENTS: usize = 10;

fn all_tools(conn: &mut DbConnection) -> Result<Vec<Tool>, StoreError> {
    Ok(tools::list(conn, &ToolFilter::default(), &PageRequest::everything())?.items)
}

fn all_forces(conn: &mut DbConnection, filter: &ForceFilter) -> Result<Vec<Force>, StoreError> {
    Ok(forces::list(conn, filter, &PageRequest::everything())?.items)
}

/// What a profile reads of one tool: its deployments' statuses, each with how many deployments
/// hold it, and the deployments it may list (the latest few).
#[derive(Default)]
struct ToolDeployments {
    statuses: Vec<(DeploymentStatus, usize)>,
    latest: Vec<Deployment>,
}

/// A force's profile, current or as of a moment.
pub fn force_profile(
    conn: &mut DbConnection,
    force: &str,
    as_of: Option<NaiveDateTime>,
) -> Result<ForceProfile, StoreError> {
    let force = forces::get(conn, force)?;
    let mut by_tool: HashMap<String, ToolDeployments> = HashMap::new();
    match as_of {
        None => {
            for (tool, status, count) in deployments::force_cells(conn, &force.slug)? {
                let known = by_tool.entry(tool).or_default();
                known.statuses.push((status, count as usize));
            }
            for deployment in deployments::latest_per_tool(conn, &force.slug, PROFILE_DEPLOYMENTS)?
            {
                let known = by_tool.entry(deployment.tool.clone()).or_default();
                known.latest.push(deployment);
            }
        }
        Some(_) => {
            let filter = DeploymentFilter {
                force: Some(force.slug.clone()),
                as_of,
                ..DeploymentFilter::default()
            };
            for deployment in deployments::all(conn, &filter)? {
                let known = by_tool.entry(deployment.tool.clone()).or_default();
                known.statuses.push((deployment.state.status, 1));
                known.latest.push(deployment);
            }
        }
    }
    // Each tool's status and count cover all its deployments; only the latest few are listed, and
    // only theirs are the assessments and sources loaded.
    let mut status_counts = BTreeMap::new();
    let listed: Vec<(Tool, DeploymentStatus, usize, Vec<Deployment>)> = all_tools(conn)?
        .into_iter()
        .map(|tool| {
            let ToolDeployments {
                statuses,
                latest: mut deployments,
            } = by_tool.remove(&tool.slug).unwrap_or_default();
            let status = cell_status(statuses.iter().map(|(status, _)| *status));
            *status_counts.entry(status).or_insert(0) += 1;
            let count = statuses.iter().map(|(_, count)| count).sum();
            deployments.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
            let shown = deployments.len();
            deployments.drain(..shown.saturating_sub(PROFILE_DEPLOYMENTS));
            (tool, status, count, deployments)
        })
        .collect();
    let shown = || listed.iter().flat_map(|(.., deployments)| deployments);
    let ids: Vec<String> = shown().map(|d| d.id.clone()).collect();
    let assessments = impact_assessments::covering(conn, &ids)?;
    let mut source_ids: Vec<String> = shown()
        .flat_map(|d| d.state.source_ids.iter().cloned())
        .collect();
    source_ids.sort_unstable();
    source_ids.dedup();
    let sources: HashMap<String, Source> = sources::many(conn, &source_ids)?
        .into_iter()
        .map(|s| (s.id.clone(), s))
        .collect();
    let tools = listed
        .into_iter()
        .map(|(tool, status, deployment_count, deployments)| {
            let covers = |a: &&ImpactAssessment| {
                a.deployment_ids
                    .iter()
                    .any(|id| deployments.iter().any(|d| &d.id == id))
            };
            let impact_assessments = assessments.iter().filter(covers).cloned().collect();
            let mut evidence: Vec<Source> = deployments
                .iter()
                .flat_map(|d| d.state.source_ids.iter())
                .filter_map(|id| sources.get(id).cloned())
                .collect();
            evidence.sort_by(|a, b| a.id.cmp(&b.id));
            evidence.dedup_by(|a, b| a.id == b.id);
            ProfileTool {
                tool: tool.slug,
                name: tool.name,
                parent: tool.parent,
                status,
                deployment_count,
                deployments,
                impact_assessments,
                evidence,
            }
        })
        .collect();
    Ok(ForceProfile {
        force,
        tools,
        status_counts,
    })
}

/// One force's cell for one tool.
#[derive(Debug)]
pub struct ForceCell {
    pub force: String,
    pub name: String,
    pub nation: Option<Nation>,
    pub status: DeploymentStatus,
    /// The deployments behind the status.
    pub deployment_ids: Vec<String>,
}

/// One tool across every force.
#[derive(Debug)]
pub struct ToolForces {
    pub tool: Tool,
    /// Every force, in slug order.
    pub forces: Vec<ForceCell>,
}

/// Every force's status for one tool.
pub fn tool_forces(
    conn: &mut DbConnection,
    tool: &str,
    as_of: Option<NaiveDateTime>,
) -> Result<ToolForces, StoreError> {
    let tool = tools::get(conn, tool)?;
    let filter = DeploymentFilter {
        tool: Some(tool.slug.clone()),
        as_of,
        ..DeploymentFilter::default()
    };
    let mut by_force: HashMap<String, Vec<Deployment>> = HashMap::new();
    for deployment in deployments::all(conn, &filter)? {
        by_force
            .entry(deployment.force.clone())
            .or_default()
            .push(deployment);
    }
    let forces = all_forces(conn, &ForceFilter::default())?
        .into_iter()
        .map(|force| {
            let found = by_force.remove(&force.slug).unwrap_or_default();
            ForceCell {
                status: cell_status(found.iter().map(|d| d.state.status)),
                deployment_ids: found.into_iter().map(|d| d.id).collect(),
                force: force.slug,
                name: force.name,
                nation: force.nation,
            }
        })
        .collect();
    Ok(ToolForces { tool, forces })
}

/// The forces x tools grid of statuses.
#[derive(Debug)]
pub struct Matrix {
    /// The columns, in taxonomy order.
    pub tools: Vec<String>,
    /// The rows, in force slug order.
    pub forces: Vec<MatrixRow>,
}

/// One force's row of the matrix.
#[derive(Debug)]
pub struct MatrixRow {
    pub force: String,
    pub name: String,
    pub nation: Option<Nation>,
    /// Tool slug -> status, for every column.
    pub cells: BTreeMap<String, DeploymentStatus>,
}

/// Builds the matrix from the distinct statuses of every cell.
pub fn matrix(conn: &mut DbConnection, filter: &MatrixFilter) -> Result<Matrix, StoreError> {
    let mut columns = tools_table::table
        .order(tools_table::position)
        .select(tools_table::slug)
        .into_boxed();
    if let Some(tool) = &filter.tool {
        // A tool's columns are its own and its sub-types'.
        columns = columns.filter(InToolFamily::new("tools.slug", tool.clone()));
    }
    let tools: Vec<String> = columns.load(conn)?;
    if let Some(tool) = &filter.tool {
        if tools.is_empty() {
            return Err(StoreError::NotFound {
                entity: "tool",
                key: tool.clone(),
            });
        }
    }
    let mut known: HashMap<(String, String), DeploymentStatus> = HashMap::new();
    for cell in deployments::cell_statuses(conn, filter)? {
        let entry = known.entry((cell.force, cell.tool)).or_insert(cell.status);
        *entry = (*entry).min(cell.status);
    }
    let forces = all_forces(
        conn,
        &ForceFilter {
            nation: filter.nation,
            region: filter.region.clone(),
            ..ForceFilter::default()
        },
    )?
    .into_iter()
    .map(|force| {
        let cells = tools
            .iter()
            .map(|tool| {
                let status = known.get(&(force.slug.clone(), tool.clone())).copied();
                (tool.clone(), cell_status(status))
            })
            .collect();
        MatrixRow {
            force: force.slug,
            name: force.name,
            nation: force.nation,
            cells,
        }
    })
    .collect();
    Ok(Matrix { tools, forces })
}
