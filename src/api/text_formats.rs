//! Schemas of the text formats that inputs share, so that the spec states exactly what the parsers
//! accept. A field attribute cannot reach inside a list, so list items get these components; plain
//! fields carry the same patterns as attributes.

use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;

fn string(pattern: &str, max_length: Option<usize>, example: &str, about: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(pattern))
        .max_length(max_length)
        .description(Some(about))
        .examples([example])
        .into()
}

/// A slug in a list: lower-case words of letters and digits joined by hyphens.
pub struct SlugItem;

impl utoipa::PartialSchema for SlugItem {
    fn schema() -> RefOr<Schema> {
        string(
            "^[a-z0-9]+(-[a-z0-9]+)*$",
            Some(64),
            "cambridgeshire",
            "A slug: lower-case letters and digits in words joined by hyphens",
        )
    }
}

impl utoipa::ToSchema for SlugItem {}

/// An id in a list: a lower-case hyphenated UUID.
pub struct IdItem;

impl utoipa::PartialSchema for IdItem {
    fn schema() -> RefOr<Schema> {
        string(
            "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
            None,
            "0193c4a2-7d1e-7b3a-9f00-6a1d2c3b4e5f",
            "An id: a lower-case hyphenated UUID",
        )
    }
}

impl utoipa::ToSchema for IdItem {}

/// A text in a list, which must hold more than whitespace.
pub struct TextItem;

impl utoipa::PartialSchema for TextItem {
    fn schema() -> RefOr<Schema> {
        string(
            "\\S",
            None,
            "FOI/OPCC/19-026-037",
            "A text with at least one character that is not whitespace",
        )
    }
}

impl utoipa::ToSchema for TextItem {}

/// The body of a file upload: its bytes as they are, never empty.
pub struct FileContent;

impl utoipa::PartialSchema for FileContent {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .description(Some("The file's bytes, sent as the body itself"))
            .examples(["Dear requester, ..."])
            .into()
    }
}

impl utoipa::ToSchema for FileContent {}
