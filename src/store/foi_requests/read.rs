//! Reads: a page of requests, one request, its revisions, and the authority a request is sent to.

use diesel::prelude::*;

use super::filter::{filtered, FoiFilter};
use super::model::FoiRequest;
use super::rows::{into_views, Row};
use super::sort::{sorted, FoiKey, FoiSort};
use super::ENTITY;
use crate::db::schema::{authorities, foi_requests};
use crate::db::DbConnection;
use crate::domain::FoiLaw;
use crate::foi::FoiCalendar;
use crate::store::{parse_column, revisions, Page, PageRequest, StoreError};

/// A page of requests in the order `sort` names.
pub fn list(
    conn: &mut DbConnection,
    calendar: &FoiCalendar,
    filter: &FoiFilter,
    sort: FoiSort,
    page: &PageRequest<FoiKey>,
) -> Result<Page<FoiRequest, FoiKey>, StoreError> {
    let rows = sorted(filtered(filter), sort, page.after.as_ref())?
        .select(Row::as_select())
        .limit(page.limit as i64 + 1)
        .load(conn)?;
    let total = if page.count {
        Some(filtered(filter).count().get_result(conn)?)
    } else {
        None
    };
    let rows = Page::from_overfetch(rows, page.limit, |row| sort.key_of(row));
    Ok(Page {
        items: into_views(conn, calendar, rows.items)?,
        next_after: rows.next_after,
        total,
    })
}

/// One request by id.
pub fn get(
    conn: &mut DbConnection,
    calendar: &FoiCalendar,
    id: &str,
) -> Result<FoiRequest, StoreError> {
    let rows = foi_requests::table
        .filter(foi_requests::id.eq(id))
        .select(Row::as_select())
        .load(conn)?;
    into_views(conn, calendar, rows)?
        .pop()
        .ok_or_else(|| StoreError::NotFound {
            entity: "FOI request",
            key: id.to_owned(),
        })
}

/// Every version of a request, oldest first.
pub fn revisions(
    conn: &mut DbConnection,
    id: &str,
) -> Result<Vec<revisions::Revision<serde_json::Value>>, StoreError> {
    revisions::history(conn, ENTITY, id)
}

/// The force an authority answers for, and the FOI law it answers under.
pub fn authority_of(
    conn: &mut DbConnection,
    authority: &str,
) -> Result<(String, FoiLaw), StoreError> {
    let (force, law): (String, String) = authorities::table
        .find(authority)
        .select((authorities::force_slug, authorities::foi_law))
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::Invalid {
            field: "authority",
            message: format!("no authority has the slug `{authority}`"),
        })?;
    Ok((force, parse_column("authorities.foi_law", &law)?))
}
