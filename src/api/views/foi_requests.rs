//! The views of an FOI request (with its answers, stages, documents and computed deadlines) and of
//! an answer cited as evidence, as the API answers with them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::{AnswerOutcome, FoiLaw, FoiState, Provenance, Relation, StageKind};
use crate::store::foi_requests::{
    Answer, AnswerCitation, Deadline, Document, EvidenceLink, Exemption, FoiRequest, Stage,
};

/// An FOI request, its reply, and its deadlines.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = FoiRequest, example = json!({
    "id": "0193c4a2-7d1e-7b3a-9f00-6a1d2c3b4e70",
    "authority": "cambridgeshire-pcc",
    "force": "cambridgeshire",
    "campaign": "2019-surveillance-tools",
    "law": "foia",
    "title": "What police surveillance tools are in use in our community?",
    "reference_numbers": ["FOI/OPCC/19-026-037", "19-040-043"],
    "request_text": "",
    "sent_on": "2019-06-13",
    "received_on": "2019-06-13",
    "responded_on": "2019-07-04",
    "state": "partially_successful",
    "source_url": null,
    "reply_text": "Cambridgeshire Constabulary (the “Constabulary”) does use body worn video cameras. ...",
    "provenance": "foi",
    "due_on": "2019-07-11",
    "extended_due_on": "2019-08-12",
    "working_days_taken": 15,
    "days_overdue": 0,
    "overdue": false,
    "late": false,
    "answers": [{
        "id": "0193c4a2-7d1e-7b3a-9f00-6a1d2c3b4e72",
        "position": 2,
        "question": "If the police are using any of the above, please let me know what impact assessments have been carried out ...",
        "tools": [],
        "outcome": "not_held",
        "answer_text": "The OPCC does not hold the information requested.",
        "redirected_to": null,
        "exemptions": [],
        "deployments": [],
        "impact_assessments": []
    }],
    "stages": [],
    "documents": [],
    "revision": 1,
    "created_at": "2019-07-04T12:00:00Z",
    "updated_at": "2019-07-04T12:00:00Z"
}))]
pub struct FoiRequestView {
    pub id: String,
    /// The authority asked (a force, or its oversight body).
    pub authority: String,
    /// The force the authority belongs to.
    pub force: String,
    /// The campaign that sent it, if any.
    pub campaign: Option<String>,
    pub law: FoiLaw,
    pub title: String,
    /// The authority's references (one reply can carry several).
    pub reference_numbers: Vec<String>,
    pub request_text: String,
    pub sent_on: Option<NaiveDate>,
    pub received_on: NaiveDate,
    pub responded_on: Option<NaiveDate>,
    pub state: FoiState,
    /// Where the exchange is published (for example its WhatDoTheyKnow page).
    pub source_url: Option<String>,
    /// The reply's text.
    pub reply_text: String,
    pub provenance: Provenance,
    #[serde(flatten)]
    pub deadline: DeadlineView,
    /// One per question, in the order asked.
    pub answers: Vec<AnswerView>,
    /// Appeals after the reply, oldest first.
    pub stages: Vec<StageView>,
    /// The reply's documents (their bytes at `/foi-requests/{id}/documents/{document_id}`).
    pub documents: Vec<DocumentView>,
    pub revision: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<FoiRequest> for FoiRequestView {
    fn from(v: FoiRequest) -> Self {
        Self {
            id: v.id,
            authority: v.authority,
            force: v.force,
            campaign: v.campaign,
            law: v.law,
            title: v.title,
            reference_numbers: v.reference_numbers,
            request_text: v.request_text,
            sent_on: v.sent_on,
            received_on: v.received_on,
            responded_on: v.responded_on,
            state: v.state,
            source_url: v.source_url,
            reply_text: v.reply_text,
            provenance: v.provenance,
            deadline: DeadlineView::from(v.deadline),
            answers: v.answers.into_iter().map(AnswerView::from).collect(),
            stages: v.stages.into_iter().map(StageView::from).collect(),
            documents: v.documents.into_iter().map(DocumentView::from).collect(),
            revision: v.revision,
            created_at: v.created_at,
            updated_at: v.updated_at,
        }
    }
}

/// Deadlines computed from the receipt date and the law's working days.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Deadline, example = json!({
    "due_on": "2019-07-11",
    "extended_due_on": "2019-08-12",
    "working_days_taken": 15,
    "days_overdue": 0,
    "overdue": false,
    "late": false
}))]
pub struct DeadlineView {
    /// The 20th working day after receipt: the statutory limit.
    pub due_on: NaiveDate,
    /// The limit with the longest extension the law allows (40 working days under FOIA's public
    /// interest extension and the EIR; FOISA allows none). `null` beyond the calendar's range.
    pub extended_due_on: Option<NaiveDate>,
    /// Working days from receipt to reply, once replied.
    pub working_days_taken: Option<i64>,
    /// Calendar days past `due_on` when the reply came, or today while none has.
    pub days_overdue: i64,
    /// No reply yet and `due_on` has passed.
    pub overdue: bool,
    /// The reply came after `due_on`.
    pub late: bool,
}

