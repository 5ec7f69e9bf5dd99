//! Applies the registry's one text rule ([`crate::domain::forbidden_char`]) to everything a request
//! carries as text, before any handler parses it: every query parameter, and every string of a JSON
//! body; and a bound on the `Host` header. A refusal is a 400 naming the parameter, the header or
//! the JSON field (`answers[0].answer_text`).

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::HttpMessage;
use futures_util::StreamExt;

use super::params::JSON_BODY_LIMIT;
use crate::domain::{check_json, forbidden_char};
use crate::error::ApiError;

/// Refuses control characters in query parameters and JSON bodies. `refusal` answers a refused
/// address as its kind of resource does (problem+json for the API, an HTML page for pages).
pub async fn refuse_control_characters(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
    refusal: fn(ApiError, &str) -> actix_web::HttpResponse,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if let Err(error) = check_host(&req).and_then(|()| check_query(req.query_string())) {
        let response = refusal(error, req.path());
        return Ok(req.into_response(response));
    }
    if is_json(&req) {
        let mut payload = req.take_payload();
        let mut body = bytes::BytesMut::new();
        while let Some(chunk) = payload.next().await {
            match chunk {
                Ok(chunk) => body.extend_from_slice(&chunk),
                // The body stopped (a deadline, a dropped client): the handler's extractor sees
                // the same end and the limits answer for it.
                Err(error) => {
                    req.set_payload(Payload::from(
                        futures_util::stream::once(async { Err(error) }).boxed_local(),
                    ));
                    return Ok(next.call(req).await?.map_into_boxed_body());
                }
            }
            if body.len() > JSON_BODY_LIMIT {
                let error = ApiError::PayloadTooLarge(format!(
                    "The body is larger than {JSON_BODY_LIMIT} bytes."
                ));
                let response = error.response(Some(req.path()));
                return Ok(req.into_response(response));
            }
        }
        let body = body.freeze();
        // A body that is not JSON is left to the extractor, which explains what is wrong with it.
        if let Ok(value) = serde_json::from_slice::<serde_json::Value>(&body) {
            if let Err((field, message)) = check_json(&value) {
                let response = ApiError::invalid_field(field, message).response(Some(req.path()));
                return Ok(req.into_response(response));
            }
        }
        req.set_payload(Payload::from(body));
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

/// The longest `Host` a request may name: a DNS name (253) with a port. Feeds link absolutely to
/// the host asked for and the response cache keys answers by it, so an unbounded one would let a
/// client make every cached feed as large as it likes.
const MAX_HOST: usize = 253 + ":65535".len();

fn check_host(req: &ServiceRequest) -> Result<(), ApiError> {
    match req.headers().get(header::HOST) {
        Some(host) if host.len() > MAX_HOST => Err(ApiError::invalid_field(
            "Host",
            format!("is longer than {MAX_HOST} characters"),
        )),
        _ => Ok(()),
    }
}

fn check_query(query: &str) -> Result<(), ApiError> {
    for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
        if let Some(message) = forbidden_char(&name) {
            return Err(ApiError::invalid_field(
                "query",
                format!("a parameter name {message}"),
            ));
        }
        if let Some(message) = forbidden_char(&value) {
            return Err(ApiError::invalid_field(name.into_owned(), message));
        }
    }
    Ok(())
}

fn is_json(req: &ServiceRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .is_some_and(|v| v == "application/json" || v.ends_with("+json"))
}
