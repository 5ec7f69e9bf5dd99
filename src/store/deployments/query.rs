//! The queries reads are built from: filters, sort and keyset position on either the current table
//! or the revisions as they stood at a moment, and the matrix's cells.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::{exists, max, not};
use diesel::prelude::*;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::{BigInt, Text};
use serde::{Deserialize, Serialize};

use super::model::Deployment;
use super::record::{record_columns, RecordSql};
use crate::db::schema::{
    assessment_deployments, deployment_cells, deployment_revisions, deployments, forces,
    impact_assessments,
};
use crate::db::{DbConnection, MultiBackend};
use crate::domain::{DeploymentStatus, Nation, Provenance, SearchTerms};
use crate::store::audit::Action;
use crate::store::search::MatchesText;
use crate::store::tools::InToolFamily;
use crate::store::{parse_column, StoreError};

/// The assessment statuses that mean an assessment exists (`has_impact_assessment`).
pub const ASSESSMENT_EXISTS: [&str; 2] = ["published", "exists_unpublished"];

diesel::alias!(pub(super) const LATER_REVISION: Alias<LaterRevision> = deployment_revisions as later_revision);
diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

/// Filters shared by lists, exports, profiles and the matrix.
#[derive(Debug, Clone, Default)]
pub struct DeploymentFilter {
    pub force: Option<String>,
    /// This tool and its sub-types.
    pub tool: Option<String>,
    /// This tool only.
    pub tool_exact: Option<String>,
    pub statuses: Vec<DeploymentStatus>,
    pub nation: Option<Nation>,
    /// A region's name exactly as the forces record it.
    pub region: Option<String>,
    pub vendor: Option<String>,
    pub provenance: Option<Provenance>,
    pub updated_gte: Option<NaiveDateTime>,
    pub updated_lte: Option<NaiveDateTime>,
    pub has_impact_assessment: Option<bool>,
    pub first_known_use: DateRange,
    pub last_confirmed: DateRange,
    pub ended_on: DateRange,
    /// Active (`true`: no end date, or one after the given day) or ended by then (`false`).
    pub active: Option<ActiveOn>,
    /// Checked by a registry editor.
    pub verified: Option<bool>,
    /// Only deployments whose summary (or force and tool) matches these words.
    pub q: Option<SearchTerms>,
    /// Read the registry as it stood at this moment.
    pub as_of: Option<NaiveDateTime>,
}

/// Dates between two bounds, both included; a deployment without the date matches no bound.
#[derive(Debug, Clone, Copy, Default)]
pub struct DateRange {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// Whether a deployment is still in use on a day: it has no end date, or one after that day.
#[derive(Debug, Clone, Copy)]
pub struct ActiveOn {
    pub active: bool,
    pub on: NaiveDate,
}

/// A column a list can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortColumn {
    #[default]
    UpdatedAt,
    FirstKnownUse,
    LastConfirmed,
    EndedOn,
    Force,
    Tool,
    Status,
}

impl SortColumn {
    pub const ALL: [SortColumn; 7] = [
        SortColumn::UpdatedAt,
        SortColumn::FirstKnownUse,
        SortColumn::LastConfirmed,
        SortColumn::EndedOn,
        SortColumn::Force,
        SortColumn::Tool,
        SortColumn::Status,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SortColumn::UpdatedAt => "updated_at",
            SortColumn::FirstKnownUse => "first_known_use",
            SortColumn::LastConfirmed => "last_confirmed",
            SortColumn::EndedOn => "ended_on",
            SortColumn::Force => "force",
            SortColumn::Tool => "tool",
            SortColumn::Status => "status",
        }
    }
}

/// The order of a list: a column, ascending or descending, then the id in the same direction.
/// Deployments without a value in a date column come last in either direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeploymentSort {
    pub column: SortColumn,
    pub descending: bool,
}

impl Default for DeploymentSort {
    /// Most recently updated first.
    fn default() -> Self {
        Self {
            column: SortColumn::UpdatedAt,
            descending: true,
        }
    }
}

impl std::str::FromStr for DeploymentSort {
    type Err = String;

    /// `column` ascending, `-column` descending.
    fn from_str(raw: &str) -> Result<Self, String> {
        let (descending, name) = match raw.strip_prefix('-') {
            Some(name) => (true, name),
            None => (false, raw),
        };
        SortColumn::ALL
            .into_iter()
            .find(|column| column.as_str() == name)
            .map(|column| Self { column, descending })
            .ok_or_else(|| {
                let names: Vec<&str> = SortColumn::ALL.iter().map(|c| c.as_str()).collect();
                format!(
                    "must be one of {}, each optionally preceded by `-` for descending",
                    names.join(", ")
                )
            })
    }
}

