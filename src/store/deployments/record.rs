//! A deployment as read from the current table or the revisions table (the same columns under
//! different names), and how records become views with their source links and creation times.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::model::{Deployment, DeploymentState};
use crate::db::schema::{deployment_revisions, deployment_sources};
use crate::db::DbConnection;
use crate::store::{parse_column, parse_json_list, utc, StoreError};

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
pub(super) use record_columns;

/// A deployment as read from either table, before its source links are attached.
#[derive(Queryable)]
pub(super) struct Record {
    pub(super) id: String,
    pub(super) force_slug: String,
    pub(super) tool_slug: String,
    pub(super) status: String,
    pub(super) vendors: String,
    pub(super) product: Option<String>,
    pub(super) first_known_use: Option<NaiveDate>,
    pub(super) last_confirmed: Option<NaiveDate>,
    pub(super) ended_on: Option<NaiveDate>,
    pub(super) summary: String,
    pub(super) legal_basis: Option<String>,
    pub(super) authorisation: Option<String>,
    pub(super) public_consultation: Option<String>,
    pub(super) use_policy_url: Option<String>,
    pub(super) provenance: String,
    pub(super) verified: bool,
    pub(super) revision: i64,
    pub(super) at: NaiveDateTime,
}

pub(super) type RecordSql = (
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
    pub(super) fn state(&self, source_ids: Vec<String>) -> Result<DeploymentState, StoreError> {
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
pub(super) fn into_views(
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
