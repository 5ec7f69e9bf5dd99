//! Counts of a filtered set of deployments, made in the database: facets (how many hold each value
//! of a field, as Datasette's `_facet`), and deployments and forces per tool and status.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use diesel::dsl::{count, count_star, exists, max, not};
use diesel::prelude::*;

use super::query::{
    apply_filter, lower, standing_at, within, ActiveOn, DateRange, DeploymentFilter,
    ASSESSMENT_EXISTS, LATER_REVISION,
};
use crate::db::schema::{
    assessment_deployments, deployment_revisions, deployments, forces, impact_assessments,
};
use crate::db::DbConnection;
use crate::store::audit::Action;
use crate::store::facet::{ranked, FacetCount, FacetName};
use crate::store::search::MatchesText;
use crate::store::tools::InToolFamily;
use crate::store::{parse_json_list, StoreError};

/// A field a list can be faceted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Facet {
    Force,
    Tool,
    Status,
    Vendor,
    Nation,
    Region,
}

impl FacetName for Facet {
    const ALL: &'static [Facet] = &[
        Facet::Force,
        Facet::Tool,
        Facet::Status,
        Facet::Vendor,
        Facet::Nation,
        Facet::Region,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Facet::Force => "force",
            Facet::Tool => "tool",
            Facet::Status => "status",
            Facet::Vendor => "vendor",
            Facet::Nation => "nation",
            Facet::Region => "region",
        }
    }
}

impl std::str::FromStr for Facet {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, String> {
        Self::parse(raw)
    }
}

/// Counts, for each facet asked, the filtered deployments per value: most frequent first, then by
/// value; at most [`MAX_FACET_VALUES`] values each. Nation and region are counted through the
/// force facet, vendors from the distinct vendor lists, so no facet reads more than one grouped
/// query.
pub fn facets(
    conn: &mut DbConnection,
    filter: &DeploymentFilter,
    wanted: &[Facet],
) -> Result<BTreeMap<Facet, Vec<FacetCount>>, StoreError> {
    let mut out = BTreeMap::new();
    if wanted.is_empty() {
        return Ok(out);
    }
    let by_force = if wanted
        .iter()
        .any(|f| matches!(f, Facet::Force | Facet::Nation | Facet::Region))
    {
        grouped(conn, filter, Facet::Force)?
    } else {
        Vec::new()
    };
    for &facet in wanted {
        let counts = match facet {
            Facet::Force => by_force.clone(),
            Facet::Tool | Facet::Status => grouped(conn, filter, facet)?,
            Facet::Vendor => {
                let mut per_vendor: BTreeMap<String, i64> = BTreeMap::new();
                for (list, count) in grouped(conn, filter, Facet::Vendor)? {
                    for vendor in parse_json_list("vendors", &list)? {
                        *per_vendor.entry(vendor).or_default() += count;
                    }
                }
                per_vendor.into_iter().collect()
            }
            Facet::Nation | Facet::Region => {
                let places: BTreeMap<String, (Option<String>, Option<String>)> = forces::table
                    .select((forces::slug, forces::nation, forces::region))
                    .load::<(String, Option<String>, Option<String>)>(conn)?
                    .into_iter()
                    .map(|(slug, nation, region)| (slug, (nation, region)))
                    .collect();
                let mut per_place: BTreeMap<String, i64> = BTreeMap::new();
                for (force, count) in &by_force {
                    let place = places.get(force).and_then(|(nation, region)| {
                        if facet == Facet::Nation {
                            nation.clone()
                        } else {
                            region.clone()
                        }
                    });
                    if let Some(place) = place {
                        *per_place.entry(place).or_default() += count;
                    }
                }
                per_place.into_iter().collect()
            }
        };
        out.insert(facet, ranked(counts));
    }
    Ok(out)
}

