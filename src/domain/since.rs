use std::str::FromStr;

use super::{Moment, ParseError};

/// Where a reader of the change feed starts: after an event id it has seen (`4211`), or at the
/// first event recorded at or after a moment (`2021-01-01`, `2021-01-01T09:00:00Z`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Since {
    Event(i64),
    Moment(Moment),
}

impl Default for Since {
    /// The beginning of the feed.
    fn default() -> Self {
        Self::Event(0)
    }
}

impl FromStr for Since {
    type Err = ParseError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        if !raw.is_empty() && raw.bytes().all(|b| b.is_ascii_digit()) {
            return raw
                .parse()
                .map(Self::Event)
                .map_err(|_| ParseError(format!("event id `{raw}` is larger than any event id")));
        }
        raw.parse::<Moment>().map(Self::Moment).map_err(|_| {
            ParseError(format!(
                "`{}` is neither an event id (digits) nor a date (YYYY-MM-DD) nor an RFC 3339 timestamp with an offset",
                raw.chars().take(40).collect::<String>()
            ))
        })
    }
}

/// In the spec: an event id, a date or an RFC 3339 date-time.
impl utoipa::PartialSchema for Since {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        let event_id = ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some("^[0-9]{1,18}$"));
        super::moment::moment_schema(Some(event_id))
            .description(Some(
                "An event id (resume after it), or a date (YYYY-MM-DD, from the start of that UTC day) \
                 or an RFC 3339 timestamp with an offset (from the first event recorded at or after it)",
            ))
            .examples(["4211", "2021-01-01", "2021-01-01T09:00:00Z"])
            .into()
    }
}

impl utoipa::ToSchema for Since {}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ids_dates_and_timestamps() {
        assert_eq!("0".parse::<Since>().unwrap(), Since::Event(0));
        assert_eq!("4211".parse::<Since>().unwrap(), Since::Event(4211));
        assert!(matches!(
            "2021-01-01".parse::<Since>().unwrap(),
            Since::Moment(Moment::Day(_))
        ));
        assert!(matches!(
            "2021-01-01T09:00:00Z".parse::<Since>().unwrap(),
            Since::Moment(Moment::Instant(_))
        ));
        for bad in [
            "",
            "-1",
            "99999999999999999999",
            "12a",
            "2021-13-01",
            "yesterday",
        ] {
            assert!(bad.parse::<Since>().is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn every_id_round_trips(id in 0i64..i64::MAX) {
            prop_assert_eq!(id.to_string().parse::<Since>().unwrap(), Since::Event(id));
        }

        #[test]
        fn never_panics(raw in ".{0,40}") {
            let _ = raw.parse::<Since>();
        }
    }
}
