//! The body of an FOI request write, parsed into the data layer's fields with every bad field named
//! (`answers[2].outcome`, `stages[0].started_on`). Campaigns' bodies share its helpers.

use serde::Deserialize;
use utoipa::ToSchema;

use super::params::Validator;
use super::text_formats::NonBlank;
use super::text_formats::{ClaimStatus, HttpUrl};
use crate::domain::{
    AnswerOutcome, DeploymentStatus, FoiLaw, FoiState, Provenance, Relation, Role, Slug, StageKind,
};
use crate::domain::{EntityId, FoiSection};
use crate::error::ApiError;
use crate::store::foi_requests::{AnswerFields, Exemption, FoiRequestFields, StageFields};

/// Longest free-text field accepted, in characters (a reply's text can be long).
pub(super) const MAX_TEXT: usize = 200_000;
/// Most answers, stages, references or links in one request.
const MAX_ITEMS: usize = 200;

/// An FOI request as written. Deadlines are computed from `received_on` and the law.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "authority": "cambridgeshire-pcc",
    "campaign": "2019-surveillance-tools",
    "title": "What police surveillance tools are in use in our community?",
    "reference_numbers": ["FOI/OPCC/19-026-037", "19-040-043"],
    "sent_on": "2019-06-13",
    "received_on": "2019-06-13",
    "responded_on": "2019-07-04",
    "state": "partially_successful",
    "answers": [
        {"question": "Which, if any, of the following tools and tactics are being used by our local force?",
         "tools": ["body-worn-video"], "outcome": "partially_disclosed",
         "answer_text": "Cambridgeshire Constabulary does use body worn video cameras.",
         "claims": [{"tool": "body-worn-video", "status": "in_use"}]},
        {"question": "What impact assessments have been carried out?", "outcome": "not_held",
         "answer_text": "The OPCC does not hold the information requested."}
    ]
}))]
pub struct FoiRequestInput {
    /// The authority asked.
    #[schema(value_type = Slug)]
    pub authority: String,
    /// The campaign that sent it.
    #[schema(value_type = Option<Slug>)]
    pub campaign: Option<String>,
    /// Defaults to the law the authority answers under (FOISA in Scotland, else FOIA).
    #[schema(value_type = Option<FoiLaw>)]
    pub law: Option<String>,
    #[schema(value_type = NonBlank)]
    pub title: String,
    /// The authority's references for the request; one given twice is kept once.
    #[serde(default)]
    #[schema(value_type = Vec<NonBlank>)]
    pub reference_numbers: Vec<String>,
    #[serde(default)]
    pub request_text: String,
    #[schema(value_type = Option<NaiveDate>)]
    pub sent_on: Option<String>,
    /// When the authority received the request. Its deadline is counted on the shipped bank-holiday
    /// calendar, which covers 2005 to 2030: a date from which the deadline cannot be counted within
    /// those years is refused (400).
    #[schema(value_type = NaiveDate)]
    pub received_on: String,
    #[schema(value_type = Option<NaiveDate>)]
    pub responded_on: Option<String>,
    /// Defaults to `waiting_response`.
    #[schema(value_type = Option<FoiState>)]
    pub state: Option<String>,
    /// An http(s) URL.
    #[schema(value_type = Option<HttpUrl>)]
    pub source_url: Option<String>,
    #[serde(default)]
    pub reply_text: String,
    /// Defaults to `foi`; always `force_reported` for force staff.
    #[schema(value_type = Option<Provenance>)]
    pub provenance: Option<String>,
    #[serde(default)]
    pub answers: Vec<AnswerInput>,
    #[serde(default)]
    pub stages: Vec<StageInput>,
}

