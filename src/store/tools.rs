//! The surveillance-tool taxonomy.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::{parse_json_list, utc, Page, PageRequest, StoreError};
use crate::db::schema::tools;
use crate::db::DbConnection;

/// A kind of surveillance tool. Slugs are stable: a tool is deprecated, never deleted.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "slug": "imsi-catcher",
    "name": "IMSI catcher",
    "description": "A device that imitates a mobile phone mast so that nearby phones connect to it.",
    "parent": null,
    "aliases": ["cell-site simulator", "Stingray"],
    "atlas_category": "cell-site-simulator",
    "deprecated": false,
    "updated_at": "2026-11-26T23:00:00Z"
}))]
pub struct Tool {
    pub slug: String,
    pub name: String,
    pub description: String,
    /// The broader tool this one refines, if any.
    pub parent: Option<String>,
    /// Other names people use for it.
    pub aliases: Vec<String>,
    /// The Atlas of Surveillance technology category imported as this tool.
    pub atlas_category: Option<String>,
    pub deprecated: bool,
    pub updated_at: DateTime<Utc>,
}

/// Filters on the list of tools.
#[derive(Debug, Clone, Default)]
pub struct ToolFilter {
    pub parent: Option<String>,
    pub deprecated: Option<bool>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = tools)]
struct ToolRow {
    slug: String,
    name: String,
    description: String,
    parent_slug: Option<String>,
    aliases: String,
    atlas_category: Option<String>,
    position: i32,
    deprecated: bool,
    updated_at: chrono::NaiveDateTime,
}

impl ToolRow {
    fn into_tool(self) -> Result<Tool, StoreError> {
        Ok(Tool {
            aliases: parse_json_list("tools.aliases", &self.aliases)?,
            slug: self.slug,
            name: self.name,
            description: self.description,
            parent: self.parent_slug,
            atlas_category: self.atlas_category,
            deprecated: self.deprecated,
            updated_at: utc(self.updated_at),
        })
    }
}

fn filtered(filter: &ToolFilter) -> tools::BoxedQuery<'static, crate::db::MultiBackend> {
    let mut query = tools::table.into_boxed();
    if let Some(parent) = &filter.parent {
        query = query.filter(tools::parent_slug.eq(parent.clone()));
    }
    if let Some(deprecated) = filter.deprecated {
        query = query.filter(tools::deprecated.eq(deprecated));
    }
    query
}

/// Tools in taxonomy order (parents before their children); the page key is the position.
pub fn list(
    conn: &mut DbConnection,
    filter: &ToolFilter,
    page: &PageRequest<i32>,
) -> Result<Page<Tool, i32>, StoreError> {
    let mut query = filtered(filter)
        .select(ToolRow::as_select())
        .order(tools::position.asc())
        .limit(page.limit as i64 + 1);
    if let Some(after) = page.after {
        query = query.filter(tools::position.gt(after));
    }
    let rows = query.load(conn)?;
    let page_rows = Page::from_overfetch(rows, page.limit, |row| row.position);
    let total = if page.count {
        Some(filtered(filter).count().get_result(conn)?)
    } else {
        None
    };
    Ok(Page {
        items: page_rows
            .items
            .into_iter()
            .map(ToolRow::into_tool)
            .collect::<Result<_, _>>()?,
        next_after: page_rows.next_after,
        total,
    })
}

/// One tool by slug.
pub fn get(conn: &mut DbConnection, slug: &str) -> Result<Tool, StoreError> {
    tools::table
        .find(slug)
        .select(ToolRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::NotFound {
            entity: "tool",
            key: slug.to_owned(),
        })?
        .into_tool()
}
