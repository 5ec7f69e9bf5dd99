//! FOI Act and EIR exemption sections as replies cite them.

use std::str::FromStr;

use super::ParseError;

/// A section as the registry stores it: `s` (FOI Act) or `reg` (EIR), the number, an optional
/// capital letter, and bracketed subsections: `s31(3)`, `s40(5B)`, `reg12(5)(a)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FoiSection(String);

impl FoiSection {
    /// The pattern published in the OpenAPI spec.
    pub const PATTERN: &'static str = "^(s|reg)[0-9]+[A-Z]?(\\([0-9A-Za-z]+\\))*$";

    /// The section of the Act a citation falls under, without its subsections: `s31` for
    /// `s31(1)(a)`, `reg12` for `reg12(5)(a)`, `s40` for `s40`.
    pub fn act_section(cited: &str) -> &str {
        cited.split('(').next().unwrap_or(cited)
    }
}

impl FromStr for FoiSection {
    type Err = ParseError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let section = raw.trim();
        if well_formed(section) {
            Ok(Self(section.to_owned()))
        } else {
            Err(ParseError(
                "must be written like `s31`, `s31(3)`, `s24(2)` or `reg12(5)(a)`".into(),
            ))
        }
    }
}

fn well_formed(section: &str) -> bool {
    let rest = section
        .strip_prefix("reg")
        .or_else(|| section.strip_prefix('s'));
    let Some(rest) = rest else { return false };
    let digits = rest.chars().take_while(char::is_ascii_digit).count();
    if digits == 0 {
        return false;
    }
    let mut rest = &rest[digits..];
    if rest.starts_with(|c: char| c.is_ascii_uppercase()) {
        rest = &rest[1..];
    }
    while let Some(inner) = rest.strip_prefix('(') {
        let Some(end) = inner.find(')') else {
            return false;
        };
        let part = &inner[..end];
        if part.is_empty() || !part.chars().all(|c| c.is_ascii_alphanumeric()) {
            return false;
        }
        rest = &inner[end + 1..];
    }
    rest.is_empty()
}

parsed_text!(
    FoiSection,
    pattern: Self::PATTERN,
    max_length: None,
    example: "s31(3)",
    about: "An exemption section: `s` (FOI Act) or `reg` (EIR), the number and any subsections"
);

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::FoiSection;

    fn is_section(raw: &str) -> bool {
        raw == raw.trim() && raw.parse::<FoiSection>().is_ok()
    }

    #[test]
    fn sections_are_written_as_cited() {
        for good in [
            "s8",
            "s24(2)",
            "s31(1)(a)",
            "s23(5)",
            "reg12(5)(a)",
            "s40(5B)",
        ] {
            assert!(is_section(good), "{good}");
        }
        for bad in [
            "",
            "s",
            "24(2)",
            "s24(",
            "s24()",
            "section 24",
            "s24(2) ",
            "S24",
        ] {
            assert!(!is_section(bad), "{bad}");
        }
    }

    #[test]
    fn act_sections_drop_subsections() {
        for (cited, section) in [
            ("s31(1)(a)", "s31"),
            ("s31(3)", "s31"),
            ("s31", "s31"),
            ("s40(5B)", "s40"),
            ("reg12(5)(a)", "reg12"),
        ] {
            assert_eq!(FoiSection::act_section(cited), section);
        }
    }

    proptest! {
        #[test]
        fn built_sections_parse(n in 1u32..100, subs in proptest::collection::vec("[0-9a-z]{1,3}", 0..3)) {
            let section = format!("s{n}{}", subs.iter().map(|s| format!("({s})")).collect::<String>());
            prop_assert!(is_section(&section));
        }
    }
}
