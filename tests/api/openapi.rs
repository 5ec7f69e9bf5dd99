//! The committed `openapi/openapi.json` must be exactly what the server serves, and every schema in
//! it must carry an example that fits it.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{Backend, TestDb};

const COMMITTED: &str = "openapi/openapi.json";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn committed_spec_matches_the_served_spec() {
    let db = TestDb::new(Backend::Sqlite);
    let app = db.spawn().await;
    let response = app.get("/api/v1/openapi.json").await;
    assert_eq!(response.status(), StatusCode::OK);
    let served = response.text().await.unwrap();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(COMMITTED);
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(&path, &served).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != served {
        let diff = similar::TextDiff::from_lines(&committed, &served)
            .unified_diff()
            .context_radius(3)
            .header(COMMITTED, "served by GET /api/v1/openapi.json")
            .to_string();
        panic!(
            "{COMMITTED} is out of date. Regenerate it with\n    \
             cargo run -- openapi > {COMMITTED}\nDifference:\n{diff}"
        );
    }
    let spec: serde_json::Value = serde_json::from_str(&served).unwrap();
    assert!(spec["openapi"].as_str().unwrap().starts_with("3.1"));
}

#[test]
fn the_openapi_subcommand_prints_the_same_document() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_surveillance-registry"))
        .arg("openapi")
        .output()
        .unwrap();
    assert!(output.status.success());
    let printed = String::from_utf8(output.stdout).unwrap();
    let committed =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(COMMITTED))
            .unwrap();
    assert!(
        printed == committed,
        "`surveillance-registry openapi` differs from {COMMITTED}"
    );
}

/// The component schemas of the document as served.
fn component_schemas() -> serde_json::Map<String, Value> {
    let spec: Value = serde_json::from_str(&surveillance_registry::startup::openapi_document())
        .expect("the spec is JSON");
    spec["components"]["schemas"]
        .as_object()
        .expect("the spec has component schemas")
        .clone()
}

/// The `example` and the `examples` of one schema.
fn examples_of(schema: &Value) -> Vec<&Value> {
    let mut found: Vec<&Value> = schema.get("example").into_iter().collect();
    if let Some(Value::Array(more)) = schema.get("examples") {
        found.extend(more);
    }
    found
}

#[test]
fn every_component_schema_has_an_example() {
    let missing: Vec<String> = component_schemas()
        .into_iter()
        .filter(|(_, schema)| examples_of(schema).is_empty())
        .map(|(name, _)| name)
        .collect();
    assert!(
        missing.is_empty(),
        "{} component schemas have no `example` (give each a realistic one with \
         `#[schema(example = json!(...))]`):\n    {}",
        missing.len(),
        missing.join("\n    ")
    );
}

#[test]
fn every_example_fits_its_schema() {
    let schemas = component_schemas();
    let check = ExampleCheck { schemas: &schemas };
    let mut problems = Vec::new();
    for (name, schema) in &schemas {
        check.examples_within(schema, name, &mut problems);
    }
    assert!(
        problems.is_empty(),
        "{} examples do not fit their schemas:\n    {}",
        problems.len(),
        problems.join("\n    ")
    );
}

/// Checks examples against the parts of JSON Schema this spec uses: `$ref`, `allOf`, `oneOf`,
/// `type`, `enum`, `format` (date, date-time, int32), lengths, `minimum`, `required`,
/// `properties`, `additionalProperties`, `propertyNames` and `items` (not `pattern`). An object may
/// hold only the keys its schema declares, and ids (`id`, `*_id`, `*_ids`) must be UUIDs in
/// lower-case hyphenated form.
struct ExampleCheck<'a> {
    schemas: &'a serde_json::Map<String, Value>,
}

