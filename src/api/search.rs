//! `GET /api/v1/search`: one ranked full-text search across the registry's texts.

use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::cache::{self, Cached};
use super::pagination::{decode_cursor, ListResponse};
use super::params::Validator;
use super::views::search::{SearchHitView, SearchResultsView};
use super::AppState;
use crate::domain::{SearchEntity, SearchTerms, Slug};
use crate::error::{ApiError, Problem};
use crate::store::markers::Dependency;
use crate::store::search::{self, SearchFilter, SearchKey};
use crate::store::Page;

/// Query parameters of `GET /search`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// What to find: every word must match; `"a phrase"` matches its words together and in order;
    /// `OR` between two terms lets either match; `-word` or `-"a phrase"` excludes (exclusions
    /// alone find nothing). Other
    /// punctuation is ignored, and words are stemmed (`cameras` finds `camera`).
    #[param(value_type = SearchTerms, example = "body worn video")]
    q: String,
    /// Only hits of this kind.
    #[param(value_type = Option<SearchEntity>)]
    entity_type: Option<String>,
    /// Only hits about this force.
    #[param(value_type = Option<Slug>, example = "cambridgeshire")]
    force: Option<String>,
    /// Page size.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 500, default = 50)]
    limit: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// Search the registry.
///
/// Deployment summaries, FOI requests and replies, FOI answers and impact assessments, best match
/// first, each hit with its kind, a highlighted snippet and the URL to read it at. SQLite (FTS5,
/// BM25) and PostgreSQL (tsvector, `ts_rank`) rank alike but not identically.
#[utoipa::path(
    tag = "search",
    params(SearchQuery),
    responses(
        (status = 200, description = "A page of hits, best first, with their total and the counts of each kind", body = SearchResultsView,
            headers(("ETag" = String), ("Link" = String, description = "`<next_url>; rel=\"next\"` when more pages follow"))),
        (status = 304, description = "The client's copy (`If-None-Match`) is current"),
        (status = 400, description = "`q` is missing or has no words, or a parameter is invalid", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[get("/search")]
pub async fn search_registry(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<SearchQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let mut v = Validator::default();
    let terms = v.parse::<SearchTerms>("q", Some(&q.q));
    let entity_type = v.parse::<SearchEntity>("entity_type", q.entity_type.as_deref());
    let force = v
        .parse::<Slug>("force", q.force.as_deref())
        .map(Slug::into_inner);
    let limit = v.limit(q.limit.as_deref());
    let after = decode_cursor::<SearchKey>(&req, q.cursor.as_deref());
    v.finish()?;
    let after = after?;
    let filter = SearchFilter {
        terms: terms.expect("checked"),
        entity_type,
        force,
    };
    cache::respond(
        &req,
        &state,
        "json",
        Dependency::Everything,
        move |conn| {
            let found = search::search(conn, &filter, limit, after.as_ref())?;
            Ok((found, search::counts(conn, &filter)?, filter.entity_type))
        },
        |((hits, next), counts, kind)| {
            let page = ListResponse::from_page(
                &req,
                Page {
                    items: hits,
                    next_after: next,
                    total: None,
                },
            )
            .map(SearchHitView::from);
            let results = SearchResultsView::new(page, counts, kind);
            Cached::paged(&results, results.page.next_url.as_deref())
        },
    )
    .await
}
