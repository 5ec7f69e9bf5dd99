//! Deployments: one claim about one force's use of one tool, with its immutable history.
//!
//! The `deployments` table holds the current state; `deployment_revisions` holds every state ever
//! written (a delete included), so "what did the registry say at time T" is a query, not a replay.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::dsl::{exists, max, not};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::audit::{self, Action, Change, Stamp};
use super::restore::{plan, Plan, Restorable, Restored};
use super::search::MatchesText;
use super::{new_id, parse_column, parse_json_list, utc, Page, PageRequest, StoreError};
use crate::db::schema::{
    assessment_deployments, deployment_revisions, deployment_sources, deployments, forces,
    impact_assessments, sources as sources_table, tools,
};

/// The assessment statuses that mean an assessment exists (`has_impact_assessment`).
pub const ASSESSMENT_EXISTS: [&str; 2] = ["published", "exists_unpublished"];
use crate::db::{DbConnection, MultiBackend};
use crate::domain::{DeploymentStatus, Nation, Provenance, SearchTerms};

diesel::alias!(deployment_revisions as later_revision: LaterRevision);
diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

/// The example of [`Deployment`]: its state's example, with where and when it stands.
fn deployment_example() -> serde_json::Value {
    super::revisions::example_with::<DeploymentState>(serde_json::json!({
        "id": "0193c4a2-7d1e-7b3a-9f00-6a1d2c3b4e5f",
        "force": "cambridgeshire",
        "tool": "body-worn-video",
        "revision": 1,
        "created_at": "2026-11-26T23:00:00Z",
        "updated_at": "2026-11-26T23:00:00Z"
    }))
}

/// What the registry says about one force's use of one tool.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(example = deployment_example)]
pub struct Deployment {
    pub id: String,
    /// Force slug.
    pub force: String,
    /// Tool slug.
    pub tool: String,
    #[serde(flatten)]
    pub state: DeploymentState,
    /// Increases by one with every write; the basis of the write precondition (`If-Match`).
    pub revision: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The content of a deployment, as written and as kept in every revision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "status": "in_use",
    "vendors": [],
    "product": null,
    "first_known_use": null,
    "last_confirmed": "2019-07-04",
    "ended_on": null,
    "summary": "Confirmed by the Cambridgeshire OPCC in its FOI reply of 4 July 2019.",
    "legal_basis": null,
    "authorisation": null,
    "public_consultation": null,
    "use_policy_url": null,
    "provenance": "foi",
    "verified": true,
    "source_ids": ["0193c4a2-7d1e-7b3a-9f00-6a1d2c3b4e60"]
}))]
pub struct DeploymentState {
    pub status: DeploymentStatus,
    pub vendors: Vec<String>,
    pub product: Option<String>,
    pub first_known_use: Option<NaiveDate>,
    pub last_confirmed: Option<NaiveDate>,
    pub ended_on: Option<NaiveDate>,
    pub summary: String,
    pub legal_basis: Option<String>,
    pub authorisation: Option<String>,
    pub public_consultation: Option<String>,
    pub use_policy_url: Option<String>,
    pub provenance: Provenance,
    /// Checked by a registry editor.
    pub verified: bool,
    /// The sources that back this claim.
    pub source_ids: Vec<String>,
}

/// A new deployment: which force and tool, and its content.
#[derive(Debug, Clone)]
pub struct NewDeployment {
    pub force: String,
    pub tool: String,
    pub state: DeploymentState,
}

/// The example of [`DeploymentRevision`]: the deployment's own, as its first revision records it.
fn revision_example() -> serde_json::Value {
    super::revisions::example_with::<Deployment>(serde_json::json!({
        "id": null,
        "created_at": null,
        "updated_at": null,
        "action": "create",
        "actor_role": "editor",
        "actor_organisation": "Surveillance Disclosure Registry",
        "recorded_at": "2026-11-26T23:00:00Z"
    }))
}

/// One entry of a deployment's history.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = revision_example)]
pub struct DeploymentRevision {
    pub revision: i64,
    /// `create`, `update` or `delete`.
    pub action: String,
    pub force: String,
    pub tool: String,
    #[serde(flatten)]
    pub state: DeploymentState,
    /// The writer's role (`admin`, `editor`, `force_staff`, or `system` for the registry itself).
    pub actor_role: String,
    pub actor_organisation: String,
    pub recorded_at: DateTime<Utc>,
}

