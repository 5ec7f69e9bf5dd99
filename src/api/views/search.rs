//! The view of a search hit, as the API answers with it.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

use crate::api::pagination::ListResponse;
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

/// A page of hits, with how many there are in all and of each kind.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = SearchResults, example = json!({
    "items": [crate::api::views::examples::schema_example::<SearchHitView>()],
    "next_cursor": null,
    "next_url": null,
    "total_count": 1,
    "counts": {"deployment": 3, "foi_answer": 1, "foi_request": 1}
}))]
pub struct SearchResultsView {
    #[serde(flatten)]
    pub page: ListResponse<SearchHitView>,
    /// Hits of each kind for the words and force, whatever `entity_type` asks for (kinds with none
    /// are left out).
    pub counts: BTreeMap<SearchEntity, i64>,
}

impl SearchResultsView {
    /// The page, its total (the hits of the kind asked for, or of every kind) and the counts.
    pub fn new(
        mut page: ListResponse<SearchHitView>,
        counts: Vec<(SearchEntity, i64)>,
        kind: Option<SearchEntity>,
    ) -> Self {
        let counts: BTreeMap<SearchEntity, i64> = counts.into_iter().collect();
        page.total_count = Some(match kind {
            Some(kind) => counts.get(&kind).copied().unwrap_or(0),
            None => counts.values().sum(),
        });
        Self { page, counts }
    }
}
