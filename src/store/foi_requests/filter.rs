//! The list's filters, as one boxed query that both the page and its count use.
//!
//! Request-level filters (`outcome`, `exemption`) hold when any answer of the request matches;
//! answer-level ones (`answer_tool`, `answer_exemption`, `answer_outcome`) must all hold for the
//! same answer. `late` and `overdue` are the views' [`crate::foi::Timeliness`] rule, in SQL.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::Text;

use crate::db::schema::foi_requests;
use crate::db::MultiBackend;
use crate::domain::{AnswerOutcome, FoiState, SearchTerms};
use crate::store::tools::push_tool_family;

/// Filters on the list of requests.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FoiFilter {
    pub force: Option<String>,
    pub authority: Option<String>,
    pub campaign: Option<String>,
    /// Requests with at least one answer of this outcome.
    pub outcome: Option<AnswerOutcome>,
    pub state: Option<FoiState>,
    /// Requests with at least one answer citing this section, or any subsection of it (`s31`
    /// matches `s31(3)`).
    pub exemption: Option<String>,
    /// With `answer_exemption` and `answer_outcome`: requests with one answer that meets every
    /// one of them. This one: the answer asks about this tool or one of its sub-types.
    pub answer_tool: Option<String>,
    /// The same answer cites this section or a subsection of it.
    pub answer_exemption: Option<String>,
    /// The same answer has this outcome.
    pub answer_outcome: Option<AnswerOutcome>,
    pub received_gte: Option<NaiveDate>,
    pub received_lte: Option<NaiveDate>,
    pub responded_gte: Option<NaiveDate>,
    pub responded_lte: Option<NaiveDate>,
    /// Only requests still unanswered past their due date (`true`), or the others (`false`).
    pub overdue: Option<bool>,
    /// Only requests replied to after their due date (`true`), or the others (`false`).
    pub late: Option<bool>,
    /// Only requests whose title, text or reply, or one of whose answers, matches these words.
    pub q: Option<SearchTerms>,
}

/// `EXISTS` an answer of the request the outer query is on that meets every condition given:
/// its outcome, an exemption it cites (the section or a subsection: `s31` takes in `s31(3)`, not
/// `s311`), a tool it asks about (any of a list). One answer must meet them all; request-level
/// filters use one instance per condition, so that different answers may meet them. Written as
/// SQL (like `MatchesText`) because diesel nests no boxed query inside another on the two-backend
/// connection.
#[derive(Debug, Clone, Default, QueryId)]
pub(super) struct AnswerMatches {
    outcome: Option<&'static str>,
    section: Option<String>,
    /// `section(%`, the `LIKE` pattern of its subsections.
    subsections: Option<String>,
    /// A tool, standing for its sub-types too.
    tool: Option<String>,
}

impl AnswerMatches {
    pub(super) fn with_outcome(outcome: AnswerOutcome) -> Self {
        Self {
            outcome: Some(outcome.as_str()),
            ..Self::default()
        }
    }

    pub(super) fn citing(mut self, section: &str) -> Self {
        self.section = Some(section.to_owned());
        self.subsections = Some(format!("{section}(%"));
        self
    }

    pub(super) fn is_empty(&self) -> bool {
        self.outcome.is_none() && self.section.is_none() && self.tool.is_none()
    }
}

crate::db::sql_condition!(AnswerMatches);

