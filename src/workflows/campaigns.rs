//! A campaign fans out: creating one records it and sends the same request, each question still
//! unanswered, to every authority it targets.

use crate::db::DbConnection;
use crate::domain::{AnswerOutcome, FoiLaw, FoiState, Provenance};
use crate::foi::FoiCalendar;
use crate::store::audit::Stamp;
use crate::store::campaigns::{self, Campaign, CampaignFields, Targets};
use crate::store::foi_requests::{self, AnswerFields, FoiRequestFields};
use crate::store::StoreError;

/// Records a campaign and a pending request to every targeted authority. Call inside a write
/// transaction.
pub fn create(
    conn: &mut DbConnection,
    calendar: &FoiCalendar,
    stamp: &Stamp,
    slug: &str,
    fields: &CampaignFields,
    targets: &Targets,
) -> Result<Campaign, StoreError> {
    let created = campaigns::create(conn, stamp, slug, fields)?;
    for (authority, authority_law) in campaigns::targeted(conn, targets)? {
        let law = match fields.law {
            FoiLaw::Eir => FoiLaw::Eir,
            FoiLaw::Foia | FoiLaw::Foisa => authority_law,
        };
        foi_requests::create(
            conn,
            calendar,
            stamp,
            &FoiRequestFields {
                authority,
                campaign: Some(slug.to_owned()),
                law,
                title: fields.title.clone(),
                reference_numbers: Vec::new(),
                request_text: fields.request_text.clone(),
                sent_on: Some(fields.started_on),
                received_on: fields.started_on,
                responded_on: None,
                state: FoiState::WaitingResponse,
                source_url: None,
                reply_text: String::new(),
                provenance: Provenance::Foi,
                answers: fields
                    .questions
                    .iter()
                    .zip(1..)
                    .map(|((question, tools), position)| AnswerFields {
                        id: None,
                        campaign_question: Some(position),
                        question: question.clone(),
                        tools: tools.clone(),
                        outcome: AnswerOutcome::NoAnswer,
                        answer_text: String::new(),
                        redirected_to: None,
                        exemptions: Vec::new(),
                        deployments: Vec::new(),
                        impact_assessments: Vec::new(),
                        claims: Vec::new(),
                    })
                    .collect(),
                stages: Vec::new(),
            },
        )
        .map_err(|error| match error {
            // Each request is received the day the campaign starts.
            StoreError::Invalid {
                field: "received_on",
                message,
            } => StoreError::Invalid {
                field: "started_on",
                message,
            },
            other => other,
        })?;
    }
    Ok(created)
}
