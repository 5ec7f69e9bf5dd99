//! Writes: create, update and delete, each storing the request with its answers and stages, a
//! snapshot revision and a change event.

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::check::{check, invalid, Checked};
use super::model::{FoiRequest, FoiRequestFields};
use super::read::get;
use super::ENTITY;
use crate::db::schema::{
    answer_assessments, answer_deployments, answer_exemptions, answer_tools, foi_answers,
    foi_requests, foi_stages,
};
use crate::db::DbConnection;
use crate::domain::StageKind;
use crate::foi::FoiCalendar;
use crate::store::audit::{Action, Change, Stamp};
use crate::store::{new_id, revisions, StoreError};

/// Which request a write stores, and as which revision.
pub(super) struct Target<'a> {
    pub(super) id: &'a str,
    pub(super) checked: &'a Checked,
    pub(super) revision: i64,
    pub(super) action: Action,
    pub(super) created_at: NaiveDateTime,
}

/// Writes the request's row, answers and stages; shared by create and update.
pub(super) fn write_content(
    conn: &mut DbConnection,
    calendar: &FoiCalendar,
    stamp: &Stamp,
    target: &Target<'_>,
    fields: &FoiRequestFields,
) -> Result<(), StoreError> {
    let Target {
        id,
        checked,
        revision,
        action,
        created_at,
    } = *target;
    let (force, due_on) = (checked.force.as_str(), checked.due_on);
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
    write_answers(conn, id, fields, &checked.campaign_questions)?;
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
    campaign_questions: &[Option<i32>],
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
    for ((position, answer), question) in (1..).zip(&fields.answers).zip(campaign_questions) {
        let tools = serde_json::to_string(&answer.tools).expect("strings serialise");
        let content = (
            foi_answers::campaign_question.eq(question),
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
                diesel::delete(answer_tools::table.filter(answer_tools::foi_answer_id.eq(id)))
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
        // The tools again, one row each: the index `answer_tool` filters on.
        let distinct: BTreeSet<&String> = answer.tools.iter().collect();
        for tool in distinct {
            diesel::insert_into(answer_tools::table)
                .values((
                    answer_tools::foi_answer_id.eq(&answer_id),
                    answer_tools::tool_slug.eq(tool),
                ))
                .execute(conn)?;
        }
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

pub(super) fn summary_line(request: &FoiRequest) -> String {
    format!(
        "{} · {}: {}",
        request.authority, request.title, request.state
    )
}

/// Records the revision snapshot and the change event of a write.
pub(super) fn audit_write(
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
    let checked = check(conn, calendar, fields)?;
    let id = new_id();
    write_content(
        conn,
        calendar,
        stamp,
        &Target {
            id: &id,
            checked: &checked,
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
    expected: crate::store::Precondition,
) -> Result<FoiRequest, StoreError> {
    let current = get(conn, calendar, id)?;
    crate::store::expect_revision("FOI request", id, current.revision, expected)?;
    Ok(current)
}

/// Replaces a request's content if it is still at the revision `expected` names. Its authority (and so its
/// force) may change only within the same force. Call inside a write transaction.
pub fn update(
    conn: &mut DbConnection,
    calendar: &FoiCalendar,
    stamp: &Stamp,
    id: &str,
    expected: crate::store::Precondition,
    fields: &FoiRequestFields,
) -> Result<FoiRequest, StoreError> {
    let current = current_at(conn, calendar, id, expected)?;
    let checked = check(conn, calendar, fields)?;
    let force = &checked.force;
    if *force != current.force {
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
            checked: &checked,
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
    expected: crate::store::Precondition,
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
