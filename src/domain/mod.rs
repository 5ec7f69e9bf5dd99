//! Domain types: every value that arrives from outside is parsed into one of these once, at the edge.

mod date;
pub mod document;
mod enums;
mod foi_section;
mod id;
mod moment;
mod search_terms;
mod slug;
mod text;
mod username;

pub use date::parse_date;
pub use enums::*;
pub use foi_section::FoiSection;
pub use id::EntityId;
pub use moment::Moment;
pub use search_terms::SearchTerms;
pub use slug::Slug;
pub use text::{
    allowed_char, check_json, forbidden_char, forbidden_escape, xml_safe, CONTROL_CLASS,
    TEXT_PATTERN,
};
pub use username::Username;

/// A value that did not parse, with a message meant for the person who sent it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ParseError(pub String);

/// A string schema with the pattern its parser enforces, for the spec.
fn string_schema(
    pattern: &str,
    max_length: Option<usize>,
    example: &str,
    about: &str,
) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .pattern(Some(pattern))
        .max_length(max_length)
        .description(Some(about))
        .examples([example])
        .into()
}
