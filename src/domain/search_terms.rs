//! What a reader typed into a search box, parsed into a query both full-text engines run alike:
//! words (every one must match), `"phrases"` (words together, in order), `OR` between two terms
//! (either may match), and `-exclusions`. Everything else is punctuation.

use std::fmt;
use std::str::FromStr;

use super::ParseError;

/// Longest search accepted, in characters.
pub const MAX_SEARCH_CHARS: usize = 500;
/// Most words a search uses; more add little and cost much.
const MAX_TERMS: usize = 12;
/// Longest word kept.
const MAX_TERM_CHARS: usize = 64;

/// Words that must appear together, in order (one word is a phrase of one).
type Phrase = Vec<String>;

/// A parsed search: every clause must match, a clause matching when any of its phrases does, and
/// no excluded phrase may appear. Words are lower-cased letters and digits only, so no word can be
/// read as an operator by either engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchTerms {
    clauses: Vec<Vec<Phrase>>,
    excluded: Vec<Phrase>,
}

impl SearchTerms {
    /// True when the search names nothing to find, only things to leave out: it finds nothing
    /// (neither engine can list "everything but"), and [`Self::fts5`] and [`Self::tsquery`] must
    /// not be run.
    pub fn finds_nothing(&self) -> bool {
        self.clauses.is_empty()
    }

    /// An FTS5 query: phrases quoted, alternatives in brackets, exclusions with `NOT`.
    pub fn fts5(&self) -> String {
        let quoted = |phrase: &Phrase| format!("\"{}\"", phrase.join(" "));
        let mut query = self
            .clauses
            .iter()
            .map(|clause| match clause.as_slice() {
                [one] => quoted(one),
                many => format!(
                    "({})",
                    many.iter().map(quoted).collect::<Vec<_>>().join(" OR ")
                ),
            })
            .collect::<Vec<_>>()
            .join(" AND ");
        for phrase in &self.excluded {
            query = format!("({query}) NOT {}", quoted(phrase));
        }
        query
    }

    /// A PostgreSQL `to_tsquery` text: `&` between clauses, `|` between alternatives, `<->` within
    /// phrases, `!` for exclusions.
    pub fn tsquery(&self) -> String {
        let phrase = |phrase: &Phrase| format!("({})", phrase.join(" <-> "));
        let clauses = self.clauses.iter().map(|clause| {
            format!(
                "({})",
                clause.iter().map(phrase).collect::<Vec<_>>().join(" | ")
            )
        });
        let excluded = self.excluded.iter().map(|p| format!("!{}", phrase(p)));
        clauses.chain(excluded).collect::<Vec<_>>().join(" & ")
    }
}

/// The words of a piece of text: lower-cased runs of letters and digits.
fn words(text: &str) -> Phrase {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase().chars().take(MAX_TERM_CHARS).collect())
        .collect()
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
        let mut terms = Self {
            clauses: Vec::new(),
            excluded: Vec::new(),
        };
        let (mut budget, mut or_next) = (MAX_TERMS, false);
        let mut rest = raw.trim_start();
        while !rest.is_empty() && budget > 0 {
            let negated = rest.starts_with('-')
                && rest[1..].starts_with(|c: char| c == '"' || c.is_alphanumeric());
            if negated {
                rest = &rest[1..];
            }
            let (text, quoted, after) = match rest.strip_prefix('"') {
                Some(inner) => match inner.find('"') {
                    Some(end) => (&inner[..end], true, &inner[end + 1..]),
                    None => (inner, true, ""),
                },
                None => {
                    let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
                    (&rest[..end], false, &rest[end..])
                }
            };
            rest = after.trim_start();
            if text == "OR" && !quoted && !negated {
                or_next = !terms.clauses.is_empty();
                continue;
            }
            let mut phrase = words(text);
            phrase.truncate(budget);
            if phrase.is_empty() {
                continue;
            }
            budget -= phrase.len();
            match (negated, or_next, terms.clauses.last_mut()) {
                (true, _, _) => terms.excluded.push(phrase),
                (false, true, Some(clause)) => clause.push(phrase),
                (false, _, _) => terms.clauses.push(vec![phrase]),
            }
            or_next = false;
        }
        Ok(terms)
    }
}

/// The search as the registry reads it, in the syntax it accepts.
impl fmt::Display for SearchTerms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let show = |phrase: &Phrase| match phrase.as_slice() {
            [word] => word.clone(),
            _ => format!("\"{}\"", phrase.join(" ")),
        };
        let clauses = self
            .clauses
            .iter()
            .map(|clause| clause.iter().map(show).collect::<Vec<_>>().join(" OR "));
        let excluded = self.excluded.iter().map(|p| format!("-{}", show(p)));
        f.write_str(&clauses.chain(excluded).collect::<Vec<_>>().join(" "))
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
            "Words to find (all must match), `\"phrases\"`, `OR` between two terms, `-word` to exclude; at least one letter or digit",
        )
    }
}

impl utoipa::ToSchema for SearchTerms {}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn parsed(raw: &str) -> SearchTerms {
        raw.parse().unwrap()
    }

    #[test]
    fn words_phrases_alternatives_and_exclusions() {
        let q = parsed("IMSI-catcher \"body worn\" video OR cctv -drones -\"s31(3)\"");
        assert_eq!(
            q.to_string(),
            "\"imsi catcher\" \"body worn\" video OR cctv -drones -\"s31 3\""
        );
        assert_eq!(
            q.fts5(),
            "((\"imsi catcher\" AND \"body worn\" AND (\"video\" OR \"cctv\")) NOT \"drones\") NOT \"s31 3\""
        );
        assert_eq!(
            q.tsquery(),
            "((imsi <-> catcher)) & ((body <-> worn)) & ((video) | (cctv)) & !(drones) & !(s31 <-> 3)"
        );
    }

    #[test]
    fn operators_are_only_operators_where_they_can_be() {
        // AND, NEAR and a lone OR or minus are words or punctuation, never syntax.
        assert_eq!(parsed("OR camera OR").to_string(), "camera");
        assert_eq!(
            parsed("camera AND NEAR body*").to_string(),
            "camera and near body"
        );
        assert_eq!(parsed("a - b").to_string(), "a b");
        assert_eq!(
            parsed("\"unclosed phrase").to_string(),
            "\"unclosed phrase\""
        );
        assert!(parsed("-only -exclusions").finds_nothing());
        assert!(!parsed("something -else").finds_nothing());
        assert!("  ,;- ".parse::<SearchTerms>().is_err());
        assert!("x".repeat(501).parse::<SearchTerms>().is_err());
    }

    proptest! {
        #[test]
        fn any_text_gives_a_safe_query_or_an_error(raw in ".{0,200}") {
            if let Ok(terms) = raw.parse::<SearchTerms>() {
                let words: Vec<&String> = terms.clauses.iter().flatten().chain(&terms.excluded).flatten().collect();
                prop_assert!(!words.is_empty() && words.len() <= MAX_TERMS);
                prop_assert_eq!(terms.finds_nothing(), terms.clauses.is_empty());
                prop_assert!(words.iter().all(|w| !w.is_empty() && w.chars().all(char::is_alphanumeric)));
                // Every quote the FTS5 query holds is one of a phrase's pair.
                prop_assert_eq!(terms.fts5().matches('"').count() % 2, 0);
                // Parsing what it shows gives the same search back.
                prop_assert_eq!(terms.to_string().parse::<SearchTerms>().unwrap(), terms);
            }
        }
    }
}
