//! Domain types: every value that arrives from outside is parsed into one of these once, at the edge.

/// What every text value parsed by its own `FromStr` shares: reading it back (`as_str`,
/// `into_inner`, `AsRef<str>`, `Display`, `String::from`), `TryFrom<String>` for serde's
/// `try_from`, and the spec schema stating the pattern its parser enforces.
macro_rules! parsed_text {
    ($name:ident, pattern: $pattern:expr, max_length: $max:expr, example: $example:literal, about: $about:literal) => {
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_inner(self) -> String {
                self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::domain::ParseError;

            fn try_from(raw: String) -> Result<Self, Self::Error> {
                raw.parse()
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        /// In the spec: the pattern the parser enforces.
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                $crate::domain::string_schema(&$pattern, $max, $example, $about)
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}

mod date;
pub mod document;
pub mod document_text;
mod enums;
mod foi_section;
mod id;
mod moment;
mod search_terms;
mod since;
mod slug;
mod text;
mod username;

pub use date::parse_date;
pub use enums::*;
pub use foi_section::FoiSection;
pub use id::EntityId;
pub use moment::Moment;
pub use search_terms::SearchTerms;
pub use since::Since;
pub use slug::Slug;
pub use text::{
    allowed_char, check_json, clip, forbidden_char, forbidden_escape, xml_safe, CONTROL_CLASS,
    TEXT_PATTERN,
};
pub use username::Username;

/// A value that did not parse, with a message meant for the person who sent it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ParseError(pub String);

/// A string schema with the pattern its parser enforces, for the spec.
pub(crate) fn string_schema(
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
