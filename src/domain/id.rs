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

parsed_text!(
    EntityId,
    pattern: Self::PATTERN,
    max_length: None,
    example: "0193c4a2-7d1e-7b3a-9f00-6a1d2c3b4e5f",
    about: "An id: a lower-case hyphenated UUID"
);

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
