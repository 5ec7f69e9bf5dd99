//! FOI requests: who was asked what and when, when the reply was due (computed from the statutory
//! calendar, never typed in), what each answer said and cited, the appeal stages, and the reply's
//! documents. Every write stores a snapshot revision and a change event.
//!
//! `model` holds the request as read and as written, `rows` turns stored rows into it, `filter`,
//! `sort` and `read` list and fetch, `check` validates a request's references, `write` creates, updates
//! and deletes, `bulk` writes many new requests at once, `documents` attaches and copies the
//! reply's files, `restore` writes back what an export holds, and `citations` lists the answers
//! that cite a deployment.

mod bulk;
mod check;
mod citations;
mod documents;
mod facets;
mod filter;
mod model;
mod read;
mod restore;
mod rows;
mod sort;
mod write;

pub use bulk::{bulk_growth, insert_new, NewRequest};
pub use check::{check, Checked, References};
pub use citations::{answers_for_deployment, AnswerCitation};
pub use documents::{
    add_document, document, document_copies, extract_missing_texts, DocumentCopy, NewDocument,
};
pub use facets::{facets, FoiFacet};
pub use filter::FoiFilter;
pub use model::{
    Answer, AnswerFields, Deadline, Document, EvidenceLink, Exemption, FoiRequest,
    FoiRequestFields, Stage, StageFields,
};
pub use read::{authority_of, get, list, revisions};
pub use restore::{restore, restore_document};
pub use sort::{FoiKey, FoiSort, FoiSortColumn};
pub use write::{create, current_at, delete, update, update_checked};

/// The entity type of FOI requests in revisions and the change feed.
const ENTITY: &str = "foi_request";
