//! Reads: a page of requests, one request, its revisions, and the authority a request is sent to.

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::filter::{filtered, FoiFilter};
use super::model::FoiRequest;
use super::rows::{into_views, Row};
use super::ENTITY;
use crate::db::schema::{authorities, foi_requests};
use crate::db::DbConnection;
use crate::domain::FoiLaw;
use crate::foi::FoiCalendar;
use crate::store::{parse_column, revisions, Page, PageRequest, StoreError};

/// Where a page of requests ends: most recently received first.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FoiKey {
    pub received_on: NaiveDate,
    pub id: String,
}

/// A page of requests, most recently received first.
pub fn list(
    conn: &mut DbConnection,
    calendar: &FoiCalendar,
    filter: &FoiFilter,
    page: &PageRequest<FoiKey>,
) -> Result<Page<FoiRequest, FoiKey>, StoreError> {
    let mut query = filtered(filter)
        .select(Row::as_select())
        .order((foi_requests::received_on.desc(), foi_requests::id.desc()))
        .limit(page.limit as i64 + 1);
    if let Some(FoiKey { received_on, id }) = &page.after {
        query = query.filter(
            foi_requests::received_on.le(*received_on).and(
                foi_requests::received_on
                    .lt(*received_on)
                    .or(foi_requests::id.lt(id.clone())),
            ),
        );
    }
    let rows = query.load(conn)?;
    let total = if page.count {
        Some(filtered(filter).count().get_result(conn)?)
    } else {
        None
    };
    let rows = Page::from_overfetch(rows, page.limit, |row| FoiKey {
        received_on: row.received_on,
        id: row.id.clone(),
    });
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
