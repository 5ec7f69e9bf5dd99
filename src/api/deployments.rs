//! `/api/v1/deployments`: the registry's claims, their evidence and their history.

use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::pagination::{decode_cursor, ListResponse};
use super::params::{path_id, Validator};
use super::{responses, AppState};
use crate::domain::{DeploymentStatus, Moment, Nation, Provenance, Slug};
use crate::error::{ApiError, Problem};
use crate::store::deployments::{
    self, Deployment, DeploymentFilter, DeploymentKey, DeploymentRevision, DeploymentSort,
};
use crate::store::foi::{self, AnswerCitation};
use crate::store::impact_assessments::{self, ImpactAssessment};
use crate::store::sources::Source;
use crate::store::PageRequest;

/// Query parameters of `GET /deployments`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeploymentListQuery {
    /// Force slug.
    #[param(value_type = Option<String>, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", example = "cambridgeshire")]
    force: Option<String>,
    /// Tool slug.
    #[param(value_type = Option<String>, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", example = "imsi-catcher")]
    tool: Option<String>,
    /// One status.
    #[param(value_type = Option<DeploymentStatus>)]
    status: Option<String>,
    /// Several statuses, comma-separated (`in_use,trial`).
    #[serde(rename = "status__in")]
    #[param(rename = "status__in", value_type = Option<String>, example = "in_use,trial")]
    status_in: Option<String>,
    /// UK nation of the force.
    #[param(value_type = Option<Nation>)]
    nation: Option<String>,
    /// Vendor name contains this text (case-insensitive).
    #[param(value_type = Option<String>, example = "Cellebrite")]
    vendor: Option<String>,
    /// Where the claim comes from.
    #[param(value_type = Option<Provenance>)]
    provenance: Option<String>,
    /// Updated at or after this date (YYYY-MM-DD) or RFC 3339 timestamp.
    #[serde(rename = "updated__gte")]
    #[param(rename = "updated__gte", value_type = Option<String>, example = "2024-01-01")]
    updated_gte: Option<String>,
    /// Updated at or before this date (the whole day) or RFC 3339 timestamp.
    #[serde(rename = "updated__lte")]
    #[param(rename = "updated__lte", value_type = Option<String>, example = "2024-12-31")]
    updated_lte: Option<String>,
    /// Only deployments covered (`true`) or not covered (`false`) by an impact assessment.
    #[param(value_type = Option<bool>)]
    has_impact_assessment: Option<String>,
    /// Read the registry as it stood at the end of this date, or at this RFC 3339 timestamp.
    #[param(value_type = Option<String>, example = "2020-01-01")]
    as_of: Option<String>,
    /// `-updated_at` (default), `updated_at` or `force`.
    #[param(value_type = Option<String>, pattern = "^(-updated_at|updated_at|force)$")]
    sort: Option<String>,
    /// Page size.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 500, default = 50)]
    pub limit: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// `exact` adds `total_count` to the answer.
    #[param(value_type = Option<String>, pattern = "^exact$")]
    pub count: Option<String>,
}

fn parse_sort(v: &mut Validator, raw: Option<&str>) -> DeploymentSort {
    match raw {
        None | Some("-updated_at") => DeploymentSort::UpdatedDesc,
        Some("updated_at") => DeploymentSort::UpdatedAsc,
        Some("force") => DeploymentSort::Force,
        Some(_) => {
            v.reject("sort", "must be one of: -updated_at, updated_at, force");
            DeploymentSort::default()
        }
    }
}

/// Parses the list's parameters into filters, sort and page (shared with the export).
pub fn parse_list_query(
    req: &HttpRequest,
    q: DeploymentListQuery,
) -> Result<(DeploymentFilter, DeploymentSort, PageRequest<DeploymentKey>), ApiError> {
    let mut v = Validator::default();
    let mut statuses: Vec<DeploymentStatus> = v.list("status__in", q.status_in.as_deref());
    statuses.extend(v.parse::<DeploymentStatus>("status", q.status.as_deref()));
    let filter = DeploymentFilter {
        force: v
            .parse::<Slug>("force", q.force.as_deref())
            .map(Slug::into_inner),
        tool: v
            .parse::<Slug>("tool", q.tool.as_deref())
            .map(Slug::into_inner),
        statuses,
        nation: v.parse("nation", q.nation.as_deref()),
        vendor: q.vendor.filter(|vendor| !vendor.trim().is_empty()),
        provenance: v.parse("provenance", q.provenance.as_deref()),
        updated_gte: v
            .parse::<Moment>("updated__gte", q.updated_gte.as_deref())
            .map(Moment::start),
        updated_lte: v
            .parse::<Moment>("updated__lte", q.updated_lte.as_deref())
            .map(Moment::end),
        has_impact_assessment: v.flag("has_impact_assessment", q.has_impact_assessment.as_deref()),
        as_of: v
            .parse::<Moment>("as_of", q.as_of.as_deref())
            .map(Moment::end),
    };
    let sort = parse_sort(&mut v, q.sort.as_deref());
    let limit = v.limit(q.limit.as_deref());
    let count = v.count(q.count.as_deref());
    let after = decode_cursor::<DeploymentKey>(req, q.cursor.as_deref());
    v.finish()?;
    let page = PageRequest {
        limit,
        after: after?,
        count,
    };
    Ok((filter, sort, page))
}

