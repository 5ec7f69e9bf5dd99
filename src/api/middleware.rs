//! Cross-cutting response shaping: problem documents for every error, and request ids.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, StatusCode};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpRequest, HttpResponse};
use tracing_actix_web::RequestId;

use crate::error::ApiError;

/// Makes every error answer a problem document with `instance` set: errors raised by handlers are
/// re-rendered with the request path, and bare errors from the framework (such as 405) are wrapped.
pub async fn problem_details(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let path = req.path().to_owned();
    let res = next.call(req).await?.map_into_boxed_body();
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return Ok(res);
    }
    let rendered = match res
        .response()
        .error()
        .and_then(|e| e.as_error::<ApiError>())
    {
        Some(api_error) => Some(api_error.response(Some(&path))),
        None if !is_problem(res.headers()) => Some(framework_error(status).response(Some(&path))),
        None => None,
    };
    Ok(match rendered {
        Some(response) => res.into_response(response),
        None => res,
    })
}

fn is_problem(headers: &header::HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"))
}

fn framework_error(status: StatusCode) -> ApiError {
    match status {
        StatusCode::NOT_FOUND => ApiError::NotFound("No resource lives at this path.".into()),
        StatusCode::METHOD_NOT_ALLOWED => {
            ApiError::MethodNotAllowed("This method is not allowed on this resource.".into())
        }
        s if s.is_server_error() => ApiError::Internal(format!("framework answered {s}")),
        s => ApiError::invalid_field("request", s.canonical_reason().unwrap_or("invalid request")),
    }
}

/// Echoes the request id that tracing assigned, so a user can quote it in a bug report.
pub async fn request_id_header(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = req.extensions().get::<RequestId>().copied();
    let mut res = next.call(req).await?;
    if let Some(id) = id {
        if let Ok(value) = header::HeaderValue::from_str(&id.to_string()) {
            res.headers_mut()
                .insert(header::HeaderName::from_static("x-request-id"), value);
        }
    }
    Ok(res)
}

/// The answer for paths no route matches.
pub async fn not_found(_req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound("No resource lives at this path.".into()))
}
