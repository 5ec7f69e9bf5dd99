//! `/api/v1/impact-assessments` and `/api/v1/sources`: the evidence behind claims.

use actix_web::http::StatusCode;
use actix_web::{delete, get, post, put, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::evidence_input::{AssessmentInput, SourceInput};
use super::pagination::{decode_cursor, ListResponse};
use super::params::Validator;
use super::text_formats::CountMode;
use super::views::assessments::ImpactAssessmentView;
use super::views::revisions::RevisionView;
use super::views::sources::SourceView;
use super::writes::{deleted, Change};
use super::{responses, AppState};
use crate::auth::Identity;
use crate::domain::EntityId;
use crate::domain::{AssessmentKind, AssessmentStatus, Role, Slug};
use crate::error::{ApiError, Problem};
use crate::store::audit::Stamp;
use crate::store::impact_assessments::{self, AssessmentFilter, AssessmentKey, ImpactAssessment};
use crate::store::sources;
use crate::store::{write_transaction, PageRequest};

/// Query parameters of `GET /impact-assessments`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AssessmentListQuery {
    /// Force slug.
    #[param(value_type = Option<Slug>, example = "south-wales")]
    force: Option<String>,
    /// Only assessments covering a deployment of this tool.
    #[param(value_type = Option<Slug>, example = "live-facial-recognition")]
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
    #[param(value_type = Option<CountMode>)]
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
        (status = 200, description = "A page of impact assessments", body = ListResponse<ImpactAssessmentView>,
            headers(("ETag" = String), ("Link" = String, description = "`<next_url>; rel=\"next\"` when more pages follow"))),
        (status = 304, description = "The client's copy (`If-None-Match`) is current"),
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
    Ok(responses::list(
        &req,
        &ListResponse::from_page(&req, page).map(ImpactAssessmentView::from),
    ))
}

/// Get one impact assessment.
#[utoipa::path(
    tag = "evidence",
    params(("id" = EntityId, Path, description = "The assessment's id")),
    responses(
        (status = 200, description = "The assessment", body = ImpactAssessmentView, headers(("ETag" = String))),
        (status = 304, description = "The client's copy (`If-None-Match`) is current"),
        (status = 404, description = "No assessment has this id", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/impact-assessments/{id}")]
pub async fn get_assessment(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<EntityId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().into_inner();
    let assessment = state
        .db
        .run(move |conn| impact_assessments::get(conn, &id))
        .await?;
    Ok(responses::json_at_revision(
        &req,
        assessment.revision,
        &ImpactAssessmentView::from(assessment),
    ))
}

/// An assessment's history.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "items": [crate::api::views::examples::schema_example::<RevisionView<ImpactAssessmentView>>()]
}))]
pub struct AssessmentRevisionList {
    /// Every revision, oldest first; a deletion is the last one.
    pub items: Vec<RevisionView<ImpactAssessmentView>>,
}

/// Get every revision of an impact assessment.
#[utoipa::path(
    tag = "evidence",
    params(("id" = EntityId, Path, description = "The assessment's id")),
    responses(
        (status = 200, description = "Every revision, oldest first", body = AssessmentRevisionList, headers(("ETag" = String))),
        (status = 304, description = "The client's copy (`If-None-Match`) is current"),
        (status = 404, description = "No assessment ever had this id (or it predates revisions)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/impact-assessments/{id}/revisions")]
pub async fn list_assessment_revisions(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<EntityId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().into_inner();
    let items = state
        .db
        .run(move |conn| impact_assessments::revisions(conn, &id))
        .await?;
    Ok(responses::json(
        &req,
        &serde_json::json!({ "items": items.into_iter().map(RevisionView::from).collect::<Vec<_>>() }),
    ))
}

/// The answer to a write: the assessment, with its revision ETag for the next `If-Match`.
fn written(status: StatusCode, assessment: ImpactAssessment) -> HttpResponse {
    responses::written(
        status,
        assessment.revision,
        &format!("/api/v1/impact-assessments/{}", assessment.id),
        &ImpactAssessmentView::from(assessment),
    )
}

