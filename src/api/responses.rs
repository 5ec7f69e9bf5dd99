//! Cacheable JSON answers: strong ETags from the body, `If-None-Match` -> 304, `Cache-Control`.

use actix_web::http::header::{self, EntityTag, IfNoneMatch};
use actix_web::http::StatusCode;
use actix_web::{HttpMessage, HttpRequest, HttpResponse};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::pagination::ListResponse;

/// How long anonymous readers and shared caches may reuse an answer before revalidating.
pub const PUBLIC_CACHE: &str = "public, max-age=60";

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
    let etag = etag_for(&body);
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
    let mut response = json(req, page);
    if let Some(next) = &page.next_url {
        let link = format!("<{next}>; rel=\"next\"");
        response.headers_mut().insert(
            header::LINK,
            header::HeaderValue::from_str(&link).expect("URLs we build are valid header values"),
        );
    }
    response
}
