//! Rules that hold for every operation, stated in the OpenAPI document once here rather than on
//! each endpoint: the text rule on every plain string, and the problems an operation's shape implies
//! (bad input, a missing token, a stale or missing `If-Match`, a large or slow body, the limits, a
//! database outage). Endpoints describe only the problems particular to them.

use serde_json::{json, Map, Value};

use crate::domain::TEXT_PATTERN;

/// Applies the rules to a generated document.
pub fn apply(spec: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    let mut doc = serde_json::to_value(&spec).expect("the spec serialises");
    // Schemas of file bodies, which the text rule does not cover.
    let mut files = std::collections::HashSet::new();
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut().filter_map(Value::as_object_mut) {
            for operation in item.values_mut().filter_map(Value::as_object_mut) {
                add_common_responses(operation);
                if let Some(parameters) = operation
                    .get_mut("parameters")
                    .and_then(Value::as_array_mut)
                {
                    for parameter in parameters.iter_mut().filter(|p| p["in"] != "header") {
                        if let Some(schema) = parameter.get_mut("schema") {
                            text_rule(schema);
                        }
                    }
                }
                // JSON bodies are text; other bodies (documents, imported files) are files,
                // whose bytes the endpoint checks as what they are.
                let contents = operation
                    .get_mut("requestBody")
                    .and_then(|body| body.get_mut("content"))
                    .and_then(Value::as_object_mut);
                for (media_type, content) in contents.into_iter().flatten() {
                    if is_json(media_type) {
                        text_rule(content);
                    } else if let Some(name) = content["schema"]["$ref"].as_str() {
                        files.insert(name.trim_start_matches(SCHEMA_REF).to_owned());
                    }
                }
            }
        }
    }
    if let Some(components) = doc.get_mut("components").and_then(Value::as_object_mut) {
        if let Some(schemas) = components.get_mut("schemas").and_then(Value::as_object_mut) {
            for (name, schema) in schemas.iter_mut() {
                if !files.contains(name) {
                    text_rule(schema);
                }
            }
        }
        components.insert("responses".into(), common_responses());
    }
    serde_json::from_value(doc).expect("the amended spec is still a spec")
}

/// Puts [`TEXT_PATTERN`] on every string schema that is not already constrained by a format, an
/// enumeration, a pattern or a media type. (The patterns of the shared formats already exclude what
/// the rule refuses.)
fn text_rule(value: &mut Value) {
    match value {
        Value::Object(object) => {
            if is_plain_string(object) {
                object.insert("pattern".into(), Value::String(TEXT_PATTERN.into()));
            }
            for (key, child) in object.iter_mut() {
                // Examples are data, not schemas.
                if key != "example" && key != "examples" && key != "default" {
                    text_rule(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(text_rule),
        _ => {}
    }
}

const SCHEMA_REF: &str = "#/components/schemas/";

fn is_json(media_type: &str) -> bool {
    media_type == "application/json" || media_type.ends_with("+json")
}

fn is_plain_string(schema: &Map<String, Value>) -> bool {
    let string = match schema.get("type") {
        Some(Value::String(t)) => t == "string",
        // A union that takes objects too is any JSON value (a change's old and new values): it
        // constrains no text of its own.
        Some(Value::Array(types)) => {
            types.iter().any(|t| t == "string") && !types.iter().any(|t| t == "object")
        }
        _ => false,
    };
    // `password` only asks clients to hide what is typed: it says nothing of the characters.
    let constraining_format = schema.get("format").is_some_and(|f| f != "password");
    string
        && !constraining_format
        && ![
            "enum",
            "const",
            "pattern",
            "contentMediaType",
            "contentEncoding",
        ]
        .iter()
        .any(|key| schema.contains_key(*key))
}

/// Adds, where an endpoint has not described them itself, the problems any operation of its shape
/// can answer with: 400 (any request: parameters, the text rule), 401 (a bearer token is required),
/// 412 and 428 (it takes `If-Match`), 413 (it takes a JSON body), 408 (any body), 429 and 503.
fn add_common_responses(operation: &mut Map<String, Value>) {
    let body_types: Vec<String> = operation
        .get("requestBody")
        .and_then(|body| body.get("content"))
        .and_then(Value::as_object)
        .map(|content| content.keys().cloned().collect())
        .unwrap_or_default();
    let secured = operation
        .get("security")
        .and_then(Value::as_array)
        .is_some_and(|requirements| !requirements.is_empty());
    let conditional = operation
        .get("parameters")
        .and_then(Value::as_array)
        .is_some_and(|parameters| {
            parameters
                .iter()
                .any(|p| p["in"] == "header" && p["name"] == "If-Match")
        });
    let Some(responses) = operation
        .get_mut("responses")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    let mut wanted = vec![
        ("400", "InvalidInput"),
        ("429", "TooManyRequests"),
        ("503", "Unavailable"),
    ];
    if secured {
        wanted.push(("401", "Unauthenticated"));
    }
    if conditional {
        wanted.extend([("412", "StaleRevision"), ("428", "RevisionRequired")]);
    }
    if body_types.iter().any(|media_type| is_json(media_type)) {
        wanted.push(("413", "BodyTooLarge"));
    }
    if !body_types.is_empty() {
        wanted.push(("408", "RequestTimeout"));
    }
    for (status, name) in wanted {
        responses
            .entry(status)
            .or_insert_with(|| json!({"$ref": format!("#/components/responses/{name}")}));
    }
}

fn common_responses() -> Value {
    let problem =
        json!({"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}});
    let retry_after = json!({"Retry-After": {
        "description": "Seconds to wait before trying again",
        "schema": {"type": "integer", "minimum": 0}
    }});
    json!({
        "InvalidInput": {
            "description": "A parameter, path segment or body field is invalid; `errors` names each",
            "content": problem,
        },
        "Unauthenticated": {
            "description": "No valid bearer token",
            "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}},
            "content": problem,
        },
        "StaleRevision": {
            "description": "Someone else changed it first: `If-Match` names an older revision",
            "content": problem,
        },
        "RevisionRequired": {
            "description": "`If-Match` is missing (or is `*`)",
            "content": problem,
        },
        "BodyTooLarge": {
            "description": "The body is too large",
            "content": problem,
        },
        "TooManyRequests": {
            "description": "Over a rate or concurrency limit; `Retry-After` says when to try again",
            "headers": retry_after,
            "content": problem,
        },
        "Unavailable": {
            "description": "The database is unreachable or the answer took too long; try again after `Retry-After`",
            "headers": retry_after,
            "content": problem,
        },
        "RequestTimeout": {
            "description": "The request body did not arrive within the body deadline",
            "content": problem,
        },
    })
}