impl From<Deadline> for DeadlineView {
    fn from(v: Deadline) -> Self {
        Self {
            due_on: v.due_on,
            extended_due_on: v.extended_due_on,
            working_days_taken: v.working_days_taken,
            days_overdue: v.days_overdue,
            overdue: v.overdue,
            late: v.late,
        }
    }
}

/// The answer to one question of a request.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Answer, example = json!({
    "id": "0193c4a2-7d1e-7b3a-9f00-6a1d2c3b4e71",
    "position": 1,
    "campaign_question": 1,
    "question": "As my elected Police and Crime Commissioner, please can you tell me which, if any, of the following tools and tactics are being used by our local force: Body worn Video Cameras, Facial recognition, Hacking, IMSI catchers, Mobile phone extraction, Predictive policing, Social media intelligence",
    "tools": [
        "body-worn-video", "facial-recognition", "equipment-interference", "imsi-catcher",
        "mobile-phone-extraction", "predictive-policing", "social-media-intelligence"
    ],
    "outcome": "partially_disclosed",
    "answer_text": "Cambridgeshire Constabulary (the “Constabulary”) does use body worn video cameras. The OPCC does not hold information on the other tools and tactics you refer to.",
    "redirected_to": null,
    "exemptions": [],
    "deployments": [
        {"id": "0193c4a2-7d1e-7b3a-9f00-6a1d2c3b4e5f", "relation": "supports"},
        {"id": "0193c4a2-7d1e-7b3a-9f00-6a1d2c3b4e63", "relation": "supports"},
        {"id": "0193c4a2-7d1e-7b3a-9f00-6a1d2c3b4e64", "relation": "supports"},
        {"id": "0193c4a2-7d1e-7b3a-9f00-6a1d2c3b4e65", "relation": "supports"},
        {"id": "0193c4a2-7d1e-7b3a-9f00-6a1d2c3b4e66", "relation": "supports"},
        {"id": "0193c4a2-7d1e-7b3a-9f00-6a1d2c3b4e67", "relation": "supports"},
        {"id": "0193c4a2-7d1e-7b3a-9f00-6a1d2c3b4e68", "relation": "supports"}
    ],
    "impact_assessments": []
}))]
pub struct AnswerView {
    pub id: String,
    /// The question's number (1-based).
    pub position: i32,
    /// The campaign question this answer replies to (its `position` in the campaign), for a
    /// campaign's request; campaign progress matches answers to questions by it.
    pub campaign_question: Option<i32>,
    pub question: String,
    /// The tools the question asks about.
    pub tools: Vec<String>,
    pub outcome: AnswerOutcome,
    pub answer_text: String,
    /// The authority the requester was sent to, for a redirect.
    pub redirected_to: Option<String>,
    pub exemptions: Vec<ExemptionView>,
    /// Deployments this answer is evidence for or against.
    pub deployments: Vec<EvidenceLinkView>,
    /// Impact assessments this answer is evidence for or against.
    pub impact_assessments: Vec<EvidenceLinkView>,
}

impl From<Answer> for AnswerView {
    fn from(v: Answer) -> Self {
        Self {
            id: v.id,
            position: v.position,
            campaign_question: v.campaign_question,
            question: v.question,
            tools: v.tools,
            outcome: v.outcome,
            answer_text: v.answer_text,
            redirected_to: v.redirected_to,
            exemptions: v.exemptions.into_iter().map(ExemptionView::from).collect(),
            deployments: v
                .deployments
                .into_iter()
                .map(EvidenceLinkView::from)
                .collect(),
            impact_assessments: v
                .impact_assessments
                .into_iter()
                .map(EvidenceLinkView::from)
                .collect(),
        }
    }
}

