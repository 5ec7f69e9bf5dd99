//! The text of a reply document, for search: plain text and CSV as they are, PDFs through
//! `pdf-extract` where their text can be extracted (scans and images have none). Extraction never
//! fails a write: a document whose text cannot be read is stored without it.

/// The most text kept for search from one document: a long reply's first hundreds of pages.
pub const MAX_TEXT_CHARS: usize = 1_000_000;

/// The searchable text of a document of `media_type`, or `None` when it has none to give.
pub fn searchable_text(media_type: &str, bytes: &[u8]) -> Option<String> {
    let text = match media_type {
        "text/plain" | "text/csv" => String::from_utf8_lossy(bytes).into_owned(),
        // A malformed PDF can make the parser panic: that document simply has no text.
        "application/pdf" => std::panic::catch_unwind(|| pdf_extract::extract_text_from_mem(bytes))
            .ok()?
            .ok()?,
        _ => return None,
    };
    let clean = tidy(&text);
    (!clean.is_empty()).then_some(clean)
}

/// Whitespace runs become one space, characters the registry's text rule refuses (controls other
/// than whitespace, U+FFFE/U+FFFF) are dropped, and the text is cut at [`MAX_TEXT_CHARS`].
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_TEXT_CHARS));
    let mut kept = 0;
    let mut space = false;
    for c in text.chars() {
        if kept >= MAX_TEXT_CHARS {
            break;
        }
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' || c == '\0' {
            continue;
        }
        if space {
            out.push(' ');
            kept += 1;
            space = false;
        }
        out.push(c);
        kept += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn text_is_kept_and_other_types_have_none() {
        assert_eq!(
            searchable_text(
                "text/plain",
                b"Dear requester,\n\n  we hold\tno IMSI\x07 data."
            ),
            Some("Dear requester, we hold no IMSI data.".into())
        );
        assert_eq!(searchable_text("image/png", b"\x89PNG"), None);
        assert_eq!(searchable_text("text/plain", b" \n\t "), None);
    }

    #[test]
    fn a_broken_pdf_has_no_text_and_does_not_panic() {
        assert_eq!(
            searchable_text("application/pdf", b"%PDF-1.4\n garbage"),
            None
        );
    }

    proptest! {
        #[test]
        fn tidy_text_has_no_controls_runs_or_edges(raw in "\\PC{0,200}|[\\s\\x00-\\x1f a-z]{0,200}") {
            let clean = tidy(&raw);
            prop_assert!(!clean.chars().any(|c| c.is_control()));
            prop_assert!(!clean.contains("  "));
            prop_assert_eq!(clean.trim(), clean.as_str());
            prop_assert!(clean.chars().count() <= MAX_TEXT_CHARS);
        }
    }
}
