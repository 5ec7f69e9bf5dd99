//! The FOI exports' CSV columns: requests, one row per answer, and documents.

use serde::Serialize;

use super::{joined, opt, ExportRow};
use crate::store::foi_requests::{Answer, DocumentCopy, EvidenceLink, FoiRequest};

impl ExportRow for FoiRequest {
    const HEADER: &'static [&'static str] = &[
        "id",
        "authority",
        "force",
        "campaign",
        "law",
        "title",
        "reference_numbers",
        "request_text",
        "sent_on",
        "received_on",
        "due_on",
        "responded_on",
        "working_days_taken",
        "days_overdue",
        "overdue",
        "late",
        "state",
        "source_url",
        "reply_text",
        "provenance",
        "answers",
        "outcomes",
        "exemptions",
        "stages",
        "documents",
        "revision",
        "created_at",
        "updated_at",
    ];

    fn record(&self) -> Vec<String> {
        let d = &self.deadline;
        let exemptions: Vec<String> = self
            .answers
            .iter()
            .flat_map(|a| a.exemptions.iter().map(|e| e.section.clone()))
            .collect();
        vec![
            self.id.clone(),
            self.authority.clone(),
            self.force.clone(),
            opt(&self.campaign),
            self.law.to_string(),
            self.title.clone(),
            joined(&self.reference_numbers),
            self.request_text.clone(),
            opt(&self.sent_on),
            self.received_on.to_string(),
            d.due_on.to_string(),
            opt(&self.responded_on),
            opt(&d.working_days_taken),
            d.days_overdue.to_string(),
            d.overdue.to_string(),
            d.late.to_string(),
            self.state.to_string(),
            opt(&self.source_url),
            self.reply_text.clone(),
            self.provenance.to_string(),
            self.answers.len().to_string(),
            joined(
                &self
                    .answers
                    .iter()
                    .map(|a| a.outcome.to_string())
                    .collect::<Vec<_>>(),
            ),
            joined(&exemptions),
            self.stages.len().to_string(),
            self.documents.len().to_string(),
            self.revision.to_string(),
            self.created_at.to_rfc3339(),
            self.updated_at.to_rfc3339(),
        ]
    }
}

/// One row of the answers export: an answer with the request it belongs to.
#[derive(Debug, Serialize)]
pub struct AnswerRow {
    foi_request_id: String,
    authority: String,
    force: String,
    campaign: Option<String>,
    received_on: chrono::NaiveDate,
    responded_on: Option<chrono::NaiveDate>,
    state: crate::domain::FoiState,
    #[serde(flatten)]
    answer: Answer,
}

impl AnswerRow {
    /// The answers of a page of requests, in request then question order.
    pub fn of(requests: Vec<FoiRequest>) -> Vec<Self> {
        requests
            .into_iter()
            .flat_map(|request| {
                let FoiRequest {
                    id,
                    authority,
                    force,
                    campaign,
                    received_on,
                    responded_on,
                    state,
                    answers,
                    ..
                } = request;
                answers.into_iter().map(move |answer| Self {
                    foi_request_id: id.clone(),
                    authority: authority.clone(),
                    force: force.clone(),
                    campaign: campaign.clone(),
                    received_on,
                    responded_on,
                    state,
                    answer,
                })
            })
            .collect()
    }
}

impl ExportRow for AnswerRow {
    const HEADER: &'static [&'static str] = &[
        "foi_request_id",
        "authority",
        "force",
        "campaign",
        "received_on",
        "responded_on",
        "state",
        "id",
        "position",
        "question",
        "tools",
        "outcome",
        "answer_text",
        "redirected_to",
        "exemptions",
        "deployment_ids",
        "impact_assessment_ids",
        "campaign_question",
    ];

    fn record(&self) -> Vec<String> {
        let a = &self.answer;
        let exemptions: Vec<String> = a
            .exemptions
            .iter()
            .map(|e| match (e.ncnd, e.absolute) {
                (true, true) => format!("{} (ncnd, absolute)", e.section),
                (true, false) => format!("{} (ncnd)", e.section),
                (false, true) => format!("{} (absolute)", e.section),
                (false, false) => e.section.clone(),
            })
            .collect();
        let ids = |links: &[EvidenceLink]| {
            joined(
                &links
                    .iter()
                    .map(|l| format!("{} ({})", l.id, l.relation))
                    .collect::<Vec<_>>(),
            )
        };
        vec![
            self.foi_request_id.clone(),
            self.authority.clone(),
            self.force.clone(),
            opt(&self.campaign),
            self.received_on.to_string(),
            opt(&self.responded_on),
            self.state.to_string(),
            a.id.clone(),
            a.position.to_string(),
            a.question.clone(),
            joined(&a.tools),
            a.outcome.to_string(),
            a.answer_text.clone(),
            opt(&a.redirected_to),
            joined(&exemptions),
            ids(&a.deployments),
            ids(&a.impact_assessments),
            opt(&a.campaign_question),
        ]
    }
}

impl ExportRow for DocumentCopy {
    const HEADER: &'static [&'static str] = &[
        "foi_request_id",
        "id",
        "filename",
        "media_type",
        "size_bytes",
        "sha256",
        "created_at",
        "content_base64",
    ];

    fn record(&self) -> Vec<String> {
        let d = &self.document;
        vec![
            self.foi_request_id.clone(),
            d.id.clone(),
            d.filename.clone(),
            d.media_type.clone(),
            d.size_bytes.to_string(),
            d.sha256.clone(),
            d.created_at.to_rfc3339(),
            self.content_base64.clone(),
        ]
    }
}