/// An exemption cited in an answer.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Exemption, example = json!({"section": "s31(3)", "ncnd": true, "absolute": false}))]
pub struct ExemptionView {
    /// The section as cited: `s24(2)`, `s31(1)(a)`, `reg12(5)(a)`.
    pub section: String,
    /// Cited to neither confirm nor deny that information is held.
    pub ncnd: bool,
    /// An absolute exemption (no public interest test).
    pub absolute: bool,
}

impl From<Exemption> for ExemptionView {
    fn from(v: Exemption) -> Self {
        Self {
            section: v.section,
            ncnd: v.ncnd,
            absolute: v.absolute,
        }
    }
}

/// A link from an answer to the entry it bears on.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = EvidenceLink, example = json!({"id": "0193c4a2-7d1e-7b3a-9f00-6a1d2c3b4e5f", "relation": "supports"}))]
pub struct EvidenceLinkView {
    pub id: String,
    pub relation: Relation,
}

impl From<EvidenceLink> for EvidenceLinkView {
    fn from(v: EvidenceLink) -> Self {
        Self {
            id: v.id,
            relation: v.relation,
        }
    }
}

/// An appeal stage: internal review, a complaint to the commissioner, a tribunal.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Stage, example = json!({
    "id": "0193c4a2-7d1e-7b3a-9f00-6a1d2c3b4e75",
    "kind": "internal_review",
    "reference": "FOI/OPCC/19-026-037",
    "started_on": "2019-07-18",
    "due_on": "2019-08-15",
    "decided_on": null,
    "result": null,
    "notes": "The requester asked for a review of the answer to Q3."
}))]
pub struct StageView {
    pub id: String,
    pub kind: StageKind,
    pub reference: Option<String>,
    pub started_on: NaiveDate,
    /// For internal reviews, when the review is due (computed from `started_on` and the law).
    pub due_on: Option<NaiveDate>,
    pub decided_on: Option<NaiveDate>,
    /// The decision, in the body's words (`upheld`, `overturned`, a decision notice number).
    pub result: Option<String>,
    pub notes: String,
}

impl From<Stage> for StageView {
    fn from(v: Stage) -> Self {
        Self {
            id: v.id,
            kind: v.kind,
            reference: v.reference,
            started_on: v.started_on,
            due_on: v.due_on,
            decided_on: v.decided_on,
            result: v.result,
            notes: v.notes,
        }
    }
}

/// A document of the reply, stored byte for byte.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Document, example = json!({
    "id": "0193c4a2-7d1e-7b3a-9f00-6a1d2c3b4e74",
    "filename": "cambridgeshire-opcc-foi-2019-07-04.txt",
    "media_type": "text/plain",
    "size_bytes": 3214,
    "sha256": "351fba11decebd6aec1e6eb2c2e279e7a6c184d562321ecf1b5798ec2a8fd2d6",
    "created_at": "2019-07-04T12:00:00Z"
}))]
pub struct DocumentView {
    pub id: String,
    pub filename: String,
    pub media_type: String,
    pub size_bytes: i64,
    /// Hex SHA-256 of the bytes, to check a copy against.
    pub sha256: String,
    pub created_at: DateTime<Utc>,
}

impl From<Document> for DocumentView {
    fn from(v: Document) -> Self {
        Self {
            id: v.id,
            filename: v.filename,
            media_type: v.media_type,
            size_bytes: v.size_bytes,
            sha256: v.sha256,
            created_at: v.created_at,
        }
    }
}

/// An FOI answer cited as evidence for (or against) a claim.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = AnswerCitation, example = json!({
    "foi_request_id": "0193c4a2-7d1e-7b3a-9f00-6a1d2c3b4e70",
    "foi_request_title": "What police surveillance tools are in use in our community?",
    "authority": "cambridgeshire-pcc",
    "position": 1,
    "question": "As my elected Police and Crime Commissioner, please can you tell me which, if any, of the following tools and tactics are being used by our local force: Body worn Video Cameras, Facial recognition, Hacking, IMSI catchers, Mobile phone extraction, Predictive policing, Social media intelligence",
    "outcome": "partially_disclosed",
    "relation": "supports"
}))]
pub struct AnswerCitationView {
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

impl From<AnswerCitation> for AnswerCitationView {
    fn from(v: AnswerCitation) -> Self {
        Self {
            foi_request_id: v.foi_request_id,
            foi_request_title: v.foi_request_title,
            authority: v.authority,
            position: v.position,
            question: v.question,
            outcome: v.outcome,
            relation: v.relation,
        }
    }
}
