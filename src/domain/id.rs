use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::ParseError;

/// The id of a registry entity: a UUID in its canonical form (lower-case, hyphenated), so that one
/// entity has exactly one spelling in URLs, caches and exports.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EntityId(String);

impl EntityId {
    /// The pattern published in the OpenAPI spec.
    pub const PATTERN: &'static str =
        "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

impl FromStr for EntityId {
    type Err = ParseError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        match uuid::Uuid::try_parse(raw) {
            Ok(id) if id.hyphenated().to_string() == raw => Ok(Self(raw.to_owned())),
            _ => Err(ParseError(format!(
                "`{}` is not an id (a lower-case hyphenated UUID)",
                raw.chars().take(80).collect::<String>()
            ))),
        }
    }
}

impl TryFrom<String> for EntityId {
    type Error = ParseError;

    fn try_from(raw: String) -> Result<Self, Self::Error> {
        raw.parse()
    }
}

impl From<EntityId> for String {
    fn from(id: EntityId) -> Self {
        id.0
    }
}

impl AsRef<str> for EntityId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EntityId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// In the spec: the pattern the parser enforces.
impl utoipa::PartialSchema for EntityId {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        super::string_schema(
            Self::PATTERN,
            None,
            "0193c4a2-7d1e-7b3a-9f00-6a1d2c3b4e5f",
            "An id: a lower-case hyphenated UUID",
        )
    }
}

impl utoipa::ToSchema for EntityId {}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn only_the_canonical_spelling_is_an_id() {
        assert!("0193c4a2-7d1e-7b3a-9f00-6a1d2c3b4e5f"
            .parse::<EntityId>()
            .is_ok());
        for bad in [
            "",
            "0193C4A2-7D1E-7B3A-9F00-6A1D2C3B4E5F",
            "0193c4a27d1e7b3a9f006a1d2c3b4e5f",
            "{0193c4a2-7d1e-7b3a-9f00-6a1d2c3b4e5f}",
            "urn:uuid:0193c4a2-7d1e-7b3a-9f00-6a1d2c3b4e5f",
            "0193c4a2-7d1e-7b3a-9f00-6a1d2c3b4e5",
        ] {
            assert!(bad.parse::<EntityId>().is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn parsing_matches_the_published_pattern(raw in "[0-9a-fA-F-]{30,40}") {
            let by_pattern = raw.len() == 36
                && raw.char_indices().all(|(i, c)| match i {
                    8 | 13 | 18 | 23 => c == '-',
                    _ => c.is_ascii_digit() || ('a'..='f').contains(&c),
                });
            prop_assert_eq!(raw.parse::<EntityId>().is_ok(), by_pattern);
        }

        #[test]
        fn any_uuid_round_trips(bytes in any::<u128>()) {
            let id = uuid::Uuid::from_u128(bytes).hyphenated().to_string();
            prop_assert_eq!(id.parse::<EntityId>().map(String::from), Ok(id));
        }
    }
}
