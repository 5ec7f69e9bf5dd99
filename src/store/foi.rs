//! FOI requests and their per-question answers.

use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::{parse_column, StoreError};
use crate::db::schema::{foi_answers, foi_requests};
use crate::db::DbConnection;
use crate::domain::AnswerOutcome;

/// An FOI answer cited as evidence for (or against) a claim.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AnswerCitation {
    pub foi_request_id: String,
    pub foi_request_title: String,
    /// The authority that answered.
    pub authority: String,
    /// The question's number within the request (1-based).
    pub position: i32,
    pub question: String,
    pub outcome: AnswerOutcome,
    /// `supports` or `contradicts` the claim.
    pub relation: Option<String>,
}

#[derive(Queryable)]
struct CitationRow {
    foi_request_id: String,
    foi_request_title: String,
    authority: String,
    position: i32,
    question: String,
    outcome: String,
    relation: Option<String>,
}

/// The answers linked to a deployment, oldest request first.
pub fn answers_for_deployment(
    conn: &mut DbConnection,
    deployment_id: &str,
) -> Result<Vec<AnswerCitation>, StoreError> {
    let rows: Vec<CitationRow> = foi_answers::table
        .inner_join(foi_requests::table)
        .filter(foi_answers::deployment_id.eq(deployment_id))
        .order((
            foi_requests::received_on,
            foi_requests::id,
            foi_answers::position,
        ))
        .select((
            foi_requests::id,
            foi_requests::title,
            foi_requests::authority_slug,
            foi_answers::position,
            foi_answers::question,
            foi_answers::outcome,
            foi_answers::relation,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|row| {
            Ok(AnswerCitation {
                outcome: parse_column("foi_answers.outcome", &row.outcome)?,
                foi_request_id: row.foi_request_id,
                foi_request_title: row.foi_request_title,
                authority: row.authority,
                position: row.position,
                question: row.question,
                relation: row.relation,
            })
        })
        .collect()
}
