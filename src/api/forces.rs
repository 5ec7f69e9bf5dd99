//! `/api/v1/forces`: the police forces and their FOI authorities.

use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::pagination::{decode_cursor, ListResponse};
use super::params::{path_slug, Validator};
use super::{responses, AppState};
use crate::domain::{ForceKind, Nation};
use crate::error::{ApiError, Problem};
use crate::store::forces::{self, Force, ForceFilter};
use crate::store::PageRequest;

/// Query parameters of `GET /forces`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ForceListQuery {
    /// ISO 3166-1 alpha-2 country code, e.g. `GB`.
    #[param(value_type = Option<String>, pattern = "^[A-Z]{2}$", example = "GB")]
    country: Option<String>,
    /// UK nation.
    #[param(value_type = Option<Nation>)]
    nation: Option<String>,
    /// Kind of force.
    #[param(value_type = Option<ForceKind>)]
    kind: Option<String>,
    /// Page size.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 500, default = 50)]
    limit: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// `exact` adds `total_count` to the answer.
    #[param(value_type = Option<String>, pattern = "^exact$")]
    count: Option<String>,
}

/// List police forces.
///
/// Every force, in slug order, with the authorities that answer FOI requests for it.
#[utoipa::path(
    tag = "forces",
    params(ForceListQuery),
    responses(
        (status = 200, description = "A page of forces", body = ListResponse<Force>,
            headers(("ETag" = String), ("Link" = String, description = "`<next_url>; rel=\"next\"` when more pages follow"))),
        (status = 304, description = "The client's copy (`If-None-Match`) is current"),
        (status = 400, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/forces")]
pub async fn list_forces(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<ForceListQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let mut v = Validator::default();
    let country = v.parse::<String>("country", query.country.as_deref());
    if country
        .as_deref()
        .is_some_and(|c| c.len() != 2 || !c.bytes().all(|b| b.is_ascii_uppercase()))
    {
        v.reject("country", "must be an ISO 3166-1 alpha-2 code such as `GB`");
    }
    let filter = ForceFilter {
        country,
        nation: v.parse("nation", query.nation.as_deref()),
        kind: v.parse("kind", query.kind.as_deref()),
    };
    let limit = v.limit(query.limit.as_deref());
    let count = v.count(query.count.as_deref());
    let after = decode_cursor::<String>(&req, query.cursor.as_deref());
    v.finish()?;
    let page = PageRequest {
        limit,
        after: after?,
        count,
    };
    let page = state
        .db
        .run(move |conn| forces::list(conn, &filter, &page))
        .await?;
    Ok(responses::list(&req, &ListResponse::from_page(&req, page)))
}

/// Get one police force.
#[utoipa::path(
    tag = "forces",
    params(("slug" = String, Path, description = "The force's data.police.uk identifier", example = "cambridgeshire",
        pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 64)),
    responses(
        (status = 200, description = "The force", body = Force, headers(("ETag" = String))),
        (status = 304, description = "The client's copy (`If-None-Match`) is current"),
        (status = 400, description = "The slug is malformed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No force has this slug", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/forces/{slug}")]
pub async fn get_force(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let slug = path_slug("slug", &slug)?;
    let force = state
        .db
        .run(move |conn| forces::get(conn, slug.as_str()))
        .await?;
    Ok(responses::json(&req, &force))
}
