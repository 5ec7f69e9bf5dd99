//! The surveillance-tool taxonomy.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::audit::{Action, Change, Changed, Stamp};
use super::diff;
use super::{parse_json_list, utc, Page, PageRequest, StoreError};
use crate::db::schema::tools;
use crate::db::DbConnection;

/// A kind of surveillance tool. Slugs are stable: a tool is deprecated, never deleted.
#[derive(Debug, Clone, Serialize)]
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
    /// Increases by one with every write; writers name it to show what their change is based on.
    pub revision: i64,
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
    revision: i64,
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
            revision: self.revision,
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

/// A tool's description as editors write it (the slug and taxonomy position are fixed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolFields {
    pub name: String,
    pub description: String,
    pub parent: Option<String>,
    pub aliases: Vec<String>,
    pub atlas_category: Option<String>,
    /// Deprecated tools stay readable (their slugs are stable) but should get no new claims.
    pub deprecated: bool,
}

/// A tool's content, as its change events compare it (the rest is bookkeeping).
const CONTENT_FIELDS: [&str; 6] = [
    "name",
    "description",
    "parent",
    "aliases",
    "atlas_category",
    "deprecated",
];

/// Replaces a tool's description if it is still at the revision `expected` names. Call inside a write
/// transaction.
pub fn update(
    conn: &mut DbConnection,
    stamp: &Stamp,
    slug: &str,
    expected: super::Precondition,
    fields: &ToolFields,
) -> Result<Tool, StoreError> {
    let current = get(conn, slug)?;
    super::expect_revision("tool", slug, current.revision, expected)?;
    // The parent must exist, and the taxonomy stay a tree: no tool may be its own ancestor.
    let mut ancestor = fields.parent.clone();
    while let Some(parent) = ancestor {
        if parent == slug {
            return Err(StoreError::Invalid {
                field: "parent",
                message: "would make the tool its own ancestor".into(),
            });
        }
        ancestor = get(conn, &parent)
            .map_err(|_| StoreError::Invalid {
                field: "parent",
                message: format!("no tool has the slug `{parent}`"),
            })?
            .parent;
    }
    if let Some(category) = &fields.atlas_category {
        let holder: Option<String> = tools::table
            .filter(tools::atlas_category.eq(category))
            .filter(tools::slug.ne(slug))
            .select(tools::slug)
            .first(conn)
            .optional()?;
        if let Some(holder) = holder {
            return Err(StoreError::Invalid {
                field: "atlas_category",
                message: format!("`{category}` already maps onto the tool `{holder}`"),
            });
        }
    }
    let revision = current.revision + 1;
    diesel::update(tools::table.find(slug))
        .set((
            tools::name.eq(&fields.name),
            tools::description.eq(&fields.description),
            tools::parent_slug.eq(&fields.parent),
            tools::aliases.eq(serde_json::to_string(&fields.aliases).expect("strings serialise")),
            tools::atlas_category.eq(&fields.atlas_category),
            tools::deprecated.eq(fields.deprecated),
            tools::revision.eq(revision),
            tools::updated_at.eq(stamp.at),
        ))
        .execute(conn)?;
    let updated = get(conn, slug)?;
    let changed = diff::named(&current, &updated, &CONTENT_FIELDS);
    super::revisions::record_write(
        conn,
        stamp,
        Change {
            entity_type: "tool",
            entity_id: slug,
            action: Action::Update,
            revision,
            force_slug: None,
            changed: Changed::Values(changed),
            summary: format!(
                "Tool {slug}: {}{}",
                fields.name,
                if fields.deprecated {
                    " (deprecated)"
                } else {
                    ""
                }
            ),
        },
        &updated,
    )?;
    Ok(updated)
}

/// `column IN (the tool and every tool below it in the taxonomy)`: a filter on a tool slug column
/// that includes the tool's sub-types, however deep (a recursive query, the same on both
/// databases).
#[derive(Debug, Clone, diesel::query_builder::QueryId)]
pub struct InToolFamily {
    /// A qualified column holding a tool slug, e.g. `deployments.tool_slug`.
    column: &'static str,
    slug: String,
}

impl InToolFamily {
    pub fn new(column: &'static str, slug: String) -> Self {
        Self { column, slug }
    }
}

crate::db::sql_condition!(InToolFamily);

impl diesel::query_builder::QueryFragment<crate::db::MultiBackend> for InToolFamily {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, crate::db::MultiBackend>,
    ) -> QueryResult<()> {
        out.push_sql(self.column);
        out.push_sql(" IN ");
        push_tool_family(&mut out, &self.slug)
    }
}

/// Writes `(<the slugs of the tool and of every tool below it>)`, a recursive subquery both
/// databases run alike, for filters where a parent tool stands for its sub-types.
pub fn push_tool_family<'b>(
    out: &mut diesel::query_builder::AstPass<'_, 'b, crate::db::MultiBackend>,
    slug: &'b String,
) -> QueryResult<()> {
    out.push_sql("(WITH RECURSIVE family(slug) AS (SELECT slug FROM tools WHERE slug = ");
    out.push_bind_param::<diesel::sql_types::Text, _>(slug)?;
    out.push_sql(
        " UNION SELECT t.slug FROM tools t JOIN family f ON t.parent_slug = f.slug) \
         SELECT slug FROM family)",
    );
    Ok(())
}
