//! `/api/v1/impact-assessments` and `/api/v1/sources`: the evidence behind claims.

use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::pagination::{decode_cursor, ListResponse};
use super::params::{path_id, Validator};
use super::{responses, AppState};
use crate::domain::{AssessmentKind, AssessmentStatus, Slug};
use crate::error::{ApiError, Problem};
use crate::store::impact_assessments::{self, AssessmentFilter, AssessmentKey, ImpactAssessment};
use crate::store::sources::{self, Source};
use crate::store::PageRequest;

/// Query parameters of `GET /impact-assessments`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AssessmentListQuery {
    /// Force slug.
    #[param(value_type = Option<String>, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 64, example = "south-wales")]
    force: Option<String>,
    /// Only assessments covering a deployment of this tool.
    #[param(value_type = Option<String>, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 64, example = "live-facial-recognition")]
    tool: Option<String>,
    #[param(value_type = Option<AssessmentKind>)]
    kind: Option<String>,
    #[param(value_type = Option<AssessmentStatus>)]
    status: Option<String>,
    /// Only assessments whose review date has passed (`true`) or has not (`false`).
    #[param(value_type = Option<bool>)]
    review_overdue: Option<String>,
    /// Page size.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 500, default = 50)]
    limit: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// `exact` adds `total_count` to the answer.
    #[param(value_type = Option<String>, pattern = "^exact$")]
    count: Option<String>,
}

/// Parses the list's parameters into filters and page (shared with the export).
pub fn parse_assessment_query(
    req: &HttpRequest,
    q: AssessmentListQuery,
) -> Result<(AssessmentFilter, PageRequest<AssessmentKey>), ApiError> {
    let mut v = Validator::default();
    let filter = AssessmentFilter {
        force: v
            .parse::<Slug>("force", q.force.as_deref())
            .map(Slug::into_inner),
        tool: v
            .parse::<Slug>("tool", q.tool.as_deref())
            .map(Slug::into_inner),
        kind: v.parse("kind", q.kind.as_deref()),
        status: v.parse("status", q.status.as_deref()),
        review_overdue: v.flag("review_overdue", q.review_overdue.as_deref()),
        today: None,
    };
    let limit = v.limit(q.limit.as_deref());
    let count = v.count(q.count.as_deref());
    let after = decode_cursor::<AssessmentKey>(req, q.cursor.as_deref());
    v.finish()?;
    let page = PageRequest {
        limit,
        after: after?,
        count,
    };
    Ok((filter, page))
}

/// List impact assessments.
///
/// Most recently updated first.
#[utoipa::path(
    tag = "evidence",
    params(AssessmentListQuery),
    responses(
        (status = 200, description = "A page of impact assessments", body = ListResponse<ImpactAssessment>,
            headers(("ETag" = String), ("Link" = String, description = "`<next_url>; rel=\"next\"` when more pages follow"))),
        (status = 304, description = "The client's copy (`If-None-Match`) is current"),
        (status = 400, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/impact-assessments")]
pub async fn list_assessments(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<AssessmentListQuery>,
) -> Result<HttpResponse, ApiError> {
    let (filter, page) = parse_assessment_query(&req, query.into_inner())?;
    let page = state
        .db
        .run(move |conn| impact_assessments::list(conn, &filter, &page))
        .await?;
    Ok(responses::list(&req, &ListResponse::from_page(&req, page)))
}

/// Get one impact assessment.
#[utoipa::path(
    tag = "evidence",
    params(("id" = String, Path, description = "The assessment's id",
        pattern = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")),
    responses(
        (status = 200, description = "The assessment", body = ImpactAssessment, headers(("ETag" = String))),
        (status = 304, description = "The client's copy (`If-None-Match`) is current"),
        (status = 400, description = "The id is malformed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No assessment has this id", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/impact-assessments/{id}")]
pub async fn get_assessment(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id("id", &id)?;
    let assessment = state
        .db
        .run(move |conn| impact_assessments::get(conn, &id))
        .await?;
    Ok(responses::json(&req, &assessment))
}

/// Get one source.
#[utoipa::path(
    tag = "evidence",
    params(("id" = String, Path, description = "The source's id",
        pattern = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")),
    responses(
        (status = 200, description = "The source", body = Source, headers(("ETag" = String))),
        (status = 304, description = "The client's copy (`If-None-Match`) is current"),
        (status = 400, description = "The id is malformed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No source has this id", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/sources/{id}")]
pub async fn get_source(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id("id", &id)?;
    let source = state.db.run(move |conn| sources::get(conn, &id)).await?;
    Ok(responses::json(&req, &source))
}
