//! The views across the registry (a force's profile, a tool across forces, the matrix), as the API
//! answers with them.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

use super::assessments::ImpactAssessmentView;
use super::comparisons::{MatrixComparisonView, ProfileComparisonView};
use super::deployments::DeploymentView;
use super::forces::ForceView;
use super::sources::SourceView;
use super::tools::ToolView;
use crate::domain::{DeploymentStatus, Nation};
use crate::store::overviews::{
    ForceCell, ForceProfile, Matrix, MatrixRow, ProfileTool, ToolForces,
};

/// Everything the registry says about one force, tool by tool.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ForceProfile, example = json!({
    "force": crate::api::views::examples::schema_example::<ForceView>(),
    "tools": [
        crate::api::views::examples::schema_example::<ProfileToolView>(),
        {
            "tool": "live-facial-recognition",
            "name": "Live facial recognition",
            "parent": "facial-recognition",
            "status": "not_researched",
            "deployment_count": 0,
            "deployments": [],
            "impact_assessments": [],
            "evidence": []
        }
    ],
    "status_counts": {"in_use": 1, "not_held": 6, "not_researched": 16}
}))]
pub struct ForceProfileView {
    pub force: ForceView,
    /// Every tool of the taxonomy, in taxonomy order.
    pub tools: Vec<ProfileToolView>,
    /// How many tools have each status.
    pub status_counts: BTreeMap<DeploymentStatus, usize>,
    /// With `compare_to`: what differs from that reading to this one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comparison: Option<ProfileComparisonView>,
}

impl From<ForceProfile> for ForceProfileView {
    fn from(v: ForceProfile) -> Self {
        Self {
            force: ForceView::from(v.force),
            tools: v.tools.into_iter().map(ProfileToolView::from).collect(),
            status_counts: v.status_counts,
            comparison: None,
        }
    }
}

/// One tool in a force's profile.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ProfileTool, example = json!({
    "tool": "body-worn-video",
    "name": "Body-worn video",
    "parent": null,
    "status": "in_use",
    "deployment_count": 1,
    "deployments": [crate::api::views::examples::schema_example::<DeploymentView>()],
    "impact_assessments": [],
    "evidence": [crate::api::views::examples::schema_example::<SourceView>()]
}))]
pub struct ProfileToolView {
    pub tool: String,
    pub name: String,
    pub parent: Option<String>,
    /// The cell's status (see the matrix): `not_researched` where nothing is known.
    pub status: DeploymentStatus,
    /// How many deployments of this tool the force has; `status` reflects them all.
    pub deployment_count: usize,
    /// The most recently recorded deployments (at most 10), oldest first; every one is listed at
    /// `GET /deployments?force=<force>&tool=<tool>`.
    pub deployments: Vec<DeploymentView>,
    /// The assessments covering the deployments listed here.
    pub impact_assessments: Vec<ImpactAssessmentView>,
    /// The sources behind the deployments listed here.
    pub evidence: Vec<SourceView>,
}

impl From<ProfileTool> for ProfileToolView {
    fn from(v: ProfileTool) -> Self {
        Self {
            tool: v.tool,
            name: v.name,
            parent: v.parent,
            status: v.status,
            deployment_count: v.deployment_count,
            deployments: v
                .deployments
                .into_iter()
                .map(DeploymentView::from)
                .collect(),
            impact_assessments: v
                .impact_assessments
                .into_iter()
                .map(ImpactAssessmentView::from)
                .collect(),
            evidence: v.evidence.into_iter().map(SourceView::from).collect(),
        }
    }
}

/// One force's cell for one tool.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ForceCell, example = json!({
    "force": "cambridgeshire",
    "name": "Cambridgeshire Constabulary",
    "nation": "england",
    "status": "not_held",
    "deployment_ids": ["0193c4a2-7d1e-7b3a-9f00-6a1d2c3b4e65"]
}))]
pub struct ForceCellView {
    pub force: String,
    pub name: String,
    pub nation: Option<Nation>,
    pub status: DeploymentStatus,
    /// The deployments behind the status.
    pub deployment_ids: Vec<String>,
}

impl From<ForceCell> for ForceCellView {
    fn from(v: ForceCell) -> Self {
        Self {
            force: v.force,
            name: v.name,
            nation: v.nation,
            status: v.status,
            deployment_ids: v.deployment_ids,
        }
    }
}

/// One tool across every force.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ToolForces, example = json!({
    "tool": crate::api::views::examples::schema_example::<ToolView>(),
    "forces": [
        {
            "force": "bedfordshire",
            "name": "Bedfordshire Police",
            "nation": "england",
            "status": "not_researched",
            "deployment_ids": []
        },
        {
            "force": "cambridgeshire",
            "name": "Cambridgeshire Constabulary",
            "nation": "england",
            "status": "not_held",
            "deployment_ids": ["0193c4a2-7d1e-7b3a-9f00-6a1d2c3b4e65"]
        }
    ]
}))]
pub struct ToolForcesView {
    pub tool: ToolView,
    /// Every force, in slug order.
    pub forces: Vec<ForceCellView>,
}

impl From<ToolForces> for ToolForcesView {
    fn from(v: ToolForces) -> Self {
        Self {
            tool: ToolView::from(v.tool),
            forces: v.forces.into_iter().map(ForceCellView::from).collect(),
        }
    }
}

/// The forces x tools grid of statuses.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Matrix, example = json!({
    "tools": ["body-worn-video", "imsi-catcher"],
    "forces": [{"force": "cambridgeshire", "name": "Cambridgeshire Constabulary", "nation": "england",
        "cells": {"body-worn-video": "in_use", "imsi-catcher": "not_held"}}]
}))]
pub struct MatrixView {
    /// The columns, in taxonomy order.
    pub tools: Vec<String>,
    /// The rows, in force slug order.
    pub forces: Vec<MatrixRowView>,
    /// With `compare_to`: the cells that differ from that reading to this one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comparison: Option<MatrixComparisonView>,
}

impl From<Matrix> for MatrixView {
    fn from(v: Matrix) -> Self {
        Self {
            tools: v.tools,
            forces: v.forces.into_iter().map(MatrixRowView::from).collect(),
            comparison: None,
        }
    }
}

/// One force's row of the matrix.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = MatrixRow, example = json!({
    "force": "cambridgeshire",
    "name": "Cambridgeshire Constabulary",
    "nation": "england",
    "cells": {"body-worn-video": "in_use", "imsi-catcher": "not_held"}
}))]
pub struct MatrixRowView {
    pub force: String,
    pub name: String,
    pub nation: Option<Nation>,
    /// Tool slug -> status, for every column.
    pub cells: BTreeMap<String, DeploymentStatus>,
}

impl From<MatrixRow> for MatrixRowView {
    fn from(v: MatrixRow) -> Self {
        Self {
            force: v.force,
            name: v.name,
            nation: v.nation,
            cells: v.cells,
        }
    }
}
