//! The one rule for text the registry accepts, wherever it arrives (JSON bodies, query parameters,
//! imported files): no NUL and no other control character except tab, line feed and carriage
//! return, and none of the two Unicode noncharacters U+FFFE and U+FFFF. PostgreSQL cannot store NUL,
//! XML (the Atom feeds) cannot carry the others, and none of them belongs in a public record.

use serde_json::Value;

macro_rules! control_class {
    () => {
        r"\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF"
    };
}

/// The characters the rule refuses, as the inside of a regular-expression class, for the patterns
/// of the spec.
pub const CONTROL_CLASS: &str = control_class!();

/// The rule as a regular expression, published on every plain string of the OpenAPI document so
/// that what the spec calls valid the server accepts.
pub const TEXT_PATTERN: &str = concat!("^[^", control_class!(), "]*$");

/// Whether `c` may appear in stored text.
pub fn allowed_char(c: char) -> bool {
    match c {
        '\t' | '\n' | '\r' => true,
        '\u{FFFE}' | '\u{FFFF}' => false,
        c => !c.is_control(),
    }
}

/// Why text holding the refused character `c` is refused, for the person who sent it.
fn refusal(c: char) -> String {
    format!("must not contain the control character U+{:04X}", c as u32)
}

/// The first character `text` may not contain, described for the person who sent it.
pub fn forbidden_char(text: &str) -> Option<String> {
    // Printable ASCII, most of any text, is allowed byte by byte: only the rest is decoded. (An
    // import checks every line whole, and decoding each character cost more than parsing it.)
    let suspect = text.bytes().position(|b| !(b' '..=b'~').contains(&b))?;
    text[suspect..]
        .chars()
        .find(|&c| !allowed_char(c))
        .map(refusal)
}

/// The first refused character written as an escape (`\u0000`, `\b`, `\f`) in JSON text, which
/// [`forbidden_char`] on the raw text cannot see. A cheap scan for imports, whose lines are parsed
/// straight into records rather than into [`Value`]s.
pub fn forbidden_escape(json: &str) -> Option<String> {
    let bytes = json.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            i += 1;
            continue;
        }
        let escaped = match bytes.get(i + 1) {
            Some(b'b') => Some('\u{8}'),
            Some(b'f') => Some('\u{c}'),
            Some(b'u') => json
                .get(i + 2..i + 6)
                .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                .and_then(char::from_u32),
            _ => None,
        };
        if let Some(c) = escaped.filter(|&c| !allowed_char(c)) {
            return Some(refusal(c));
        }
        i += 2; // the backslash and the character it escapes
    }
    None
}

/// Checks every string (and object key) of a JSON document, naming the first offending field as a
/// path such as `answers[0].answer_text`.
pub fn check_json(value: &Value) -> Result<(), (String, String)> {
    fn walk(value: &Value, path: &mut String) -> Result<(), (String, String)> {
        match value {
            Value::String(text) => match forbidden_char(text) {
                Some(message) => Err((field_name(path), message)),
                None => Ok(()),
            },
            Value::Array(items) => items.iter().enumerate().try_for_each(|(i, item)| {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                let result = walk(item, path);
                path.truncate(len);
                result
            }),
            Value::Object(fields) => fields.iter().try_for_each(|(key, item)| {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                if let Some(message) = forbidden_char(key) {
                    return Err((field_name(path), message));
                }
                let result = walk(item, path);
                path.truncate(len);
                result
            }),
            _ => Ok(()),
        }
    }
    walk(value, &mut String::new())
}

/// A path as shown in an error: printable even when the key itself was the offender.
fn field_name(path: &str) -> String {
    let name: String = path
        .chars()
        .map(|c| if allowed_char(c) { c } else { '\u{FFFD}' })
        .take(200)
        .collect();
    if name.is_empty() {
        "body".to_owned()
    } else {
        name
    }
}

