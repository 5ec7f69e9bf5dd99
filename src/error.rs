//! The one error type of the HTTP layer, rendered as RFC 9457 `application/problem+json`.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::AuthError;
use crate::store::StoreError;

/// Text for a problem document: a refused character that a message quotes back from the request is
/// written as its escape (`\u{1b}`), so an error never carries what the text rule keeps out.
fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if crate::domain::allowed_char(c) {
            out.push(c);
        } else {
            out.extend(c.escape_unicode());
        }
    }
    out
}

/// The `WWW-Authenticate` challenge of every 401.
const BEARER_CHALLENGE: &str = "Bearer realm=\"surveillance-registry\"";

/// One bad input field: which one, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(example = json!({
    "field": "nation",
    "message": "`mars` is not one of: england, wales, scotland, northern_ireland, great_britain"
}))]
pub struct FieldError {
    /// The query parameter, path parameter, header or JSON field at fault.
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// An RFC 9457 problem document. Every 4xx and 5xx answer has this shape.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "/problems/invalid-request",
    "title": "Invalid request",
    "status": 400,
    "detail": "1 parameter is invalid",
    "instance": "/api/v1/forces",
    "errors": [{"field": "nation", "message": "`mars` is not one of: england, wales, scotland, northern_ireland, great_britain"}]
}))]
pub struct Problem {
    /// A URI reference naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// The request path that caused it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// One entry per bad field, for invalid requests.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// Everything a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    NotFound(String),
    #[error("{detail}")]
    InvalidRequest {
        detail: String,
        errors: Vec<FieldError>,
    },
    /// No credentials, or wrong ones (a bad password at login).
    #[error("{0}")]
    Unauthorized(String),
    /// A bearer token was sent but is not valid (RFC 6750 `invalid_token`).
    #[error("{0}")]
    InvalidToken(String),
    /// Authenticated, but the account may not do this.
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    MethodNotAllowed(String),
    #[error("{0}")]
    Conflict(String),
    /// `If-Match` names a revision that is no longer current.
    #[error("{0}")]
    PreconditionFailed(String),
    /// The body did not arrive in time.
    #[error("{0}")]
    RequestTimeout(String),
    /// The body is larger than the endpoint accepts.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// The body's media type is not one the endpoint takes.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// An update came without `If-Match`.
    #[error("{0}")]
    PreconditionRequired(String),
    /// Too many attempts; `retry_after` is in seconds.
    #[error("{detail}")]
    TooManyRequests { detail: String, retry_after: u64 },
    #[error("{0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    /// An invalid request naming every bad field.
    pub fn invalid(errors: Vec<FieldError>) -> Self {
        let detail = match errors.as_slice() {
            [one] => format!("`{}` is invalid: {}", one.field, one.message),
            many => format!("{} fields are invalid", many.len()),
        };
        Self::InvalidRequest { detail, errors }
    }