/// Where a page ends: the sort column's value in the last row (`at` for the update time, `on` for
/// a date, `text` for a slug or status; none for a row without a date) and its id.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeploymentKey {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<NaiveDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    pub id: String,
}

impl DeploymentKey {
    /// The key of `deployment` in the order `sort`.
    pub fn of(deployment: &Deployment, sort: DeploymentSort) -> Self {
        let state = &deployment.state;
        let mut key = Self {
            at: None,
            on: None,
            text: None,
            id: deployment.id.clone(),
        };
        match sort.column {
            SortColumn::UpdatedAt => key.at = Some(deployment.updated_at.naive_utc()),
            SortColumn::FirstKnownUse => key.on = state.first_known_use,
            SortColumn::LastConfirmed => key.on = state.last_confirmed,
            SortColumn::EndedOn => key.on = state.ended_on,
            SortColumn::Force => key.text = Some(deployment.force.clone()),
            SortColumn::Tool => key.text = Some(deployment.tool.clone()),
            SortColumn::Status => key.text = Some(state.status.as_str().to_owned()),
        }
        key
    }
}

/// Keeps the rows whose date `column` lies in `range`.
macro_rules! within {
    ($query:expr, $column:expr, $range:expr) => {{
        let range: DateRange = $range;
        let mut query = $query;
        if let Some(from) = range.from {
            query = query.filter($column.ge(from));
        }
        if let Some(to) = range.to {
            query = query.filter($column.le(to));
        }
        query
    }};
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
            query = query.filter(InToolFamily::new(
                concat!(stringify!($t), ".tool_slug"),
                tool.clone(),
            ));
        }
        if let Some(tool) = &filter.tool_exact {
            query = query.filter($t::tool_slug.eq(tool.clone()));
        }
        query = within!(query, $t::first_known_use, filter.first_known_use);
        query = within!(query, $t::last_confirmed, filter.last_confirmed);
        query = within!(query, $t::ended_on, filter.ended_on);
        if let Some(ActiveOn { active, on }) = filter.active {
            query = if active {
                query.filter($t::ended_on.is_null().or($t::ended_on.gt(on)))
            } else {
                query.filter($t::ended_on.le(on))
            };
        }
        if let Some(verified) = filter.verified {
            query = query.filter($t::verified.eq(verified));
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

/// Orders a boxed query by a column that always has a value, then the id, continuing after `key`
/// (`column <= v AND (column < v OR id < k)` descending: the leading bound lets an index seek).
macro_rules! seek_by_value {
    ($query:expr, $column:expr, $id:expr, $descending:expr, $key:expr) => {{
        let mut query = $query;
        if let Some((value, id)) = $key {
            query = if $descending {
                query.filter(
                    $column
                        .le(value.clone())
                        .and($column.lt(value).or($id.lt(id))),
                )
            } else {
                query.filter(
                    $column
                        .ge(value.clone())
                        .and($column.gt(value).or($id.gt(id))),
                )
            };
        }
        if $descending {
            query.order(($column.desc(), $id.desc()))
        } else {
            query.order(($column.asc(), $id.asc()))
        }
    }};
}

/// Orders a boxed query by a nullable date column, rows without one last in either direction,
/// then the id, continuing after `key` (`Some(date)` or `None` for a row without one, and its id).
macro_rules! seek_by_date {
    ($query:expr, $column:expr, $id:expr, $descending:expr, $key:expr) => {{
        let mut query = $query;
        if let Some((value, id)) = $key {
            let value: Option<chrono::NaiveDate> = value;
            query = match (value, $descending) {
                (Some(on), true) => query.filter(
                    $column
                        .lt(on)
                        .or($column.eq(on).and($id.lt(id)))
                        .or($column.is_null()),
                ),
                (Some(on), false) => query.filter(
                    $column
                        .gt(on)
                        .or($column.eq(on).and($id.gt(id)))
                        .or($column.is_null()),
                ),
                (None, true) => query.filter($column.is_null().and($id.lt(id))),
                (None, false) => query.filter($column.is_null().and($id.gt(id))),
            };
        }
        if $descending {
            query.order(($column.is_null().asc(), $column.desc(), $id.desc()))
        } else {
            query.order(($column.is_null().asc(), $column.asc(), $id.asc()))
        }
    }};
}

/// Applies the sort and the keyset position to a boxed query on either table.
macro_rules! apply_order {
    ($query:expr, $t:ident, $id:ident, $at:ident, $sort:expr, $after:expr) => {{
        let sort: DeploymentSort = $sort;
        let after: Option<&DeploymentKey> = $after;
        let descending = sort.descending;
        let id_after = |key: &DeploymentKey| key.id.clone();
        let text_after = after.and_then(|key| key.text.clone().map(|text| (text, id_after(key))));
        let date_after = after.map(|key| (key.on, id_after(key)));
        match sort.column {
            SortColumn::UpdatedAt => seek_by_value!(
                $query,
                $t::$at,
                $t::$id,
                descending,
                after.and_then(|key| key.at.map(|at| (at, id_after(key))))
            ),
            SortColumn::Force => {
                seek_by_value!($query, $t::force_slug, $t::$id, descending, text_after)
            }
            SortColumn::Tool => {
                seek_by_value!($query, $t::tool_slug, $t::$id, descending, text_after)
            }
            SortColumn::Status => {
                seek_by_value!($query, $t::status, $t::$id, descending, text_after)
            }
            SortColumn::FirstKnownUse => {
                seek_by_date!($query, $t::first_known_use, $t::$id, descending, date_after)
            }
            SortColumn::LastConfirmed => {
                seek_by_date!($query, $t::last_confirmed, $t::$id, descending, date_after)
            }
            SortColumn::EndedOn => {
                seek_by_date!($query, $t::ended_on, $t::$id, descending, date_after)
            }
        }
    }};
}
pub(super) use {apply_filter, apply_order, seek_by_date, seek_by_value, within};

pub(super) fn current_query(
    filter: &DeploymentFilter,
) -> deployments::BoxedQuery<'static, MultiBackend, RecordSql> {
    let query = deployments::table
        .select(record_columns!(deployments, id, updated_at))
        .into_boxed();
    apply_filter!(query, deployments, id, updated_at, filter)
}

