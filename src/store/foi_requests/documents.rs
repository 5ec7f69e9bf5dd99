//! The reply's documents: attach one (a new revision of the request), read one back with its bytes,
//! and page through all of them for the documents export.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::model::{Document, FoiRequest};
use super::read::get;
use super::rows::DocumentRow;
use super::write::audit_write;
use crate::db::schema::{foi_documents, foi_requests};
use crate::db::DbConnection;
use crate::domain::document_text::searchable_text;
use crate::foi::FoiCalendar;
use crate::store::audit::{Action, Changed, Stamp};
use crate::store::diff;
use crate::store::{new_id, Page, PageRequest, StoreError};

/// A document to attach to a reply, with the text search finds it by.
#[derive(Debug, Clone)]
pub struct NewDocument {
    pub filename: String,
    pub media_type: String,
    pub content: Vec<u8>,
    /// Extracted when the document is made, before any transaction: a long PDF takes a while.
    pub text: Option<String>,
}

impl NewDocument {
    pub fn new(filename: String, media_type: String, content: Vec<u8>) -> Self {
        let text = searchable_text(&media_type, &content);
        Self {
            filename,
            media_type,
            content,
            text,
        }
    }
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
            foi_documents::text.eq(document.text.as_deref().unwrap_or_default()),
        ))
        .execute(conn)?;
    diesel::update(foi_requests::table.find(request_id))
        .set((
            foi_requests::revision.eq(before.revision + 1),
            foi_requests::updated_at.eq(stamp.at),
        ))
        .execute(conn)?;
    let after = get(conn, calendar, request_id)?;
    let changed = diff::named(&before, &after, &["documents"]);
    audit_write(
        conn,
        stamp,
        &after,
        Action::Update,
        Changed::Values(changed),
    )?;
    let added = after
        .documents
        .iter()
        .find(|d| d.id == id)
        .cloned()
        .expect("the document was just stored");
    Ok((after, added))
}

/// Extracts the text of documents stored before the registry kept it (`text` NULL), one at a
/// time so no write waits long, and returns how many it read. Documents with no text to give keep
/// an empty one, so each is read once.
pub fn extract_missing_texts(conn: &mut DbConnection) -> Result<usize, StoreError> {
    let mut done = 0;
    loop {
        let next: Option<(String, String, Vec<u8>)> = foi_documents::table
            .filter(foi_documents::text.is_null())
            .select((
                foi_documents::id,
                foi_documents::media_type,
                foi_documents::content,
            ))
            .first(conn)
            .optional()?;
        let Some((id, media_type, content)) = next else {
            return Ok(done);
        };
        let text = searchable_text(&media_type, &content).unwrap_or_default();
        diesel::update(foi_documents::table.find(&id))
            .set(foi_documents::text.eq(text))
            .execute(conn)?;
        done += 1;
    }
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
