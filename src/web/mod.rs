//! The public explorer: server-rendered HTML pages at the site root (the JSON API stays under
//! `/api/v1`). Every page reads through the same store functions as the API, on a blocking thread,
//! and the pages the API caches (matrix, profiles, tool views, lists, campaigns, search) are kept
//! in the API's response cache as rendered HTML. Templates are compiled into the binary by askama,
//! which escapes every value; no page has a script, an inline style or anything from another host.

mod assets;
mod campaigns;
mod deployments;
mod foi;
mod forces;
mod home;
mod search;
mod svg;
mod tools;
mod view;

use std::fmt;

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use askama::Template;
use serde::de::DeserializeOwned;

use crate::api::cache::{self, Cached};
use crate::api::{AppState, KnownRoutes};
use crate::db::DbConnection;
use crate::error::ApiError;
use crate::store::markers::Dependency;
use crate::store::StoreError;

pub use view::Meta;

/// The Content-Security-Policy of every page: nothing but this site's stylesheet and images.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const HTML: &str = "text/html; charset=utf-8";

/// The address of every page (for 405 on other methods than GET).
const PAGE_PATHS: [&str; 12] = [
    "/",
    assets::STYLESHEET_PATH,
    "/forces",
    "/forces/{slug}",
    "/tools",
    "/tools/{slug}",
    "/deployments/{id}",
    "/foi-requests",
    "/foi-requests/{id}",
    "/campaigns",
    "/campaigns/{slug}",
    "/search",
];

/// Every page route, registered beside the API's in the same app builder.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home::home))
        .route(assets::STYLESHEET_PATH, web::get().to(assets::stylesheet))
        .route("/forces", web::get().to(forces::list))
        .service(page_with_path("/forces/{slug}").route(web::get().to(forces::page)))
        .route("/tools", web::get().to(tools::list))
        .service(page_with_path("/tools/{slug}").route(web::get().to(tools::page)))
        .service(page_with_path("/deployments/{id}").route(web::get().to(deployments::page)))
        .route("/foi-requests", web::get().to(foi::list))
        .service(page_with_path("/foi-requests/{id}").route(web::get().to(foi::page)))
        .route("/campaigns", web::get().to(campaigns::list))
        .service(page_with_path("/campaigns/{slug}").route(web::get().to(campaigns::page)))
        .route("/search", web::get().to(search::page));
}

/// A page whose path names an entity: a segment that does not parse is shown as an HTML error
/// page, with the API's wording; other methods get the same answer as on every page.
fn page_with_path(path: &str) -> actix_web::Resource {
    web::resource(path)
        .app_data(web::PathConfig::default().error_handler(|error, req| {
            PageError(crate::api::params::path_problem(error, req)).into()
        }))
        .default_service(web::to(not_found))
}

/// Sets the security headers every page carries (a default-headers middleware may add others, but
/// only where a response has none of its own).
pub fn secure(mut response: HttpResponse) -> HttpResponse {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    response
}

/// What a page handler fails with: the API's error, shown as an HTML page.
#[derive(Debug)]
pub struct PageError(ApiError);

impl From<ApiError> for PageError {
    fn from(error: ApiError) -> Self {
        Self(error)
    }
}

impl From<StoreError> for PageError {
    fn from(error: StoreError) -> Self {
        Self(error.into())
    }
}

impl fmt::Display for PageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[derive(Template)]
#[template(path = "error.html", config = "src/web/askama.toml")]
struct ErrorPage {
    meta: Meta,
    status: u16,
    heading: &'static str,
    detail: String,
    fields: Vec<(String, String)>,
}