/// List deployments.
///
/// Every claim about a force's use of a tool, filtered and keyset-paginated. With `as_of`, the list is
/// read from the immutable revisions as it stood at that moment.
#[utoipa::path(
    tag = "deployments",
    params(DeploymentListQuery),
    responses(
        (status = 200, description = "A page of deployments", body = ListResponse<Deployment>,
            headers(("ETag" = String), ("Link" = String, description = "`<next_url>; rel=\"next\"` when more pages follow"))),
        (status = 304, description = "The client's copy (`If-None-Match`) is current"),
        (status = 400, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/deployments")]
pub async fn list_deployments(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<DeploymentListQuery>,
) -> Result<HttpResponse, ApiError> {
    let (filter, sort, page) = parse_list_query(&req, query.into_inner())?;
    let page = state
        .db
        .run(move |conn| deployments::list(conn, &filter, sort, &page))
        .await?;
    Ok(responses::list(&req, &ListResponse::from_page(&req, page)))
}

/// A deployment with everything behind it.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeploymentDetail {
    #[serde(flatten)]
    pub deployment: Deployment,
    /// The sources that back the claim.
    pub evidence: Vec<Source>,
    /// The impact assessments that cover this deployment.
    pub impact_assessments: Vec<ImpactAssessment>,
    /// FOI answers that support or contradict the claim.
    pub foi_answers: Vec<AnswerCitation>,
}

/// Query parameters of `GET /deployments/{id}`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AsOfQuery {
    /// Read the deployment as it stood at the end of this date, or at this RFC 3339 timestamp.
    #[param(value_type = Option<String>, example = "2020-01-01")]
    as_of: Option<String>,
}

/// Get one deployment, with its evidence, impact assessments and FOI answers.
#[utoipa::path(
    tag = "deployments",
    params(("id" = String, Path, description = "The deployment's id", pattern = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"), AsOfQuery),
    responses(
        (status = 200, description = "The deployment", body = DeploymentDetail, headers(("ETag" = String))),
        (status = 304, description = "The client's copy (`If-None-Match`) is current"),
        (status = 400, description = "The id or a parameter is malformed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No deployment has this id (at that moment)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/deployments/{id}")]
pub async fn get_deployment(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    query: web::Query<AsOfQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id("id", &id)?;
    let mut v = Validator::default();
    let as_of = v
        .parse::<Moment>("as_of", query.as_of.as_deref())
        .map(Moment::end);
    v.finish()?;
    let detail = state
        .db
        .run(move |conn| {
            let deployment = deployments::get(conn, &id, as_of)?;
            Ok(DeploymentDetail {
                evidence: deployments::evidence(conn, &deployment)?,
                impact_assessments: impact_assessments::covering(
                    conn,
                    std::slice::from_ref(&deployment.id),
                )?,
                foi_answers: foi::answers_for_deployment(conn, &deployment.id)?,
                deployment,
            })
        })
        .await?;
    Ok(responses::json(&req, &detail))
}

/// A deployment's full history.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionList {
    /// Every revision, oldest first; a deletion is the last one.
    pub items: Vec<DeploymentRevision>,
}

/// Get every revision of a deployment.
///
/// The history survives deletion: a deleted deployment's revisions stay readable.
#[utoipa::path(
    tag = "deployments",
    params(("id" = String, Path, description = "The deployment's id", pattern = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")),
    responses(
        (status = 200, description = "Every revision, oldest first", body = RevisionList, headers(("ETag" = String))),
        (status = 304, description = "The client's copy (`If-None-Match`) is current"),
        (status = 400, description = "The id is malformed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No deployment ever had this id", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/deployments/{id}/revisions")]
pub async fn list_revisions(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id("id", &id)?;
    let items = state
        .db
        .run(move |conn| deployments::revisions(conn, &id))
        .await?;
    Ok(responses::json(&req, &RevisionList { items }))
}