/// One answer as written; its position is its place in `answers`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "question": "And can you guarantee that intrusive police tech will not be used in the future without proper safeguards and public consultation in place to ensure our fundamental rights are protected?",
    "outcome": "not_valid",
    "answer_text": "This question is not valid under s8 of the Act as it is an opinion based question rather than a request for information held. However, the Constabulary, which is a separate organisation to the OPCC, and is treated as such under the Act, may hold this information. Therefore, you may wish to resubmit your request to the Constabulary by email to foi@cambs.pnn.police.uk.",
    "redirected_to": "cambridgeshire"
}))]
pub struct AnswerInput {
    /// For a campaign's request: the number of the campaign question this answer replies to.
    /// When no answer names one, each replies to the campaign question at its own place in
    /// `answers`, if the campaign has that many.
    #[schema(value_type = Option<i32>, minimum = 1)]
    pub campaign_question: Option<serde_json::Number>,
    #[schema(value_type = NonBlank)]
    pub question: String,
    /// Slugs of the tools the question asks about.
    #[serde(default)]
    #[schema(value_type = Vec<Slug>)]
    pub tools: Vec<String>,
    #[schema(value_type = AnswerOutcome)]
    pub outcome: String,
    #[serde(default)]
    pub answer_text: String,
    /// For a redirect: the authority the requester was sent to.
    #[schema(value_type = Option<Slug>)]
    pub redirected_to: Option<String>,
    #[serde(default)]
    pub exemptions: Vec<ExemptionInput>,
    /// Existing deployments of the same force this answer bears on.
    #[serde(default)]
    pub deployments: Vec<LinkInput>,
    /// Existing impact assessments of the same force this answer bears on.
    #[serde(default)]
    pub impact_assessments: Vec<LinkInput>,
    /// What the answer establishes: each tool's deployment for the authority's force is set to
    /// the status (created if the force has none) in the same transaction, as an audited revision.
    #[serde(default)]
    pub claims: Vec<ClaimInput>,
}

/// An exemption as cited.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"section": "s31(3)", "ncnd": true, "absolute": false}))]
pub struct ExemptionInput {
    /// `s24(2)`, `s31(1)(a)`, `reg12(5)(a)`.
    #[schema(value_type = FoiSection, example = "s31(3)")]
    pub section: String,
    /// Cited to neither confirm nor deny.
    #[serde(default)]
    pub ncnd: bool,
    /// An absolute exemption.
    #[serde(default)]
    pub absolute: bool,
}

/// A link from an answer to an entry.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"id": "0193c4a2-7d1e-7b3a-9f00-6a1d2c3b4e5f", "relation": "supports"}))]
pub struct LinkInput {
    #[schema(value_type = EntityId)]
    pub id: String,
    /// Defaults to `supports`.
    #[schema(value_type = Option<Relation>)]
    pub relation: Option<String>,
}

/// A claim an answer establishes about one tool.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"tool": "body-worn-video", "status": "in_use"}))]
pub struct ClaimInput {
    #[schema(value_type = Slug)]
    pub tool: String,
    #[schema(value_type = ClaimStatus)]
    pub status: String,
}

/// An appeal stage as written.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "kind": "internal_review",
    "reference": "FOI/OPCC/19-026-037",
    "started_on": "2019-07-18",
    "notes": "The requester asked for a review of the answer to Q3."
}))]
pub struct StageInput {
    #[schema(value_type = StageKind)]
    pub kind: String,
    pub reference: Option<String>,
    #[schema(value_type = NaiveDate)]
    pub started_on: String,
    #[schema(value_type = Option<NaiveDate>)]
    pub decided_on: Option<String>,
    pub result: Option<String>,
    #[serde(default)]
    pub notes: String,
}

pub(super) fn bounded<T>(v: &mut Validator, field: &str, items: Vec<T>) -> Vec<T> {
    if items.len() > MAX_ITEMS {
        v.reject(field, format!("may hold at most {MAX_ITEMS} items"));
    }
    items
}

pub(super) fn slug(v: &mut Validator, field: &str, raw: &str) -> Option<String> {
    v.parse::<Slug>(field, Some(raw)).map(Slug::into_inner)
}

