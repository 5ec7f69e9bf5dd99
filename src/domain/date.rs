//! Calendar dates as the registry writes them: `YYYY-MM-DD`, exactly (RFC 3339's `full-date`, the
//! OpenAPI `date` format). chrono's own `%Y-%m-%d` also takes `2019-2-3`, `+10000-01-01`, `-0001-01-01`
//! and leading spaces, which no client means and the spec does not allow.

use chrono::NaiveDate;

use super::ParseError;

/// Parses a date written `YYYY-MM-DD` with a four-digit year.
pub fn parse_date(raw: &str) -> Result<NaiveDate, ParseError> {
    let bytes = raw.as_bytes();
    let shaped = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    shaped
        .then(|| NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| ParseError("must be a date written YYYY-MM-DD".into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Datelike;
    use proptest::prelude::*;

    #[test]
    fn only_the_exact_form_is_a_date() {
        assert_eq!(
            parse_date("2019-07-04").unwrap(),
            NaiveDate::from_ymd_opt(2019, 7, 4).unwrap()
        );
        for bad in [
            "2019-2-3",
            "+10000-01-01",
            "-0001-01-01",
            " 2019-02-28",
            "2019-02-28 ",
            "2019-02-30",
            "2019/02/28",
            "",
            "２０１９-02-28",
        ] {
            assert!(parse_date(bad).is_err(), "{bad:?}");
        }
    }

    proptest! {
        /// Every date of years 0000 to 9999 survives writing and reading back.
        #[test]
        fn written_dates_read_back(days in 0i32..3_652_059) {
            let date = NaiveDate::from_num_days_from_ce_opt(days + 1).unwrap();
            prop_assume!(date.year() <= 9999);
            prop_assert_eq!(parse_date(&date.format("%Y-%m-%d").to_string()).unwrap(), date);
        }

        /// No other string is taken for a date it does not spell.
        #[test]
        fn anything_else_is_refused_or_spelled_exactly(raw in "\\PC{0,12}") {
            if let Ok(date) = parse_date(&raw) {
                prop_assert_eq!(date.format("%Y-%m-%d").to_string(), raw);
            }
        }
    }
}
