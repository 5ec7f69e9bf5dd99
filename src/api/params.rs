//! Parsing of query and path parameters into domain types, collecting every bad field at once.

use std::fmt::Display;
use std::str::FromStr;

use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::HttpRequest;
use utoipa::IntoParams;

use crate::domain::{EntityId, Provenance, Role};
use crate::error::{ApiError, FieldError};

/// The largest JSON request body accepted: far more than any record needs, small enough that a
/// flood of large bodies cannot exhaust memory.
pub const JSON_BODY_LIMIT: usize = 1024 * 1024;

/// Longest URL accepted, in characters.
pub const MAX_URL: usize = 2_000;

/// Longest region name accepted in a filter.
pub const MAX_REGION: usize = 100;

/// Default and largest page sizes.
pub const DEFAULT_LIMIT: usize = 50;
pub const MAX_LIMIT: usize = 500;

/// Collects field errors while a request's parameters are parsed, so one answer names them all.
#[derive(Debug, Default)]
pub struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    /// Parses an optional parameter, recording an error naming `field` if it does not parse.
    pub fn parse<T>(&mut self, field: &str, raw: Option<&str>) -> Option<T>
    where
        T: FromStr,
        T::Err: Display,
    {
        match raw.map(str::parse::<T>) {
            Some(Ok(value)) => Some(value),
            Some(Err(error)) => {
                self.errors.push(FieldError::new(field, error.to_string()));
                None
            }
            None => None,
        }
    }

    /// Parses a comma-separated list, naming `field` for the first bad element.
    pub fn list<T>(&mut self, field: &str, raw: Option<&str>) -> Vec<T>
    where
        T: FromStr,
        T::Err: Display,
    {
        let Some(raw) = raw else { return Vec::new() };
        let parsed: Result<Vec<T>, String> = raw
            .split(',')
            .map(|item| item.trim().parse::<T>().map_err(|e| e.to_string()))
            .collect();
        parsed.unwrap_or_else(|message| {
            self.errors.push(FieldError::new(field, message));
            Vec::new()
        })
    }

    /// Parses `true` or `false`.
    pub fn flag(&mut self, field: &str, raw: Option<&str>) -> Option<bool> {
        match raw {
            None => None,
            Some("true") => Some(true),
            Some("false") => Some(false),
            Some(_) => {
                self.errors
                    .push(FieldError::new(field, "must be `true` or `false`"));
                None
            }
        }
    }

    /// Parses `limit` (1 to [`MAX_LIMIT`], default [`DEFAULT_LIMIT`]).
    pub fn limit(&mut self, raw: Option<&str>) -> usize {
        match raw.map(str::parse::<usize>) {
            None => DEFAULT_LIMIT,
            Some(Ok(n)) if (1..=MAX_LIMIT).contains(&n) => n,
            Some(_) => {
                self.errors.push(FieldError::new(
                    "limit",
                    format!("must be a whole number from 1 to {MAX_LIMIT}"),
                ));
                DEFAULT_LIMIT
            }
        }
    }

    /// Parses `count`, whose only value is `exact`.
    pub fn count(&mut self, raw: Option<&str>) -> bool {
        match raw {
            None => false,
            Some("exact") => true,
            Some(_) => {
                self.errors.push(FieldError::new(
                    "count",
                    "the only accepted value is `exact`",
                ));
                false
            }
        }
    }

    /// Parses a date written `YYYY-MM-DD`.
    pub fn date(&mut self, field: &str, raw: Option<&str>) -> Option<chrono::NaiveDate> {
        match raw.map(crate::domain::parse_date) {
            Some(Ok(date)) => Some(date),
            Some(Err(error)) => {
                self.reject(field, error.0);
                None
            }
            None => None,
        }
    }

    /// Trimmed text, `None` when empty, rejected beyond `max` characters.
    pub fn text(&mut self, field: &str, value: Option<String>, max: usize) -> Option<String> {
        let value = value
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())?;
        if value.chars().count() > max {
            self.reject(field, format!("must be at most {max} characters"));
        }
        Some(value)
    }

    /// Text that must not be empty.
    pub fn required_text(&mut self, field: &str, value: String, max: usize) -> String {
        self.text(field, Some(value), max).unwrap_or_else(|| {
            self.reject(field, "must not be empty");
            String::new()
        })
    }

    /// An optional http(s) URL.
    pub fn url(&mut self, field: &str, value: Option<String>) -> Option<String> {
        let url = self.text(field, value, MAX_URL);
        if url
            .as_deref()
            .is_some_and(|u| !(u.starts_with("https://") || u.starts_with("http://")))
        {
            self.reject(field, "must be an http(s) URL");
        }
        url
    }

    /// Parses an entity id given in a body or a list.
    pub fn id(&mut self, field: &str, raw: &str) -> Option<String> {
        self.parse::<EntityId>(field, Some(raw))
            .map(EntityId::into_inner)
    }

    /// The `provenance` a writer records (see [`Provenance::for_writer`]).
    pub fn provenance(
        &mut self,
        writer: Option<Role>,
        raw: Option<&str>,
        default: Provenance,
    ) -> Provenance {
        let claimed = self.parse::<Provenance>("provenance", raw);
        Provenance::for_writer(writer, claimed, default).unwrap_or_else(|error| {
            self.reject("provenance", error.0);
            Provenance::ForceReported
        })
    }

    /// Records an error found by other means.
    pub fn reject(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, message));
    }

    /// Ends parsing: an error naming every bad field, if any.
    pub fn finish(self) -> Result<(), ApiError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::invalid(self.errors))
        }
    }
}

