//! `/api/v1/tools`: the surveillance-tool taxonomy.

use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::pagination::{decode_cursor, ListResponse};
use super::params::{path_slug, Validator};
use super::{responses, AppState};
use crate::domain::Slug;
use crate::error::{ApiError, Problem};
use crate::store::tools::{self, Tool, ToolFilter};
use crate::store::PageRequest;

/// Query parameters of `GET /tools`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ToolListQuery {
    /// Only the tools that refine this one.
    #[param(value_type = Option<String>, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 64, example = "facial-recognition")]
    parent: Option<String>,
    /// Only deprecated (`true`) or current (`false`) tools.
    #[param(value_type = Option<bool>)]
    deprecated: Option<String>,
    /// Page size.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 500, default = 50)]
    limit: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// `exact` adds `total_count` to the answer.
    #[param(value_type = Option<String>, pattern = "^exact$")]
    count: Option<String>,
}

/// List surveillance tools.
///
/// The taxonomy in its published order: each parent before the tools that refine it.
#[utoipa::path(
    tag = "tools",
    params(ToolListQuery),
    responses(
        (status = 200, description = "A page of tools", body = ListResponse<Tool>,
            headers(("ETag" = String), ("Link" = String, description = "`<next_url>; rel=\"next\"` when more pages follow"))),
        (status = 304, description = "The client's copy (`If-None-Match`) is current"),
        (status = 400, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/tools")]
pub async fn list_tools(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<ToolListQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let mut v = Validator::default();
    let filter = ToolFilter {
        parent: v
            .parse::<Slug>("parent", query.parent.as_deref())
            .map(Slug::into_inner),
        deprecated: v.flag("deprecated", query.deprecated.as_deref()),
    };
    let limit = v.limit(query.limit.as_deref());
    let count = v.count(query.count.as_deref());
    let after = decode_cursor::<i32>(&req, query.cursor.as_deref());
    v.finish()?;
    let page = PageRequest {
        limit,
        after: after?,
        count,
    };
    let page = state
        .db
        .run(move |conn| tools::list(conn, &filter, &page))
        .await?;
    Ok(responses::list(&req, &ListResponse::from_page(&req, page)))
}

/// Get one surveillance tool.
#[utoipa::path(
    tag = "tools",
    params(("slug" = String, Path, description = "The tool's stable slug", example = "imsi-catcher",
        pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 64)),
    responses(
        (status = 200, description = "The tool", body = Tool, headers(("ETag" = String))),
        (status = 304, description = "The client's copy (`If-None-Match`) is current"),
        (status = 400, description = "The slug is malformed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No tool has this slug", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/tools/{slug}")]
pub async fn get_tool(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let slug = path_slug("slug", &slug)?;
    let tool = state
        .db
        .run(move |conn| tools::get(conn, slug.as_str()))
        .await?;
    Ok(responses::json(&req, &tool))
}