/// The filtered deployments counted by one column (force, tool, status or the vendor list).
fn grouped(
    conn: &mut DbConnection,
    filter: &DeploymentFilter,
    facet: Facet,
) -> Result<Vec<(String, i64)>, StoreError> {
    macro_rules! count_by {
        ($column:ident) => {{
            match filter.as_of {
                None => {
                    let query = deployments::table
                        .group_by(deployments::$column)
                        .select((deployments::$column, count_star()))
                        .into_boxed();
                    apply_filter!(query, deployments, id, updated_at, filter)
                        .load::<(String, i64)>(conn)?
                }
                Some(at) => {
                    let query = deployment_revisions::table
                        .group_by(deployment_revisions::$column)
                        .select((deployment_revisions::$column, count_star()))
                        .into_boxed();
                    apply_filter!(
                        standing_at!(query, at),
                        deployment_revisions,
                        deployment_id,
                        recorded_at,
                        filter
                    )
                    .load::<(String, i64)>(conn)?
                }
            }
        }};
    }
    Ok(match facet {
        Facet::Tool => count_by!(tool_slug),
        Facet::Status => count_by!(status),
        Facet::Vendor => count_by!(vendors),
        Facet::Force | Facet::Nation | Facet::Region => count_by!(force_slug),
    })
}

/// How many deployments of one tool hold one status, and how many forces they belong to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolStatusTally {
    pub tool: String,
    pub status: String,
    pub deployments: i64,
    pub forces: i64,
}

/// The filtered deployments counted per tool and status, in tool and status order.
pub fn tally_by_tool_and_status(
    conn: &mut DbConnection,
    filter: &DeploymentFilter,
) -> Result<Vec<ToolStatusTally>, StoreError> {
    let rows: Vec<(String, String, i64, i64)> = match filter.as_of {
        None => {
            let query = deployments::table
                .group_by((deployments::tool_slug, deployments::status))
                .select((
                    deployments::tool_slug,
                    deployments::status,
                    count_star(),
                    count(deployments::force_slug).aggregate_distinct(),
                ))
                .order((deployments::tool_slug, deployments::status))
                .into_boxed();
            apply_filter!(query, deployments, id, updated_at, filter).load(conn)?
        }
        Some(at) => {
            let query = deployment_revisions::table
                .group_by((
                    deployment_revisions::tool_slug,
                    deployment_revisions::status,
                ))
                .select((
                    deployment_revisions::tool_slug,
                    deployment_revisions::status,
                    count_star(),
                    count(deployment_revisions::force_slug).aggregate_distinct(),
                ))
                .order((
                    deployment_revisions::tool_slug,
                    deployment_revisions::status,
                ))
                .into_boxed();
            apply_filter!(
                standing_at!(query, at),
                deployment_revisions,
                deployment_id,
                recorded_at,
                filter
            )
            .load(conn)?
        }
    };
    Ok(rows
        .into_iter()
        .map(|(tool, status, deployments, forces)| ToolStatusTally {
            tool,
            status,
            deployments,
            forces,
        })
        .collect())
}

/// How many deployments match `filter`, and how many forces they belong to.
pub fn tally(conn: &mut DbConnection, filter: &DeploymentFilter) -> Result<(i64, i64), StoreError> {
    Ok(match filter.as_of {
        None => {
            let query = deployments::table
                .select((
                    count_star(),
                    count(deployments::force_slug).aggregate_distinct(),
                ))
                .into_boxed();
            apply_filter!(query, deployments, id, updated_at, filter).get_result(conn)?
        }
        Some(at) => {
            let query = deployment_revisions::table
                .select((
                    count_star(),
                    count(deployment_revisions::force_slug).aggregate_distinct(),
                ))
                .into_boxed();
            apply_filter!(
                standing_at!(query, at),
                deployment_revisions,
                deployment_id,
                recorded_at,
                filter
            )
            .get_result(conn)?
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facet_names_round_trip_and_unknown_names_are_refused() {
        for &facet in Facet::ALL {
            assert_eq!(facet.as_str().parse::<Facet>(), Ok(facet));
        }
        assert!("colour".parse::<Facet>().unwrap_err().contains("vendor"));
    }
}