/// Turns actix's path errors (a segment that is not the domain type it names, such as an
/// [`EntityId`](crate::domain::EntityId) or a [`Slug`]) into a problem naming the segment: the one
/// whose value the parser's message quotes.
pub fn path_error(error: PathError, req: &HttpRequest) -> actix_web::Error {
    path_problem(error, req).into()
}

/// The problem [`path_error`] answers with, for pages that show it as HTML.
pub fn path_problem(error: PathError, req: &HttpRequest) -> ApiError {
    let message = match &error {
        PathError::Deserialize(error) => error.to_string(),
        other => other.to_string(),
    };
    let field = req
        .match_info()
        .iter()
        .find(|(_, value)| {
            let shown: String = value.chars().take(80).collect();
            message.contains(&format!("`{shown}`"))
        })
        .map_or("path", |(name, _)| name)
        .to_owned();
    ApiError::invalid_field(field, message)
}

/// Refuses a query string naming a parameter not in `known`, or naming one twice: for endpoints
/// whose parameters are declared in parts (see [`param_names`]), where serde cannot deny unknown
/// fields.
pub fn only_params(req: &HttpRequest, known: &[String]) -> Result<(), ApiError> {
    let mut seen: Vec<String> = Vec::new();
    for (name, _) in url::form_urlencoded::parse(req.query_string().as_bytes()) {
        if !known.iter().any(|k| *k == name) {
            return Err(ApiError::invalid_field(
                name,
                "is not a parameter of this endpoint",
            ));
        }
        if seen.iter().any(|s| *s == name) {
            return Err(ApiError::invalid_field(name, "is given more than once"));
        }
        seen.push(name.into_owned());
    }
    Ok(())
}

/// The names of the query parameters an [`IntoParams`] type declares.
pub fn param_names<P: IntoParams>() -> Vec<String> {
    P::into_params(|| None)
        .into_iter()
        .map(|p| p.name)
        .collect()
}

/// Turns actix's query-string errors into a problem naming the parameter.
pub fn query_error(error: QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    let message = error.to_string();
    // serde_urlencoded names the parameter between back-quotes in its messages.
    let field = message
        .split('`')
        .nth(1)
        .filter(|_| {
            ["unknown field", "duplicate field", "missing field"]
                .iter()
                .any(|kind| message.contains(kind))
        })
        .unwrap_or("query")
        .to_owned();
    let reason = if message.contains("unknown field") {
        "is not a parameter of this endpoint".to_owned()
    } else if message.contains("missing field") {
        "is required".to_owned()
    } else if message.contains("duplicate field") {
        "is given more than once".to_owned()
    } else {
        message
            .trim_start_matches("Query deserialize error: ")
            .to_owned()
    };
    ApiError::invalid_field(field, reason).into()
}

/// Turns actix's JSON body errors into problems: 413 beyond [`JSON_BODY_LIMIT`], otherwise 400
/// naming the field when serde names one (unknown or missing fields), else `body`.
pub fn json_error(error: JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    match error {
        JsonPayloadError::Overflow { limit }
        | JsonPayloadError::OverflowKnownLength { limit, .. } => {
            ApiError::PayloadTooLarge(format!("The body is larger than {limit} bytes.")).into()
        }
        JsonPayloadError::ContentType => ApiError::invalid_field(
            "body",
            "must be JSON, sent with `Content-Type: application/json`",
        )
        .into(),
        JsonPayloadError::Deserialize(error) => {
            let message = error.to_string();
            // serde names the field between back-quotes in these two messages.
            let named = |prefix: &str| {
                message
                    .strip_prefix(prefix)
                    .and_then(|rest| rest.split('`').nth(1))
                    .map(str::to_owned)
            };
            let (field, reason) = if let Some(field) = named("unknown field") {
                (field, "is not a field of this body".to_owned())
            } else if let Some(field) = named("missing field") {
                (field, "is required".to_owned())
            } else if error.is_data() {
                ("body".to_owned(), message)
            } else {
                ("body".to_owned(), format!("is not valid JSON: {message}"))
            };
            ApiError::invalid_field(field, reason).into()
        }
        other => ApiError::invalid_field("body", other.to_string()).into(),
    }
}