/// The answer to a request refused before it reaches a handler: problem+json under `/api/`, an
/// HTML error page anywhere else.
pub fn refusal(error: ApiError, path: &str) -> HttpResponse {
    if path.starts_with("/api/") {
        error.response(Some(path))
    } else {
        PageError(error).error_response()
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        self.0.status_code()
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let (heading, detail, fields) = match &self.0 {
            ApiError::NotFound(_) => (
                "Page not found",
                "Nothing in the registry lives at this address. It may have been deleted, or the \
                 link may be mistyped."
                    .to_owned(),
                Vec::new(),
            ),
            ApiError::InvalidRequest { errors, .. } => (
                "Bad request",
                "Part of this page's address could not be read.".to_owned(),
                errors
                    .iter()
                    .map(|e| (e.field.clone(), e.message.clone()))
                    .collect(),
            ),
            other if status.is_server_error() => {
                tracing::error!(error = %other, "page failed");
                (
                    "Something went wrong",
                    "The registry could not answer just now. Please try again in a moment."
                        .to_owned(),
                    Vec::new(),
                )
            }
            other => ("Request refused", other.to_string(), Vec::new()),
        };
        let page = ErrorPage {
            meta: Meta::new(
                heading,
                "An error page of the Surveillance Disclosure Registry.",
                "",
            ),
            status: status.as_u16(),
            heading,
            detail,
            fields,
        };
        let mut response = HttpResponse::build(status);
        response
            .content_type(HTML)
            .insert_header((header::CACHE_CONTROL, "no-store"));
        secure(response.body(render(&page)))
    }
}

/// Renders a template; a failure (only a formatting error could cause one) is a short notice.
pub(crate) fn render(template: &impl Template) -> String {
    template.render().unwrap_or_else(|error| {
        tracing::error!(%error, "template failed");
        "<!doctype html><title>Error</title><p>This page could not be drawn.</p>".to_owned()
    })
}

/// A page kept in the API's response cache: `compute` reads (on a blocking thread, only on a miss),
/// `draw` renders the HTML. Keyed by the page's URL, like the API's answers.
pub(crate) async fn cached_page<T, P>(
    req: &HttpRequest,
    state: &AppState,
    dependency: Dependency,
    compute: impl FnOnce(&mut DbConnection) -> Result<T, StoreError> + Send + 'static,
    draw: impl FnOnce(T) -> P,
) -> Result<HttpResponse, PageError>
where
    T: Send + 'static,
    P: Template,
{
    let response = cache::respond(req, state, "html", dependency, compute, |value| {
        Cached::new(HTML, render(&draw(value)).into_bytes())
    })
    .await?;
    Ok(secure(response))
}

/// A page read afresh each time (as the API reads the same entity), tagged and cacheable.
pub(crate) fn page_response(req: &HttpRequest, page: &impl Template) -> HttpResponse {
    secure(crate::api::responses::cacheable(
        req,
        HTML,
        render(page).into_bytes(),
    ))
}

/// The query string parsed into the API's own query type, so a page takes exactly the API's
/// parameters. Empty form fields are dropped first (a GET form sends every field).
pub(crate) fn query<T: DeserializeOwned>(req: &HttpRequest) -> Result<T, PageError> {
    let cleaned = non_empty_query(req.query_string());
    web::Query::<T>::from_query(&cleaned)
        .map(web::Query::into_inner)
        .map_err(|error| {
            let error = crate::api::query_error(error, req);
            match error.as_error::<ApiError>() {
                Some(ApiError::InvalidRequest { errors, .. }) => {
                    PageError(ApiError::invalid(errors.clone()))
                }
                _ => PageError(ApiError::invalid_field("query", "cannot be read")),
            }
        })
}

/// The query string without its empty parameters.
pub(crate) fn non_empty_query(raw: &str) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in url::form_urlencoded::parse(raw.as_bytes()) {
        if !value.trim().is_empty() {
            out.append_pair(&name, &value);
        }
    }
    out.finish()
}

/// Requests no route matches: the API's problem documents under the API's paths, an HTML page
/// everywhere else.
pub async fn not_found(
    req: HttpRequest,
    routes: Option<web::Data<KnownRoutes>>,
) -> Result<HttpResponse, actix_web::Error> {
    let path = req.path();
    let api_path = ["/api/", "/.well-known/", "/docs/"]
        .iter()
        .any(|prefix| path.starts_with(prefix))
        || ["/healthz", "/readyz", "/metrics", "/docs"].contains(&path);
    if api_path {
        return crate::api::not_found(req, routes).await.map_err(Into::into);
    }
    // A page's address asked with another method than GET (or HEAD).
    let page = PAGE_PATHS
        .iter()
        .any(|pattern| actix_web::dev::ResourceDef::new(*pattern).is_match(path));
    if page {
        let error = ApiError::MethodNotAllowed(format!(
            "{} is not allowed here: pages are read with GET.",
            req.method()
        ));
        let mut response = PageError(error).error_response();
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return Ok(response);
    }
    Ok(PageError(ApiError::NotFound(String::new())).error_response())
}
