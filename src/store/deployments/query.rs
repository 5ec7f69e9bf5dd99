//! The queries reads are built from: filters, sort and keyset position on either the current table
//! or the revisions as they stood at a moment, and the matrix's cells.

use chrono::NaiveDateTime;
use diesel::dsl::{exists, max, not};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::record::{record_columns, RecordSql};
use crate::db::schema::{
    assessment_deployments, deployment_revisions, deployments, forces, impact_assessments,
};
use crate::db::{DbConnection, MultiBackend};
use crate::domain::{DeploymentStatus, Nation, Provenance, SearchTerms};
use crate::store::audit::Action;
use crate::store::search::MatchesText;
use crate::store::StoreError;

/// The assessment statuses that mean an assessment exists (`has_impact_assessment`).
pub const ASSESSMENT_EXISTS: [&str; 2] = ["published", "exists_unpublished"];

diesel::alias!(deployment_revisions as later_revision: LaterRevision);
diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

/// Filters shared by lists, exports, profiles and the matrix.
#[derive(Debug, Clone, Default)]
pub struct DeploymentFilter {
    pub force: Option<String>,
    pub tool: Option<String>,
    pub statuses: Vec<DeploymentStatus>,
    pub nation: Option<Nation>,
    /// A region's name exactly as the forces record it.
    pub region: Option<String>,
    pub vendor: Option<String>,
    pub provenance: Option<Provenance>,
    pub updated_gte: Option<NaiveDateTime>,
    pub updated_lte: Option<NaiveDateTime>,
    pub has_impact_assessment: Option<bool>,
    /// Only deployments whose summary (or force and tool) matches these words.
    pub q: Option<SearchTerms>,
    /// Read the registry as it stood at this moment.
    pub as_of: Option<NaiveDateTime>,
}

/// Orders a list can be sorted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DeploymentSort {
    #[default]
    UpdatedDesc,
    UpdatedAsc,
    Force,
}

/// Where a page ends: the sort value and the id.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeploymentKey {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<NaiveDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force: Option<String>,
    pub id: String,
}

/// Applies a [`DeploymentFilter`] (all but `as_of`) to a boxed query on either table.
macro_rules! apply_filter {
    ($query:expr, $t:ident, $id:ident, $at:ident, $filter:expr) => {{
        let filter: &DeploymentFilter = $filter;
        let mut query = $query;
        if let Some(force) = &filter.force {
            query = query.filter($t::force_slug.eq(force.clone()));
        }
        if let Some(tool) = &filter.tool {
            query = query.filter($t::tool_slug.eq(tool.clone()));
        }
        if !filter.statuses.is_empty() {
            let statuses: Vec<&'static str> = filter.statuses.iter().map(|s| s.as_str()).collect();
            query = query.filter($t::status.eq_any(statuses));
        }
        if let Some(nation) = filter.nation {
            query = query.filter(
                $t::force_slug.eq_any(
                    forces::table
                        .filter(forces::nation.eq(nation.as_str()))
                        .select(forces::slug),
                ),
            );
        }
        if let Some(region) = &filter.region {
            query = query.filter(
                $t::force_slug.eq_any(
                    forces::table
                        .filter(forces::region.eq(region.clone()))
                        .select(forces::slug),
                ),
            );
        }
        if let Some(vendor) = &filter.vendor {
            let pattern = format!(
                "%{}%",
                vendor.to_lowercase().replace('%', "").replace('_', "")
            );
            query = query.filter(lower($t::vendors).like(pattern));
        }
        if let Some(provenance) = filter.provenance {
            query = query.filter($t::provenance.eq(provenance.as_str()));
        }
        if let Some(from) = filter.updated_gte {
            query = query.filter($t::$at.ge(from));
        }
        if let Some(to) = filter.updated_lte {
            query = query.filter($t::$at.le(to));
        }
        if let Some(terms) = &filter.q {
            query = query.filter(MatchesText::deployments(
                concat!(stringify!($t), ".", stringify!($id)),
                terms,
            ));
        }
        if let Some(wanted) = filter.has_impact_assessment {
            // Covered by an assessment that exists: a link to one that was never done, is not
            // held, is withheld, is still in progress or is neither confirmed nor denied does not count.
            // Two nested EXISTS, not a join: SQLite would otherwise walk every existing
            // assessment for each deployment (minutes at demo scale 10) instead of the
            // deployment's few links.
            let assessed = exists(
                assessment_deployments::table
                    .filter(assessment_deployments::deployment_id.eq($t::$id))
                    .filter(exists(
                        impact_assessments::table
                            .filter(
                                impact_assessments::id
                                    .eq(assessment_deployments::impact_assessment_id),
                            )
                            .filter(impact_assessments::status.eq_any(ASSESSMENT_EXISTS)),
                    )),
            );
            query = if wanted {
                query.filter(assessed)
            } else {
                query.filter(not(assessed))
            };
        }
        query
    }};
}

