//! The orders the list can be read in, and the keyset position that continues a page in each.
//!
//! Every order ends with the id, in the same direction, so that ties are broken and no row is
//! skipped or repeated between pages. Missing dates (`sent_on`, `responded_on`) are the smallest
//! values: first ascending, last descending, as SQLite orders them and PostgreSQL is told to
//! (`NULLS FIRST`/`NULLS LAST`), so both backends page alike and the `(column, id)` indexes serve.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::Text;
use serde::{Deserialize, Serialize};

use crate::db::schema::foi_requests;
use crate::db::MultiBackend;
use crate::store::StoreError;

/// A column the list can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FoiSortColumn {
    ReceivedOn,
    SentOn,
    DueOn,
    RespondedOn,
    Authority,
    Force,
    UpdatedAt,
}

impl FoiSortColumn {
    /// Every column, with its name in `sort`.
    pub const ALL: [(Self, &'static str); 7] = [
        (Self::ReceivedOn, "received_on"),
        (Self::SentOn, "sent_on"),
        (Self::DueOn, "due_on"),
        (Self::RespondedOn, "responded_on"),
        (Self::Authority, "authority"),
        (Self::Force, "force"),
        (Self::UpdatedAt, "updated_at"),
    ];

    /// The column as SQL, for the `ORDER BY` both backends read alike.
    fn sql(self) -> &'static str {
        match self {
            Self::ReceivedOn => "foi_requests.received_on",
            Self::SentOn => "foi_requests.sent_on",
            Self::DueOn => "foi_requests.due_on",
            Self::RespondedOn => "foi_requests.responded_on",
            Self::Authority => "foi_requests.authority_slug",
            Self::Force => "foi_requests.force_slug",
            Self::UpdatedAt => "foi_requests.updated_at",
        }
    }
}

/// An order of the list: a column, ascending or descending (`-` before its name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FoiSort {
    pub column: FoiSortColumn,
    pub descending: bool,
}

impl Default for FoiSort {
    /// Most recently received first.
    fn default() -> Self {
        Self {
            column: FoiSortColumn::ReceivedOn,
            descending: true,
        }
    }
}

impl FoiSort {
    /// Reads `received_on` or `-received_on` and the like; `None` for anything else.
    pub fn from_param(raw: &str) -> Option<Self> {
        let (descending, name) = match raw.strip_prefix('-') {
            Some(name) => (true, name),
            None => (false, raw),
        };
        FoiSortColumn::ALL
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(column, _)| Self {
                column: *column,
                descending,
            })
    }

    /// Every value `sort` takes, the default first.
    pub fn params() -> Vec<String> {
        let default = FoiSortColumn::ALL[0].1;
        let mut all = vec![format!("-{default}"), default.to_owned()];
        for (_, name) in &FoiSortColumn::ALL[1..] {
            all.push(name.to_string());
            all.push(format!("-{name}"));
        }
        all
    }

    /// The sort value of a row, for its page's key.
    pub(super) fn key_of(self, row: &super::rows::Row) -> FoiKey {
        let mut key = FoiKey {
            id: row.id.clone(),
            ..FoiKey::default()
        };
        match self.column {
            FoiSortColumn::ReceivedOn => key.date = Some(row.received_on),
            FoiSortColumn::SentOn => key.date = row.sent_on,
            FoiSortColumn::DueOn => key.date = Some(row.due_on),
            FoiSortColumn::RespondedOn => key.date = row.responded_on,
            FoiSortColumn::Authority => key.text = Some(row.authority_slug.clone()),
            FoiSortColumn::Force => key.text = Some(row.force_slug.clone()),
            FoiSortColumn::UpdatedAt => key.at = Some(row.updated_at),
        }
        key
    }
}

/// Where a page ends: the sort column's value in the last row (absent for a missing date) and
/// its id.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct FoiKey {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<NaiveDateTime>,
    pub id: String,
}

/// Rows after `$value` (an `Option`: `None` is a missing value, the smallest) and `$id` in the
/// order of `$column`, descending when `$desc`.
macro_rules! after {
    ($query:expr, $column:expr, $value:expr, $id:expr, $desc:expr) => {{
        let (column, id) = ($column, foi_requests::id);
        let query = $query;
        match ($value, $desc) {
            // `column >= v AND (column > v OR id > k)`: the leading bound lets the index seek.
            (Some(v), false) => query.filter(
                column
                    .nullable()
                    .ge(v.clone())
                    .and(column.nullable().gt(v.clone()).or(id.gt($id))),
            ),
            (Some(v), true) => query.filter(
                column
                    .nullable()
                    .le(v.clone())
                    .and(column.nullable().lt(v.clone()).or(id.lt($id)))
                    .or(column.nullable().is_null()),
            ),
            (None, false) => query.filter(column.nullable().is_not_null().or(id.gt($id))),
            (None, true) => query.filter(column.nullable().is_null().and(id.lt($id))),
        }
    }};
}

/// The key's value of a column that is never empty: a key without one is a tampered cursor.
fn present<T>(value: Option<T>) -> Result<Option<T>, StoreError> {
    value.map(Some).ok_or_else(|| StoreError::Invalid {
        field: "cursor",
        message: "was issued for another sort; start again without it".into(),
    })
}

/// Orders `query` by `sort` and starts it after `key`. A key that does not fit the sort (a
/// tampered cursor) is refused.
pub(super) fn sorted(
    query: foi_requests::BoxedQuery<'static, MultiBackend>,
    sort: FoiSort,
    key: Option<&FoiKey>,
) -> Result<foi_requests::BoxedQuery<'static, MultiBackend>, StoreError> {
    let direction = if sort.descending {
        "DESC NULLS LAST"
    } else {
        "ASC NULLS FIRST"
    };
    let id_direction = if sort.descending { "DESC" } else { "ASC" };
    let order = format!(
        "{} {direction}, foi_requests.id {id_direction}",
        sort.column.sql()
    );
    let query = query.order(sql::<Text>(&order));
    let Some(key) = key else { return Ok(query) };
    let (last_id, desc) = (key.id.clone(), sort.descending);
    Ok(match sort.column {
        FoiSortColumn::ReceivedOn => {
            let at = present(key.date)?;
            after!(query, foi_requests::received_on, at, last_id, desc)
        }
        FoiSortColumn::DueOn => {
            let at = present(key.date)?;
            after!(query, foi_requests::due_on, at, last_id, desc)
        }
        FoiSortColumn::SentOn => after!(query, foi_requests::sent_on, key.date, last_id, desc),
        FoiSortColumn::RespondedOn => {
            after!(query, foi_requests::responded_on, key.date, last_id, desc)
        }
        FoiSortColumn::Authority => {
            let text = present(key.text.clone())?;
            after!(query, foi_requests::authority_slug, text, last_id, desc)
        }
        FoiSortColumn::Force => {
            let text = present(key.text.clone())?;
            after!(query, foi_requests::force_slug, text, last_id, desc)
        }
        FoiSortColumn::UpdatedAt => {
            let at = present(key.at)?;
            after!(query, foi_requests::updated_at, at, last_id, desc)
        }
    })
}
