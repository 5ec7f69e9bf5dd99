//! `/api/v1/deployments`: the registry's claims, their evidence and their history.

use actix_web::http::StatusCode;
use actix_web::{delete, get, post, put, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::cache::{self, Cached};
use super::deployment_input::DeploymentInput;
use super::pagination::{decode_cursor, ListResponse};
use super::params::{Validator, MAX_REGION};
use super::text_formats::{CountMode, DeploymentSortKey, StatusList};
use super::views::assessments::ImpactAssessmentView;
use super::views::deployments::{DeploymentRevisionView, DeploymentView};
use super::views::foi_requests::AnswerCitationView;
use super::views::sources::SourceView;
use super::writes::{deleted, Change};
use super::{responses, AppState};
use crate::auth::Identity;
use crate::db::DbConnection;
use crate::domain::{DeploymentStatus, Moment, Nation, Provenance, Slug};
use crate::domain::{EntityId, SearchTerms};
use crate::error::{ApiError, Problem};
use crate::store::audit::Stamp;
use crate::store::deployments::{
    self, Deployment, DeploymentFilter, DeploymentKey, DeploymentSort, NewDeployment,
};
use crate::store::foi_requests::{self, AnswerCitation};
use crate::store::impact_assessments::{self, ImpactAssessment};
use crate::store::sources::Source;
use crate::store::PageRequest;
use crate::store::{write_transaction, StoreError};

/// Query parameters of `GET /deployments`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeploymentListQuery {
    /// Force slug.
    #[param(value_type = Option<Slug>, example = "cambridgeshire")]
    force: Option<String>,
    /// Tool slug.
    #[param(value_type = Option<Slug>, example = "imsi-catcher")]
    tool: Option<String>,
    /// One status.
    #[param(value_type = Option<DeploymentStatus>)]
    status: Option<String>,
    /// Several statuses, comma-separated (`in_use,trial`).
    #[serde(rename = "status__in")]
    #[param(rename = "status__in", value_type = Option<StatusList>, example = "in_use,trial")]
    status_in: Option<String>,
    /// UK nation of the force.
    #[param(value_type = Option<Nation>)]
    nation: Option<String>,
    /// Region of the force, named exactly as the forces record it (`GET /forces`).
    #[param(value_type = Option<String>, max_length = 100, example = "South West")]
    region: Option<String>,
    /// Vendor name contains this text (case-insensitive).
    #[param(value_type = Option<String>, example = "Cellebrite")]
    vendor: Option<String>,
    /// Where the claim comes from.
    #[param(value_type = Option<Provenance>)]
    provenance: Option<String>,
    /// Updated at or after this date (YYYY-MM-DD) or RFC 3339 timestamp.
    #[serde(rename = "updated__gte")]
    #[param(rename = "updated__gte", value_type = Option<Moment>, example = "2024-01-01")]
    updated_gte: Option<String>,
    /// Updated at or before this date (the whole day) or RFC 3339 timestamp.
    #[serde(rename = "updated__lte")]
    #[param(rename = "updated__lte", value_type = Option<Moment>, example = "2024-12-31")]
    updated_lte: Option<String>,
    /// Only deployments covered (`true`) or not covered (`false`) by an impact assessment that
    /// exists: status `published` or `exists_unpublished`. Links to assessments `in_progress`,
    /// `not_done`, `not_held`, `withheld` or `ncnd` do not count.
    #[param(value_type = Option<bool>)]
    has_impact_assessment: Option<String>,
    /// Full text, in the search syntax (`"phrases"`, `OR`, `-exclusions`): only deployments whose
    /// summary, vendors, product, legal basis, force or tool (name and aliases) match.
    #[param(value_type = Option<SearchTerms>, example = "body worn")]
    q: Option<String>,
    /// Read the registry as it stood at the end of this date, or at this RFC 3339 timestamp.
    #[param(value_type = Option<Moment>, example = "2020-01-01")]
    as_of: Option<String>,
    /// `-updated_at` (default), `updated_at` or `force`.
    #[param(value_type = Option<DeploymentSortKey>)]
    sort: Option<String>,
    /// Page size.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 500, default = 50)]
    limit: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// `exact` adds `total_count` to the answer.
    #[param(value_type = Option<CountMode>)]
    count: Option<String>,
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
        region: v.text("region", q.region, MAX_REGION),
        vendor: q.vendor.filter(|vendor| !vendor.trim().is_empty()),
        provenance: v.parse("provenance", q.provenance.as_deref()),
        updated_gte: v
            .parse::<Moment>("updated__gte", q.updated_gte.as_deref())
            .map(Moment::start),
        updated_lte: v
            .parse::<Moment>("updated__lte", q.updated_lte.as_deref())
            .map(Moment::end),
        has_impact_assessment: v.flag("has_impact_assessment", q.has_impact_assessment.as_deref()),
        q: v.parse("q", q.q.as_deref()),
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
        (status = 200, description = "A page of deployments", body = ListResponse<DeploymentView>,
            headers(("ETag" = String), ("Link" = String, description = "`<next_url>; rel=\"next\"` when more pages follow"))),
        (status = 304, description = "The client's copy (`If-None-Match`) is current"),
    )
)]
#[get("/deployments")]
pub async fn list_deployments(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<DeploymentListQuery>,
) -> Result<HttpResponse, ApiError> {
    let (filter, sort, page) = parse_list_query(&req, query.into_inner())?;
    cache::respond(
        &req,
        &state,
        "json",
        move |conn| deployments::list(conn, &filter, sort, &page),
        |page| Cached::list(&ListResponse::from_page(&req, page).map(DeploymentView::from)),
    )
    .await
}

