//! The list's filters, as one boxed query that both the page and its count use.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::rows::today;
use crate::db::schema::{answer_exemptions, foi_answers, foi_requests};
use crate::db::MultiBackend;
use crate::domain::{AnswerOutcome, FoiState, SearchTerms};
use crate::store::search::MatchesText;

/// Filters on the list of requests.
#[derive(Debug, Clone, Default)]
pub struct FoiFilter {
    pub force: Option<String>,
    pub authority: Option<String>,
    pub campaign: Option<String>,
    /// Requests with at least one answer of this outcome.
    pub outcome: Option<AnswerOutcome>,
    pub state: Option<FoiState>,
    /// Requests citing this section, or any subsection of it (`s31` matches `s31(3)`).
    pub exemption: Option<String>,
    pub received_gte: Option<NaiveDate>,
    pub received_lte: Option<NaiveDate>,
    pub responded_gte: Option<NaiveDate>,
    pub responded_lte: Option<NaiveDate>,
    /// Only requests still unanswered past their due date (`true`), or the others (`false`).
    pub overdue: Option<bool>,
    /// Only requests whose title, text or reply, or one of whose answers, matches these words.
    pub q: Option<SearchTerms>,
}

pub(super) fn filtered(filter: &FoiFilter) -> foi_requests::BoxedQuery<'static, MultiBackend> {
    let mut query = foi_requests::table.into_boxed();
    if let Some(force) = &filter.force {
        query = query.filter(foi_requests::force_slug.eq(force.clone()));
    }
    if let Some(authority) = &filter.authority {
        query = query.filter(foi_requests::authority_slug.eq(authority.clone()));
    }
    if let Some(campaign) = &filter.campaign {
        query = query.filter(foi_requests::campaign_slug.eq(campaign.clone()));
    }
    if let Some(state) = filter.state {
        query = query.filter(foi_requests::state.eq(state.as_str()));
    }
    if let Some(outcome) = filter.outcome {
        let with_outcome = foi_answers::table
            .filter(foi_answers::outcome.eq(outcome.as_str()))
            .select(foi_answers::foi_request_id);
        query = query.filter(foi_requests::id.eq_any(with_outcome));
    }
    if let Some(section) = &filter.exemption {
        let citing = foi_answers::table
            .inner_join(answer_exemptions::table)
            .filter(
                answer_exemptions::section
                    .eq(section.clone())
                    .or(answer_exemptions::section.like(format!("{section}(%"))),
            )
            .select(foi_answers::foi_request_id);
        query = query.filter(foi_requests::id.eq_any(citing));
    }
    if let Some(on) = filter.received_gte {
        query = query.filter(foi_requests::received_on.ge(on));
    }
    if let Some(on) = filter.received_lte {
        query = query.filter(foi_requests::received_on.le(on));
    }
    if let Some(on) = filter.responded_gte {
        query = query.filter(foi_requests::responded_on.ge(on));
    }
    if let Some(on) = filter.responded_lte {
        query = query.filter(foi_requests::responded_on.le(on));
    }
    if let Some(terms) = &filter.q {
        query = query.filter(MatchesText::foi_requests("foi_requests.id", terms));
    }
    match filter.overdue {
        Some(true) => {
            query = query.filter(
                foi_requests::responded_on
                    .is_null()
                    .and(foi_requests::due_on.lt(today())),
            )
        }
        Some(false) => {
            query = query.filter(
                foi_requests::responded_on
                    .is_not_null()
                    .or(foi_requests::due_on.ge(today())),
            )
        }
        None => {}
    }
    query
}
