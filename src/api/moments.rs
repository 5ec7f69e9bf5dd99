//! The query parameters that name moments (`as_of`, `compare_to`), parsed in one place for the
//! API views and the pages built on them.

use chrono::NaiveDateTime;
use serde::Deserialize;
use utoipa::IntoParams;

use super::params::Validator;
use crate::domain::Moment;
use crate::error::ApiError;

/// The parameters of views that take only `as_of`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AsOfOnly {
    /// Read the registry as it stood at the end of this date, or at this RFC 3339 timestamp.
    #[param(value_type = Option<Moment>, example = "2020-01-01")]
    as_of: Option<String>,
}

impl AsOfOnly {
    /// The last instant `as_of` covers; `None` for now.
    pub fn parse(&self) -> Result<Option<NaiveDateTime>, ApiError> {
        let mut v = Validator::default();
        let as_of = v.parse::<Moment>("as_of", self.as_of.as_deref());
        v.finish()?;
        Ok(as_of.map(Moment::end))
    }

    /// `as_of` as given, empty when absent (for the date picker).
    pub fn given(&self) -> String {
        self.as_of.clone().unwrap_or_default()
    }
}

/// The parameters of a force's profile (and its page): a moment, and another to compare with.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ProfileQuery {
    /// Read the registry as it stood at the end of this date, or at this RFC 3339 timestamp.
    #[param(value_type = Option<Moment>, example = "2020-01-01")]
    as_of: Option<String>,
    /// Also read the profile as it stood at this other moment, and add `comparison`: the tools
    /// whose status or claims differ from that reading (`old`) to this one (`new`).
    #[param(value_type = Option<Moment>, example = "2021-01-01")]
    compare_to: Option<String>,
}

impl ProfileQuery {
    /// The last instants `as_of` and `compare_to` cover.
    pub fn parse(&self) -> Result<(Option<NaiveDateTime>, Option<NaiveDateTime>), ApiError> {
        let mut v = Validator::default();
        let as_of = v.parse::<Moment>("as_of", self.as_of.as_deref());
        let compare_to = v.parse::<Moment>("compare_to", self.compare_to.as_deref());
        v.finish()?;
        Ok((as_of.map(Moment::end), compare_to.map(Moment::end)))
    }

    /// `as_of` and `compare_to` as given, empty when absent.
    pub fn given(&self) -> (String, String) {
        (
            self.as_of.clone().unwrap_or_default(),
            self.compare_to.clone().unwrap_or_default(),
        )
    }
}