/// Applies the sort and the keyset position to a boxed query on either table.
macro_rules! apply_order {
    ($query:expr, $t:ident, $id:ident, $at:ident, $sort:expr, $after:expr) => {{
        let mut query = $query;
        let after: Option<&DeploymentKey> = $after;
        match $sort {
            DeploymentSort::UpdatedDesc => {
                if let Some(DeploymentKey {
                    at: Some(at), id, ..
                }) = after
                {
                    // `at <= x AND (at < x OR id < y)`: the leading bound lets the index seek.
                    query = query.filter(
                        $t::$at
                            .le(*at)
                            .and($t::$at.lt(*at).or($t::$id.lt(id.clone()))),
                    );
                }
                query.order(($t::$at.desc(), $t::$id.desc()))
            }
            DeploymentSort::UpdatedAsc => {
                if let Some(DeploymentKey {
                    at: Some(at), id, ..
                }) = after
                {
                    query = query.filter(
                        $t::$at
                            .ge(*at)
                            .and($t::$at.gt(*at).or($t::$id.gt(id.clone()))),
                    );
                }
                query.order(($t::$at.asc(), $t::$id.asc()))
            }
            DeploymentSort::Force => {
                if let Some(DeploymentKey {
                    force: Some(force),
                    id,
                    ..
                }) = after
                {
                    query = query.filter(
                        $t::force_slug
                            .ge(force.clone())
                            .and($t::force_slug.gt(force.clone()).or($t::$id.gt(id.clone()))),
                    );
                }
                query.order(($t::force_slug.asc(), $t::$id.asc()))
            }
        }
    }};
}
pub(super) use apply_order;

pub(super) fn current_query(
    filter: &DeploymentFilter,
) -> deployments::BoxedQuery<'static, MultiBackend, RecordSql> {
    let query = deployments::table
        .select(record_columns!(deployments, id, updated_at))
        .into_boxed();
    apply_filter!(query, deployments, id, updated_at, filter)
}

/// Keeps, of all revisions, the one each deployment was at by `at` (and drops the deleted ones).
fn standing_at<ST>(
    query: deployment_revisions::BoxedQuery<'static, MultiBackend, ST>,
    at: NaiveDateTime,
) -> deployment_revisions::BoxedQuery<'static, MultiBackend, ST> {
    let latest_by_then = later_revision
        .filter(
            later_revision
                .field(deployment_revisions::deployment_id)
                .eq(deployment_revisions::deployment_id),
        )
        .filter(
            later_revision
                .field(deployment_revisions::recorded_at)
                .le(at),
        )
        .select(max(later_revision.field(deployment_revisions::revision)))
        .single_value();
    query
        .filter(deployment_revisions::recorded_at.le(at))
        .filter(deployment_revisions::revision.nullable().eq(latest_by_then))
        .filter(deployment_revisions::action.ne(Action::Delete.as_str()))
}

pub(super) fn past_query(
    filter: &DeploymentFilter,
    at: NaiveDateTime,
) -> deployment_revisions::BoxedQuery<'static, MultiBackend, RecordSql> {
    let query = deployment_revisions::table
        .select(record_columns!(
            deployment_revisions,
            deployment_id,
            recorded_at
        ))
        .into_boxed();
    apply_filter!(
        standing_at(query, at),
        deployment_revisions,
        deployment_id,
        recorded_at,
        filter
    )
}

/// One cell of the forces x tools grid: a status some deployment of this force and tool holds.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct CellStatus {
    pub force: String,
    pub tool: String,
    pub status: String,
}

/// The distinct (force, tool, status) triples matching `filter`: the matrix without the rows.
pub fn cell_statuses(
    conn: &mut DbConnection,
    filter: &DeploymentFilter,
) -> Result<Vec<CellStatus>, StoreError> {
    Ok(match filter.as_of {
        None => {
            let query = deployments::table
                .select((
                    deployments::force_slug,
                    deployments::tool_slug,
                    deployments::status,
                ))
                .distinct()
                .into_boxed();
            apply_filter!(query, deployments, id, updated_at, filter).load(conn)?
        }
        Some(at) => {
            let query = deployment_revisions::table
                .select((
                    deployment_revisions::force_slug,
                    deployment_revisions::tool_slug,
                    deployment_revisions::status,
                ))
                .distinct()
                .into_boxed();
            apply_filter!(
                standing_at(query, at),
                deployment_revisions,
                deployment_id,
                recorded_at,
                filter
            )
            .load(conn)?
        }
    })
}
