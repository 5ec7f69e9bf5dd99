use std::str::FromStr;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, SubsecRound, Utc};

use super::ParseError;

/// A point or a day in time as given in a query: `2019-07-04` or `2019-07-04T12:00:00Z`.
/// A bare date means the whole UTC day, so "as of 2019-07-04" includes everything recorded that day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moment {
    Day(NaiveDate),
    Instant(NaiveDateTime),
}

impl Moment {
    /// The earliest instant the moment covers.
    pub fn start(self) -> NaiveDateTime {
        match self {
            Self::Day(day) => day.and_time(NaiveTime::MIN),
            Self::Instant(at) => at,
        }
    }

    /// The latest instant the moment covers (to the microsecond the database keeps).
    pub fn end(self) -> NaiveDateTime {
        match self {
            Self::Day(day) => day
                .and_hms_micro_opt(23, 59, 59, 999_999)
                .expect("a valid time of day"),
            Self::Instant(at) => at,
        }
    }
}

/// A `oneOf` of the two string formats a moment is written in (a date, an RFC 3339 date-time),
/// after `before`: the spec of every parameter that takes a moment.
pub(super) fn moment_schema(
    before: Option<utoipa::openapi::schema::ObjectBuilder>,
) -> utoipa::openapi::schema::OneOfBuilder {
    use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, OneOfBuilder, SchemaFormat, Type};
    let string = |format| {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(format)))
    };
    let mut builder = OneOfBuilder::new();
    if let Some(first) = before {
        builder = builder.item(first);
    }
    builder
        .item(string(KnownFormat::Date))
        .item(string(KnownFormat::DateTime))
}

/// In the spec: a date or an RFC 3339 date-time.
impl utoipa::PartialSchema for Moment {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        moment_schema(None)
            .description(Some(
                "A date (YYYY-MM-DD: the whole UTC day) or an RFC 3339 timestamp with an offset",
            ))
            .examples(["2019-07-04", "2019-07-04T12:00:00Z"])
            .into()
    }
}

impl utoipa::ToSchema for Moment {}

impl FromStr for Moment {
    type Err = ParseError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        if let Ok(day) = super::parse_date(raw) {
            return Ok(Self::Day(day));
        }
        DateTime::parse_from_rfc3339(raw)
            .map(|at| Self::Instant(at.with_timezone(&Utc).naive_utc().trunc_subsecs(6)))
            .map_err(|_| {
                ParseError(format!(
                    "`{}` is neither a date (YYYY-MM-DD) nor an RFC 3339 timestamp with an offset",
                    raw.chars().take(40).collect::<String>()
                ))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn days_cover_the_whole_utc_day_and_instants_honour_offsets() {
        let day: Moment = "2019-07-04".parse().unwrap();
        assert_eq!(day.start().to_string(), "2019-07-04 00:00:00");
        assert_eq!(day.end().to_string(), "2019-07-04 23:59:59.999999");
        let instant: Moment = "2019-07-04T12:00:00+01:00".parse().unwrap();
        assert_eq!(instant.start().to_string(), "2019-07-04 11:00:00");
        assert_eq!(instant.start(), instant.end());
        for bad in [
            "2019-13-01",
            "04/07/2019",
            "2019-07-04T12:00:00",
            "yesterday",
            "",
        ] {
            assert!(bad.parse::<Moment>().is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn every_date_round_trips(days in 0i64..100_000) {
            let date = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap() + chrono::Duration::days(days);
            let moment: Moment = date.format("%Y-%m-%d").to_string().parse().unwrap();
            prop_assert_eq!(moment, Moment::Day(date));
            prop_assert!(moment.start() < moment.end());
        }

        #[test]
        fn rfc3339_instants_parse_to_the_same_utc_instant(secs in 0i64..4_000_000_000, offset_h in -12i32..=12) {
            let at = DateTime::from_timestamp(secs, 0).unwrap();
            let offset = chrono::FixedOffset::east_opt(offset_h * 3600).unwrap();
            let text = at.with_timezone(&offset).to_rfc3339();
            let moment: Moment = text.parse().unwrap();
            prop_assert_eq!(moment, Moment::Instant(at.naive_utc()));
        }

        #[test]
        fn never_panics(raw in ".{0,40}") {
            let _ = raw.parse::<Moment>();
        }
    }
}
