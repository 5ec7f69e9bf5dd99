//! The matrix export: one row per force and tool.

use serde::Serialize;

use super::{opt, ExportRow};
use crate::domain::{DeploymentStatus, Nation};

/// One row of the matrix export: a force's status for one tool.
#[derive(Debug, Serialize)]
pub struct MatrixCell {
    pub force: String,
    pub nation: Option<Nation>,
    pub tool: String,
    pub status: DeploymentStatus,
}

impl ExportRow for MatrixCell {
    const HEADER: &'static [&'static str] = &["force", "nation", "tool", "status"];

    fn record(&self) -> Vec<String> {
        vec![
            self.force.clone(),
            opt(&self.nation),
            self.tool.clone(),
            self.status.to_string(),
        ]
    }
}
