//! The views of a campaign and of its progress across the authorities it asked, as the API answers
//! with them.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::examples::{example_with, schema_example};
use crate::domain::{AnswerOutcome, FoiLaw, FoiState};
use crate::store::campaigns::{
    Campaign, CampaignProgress, CampaignQuestion, ExemptionCount, OutcomeCount, ProgressTotals,
    QuestionOutcomes, RequestProgress, SectionCount,
};

/// A campaign: its request, its questions, and when it started.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Campaign, example = json!({
    "slug": "2019-surveillance-tools",
    "title": "What police surveillance tools are in use in our community?",
    "description": "The 2019 campaign asking every Police and Crime Commissioner about seven surveillance tools.",
    "request_text": "As my elected Police and Crime Commissioner, please can you tell me ...",
    "started_on": "2019-06-13",
    "law": "foia",
    "questions": [
        {"position": 1, "question": "Which, if any, of the following tools and tactics are being used by our local force?",
         "tools": ["body-worn-video", "facial-recognition", "equipment-interference", "imsi-catcher",
                   "mobile-phone-extraction", "predictive-policing", "social-media-intelligence"]},
        {"position": 2, "question": "What impact assessments have been carried out?", "tools": []},
        {"position": 3, "question": "Can you guarantee that intrusive police tech will not be used in the future without proper safeguards and public consultation?", "tools": []}
    ],
    "revision": 1,
    "created_at": "2019-06-13T09:00:00Z",
    "updated_at": "2019-06-13T09:00:00Z"
}))]
pub struct CampaignView {
    pub slug: String,
    pub title: String,
    pub description: String,
    /// The request as sent.
    pub request_text: String,
    pub started_on: NaiveDate,
    /// The law the request was made under (Scottish authorities answer under FOISA).
    pub law: FoiLaw,
    pub questions: Vec<CampaignQuestionView>,
    pub revision: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Campaign> for CampaignView {
    fn from(v: Campaign) -> Self {
        Self {
            slug: v.slug,
            title: v.title,
            description: v.description,
            request_text: v.request_text,
            started_on: v.started_on,
            law: v.law,
            questions: v
                .questions
                .into_iter()
                .map(CampaignQuestionView::from)
                .collect(),
            revision: v.revision,
            created_at: v.created_at,
            updated_at: v.updated_at,
        }
    }
}

/// One question of a campaign.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = CampaignQuestion, example = json!({
    "position": 1,
    "question": "As my elected Police and Crime Commissioner, please can you tell me which, if any, of the following tools and tactics are being used by our local force: Body worn Video Cameras, Facial recognition, Hacking, IMSI catchers, Mobile phone extraction, Predictive policing, Social media intelligence",
    "tools": [
        "body-worn-video", "facial-recognition", "equipment-interference", "imsi-catcher",
        "mobile-phone-extraction", "predictive-policing", "social-media-intelligence"
    ]
}))]
pub struct CampaignQuestionView {
    /// 1-based.
    pub position: i32,
    pub question: String,
    /// The tools it asks about.
    pub tools: Vec<String>,
}

impl From<CampaignQuestion> for CampaignQuestionView {
    fn from(v: CampaignQuestion) -> Self {
        Self {
            position: v.position,
            question: v.question,
            tools: v.tools,
        }
    }
}

/// The example of [`CampaignProgressView`]: the 2019 campaign's own, with the Cambridgeshire reply.
fn progress_example() -> serde_json::Value {
    example_with::<CampaignView>(serde_json::json!({
        "totals": {"requests": 1, "answered": 1, "answered_late": 0, "awaiting": 0, "overdue": 0},
        "question_outcomes": [
            {"position": 1, "outcomes": [{"outcome": "partially_disclosed", "count": 1}]},
            {"position": 2, "outcomes": [{"outcome": "not_held", "count": 1}]},
            {"position": 3, "outcomes": [{"outcome": "not_valid", "count": 1}]}
        ],
        "exemptions": [],
        "requests": [schema_example::<RequestProgressView>()]
    }))
}

/// How a campaign is going across every authority it asked.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = CampaignProgress, example = progress_example)]
pub struct CampaignProgressView {
    #[serde(flatten)]
    pub campaign: CampaignView,
    pub totals: ProgressTotalsView,
    /// For each question, how many authorities answered it each way.
    pub question_outcomes: Vec<QuestionOutcomesView>,
    /// Exemptions cited in the campaign's replies, by section of the Act (`s31` counting
    /// `s31(3)` and `s31(1)(a)`), most cited first.
    pub exemptions: Vec<ExemptionCountView>,
    /// One row per request, by force then authority.
    pub requests: Vec<RequestProgressView>,
}

impl From<CampaignProgress> for CampaignProgressView {
    fn from(v: CampaignProgress) -> Self {
        Self {
            campaign: CampaignView::from(v.campaign),
            totals: ProgressTotalsView::from(v.totals),
            question_outcomes: v
                .question_outcomes
                .into_iter()
                .map(QuestionOutcomesView::from)
                .collect(),
            exemptions: v
                .exemptions
                .into_iter()
                .map(ExemptionCountView::from)
                .collect(),
            requests: v
                .requests
                .into_iter()
                .map(RequestProgressView::from)
                .collect(),
        }
    }
}