impl QueryFragment<MultiBackend> for AnswerMatches {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        out.push_sql(
            "EXISTS (SELECT 1 FROM foi_answers a WHERE a.foi_request_id = foi_requests.id",
        );
        if let Some(outcome) = &self.outcome {
            out.push_sql(" AND a.outcome = ");
            out.push_bind_param::<Text, _>(*outcome)?;
        }
        if let (Some(section), Some(subsections)) = (&self.section, &self.subsections) {
            out.push_sql(
                " AND EXISTS (SELECT 1 FROM answer_exemptions e WHERE e.foi_answer_id = a.id \
                 AND (e.section = ",
            );
            out.push_bind_param::<Text, _>(section)?;
            out.push_sql(" OR e.section LIKE ");
            out.push_bind_param::<Text, _>(subsections)?;
            out.push_sql("))");
        }
        if let Some(tool) = &self.tool {
            out.push_sql(
                " AND EXISTS (SELECT 1 FROM answer_tools t WHERE t.foi_answer_id = a.id \
                 AND t.tool_slug IN ",
            );
            push_tool_family(&mut out, tool)?;
            out.push_sql(")");
        }
        out.push_sql(")");
        Ok(())
    }
}

/// `foi_answers.foi_request_id IN (<a subquery of request ids>)`: answers of the requests a
/// filter picked, for counting over answers (facets) without joining every answer to its request
/// and checking the filter once per answer. Walks the boxed subquery itself, as diesel nests no
/// boxed query inside another on the two-backend connection.
pub(super) struct OfRequests(pub foi_requests::BoxedQuery<'static, MultiBackend, Text>);

impl QueryId for OfRequests {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

crate::db::sql_condition!(OfRequests);

impl QueryFragment<MultiBackend> for OfRequests {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        out.push_sql("foi_answers.foi_request_id IN (");
        QueryFragment::<MultiBackend>::walk_ast(&self.0, out.reborrow())?;
        out.push_sql(")");
        Ok(())
    }
}

impl FoiFilter {
    /// The answer-level conditions, as one answer must meet them.
    pub(super) fn same_answer(&self) -> AnswerMatches {
        let mut matches = AnswerMatches {
            outcome: self.answer_outcome.map(|o| o.as_str()),
            tool: self.answer_tool.clone(),
            ..AnswerMatches::default()
        };
        if let Some(section) = &self.answer_exemption {
            matches = matches.citing(section);
        }
        matches
    }
}

/// Applies the list's filters to a boxed query whose FROM clause holds `foi_requests` (the list
/// itself, or answers joined to their requests for facets): one set of conditions for every
/// reader of the filtered set, as diesel nests no boxed query inside another here.
macro_rules! apply_foi_filter {
    ($query:expr, $filter:expr) => {{
        let mut query = $query;
        let filter: &FoiFilter = $filter;
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
        // Request-level: each may be met by a different answer.
        if let Some(outcome) = filter.outcome {
            query = query.filter(super::filter::AnswerMatches::with_outcome(outcome));
        }
        if let Some(section) = &filter.exemption {
            query = query.filter(super::filter::AnswerMatches::default().citing(section));
        }
        let same_answer = filter.same_answer();
        if !same_answer.is_empty() {
            query = query.filter(same_answer);
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
            query = query.filter($crate::store::search::MatchesText::foi_requests(
                "foi_requests.id",
                terms,
            ));
        }
        match filter.overdue {
            Some(true) => {
                query = query.filter(
                    foi_requests::responded_on
                        .is_null()
                        .and(foi_requests::due_on.lt(super::rows::today())),
                )
            }
            Some(false) => {
                query = query.filter(
                    foi_requests::responded_on
                        .is_not_null()
                        .or(foi_requests::due_on.ge(super::rows::today())),
                )
            }
            None => {}
        }
        match filter.late {
            // Written as the partial index `foi_requests_late_idx` is, so that it can be used.
            Some(true) => {
                query = query.filter(foi_requests::responded_on.gt(foi_requests::due_on.nullable()))
            }
            Some(false) => {
                query = query.filter(
                    foi_requests::responded_on
                        .is_null()
                        .or(foi_requests::responded_on.le(foi_requests::due_on.nullable())),
                )
            }
            None => {}
        }
        query
    }};
}
pub(super) use apply_foi_filter;

/// The filtered requests.
pub(super) fn filtered(filter: &FoiFilter) -> foi_requests::BoxedQuery<'static, MultiBackend> {
    apply_foi_filter!(foi_requests::table.into_boxed(), filter)
}
