//! FOI requests: who was asked what and when, when the reply was due (computed from the statutory
//! calendar, never typed in), what each answer said and cited, the appeal stages, and the reply's
//! documents. Every write stores a snapshot revision and a change event.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::audit::{Action, Change, Stamp};
use super::restore::{plan, unchanged, Plan, Restorable, Restored};
use super::revisions;
use super::search::MatchesText;
use super::{new_id, parse_column, parse_json_list, utc, Page, PageRequest, StoreError};
use crate::db::schema::{
    answer_assessments, answer_deployments, answer_exemptions, authorities, campaigns,
    deployments as deployments_table, foi_answers, foi_documents, foi_requests, foi_stages,
    impact_assessments, tools,
};
use crate::db::{DbConnection, MultiBackend};
use crate::domain::{
    AnswerOutcome, DeploymentStatus, FoiLaw, FoiState, Provenance, Relation, SearchTerms, StageKind,
};
use crate::foi::FoiCalendar;

/// The entity type of FOI requests in revisions and the change feed.
const ENTITY: &str = "foi_request";

/// An FOI request, its reply, and its deadlines.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
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
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "due_on": "2019-07-11",
    "extended_due_on": "2019-08-12",
    "working_days_taken": 15,
    "days_overdue": 0,
    "overdue": false,
    "late": false
}))]
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
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "id": "0193c4a2-7d1e-7b3a-9f00-6a1d2c3b4e71",
    "position": 1,
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
pub struct Answer {
    pub id: String,
    /// The question's number (1-based).
    pub position: i32,
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"section": "s31(3)", "ncnd": true, "absolute": false}))]
pub struct Exemption {
    /// The section as cited: `s24(2)`, `s31(1)(a)`, `reg12(5)(a)`.
    pub section: String,
    /// Cited to neither confirm nor deny that information is held.
    pub ncnd: bool,
    /// An absolute exemption (no public interest test).
    pub absolute: bool,
}

/// A link from an answer to the entry it bears on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": "0193c4a2-7d1e-7b3a-9f00-6a1d2c3b4e5f", "relation": "supports"}))]
pub struct EvidenceLink {
    pub id: String,
    pub relation: Relation,
}

/// An appeal stage: internal review, a complaint to the commissioner, a tribunal.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "id": "0193c4a2-7d1e-7b3a-9f00-6a1d2c3b4e75",
    "kind": "internal_review",
    "reference": "FOI/OPCC/19-026-037",
    "started_on": "2019-07-18",
    "due_on": "2019-08-15",
    "decided_on": null,
    "result": null,
    "notes": "The requester asked for a review of the answer to Q3."
}))]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "id": "0193c4a2-7d1e-7b3a-9f00-6a1d2c3b4e74",
    "filename": "cambridgeshire-opcc-foi-2019-07-04.txt",
    "media_type": "text/plain",
    "size_bytes": 3214,
    "sha256": "351fba11decebd6aec1e6eb2c2e279e7a6c184d562321ecf1b5798ec2a8fd2d6",
    "created_at": "2019-07-04T12:00:00Z"
}))]
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

/// Where a page of requests ends: most recently received first.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FoiKey {
    pub received_on: NaiveDate,
    pub id: String,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = foi_requests)]
struct Row {
    id: String,
    authority_slug: String,
    force_slug: String,
    campaign_slug: Option<String>,
    law: String,
    title: String,
    reference_numbers: String,
    request_text: String,
    sent_on: Option<NaiveDate>,
    received_on: NaiveDate,
    due_on: NaiveDate,
    responded_on: Option<NaiveDate>,
    state: String,
    source_url: Option<String>,
    reply_text: String,
    provenance: String,
    revision: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = foi_answers)]
struct AnswerRow {
    id: String,
    foi_request_id: String,
    position: i32,
    question: String,
    tool_slugs: String,
    outcome: String,
    answer_text: String,
    redirected_to_authority_slug: Option<String>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = foi_stages)]
struct StageRow {
    id: String,
    foi_request_id: String,
    kind: String,
    reference: Option<String>,
    started_on: NaiveDate,
    due_on: Option<NaiveDate>,
    decided_on: Option<NaiveDate>,
    result: Option<String>,
    notes: String,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = foi_documents)]
struct DocumentRow {
    id: String,
    foi_request_id: String,
    filename: String,
    media_type: String,
    size_bytes: i64,
    sha256: String,
    created_at: NaiveDateTime,
}

impl DocumentRow {
    fn into_document(self) -> Document {
        Document {
            id: self.id,
            filename: self.filename,
            media_type: self.media_type,
            size_bytes: self.size_bytes,
            sha256: self.sha256,
            created_at: utc(self.created_at),
        }
    }
}

/// Today's date as the deadline arithmetic sees it (UTC).
fn today() -> NaiveDate {
    Utc::now().date_naive()
}

