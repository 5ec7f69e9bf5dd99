//! Cacheable JSON answers: strong ETags from the body, `If-None-Match` -> 304, `Cache-Control`.

use actix_web::body::MessageBody;
use actix_web::http::header::{self, EntityTag, IfMatch, IfNoneMatch};
use actix_web::http::StatusCode;
use actix_web::{HttpMessage, HttpRequest, HttpResponse};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::pagination::ListResponse;
use crate::store::Precondition;

/// How long anonymous readers and shared caches may reuse an answer before revalidating.
pub const PUBLIC_CACHE: &str = "public, max-age=60";
/// Answers about accounts and tokens are for their caller only.
pub const PRIVATE_CACHE: &str = "no-store";

/// A strong entity tag for a body.
pub fn etag_for(body: &[u8]) -> EntityTag {
    EntityTag::new_strong(hex::encode(&Sha256::digest(body)[..16]))
}

/// True when the client already holds the representation tagged `etag`.
fn client_has(req: &HttpRequest, etag: &EntityTag) -> bool {
    match req.get_header::<IfNoneMatch>() {
        Some(IfNoneMatch::Any) => true,
        Some(IfNoneMatch::Items(tags)) => tags.iter().any(|tag| tag.weak_eq(etag)),
        None => false,
    }
}

/// A 200 with the body (or a 304 when the client's copy is current), tagged and cacheable.
pub fn cacheable(req: &HttpRequest, content_type: &str, body: Vec<u8>) -> HttpResponse {
    tagged(req, etag_for(&body), content_type, body)
}

/// A 200 with the body (or a 304 when the client holds `etag`), cacheable.
pub fn tagged(
    req: &HttpRequest,
    etag: EntityTag,
    content_type: &str,
    body: impl MessageBody + 'static,
) -> HttpResponse {
    let status = if client_has(req, &etag) {
        StatusCode::NOT_MODIFIED
    } else {
        StatusCode::OK
    };
    let mut response = HttpResponse::build(status);
    response
        .insert_header(header::ETag(etag))
        .insert_header((header::CACHE_CONTROL, PUBLIC_CACHE));
    if status == StatusCode::NOT_MODIFIED {
        response.finish()
    } else {
        response.content_type(content_type).body(body)
    }
}

/// A cacheable JSON body of a writable resource: its ETag, `"r<revision>-<hash>"`, changes with
/// anything embedded in the body and also names the revision that `If-Match` takes.
pub fn json_at_revision<T: Serialize>(req: &HttpRequest, revision: i64, value: &T) -> HttpResponse {
    let body = serde_json::to_vec(value).expect("views serialise");
    let etag = EntityTag::new_strong(format!("r{revision}-{}", etag_for(&body).tag()));
    tagged(req, etag, "application/json", body)
}

/// A cacheable JSON body.
pub fn json<T: Serialize>(req: &HttpRequest, value: &T) -> HttpResponse {
    cacheable(
        req,
        "application/json",
        serde_json::to_vec(value).expect("views serialise"),
    )
}

/// A cacheable page of a list, with its `Link: rel="next"` header.
pub fn list<T: Serialize>(req: &HttpRequest, page: &ListResponse<T>) -> HttpResponse {
    with_next_link(json(req, page), page)
}

/// A JSON answer for one caller only (accounts, tokens): never stored by any cache. `revision`
/// adds the `"r<revision>"` ETag that `If-Match` takes.
pub fn private<T: Serialize>(status: StatusCode, revision: Option<i64>, value: &T) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    response.insert_header((header::CACHE_CONTROL, PRIVATE_CACHE));
    if let Some(revision) = revision {
        response.insert_header(header::ETag(revision_etag(revision)));
    }
    response.json(value)
}

/// The answer to a write: the entity with its `"r<revision>"` ETag for the next `If-Match`, and for
/// a creation (201) its `Location`.
pub fn written<T: Serialize>(
    status: StatusCode,
    revision: i64,
    location: &str,
    value: &T,
) -> HttpResponse {
    let mut response = private(status, Some(revision), value);
    if status == StatusCode::CREATED {
        response.headers_mut().insert(
            header::LOCATION,
            header::HeaderValue::from_str(location).expect("locations we build are ASCII"),
        );
    }
    response
}

/// A private page of a list, with its `Link: rel="next"` header.
pub fn private_list<T: Serialize>(page: &ListResponse<T>) -> HttpResponse {
    with_next_link(private(StatusCode::OK, None, page), page)
}

fn with_next_link<T>(mut response: HttpResponse, page: &ListResponse<T>) -> HttpResponse {
    if let Some(next) = &page.next_url {
        let link = format!("<{next}>; rel=\"next\"");
        response.headers_mut().insert(
            header::LINK,
            header::HeaderValue::from_str(&link).expect("URLs we build are valid header values"),
        );
    }
    response
}

/// The strong ETag of a writable resource at `revision`: `"r<revision>"`.
pub fn revision_etag(revision: i64) -> EntityTag {
    EntityTag::new_strong(format!("r{revision}"))
}

/// What `If-Match` says about the revision an update is based on. `*` counts as missing: a writer
/// must say which version their change is based on. The store checks it once the target is known
/// to exist.
pub fn if_match(req: &HttpRequest) -> Precondition {
    match req.get_header::<IfMatch>() {
        None if req.headers().contains_key(header::IF_MATCH) => Precondition::Unknown,
        None | Some(IfMatch::Any) => Precondition::Missing,
        Some(IfMatch::Items(tags)) => match tags.as_slice() {
            [tag] if !tag.weak => tag
                .tag()
                .strip_prefix('r')
                .map(|rest| rest.split('-').next().unwrap_or(rest))
                .and_then(|n| n.parse().ok())
                .map_or(Precondition::Unknown, Precondition::Revision),
            _ => Precondition::Unknown,
        },
    }
}