/// Filters shared by lists, exports, profiles and the matrix.
#[derive(Debug, Clone, Default)]
pub struct DeploymentFilter {
    pub force: Option<String>,
    pub tool: Option<String>,
    pub statuses: Vec<DeploymentStatus>,
    pub nation: Option<Nation>,
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

/// The columns of a deployment in the order `Record` reads them; the same for the current table
/// and the revisions table, whose id and timestamp columns are named differently.
macro_rules! record_columns {
    ($t:ident, $id:ident, $at:ident) => {
        (
            $t::$id,
            $t::force_slug,
            $t::tool_slug,
            $t::status,
            $t::vendors,
            $t::product,
            $t::first_known_use,
            $t::last_confirmed,
            $t::ended_on,
            $t::summary,
            $t::legal_basis,
            $t::authorisation,
            $t::public_consultation,
            $t::use_policy_url,
            $t::provenance,
            $t::verified,
            $t::revision,
            $t::$at,
        )
    };
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
            let assessed = exists(
                assessment_deployments::table
                    .inner_join(impact_assessments::table)
                    .filter(assessment_deployments::deployment_id.eq($t::$id))
                    .filter(impact_assessments::status.eq_any(ASSESSMENT_EXISTS)),
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

/// A deployment as read from either table, before its source links are attached.
#[derive(Queryable)]
struct Record {
    id: String,
    force_slug: String,
    tool_slug: String,
    status: String,
    vendors: String,
    product: Option<String>,
    first_known_use: Option<NaiveDate>,
    last_confirmed: Option<NaiveDate>,
    ended_on: Option<NaiveDate>,
    summary: String,
    legal_basis: Option<String>,
    authorisation: Option<String>,
    public_consultation: Option<String>,
    use_policy_url: Option<String>,
    provenance: String,
    verified: bool,
    revision: i64,
    at: NaiveDateTime,
}

type RecordSql = (
    diesel::sql_types::Text,
    diesel::sql_types::Text,
    diesel::sql_types::Text,
    diesel::sql_types::Text,
    diesel::sql_types::Text,
    diesel::sql_types::Nullable<diesel::sql_types::Text>,
    diesel::sql_types::Nullable<diesel::sql_types::Date>,
    diesel::sql_types::Nullable<diesel::sql_types::Date>,
    diesel::sql_types::Nullable<diesel::sql_types::Date>,
    diesel::sql_types::Text,
    diesel::sql_types::Nullable<diesel::sql_types::Text>,
    diesel::sql_types::Nullable<diesel::sql_types::Text>,
    diesel::sql_types::Nullable<diesel::sql_types::Text>,
    diesel::sql_types::Nullable<diesel::sql_types::Text>,
    diesel::sql_types::Text,
    diesel::sql_types::Bool,
    diesel::sql_types::BigInt,
    diesel::sql_types::Timestamp,
);

impl Record {
    fn state(&self, source_ids: Vec<String>) -> Result<DeploymentState, StoreError> {
        Ok(DeploymentState {
            status: parse_column("deployments.status", &self.status)?,
            vendors: parse_json_list("deployments.vendors", &self.vendors)?,
            product: self.product.clone(),
            first_known_use: self.first_known_use,
            last_confirmed: self.last_confirmed,
            ended_on: self.ended_on,
            summary: self.summary.clone(),
            legal_basis: self.legal_basis.clone(),
            authorisation: self.authorisation.clone(),
            public_consultation: self.public_consultation.clone(),
            use_policy_url: self.use_policy_url.clone(),
            provenance: parse_column("deployments.provenance", &self.provenance)?,
            verified: self.verified,
            source_ids,
        })
    }
}

/// Builds views for records: source links come from the link table for current rows and from the
/// revision itself for past ones; creation times from each deployment's first revision.
fn into_views(
    conn: &mut DbConnection,
    records: Vec<Record>,
    as_of: bool,
) -> Result<Vec<Deployment>, StoreError> {
    let ids: Vec<&str> = records.iter().map(|r| r.id.as_str()).collect();
    let mut created: HashMap<String, NaiveDateTime> = deployment_revisions::table
        .filter(deployment_revisions::deployment_id.eq_any(&ids))
        .filter(deployment_revisions::revision.eq(1))
        .select((
            deployment_revisions::deployment_id,
            deployment_revisions::recorded_at,
        ))
        .load(conn)?
        .into_iter()
        .collect();
    let mut links: HashMap<String, Vec<String>> = HashMap::new();
    if as_of {
        let pairs: Vec<(String, i64, String)> = deployment_revisions::table
            .filter(deployment_revisions::deployment_id.eq_any(&ids))
            .select((
                deployment_revisions::deployment_id,
                deployment_revisions::revision,
                deployment_revisions::source_ids,
            ))
            .load(conn)?;
        let wanted: HashMap<&str, i64> = records
            .iter()
            .map(|r| (r.id.as_str(), r.revision))
            .collect();
        for (id, revision, source_ids) in pairs {
            if wanted.get(id.as_str()) == Some(&revision) {
                links.insert(
                    id,
                    parse_json_list("deployment_revisions.source_ids", &source_ids)?,
                );
            }
        }
    } else {
        for (id, source) in deployment_sources::table
            .filter(deployment_sources::deployment_id.eq_any(&ids))
            .select((
                deployment_sources::deployment_id,
                deployment_sources::source_id,
            ))
            .order((
                deployment_sources::deployment_id,
                deployment_sources::source_id,
            ))
            .load::<(String, String)>(conn)?
        {
            links.entry(id).or_default().push(source);
        }
    }
    records
        .into_iter()
        .map(|record| {
            let state = record.state(links.remove(&record.id).unwrap_or_default())?;
            Ok(Deployment {
                created_at: utc(created.remove(&record.id).unwrap_or(record.at)),
                updated_at: utc(record.at),
                revision: record.revision,
                state,
                id: record.id,
                force: record.force_slug,
                tool: record.tool_slug,
            })
        })
        .collect()
}

fn current_query(
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

fn past_query(
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

/// A page of deployments matching `filter`, current or as of `filter.as_of`.
pub fn list(
    conn: &mut DbConnection,
    filter: &DeploymentFilter,
    sort: DeploymentSort,
    page: &PageRequest<DeploymentKey>,
) -> Result<Page<Deployment, DeploymentKey>, StoreError> {
    let limit = page.limit as i64 + 1;
    let after = page.after.as_ref();
    let records: Vec<Record> = match filter.as_of {
        None => apply_order!(
            current_query(filter),
            deployments,
            id,
            updated_at,
            sort,
            after
        )
        .limit(limit)
        .load(conn)?,
        Some(at) => apply_order!(
            past_query(filter, at),
            deployment_revisions,
            deployment_id,
            recorded_at,
            sort,
            after
        )
        .limit(limit)
        .load(conn)?,
    };
    let total = if page.count {
        Some(match filter.as_of {
            None => current_query(filter).count().get_result(conn)?,
            Some(at) => past_query(filter, at).count().get_result(conn)?,
        })
    } else {
        None
    };
    let page_records = Page::from_overfetch(records, page.limit, |_| ());
    let more = page_records.next_after.is_some();
    let items = into_views(conn, page_records.items, filter.as_of.is_some())?;
    let next_after = if more {
        items.last().map(|last| DeploymentKey {
            at: (sort != DeploymentSort::Force).then(|| last.updated_at.naive_utc()),
            force: (sort == DeploymentSort::Force).then(|| last.force.clone()),
            id: last.id.clone(),
        })
    } else {
        None
    };
    Ok(Page {
        items,
        next_after,
        total,
    })
}

/// Every deployment matching `filter` (for profiles and the matrix, which are bounded by the
/// number of forces and tools).
pub fn all(
    conn: &mut DbConnection,
    filter: &DeploymentFilter,
) -> Result<Vec<Deployment>, StoreError> {
    let records: Vec<Record> = match filter.as_of {
        None => current_query(filter).order(deployments::id).load(conn)?,
        Some(at) => past_query(filter, at)
            .order(deployment_revisions::deployment_id)
            .load(conn)?,
    };
    into_views(conn, records, filter.as_of.is_some())
}

/// One deployment, current or as of a moment.
pub fn get(
    conn: &mut DbConnection,
    id: &str,
    as_of: Option<NaiveDateTime>,
) -> Result<Deployment, StoreError> {
    let records: Vec<Record> = match as_of {
        None => current_query(&DeploymentFilter::default())
            .filter(deployments::id.eq(id.to_owned()))
            .load(conn)?,
        Some(at) => past_query(&DeploymentFilter::default(), at)
            .filter(deployment_revisions::deployment_id.eq(id.to_owned()))
            .load(conn)?,
    };
    into_views(conn, records, as_of.is_some())?
        .pop()
        .ok_or_else(|| StoreError::NotFound {
            entity: "deployment",
            key: id.to_owned(),
        })
}

/// The id of the force's deployment of `tool`, the most recently written if it has several.
pub fn latest_id(
    conn: &mut DbConnection,
    force: &str,
    tool: &str,
) -> Result<Option<String>, StoreError> {
    Ok(deployments::table
        .filter(deployments::force_slug.eq(force))
        .filter(deployments::tool_slug.eq(tool))
        .order((deployments::updated_at.desc(), deployments::id.desc()))
        .select(deployments::id)
        .first(conn)
        .optional()?)
}

/// Every revision of a deployment, oldest first (it survives the deployment's deletion).
pub fn revisions(conn: &mut DbConnection, id: &str) -> Result<Vec<DeploymentRevision>, StoreError> {
    #[derive(Queryable)]
    struct RevisionMeta {
        record: Record,
        action: String,
        source_ids: String,
        actor_role: String,
        actor_organisation: String,
    }
    let rows: Vec<RevisionMeta> = deployment_revisions::table
        .filter(deployment_revisions::deployment_id.eq(id))
        .order(deployment_revisions::revision.asc())
        .select((
            record_columns!(deployment_revisions, deployment_id, recorded_at),
            deployment_revisions::action,
            deployment_revisions::source_ids,
            deployment_revisions::actor_role,
            deployment_revisions::actor_organisation,
        ))
        .load(conn)?;
    if rows.is_empty() {
        return Err(StoreError::NotFound {
            entity: "deployment",
            key: id.to_owned(),
        });
    }
    rows.into_iter()
        .map(|row| {
            let state = row.record.state(parse_json_list(
                "deployment_revisions.source_ids",
                &row.source_ids,
            )?)?;
            Ok(DeploymentRevision {
                revision: row.record.revision,
                action: row.action,
                force: row.record.force_slug,
                tool: row.record.tool_slug,
                state,
                actor_role: row.actor_role,
                actor_organisation: row.actor_organisation,
                recorded_at: utc(row.record.at),
            })
        })
        .collect()
}

fn check_references(
    conn: &mut DbConnection,
    force: &str,
    tool: &str,
    state: &DeploymentState,
) -> Result<(), StoreError> {
    if !super::forces::exists(conn, force)? {
        return Err(StoreError::Invalid {
            field: "force",
            message: format!("no force has the slug `{force}`"),
        });
    }
    let tool_exists: bool = diesel::select(exists(tools::table.find(tool))).get_result(conn)?;
    if !tool_exists {
        return Err(StoreError::Invalid {
            field: "tool",
            message: format!("no tool has the slug `{tool}`"),
        });
    }
    let found: i64 = sources_table::table
        .filter(sources_table::id.eq_any(&state.source_ids))
        .count()
        .get_result(conn)?;
    if found != state.source_ids.len() as i64 {
        return Err(StoreError::Invalid {
            field: "source_ids",
            message: "names a source that does not exist".into(),
        });
    }
    Ok(())
}

/// Which deployment a write is about.
struct Target<'a> {
    id: &'a str,
    force: &'a str,
    tool: &'a str,
}

/// Writes the row, its source links and its revision; shared by create, update and delete.
fn write_state(
    conn: &mut DbConnection,
    stamp: &Stamp,
    target: &Target<'_>,
    state: &DeploymentState,
    revision: i64,
    action: Action,
) -> Result<(), StoreError> {
    write_state_created(conn, stamp, target, state, revision, action, stamp.at)
}

/// [`write_state`], with the creation time of a restored record.
fn write_state_created(
    conn: &mut DbConnection,
    stamp: &Stamp,
    target: &Target<'_>,
    state: &DeploymentState,
    revision: i64,
    action: Action,
    created_at: NaiveDateTime,
) -> Result<(), StoreError> {
    let Target { id, force, tool } = *target;
    let (actor, at) = (&stamp.actor, stamp.at);
    let vendors = serde_json::to_string(&state.vendors).expect("strings serialise");
    let source_ids = serde_json::to_string(&state.source_ids).expect("strings serialise");
    macro_rules! content {
        ($t:ident) => {
            (
                $t::force_slug.eq(force),
                $t::tool_slug.eq(tool),
                $t::status.eq(state.status.as_str()),
                $t::vendors.eq(&vendors),
                $t::product.eq(&state.product),
                $t::first_known_use.eq(state.first_known_use),
                $t::last_confirmed.eq(state.last_confirmed),
                $t::ended_on.eq(state.ended_on),
                $t::summary.eq(&state.summary),
                $t::legal_basis.eq(&state.legal_basis),
                $t::authorisation.eq(&state.authorisation),
                $t::public_consultation.eq(&state.public_consultation),
                $t::use_policy_url.eq(&state.use_policy_url),
                $t::provenance.eq(state.provenance.as_str()),
                $t::verified.eq(state.verified),
                $t::revision.eq(revision),
            )
        };
    }
    match action {
        Action::Create => {
            diesel::insert_into(deployments::table)
                .values((
                    deployments::id.eq(id),
                    content!(deployments),
                    deployments::created_at.eq(created_at),
                    deployments::updated_at.eq(at),
                ))
                .execute(conn)?;
        }
        Action::Update => {
            diesel::update(deployments::table.find(id))
                .set((content!(deployments), deployments::updated_at.eq(at)))
                .execute(conn)?;
        }
        Action::Delete => {
            diesel::delete(deployments::table.find(id)).execute(conn)?;
        }
    }
    if action != Action::Delete {
        diesel::delete(deployment_sources::table.filter(deployment_sources::deployment_id.eq(id)))
            .execute(conn)?;
        for source in &state.source_ids {
            diesel::insert_into(deployment_sources::table)
                .values((
                    deployment_sources::deployment_id.eq(id),
                    deployment_sources::source_id.eq(source),
                ))
                .execute(conn)?;
        }
    }
    diesel::insert_into(deployment_revisions::table)
        .values((
            deployment_revisions::deployment_id.eq(id),
            deployment_revisions::action.eq(action.as_str()),
            content!(deployment_revisions),
            deployment_revisions::source_ids.eq(&source_ids),
            deployment_revisions::actor_role.eq(actor.role_name()),
            deployment_revisions::actor_organisation.eq(&actor.organisation),
            deployment_revisions::recorded_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

fn summary_line(force: &str, tool: &str, state: &DeploymentState) -> String {
    format!("{force} · {tool}: {}", state.status)
}

/// Records a new deployment with its first revision and change event. Call inside a write
/// transaction.
pub fn create(
    conn: &mut DbConnection,
    stamp: &Stamp,
    new: &NewDeployment,
) -> Result<Deployment, StoreError> {
    check_references(conn, &new.force, &new.tool, &new.state)?;
    let id = new_id();
    let target = Target {
        id: &id,
        force: &new.force,
        tool: &new.tool,
    };
    write_state(conn, stamp, &target, &new.state, 1, Action::Create)?;
    audit::record(
        conn,
        stamp,
        Change {
            entity_type: "deployment",
            entity_id: &id,
            action: Action::Create,
            revision: 1,
            force_slug: Some(&new.force),
            changed_fields: &[],
            summary: summary_line(&new.force, &new.tool, &new.state),
        },
    )?;
    get(conn, &id, None)
}

/// Replaces a deployment's content if it is still at the revision `expected` names. Call inside a write
/// transaction.
pub fn update(
    conn: &mut DbConnection,
    stamp: &Stamp,
    id: &str,
    expected: super::Precondition,
    state: &DeploymentState,
) -> Result<Deployment, StoreError> {
    let current = get(conn, id, None)?;
    super::expect_revision("deployment", id, current.revision, expected)?;
    check_references(conn, &current.force, &current.tool, state)?;
    let changed = changed_fields(&current.state, state);
    let revision = current.revision + 1;
    let target = Target {
        id,
        force: &current.force,
        tool: &current.tool,
    };
    write_state(conn, stamp, &target, state, revision, Action::Update)?;
    audit::record(
        conn,
        stamp,
        Change {
            entity_type: "deployment",
            entity_id: id,
            action: Action::Update,
            revision,
            force_slug: Some(&current.force),
            changed_fields: &changed,
            summary: summary_line(&current.force, &current.tool, state),
        },
    )?;
    get(conn, id, None)
}

/// Deletes a deployment if it is still at the revision `expected` names; its history stays readable.
pub fn delete(
    conn: &mut DbConnection,
    stamp: &Stamp,
    id: &str,
    expected: super::Precondition,
) -> Result<(), StoreError> {
    let current = get(conn, id, None)?;
    super::expect_revision("deployment", id, current.revision, expected)?;
    let revision = current.revision + 1;
    let target = Target {
        id,
        force: &current.force,
        tool: &current.tool,
    };
    write_state(
        conn,
        stamp,
        &target,
        &current.state,
        revision,
        Action::Delete,
    )?;
    audit::record(
        conn,
        stamp,
        Change {
            entity_type: "deployment",
            entity_id: id,
            action: Action::Delete,
            revision,
            force_slug: Some(&current.force),
            changed_fields: &[],
            summary: format!("{} · {}: deleted", current.force, current.tool),
        },
    )
}

/// Writes a deployment as exported (same id, revision and times), for imports: nothing when its
/// content is unchanged, a normal update when it differs (a different force or tool is refused). References are
/// the caller's to check. Call inside a write transaction.
pub fn restore(
    conn: &mut DbConnection,
    actor: &super::audit::Actor,
    record: &Deployment,
) -> Result<Restored, StoreError> {
    match plan(get(conn, &record.id, None), record)? {
        Plan::Unchanged => Ok(Restored::Unchanged),
        Plan::Update(current) if current.force != record.force || current.tool != record.tool => {
            Err(StoreError::Invalid {
                field: "id",
                message: format!(
                    "deployment `{}` is about {} and {} in this registry",
                    record.id, current.force, current.tool
                ),
            })
        }
        Plan::Update(current) => {
            update(
                conn,
                &Stamp::now(actor.clone()),
                &record.id,
                super::Precondition::Revision(current.revision),
                &record.state,
            )?;
            Ok(Restored::Updated)
        }
        Plan::Create => {
            let stamp = Stamp {
                actor: actor.clone(),
                at: record.updated_at.naive_utc(),
            };
            let target = Target {
                id: &record.id,
                force: &record.force,
                tool: &record.tool,
            };
            write_state_created(
                conn,
                &stamp,
                &target,
                &record.state,
                record.revision,
                Action::Create,
                record.created_at.naive_utc(),
            )?;
            audit::record(
                conn,
                &stamp,
                Change {
                    entity_type: "deployment",
                    entity_id: &record.id,
                    action: Action::Create,
                    revision: record.revision,
                    force_slug: Some(&record.force),
                    changed_fields: &[],
                    summary: summary_line(&record.force, &record.tool, &record.state),
                },
            )?;
            Ok(Restored::Created)
        }
    }
}

/// A deployment's content is its claim: which force, which tool, and the state claimed.
impl Restorable for Deployment {
    type Content = (String, String, DeploymentState);

    fn content(&self) -> Self::Content {
        (self.force.clone(), self.tool.clone(), self.state.clone())
    }
}

/// Writes many deployments the registry does not hold yet, as exported (ids, revisions and times
/// kept), with their revisions, source links and change events: a few multi-row statements per
/// thousand records instead of several statements each. References are the caller's to check.
/// Call inside a write transaction.
pub fn insert_new(
    conn: &mut DbConnection,
    actor: &super::audit::Actor,
    records: &[&Deployment],
) -> Result<(), StoreError> {
    use crate::db::bulk::{insert_rows, StoredTime, Value};
    let to_json = |value: &[String]| serde_json::to_string(value).expect("strings serialise");
    let vendors: Vec<String> = records.iter().map(|d| to_json(&d.state.vendors)).collect();
    let source_ids: Vec<String> = records
        .iter()
        .map(|d| to_json(&d.state.source_ids))
        .collect();
    fn content<'a>(d: &'a Deployment, vendors: &'a str) -> [Value<'a>; 16] {
        let s = &d.state;
        [
            Value::Text(&d.force),
            Value::Text(&d.tool),
            Value::Text(s.status.as_str()),
            Value::Text(vendors),
            Value::OptText(s.product.as_deref()),
            Value::OptDate(s.first_known_use),
            Value::OptDate(s.last_confirmed),
            Value::OptDate(s.ended_on),
            Value::Text(&s.summary),
            Value::OptText(s.legal_basis.as_deref()),
            Value::OptText(s.authorisation.as_deref()),
            Value::OptText(s.public_consultation.as_deref()),
            Value::OptText(s.use_policy_url.as_deref()),
            Value::Text(s.provenance.as_str()),
            Value::Bool(s.verified),
            Value::Int(d.revision),
        ]
    }
    const CONTENT: [&str; 16] = [
        "force_slug",
        "tool_slug",
        "status",
        "vendors",
        "product",
        "first_known_use",
        "last_confirmed",
        "ended_on",
        "summary",
        "legal_basis",
        "authorisation",
        "public_consultation",
        "use_policy_url",
        "provenance",
        "verified",
        "revision",
    ];
    let with = |first: &[&'static str], last: &[&'static str]| -> Vec<&'static str> {
        first.iter().chain(&CONTENT).chain(last).copied().collect()
    };
    let rows: Vec<Vec<Value<'_>>> = records
        .iter()
        .zip(&vendors)
        .map(|(d, vendors)| {
            let mut row = vec![Value::Text(&d.id)];
            row.extend(content(d, vendors));
            row.push(Value::Time(StoredTime(d.created_at.naive_utc())));
            row.push(Value::Time(StoredTime(d.updated_at.naive_utc())));
            row
        })
        .collect();
    insert_rows(
        conn,
        "deployments",
        &with(&["id"], &["created_at", "updated_at"]),
        &rows,
    )?;
    let links: Vec<Vec<Value<'_>>> = records
        .iter()
        .flat_map(|d| {
            d.state
                .source_ids
                .iter()
                .map(|s| vec![Value::Text(&d.id), Value::Text(s)])
        })
        .collect();
    insert_rows(
        conn,
        "deployment_sources",
        &["deployment_id", "source_id"],
        &links,
    )?;
    let revisions: Vec<Vec<Value<'_>>> = records
        .iter()
        .zip(vendors.iter().zip(&source_ids))
        .map(|(d, (vendors, source_ids))| {
            let mut row = vec![Value::Text(&d.id), Value::Text(Action::Create.as_str())];
            row.extend(content(d, vendors));
            row.extend([
                Value::Text(source_ids),
                Value::Text(actor.role_name()),
                Value::Text(&actor.organisation),
                Value::Time(StoredTime(d.updated_at.naive_utc())),
            ]);
            row
        })
        .collect();
    insert_rows(
        conn,
        "deployment_revisions",
        &with(
            &["deployment_id", "action"],
            &[
                "source_ids",
                "actor_role",
                "actor_organisation",
                "recorded_at",
            ],
        ),
        &revisions,
    )?;
    let summaries: Vec<String> = records
        .iter()
        .map(|d| summary_line(&d.force, &d.tool, &d.state))
        .collect();
    audit::record_many(
        conn,
        actor,
        records
            .iter()
            .zip(&summaries)
            .map(|(d, summary)| audit::NewEvent {
                entity_type: "deployment",
                entity_id: &d.id,
                action: Action::Create,
                revision: d.revision,
                force_slug: Some(&d.force),
                summary,
                occurred_at: d.updated_at.naive_utc(),
            }),
    )
}

/// The tables `insert_new` adds to, and how many rows it adds to each for `records`.
pub fn bulk_growth(records: &[&Deployment]) -> Vec<crate::db::bulk::Growth<'static>> {
    use crate::db::bulk::Growth;
    let links = records.iter().map(|d| d.state.source_ids.len()).sum();
    vec![
        Growth {
            table: "deployments",
            adding: records.len(),
        },
        Growth {
            table: "deployment_revisions",
            adding: records.len(),
        },
        Growth {
            table: "deployment_sources",
            adding: links,
        },
        Growth {
            table: "change_events",
            adding: records.len(),
        },
        Growth {
            table: "search_documents",
            adding: records.len(),
        },
    ]
}

/// The names of the fields that differ between two states.
fn changed_fields(before: &DeploymentState, after: &DeploymentState) -> Vec<&'static str> {
    let mut changed = Vec::new();
    macro_rules! compare {
        ($($field:ident),+) => {
            $(if before.$field != after.$field { changed.push(stringify!($field)); })+
        };
    }
    compare!(
        status,
        vendors,
        product,
        first_known_use,
        last_confirmed,
        ended_on,
        summary,
        legal_basis,
        authorisation,
        public_consultation,
        use_policy_url,
        provenance,
        verified,
        source_ids
    );
    changed
}