impl ExampleCheck<'_> {
    /// Checks every example found in `schema` and in the schemas nested in it.
    fn examples_within(&self, schema: &Value, at: &str, problems: &mut Vec<String>) {
        match schema {
            Value::Object(fields) => {
                for example in examples_of(schema) {
                    self.value(schema, example, &format!("{at}: example"), problems);
                }
                for (key, nested) in fields {
                    if key != "example" && key != "examples" {
                        self.examples_within(nested, &format!("{at}/{key}"), problems);
                    }
                }
            }
            Value::Array(items) => {
                for (i, nested) in items.iter().enumerate() {
                    self.examples_within(nested, &format!("{at}/{i}"), problems);
                }
            }
            _ => {}
        }
    }

    fn resolve<'s>(&'s self, schema: &'s Value) -> &'s Value {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(reference) => {
                let name = reference
                    .strip_prefix("#/components/schemas/")
                    .unwrap_or_else(|| panic!("unexpected $ref {reference}"));
                self.resolve(&self.schemas[name])
            }
            None => schema,
        }
    }

    /// The declared properties, required properties and `additionalProperties` of an object
    /// schema, `allOf` parts merged.
    fn shape<'s>(&'s self, schema: &'s Value, shape: &mut Shape<'s>) {
        let schema = self.resolve(schema);
        if let Some(Value::Array(parts)) = schema.get("allOf") {
            for part in parts {
                self.shape(part, shape);
            }
        }
        if let Some(Value::Object(properties)) = schema.get("properties") {
            shape
                .properties
                .extend(properties.iter().map(|(k, v)| (k.as_str(), v)));
        }
        if let Some(Value::Array(required)) = schema.get("required") {
            shape
                .required
                .extend(required.iter().filter_map(Value::as_str));
        }
        if let Some(additional) = schema.get("additionalProperties") {
            shape.additional = Some(additional);
        }
        if let Some(names) = schema.get("propertyNames") {
            shape.names = Some(names);
        }
    }

    fn value(&self, schema: &Value, value: &Value, at: &str, problems: &mut Vec<String>) {
        let schema = self.resolve(schema);
        if let Some(Value::Array(alternatives)) = schema.get("oneOf") {
            let fitting = alternatives.iter().any(|alternative| {
                let mut found = Vec::new();
                self.value(alternative, value, at, &mut found);
                found.is_empty()
            });
            if !fitting {
                problems.push(format!("{at}: {value} fits none of `oneOf`"));
            }
            return;
        }
        if let Some(expected) = schema.get("type") {
            let types: Vec<&str> = match expected {
                Value::Array(types) => types.iter().filter_map(Value::as_str).collect(),
                other => other.as_str().into_iter().collect(),
            };
            if !types.iter().any(|t| is_type(value, t)) {
                problems.push(format!(
                    "{at}: {value} is not of type {}",
                    types.join(" or ")
                ));
                return;
            }
        }
        if let Some(Value::Array(allowed)) = schema.get("enum") {
            if !allowed.contains(value) {
                problems.push(format!("{at}: {value} is not one of the `enum` values"));
            }
        }
        match value {
            Value::String(text) => self.string(schema, text, at, problems),
            Value::Number(number) => {
                let minimum = schema.get("minimum").and_then(Value::as_f64);
                if minimum.is_some_and(|m| number.as_f64().is_some_and(|n| n < m)) {
                    problems.push(format!("{at}: {number} is below the minimum"));
                }
                let int32 = schema.get("format").and_then(Value::as_str) == Some("int32");
                if int32
                    && number
                        .as_i64()
                        .and_then(|n| i32::try_from(n).ok())
                        .is_none()
                {
                    problems.push(format!("{at}: {number} is not an int32"));
                }
            }
            Value::Array(items) => {
                if let Some(item_schema) = schema.get("items") {
                    for (i, item) in items.iter().enumerate() {
                        self.value(item_schema, item, &format!("{at}/{i}"), problems);
                    }
                }
            }
            Value::Object(fields) => self.object(schema, fields, at, problems),
            Value::Null | Value::Bool(_) => {}
        }
    }

    fn string(&self, schema: &Value, text: &str, at: &str, problems: &mut Vec<String>) {
        let length = text.chars().count() as u64;
        if schema
            .get("minLength")
            .and_then(Value::as_u64)
            .is_some_and(|min| length < min)
        {
            problems.push(format!("{at}: {text:?} is shorter than `minLength`"));
        }
        if schema
            .get("maxLength")
            .and_then(Value::as_u64)
            .is_some_and(|max| length > max)
        {
            problems.push(format!("{at}: {text:?} is longer than `maxLength`"));
        }
        let fits = match schema.get("format").and_then(Value::as_str) {
            Some("date") => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok(),
            Some("date-time") => chrono::DateTime::parse_from_rfc3339(text).is_ok(),
            _ => true,
        };
        if !fits {
            problems.push(format!("{at}: {text:?} does not have its `format`"));
        }
    }

    fn object(
        &self,
        schema: &Value,
        fields: &serde_json::Map<String, Value>,
        at: &str,
        problems: &mut Vec<String>,
    ) {
        let mut shape = Shape::default();
        self.shape(schema, &mut shape);
        for required in &shape.required {
            if !fields.contains_key(*required) {
                problems.push(format!("{at}: the required `{required}` is missing"));
            }
        }
        for (key, field) in fields {
            let key_at = format!("{at}/{key}");
            if let Some(names) = shape.names {
                self.value(names, &Value::String(key.clone()), &key_at, problems);
            }
            match (shape.properties.get(key.as_str()), shape.additional) {
                (Some(property), _) => self.value(property, field, &key_at, problems),
                (None, Some(additional)) if additional.is_object() => {
                    self.value(additional, field, &key_at, problems)
                }
                (None, Some(Value::Bool(true))) => {}
                (None, _) => problems.push(format!("{at}: `{key}` is not a property")),
            }
            let ids: Vec<&Value> = match field {
                Value::String(_) if key == "id" || key.ends_with("_id") => vec![field],
                Value::Array(items) if key.ends_with("_ids") => items.iter().collect(),
                _ => Vec::new(),
            };
            for id in ids.iter().filter_map(|id| id.as_str()) {
                let canonical = uuid::Uuid::try_parse(id).map(|u| u.hyphenated().to_string());
                if canonical.ok().as_deref() != Some(id) {
                    problems.push(format!(
                        "{key_at}: {id:?} is not a lower-case hyphenated UUID"
                    ));
                }
            }
        }
    }
}

#[derive(Default)]
struct Shape<'s> {
    properties: std::collections::HashMap<&'s str, &'s Value>,
    required: Vec<&'s str>,
    additional: Option<&'s Value>,
    names: Option<&'s Value>,
}

fn is_type(value: &Value, json_type: &str) -> bool {
    match json_type {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "string" => value.is_string(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => false,
    }
}