    /// An invalid request with a single bad field.
    pub fn invalid_field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::invalid(vec![FieldError::new(field, message)])
    }

    fn kind_and_title(&self) -> (&'static str, &'static str) {
        match self {
            Self::NotFound(_) => ("/problems/not-found", "Not found"),
            Self::InvalidRequest { .. } => ("/problems/invalid-request", "Invalid request"),
            Self::Unauthorized(_) => ("/problems/unauthorized", "Unauthorized"),
            Self::InvalidToken(_) => ("/problems/invalid-token", "Invalid token"),
            Self::Forbidden(_) => ("/problems/forbidden", "Forbidden"),
            Self::MethodNotAllowed(_) => ("/problems/method-not-allowed", "Method not allowed"),
            Self::Conflict(_) => ("/problems/conflict", "Conflict"),
            Self::PreconditionFailed(_) => ("/problems/precondition-failed", "Precondition failed"),
            Self::RequestTimeout(_) => ("/problems/request-timeout", "Request timeout"),
            Self::PayloadTooLarge(_) => ("/problems/payload-too-large", "Payload too large"),
            Self::UnsupportedMediaType(_) => {
                ("/problems/unsupported-media-type", "Unsupported media type")
            }
            Self::PreconditionRequired(_) => {
                ("/problems/precondition-required", "Precondition required")
            }
            Self::TooManyRequests { .. } => ("/problems/too-many-requests", "Too many requests"),
            Self::Unavailable(_) => ("/problems/unavailable", "Service unavailable"),
            Self::Internal(_) => ("/problems/internal", "Internal server error"),
        }
    }

    /// The problem document, with `instance` set when the request path is known.
    pub fn problem(&self, instance: Option<&str>) -> Problem {
        let (kind, title) = self.kind_and_title();
        let detail = match self {
            // Never leak internals: the cause is logged, the client gets a generic sentence.
            Self::Internal(_) => {
                "The server failed to answer; the error has been logged.".to_owned()
            }
            Self::Unavailable(_) => {
                "The database is not reachable right now; try again shortly.".to_owned()
            }
            other => other.to_string(),
        };
        let errors = match self {
            Self::InvalidRequest { errors, .. } => errors
                .iter()
                .map(|e| FieldError::new(printable(&e.field), printable(&e.message)))
                .collect(),
            _ => Vec::new(),
        };
        let detail = printable(&detail);
        Problem {
            kind: kind.to_owned(),
            title: title.to_owned(),
            status: self.status_code().as_u16(),
            detail,
            instance: instance.map(str::to_owned),
            errors,
        }
    }

    /// The full response for this error. (A 5xx is logged once, where actix turns the error into
    /// a response; the middleware that adds `instance` re-renders it without logging again.)
    pub fn response(&self, instance: Option<&str>) -> HttpResponse {
        let mut builder = HttpResponse::build(self.status_code());
        builder.insert_header((header::CONTENT_TYPE, "application/problem+json"));
        match self {
            Self::Unavailable(_) => {
                builder.insert_header((header::RETRY_AFTER, "5"));
            }
            Self::TooManyRequests { retry_after, .. } => {
                builder.insert_header((header::RETRY_AFTER, retry_after.to_string()));
            }
            // RFC 6750 section 3: name the scheme always, and the error code only when a token
            // was presented.
            Self::Unauthorized(_) => {
                builder.insert_header((header::WWW_AUTHENTICATE, BEARER_CHALLENGE));
            }
            Self::InvalidToken(_) => {
                builder.insert_header((
                    header::WWW_AUTHENTICATE,
                    format!("{BEARER_CHALLENGE}, error=\"invalid_token\""),
                ));
            }
            _ => {}
        }
        builder.body(serde_json::to_string(&self.problem(instance)).expect("problems serialise"))
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::InvalidRequest { .. } => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) | Self::InvalidToken(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            Self::RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::PreconditionRequired(_) => StatusCode::PRECONDITION_REQUIRED,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if self.status_code().is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        self.response(None)
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound { entity, key } => {
                Self::NotFound(format!("No {entity} has the identifier `{key}`."))
            }
            StoreError::Conflict(message) => Self::Conflict(message),
            StoreError::Invalid { field, message } => Self::invalid_field(field, message),
            // Writers name the revision they read in `If-Match`: a stale one fails that precondition.
            stale @ StoreError::Stale { .. } => Self::PreconditionFailed(stale.to_string()),
            // The HTTP form of "name the revision you read" is `If-Match` with its ETag.
            StoreError::RevisionRequired => Self::PreconditionRequired(
                "Updates need `If-Match` with the ETag of the version you read, so that nobody's \
                 change is silently overwritten."
                    .into(),
            ),
            StoreError::Unavailable(message) => Self::Unavailable(message),
            StoreError::Forbidden(force) => AuthError::ForbiddenForce(force).into(),
            other
            @ (StoreError::Corrupt { .. } | StoreError::Database(_) | StoreError::Task(_)) => {
                Self::Internal(other.to_string())
            }
        }
    }
}

impl From<AuthError> for ApiError {
    fn from(error: AuthError) -> Self {
        match error {
            // No credentials, or wrong ones: 401 with the bare `Bearer` challenge.
            AuthError::MissingToken | AuthError::WrongCredentials => {
                Self::Unauthorized(error.to_string())
            }
            // A token was presented: 401 with `error="invalid_token"`.
            AuthError::InvalidToken(_) | AuthError::AccountGone => {
                Self::InvalidToken(error.to_string())
            }
            AuthError::Throttled { retry_after } => Self::TooManyRequests {
                detail: error.to_string(),
                // `Retry-After` is in whole seconds; never tell a client to retry at once.
                retry_after: retry_after.as_secs().max(1),
            },
            AuthError::ForbiddenRole { .. } | AuthError::ForbiddenForce(_) => {
                Self::Forbidden(error.to_string())
            }
            AuthError::Store(error) => error.into(),
            AuthError::Internal(message) => Self::Internal(message),
        }
    }
}