/// Counts of the campaign's requests.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ProgressTotals, example = json!({
    "requests": 1,
    "answered": 1,
    "answered_late": 0,
    "awaiting": 0,
    "overdue": 0
}))]
pub struct ProgressTotalsView {
    /// Requests sent (one per targeted authority).
    pub requests: i64,
    /// Replied to.
    pub answered: i64,
    /// Replied to after the statutory deadline.
    pub answered_late: i64,
    /// No reply yet, deadline still ahead.
    pub awaiting: i64,
    /// No reply and the deadline has passed.
    pub overdue: i64,
}

impl From<ProgressTotals> for ProgressTotalsView {
    fn from(v: ProgressTotals) -> Self {
        Self {
            requests: v.requests,
            answered: v.answered,
            answered_late: v.answered_late,
            awaiting: v.awaiting,
            overdue: v.overdue,
        }
    }
}

/// How one question was answered across the campaign.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = QuestionOutcomes, example = json!({
    "position": 1,
    "outcomes": [{"outcome": "partially_disclosed", "count": 1}]
}))]
pub struct QuestionOutcomesView {
    pub position: i32,
    pub outcomes: Vec<OutcomeCountView>,
}

impl From<QuestionOutcomes> for QuestionOutcomesView {
    fn from(v: QuestionOutcomes) -> Self {
        Self {
            position: v.position,
            outcomes: v.outcomes.into_iter().map(OutcomeCountView::from).collect(),
        }
    }
}

/// A count of one outcome.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = OutcomeCount, example = json!({"outcome": "partially_disclosed", "count": 1}))]
pub struct OutcomeCountView {
    pub outcome: AnswerOutcome,
    pub count: i64,
}

impl From<OutcomeCount> for OutcomeCountView {
    fn from(v: OutcomeCount) -> Self {
        Self {
            outcome: v.outcome,
            count: v.count,
        }
    }
}

/// How often one section of the Act was cited in the campaign's replies.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ExemptionCount, example = json!({
    "section": "s31",
    "count": 5,
    "ncnd": 2,
    "subsections": [
        {"section": "s31(1)(a)", "count": 3, "ncnd": 0},
        {"section": "s31(3)", "count": 2, "ncnd": 2}
    ]
}))]
pub struct ExemptionCountView {
    /// The section without subsections (`s31`, `reg12`).
    pub section: String,
    /// Citations of the section or any of its subsections (one per answer citing it).
    pub count: i64,
    /// Of those, the citations made to neither confirm nor deny that information is held.
    pub ncnd: i64,
    /// The same citations by the section exactly as cited (`s31` itself when cited without a
    /// subsection), most cited first; their counts add up to the section's.
    pub subsections: Vec<SectionCountView>,
}

impl From<ExemptionCount> for ExemptionCountView {
    fn from(v: ExemptionCount) -> Self {
        Self {
            section: v.section,
            count: v.count,
            ncnd: v.ncnd,
            subsections: v
                .subsections
                .into_iter()
                .map(SectionCountView::from)
                .collect(),
        }
    }
}

/// How often a section was cited exactly so.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = SectionCount, example = json!({"section": "s31(3)", "count": 2, "ncnd": 2}))]
pub struct SectionCountView {
    /// The section as cited.
    pub section: String,
    pub count: i64,
    /// Citations that neither confirmed nor denied.
    pub ncnd: i64,
}

impl From<SectionCount> for SectionCountView {
    fn from(v: SectionCount) -> Self {
        Self {
            section: v.section,
            count: v.count,
            ncnd: v.ncnd,
        }
    }
}

/// Where one targeted authority stands.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = RequestProgress, example = json!({
    "foi_request_id": "0193c4a2-7d1e-7b3a-9f00-6a1d2c3b4e70",
    "authority": "cambridgeshire-pcc",
    "authority_name": "Cambridgeshire Police and Crime Commissioner",
    "force": "cambridgeshire",
    "state": "partially_successful",
    "received_on": "2019-06-13",
    "due_on": "2019-07-11",
    "responded_on": "2019-07-04",
    "overdue": false,
    "late": false,
    "days_overdue": null,
    "outcomes": {"1": "partially_disclosed", "2": "not_held", "3": "not_valid"}
}))]
pub struct RequestProgressView {
    pub foi_request_id: String,
    /// The authority's slug.
    pub authority: String,
    /// The authority's name.
    pub authority_name: String,
    pub force: String,
    pub state: FoiState,
    pub received_on: NaiveDate,
    pub due_on: NaiveDate,
    pub responded_on: Option<NaiveDate>,
    /// No reply yet and `due_on` has passed.
    pub overdue: bool,
    /// The reply came after `due_on`.
    pub late: bool,
    /// Calendar days past `due_on` while overdue; `null` when not overdue.
    pub days_overdue: Option<i64>,
    /// The outcome for each campaign question, keyed by the question's `position`: the outcome
    /// of the answer that replies to it (its `campaign_question`), `no_answer` when none does.
    #[schema(value_type = BTreeMap<String, AnswerOutcome>)]
    pub outcomes: BTreeMap<i32, AnswerOutcome>,
}

impl From<RequestProgress> for RequestProgressView {
    fn from(v: RequestProgress) -> Self {
        Self {
            foi_request_id: v.foi_request_id,
            authority: v.authority,
            authority_name: v.authority_name,
            force: v.force,
            state: v.state,
            received_on: v.received_on,
            due_on: v.due_on,
            responded_on: v.responded_on,
            overdue: v.overdue,
            late: v.late,
            days_overdue: v.days_overdue,
            outcomes: v.outcomes,
        }
    }
}
