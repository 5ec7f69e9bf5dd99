//! The view of a surveillance tool, as the API answers with it.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::store::tools::Tool;

/// A kind of surveillance tool. Slugs are stable: a tool is deprecated, never deleted.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Tool, example = json!({
    "slug": "imsi-catcher",
    "name": "IMSI catcher",
    "description": "A device that imitates a mobile phone mast so that nearby phones connect to it.",
    "parent": null,
    "aliases": ["cell-site simulator", "Stingray"],
    "atlas_category": "cell-site-simulator",
    "deprecated": false,
    "revision": 1,
    "updated_at": "2026-11-26T23:00:00Z"
}))]
pub struct ToolView {
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
    /// Increases by one with every write; the basis of `If-Match`.
    pub revision: i64,
    pub updated_at: DateTime<Utc>,
}

impl From<Tool> for ToolView {
    fn from(v: Tool) -> Self {
        Self {
            slug: v.slug,
            name: v.name,
            description: v.description,
            parent: v.parent,
            aliases: v.aliases,
            atlas_category: v.atlas_category,
            deprecated: v.deprecated,
            revision: v.revision,
            updated_at: v.updated_at,
        }
    }
}
