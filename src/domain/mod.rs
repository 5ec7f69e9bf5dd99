//! Domain types: every value that arrives from outside is parsed into one of these once, at the edge.

mod enums;
mod moment;
mod search_terms;
mod slug;
mod username;

pub use enums::*;
pub use moment::Moment;
pub use search_terms::SearchTerms;
pub use slug::Slug;
pub use username::Username;

/// A value that did not parse, with a message meant for the person who sent it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ParseError(pub String);