/// Record an impact assessment.
///
/// Editors and admins may write any force; force staff only their own forces, as
/// `force_reported`. The covered deployments must be the same force's.
#[utoipa::path(
    tag = "evidence",
    security(("bearerAuth" = [])),
    request_body = AssessmentInput,
    responses(
        (status = 201, description = "The assessment", body = ImpactAssessmentView,
            headers(("Location" = String), ("ETag" = String, description = "`\"r<revision>\"`, for `If-Match`"))),
        (status = 403, description = "The account may not write this force", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/impact-assessments")]
pub async fn create_assessment(
    identity: Identity,
    state: web::Data<AppState>,
    body: web::Json<AssessmentInput>,
) -> Result<HttpResponse, ApiError> {
    let fields = body.into_inner().parse(identity.role)?;
    identity.require_force(&fields.force)?;
    let stamp = Stamp::now(identity.actor());
    let created = state
        .db
        .run(move |conn| {
            write_transaction(conn, |conn| {
                impact_assessments::create(conn, &stamp, &fields)
            })
        })
        .await?;
    Ok(written(StatusCode::CREATED, created))
}

/// Replace an impact assessment's content.
///
/// Send `If-Match` with the ETag you read: 428 without it, 412 when someone else changed it first.
/// The force is fixed.
#[utoipa::path(
    tag = "evidence",
    security(("bearerAuth" = [])),
    params(("id" = EntityId, Path, description = "The assessment's id"),
        ("If-Match" = String, Header, description = "The ETag of the revision the change is based on")),
    request_body = AssessmentInput,
    responses(
        (status = 200, description = "The assessment", body = ImpactAssessmentView,
            headers(("ETag" = String, description = "`\"r<revision>\"`, for the next `If-Match`"))),
        (status = 403, description = "The account may not write this force", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No assessment has this id", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/impact-assessments/{id}")]
pub async fn update_assessment(
    change: Change,
    state: web::Data<AppState>,
    id: web::Path<EntityId>,
    body: web::Json<AssessmentInput>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().into_inner();
    let fields = body.into_inner().parse(change.identity.role)?;
    let read = id.clone();
    let updated = change
        .apply_to(
            &state,
            move |conn| impact_assessments::get(conn, &read),
            move |conn, stamp, expected, _| {
                impact_assessments::update(conn, stamp, &id, expected, &fields)
            },
        )
        .await?;
    Ok(written(StatusCode::OK, updated))
}

/// Delete an impact assessment.
///
/// The deletion is itself a revision: the history stays readable.
#[utoipa::path(
    tag = "evidence",
    security(("bearerAuth" = [])),
    params(("id" = EntityId, Path, description = "The assessment's id"),
        ("If-Match" = String, Header, description = "The ETag of the revision being deleted")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "The account may not write this force", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No assessment has this id", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/impact-assessments/{id}")]
pub async fn delete_assessment(
    change: Change,
    state: web::Data<AppState>,
    id: web::Path<EntityId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().into_inner();
    let read = id.clone();
    change
        .apply_to(
            &state,
            move |conn| impact_assessments::get(conn, &read),
            move |conn, stamp, expected, _| impact_assessments::delete(conn, stamp, &id, expected),
        )
        .await?;
    Ok(deleted())
}

/// Get one source.
#[utoipa::path(
    tag = "evidence",
    params(("id" = EntityId, Path, description = "The source's id")),
    responses(
        (status = 200, description = "The source", body = SourceView, headers(("ETag" = String))),
        (status = 304, description = "The client's copy (`If-None-Match`) is current"),
        (status = 404, description = "No source has this id", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/sources/{id}")]
pub async fn get_source(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<EntityId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().into_inner();
    let source = state.db.run(move |conn| sources::get(conn, &id)).await?;
    Ok(responses::json_at_revision(
        &req,
        source.revision,
        &SourceView::from(source),
    ))
}

/// Record a source.
///
/// Any account that writes may add the document behind a claim.
#[utoipa::path(
    tag = "evidence",
    security(("bearerAuth" = [])),
    request_body = SourceInput,
    responses(
        (status = 201, description = "The source", body = SourceView,
            headers(("Location" = String), ("ETag" = String, description = "`\"r<revision>\"`, for `If-Match`"))),
    )
)]
#[post("/sources")]
pub async fn create_source(
    identity: Identity,
    state: web::Data<AppState>,
    body: web::Json<SourceInput>,
) -> Result<HttpResponse, ApiError> {
    let fields = body.into_inner().parse()?;
    let stamp = Stamp::now(identity.actor());
    let created = state
        .db
        .run(move |conn| write_transaction(conn, |conn| sources::create(conn, &stamp, &fields)))
        .await?;
    Ok(responses::written(
        StatusCode::CREATED,
        created.revision,
        &format!("/api/v1/sources/{}", created.id),
        &SourceView::from(created),
    ))
}

/// Replace a source's content.
///
/// Editors and admins only: a source may back claims about any force. Send `If-Match` with the ETag
/// you read.
#[utoipa::path(
    tag = "evidence",
    security(("bearerAuth" = [])),
    params(("id" = EntityId, Path, description = "The source's id"),
        ("If-Match" = String, Header, description = "The ETag of the revision the change is based on")),
    request_body = SourceInput,
    responses(
        (status = 200, description = "The source", body = SourceView,
            headers(("ETag" = String, description = "`\"r<revision>\"`, for the next `If-Match`"))),
        (status = 403, description = "Only editors and admins change sources", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No source has this id", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/sources/{id}")]
pub async fn update_source(
    change: Change,
    state: web::Data<AppState>,
    id: web::Path<EntityId>,
    body: web::Json<SourceInput>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().into_inner();
    change.require_role(&[Role::Admin, Role::Editor])?;
    let fields = body.into_inner().parse()?;
    let updated = change
        .apply(&state, move |conn, stamp, expected| {
            sources::update(conn, stamp, &id, expected, &fields)
        })
        .await?;
    Ok(responses::private(
        StatusCode::OK,
        Some(updated.revision),
        &SourceView::from(updated),
    ))
}

/// Delete a source no claim cites.
///
/// Editors and admins only. A source that backs a deployment or reveals an assessment answers 409:
/// correct those first. The deletion is itself a revision.
#[utoipa::path(
    tag = "evidence",
    security(("bearerAuth" = [])),
    params(("id" = EntityId, Path, description = "The source's id"),
        ("If-Match" = String, Header, description = "The ETag of the revision being deleted")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Only editors and admins delete sources", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No source has this id", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The source backs claims", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/sources/{id}")]
pub async fn delete_source(
    change: Change,
    state: web::Data<AppState>,
    id: web::Path<EntityId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().into_inner();
    change.require_role(&[Role::Admin, Role::Editor])?;
    change
        .apply(&state, move |conn, stamp, expected| {
            sources::delete(conn, stamp, &id, expected)
        })
        .await?;
    Ok(deleted())
}