fn deadline(
    calendar: &FoiCalendar,
    law: FoiLaw,
    received_on: NaiveDate,
    due_on: NaiveDate,
    responded_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Deadline {
    Deadline {
        due_on,
        extended_due_on: calendar.extended_due_date(law, received_on).ok(),
        working_days_taken: responded_on
            .and_then(|on| calendar.working_days_between(law, received_on, on).ok()),
        days_overdue: (responded_on.unwrap_or(today) - due_on).num_days().max(0),
        overdue: responded_on.is_none() && today > due_on,
        late: responded_on.is_some_and(|on| on > due_on),
    }
}

/// Builds the views of `rows` with their answers, stages and documents: a fixed number of queries
/// whatever the number of rows.
fn into_views(
    conn: &mut DbConnection,
    calendar: &FoiCalendar,
    rows: Vec<Row>,
) -> Result<Vec<FoiRequest>, StoreError> {
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let mut answers = answers_of(conn, &ids)?;
    let mut stages: HashMap<String, Vec<Stage>> = HashMap::new();
    for row in foi_stages::table
        .filter(foi_stages::foi_request_id.eq_any(&ids))
        .order((foi_stages::started_on, foi_stages::id))
        .select(StageRow::as_select())
        .load(conn)?
    {
        stages.entry(row.foi_request_id).or_default().push(Stage {
            kind: parse_column("foi_stages.kind", &row.kind)?,
            id: row.id,
            reference: row.reference,
            started_on: row.started_on,
            due_on: row.due_on,
            decided_on: row.decided_on,
            result: row.result,
            notes: row.notes,
        });
    }
    let mut documents: HashMap<String, Vec<Document>> = HashMap::new();
    for row in foi_documents::table
        .filter(foi_documents::foi_request_id.eq_any(&ids))
        .order((foi_documents::created_at, foi_documents::id))
        .select(DocumentRow::as_select())
        .load(conn)?
    {
        documents
            .entry(row.foi_request_id.clone())
            .or_default()
            .push(row.into_document());
    }
    let today = today();
    rows.into_iter()
        .map(|row| {
            let law: FoiLaw = parse_column("foi_requests.law", &row.law)?;
            Ok(FoiRequest {
                deadline: deadline(
                    calendar,
                    law,
                    row.received_on,
                    row.due_on,
                    row.responded_on,
                    today,
                ),
                law,
                state: parse_column("foi_requests.state", &row.state)?,
                provenance: parse_column("foi_requests.provenance", &row.provenance)?,
                reference_numbers: parse_json_list(
                    "foi_requests.reference_numbers",
                    &row.reference_numbers,
                )?,
                answers: answers.remove(&row.id).unwrap_or_default(),
                stages: stages.remove(&row.id).unwrap_or_default(),
                documents: documents.remove(&row.id).unwrap_or_default(),
                id: row.id,
                authority: row.authority_slug,
                force: row.force_slug,
                campaign: row.campaign_slug,
                title: row.title,
                request_text: row.request_text,
                sent_on: row.sent_on,
                received_on: row.received_on,
                responded_on: row.responded_on,
                source_url: row.source_url,
                reply_text: row.reply_text,
                revision: row.revision,
                created_at: utc(row.created_at),
                updated_at: utc(row.updated_at),
            })
        })
        .collect()
}

/// The answers of these requests, with their exemptions and links, grouped by request.
fn answers_of(
    conn: &mut DbConnection,
    request_ids: &[&str],
) -> Result<HashMap<String, Vec<Answer>>, StoreError> {
    let rows: Vec<AnswerRow> = foi_answers::table
        .filter(foi_answers::foi_request_id.eq_any(request_ids))
        .order((foi_answers::foi_request_id, foi_answers::position))
        .select(AnswerRow::as_select())
        .load(conn)?;
    let answer_ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let mut exemptions: HashMap<String, Vec<Exemption>> = HashMap::new();
    for (answer, section, ncnd, absolute) in answer_exemptions::table
        .filter(answer_exemptions::foi_answer_id.eq_any(&answer_ids))
        .order((answer_exemptions::foi_answer_id, answer_exemptions::section))
        .select((
            answer_exemptions::foi_answer_id,
            answer_exemptions::section,
            answer_exemptions::ncnd,
            answer_exemptions::absolute,
        ))
        .load::<(String, String, bool, bool)>(conn)?
    {
        exemptions.entry(answer).or_default().push(Exemption {
            section,
            ncnd,
            absolute,
        });
    }
    let mut deployment_links: HashMap<String, Vec<EvidenceLink>> = HashMap::new();
    for (answer, id, relation) in answer_deployments::table
        .filter(answer_deployments::foi_answer_id.eq_any(&answer_ids))
        .order((
            answer_deployments::foi_answer_id,
            answer_deployments::deployment_id,
        ))
        .select((
            answer_deployments::foi_answer_id,
            answer_deployments::deployment_id,
            answer_deployments::relation,
        ))
        .load::<(String, String, String)>(conn)?
    {
        deployment_links
            .entry(answer)
            .or_default()
            .push(EvidenceLink {
                id,
                relation: parse_column("answer_deployments.relation", &relation)?,
            });
    }
    let mut assessment_links: HashMap<String, Vec<EvidenceLink>> = HashMap::new();
    for (answer, id, relation) in answer_assessments::table
        .filter(answer_assessments::foi_answer_id.eq_any(&answer_ids))
        .order((
            answer_assessments::foi_answer_id,
            answer_assessments::impact_assessment_id,
        ))
        .select((
            answer_assessments::foi_answer_id,
            answer_assessments::impact_assessment_id,
            answer_assessments::relation,
        ))
        .load::<(String, String, String)>(conn)?
    {
        assessment_links
            .entry(answer)
            .or_default()
            .push(EvidenceLink {
                id,
                relation: parse_column("answer_assessments.relation", &relation)?,
            });
    }
    let mut grouped: HashMap<String, Vec<Answer>> = HashMap::new();
    for row in rows {
        grouped.entry(row.foi_request_id).or_default().push(Answer {
            outcome: parse_column("foi_answers.outcome", &row.outcome)?,
            tools: parse_json_list("foi_answers.tool_slugs", &row.tool_slugs)?,
            exemptions: exemptions.remove(&row.id).unwrap_or_default(),
            deployments: deployment_links.remove(&row.id).unwrap_or_default(),
            impact_assessments: assessment_links.remove(&row.id).unwrap_or_default(),
            id: row.id,
            position: row.position,
            question: row.question,
            answer_text: row.answer_text,
            redirected_to: row.redirected_to_authority_slug,
        });
    }
    Ok(grouped)
}

fn filtered(filter: &FoiFilter) -> foi_requests::BoxedQuery<'static, MultiBackend> {
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

/// A page of requests, most recently received first.
pub fn list(
    conn: &mut DbConnection,
    calendar: &FoiCalendar,
    filter: &FoiFilter,
    page: &PageRequest<FoiKey>,
) -> Result<Page<FoiRequest, FoiKey>, StoreError> {
    let mut query = filtered(filter)
        .select(Row::as_select())
        .order((foi_requests::received_on.desc(), foi_requests::id.desc()))
        .limit(page.limit as i64 + 1);
    if let Some(FoiKey { received_on, id }) = &page.after {
        query = query.filter(
            foi_requests::received_on.le(*received_on).and(
                foi_requests::received_on
                    .lt(*received_on)
                    .or(foi_requests::id.lt(id.clone())),
            ),
        );
    }
    let rows = query.load(conn)?;
    let total = if page.count {
        Some(filtered(filter).count().get_result(conn)?)
    } else {
        None
    };
    let rows = Page::from_overfetch(rows, page.limit, |row| FoiKey {
        received_on: row.received_on,
        id: row.id.clone(),
    });
    Ok(Page {
        items: into_views(conn, calendar, rows.items)?,
        next_after: rows.next_after,
        total,
    })
}

/// One request by id.
pub fn get(
    conn: &mut DbConnection,
    calendar: &FoiCalendar,
    id: &str,
) -> Result<FoiRequest, StoreError> {
    let rows = foi_requests::table
        .filter(foi_requests::id.eq(id))
        .select(Row::as_select())
        .load(conn)?;
    into_views(conn, calendar, rows)?
        .pop()
        .ok_or_else(|| StoreError::NotFound {
            entity: "FOI request",
            key: id.to_owned(),
        })
}

/// Every version of a request, oldest first.
pub fn revisions(
    conn: &mut DbConnection,
    id: &str,
) -> Result<Vec<revisions::Revision<serde_json::Value>>, StoreError> {
    revisions::history(conn, ENTITY, id)
}

/// The force an authority answers for, and the FOI law it answers under.
pub fn authority_of(
    conn: &mut DbConnection,
    authority: &str,
) -> Result<(String, FoiLaw), StoreError> {
    let (force, law): (String, String) = authorities::table
        .find(authority)
        .select((authorities::force_slug, authorities::foi_law))
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::Invalid {
            field: "authority",
            message: format!("no authority has the slug `{authority}`"),
        })?;
    Ok((force, parse_column("authorities.foi_law", &law)?))
}

