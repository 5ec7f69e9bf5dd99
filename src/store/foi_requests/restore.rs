//! Imports: a request and its documents written back as exported, under the store's one
//! "unchanged" rule.

use diesel::prelude::*;

use super::bulk::NewRequest;
use super::model::{
    AnswerFields, Document, EvidenceLink, FoiRequest, FoiRequestFields, StageFields,
};
use super::read::get;
use super::rows::DocumentRow;
use super::write::update;
use crate::db::schema::{foi_documents, foi_requests};
use crate::db::DbConnection;
use crate::domain::document_text::searchable_text;
use crate::domain::Relation;
use crate::foi::FoiCalendar;
use crate::store::audit::Stamp;
use crate::store::restore::{plan, unchanged, Plan, Restorable, Restored};
use crate::store::StoreError;

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
                    campaign_question: a.campaign_question,
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
/// when it differs, [`super::insert_new`] when the registry lacks it. Call inside a write
/// transaction.
pub fn restore(
    conn: &mut DbConnection,
    calendar: &FoiCalendar,
    actor: &crate::store::audit::Actor,
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
            crate::store::Precondition::Revision(current.revision),
            &fields,
        )?;
        return Ok(Restored::Updated);
    }
    super::bulk::insert_new(
        conn,
        calendar,
        actor,
        &[NewRequest {
            id: &record.id,
            fields: &fields,
            revision: record.revision,
            created_at: record.created_at.naive_utc(),
            updated_at: record.updated_at.naive_utc(),
        }],
    )?;
    Ok(Restored::Created)
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
            foi_documents::text
                .eq(searchable_text(&document.media_type, content).unwrap_or_default()),
        ))
        .execute(conn)?;
    Ok(Restored::Created)
}
