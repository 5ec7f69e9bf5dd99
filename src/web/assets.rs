//! The one stylesheet, compiled into the binary and served with a long cache: its URL carries a
//! hash of its content, so a new stylesheet is a new URL.

use std::sync::OnceLock;

use actix_web::http::header::{self, EntityTag};
use actix_web::{HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};

pub const STYLESHEET_PATH: &str = "/static/site.css";

const STYLESHEET: &str = include_str!("site.css");

fn hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| hex::encode(&Sha256::digest(STYLESHEET.as_bytes())[..8]))
}

/// The stylesheet's address, versioned by its content.
pub fn stylesheet_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| format!("{STYLESHEET_PATH}?v={}", hash()))
}

pub async fn stylesheet(req: HttpRequest) -> HttpResponse {
    let mut response = crate::api::responses::tagged(
        &req,
        EntityTag::new_strong(hash().to_owned()),
        "text/css; charset=utf-8",
        STYLESHEET,
    );
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    super::secure(response)
}
