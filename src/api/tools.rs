//! `/api/v1/tools`: the surveillance-tool taxonomy.

use actix_web::http::StatusCode;
use actix_web::{get, put, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::pagination::{decode_cursor, ListResponse};
use super::params::Validator;
use super::text_formats::{CountMode, NonBlank};
use super::views::tools::ToolView;
use super::writes::Change;
use super::{responses, AppState};
use crate::domain::{Role, Slug};
use crate::error::{ApiError, Problem};
use crate::store::tools::{self, ToolFields, ToolFilter};
use crate::store::PageRequest;

/// Query parameters of `GET /tools`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ToolListQuery {
    /// Only the tools that refine this one.
    #[param(value_type = Option<Slug>, example = "facial-recognition")]
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
    #[param(value_type = Option<CountMode>)]
    count: Option<String>,
}

/// List surveillance tools.
///
/// The taxonomy in its published order: each parent before the tools that refine it.
#[utoipa::path(
    tag = "tools",
    params(ToolListQuery),
    responses(
        (status = 200, description = "A page of tools", body = ListResponse<ToolView>,
            headers(("ETag" = String), ("Link" = String, description = "`<next_url>; rel=\"next\"` when more pages follow"))),
        (status = 304, description = "The client's copy (`If-None-Match`) is current"),
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
    Ok(responses::list(
        &req,
        &ListResponse::from_page(&req, page).map(ToolView::from),
    ))
}

/// Get one surveillance tool.
#[utoipa::path(
    tag = "tools",
    params(("slug" = Slug, Path, description = "The tool's stable slug", example = "imsi-catcher")),
    responses(
        (status = 200, description = "The tool", body = ToolView, headers(("ETag" = String))),
        (status = 304, description = "The client's copy (`If-None-Match`) is current"),
        (status = 404, description = "No tool has this slug", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/tools/{slug}")]
pub async fn get_tool(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<Slug>,
) -> Result<HttpResponse, ApiError> {
    let slug = slug.into_inner();
    let tool = state
        .db
        .run(move |conn| tools::get(conn, slug.as_str()))
        .await?;
    Ok(responses::json_at_revision(
        &req,
        tool.revision,
        &ToolView::from(tool),
    ))
}

/// A tool's description as written. Slugs are stable; a tool is deprecated, never deleted.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "IMSI catcher",
    "description": "A device that imitates a mobile phone mast so that nearby phones connect to it.",
    "parent": null,
    "aliases": ["cell-site simulator", "Stingray"],
    "atlas_category": "cell-site-simulator",
    "deprecated": false
}))]
pub struct ToolInput {
    #[schema(value_type = NonBlank)]
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// The broader tool this one refines.
    #[schema(value_type = Option<Slug>)]
    pub parent: Option<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
    /// The Atlas of Surveillance category imported as this tool.
    #[schema(value_type = Option<Slug>)]
    pub atlas_category: Option<String>,
    #[serde(default)]
    pub deprecated: bool,
}

impl ToolInput {
    fn parse(self) -> Result<ToolFields, ApiError> {
        let mut v = Validator::default();
        let name = self.name.trim().to_owned();
        if name.is_empty() {
            v.reject("name", "must not be empty");
        }
        let parent = v
            .parse::<Slug>("parent", self.parent.as_deref())
            .map(Slug::into_inner);
        let atlas_category = v
            .parse::<Slug>("atlas_category", self.atlas_category.as_deref())
            .map(Slug::into_inner);
        let mut aliases: Vec<String> = self
            .aliases
            .iter()
            .map(|a| a.trim().to_owned())
            .filter(|a| !a.is_empty())
            .collect();
        aliases.dedup();
        v.finish()?;
        Ok(ToolFields {
            name,
            description: self.description.trim().to_owned(),
            parent,
            aliases,
            atlas_category,
            deprecated: self.deprecated,
        })
    }
}

/// Replace a tool's description, or deprecate it.
///
/// Editors and admins only. Send `If-Match` with the ETag you read. There is no delete: claims
/// refer to tools by slug for ever.
#[utoipa::path(
    tag = "tools",
    security(("bearerAuth" = [])),
    params(("slug" = Slug, Path, description = "The tool's stable slug", example = "imsi-catcher"),
        ("If-Match" = String, Header, description = "The ETag of the revision the change is based on")),
    request_body = ToolInput,
    responses(
        (status = 200, description = "The tool", body = ToolView,
            headers(("ETag" = String, description = "`\"r<revision>\"`, for the next `If-Match`"))),
        (status = 403, description = "Only editors and admins manage the taxonomy", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No tool has this slug", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/tools/{slug}")]
pub async fn update_tool(
    change: Change,
    state: web::Data<AppState>,
    slug: web::Path<Slug>,
    body: web::Json<ToolInput>,
) -> Result<HttpResponse, ApiError> {
    let slug = slug.into_inner().into_inner();
    change.require_role(&[Role::Admin, Role::Editor])?;
    let fields = body.into_inner().parse()?;
    let updated = change
        .apply(&state, move |conn, stamp, expected| {
            tools::update(conn, stamp, &slug, expected, &fields)
        })
        .await?;
    Ok(responses::private(
        StatusCode::OK,
        Some(updated.revision),
        &ToolView::from(updated),
    ))
}