fn invalid(field: &'static str, message: String) -> StoreError {
    StoreError::Invalid { field, message }
}

/// Checks every reference of `fields` and returns the request's force and its due date.
pub fn check(
    conn: &mut DbConnection,
    calendar: &FoiCalendar,
    fields: &FoiRequestFields,
) -> Result<(String, NaiveDate), StoreError> {
    let (force, _) = authority_of(conn, &fields.authority)?;
    let due_on = calendar
        .due_date(fields.law, fields.received_on)
        .map_err(|e| invalid("received_on", e.to_string()))?;
    if let Some(campaign) = &fields.campaign {
        let found: i64 = campaigns::table
            .filter(campaigns::slug.eq(campaign))
            .count()
            .get_result(conn)?;
        if found == 0 {
            return Err(invalid(
                "campaign",
                format!("no campaign has the slug `{campaign}`"),
            ));
        }
    }
    let mut tool_slugs = BTreeSet::new();
    let mut redirects = BTreeSet::new();
    let mut deployment_ids = BTreeSet::new();
    let mut assessment_ids = BTreeSet::new();
    for answer in &fields.answers {
        tool_slugs.extend(answer.tools.iter().map(String::as_str));
        tool_slugs.extend(answer.claims.iter().map(|(tool, _)| tool.as_str()));
        redirects.extend(answer.redirected_to.as_deref());
        deployment_ids.extend(answer.deployments.iter().map(|(id, _)| id.as_str()));
        assessment_ids.extend(answer.impact_assessments.iter().map(|(id, _)| id.as_str()));
    }
    let known_tools: BTreeSet<String> = tools::table
        .filter(tools::slug.eq_any(&tool_slugs))
        .select(tools::slug)
        .load::<String>(conn)?
        .into_iter()
        .collect();
    if let Some(unknown) = tool_slugs.iter().find(|t| !known_tools.contains(**t)) {
        return Err(invalid(
            "answers",
            format!("no tool has the slug `{unknown}`"),
        ));
    }
    let known_authorities: BTreeSet<String> = authorities::table
        .filter(authorities::slug.eq_any(&redirects))
        .select(authorities::slug)
        .load::<String>(conn)?
        .into_iter()
        .collect();
    if let Some(unknown) = redirects.iter().find(|a| !known_authorities.contains(**a)) {
        return Err(invalid(
            "answers",
            format!("`redirected_to`: no authority has the slug `{unknown}`"),
        ));
    }
    let linked_deployments: Vec<(String, String)> = deployments_table::table
        .filter(deployments_table::id.eq_any(&deployment_ids))
        .select((deployments_table::id, deployments_table::force_slug))
        .load(conn)?;
    let linked_assessments: Vec<(String, String)> = impact_assessments::table
        .filter(impact_assessments::id.eq_any(&assessment_ids))
        .select((impact_assessments::id, impact_assessments::force_slug))
        .load(conn)?;
    for (what, wanted, found) in [
        ("deployment", &deployment_ids, &linked_deployments),
        ("impact assessment", &assessment_ids, &linked_assessments),
    ] {
        if found.len() != wanted.len() {
            return Err(invalid(
                "answers",
                format!("links to a {what} that does not exist"),
            ));
        }
        if let Some((id, _)) = found.iter().find(|(_, f)| *f != force) {
            return Err(invalid(
                "answers",
                format!("links to {what} `{id}` of another force than the authority's"),
            ));
        }
    }
    if fields
        .responded_on
        .is_some_and(|on| on < fields.received_on)
    {
        return Err(invalid(
            "responded_on",
            "is before `received_on`".to_owned(),
        ));
    }
    Ok((force, due_on))
}