impl AnswerInput {
    fn parse(self, v: &mut Validator, at: &str) -> AnswerFields {
        let field = |name: &str| format!("{at}.{name}");
        let mut exemptions: Vec<Exemption> = Vec::new();
        for (i, exemption) in bounded(v, &field("exemptions"), self.exemptions)
            .into_iter()
            .enumerate()
        {
            let field = format!("{at}.exemptions[{i}].section");
            let Some(section) = v.parse::<FoiSection>(&field, Some(&exemption.section)) else {
                continue;
            };
            if exemptions.iter().any(|e| e.section == section.as_str()) {
                v.reject(&field, "is cited twice in this answer");
            }
            exemptions.push(Exemption {
                section: section.into_inner(),
                ncnd: exemption.ncnd,
                absolute: exemption.absolute,
            });
        }
        let mut links = |name: &str, items: Vec<LinkInput>| -> Vec<(String, Relation)> {
            let mut parsed: Vec<(String, Relation)> = Vec::new();
            for (i, link) in bounded(v, &field(name), items).into_iter().enumerate() {
                let id = v.id(&format!("{at}.{name}[{i}].id"), &link.id);
                let relation = v
                    .parse::<Relation>(
                        &format!("{at}.{name}[{i}].relation"),
                        link.relation.as_deref(),
                    )
                    .unwrap_or(Relation::Supports);
                if let Some(id) = id {
                    if parsed.iter().any(|(seen, _)| *seen == id) {
                        v.reject(&format!("{at}.{name}[{i}].id"), "is linked twice");
                    }
                    parsed.push((id, relation));
                }
            }
            parsed
        };
        let deployments = links("deployments", self.deployments);
        let impact_assessments = links("impact_assessments", self.impact_assessments);
        let mut tools: Vec<String> = Vec::new();
        for (i, tool) in bounded(v, &field("tools"), self.tools)
            .into_iter()
            .enumerate()
        {
            if let Some(tool) = slug(v, &format!("{at}.tools[{i}]"), &tool) {
                if !tools.contains(&tool) {
                    tools.push(tool);
                }
            }
        }
        let mut claims: Vec<(String, DeploymentStatus)> = Vec::new();
        for (i, claim) in bounded(v, &field("claims"), self.claims)
            .into_iter()
            .enumerate()
        {
            let tool = slug(v, &format!("{at}.claims[{i}].tool"), &claim.tool);
            let status = v.parse::<DeploymentStatus>(
                &format!("{at}.claims[{i}].status"),
                Some(&claim.status),
            );
            if status.is_some_and(|status| !status.is_recordable()) {
                v.reject(
                    &format!("{at}.claims[{i}].status"),
                    "`not_researched` means nothing is recorded; a claim records what the answer says",
                );
            }
            if let (Some(tool), Some(status)) = (tool, status) {
                if claims.iter().any(|(seen, _)| *seen == tool) {
                    v.reject(&format!("{at}.claims[{i}].tool"), "is claimed twice");
                }
                claims.push((tool, status));
            }
        }
        let outcome = v.parse::<AnswerOutcome>(&field("outcome"), Some(&self.outcome));
        // Any JSON number that is a whole number counts (`3.0` is the integer 3 to JSON Schema).
        let campaign_question = self.campaign_question.as_ref().and_then(|n| {
            let whole = n
                .as_f64()
                .filter(|q| q.fract() == 0.0 && *q >= 1.0 && *q <= f64::from(i32::MAX))
                .map(|q| q as i32);
            if whole.is_none() {
                v.reject(&field("campaign_question"), "must be 1 or more");
            }
            whole
        });
        AnswerFields {
            id: None,
            campaign_question,
            question: v.required_text(&field("question"), self.question, MAX_TEXT),
            tools,
            outcome: outcome.unwrap_or(AnswerOutcome::NoAnswer),
            answer_text: v
                .text(&field("answer_text"), Some(self.answer_text), MAX_TEXT)
                .unwrap_or_default(),
            redirected_to: match (outcome, self.redirected_to) {
                (Some(AnswerOutcome::Redirected), None) => {
                    v.reject(
                        &field("redirected_to"),
                        "is required when the outcome is `redirected`: name the authority asked to answer",
                    );
                    None
                }
                (_, target) => target.and_then(|a| slug(v, &field("redirected_to"), &a)),
            },
            exemptions,
            deployments,
            impact_assessments,
            claims,
        }
    }
}

