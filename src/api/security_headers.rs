//! Security headers on every response, each set only where the handler did not set its own (web
//! pages and documents send stricter or different policies).
//!
//! API answers are data, never pages: their policy forbids everything (`default-src 'none'`), so
//! a JSON or CSV answer opened in a browser can run nothing and be framed by no one. The bundled
//! API documentation under `/docs/` needs its own scripts and styles, and only those.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;

/// The policy of API answers.
const DATA_POLICY: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
/// The policy of the interactive documentation (Swagger UI sets inline styles as it renders).
const DOCS_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// Adds `Content-Security-Policy`, `X-Content-Type-Options`, `X-Frame-Options` and
/// `Referrer-Policy` wherever the response lacks them.
pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let docs = req.path().starts_with("/docs");
    let mut res = next.call(req).await?;
    let headers = res.headers_mut();
    let policy = if docs { DOCS_POLICY } else { DATA_POLICY };
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, policy),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
    ] {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
    Ok(res)
}