/// Which request a write stores, and as which revision.
struct Target<'a> {
    id: &'a str,
    force: &'a str,
    due_on: NaiveDate,
    revision: i64,
    action: Action,
    created_at: NaiveDateTime,
}

/// Writes the request's row, answers and stages; shared by create and update.
fn write_content(
    conn: &mut DbConnection,
    calendar: &FoiCalendar,
    stamp: &Stamp,
    target: &Target<'_>,
    fields: &FoiRequestFields,
) -> Result<(), StoreError> {
    let Target {
        id,
        force,
        due_on,
        revision,
        action,
        created_at,
    } = *target;
    let references = serde_json::to_string(&fields.reference_numbers).expect("strings serialise");
    macro_rules! content {
        () => {
            (
                foi_requests::authority_slug.eq(&fields.authority),
                foi_requests::force_slug.eq(force),
                foi_requests::campaign_slug.eq(&fields.campaign),
                foi_requests::law.eq(fields.law.as_str()),
                foi_requests::title.eq(&fields.title),
                foi_requests::reference_numbers.eq(&references),
                foi_requests::request_text.eq(&fields.request_text),
                foi_requests::sent_on.eq(fields.sent_on),
                foi_requests::received_on.eq(fields.received_on),
                foi_requests::due_on.eq(due_on),
                foi_requests::responded_on.eq(fields.responded_on),
                foi_requests::state.eq(fields.state.as_str()),
                foi_requests::source_url.eq(&fields.source_url),
                foi_requests::reply_text.eq(&fields.reply_text),
                foi_requests::provenance.eq(fields.provenance.as_str()),
                foi_requests::revision.eq(revision),
                foi_requests::updated_at.eq(stamp.at),
            )
        };
    }
    if action == Action::Create {
        diesel::insert_into(foi_requests::table)
            .values((
                foi_requests::id.eq(id),
                content!(),
                foi_requests::created_at.eq(created_at),
            ))
            .execute(conn)?;
    } else {
        diesel::update(foi_requests::table.find(id))
            .set(content!())
            .execute(conn)?;
    }
    write_answers(conn, id, fields)?;
    diesel::delete(foi_stages::table.filter(foi_stages::foi_request_id.eq(id))).execute(conn)?;
    for stage in &fields.stages {
        let due_on = (stage.kind == StageKind::InternalReview)
            .then(|| calendar.review_due(fields.law, stage.started_on).ok())
            .flatten();
        diesel::insert_into(foi_stages::table)
            .values((
                foi_stages::id.eq(stage.id.clone().unwrap_or_else(new_id)),
                foi_stages::foi_request_id.eq(id),
                foi_stages::kind.eq(stage.kind.as_str()),
                foi_stages::reference.eq(&stage.reference),
                foi_stages::started_on.eq(stage.started_on),
                foi_stages::due_on.eq(due_on),
                foi_stages::decided_on.eq(stage.decided_on),
                foi_stages::result.eq(&stage.result),
                foi_stages::notes.eq(&stage.notes),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Writes the answers by position, so an answer keeps its id across updates; then their
/// exemptions and links. Claims are not the store's: `workflows::foi_answers` turns them into
/// links before the request is written.
fn write_answers(
    conn: &mut DbConnection,
    request_id: &str,
    fields: &FoiRequestFields,
) -> Result<(), StoreError> {
    debug_assert!(
        fields.answers.iter().all(|a| a.claims.is_empty()),
        "claims are applied by workflows::foi_answers"
    );
    let existing: HashMap<i32, String> = foi_answers::table
        .filter(foi_answers::foi_request_id.eq(request_id))
        .select((foi_answers::position, foi_answers::id))
        .load::<(i32, String)>(conn)?
        .into_iter()
        .collect();
    let count = i32::try_from(fields.answers.len()).expect("answers are bounded by the body size");
    diesel::delete(
        foi_answers::table
            .filter(foi_answers::foi_request_id.eq(request_id))
            .filter(foi_answers::position.gt(count)),
    )
    .execute(conn)?;
    for (position, answer) in (1..).zip(&fields.answers) {
        let tools = serde_json::to_string(&answer.tools).expect("strings serialise");
        let content = (
            foi_answers::question.eq(&answer.question),
            foi_answers::tool_slugs.eq(&tools),
            foi_answers::outcome.eq(answer.outcome.as_str()),
            foi_answers::answer_text.eq(&answer.answer_text),
            foi_answers::redirected_to_authority_slug.eq(&answer.redirected_to),
        );
        let answer_id = match existing.get(&position) {
            Some(id) => {
                diesel::update(foi_answers::table.find(id))
                    .set(content)
                    .execute(conn)?;
                diesel::delete(
                    answer_exemptions::table.filter(answer_exemptions::foi_answer_id.eq(id)),
                )
                .execute(conn)?;
                diesel::delete(
                    answer_deployments::table.filter(answer_deployments::foi_answer_id.eq(id)),
                )
                .execute(conn)?;
                diesel::delete(
                    answer_assessments::table.filter(answer_assessments::foi_answer_id.eq(id)),
                )
                .execute(conn)?;
                id.clone()
            }
            None => {
                let id = answer.id.clone().unwrap_or_else(new_id);
                diesel::insert_into(foi_answers::table)
                    .values((
                        foi_answers::id.eq(&id),
                        foi_answers::foi_request_id.eq(request_id),
                        foi_answers::position.eq(position),
                        content,
                    ))
                    .execute(conn)?;
                id
            }
        };
        for exemption in &answer.exemptions {
            diesel::insert_into(answer_exemptions::table)
                .values((
                    answer_exemptions::foi_answer_id.eq(&answer_id),
                    answer_exemptions::section.eq(&exemption.section),
                    answer_exemptions::ncnd.eq(exemption.ncnd),
                    answer_exemptions::absolute.eq(exemption.absolute),
                ))
                .execute(conn)?;
        }
        for (deployment, relation) in &answer.deployments {
            diesel::insert_into(answer_deployments::table)
                .values((
                    answer_deployments::foi_answer_id.eq(&answer_id),
                    answer_deployments::deployment_id.eq(deployment),
                    answer_deployments::relation.eq(relation.as_str()),
                ))
                .execute(conn)?;
        }
        for (assessment, relation) in &answer.impact_assessments {
            diesel::insert_into(answer_assessments::table)
                .values((
                    answer_assessments::foi_answer_id.eq(&answer_id),
                    answer_assessments::impact_assessment_id.eq(assessment),
                    answer_assessments::relation.eq(relation.as_str()),
                ))
                .execute(conn)?;
        }
    }
    Ok(())
}

/// The fields whose change a feed reader sees: compared on the views before and after.
const VISIBLE_FIELDS: [&str; 18] = [
    "authority",
    "campaign",
    "law",
    "title",
    "reference_numbers",
    "request_text",
    "sent_on",
    "received_on",
    "responded_on",
    "state",
    "source_url",
    "reply_text",
    "provenance",
    "due_on",
    "answers",
    "stages",
    "documents",
    "force",
];

fn changed_fields(before: &FoiRequest, after: &FoiRequest) -> Vec<&'static str> {
    let before = serde_json::to_value(before).expect("views serialise");
    let after = serde_json::to_value(after).expect("views serialise");
    VISIBLE_FIELDS
        .into_iter()
        .filter(|field| before.get(*field) != after.get(*field))
        .collect()
}

fn summary_line(request: &FoiRequest) -> String {
    format!(
        "{} · {}: {}",
        request.authority, request.title, request.state
    )
}

/// Records the revision snapshot and the change event of a write.
fn audit_write(
    conn: &mut DbConnection,
    stamp: &Stamp,
    request: &FoiRequest,
    action: Action,
    changed: &[&'static str],
) -> Result<(), StoreError> {
    revisions::record_write(
        conn,
        stamp,
        Change {
            entity_type: ENTITY,
            entity_id: &request.id,
            action,
            revision: request.revision,
            force_slug: Some(&request.force),
            changed_fields: changed,
            summary: if action == Action::Delete {
                format!("{} · {}: deleted", request.authority, request.title)
            } else {
                summary_line(request)
            },
        },
        request,
    )
}

/// Records a new request with its answers and stages. Call inside a write transaction.
pub fn create(
    conn: &mut DbConnection,
    calendar: &FoiCalendar,
    stamp: &Stamp,
    fields: &FoiRequestFields,
) -> Result<FoiRequest, StoreError> {
    let (force, due_on) = check(conn, calendar, fields)?;
    let id = new_id();
    write_content(
        conn,
        calendar,
        stamp,
        &Target {
            id: &id,
            force: &force,
            due_on,
            revision: 1,
            action: Action::Create,
            created_at: stamp.at,
        },
        fields,
    )?;
    let created = get(conn, calendar, &id)?;
    audit_write(conn, stamp, &created, Action::Create, &[])?;
    Ok(created)
}

/// The request, if it is still at the revision `expected` names.
pub fn current_at(
    conn: &mut DbConnection,
    calendar: &FoiCalendar,
    id: &str,
    expected: super::Precondition,
) -> Result<FoiRequest, StoreError> {
    let current = get(conn, calendar, id)?;
    super::expect_revision("FOI request", id, current.revision, expected)?;
    Ok(current)
}

/// Replaces a request's content if it is still at the revision `expected` names. Its authority (and so its
/// force) may change only within the same force. Call inside a write transaction.
pub fn update(
    conn: &mut DbConnection,
    calendar: &FoiCalendar,
    stamp: &Stamp,
    id: &str,
    expected: super::Precondition,
    fields: &FoiRequestFields,
) -> Result<FoiRequest, StoreError> {
    let current = current_at(conn, calendar, id, expected)?;
    let (force, due_on) = check(conn, calendar, fields)?;
    if force != current.force {
        return Err(invalid(
            "authority",
            format!(
                "answers for `{force}`, but this request belongs to `{}`; record a new request instead",
                current.force
            ),
        ));
    }
    write_content(
        conn,
        calendar,
        stamp,
        &Target {
            id,
            force: &force,
            due_on,
            revision: current.revision + 1,
            action: Action::Update,
            created_at: stamp.at,
        },
        fields,
    )?;
    let updated = get(conn, calendar, id)?;
    let changed = changed_fields(&current, &updated);
    audit_write(conn, stamp, &updated, Action::Update, &changed)?;
    Ok(updated)
}

/// Deletes a request (answers, stages and documents with it) if it is still at
/// the revision `expected` names; its revisions stay readable. Call inside a write transaction.
pub fn delete(
    conn: &mut DbConnection,
    calendar: &FoiCalendar,
    stamp: &Stamp,
    id: &str,
    expected: super::Precondition,
) -> Result<(), StoreError> {
    let mut current = current_at(conn, calendar, id, expected)?;
    let citing: Vec<String> = crate::db::schema::impact_assessments::table
        .filter(crate::db::schema::impact_assessments::revealed_by_foi_request_id.eq(id))
        .select(crate::db::schema::impact_assessments::id)
        .order(crate::db::schema::impact_assessments::id)
        .limit(10)
        .load(conn)?;
    if !citing.is_empty() {
        return Err(StoreError::Conflict(format!(
            "Impact assessments cite this request as what revealed them ({}); change them first.",
            citing.join(", ")
        )));
    }
    diesel::delete(foi_requests::table.find(id)).execute(conn)?;
    current.revision += 1;
    audit_write(conn, stamp, &current, Action::Delete, &[])
}

/// A request's content is what its writer sets; deadlines follow from it, and its documents are
/// restored on their own.
impl Restorable for FoiRequest {
    type Content = FoiRequestFields;

    fn content(&self) -> FoiRequestFields {
        let links = |links: &[EvidenceLink]| -> Vec<(String, Relation)> {
            links.iter().map(|l| (l.id.clone(), l.relation)).collect()
        };
        FoiRequestFields {
            authority: self.authority.clone(),
            campaign: self.campaign.clone(),
            law: self.law,
            title: self.title.clone(),
            reference_numbers: self.reference_numbers.clone(),
            request_text: self.request_text.clone(),
            sent_on: self.sent_on,
            received_on: self.received_on,
            responded_on: self.responded_on,
            state: self.state,
            source_url: self.source_url.clone(),
            reply_text: self.reply_text.clone(),
            provenance: self.provenance,
            answers: self
                .answers
                .iter()
                .map(|a| AnswerFields {
                    id: Some(a.id.clone()),
                    question: a.question.clone(),
                    tools: a.tools.clone(),
                    outcome: a.outcome,
                    answer_text: a.answer_text.clone(),
                    redirected_to: a.redirected_to.clone(),
                    exemptions: a.exemptions.clone(),
                    deployments: links(&a.deployments),
                    impact_assessments: links(&a.impact_assessments),
                    claims: Vec::new(),
                })
                .collect(),
            stages: self
                .stages
                .iter()
                .map(|s| StageFields {
                    id: Some(s.id.clone()),
                    kind: s.kind,
                    reference: s.reference.clone(),
                    started_on: s.started_on,
                    decided_on: s.decided_on,
                    result: s.result.clone(),
                    notes: s.notes.clone(),
                })
                .collect(),
        }
    }
}

/// Writes a request as exported (same ids, revision and times; its documents' bytes are not in
/// exports and are left out), for imports: nothing when its content is unchanged, a normal update
/// when it differs. Call inside a write transaction.
pub fn restore(
    conn: &mut DbConnection,
    calendar: &FoiCalendar,
    actor: &super::audit::Actor,
    record: &FoiRequest,
) -> Result<Restored, StoreError> {
    let fields = record.content();
    let current = match plan(get(conn, calendar, &record.id), record)? {
        Plan::Unchanged => return Ok(Restored::Unchanged),
        Plan::Update(current) => Some(current),
        Plan::Create => None,
    };
    if let Some(current) = current {
        let stamp = Stamp::now(actor.clone());
        update(
            conn,
            calendar,
            &stamp,
            &record.id,
            super::Precondition::Revision(current.revision),
            &fields,
        )?;
        return Ok(Restored::Updated);
    }
    let (force, due_on) = check(conn, calendar, &fields)?;
    let stamp = Stamp {
        actor: actor.clone(),
        at: record.updated_at.naive_utc(),
    };
    write_content(
        conn,
        calendar,
        &stamp,
        &Target {
            id: &record.id,
            force: &force,
            due_on,
            revision: record.revision,
            action: Action::Create,
            created_at: record.created_at.naive_utc(),
        },
        &fields,
    )?;
    let restored = get(conn, calendar, &record.id)?;
    audit_write(conn, &stamp, &restored, Action::Create, &[])?;
    Ok(Restored::Created)
}

/// A document to attach to a reply.
#[derive(Debug, Clone)]
pub struct NewDocument {
    pub filename: String,
    pub media_type: String,
    pub content: Vec<u8>,
}

/// Attaches a document to a request (a new revision of the request). Call inside a write
/// transaction.
pub fn add_document(
    conn: &mut DbConnection,
    calendar: &FoiCalendar,
    stamp: &Stamp,
    request_id: &str,
    document: &NewDocument,
) -> Result<(FoiRequest, Document), StoreError> {
    let before = get(conn, calendar, request_id)?;
    let id = new_id();
    let sha256 = hex::encode(Sha256::digest(&document.content));
    diesel::insert_into(foi_documents::table)
        .values((
            foi_documents::id.eq(&id),
            foi_documents::foi_request_id.eq(request_id),
            foi_documents::filename.eq(&document.filename),
            foi_documents::media_type.eq(&document.media_type),
            foi_documents::size_bytes
                .eq(i64::try_from(document.content.len()).expect("bodies are bounded")),
            foi_documents::sha256.eq(&sha256),
            foi_documents::content.eq(&document.content),
            foi_documents::created_at.eq(stamp.at),
        ))
        .execute(conn)?;
    diesel::update(foi_requests::table.find(request_id))
        .set((
            foi_requests::revision.eq(before.revision + 1),
            foi_requests::updated_at.eq(stamp.at),
        ))
        .execute(conn)?;
    let after = get(conn, calendar, request_id)?;
    audit_write(conn, stamp, &after, Action::Update, &["documents"])?;
    let added = after
        .documents
        .iter()
        .find(|d| d.id == id)
        .cloned()
        .expect("the document was just stored");
    Ok((after, added))
}

/// A document's description and bytes.
pub fn document(
    conn: &mut DbConnection,
    request_id: &str,
    document_id: &str,
) -> Result<(Document, Vec<u8>), StoreError> {
    let found: Option<(DocumentRow, Vec<u8>)> = foi_documents::table
        .filter(foi_documents::foi_request_id.eq(request_id))
        .filter(foi_documents::id.eq(document_id))
        .select((DocumentRow::as_select(), foi_documents::content))
        .first(conn)
        .optional()?;
    let (row, content) = found.ok_or_else(|| StoreError::NotFound {
        entity: "document",
        key: document_id.to_owned(),
    })?;
    Ok((row.into_document(), content))
}

/// A document with its request and its bytes: a row of the documents export, read back by import.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DocumentCopy {
    pub foi_request_id: String,
    #[serde(flatten)]
    pub document: Document,
    /// The bytes, in standard base64.
    pub content_base64: String,
}

/// A page of every stored document with its bytes, in id order. Pages are small: a document may
/// be many megabytes.
pub fn document_copies(
    conn: &mut DbConnection,
    page: &PageRequest<String>,
) -> Result<Page<DocumentCopy, String>, StoreError> {
    use base64::Engine;
    let mut query = foi_documents::table
        .select((DocumentRow::as_select(), foi_documents::content))
        .order(foi_documents::id)
        .limit(page.limit as i64 + 1)
        .into_boxed();
    if let Some(after) = &page.after {
        query = query.filter(foi_documents::id.gt(after.clone()));
    }
    let rows: Vec<(DocumentRow, Vec<u8>)> = query.load(conn)?;
    let rows = Page::from_overfetch(rows, page.limit, |(row, _)| row.id.clone());
    Ok(Page {
        items: rows
            .items
            .into_iter()
            .map(|(row, content)| DocumentCopy {
                foi_request_id: row.foi_request_id.clone(),
                document: row.into_document(),
                content_base64: base64::engine::general_purpose::STANDARD.encode(content),
            })
            .collect(),
        next_after: rows.next_after,
        total: None,
    })
}

/// A document's content is its file; when it was attached is the registry's own record.
impl Restorable for Document {
    type Content = (String, String, i64, String);

    fn content(&self) -> Self::Content {
        (
            self.filename.clone(),
            self.media_type.clone(),
            self.size_bytes,
            self.sha256.clone(),
        )
    }
}

/// Stores an exported document as it was (same id and time) on its request, for imports. The
/// request's revision is not bumped: the exported request already lists the document. `content`
/// must be the bytes `document` describes. Call inside a write transaction.
pub fn restore_document(
    conn: &mut DbConnection,
    request_id: &str,
    document: &Document,
    content: &[u8],
) -> Result<Restored, StoreError> {
    let held: Option<DocumentRow> = foi_documents::table
        .find(&document.id)
        .select(DocumentRow::as_select())
        .first(conn)
        .optional()?;
    if let Some(held) = held {
        return if held.foi_request_id == request_id && unchanged(&held.into_document(), document) {
            Ok(Restored::Unchanged)
        } else {
            Err(StoreError::Invalid {
                field: "id",
                message: "the registry holds a different document with this id".into(),
            })
        };
    }
    let requests: i64 = foi_requests::table
        .filter(foi_requests::id.eq(request_id))
        .count()
        .get_result(conn)?;
    if requests == 0 {
        return Err(StoreError::Invalid {
            field: "foi_request_id",
            message: format!("no FOI request has the id `{request_id}`; import the requests first"),
        });
    }
    diesel::insert_into(foi_documents::table)
        .values((
            foi_documents::id.eq(&document.id),
            foi_documents::foi_request_id.eq(request_id),
            foi_documents::filename.eq(&document.filename),
            foi_documents::media_type.eq(&document.media_type),
            foi_documents::size_bytes.eq(document.size_bytes),
            foi_documents::sha256.eq(&document.sha256),
            foi_documents::content.eq(content),
            foi_documents::created_at.eq(document.created_at.naive_utc()),
        ))
        .execute(conn)?;
    Ok(Restored::Created)
}

/// An FOI answer cited as evidence for (or against) a claim.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "foi_request_id": "0193c4a2-7d1e-7b3a-9f00-6a1d2c3b4e70",
    "foi_request_title": "What police surveillance tools are in use in our community?",
    "authority": "cambridgeshire-pcc",
    "position": 1,
    "question": "As my elected Police and Crime Commissioner, please can you tell me which, if any, of the following tools and tactics are being used by our local force: Body worn Video Cameras, Facial recognition, Hacking, IMSI catchers, Mobile phone extraction, Predictive policing, Social media intelligence",
    "outcome": "partially_disclosed",
    "relation": "supports"
}))]
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
