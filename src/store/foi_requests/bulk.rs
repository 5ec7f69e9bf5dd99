//! Requests written table by table with multi-row statements: many new ones at once (imports, the
//! demo seeder, and a single create alike), checked together in a fixed number of queries, a few
//! statements per thousand requests instead of some twenty per request; and the answers and stages
//! of an updated one. Nothing is read back: each request's stored view (and so its revision
//! snapshot) is built first, and its rows are written from it.

use std::collections::BTreeSet;

use chrono::NaiveDateTime;

use super::check::{Checked, References};
use super::model::{Answer, EvidenceLink, FoiRequest, FoiRequestFields, Stage};
use super::rows::{deadline, today};
use super::write::summary_line;
use super::ENTITY;
use crate::db::bulk::{insert_rows, StoredTime, Value};
use crate::db::DbConnection;
use crate::domain::{Relation, StageKind};
use crate::foi::FoiCalendar;
use crate::store::audit::Actor;
use crate::store::revisions::{self, Created};
use crate::store::{new_id, utc, StoreError};

/// A request the registry does not hold, with the id, revision and times it is stored under.
pub struct NewRequest<'a> {
    pub id: &'a str,
    pub fields: &'a FoiRequestFields,
    pub revision: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The request as a read will return it once written: answers numbered in order with their
/// campaign questions, links and exemptions in the order reads give them, stages oldest first
/// with their review deadlines, and no documents yet. Answers and stages without an id get one.
pub(super) fn stored_view(
    calendar: &FoiCalendar,
    new: &NewRequest<'_>,
    checked: Checked,
) -> FoiRequest {
    let fields = new.fields;
    let links = |links: &[(String, Relation)]| {
        let mut links: Vec<EvidenceLink> = links
            .iter()
            .map(|(id, relation)| EvidenceLink {
                id: id.clone(),
                relation: *relation,
            })
            .collect();
        links.sort_by(|a, b| a.id.cmp(&b.id));
        links
    };
    let answers = (1..)
        .zip(&fields.answers)
        .zip(checked.campaign_questions)
        .map(|((position, answer), campaign_question)| {
            let mut exemptions = answer.exemptions.clone();
            exemptions.sort_by(|a, b| a.section.cmp(&b.section));
            Answer {
                id: answer.id.clone().unwrap_or_else(new_id),
                position,
                campaign_question,
                question: answer.question.clone(),
                tools: answer.tools.clone(),
                outcome: answer.outcome,
                answer_text: answer.answer_text.clone(),
                redirected_to: answer.redirected_to.clone(),
                exemptions,
                deployments: links(&answer.deployments),
                impact_assessments: links(&answer.impact_assessments),
            }
        })
        .collect();
    let mut stages: Vec<Stage> = fields
        .stages
        .iter()
        .map(|stage| Stage {
            id: stage.id.clone().unwrap_or_else(new_id),
            kind: stage.kind,
            reference: stage.reference.clone(),
            started_on: stage.started_on,
            due_on: (stage.kind == StageKind::InternalReview)
                .then(|| calendar.review_due(fields.law, stage.started_on).ok())
                .flatten(),
            decided_on: stage.decided_on,
            result: stage.result.clone(),
            notes: stage.notes.clone(),
        })
        .collect();
    stages.sort_by(|a, b| (a.started_on, &a.id).cmp(&(b.started_on, &b.id)));
    FoiRequest {
        id: new.id.to_owned(),
        authority: fields.authority.clone(),
        force: checked.force,
        campaign: fields.campaign.clone(),
        law: fields.law,
        title: fields.title.clone(),
        reference_numbers: fields.reference_numbers.clone(),
        request_text: fields.request_text.clone(),
        sent_on: fields.sent_on,
        received_on: fields.received_on,
        responded_on: fields.responded_on,
        state: fields.state,
        source_url: fields.source_url.clone(),
        reply_text: fields.reply_text.clone(),
        provenance: fields.provenance,
        deadline: deadline(
            calendar,
            fields.law,
            fields.received_on,
            checked.due_on,
            fields.responded_on,
            today(),
        ),
        answers,
        stages,
        documents: Vec::new(),
        revision: new.revision,
        created_at: utc(new.created_at),
        updated_at: utc(new.updated_at),
    }
}

