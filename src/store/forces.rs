//! Police forces and the bodies that answer FOI requests for them.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::{parse_column, utc, Page, PageRequest, StoreError};
use crate::db::schema::{authorities, forces};
use crate::db::DbConnection;
use crate::domain::{AuthorityKind, FoiLaw, ForceKind, Nation};

/// A police force, with the authorities (itself and its oversight body) that answer FOI requests.
#[derive(Debug, Clone, Serialize)]
pub struct Force {
    /// The data.police.uk identifier (`police-scotland` for Police Scotland).
    pub slug: String,
    pub name: String,
    pub kind: ForceKind,
    /// ISO 3166-1 alpha-2 country code.
    pub country: String,
    /// UK nation, for UK forces.
    pub nation: Option<Nation>,
    /// State, province or county, outside the UK.
    pub region: Option<String>,
    pub website: Option<String>,
    pub foi_email: Option<String>,
    pub foi_url: Option<String>,
    /// The force itself first, then its oversight body.
    pub authorities: Vec<Authority>,
    /// Increases by one with every write; writers name it to show what their change is based on.
    pub revision: i64,
    pub updated_at: DateTime<Utc>,
}

/// A body that answers FOI requests.
#[derive(Debug, Clone, Serialize)]
pub struct Authority {
    pub slug: String,
    pub name: String,
    pub kind: AuthorityKind,
    pub foi_law: FoiLaw,
    pub website: Option<String>,
}

/// Filters on the list of forces.
#[derive(Debug, Clone, Default)]
pub struct ForceFilter {
    pub country: Option<String>,
    pub nation: Option<Nation>,
    /// A region's name exactly as the forces record it (`South West`, `Wales`).
    pub region: Option<String>,
    pub kind: Option<ForceKind>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = forces)]
struct ForceRow {
    slug: String,
    name: String,
    kind: String,
    country: String,
    nation: Option<String>,
    region: Option<String>,
    website: Option<String>,
    foi_email: Option<String>,
    foi_url: Option<String>,
    revision: i64,
    updated_at: chrono::NaiveDateTime,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = authorities)]
struct AuthorityRow {
    slug: String,
    name: String,
    kind: String,
    force_slug: String,
    foi_law: String,
    website: Option<String>,
}

impl AuthorityRow {
    fn into_authority(self) -> Result<Authority, StoreError> {
        Ok(Authority {
            kind: parse_column("authorities.kind", &self.kind)?,
            foi_law: parse_column("authorities.foi_law", &self.foi_law)?,
            slug: self.slug,
            name: self.name,
            website: self.website,
        })
    }
}

fn filtered(filter: &ForceFilter) -> forces::BoxedQuery<'static, crate::db::MultiBackend> {
    let mut query = forces::table.into_boxed();
    if let Some(country) = &filter.country {
        query = query.filter(forces::country.eq(country.clone()));
    }
    if let Some(nation) = filter.nation {
        query = query.filter(forces::nation.eq(nation.as_str()));
    }
    if let Some(region) = &filter.region {
        query = query.filter(forces::region.eq(region.clone()));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(forces::kind.eq(kind.as_str()));
    }
    query
}

/// Forces in slug order, with their authorities (one query for the page, one for its authorities).
pub fn list(
    conn: &mut DbConnection,
    filter: &ForceFilter,
    page: &PageRequest<String>,
) -> Result<Page<Force, String>, StoreError> {
    let mut query = filtered(filter)
        .select(ForceRow::as_select())
        .order(forces::slug.asc())
        .limit(page.limit as i64 + 1);
    if let Some(after) = &page.after {
        query = query.filter(forces::slug.gt(after.clone()));
    }
    let rows = query.load(conn)?;
    let mut result = Page::from_overfetch(rows, page.limit, |row| row.slug.clone());
    let items = with_authorities(conn, std::mem::take(&mut result.items))?;
    let total = if page.count {
        Some(filtered(filter).count().get_result(conn)?)
    } else {
        None
    };
    Ok(Page {
        items,
        next_after: result.next_after,
        total,
    })
}

