//! Reads: a page of deployments, all of them for a filter, one, the latest of a force's tool, and a
//! deployment's history.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{Deployment, DeploymentRevision};
use super::query::{
    apply_order, current_query, past_query, seek_by_date, seek_by_value, DeploymentFilter,
    DeploymentKey, DeploymentSort, LatestPerTool, SortColumn,
};
use super::record::{into_views, record_columns, Record};
use crate::db::schema::{deployment_revisions, deployments};
use crate::db::DbConnection;
use crate::store::{parse_json_list, utc, Page, PageRequest, StoreError};

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
        items.last().map(|last| DeploymentKey::of(last, sort))
    } else {
        None
    };
    Ok(Page {
        items,
        next_after,
        total,
    })
}

/// The `per_tool` most recently recorded current deployments of each of `force`'s tools, however
/// many it has: the ones a profile lists.
pub fn latest_per_tool(
    conn: &mut DbConnection,
    force: &str,
    per_tool: usize,
) -> Result<Vec<Deployment>, StoreError> {
    let filter = DeploymentFilter {
        force: Some(force.to_owned()),
        ..DeploymentFilter::default()
    };
    let records: Vec<Record> = current_query(&filter)
        .filter(LatestPerTool {
            force: force.to_owned(),
            per_tool: per_tool as i64,
        })
        .load(conn)?;
    into_views(conn, records, false)
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

/// The id of the force's deployment of each of `tools` it has (the most recently written where it
/// has several), keyed by tool: one read for all of an FOI reply's claims.
pub fn latest_ids(
    conn: &mut DbConnection,
    force: &str,
    tools: &[&str],
) -> Result<HashMap<String, String>, StoreError> {
    let newest_first: Vec<(String, String)> = deployments::table
        .filter(deployments::force_slug.eq(force))
        .filter(deployments::tool_slug.eq_any(tools))
        .order((
            deployments::tool_slug,
            deployments::updated_at.desc(),
            deployments::id.desc(),
        ))
        .select((deployments::tool_slug, deployments::id))
        .load(conn)?;
    let mut latest = HashMap::new();
    for (tool, id) in newest_first {
        latest.entry(tool).or_insert(id);
    }
    Ok(latest)
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
