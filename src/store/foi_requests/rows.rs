//! The stored rows of a request and its parts, and how they become the views: a fixed number of
//! queries per page, deadlines computed on the way out.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::model::{Answer, Deadline, Document, EvidenceLink, Exemption, FoiRequest, Stage};
use crate::db::schema::{
    answer_assessments, answer_deployments, answer_exemptions, foi_answers, foi_documents,
    foi_requests, foi_stages,
};
use crate::db::DbConnection;
use crate::domain::FoiLaw;
use crate::foi::{FoiCalendar, Timeliness};
use crate::store::{parse_column, parse_json_list, utc, StoreError};

#[derive(Queryable, Selectable)]
#[diesel(table_name = foi_requests)]
pub(super) struct Row {
    pub(super) id: String,
    pub(super) authority_slug: String,
    pub(super) force_slug: String,
    pub(super) campaign_slug: Option<String>,
    pub(super) law: String,
    pub(super) title: String,
    pub(super) reference_numbers: String,
    pub(super) request_text: String,
    pub(super) sent_on: Option<NaiveDate>,
    pub(super) received_on: NaiveDate,
    pub(super) due_on: NaiveDate,
    pub(super) responded_on: Option<NaiveDate>,
    pub(super) state: String,
    pub(super) source_url: Option<String>,
    pub(super) reply_text: String,
    pub(super) provenance: String,
    pub(super) revision: i64,
    pub(super) created_at: NaiveDateTime,
    pub(super) updated_at: NaiveDateTime,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = foi_answers)]
pub(super) struct AnswerRow {
    pub(super) id: String,
    pub(super) foi_request_id: String,
    pub(super) position: i32,
    pub(super) question: String,
    pub(super) tool_slugs: String,
    pub(super) outcome: String,
    pub(super) answer_text: String,
    pub(super) redirected_to_authority_slug: Option<String>,
    pub(super) campaign_question: Option<i32>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = foi_stages)]
pub(super) struct StageRow {
    pub(super) id: String,
    pub(super) foi_request_id: String,
    pub(super) kind: String,
    pub(super) reference: Option<String>,
    pub(super) started_on: NaiveDate,
    pub(super) due_on: Option<NaiveDate>,
    pub(super) decided_on: Option<NaiveDate>,
    pub(super) result: Option<String>,
    pub(super) notes: String,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = foi_documents)]
pub(super) struct DocumentRow {
    pub(super) id: String,
    pub(super) foi_request_id: String,
    pub(super) filename: String,
    pub(super) media_type: String,
    pub(super) size_bytes: i64,
    pub(super) sha256: String,
    pub(super) created_at: NaiveDateTime,
}

impl DocumentRow {
    pub(super) fn into_document(self) -> Document {
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
pub(super) fn today() -> NaiveDate {
    Utc::now().date_naive()
}

pub(super) fn deadline(
    calendar: &FoiCalendar,
    law: FoiLaw,
    received_on: NaiveDate,
    due_on: NaiveDate,
    responded_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Deadline {
    let Timeliness {
        late,
        overdue,
        days_overdue,
    } = Timeliness::of(due_on, responded_on, today);
    Deadline {
        due_on,
        extended_due_on: calendar.extended_due_date(law, received_on).ok(),
        working_days_taken: responded_on
            .and_then(|on| calendar.working_days_between(law, received_on, on).ok()),
        days_overdue,
        overdue,
        late,
    }
}

/// Builds the views of `rows` with their answers, stages and documents: a fixed number of queries
/// whatever the number of rows.
pub(super) fn into_views(
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
            campaign_question: row.campaign_question,
            question: row.question,
            answer_text: row.answer_text,
            redirected_to: row.redirected_to_authority_slug,
        });
    }
    Ok(grouped)
}