/// The example of [`DeploymentDetail`]: the deployment's own, with what it embeds.
fn detail_example() -> serde_json::Value {
    use crate::api::views::examples::{example_with, schema_example};
    example_with::<DeploymentView>(serde_json::json!({
        "evidence": [schema_example::<SourceView>()],
        "impact_assessments": [],
        "foi_answers": [schema_example::<AnswerCitationView>()]
    }))
}

/// A deployment with everything behind it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = detail_example)]
pub struct DeploymentDetail {
    #[serde(flatten)]
    pub deployment: DeploymentView,
    /// The sources that back the claim.
    pub evidence: Vec<SourceView>,
    /// The impact assessments that cover this deployment.
    pub impact_assessments: Vec<ImpactAssessmentView>,
    /// FOI answers that support or contradict the claim.
    pub foi_answers: Vec<AnswerCitationView>,
}

/// Query parameters of `GET /deployments/{id}`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AsOfQuery {
    /// Read the deployment as it stood at the end of this date, or at this RFC 3339 timestamp.
    #[param(value_type = Option<Moment>, example = "2020-01-01")]
    as_of: Option<String>,
}

/// A deployment with everything behind it, as the stores hold it: the web page's data, and what
/// [`DeploymentDetail`] is built from.
pub struct DeploymentRecord {
    pub deployment: Deployment,
    pub evidence: Vec<Source>,
    pub impact_assessments: Vec<ImpactAssessment>,
    pub foi_answers: Vec<AnswerCitation>,
}

impl From<DeploymentRecord> for DeploymentDetail {
    fn from(r: DeploymentRecord) -> Self {
        Self {
            deployment: DeploymentView::from(r.deployment),
            evidence: r.evidence.into_iter().map(SourceView::from).collect(),
            impact_assessments: r
                .impact_assessments
                .into_iter()
                .map(ImpactAssessmentView::from)
                .collect(),
            foi_answers: r
                .foi_answers
                .into_iter()
                .map(AnswerCitationView::from)
                .collect(),
        }
    }
}

/// A deployment (as of a moment) with its evidence, assessments and FOI answers: the API's
/// answer and the web page's data.
pub fn deployment_detail(
    conn: &mut DbConnection,
    id: &str,
    as_of: Option<chrono::NaiveDateTime>,
) -> Result<DeploymentRecord, StoreError> {
    let deployment = deployments::get(conn, id, as_of)?;
    Ok(DeploymentRecord {
        evidence: crate::store::sources::many(conn, &deployment.state.source_ids)?,
        impact_assessments: impact_assessments::covering(
            conn,
            std::slice::from_ref(&deployment.id),
        )?,
        foi_answers: foi_requests::answers_for_deployment(conn, &deployment.id)?,
        deployment,
    })
}

/// Get one deployment, with its evidence, impact assessments and FOI answers.
#[utoipa::path(
    tag = "deployments",
    params(("id" = EntityId, Path, description = "The deployment's id"), AsOfQuery),
    responses(
        (status = 200, description = "The deployment", body = DeploymentDetail, headers(("ETag" = String))),
        (status = 304, description = "The client's copy (`If-None-Match`) is current"),
        (status = 404, description = "No deployment has this id (at that moment)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/deployments/{id}")]
pub async fn get_deployment(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<EntityId>,
    query: web::Query<AsOfQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().into_inner();
    let mut v = Validator::default();
    let as_of = v
        .parse::<Moment>("as_of", query.as_of.as_deref())
        .map(Moment::end);
    v.finish()?;
    let detail = state
        .db
        .run(move |conn| deployment_detail(conn, &id, as_of))
        .await?;
    let detail = DeploymentDetail::from(detail);
    // Current reads carry the revision in their ETag, for `If-Match` on writes.
    Ok(match as_of {
        None => responses::json_at_revision(&req, detail.deployment.revision, &detail),
        Some(_) => responses::json(&req, &detail),
    })
}

/// A deployment's full history.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "items": [crate::api::views::examples::schema_example::<DeploymentRevisionView>()]
}))]
pub struct RevisionList {
    /// Every revision, oldest first; a deletion is the last one.
    pub items: Vec<DeploymentRevisionView>,
}