/// `deployments.id IN (<the latest `per_tool` deployments of each of the force's tools>)`: ranked
/// by a window function (both databases have them; diesel's query builder has no nesting of a
/// ranked subquery), so a profile reads the rows it lists, not every row of the force.
#[derive(Debug, Clone, QueryId)]
pub(super) struct LatestPerTool {
    pub force: String,
    pub per_tool: i64,
}

crate::db::sql_condition!(LatestPerTool);

impl QueryFragment<MultiBackend> for LatestPerTool {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        out.push_sql(
            "deployments.id IN (SELECT ranked.id FROM (SELECT id, row_number() OVER \
             (PARTITION BY tool_slug ORDER BY created_at DESC, id DESC) AS place \
             FROM deployments WHERE force_slug = ",
        );
        out.push_bind_param::<Text, _>(&self.force)?;
        out.push_sql(") ranked WHERE ranked.place <= ");
        out.push_bind_param::<BigInt, _>(&self.per_tool)?;
        out.push_sql(")");
        Ok(())
    }
}

/// Keeps, of all revisions, the one each deployment was at by `at` (and drops the deleted ones): a
/// macro, so it applies to boxed queries of any selection and grouping.
macro_rules! standing_at {
    ($query:expr, $at:expr) => {{
        let at: NaiveDateTime = $at;
        let latest_by_then = LATER_REVISION
            .filter(
                LATER_REVISION
                    .field(deployment_revisions::deployment_id)
                    .eq(deployment_revisions::deployment_id),
            )
            .filter(
                LATER_REVISION
                    .field(deployment_revisions::recorded_at)
                    .le(at),
            )
            .select(max(LATER_REVISION.field(deployment_revisions::revision)))
            .single_value();
        $query
            .filter(deployment_revisions::recorded_at.le(at))
            .filter(deployment_revisions::revision.nullable().eq(latest_by_then))
            .filter(deployment_revisions::action.ne(Action::Delete.as_str()))
    }};
}
pub(super) use standing_at;

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
        standing_at!(query, at),
        deployment_revisions,
        deployment_id,
        recorded_at,
        filter
    )
}

/// One cell of the forces x tools grid: a status some deployment of this force and tool holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellStatus {
    pub force: String,
    pub tool: String,
    pub status: DeploymentStatus,
}