impl StageInput {
    fn parse(self, v: &mut Validator, at: &str) -> Option<StageFields> {
        let field = |name: &str| format!("{at}.{name}");
        let kind = v.parse::<StageKind>(&field("kind"), Some(&self.kind));
        let started_on = v.date(&field("started_on"), Some(&self.started_on));
        let decided_on = v.date(&field("decided_on"), self.decided_on.as_deref());
        if let (Some(started), Some(decided)) = (started_on, decided_on) {
            if decided < started {
                v.reject(&field("decided_on"), "is before `started_on`");
            }
        }
        Some(StageFields {
            id: None,
            kind: kind?,
            reference: v.text(&field("reference"), self.reference, MAX_TEXT),
            started_on: started_on?,
            decided_on,
            result: v.text(&field("result"), self.result, MAX_TEXT),
            notes: v
                .text(&field("notes"), Some(self.notes), MAX_TEXT)
                .unwrap_or_default(),
        })
    }
}

impl FoiRequestInput {
    /// The authority's slug, checked before anything else so the caller can be authorised.
    pub fn authority(&self) -> Result<Slug, ApiError> {
        self.authority
            .parse()
            .map_err(|e: crate::domain::ParseError| ApiError::invalid_field("authority", e.0))
    }

    /// Parses the body written by `writer` (`None`: the registry itself); `default_law` is the
    /// authority's own law.
    pub fn parse(
        self,
        writer: Option<Role>,
        default_law: FoiLaw,
    ) -> Result<FoiRequestFields, ApiError> {
        let mut v = Validator::default();
        let authority = slug(&mut v, "authority", &self.authority);
        let campaign = self.campaign.and_then(|c| slug(&mut v, "campaign", &c));
        let law = v
            .parse::<FoiLaw>("law", self.law.as_deref())
            .unwrap_or(default_law);
        let received_on = v.date("received_on", Some(&self.received_on));
        let responded_on = v.date("responded_on", self.responded_on.as_deref());
        let sent_on = v.date("sent_on", self.sent_on.as_deref());
        if let (Some(sent), Some(received)) = (sent_on, received_on) {
            if received < sent {
                v.reject("received_on", "is before `sent_on`");
            }
        }
        let state = v
            .parse::<FoiState>("state", self.state.as_deref())
            .unwrap_or(FoiState::WaitingResponse);
        let mut reference_numbers = Vec::new();
        for (i, reference) in bounded(&mut v, "reference_numbers", self.reference_numbers)
            .into_iter()
            .enumerate()
        {
            match v.text(
                &format!("reference_numbers[{i}]"),
                Some(reference),
                MAX_TEXT,
            ) {
                // A reference given twice is one reference.
                Some(reference) => {
                    if !reference_numbers.contains(&reference) {
                        reference_numbers.push(reference);
                    }
                }
                None => v.reject(&format!("reference_numbers[{i}]"), "must not be empty"),
            }
        }
        let answers: Vec<AnswerFields> = bounded(&mut v, "answers", self.answers)
            .into_iter()
            .enumerate()
            .map(|(i, answer)| answer.parse(&mut v, &format!("answers[{i}]")))
            .collect();
        let stages: Vec<Option<StageFields>> = bounded(&mut v, "stages", self.stages)
            .into_iter()
            .enumerate()
            .map(|(i, stage)| stage.parse(&mut v, &format!("stages[{i}]")))
            .collect();
        let fields = FoiRequestFields {
            campaign,
            law,
            title: v.required_text("title", self.title, MAX_TEXT),
            reference_numbers,
            request_text: v
                .text("request_text", Some(self.request_text), MAX_TEXT)
                .unwrap_or_default(),
            sent_on,
            responded_on,
            state,
            source_url: v.url("source_url", self.source_url),
            reply_text: v
                .text("reply_text", Some(self.reply_text), MAX_TEXT)
                .unwrap_or_default(),
            provenance: v.provenance(writer, self.provenance.as_deref(), Provenance::Foi),
            answers,
            stages: stages.into_iter().flatten().collect(),
            authority: authority.unwrap_or_default(),
            received_on: received_on.unwrap_or_default(),
        };
        v.finish()?;
        Ok(fields)
    }
}
