//! Cross-cutting request and response shaping: problem documents for every error, request ids,
//! HEAD served as GET, and 405 with `Allow` for a known path asked with a method it does not have.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ResourceDef, ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use tracing_actix_web::RequestId;

use super::AppState;
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
        // The web pages render their own HTML error pages.
        None if !is_problem(res.headers()) && !is_html(res.headers()) => {
            Some(framework_error(status).response(Some(&path)))
        }
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

fn is_html(headers: &header::HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"))
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

/// Expires the response cache's write marker once a request that may have written is answered, so
/// that this instance's next read sees the write at once.
pub async fn expire_cache_after_writes(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let state = match *req.method() {
        Method::GET | Method::HEAD | Method::OPTIONS => None,
        _ => req.app_data::<web::Data<AppState>>().cloned(),
    };
    let res = next.call(req).await;
    if let Some(state) = state {
        state.cache.expire_marker();
    }
    res
}

/// One `info` line per request: method, route (the path pattern, so ids stay out of the log and
/// lines group by endpoint), status, duration and request id; the same figures go to `/metrics`.
pub async fn access_log(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = std::time::Instant::now();
    let method = req.method().clone();
    let id = req.extensions().get::<RequestId>().copied();
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let res = next.call(req).await?;
    let route = res
        .request()
        .match_pattern()
        .unwrap_or_else(|| "(no route)".to_owned());
    let (status, seconds) = (res.status().as_u16(), started.elapsed().as_secs_f64());
    if let Some(state) = state {
        let write = !matches!(method, Method::GET | Method::HEAD | Method::OPTIONS);
        state
            .metrics
            .observe(method.as_str(), &route, status, write, seconds);
    }
    tracing::info!(
        %method,
        route,
        status,
        duration_ms = seconds * 1000.0,
        request_id = id.map(|i| i.to_string()).unwrap_or_default(),
        "request"
    );
    Ok(res)
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

/// Serves HEAD wherever GET is served (RFC 9110 §9.3.2): the request is routed as a GET, and the
/// HTTP layer, which saw the HEAD, sends the status and headers (Content-Length included) only.
pub async fn head_as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if *req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    next.call(req).await
}

/// The methods of every path in the OpenAPI document, to tell "no such path" (404) from "no such
/// method on this path" (405 with `Allow`), since each route matches one method only.
pub struct KnownRoutes(Vec<(ResourceDef, String)>);

impl KnownRoutes {
    pub fn from_spec(spec: &utoipa::openapi::OpenApi) -> Self {
        let routes = spec
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let mut methods = Vec::new();
                for (method, present) in [
                    ("GET", item.get.is_some()),
                    ("HEAD", item.get.is_some() || item.head.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                    ("OPTIONS", item.options.is_some()),
                ] {
                    if present {
                        methods.push(method);
                    }
                }
                (ResourceDef::new(path.as_str()), methods.join(", "))
            })
            .collect();
        Self(routes)
    }

    /// The `Allow` value of the path, if it is one of the spec's paths.
    fn allow(&self, path: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(def, _)| def.is_match(path))
            .map(|(_, allow)| allow.as_str())
    }
}

/// The answer for requests no route matches: 405 with `Allow` on a known path, 404 elsewhere.
pub async fn not_found(
    req: HttpRequest,
    routes: Option<web::Data<KnownRoutes>>,
) -> Result<HttpResponse, ApiError> {
    let allow = routes.as_deref().and_then(|r| r.allow(req.path()));
    let Some(allow) = allow else {
        return Err(ApiError::NotFound("No resource lives at this path.".into()));
    };
    let error = ApiError::MethodNotAllowed(format!(
        "{} is not allowed on this resource; it allows {allow}.",
        req.method()
    ));
    let mut response = error.response(Some(req.path()));
    if let Ok(value) = header::HeaderValue::from_str(allow) {
        response.headers_mut().insert(header::ALLOW, value);
    }
    Ok(response)
}