/// Writes requests the registry does not hold yet, with their answers, exemptions, links,
/// stages, revision snapshots and change events (action `create`, by `actor`, at each request's
/// `updated_at`), and returns them as reads will. Their references are checked first; the first
/// bad one fails the whole call. Call inside a write transaction.
pub fn insert_new(
    conn: &mut DbConnection,
    calendar: &FoiCalendar,
    actor: &Actor,
    requests: &[NewRequest<'_>],
) -> Result<Vec<FoiRequest>, StoreError> {
    let references = References::load(conn, requests.iter().map(|r| r.fields))?;
    let views: Vec<FoiRequest> = requests
        .iter()
        .map(|new| {
            Ok(stored_view(
                calendar,
                new,
                references.check(calendar, new.fields)?,
            ))
        })
        .collect::<Result<_, StoreError>>()?;
    insert_rows_of(conn, &views)?;
    insert_parts(conn, &views)?;
    record_created(conn, actor, &views)?;
    Ok(views)
}

fn json(value: &[String]) -> String {
    serde_json::to_string(value).expect("strings serialise")
}

/// The requests' own rows.
fn insert_rows_of(conn: &mut DbConnection, views: &[FoiRequest]) -> Result<(), StoreError> {
    let reference_numbers: Vec<String> = views.iter().map(|r| json(&r.reference_numbers)).collect();
    let times: Vec<(StoredTime, StoredTime)> = views
        .iter()
        .map(|r| {
            (
                StoredTime(r.created_at.naive_utc()),
                StoredTime(r.updated_at.naive_utc()),
            )
        })
        .collect();
    let rows: Vec<Vec<Value<'_>>> = views
        .iter()
        .zip(&reference_numbers)
        .zip(&times)
        .map(|((r, references), (created_at, updated_at))| {
            vec![
                Value::Text(&r.id),
                Value::Text(&r.authority),
                Value::Text(&r.force),
                Value::OptText(r.campaign.as_deref()),
                Value::Text(r.law.as_str()),
                Value::Text(&r.title),
                Value::Text(references),
                Value::Text(&r.request_text),
                Value::OptDate(r.sent_on),
                Value::Date(r.received_on),
                Value::Date(r.deadline.due_on),
                Value::OptDate(r.responded_on),
                Value::Text(r.state.as_str()),
                Value::OptText(r.source_url.as_deref()),
                Value::Text(&r.reply_text),
                Value::Text(r.provenance.as_str()),
                Value::Int(r.revision),
                Value::Time(*created_at),
                Value::Time(*updated_at),
            ]
        })
        .collect();
    insert_rows(
        conn,
        "foi_requests",
        &[
            "id",
            "authority_slug",
            "force_slug",
            "campaign_slug",
            "law",
            "title",
            "reference_numbers",
            "request_text",
            "sent_on",
            "received_on",
            "due_on",
            "responded_on",
            "state",
            "source_url",
            "reply_text",
            "provenance",
            "revision",
            "created_at",
            "updated_at",
        ],
        &rows,
    )?;
    Ok(())
}

/// The requests' answers (with their tools, exemptions and links) and stages, from their views.
pub(super) fn insert_parts(
    conn: &mut DbConnection,
    views: &[FoiRequest],
) -> Result<(), StoreError> {
    let answers: Vec<(&FoiRequest, &Answer)> = views
        .iter()
        .flat_map(|r| r.answers.iter().map(move |a| (r, a)))
        .collect();
    let tool_lists: Vec<String> = answers.iter().map(|(_, a)| json(&a.tools)).collect();
    let rows: Vec<Vec<Value<'_>>> = answers
        .iter()
        .zip(&tool_lists)
        .map(|((r, a), tools)| {
            vec![
                Value::Text(&a.id),
                Value::Text(&r.id),
                Value::Int(a.position.into()),
                Value::Text(&a.question),
                Value::Text(tools),
                Value::Text(a.outcome.as_str()),
                Value::Text(&a.answer_text),
                Value::OptText(a.redirected_to.as_deref()),
                Value::OptInt(a.campaign_question.map(Into::into)),
            ]
        })
        .collect();
    insert_rows(
        conn,
        "foi_answers",
        &[
            "id",
            "foi_request_id",
            "position",
            "question",
            "tool_slugs",
            "outcome",
            "answer_text",
            "redirected_to_authority_slug",
            "campaign_question",
        ],
        &rows,
    )?;
    // The tools again, one row each: the index `answer_tool` filters on.
    let rows: Vec<Vec<Value<'_>>> = answers
        .iter()
        .flat_map(|(_, a)| {
            let distinct: BTreeSet<&String> = a.tools.iter().collect();
            distinct
                .into_iter()
                .map(|tool| vec![Value::Text(&a.id), Value::Text(tool)])
        })
        .collect();
    insert_rows(conn, "answer_tools", &["foi_answer_id", "tool_slug"], &rows)?;
    let rows: Vec<Vec<Value<'_>>> = answers
        .iter()
        .flat_map(|(_, a)| {
            a.exemptions.iter().map(|e| {
                vec![
                    Value::Text(&a.id),
                    Value::Text(&e.section),
                    Value::Bool(e.ncnd),
                    Value::Bool(e.absolute),
                ]
            })
        })
        .collect();
    insert_rows(
        conn,
        "answer_exemptions",
        &["foi_answer_id", "section", "ncnd", "absolute"],
        &rows,
    )?;
    for (table, target, links) in [
        (
            "answer_deployments",
            "deployment_id",
            answers
                .iter()
                .flat_map(|(_, a)| a.deployments.iter().map(|l| (a.id.as_str(), l)))
                .collect::<Vec<_>>(),
        ),
        (
            "answer_assessments",
            "impact_assessment_id",
            answers
                .iter()
                .flat_map(|(_, a)| a.impact_assessments.iter().map(|l| (a.id.as_str(), l)))
                .collect(),
        ),
    ] {
        let rows: Vec<Vec<Value<'_>>> = links
            .iter()
            .map(|(answer, link)| {
                vec![
                    Value::Text(answer),
                    Value::Text(&link.id),
                    Value::Text(link.relation.as_str()),
                ]
            })
            .collect();
        insert_rows(conn, table, &["foi_answer_id", target, "relation"], &rows)?;
    }
    let rows: Vec<Vec<Value<'_>>> = views
        .iter()
        .flat_map(|r| {
            r.stages.iter().map(|s| {
                vec![
                    Value::Text(&s.id),
                    Value::Text(&r.id),
                    Value::Text(s.kind.as_str()),
                    Value::OptText(s.reference.as_deref()),
                    Value::Date(s.started_on),
                    Value::OptDate(s.due_on),
                    Value::OptDate(s.decided_on),
                    Value::OptText(s.result.as_deref()),
                    Value::Text(&s.notes),
                ]
            })
        })
        .collect();
    insert_rows(
        conn,
        "foi_stages",
        &[
            "id",
            "foi_request_id",
            "kind",
            "reference",
            "started_on",
            "due_on",
            "decided_on",
            "result",
            "notes",
        ],
        &rows,
    )?;
    Ok(())
}

/// The revision snapshots and change events of new requests.
fn record_created(
    conn: &mut DbConnection,
    actor: &Actor,
    views: &[FoiRequest],
) -> Result<(), StoreError> {
    let created: Vec<Created<'_, FoiRequest>> = views
        .iter()
        .map(|r| Created {
            id: &r.id,
            revision: r.revision,
            force_slug: Some(&r.force),
            summary: summary_line(r),
            at: r.updated_at.naive_utc(),
            snapshot: r,
        })
        .collect();
    revisions::record_created_many(conn, actor, ENTITY, &created)
}

/// The tables `insert_new` adds to, and how many rows it adds to each for `requests`.
pub fn bulk_growth<'a>(
    requests: impl Iterator<Item = &'a FoiRequestFields>,
) -> Vec<crate::db::bulk::Growth<'static>> {
    use crate::db::bulk::Growth;
    let (mut count, mut answers) = (0, 0);
    for fields in requests {
        count += 1;
        answers += fields.answers.len();
    }
    [
        ("foi_requests", count),
        ("entity_revisions", count),
        ("change_events", count),
        ("foi_answers", answers),
        ("answer_tools", answers),
        ("search_documents", count + answers),
    ]
    .into_iter()
    .map(|(table, adding)| Growth { table, adding })
    .collect()
}
