//! The view of a search hit, as the API answers with it.

use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::SearchEntity;
use crate::store::search::SearchHit;

/// One search hit.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = SearchHit, example = json!({
    "entity_type": "foi_answer",
    "id": "0193c4a2-7d1e-7b3a-9f00-6a1d2c3b4e71",
    "force": "cambridgeshire",
    "title": "Which, if any, of the following tools and tactics are being used by our local force?",
    "snippet": "Cambridgeshire Constabulary does use <mark>body</mark> <mark>worn</mark> video cameras.",
    "url": "/api/v1/foi-requests/0193c4a2-7d1e-7b3a-9f00-6a1d2c3b4e70"
}))]
pub struct SearchHitView {
    pub entity_type: SearchEntity,
    pub id: String,
    pub force: Option<String>,
    pub title: String,
    /// The best matching passage, matched words wrapped in `<mark>`...`</mark>` (the rest is
    /// plain text, not HTML).
    pub snippet: String,
    /// Where the entity is read (for an answer, its FOI request).
    pub url: String,
}

impl From<SearchHit> for SearchHitView {
    fn from(v: SearchHit) -> Self {
        Self {
            entity_type: v.entity_type,
            id: v.id,
            force: v.force,
            title: v.title,
            snippet: v.snippet,
            url: v.url,
        }
    }
}
