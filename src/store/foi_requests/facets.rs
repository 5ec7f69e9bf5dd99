//! Value counts of a filtered set of requests (`facet=`): how many requests hold each force,
//! authority, campaign, state, or have an answer with each outcome, exemption or tool. One
//! grouped query per facet: over the filtered requests, or over the answers of the filtered
//! requests, picked once by a subquery rather than re-checked for every answer joined.

use std::collections::BTreeMap;

use diesel::dsl::{count, count_star};
use diesel::prelude::*;

use super::filter::{apply_foi_filter, filtered, FoiFilter, OfRequests};
use crate::db::schema::{answer_exemptions, answer_tools, foi_answers, foi_requests};
use crate::db::DbConnection;
use crate::store::facet::{ranked, FacetCount, FacetName};
use crate::store::StoreError;

/// A field the list of requests can be faceted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FoiFacet {
    Force,
    Authority,
    Campaign,
    State,
    /// Requests with at least one answer of each outcome.
    Outcome,
    /// Requests with at least one answer citing each section, as the answer records it.
    Exemption,
    /// Requests with at least one answer asking about each tool.
    Tool,
}

impl FacetName for FoiFacet {
    const ALL: &'static [FoiFacet] = &[
        FoiFacet::Force,
        FoiFacet::Authority,
        FoiFacet::Campaign,
        FoiFacet::State,
        FoiFacet::Outcome,
        FoiFacet::Exemption,
        FoiFacet::Tool,
    ];

    fn as_str(self) -> &'static str {
        match self {
            FoiFacet::Force => "force",
            FoiFacet::Authority => "authority",
            FoiFacet::Campaign => "campaign",
            FoiFacet::State => "state",
            FoiFacet::Outcome => "outcome",
            FoiFacet::Exemption => "exemption",
            FoiFacet::Tool => "tool",
        }
    }
}

impl std::str::FromStr for FoiFacet {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, String> {
        Self::parse(raw)
    }
}

/// Counts, for each facet asked, the filtered requests per value: most frequent first, then by
/// value, at most [`crate::store::facet::MAX_FACET_VALUES`] values each.
pub fn facets(
    conn: &mut DbConnection,
    filter: &FoiFilter,
    wanted: &[FoiFacet],
) -> Result<BTreeMap<FoiFacet, Vec<FacetCount>>, StoreError> {
    let mut out = BTreeMap::new();
    let unfiltered = *filter == FoiFilter::default();
    for &facet in wanted {
        macro_rules! by_request_column {
            ($column:expr) => {
                apply_foi_filter!(
                    foi_requests::table
                        .group_by($column)
                        .select(($column, count_star()))
                        .into_boxed(),
                    filter
                )
                .load::<(String, i64)>(conn)?
            };
        }
        macro_rules! by_answer_column {
            ($table:expr, $column:expr) => {{
                let mut query = $table
                    .group_by($column)
                    .select((
                        $column,
                        count(foi_answers::foi_request_id).aggregate_distinct(),
                    ))
                    .into_boxed();
                if !unfiltered {
                    query = query.filter(OfRequests(filtered(filter).select(foi_requests::id)));
                }
                query.load::<(String, i64)>(conn)?
            }};
        }
        let counts: Vec<(String, i64)> = match facet {
            FoiFacet::Force => by_request_column!(foi_requests::force_slug),
            FoiFacet::Authority => by_request_column!(foi_requests::authority_slug),
            FoiFacet::State => by_request_column!(foi_requests::state),
            FoiFacet::Campaign => apply_foi_filter!(
                foi_requests::table
                    .filter(foi_requests::campaign_slug.is_not_null())
                    .group_by(foi_requests::campaign_slug)
                    .select((foi_requests::campaign_slug.assume_not_null(), count_star()))
                    .into_boxed(),
                filter
            )
            .load(conn)?,
            FoiFacet::Outcome => by_answer_column!(foi_answers::table, foi_answers::outcome),
            FoiFacet::Exemption => by_answer_column!(
                answer_exemptions::table.inner_join(foi_answers::table),
                answer_exemptions::section
            ),
            FoiFacet::Tool => by_answer_column!(
                answer_tools::table.inner_join(foi_answers::table),
                answer_tools::tool_slug
            ),
        };
        out.insert(facet, ranked(counts));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facet_names_round_trip_and_unknown_names_are_refused() {
        for &facet in FoiFacet::ALL {
            assert_eq!(facet.as_str().parse::<FoiFacet>(), Ok(facet));
        }
        assert!("vendor"
            .parse::<FoiFacet>()
            .unwrap_err()
            .contains("exemption"));
    }
}
