//! Writes: create, update and delete, each storing the request with its answers and stages, a
//! snapshot revision and a change event. Rows are written from the request's view, built before
//! the write (see `bulk`), so nothing is read back after it.

use diesel::prelude::*;

use super::bulk::{insert_new, insert_parts, stored_view, NewRequest};
use super::check::{check, invalid, Checked};
use super::model::{FoiRequest, FoiRequestFields};
use super::read::get;
use super::ENTITY;
use crate::db::schema::{foi_answers, foi_requests, foi_stages};
use crate::db::DbConnection;
use crate::foi::FoiCalendar;
use crate::store::audit::{Action, Change, Changed, Stamp};
use crate::store::diff;
use crate::store::{new_id, revisions, StoreError};

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
    changed: Changed<'_>,
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
            changed,
            summary: if action == Action::Delete {
                format!("{} · {}: deleted", request.authority, request.title)
            } else {
                summary_line(request)
            },
        },
        request,
    )
}

/// Records a new request with its answers and stages, through the same multi-row writes as
/// imports. Call inside a write transaction.
pub fn create(
    conn: &mut DbConnection,
    calendar: &FoiCalendar,
    stamp: &Stamp,
    fields: &FoiRequestFields,
) -> Result<FoiRequest, StoreError> {
    let id = new_id();
    let new = NewRequest {
        id: &id,
        fields,
        revision: 1,
        created_at: stamp.at,
        updated_at: stamp.at,
    };
    let mut created = insert_new(conn, calendar, &stamp.actor, &[new])?;
    Ok(created.pop().expect("one request was written"))
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
    update_checked(conn, calendar, stamp, &current, checked, fields)
}

/// Replaces the content of `current` (read in this transaction, at the revision the writer
/// expects) with `fields`, which `checked` is the check of. Call inside a write transaction.
pub fn update_checked(
    conn: &mut DbConnection,
    calendar: &FoiCalendar,
    stamp: &Stamp,
    current: &FoiRequest,
    checked: Checked,
    fields: &FoiRequestFields,
) -> Result<FoiRequest, StoreError> {
    let id = current.id.as_str();
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
    // Answers keep their ids by position (and stages theirs when named), so links to them hold.
    let mut fields = fields.clone();
    for (answer, held) in fields.answers.iter_mut().zip(&current.answers) {
        answer.id = Some(held.id.clone());
    }
    let new = NewRequest {
        id,
        fields: &fields,
        revision: current.revision + 1,
        created_at: current.created_at.naive_utc(),
        updated_at: stamp.at,
    };
    let mut updated = stored_view(calendar, &new, checked);
    updated.documents.clone_from(&current.documents);
    let references = serde_json::to_string(&updated.reference_numbers).expect("strings serialise");
    diesel::update(foi_requests::table.find(id))
        .set((
            foi_requests::authority_slug.eq(&updated.authority),
            foi_requests::campaign_slug.eq(&updated.campaign),
            foi_requests::law.eq(updated.law.as_str()),
            foi_requests::title.eq(&updated.title),
            foi_requests::reference_numbers.eq(&references),
            foi_requests::request_text.eq(&updated.request_text),
            foi_requests::sent_on.eq(updated.sent_on),
            foi_requests::received_on.eq(updated.received_on),
            foi_requests::due_on.eq(updated.deadline.due_on),
            foi_requests::responded_on.eq(updated.responded_on),
            foi_requests::state.eq(updated.state.as_str()),
            foi_requests::source_url.eq(&updated.source_url),
            foi_requests::reply_text.eq(&updated.reply_text),
            foi_requests::provenance.eq(updated.provenance.as_str()),
            foi_requests::revision.eq(updated.revision),
            foi_requests::updated_at.eq(stamp.at),
        ))
        .execute(conn)?;
    // The answers' tools, exemptions and links go with them.
    diesel::delete(foi_answers::table.filter(foi_answers::foi_request_id.eq(id))).execute(conn)?;
    diesel::delete(foi_stages::table.filter(foi_stages::foi_request_id.eq(id))).execute(conn)?;
    insert_parts(conn, std::slice::from_ref(&updated))?;
    let changed = diff::named(current, &updated, &VISIBLE_FIELDS);
    audit_write(
        conn,
        stamp,
        &updated,
        Action::Update,
        Changed::Values(changed),
    )?;
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
    audit_write(conn, stamp, &current, Action::Delete, Changed::NONE)
}
