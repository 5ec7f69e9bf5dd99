//! What a reader typed into a search box, reduced to the words both full-text engines agree on.

use std::fmt;
use std::str::FromStr;

use super::ParseError;

/// Longest search accepted, in characters.
pub const MAX_SEARCH_CHARS: usize = 500;
/// Most words a search uses; more add little and cost much.
const MAX_TERMS: usize = 12;
/// Longest word kept.
const MAX_TERM_CHARS: usize = 64;

/// The words of a search, lower-cased, in order, without operators or punctuation: every word
/// must match (AND), on SQLite FTS5 and PostgreSQL alike.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchTerms(Vec<String>);

impl SearchTerms {
    pub fn terms(&self) -> &[String] {
        &self.0
    }

    /// An FTS5 query: each word quoted, so no word is read as an operator.
    pub fn fts5(&self) -> String {
        self.0
            .iter()
            .map(|t| format!("\"{t}\""))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Text for PostgreSQL's `plainto_tsquery`, which ANDs the words it is given.
    pub fn plain(&self) -> String {
        self.0.join(" ")
    }
}

impl FromStr for SearchTerms {
    type Err = ParseError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        if raw.chars().count() > MAX_SEARCH_CHARS {
            return Err(ParseError(format!(
                "must be at most {MAX_SEARCH_CHARS} characters"
            )));
        }
        // The published pattern: at least one ASCII letter or digit (other words count too).
        if !raw.chars().any(|c| c.is_ascii_alphanumeric()) {
            return Err(ParseError(
                "must contain at least one letter (a-z) or digit".into(),
            ));
        }
        let terms: Vec<String> = raw
            .split(|c: char| !c.is_alphanumeric())
            .map(|w| {
                w.to_lowercase()
                    .chars()
                    .filter(|c| c.is_alphanumeric())
                    .take(MAX_TERM_CHARS)
                    .collect::<String>()
            })
            .filter(|w| !w.is_empty())
            .take(MAX_TERMS)
            .collect();
        Ok(Self(terms))
    }
}

impl fmt::Display for SearchTerms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.plain())
    }
}

/// In the spec: up to 500 characters with at least one letter or digit, within the text rule.
impl utoipa::PartialSchema for SearchTerms {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        let control = super::CONTROL_CLASS;
        super::string_schema(
            &format!("^[^{control}]*[A-Za-z0-9][^{control}]*$"),
            Some(MAX_SEARCH_CHARS),
            "body worn video",
            "Words to find, at least one with a letter or digit",
        )
    }
}

impl utoipa::ToSchema for SearchTerms {}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn punctuation_and_operators_are_dropped() {
        let terms: SearchTerms = "IMSI-catcher AND \"s31(3)\" OR body*".parse().unwrap();
        assert_eq!(
            terms.terms(),
            ["imsi", "catcher", "and", "s31", "3", "or", "body"]
        );
        assert_eq!(
            terms.fts5(),
            "\"imsi\" \"catcher\" \"and\" \"s31\" \"3\" \"or\" \"body\""
        );
        assert!("  ,;- ".parse::<SearchTerms>().is_err());
        assert!("x".repeat(501).parse::<SearchTerms>().is_err());
    }

    proptest! {
        #[test]
        fn any_text_gives_quoted_words_or_an_error(raw in ".{0,200}") {
            if let Ok(terms) = raw.parse::<SearchTerms>() {
                prop_assert!(!terms.terms().is_empty() && terms.terms().len() <= MAX_TERMS);
                prop_assert!(terms.terms().iter().all(|t| t.chars().all(char::is_alphanumeric)));
                prop_assert_eq!(terms.fts5().matches('"').count(), 2 * terms.terms().len());
            }
        }
    }
}