/// Text as XML 1.0 can carry it: the characters outside its `Char` production are dropped (they are
/// refused on input, so only records written before the rule can hold them).
pub fn xml_safe(text: &str) -> std::borrow::Cow<'_, str> {
    let ok = |c: char| matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..);
    if text.chars().all(ok) {
        std::borrow::Cow::Borrowed(text)
    } else {
        std::borrow::Cow::Owned(text.chars().filter(|&c| ok(c)).collect())
    }
}

/// A text cut to `max` characters at a word boundary, for descriptions.
pub fn clip(text: &str, max: usize) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= max {
        return text;
    }
    let cut: String = text.chars().take(max).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn tab_newline_and_carriage_return_are_text() {
        assert_eq!(forbidden_char("a\tb\nc\r\nd"), None);
        assert_eq!(forbidden_char("Ünïcödé — ‘quotes’ 😀"), None);
    }

    #[test]
    fn nul_controls_and_noncharacters_are_not() {
        for bad in [
            "a\u{0}b",
            "\u{1}",
            "\u{b}",
            "\u{c}",
            "\u{1b}[31m",
            "\u{7f}",
            "\u{85}",
            "\u{fffe}",
            "\u{ffff}",
        ] {
            assert!(forbidden_char(bad).is_some(), "{bad:?}");
        }
    }

    #[test]
    fn json_errors_name_the_nested_field() {
        let body = json!({"title": "ok", "answers": [{"answer_text": "fine"}, {"answer_text": "nul\u{0}"}]});
        let (field, message) = check_json(&body).unwrap_err();
        assert_eq!(field, "answers[1].answer_text");
        assert!(message.contains("U+0000"));
        assert!(check_json(&json!({"a": ["x", 1, null, {"b": "y"}]})).is_ok());
    }

    #[test]
    fn escapes_are_seen_through() {
        assert!(forbidden_escape(r#"{"a": "x\u0000y"}"#).is_some());
        assert!(forbidden_escape(r#"{"a": "\b"}"#).is_some());
        assert!(forbidden_escape(r#"{"a": "\uFFFE"}"#).is_some());
        assert!(forbidden_escape(r#"{"a": "\\u0000 is how NUL is written"}"#).is_none());
        assert!(forbidden_escape(r#"{"a": "tab\t, quote\", é \u00e9, \ud83d\ude00"}"#).is_none());
    }

    proptest! {
        /// What the escape scan finds is what parsing the JSON would give.
        #[test]
        fn the_escape_scan_agrees_with_parsing(s in any::<String>()) {
            let json = serde_json::to_string(&s).unwrap();
            prop_assert_eq!(forbidden_escape(&json).is_some() || forbidden_char(&json).is_some(), forbidden_char(&s).is_some());
        }

        /// Skipping printable ASCII finds the same first refused character as decoding all.
        #[test]
        fn the_ascii_fast_path_changes_nothing(s in "[ -~]{0,8}\\PC{0,4}[\\x00-\\x{a0}\\x{fffe}\\x{ffff}]{0,3}.{0,4}") {
            let decoded = s.chars().find(|&c| !allowed_char(c));
            prop_assert_eq!(forbidden_char(&s), decoded.map(refusal));
        }

        /// The published pattern and the code agree on every character.
        #[test]
        fn the_pattern_and_the_rule_agree(c in any::<char>()) {
            let excluded = matches!(c as u32, 0x00..=0x08 | 0x0B | 0x0C | 0x0E..=0x1F | 0x7F..=0x9F | 0xFFFE | 0xFFFF);
            prop_assert_eq!(allowed_char(c), !excluded);
        }

        /// Whatever text comes in, what reaches an XML document is only what XML can carry.
        #[test]
        fn xml_safe_leaves_only_xml_characters(s in any::<String>()) {
            let safe = xml_safe(&s);
            prop_assert!(safe.chars().all(|c| !matches!(c as u32, 0x00..=0x08 | 0x0B | 0x0C | 0x0E..=0x1F | 0xFFFE | 0xFFFF)));
        }
    }
}
