use std::str::FromStr;

use super::ParseError;

/// The name an account logs in with: 3 to 64 lower-case ASCII letters, digits, `.`, `_` or `-`,
/// starting with a letter or digit. Lower case only, so `Alice` and `alice` cannot be two accounts.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Username(String);

impl Username {
    pub const MIN_LEN: usize = 3;
    pub const MAX_LEN: usize = 64;
    /// The pattern published in the OpenAPI spec.
    pub const PATTERN: &'static str = "^[a-z0-9][a-z0-9._-]{2,63}$";
}

impl FromStr for Username {
    type Err = ParseError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let well_formed = (Self::MIN_LEN..=Self::MAX_LEN).contains(&raw.len())
            && raw
                .bytes()
                .next()
                .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            && raw
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
        if well_formed {
            Ok(Self(raw.to_owned()))
        } else {
            Err(ParseError(format!(
                "`{}` is not a username: use {} to {} lower-case letters, digits, `.`, `_` or `-`, \
                 starting with a letter or digit",
                raw.chars().take(80).collect::<String>(),
                Self::MIN_LEN,
                Self::MAX_LEN
            )))
        }
    }
}

parsed_text!(
    Username,
    pattern: Self::PATTERN,
    max_length: Some(Self::MAX_LEN),
    example: "cambs-foi",
    about: "A username: 3 to 64 lower-case letters, digits, `.`, `_` or `-`"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_lower_case_names_only() {
        for ok in ["alice", "j.smith", "cambs_foi-1", "abc"] {
            assert!(ok.parse::<Username>().is_ok(), "{ok}");
        }
        for bad in [
            "",
            "ab",
            "Alice",
            "-alice",
            "al ice",
            "alice@example.org",
            &"a".repeat(65),
        ] {
            assert!(bad.parse::<Username>().is_err(), "{bad}");
        }
    }
}
