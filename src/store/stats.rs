//! Aggregates for campaign groups: counts by tool and status, and the gaps worth chasing.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use diesel::dsl::{count_star, exists, not};
use diesel::prelude::*;

use super::overviews::{self, MatrixFilter};
use super::{parse_column, StoreError};
use crate::db::schema::{assessment_deployments, deployments, foi_requests, impact_assessments};
use crate::db::DbConnection;
use crate::domain::{AssessmentStatus, DeploymentStatus};

/// Registry-wide statistics.
#[derive(Debug)]
pub struct Stats {
    /// Deployments per tool and status.
    pub deployments_by_tool: Vec<ToolStatusCount>,
    /// Matrix cells (force x tool) per status.
    pub cells_by_status: BTreeMap<DeploymentStatus, usize>,
    pub gaps: Gaps,
}

/// How many deployments of one tool have one status.
#[derive(Debug)]
pub struct ToolStatusCount {
    pub tool: String,
    pub status: DeploymentStatus,
    pub count: i64,
}

/// What is missing: the questions campaign groups chase.
#[derive(Debug)]
pub struct Gaps {
    /// Deployments in use or on trial that no published impact assessment covers.
    pub in_use_without_published_assessment: i64,
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

/// Computes every statistic as of `today`.
pub fn compute(conn: &mut DbConnection, today: NaiveDate) -> Result<Stats, StoreError> {
    let deployments_by_tool = deployments::table
        .group_by((deployments::tool_slug, deployments::status))
        .select((deployments::tool_slug, deployments::status, count_star()))
        .order((deployments::tool_slug, deployments::status))
        .load::<(String, String, i64)>(conn)?
        .into_iter()
        .map(|(tool, status, count)| {
            Ok(ToolStatusCount {
                tool,
                status: parse_column("deployments.status", &status)?,
                count,
            })
        })
        .collect::<Result<_, StoreError>>()?;

    // Nested EXISTS rather than a join, so SQLite looks up each deployment's own links (see the
    // deployments filter `has_impact_assessment`).
    let published_cover = exists(
        assessment_deployments::table
            .filter(assessment_deployments::deployment_id.eq(deployments::id))
            .filter(exists(
                impact_assessments::table
                    .filter(impact_assessments::id.eq(assessment_deployments::impact_assessment_id))
                    .filter(impact_assessments::status.eq(AssessmentStatus::Published.as_str())),
            )),
    );
    let in_use_without_published_assessment = deployments::table
        .filter(deployments::status.eq_any([
            DeploymentStatus::InUse.as_str(),
            DeploymentStatus::Trial.as_str(),
        ]))
        .filter(not(published_cover))
        .count()
        .get_result(conn)?;
    let assessments_review_overdue = impact_assessments::table
        .filter(impact_assessments::next_review_due.lt(today))
        .count()
        .get_result(conn)?;
    let foi_overdue_unanswered = foi_requests::table
        .filter(foi_requests::responded_on.is_null())
        .filter(foi_requests::due_on.lt(today))
        .count()
        .get_result(conn)?;
    let foi_answered_late = foi_requests::table
        .filter(foi_requests::responded_on.gt(foi_requests::due_on.nullable()))
        .count()
        .get_result(conn)?;

    let matrix = overviews::matrix(conn, &MatrixFilter::default())?;
    let mut cells_by_status = BTreeMap::new();
    let mut forces_most_not_researched: Vec<ForceGap> = matrix
        .forces
        .iter()
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
            in_use_without_published_assessment,
            assessments_review_overdue,
            foi_overdue_unanswered,
            foi_answered_late,
            forces_most_not_researched,
        },
    })
}
