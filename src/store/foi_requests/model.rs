//! The request as read (with its answers, stages, documents and computed deadlines) and
//! as a writer sets it.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::{
    AnswerOutcome, DeploymentStatus, FoiLaw, FoiState, Provenance, Relation, StageKind,
};

/// An FOI request, its reply, and its deadlines.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FoiRequest {
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
    pub deadline: Deadline,
    /// One per question, in the order asked.
    pub answers: Vec<Answer>,
    /// Appeals after the reply, oldest first.
    pub stages: Vec<Stage>,
    /// The reply's documents (their bytes at `/foi-requests/{id}/documents/{document_id}`).
    pub documents: Vec<Document>,
    pub revision: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Deadlines computed from the receipt date and the law's working days.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Deadline {
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

/// The answer to one question of a request.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Answer {
    pub id: String,
    /// The question's number (1-based).
    pub position: i32,
    /// The campaign question this answer replies to (its position in the campaign), for a
    /// campaign's request.
    #[serde(default)]
    pub campaign_question: Option<i32>,
    pub question: String,
    /// The tools the question asks about.
    pub tools: Vec<String>,
    pub outcome: AnswerOutcome,
    pub answer_text: String,
    /// The authority the requester was sent to, for a redirect.
    pub redirected_to: Option<String>,
    pub exemptions: Vec<Exemption>,
    /// Deployments this answer is evidence for or against.
    pub deployments: Vec<EvidenceLink>,
    /// Impact assessments this answer is evidence for or against.
    pub impact_assessments: Vec<EvidenceLink>,
}

/// An exemption cited in an answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exemption {
    /// The section as cited: `s24(2)`, `s31(1)(a)`, `reg12(5)(a)`.
    pub section: String,
    /// Cited to neither confirm nor deny that information is held.
    pub ncnd: bool,
    /// An absolute exemption (no public interest test).
    pub absolute: bool,
}

/// A link from an answer to the entry it bears on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceLink {
    pub id: String,
    pub relation: Relation,
}

/// An appeal stage: internal review, a complaint to the commissioner, a tribunal.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Stage {
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

/// A document of the reply, stored byte for byte.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    pub id: String,
    pub filename: String,
    pub media_type: String,
    pub size_bytes: i64,
    /// Hex SHA-256 of the bytes, to check a copy against.
    pub sha256: String,
    pub created_at: DateTime<Utc>,
}

/// A request as written. Deadlines are computed; positions follow the order of `answers`.
#[derive(Debug, Clone, PartialEq)]
pub struct FoiRequestFields {
    pub authority: String,
    pub campaign: Option<String>,
    pub law: FoiLaw,
    pub title: String,
    pub reference_numbers: Vec<String>,
    pub request_text: String,
    pub sent_on: Option<NaiveDate>,
    pub received_on: NaiveDate,
    pub responded_on: Option<NaiveDate>,
    pub state: FoiState,
    pub source_url: Option<String>,
    pub reply_text: String,
    pub provenance: Provenance,
    pub answers: Vec<AnswerFields>,
    pub stages: Vec<StageFields>,
}

/// One answer as written.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerFields {
    /// The id of a restored answer; new answers get a fresh one, existing ones keep theirs.
    pub id: Option<String>,
    /// The campaign question it replies to, if named (see `check` for the default).
    pub campaign_question: Option<i32>,
    pub question: String,
    pub tools: Vec<String>,
    pub outcome: AnswerOutcome,
    pub answer_text: String,
    pub redirected_to: Option<String>,
    pub exemptions: Vec<Exemption>,
    pub deployments: Vec<(String, Relation)>,
    pub impact_assessments: Vec<(String, Relation)>,
    /// Claims this answer establishes: each tool's deployment for the request's force is set to
    /// the status (created if the force has none), and linked as supported by the answer. Applied
    /// by `workflows::foi_answers`; the store itself writes links only.
    pub claims: Vec<(String, DeploymentStatus)>,
}

/// One appeal stage as written.
#[derive(Debug, Clone, PartialEq)]
pub struct StageFields {
    /// The id of a restored stage; others get a fresh one.
    pub id: Option<String>,
    pub kind: StageKind,
    pub reference: Option<String>,
    pub started_on: NaiveDate,
    pub decided_on: Option<NaiveDate>,
    pub result: Option<String>,
    pub notes: String,
}
