//! What the registry accepts as a reply document and how it hands one back. Replies come as PDFs,
//! text, spreadsheets' CSV and scans; some are web pages. Anyone may download them, so a document
//! must never run in the registry's origin: the declared type is checked against the bytes, and only
//! types a browser shows without running anything are served inline.

use super::ParseError;

/// The media types a reply's documents may be uploaded with.
pub const DOCUMENT_TYPES: [&str; 8] = [
    "application/pdf",
    "text/plain",
    "text/csv",
    "text/html",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/tiff",
];

/// How a stored document is sent to readers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    pub content_type: &'static str,
    /// `inline` (the browser may show it) or `attachment` (it is saved).
    pub inline: bool,
}

/// The delivery of a document stored with `media_type`: PDFs and raster images as themselves,
/// text as `text/plain; charset=utf-8`, anything else (web pages included) as bytes to save.
pub fn delivery(media_type: &str) -> Delivery {
    let inline = |content_type| Delivery {
        content_type,
        inline: true,
    };
    match media_type.to_ascii_lowercase().as_str() {
        "application/pdf" => inline("application/pdf"),
        "image/png" => inline("image/png"),
        "image/jpeg" => inline("image/jpeg"),
        "image/gif" => inline("image/gif"),
        "text/plain" | "text/csv" => inline("text/plain; charset=utf-8"),
        _ => Delivery {
            content_type: "application/octet-stream",
            inline: false,
        },
    }
}

/// Checks that `bytes` are what `media_type` says: the magic numbers of PDFs and images, and for
/// anything but a declared web page, no markup a browser would run (HTML or SVG).
pub fn check_content(media_type: &str, bytes: &[u8]) -> Result<(), String> {
    let magic_ok = match media_type {
        // Some producers put a few bytes before the header; readers accept it within 1 KiB.
        "application/pdf" => find(&bytes[..bytes.len().min(1024)], b"%PDF-"),
        "image/png" => bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "image/jpeg" => bytes.starts_with(b"\xff\xd8\xff"),
        "image/gif" => bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a"),
        "image/tiff" => bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*"),
        "text/plain" | "text/csv" => std::str::from_utf8(bytes).is_ok(),
        _ => true,
    };
    if !magic_ok {
        return Err(format!("the bytes are not a {media_type} document"));
    }
    if media_type != "text/html" && looks_like_markup(bytes) {
        return Err(format!(
            "the bytes are a web page or SVG image, not {media_type}; upload web pages as text/html"
        ));
    }
    Ok(())
}

fn find(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Whether a browser sniffing the start of `bytes` would take them for HTML, XML or SVG.
fn looks_like_markup(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(1024)];
    let text = String::from_utf8_lossy(head).to_ascii_lowercase();
    let start = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    const TAGS: [&str; 12] = [
        "<!doctype",
        "<html",
        "<head",
        "<body",
        "<script",
        "<svg",
        "<?xml",
        "<iframe",
        "<!--",
        "<div",
        "<style",
        "<title",
    ];
    TAGS.iter().any(|tag| start.starts_with(tag))
        || text.contains("<svg")
        || text.contains("<script")
}

/// A document's file name as readers see it: 1 to 255 characters, no path separators, no control
/// or bidirectional formatting characters (which can disguise `exe.pdf` as `fdp.exe`), not `.` or
/// `..`, and not blank.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileName(String);

impl FileName {
    pub const MAX_CHARS: usize = 255;

    /// A plain-ASCII stand-in for clients that do not read `filename*` (RFC 6266 section 4.3).
    pub fn ascii_fallback(&self) -> String {
        let ascii: String = self
            .0
            .chars()
            .map(|c| {
                if c.is_ascii_graphic() || c == ' ' {
                    c
                } else {
                    '_'
                }
            })
            .filter(|&c| c != '"' && c != '\\')
            .collect();
        ascii
    }
}

/// Bidirectional formatting characters (Unicode's Bidi_Control property).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

impl std::str::FromStr for FileName {
    type Err = ParseError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let name = raw.trim();
        let bad = name.is_empty()
            || name.chars().count() > Self::MAX_CHARS
            || name == "."
            || name == ".."
            || name
                .chars()
                .any(|c| c.is_control() || c == '/' || c == '\\' || is_bidi_control(c));
        if bad {
            Err(ParseError(
                "must be a plain file name of 1 to 255 characters: no slashes, control or \
                 bidirectional formatting characters, not `.` or `..`"
                    .into(),
            ))
        } else {
            Ok(Self(name.to_owned()))
        }
    }
}

// In the spec, bidirectional controls aside (JSON Schema patterns cannot name a Unicode property).
parsed_text!(
    FileName,
    pattern: format!("^{FILE_NAME_CHAR}*{FILE_NAME_VISIBLE}{FILE_NAME_CHAR}*$"),
    max_length: Some(Self::MAX_CHARS),
    example: "FOI-OPCC-19-026-037.pdf",
    about: "A file name: no slashes or control characters, not blank"
);

/// A character a file name may hold, as a pattern class (bidirectional controls aside).
const FILE_NAME_CHAR: &str = r"[^/\\\u0000-\u001f\u007f-\u009f]";
/// A character that is not whitespace either.
const FILE_NAME_VISIBLE: &str = r"[^/\\\s\u0000-\u001f\u007f-\u009f]";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_harmless_types_are_inline() {
        assert!(delivery("application/pdf").inline);
        assert_eq!(
            delivery("text/csv").content_type,
            "text/plain; charset=utf-8"
        );
        for risky in [
            "text/html",
            "TEXT/HTML",
            "image/svg+xml",
            "image/tiff",
            "application/x-anything",
        ] {
            let d = delivery(risky);
            assert!(!d.inline, "{risky}");
            assert_eq!(d.content_type, "application/octet-stream");
        }
    }

    #[test]
    fn markup_under_another_type_is_refused() {
        assert!(check_content("text/plain", b"<html><script>alert(1)</script></html>").is_err());
        assert!(check_content("image/png", b"<svg xmlns='http://www.w3.org/2000/svg'/>").is_err());
        assert!(check_content("image/png", b"\x89PNG\r\n\x1a\n<svg onload=alert(1)>").is_err());
        assert!(check_content("text/html", b"<html></html>").is_ok());
        assert!(check_content("text/plain", b"Dear requester, ...").is_ok());
        assert!(check_content("application/pdf", b"%PDF-1.7\n...").is_ok());
        assert!(check_content("application/pdf", b"not a pdf").is_err());
    }

    #[test]
    fn file_names_cannot_disguise_themselves() {
        for bad in [
            ".",
            "..",
            "a/b",
            "a\\b",
            "x\u{202E}fdp.exe",
            "  ",
            "a\u{0}b",
        ] {
            assert!(bad.parse::<FileName>().is_err(), "{bad:?}");
        }
        let name: FileName = "Réponse FOI 2019.pdf".parse().unwrap();
        assert_eq!(name.ascii_fallback(), "R_ponse FOI 2019.pdf");
    }
}
