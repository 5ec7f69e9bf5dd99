//! The answers that cite a deployment, for the deployment's page.

use diesel::prelude::*;

use crate::db::schema::{answer_deployments, foi_answers, foi_requests};
use crate::db::DbConnection;
use crate::domain::{AnswerOutcome, Relation};
use crate::store::{parse_column, StoreError};

/// An FOI answer cited as evidence for (or against) a claim.
#[derive(Debug, Clone)]
pub struct AnswerCitation {
    pub foi_request_id: String,
    pub foi_request_title: String,
    /// The authority that answered.
    pub authority: String,
    /// The question's number within the request (1-based).
    pub position: i32,
    pub question: String,
    pub outcome: AnswerOutcome,
    pub relation: Relation,
}

/// The answers linked to a deployment, oldest request first.
pub fn answers_for_deployment(
    conn: &mut DbConnection,
    deployment_id: &str,
) -> Result<Vec<AnswerCitation>, StoreError> {
    let rows: Vec<(String, String, String, i32, String, String, String)> =
        answer_deployments::table
            .inner_join(foi_answers::table.inner_join(foi_requests::table))
            .filter(answer_deployments::deployment_id.eq(deployment_id))
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
                answer_deployments::relation,
            ))
            .load(conn)?;
    rows.into_iter()
        .map(
            |(
                foi_request_id,
                foi_request_title,
                authority,
                position,
                question,
                outcome,
                relation,
            )| {
                Ok(AnswerCitation {
                    outcome: parse_column("foi_answers.outcome", &outcome)?,
                    relation: parse_column("answer_deployments.relation", &relation)?,
                    foi_request_id,
                    foi_request_title,
                    authority,
                    position,
                    question,
                })
            },
        )
        .collect()
}