/// SQL ranking the statuses in `column` as `DeploymentStatus` orders them (0 for the first of
/// `ALL`), so that `min` over it picks a cell's most significant status in the database; `NULL`
/// for a value outside the vocabulary.
fn status_rank_sql(column: &str) -> String {
    let cases: String = DeploymentStatus::ALL
        .iter()
        .enumerate()
        .map(|(rank, status)| format!(" WHEN '{}' THEN {rank}", status.as_str()))
        .collect();
    format!("CASE {column}{cases} END")
}

/// How many current deployments each of `force`'s tools has of each status, as (tool, status,
/// count), from the cells the triggers keep.
pub fn force_cells(
    conn: &mut DbConnection,
    force: &str,
) -> Result<Vec<(String, DeploymentStatus, i64)>, StoreError> {
    deployment_cells::table
        .filter(deployment_cells::force_slug.eq(force))
        .select((
            deployment_cells::tool_slug,
            deployment_cells::status,
            deployment_cells::deployments,
        ))
        .load::<(String, String, i64)>(conn)?
        .into_iter()
        .map(|(tool, status, count)| {
            Ok((
                tool,
                parse_column("deployment_cells.status", &status)?,
                count,
            ))
        })
        .collect()
}

/// Which cells of the grid to read: the matrix's filters.
#[derive(Debug, Clone, Default)]
pub struct MatrixFilter {
    pub nation: Option<Nation>,
    /// A region's name exactly as the forces record it.
    pub region: Option<String>,
    /// This tool and its sub-types.
    pub tool: Option<String>,
    pub as_of: Option<NaiveDateTime>,
}

/// The (force, tool, status) triples of the cells `filter` picks: the matrix without the rows.
/// Current ones come from `deployment_cells`, which triggers keep in step with every write, each
/// cell's most significant status picked in the database (a row per cell: about 1,000 at demo
/// scale 10 rather than the 9,000 of its force, tool and status counts); past ones are the distinct
/// statuses each cell's revisions held then, several per cell.
pub fn cell_statuses(
    conn: &mut DbConnection,
    filter: &MatrixFilter,
) -> Result<Vec<CellStatus>, StoreError> {
    let Some(at) = filter.as_of else {
        let rank = diesel::dsl::sql::<diesel::sql_types::Integer>(&status_rank_sql(
            "deployment_cells.status",
        ));
        let mut query = deployment_cells::table
            .group_by((deployment_cells::force_slug, deployment_cells::tool_slug))
            .select((
                deployment_cells::force_slug,
                deployment_cells::tool_slug,
                diesel::dsl::min(rank),
            ))
            .into_boxed();
        if let Some(tool) = &filter.tool {
            query = query.filter(InToolFamily::new(
                "deployment_cells.tool_slug",
                tool.clone(),
            ));
        }
        if let Some(nation) = filter.nation {
            query = query.filter(
                deployment_cells::force_slug.eq_any(
                    forces::table
                        .filter(forces::nation.eq(nation.as_str()))
                        .select(forces::slug),
                ),
            );
        }
        if let Some(region) = &filter.region {
            query = query.filter(
                deployment_cells::force_slug.eq_any(
                    forces::table
                        .filter(forces::region.eq(region.clone()))
                        .select(forces::slug),
                ),
            );
        }
        return query
            .load::<(String, String, Option<i32>)>(conn)?
            .into_iter()
            .map(|(force, tool, rank)| {
                let status = rank
                    .and_then(|rank| DeploymentStatus::ALL.get(usize::try_from(rank).ok()?))
                    .copied()
                    .ok_or_else(|| StoreError::Corrupt {
                        column: "deployment_cells.status",
                        value: format!("{force} x {tool}: no known status"),
                    })?;
                Ok(CellStatus {
                    force,
                    tool,
                    status,
                })
            })
            .collect();
    };
    let deployment_filter = DeploymentFilter {
        nation: filter.nation,
        region: filter.region.clone(),
        tool: filter.tool.clone(),
        ..DeploymentFilter::default()
    };
    let query = deployment_revisions::table
        .select((
            deployment_revisions::force_slug,
            deployment_revisions::tool_slug,
            deployment_revisions::status,
        ))
        .distinct()
        .into_boxed();
    apply_filter!(
        standing_at!(query, at),
        deployment_revisions,
        deployment_id,
        recorded_at,
        &deployment_filter
    )
    .load::<(String, String, String)>(conn)?
    .into_iter()
    .map(|(force, tool, status)| {
        Ok(CellStatus {
            status: parse_column("deployment_revisions.status", &status)?,
            force,
            tool,
        })
    })
    .collect()
}
