//! Aggregates for campaign groups: counts by tool and status (deployments and forces), and the
//! gaps worth chasing, for the whole registry or the deployments a filter selects.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use diesel::prelude::*;

use super::deployments::{self, DeploymentFilter};
use super::overviews::{self, MatrixFilter};
use super::{parse_column, StoreError};
use crate::db::schema::{foi_requests, forces, impact_assessments};
use crate::db::DbConnection;
use crate::domain::DeploymentStatus;

/// Statistics of the deployments a filter selects (all of them by default).
#[derive(Debug)]
pub struct Stats {
    /// Deployments per tool and status, with the forces they belong to.
    pub deployments_by_tool: Vec<ToolStatusCount>,
    /// Matrix cells (force x tool) per status, over the forces and tools the filter's nation,
    /// region and tool select.
    pub cells_by_status: BTreeMap<DeploymentStatus, usize>,
    pub gaps: Gaps,
}

/// How many deployments of one tool have one status, and how many forces hold them.
#[derive(Debug)]
pub struct ToolStatusCount {
    pub tool: String,
    pub status: DeploymentStatus,
    pub count: i64,
    pub forces: i64,
}

/// What is missing: the questions campaign groups chase.
#[derive(Debug)]
pub struct Gaps {
    /// Deployments `in_use` or on `trial` that no existing impact assessment covers: the list
    /// `status__in=in_use,trial&has_impact_assessment=false`.
    pub in_use_or_trial_without_assessment: i64,
    /// The forces those deployments belong to.
    pub forces_in_use_or_trial_without_assessment: i64,
    /// Impact assessments whose review date has passed.
    pub assessments_review_overdue: i64,
    /// FOI requests past their statutory due date with no response.
    pub foi_overdue_unanswered: i64,
    /// FOI requests answered after their statutory due date.
    pub foi_answered_late: i64,
    /// The forces with the most tools nobody has researched yet, most first (at most ten).
    pub forces_most_not_researched: Vec<ForceGap>,
}

/// A force and how many of its matrix cells are `not_researched`.
#[derive(Debug)]
pub struct ForceGap {
    pub force: String,
    pub not_researched: usize,
}

/// The forces a filter's force, nation and region select (`None`: every force).
fn selected_forces(
    conn: &mut DbConnection,
    filter: &DeploymentFilter,
) -> Result<Option<Vec<String>>, StoreError> {
    if filter.force.is_none() && filter.nation.is_none() && filter.region.is_none() {
        return Ok(None);
    }
    let mut query = forces::table.select(forces::slug).into_boxed();
    if let Some(force) = &filter.force {
        query = query.filter(forces::slug.eq(force.clone()));
    }
    if let Some(nation) = filter.nation {
        query = query.filter(forces::nation.eq(nation.as_str()));
    }
    if let Some(region) = &filter.region {
        query = query.filter(forces::region.eq(region.clone()));
    }
    Ok(Some(query.load(conn)?))
}

/// Computes every statistic of the deployments `filter` selects, as of `today`. Assessments and
/// FOI requests are counted for the forces the filter's force, nation and region select.
pub fn compute(
    conn: &mut DbConnection,
    filter: &DeploymentFilter,
    today: NaiveDate,
) -> Result<Stats, StoreError> {
    let deployments_by_tool = deployments::tally_by_tool_and_status(conn, filter)?
        .into_iter()
        .map(|row| {
            Ok(ToolStatusCount {
                status: parse_column("deployments.status", &row.status)?,
                tool: row.tool,
                count: row.deployments,
                forces: row.forces,
            })
        })
        .collect::<Result<_, StoreError>>()?;

    let wanted = [DeploymentStatus::InUse, DeploymentStatus::Trial];
    let statuses = if filter.statuses.is_empty() {
        wanted.to_vec()
    } else {
        filter
            .statuses
            .iter()
            .copied()
            .filter(|status| wanted.contains(status))
            .collect()
    };
    let (in_use_or_trial_without_assessment, forces_in_use_or_trial_without_assessment) =
        if statuses.is_empty() || filter.has_impact_assessment == Some(true) {
            (0, 0)
        } else {
            deployments::tally(
                conn,
                &DeploymentFilter {
                    statuses,
                    has_impact_assessment: Some(false),
                    ..filter.clone()
                },
            )?
        };

    let mut overdue_reviews = impact_assessments::table
        .filter(impact_assessments::next_review_due.lt(today))
        .into_boxed();
    let mut overdue_requests = foi_requests::table
        .filter(foi_requests::responded_on.is_null())
        .filter(foi_requests::due_on.lt(today))
        .into_boxed();
    let mut late_requests = foi_requests::table
        .filter(foi_requests::responded_on.gt(foi_requests::due_on.nullable()))
        .into_boxed();
    if let Some(selected) = selected_forces(conn, filter)? {
        overdue_reviews =
            overdue_reviews.filter(impact_assessments::force_slug.eq_any(selected.clone()));
        overdue_requests =
            overdue_requests.filter(foi_requests::force_slug.eq_any(selected.clone()));
        late_requests = late_requests.filter(foi_requests::force_slug.eq_any(selected));
    }
    let assessments_review_overdue = overdue_reviews.count().get_result(conn)?;
    let foi_overdue_unanswered = overdue_requests.count().get_result(conn)?;
    let foi_answered_late = late_requests.count().get_result(conn)?;

    let matrix = overviews::matrix(
        conn,
        &MatrixFilter {
            nation: filter.nation,
            region: filter.region.clone(),
            tool: filter.tool.clone(),
            as_of: filter.as_of,
        },
    )?;
    let mut cells_by_status = BTreeMap::new();
    let mut forces_most_not_researched: Vec<ForceGap> = matrix
        .forces
        .iter()
        .filter(|row| {
            filter
                .force
                .as_ref()
                .is_none_or(|force| *force == row.force)
        })
        .map(|row| {
            for status in row.cells.values() {
                *cells_by_status.entry(*status).or_insert(0) += 1;
            }
            let not_researched = row
                .cells
                .values()
                .filter(|s| **s == DeploymentStatus::NotResearched)
                .count();
            ForceGap {
                force: row.force.clone(),
                not_researched,
            }
        })
        .collect();
    forces_most_not_researched.sort_by(|a, b| {
        b.not_researched
            .cmp(&a.not_researched)
            .then_with(|| a.force.cmp(&b.force))
    });
    forces_most_not_researched.truncate(10);

    Ok(Stats {
        deployments_by_tool,
        cells_by_status,
        gaps: Gaps {
            in_use_or_trial_without_assessment,
            forces_in_use_or_trial_without_assessment,
            assessments_review_overdue,
            foi_overdue_unanswered,
            foi_answered_late,
            forces_most_not_researched,
        },
    })
}
