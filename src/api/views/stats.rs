//! The view of registry-wide statistics and gap metrics, as the API answers with it.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::DeploymentStatus;
use crate::store::stats::{ForceGap, Gaps, Stats, ToolStatusCount};

/// Registry-wide statistics.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Stats, example = json!({
    "deployments_by_tool": [
        {"tool": "body-worn-video", "status": "in_use", "count": 1, "forces": 1},
        {"tool": "facial-recognition", "status": "not_held", "count": 1, "forces": 1},
        {"tool": "live-facial-recognition", "status": "in_use", "count": 1, "forces": 1}
    ],
    "cells_by_status": {"in_use": 2, "not_held": 6, "not_researched": 1050},
    "gaps": {
        "in_use_or_trial_without_assessment": 1,
        "forces_in_use_or_trial_without_assessment": 1,
        "assessments_review_overdue": 1,
        "foi_overdue_unanswered": 0,
        "foi_answered_late": 0,
        "forces_most_not_researched": [
            {"force": "avon-and-somerset", "not_researched": 23},
            {"force": "bedfordshire", "not_researched": 23}
        ]
    }
}))]
pub struct StatsView {
    /// Deployments per tool and status, with the forces that hold them.
    pub deployments_by_tool: Vec<ToolStatusCountView>,
    /// Matrix cells (force x tool) per status, over the forces and tools the filters' `force`,
    /// `nation`, `region` and `tool` select.
    pub cells_by_status: BTreeMap<DeploymentStatus, usize>,
    pub gaps: GapsView,
}

impl From<Stats> for StatsView {
    fn from(v: Stats) -> Self {
        Self {
            deployments_by_tool: v
                .deployments_by_tool
                .into_iter()
                .map(ToolStatusCountView::from)
                .collect(),
            cells_by_status: v.cells_by_status,
            gaps: GapsView::from(v.gaps),
        }
    }
}

/// How many deployments of one tool have one status.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ToolStatusCount, example = json!({"tool": "body-worn-video", "status": "in_use", "count": 3, "forces": 2}))]
pub struct ToolStatusCountView {
    pub tool: String,
    pub status: DeploymentStatus,
    /// Deployments.
    pub count: i64,
    /// Distinct forces those deployments belong to.
    pub forces: i64,
}

impl From<ToolStatusCount> for ToolStatusCountView {
    fn from(v: ToolStatusCount) -> Self {
        Self {
            tool: v.tool,
            status: v.status,
            count: v.count,
            forces: v.forces,
        }
    }
}

/// What is missing: the questions campaign groups chase.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Gaps, example = json!({
    "in_use_or_trial_without_assessment": 1,
    "forces_in_use_or_trial_without_assessment": 1,
    "assessments_review_overdue": 1,
    "foi_overdue_unanswered": 0,
    "foi_answered_late": 0,
    "forces_most_not_researched": [
        {"force": "avon-and-somerset", "not_researched": 23},
        {"force": "bedfordshire", "not_researched": 23}
    ]
}))]
pub struct GapsView {
    /// Deployments `in_use` or on `trial` that no existing impact assessment (status `published`
    /// or `exists_unpublished`) covers: what `GET /deployments?status__in=in_use,trial&has_impact_assessment=false`
    /// lists, with the same filters.
    pub in_use_or_trial_without_assessment: i64,
    /// The distinct forces those deployments belong to.
    pub forces_in_use_or_trial_without_assessment: i64,
    /// Impact assessments whose review date has passed.
    pub assessments_review_overdue: i64,
    /// FOI requests past their statutory due date with no response.
    pub foi_overdue_unanswered: i64,
    /// FOI requests answered after their statutory due date.
    pub foi_answered_late: i64,
    /// The forces with the most tools nobody has researched yet, most first (at most ten).
    pub forces_most_not_researched: Vec<ForceGapView>,
}

impl From<Gaps> for GapsView {
    fn from(v: Gaps) -> Self {
        Self {
            in_use_or_trial_without_assessment: v.in_use_or_trial_without_assessment,
            forces_in_use_or_trial_without_assessment: v.forces_in_use_or_trial_without_assessment,
            assessments_review_overdue: v.assessments_review_overdue,
            foi_overdue_unanswered: v.foi_overdue_unanswered,
            foi_answered_late: v.foi_answered_late,
            forces_most_not_researched: v
                .forces_most_not_researched
                .into_iter()
                .map(ForceGapView::from)
                .collect(),
        }
    }
}

/// A force and how many of its matrix cells are `not_researched`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ForceGap, example = json!({"force": "bedfordshire", "not_researched": 23}))]
pub struct ForceGapView {
    pub force: String,
    pub not_researched: usize,
}

impl From<ForceGap> for ForceGapView {
    fn from(v: ForceGap) -> Self {
        Self {
            force: v.force,
            not_researched: v.not_researched,
        }
    }
}
