//! Deployments with the evidence behind them (their sources and the impact assessments covering
//! them), for lists and exports that embed it (`include=evidence`): two queries per page, whatever
//! its length, so "every user of a tool with its evidence" is one call and no N+1.

use std::collections::HashMap;

use super::deployments::Deployment;
use super::impact_assessments::{self, ImpactAssessment};
use super::sources::{self, Source};
use super::{Page, StoreError};
use crate::db::DbConnection;

/// A deployment and what backs it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct EvidencedDeployment {
    #[serde(flatten)]
    pub deployment: Deployment,
    /// Its sources, in the order the deployment cites them.
    pub evidence: Vec<Source>,
    /// The impact assessments that cover it.
    pub impact_assessments: Vec<ImpactAssessment>,
}

/// Adds to each deployment of `page` its sources and covering assessments.
pub fn with_evidence<K>(
    conn: &mut DbConnection,
    page: Page<Deployment, K>,
) -> Result<Page<EvidencedDeployment, K>, StoreError> {
    let mut source_ids: Vec<String> = page
        .items
        .iter()
        .flat_map(|d| d.state.source_ids.iter().cloned())
        .collect();
    source_ids.sort();
    source_ids.dedup();
    let sources: HashMap<String, Source> = sources::many(conn, &source_ids)?
        .into_iter()
        .map(|source| (source.id.clone(), source))
        .collect();
    let ids: Vec<String> = page.items.iter().map(|d| d.id.clone()).collect();
    let assessments = impact_assessments::covering(conn, &ids)?;
    let items = page
        .items
        .into_iter()
        .map(|deployment| EvidencedDeployment {
            evidence: deployment
                .state
                .source_ids
                .iter()
                .filter_map(|id| sources.get(id).cloned())
                .collect(),
            impact_assessments: assessments
                .iter()
                .filter(|a| a.deployment_ids.contains(&deployment.id))
                .cloned()
                .collect(),
            deployment,
        })
        .collect();
    Ok(Page {
        items,
        next_after: page.next_after,
        total: page.total,
    })
}
