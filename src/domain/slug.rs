use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::ParseError;

/// A stable, URL-safe identifier such as `cambridgeshire` or `imsi-catcher`: lower-case ASCII letters
/// and digits in hyphen-separated words, at most 64 characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Slug(String);

impl Slug {
    pub const MAX_LEN: usize = 64;
    /// The pattern published in the OpenAPI spec.
    pub const PATTERN: &'static str = "^[a-z0-9]+(-[a-z0-9]+)*$";
}

impl FromStr for Slug {
    type Err = ParseError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let well_formed = !raw.is_empty()
            && raw.len() <= Self::MAX_LEN
            && raw.split('-').all(|word| {
                !word.is_empty()
                    && word
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            });
        if well_formed {
            Ok(Self(raw.to_owned()))
        } else {
            Err(ParseError(format!(
                "`{}` is not a slug: use 1 to {} lower-case letters, digits and single hyphens",
                raw.chars().take(80).collect::<String>(),
                Self::MAX_LEN
            )))
        }
    }
}

parsed_text!(
    Slug,
    pattern: Self::PATTERN,
    max_length: Some(Self::MAX_LEN),
    example: "cambridgeshire",
    about: "A slug: lower-case letters and digits in words joined by hyphens"
);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_registry_slugs_and_rejects_others() {
        for ok in ["cambridgeshire", "avon-and-somerset", "imsi-catcher", "a1"] {
            assert!(ok.parse::<Slug>().is_ok(), "{ok}");
        }
        for bad in [
            "",
            "-a",
            "a-",
            "a--b",
            "Kent",
            "kent!",
            "ké",
            &"a".repeat(65),
        ] {
            assert!(bad.parse::<Slug>().is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn parsing_matches_the_published_pattern(raw in "[a-z0-9-]{0,70}") {
            let by_pattern = !raw.is_empty()
                && raw.len() <= Slug::MAX_LEN
                && !raw.starts_with('-')
                && !raw.ends_with('-')
                && !raw.contains("--");
            prop_assert_eq!(raw.parse::<Slug>().is_ok(), by_pattern);
        }

        #[test]
        fn never_panics(raw in ".*") {
            let _ = raw.parse::<Slug>();
        }
    }
}