/// The regions forces are recorded in, in name order (for filters' choices).
pub fn regions(conn: &mut DbConnection) -> Result<Vec<String>, StoreError> {
    Ok(forces::table
        .filter(forces::region.is_not_null())
        .select(forces::region.assume_not_null())
        .distinct()
        .order(forces::region.assume_not_null().asc())
        .load(conn)?)
}

/// One force by slug.
pub fn get(conn: &mut DbConnection, slug: &str) -> Result<Force, StoreError> {
    let row = forces::table
        .find(slug)
        .select(ForceRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::NotFound {
            entity: "force",
            key: slug.to_owned(),
        })?;
    Ok(with_authorities(conn, vec![row])?.remove(0))
}

/// True when a force with this slug exists.
pub fn exists(conn: &mut DbConnection, slug: &str) -> Result<bool, StoreError> {
    Ok(diesel::select(diesel::dsl::exists(forces::table.find(slug))).get_result(conn)?)
}

fn with_authorities(
    conn: &mut DbConnection,
    rows: Vec<ForceRow>,
) -> Result<Vec<Force>, StoreError> {
    let slugs: Vec<&str> = rows.iter().map(|r| r.slug.as_str()).collect();
    let mut by_force: HashMap<String, Vec<Authority>> = HashMap::new();
    let authority_rows = authorities::table
        .filter(authorities::force_slug.eq_any(&slugs))
        .select(AuthorityRow::as_select())
        .order((authorities::force_slug, authorities::slug))
        .load(conn)?;
    for row in authority_rows {
        let force = row.force_slug.clone();
        by_force
            .entry(force)
            .or_default()
            .push(row.into_authority()?);
    }
    rows.into_iter()
        .map(|row| {
            let mut authorities = by_force.remove(&row.slug).unwrap_or_default();
            authorities.sort_by_key(|a| a.kind != AuthorityKind::Force);
            Ok(Force {
                kind: parse_column("forces.kind", &row.kind)?,
                nation: row
                    .nation
                    .as_deref()
                    .map(|n| parse_column("forces.nation", n))
                    .transpose()?,
                slug: row.slug,
                name: row.name,
                country: row.country,
                region: row.region,
                website: row.website,
                foi_email: row.foi_email,
                foi_url: row.foi_url,
                authorities,
                revision: row.revision,
                updated_at: utc(row.updated_at),
            })
        })
        .collect()
}

/// A force's details as editors correct them (slug, kind, country and nation are reference facts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForceDetails {
    pub name: String,
    pub region: Option<String>,
    pub website: Option<String>,
    pub foi_email: Option<String>,
    pub foi_url: Option<String>,
}

/// Replaces a force's details if it is still at the revision `expected` names. Call inside a write
/// transaction.
pub fn update(
    conn: &mut DbConnection,
    stamp: &super::audit::Stamp,
    slug: &str,
    expected: super::Precondition,
    details: &ForceDetails,
) -> Result<Force, StoreError> {
    use super::audit::{Action, Change, Changed};
    let current = get(conn, slug)?;
    super::expect_revision("force", slug, current.revision, expected)?;
    let revision = current.revision + 1;
    diesel::update(forces::table.find(slug))
        .set((
            forces::name.eq(&details.name),
            forces::region.eq(&details.region),
            forces::website.eq(&details.website),
            forces::foi_email.eq(&details.foi_email),
            forces::foi_url.eq(&details.foi_url),
            forces::revision.eq(revision),
            forces::updated_at.eq(stamp.at),
        ))
        .execute(conn)?;
    let updated = get(conn, slug)?;
    let changed = super::diff::named(
        &current,
        &updated,
        &["name", "region", "website", "foi_email", "foi_url"],
    );
    super::revisions::record_write(
        conn,
        stamp,
        Change {
            entity_type: "force",
            entity_id: slug,
            action: Action::Update,
            revision,
            force_slug: Some(slug),
            changed: Changed::Values(changed),
            summary: format!("Force {slug}: details updated"),
        },
        &updated,
    )?;
    Ok(updated)
}