/// Get every revision of a deployment.
///
/// The history survives deletion: a deleted deployment's revisions stay readable.
#[utoipa::path(
    tag = "deployments",
    params(("id" = EntityId, Path, description = "The deployment's id")),
    responses(
        (status = 200, description = "Every revision, oldest first", body = RevisionList, headers(("ETag" = String))),
        (status = 304, description = "The client's copy (`If-None-Match`) is current"),
        (status = 404, description = "No deployment ever had this id", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/deployments/{id}/revisions")]
pub async fn list_revisions(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<EntityId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().into_inner();
    let items = state
        .db
        .run(move |conn| deployments::revisions(conn, &id))
        .await?;
    Ok(responses::json(
        &req,
        &RevisionList {
            items: items
                .into_iter()
                .map(DeploymentRevisionView::from)
                .collect(),
        },
    ))
}

/// The answer to a write: the deployment, with its revision ETag for the next `If-Match`.
fn written(status: StatusCode, deployment: Deployment) -> HttpResponse {
    responses::written(
        status,
        deployment.revision,
        &format!("/api/v1/deployments/{}", deployment.id),
        &DeploymentView::from(deployment),
    )
}

/// Record a deployment.
///
/// Editors and admins may write any force; force staff only their own forces, and their claims are
/// recorded as `force_reported`. The write, its first revision and its change event commit together.
#[utoipa::path(
    tag = "deployments",
    security(("bearerAuth" = [])),
    request_body = DeploymentInput,
    responses(
        (status = 201, description = "The deployment", body = DeploymentView,
            headers(("Location" = String), ("ETag" = String, description = "`\"r<revision>\"`, for `If-Match`"))),
        (status = 403, description = "The account may not write this force", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/deployments")]
pub async fn create_deployment(
    identity: Identity,
    state: web::Data<AppState>,
    body: web::Json<DeploymentInput>,
) -> Result<HttpResponse, ApiError> {
    let (force, tool, deployment_state) = body.into_inner().parse(&identity)?;
    identity.require_force(force.as_str())?;
    let stamp = Stamp::now(identity.actor());
    let new = NewDeployment {
        force: force.into_inner(),
        tool: tool.into_inner(),
        state: deployment_state,
    };
    let created = state
        .db
        .run(move |conn| write_transaction(conn, |conn| deployments::create(conn, &stamp, &new)))
        .await?;
    Ok(written(StatusCode::CREATED, created))
}

/// Replace a deployment's content.
///
/// Send `If-Match` with the ETag you read: without it the answer is 428, and 412 when someone else
/// changed the deployment first (re-read it and apply your change again). Force and tool are fixed.
#[utoipa::path(
    tag = "deployments",
    security(("bearerAuth" = [])),
    params(("id" = EntityId, Path, description = "The deployment's id"),
        ("If-Match" = String, Header, description = "The ETag of the revision the change is based on")),
    request_body = DeploymentInput,
    responses(
        (status = 200, description = "The deployment", body = DeploymentView,
            headers(("ETag" = String, description = "`\"r<revision>\"`, for the next `If-Match`"))),
        (status = 403, description = "The account may not write this force", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No deployment has this id", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/deployments/{id}")]
pub async fn update_deployment(
    change: Change,
    state: web::Data<AppState>,
    id: web::Path<EntityId>,
    body: web::Json<DeploymentInput>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().into_inner();
    let (force, tool, deployment_state) = body.into_inner().parse(&change.identity)?;
    let read = id.clone();
    let current = change
        .authorise(&state, move |conn| deployments::get(conn, &read, None))
        .await?;
    if force.as_str() != current.force || tool.as_str() != current.tool {
        return Err(ApiError::invalid_field(
            if force.as_str() != current.force {
                "force"
            } else {
                "tool"
            },
            "is fixed once a deployment exists; record a new deployment instead",
        ));
    }
    let updated = change
        .apply(&state, move |conn, stamp, expected| {
            deployments::update(conn, stamp, &id, expected, &deployment_state)
        })
        .await?;
    Ok(written(StatusCode::OK, updated))
}

/// Delete a deployment.
///
/// The deletion is itself a revision: the history stays readable at `/deployments/{id}/revisions`
/// and with `as_of`.
#[utoipa::path(
    tag = "deployments",
    security(("bearerAuth" = [])),
    params(("id" = EntityId, Path, description = "The deployment's id"),
        ("If-Match" = String, Header, description = "The ETag of the revision being deleted")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "The account may not write this force", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No deployment has this id", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/deployments/{id}")]
pub async fn delete_deployment(
    change: Change,
    state: web::Data<AppState>,
    id: web::Path<EntityId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().into_inner();
    let read = id.clone();
    change
        .authorise(&state, move |conn| deployments::get(conn, &read, None))
        .await?;
    change
        .apply(&state, move |conn, stamp, expected| {
            deployments::delete(conn, stamp, &id, expected)
        })
        .await?;
    Ok(deleted())
}
