//! Domain types: every value that arrives from outside is parsed into one of these once, at the edge.

mod date;
pub mod document;
mod enums;
mod moment;
mod search_terms;
mod slug;
mod text;
mod username;

pub use date::parse_date;
pub use enums::*;
pub use moment::Moment;
pub use search_terms::SearchTerms;
pub use slug::Slug;
pub use text::{
    allowed_char, check_json, forbidden_char, forbidden_escape, xml_safe, TEXT_PATTERN,
};
pub use username::Username;

/// A value that did not parse, with a message meant for the person who sent it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ParseError(pub String);
