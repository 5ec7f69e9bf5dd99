//! `/api/v1/campaigns`: one request sent to many authorities, and its progress across them.

use actix_web::http::{header, StatusCode};
use actix_web::{delete, get, post, put, web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::cache::{self, Cached};
use super::campaign_input::{CampaignInput, CampaignUpdateInput};
use super::views::campaigns::{CampaignProgressView, CampaignView};
use super::views::revisions::RevisionView;
use super::writes::{deleted, Change};
use super::{responses, AppState};
use crate::auth::Identity;
use crate::domain::Role;
use crate::domain::Slug;
use crate::error::{ApiError, Problem};
use crate::store::audit::Stamp;
use crate::store::campaigns;
use crate::store::markers::Dependency;
use crate::store::write_transaction;

/// Every campaign.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"items": [crate::api::views::examples::schema_example::<CampaignView>()]}))]
pub struct CampaignList {
    /// Most recently started first.
    pub items: Vec<CampaignView>,
}

/// List campaigns.
#[utoipa::path(
    tag = "foi",
    responses(
        (status = 200, description = "Every campaign", body = CampaignList, headers(("ETag" = String))),
        (status = 304, description = "The client's copy (`If-None-Match`) is current"),
    )
)]
#[get("/campaigns")]
pub async fn list_campaigns(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let items = state.db.run(campaigns::list).await?;
    Ok(responses::json(
        &req,
        &CampaignList {
            items: items.into_iter().map(CampaignView::from).collect(),
        },
    ))
}

/// Get a campaign and its progress.
///
/// Across every authority it asked: how many answered, late or not at all, each question's
/// outcomes, the exemptions cited by frequency, and one row per request.
#[utoipa::path(
    tag = "foi",
    params(("slug" = Slug, Path, description = "The campaign's slug", example = "2019-surveillance-tools")),
    responses(
        (status = 200, description = "The campaign and its progress", body = CampaignProgressView,
            headers(("ETag" = String, description = "`\"r<revision>-...\"`; send it as `If-Match` to update"))),
        (status = 304, description = "The client's copy (`If-None-Match`) is current"),
        (status = 404, description = "No campaign has this slug", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/campaigns/{slug}")]
pub async fn get_campaign(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<Slug>,
) -> Result<HttpResponse, ApiError> {
    let slug = slug.into_inner().into_inner();
    cache::respond(
        &req,
        &state,
        "json",
        Dependency::Everything,
        move |conn| campaigns::progress(conn, &slug),
        |progress| {
            let progress = CampaignProgressView::from(progress);
            let body = serde_json::to_vec(&progress).expect("views serialise");
            let mut cached = Cached::new("application/json", body);
            cached.etag = header::EntityTag::new_strong(format!(
                "r{}-{}",
                progress.campaign.revision,
                cached.etag.tag()
            ));
            cached
        },
    )
    .await
}

/// A campaign's history.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "items": [crate::api::views::examples::schema_example::<RevisionView<CampaignView>>()]
}))]
pub struct CampaignRevisionList {
    /// Every revision, oldest first.
    pub items: Vec<RevisionView<CampaignView>>,
}

/// Get every revision of a campaign.
#[utoipa::path(
    tag = "foi",
    params(("slug" = Slug, Path, description = "The campaign's slug", example = "2019-surveillance-tools")),
    responses(
        (status = 200, description = "Every revision, oldest first", body = CampaignRevisionList, headers(("ETag" = String))),
        (status = 304, description = "The client's copy (`If-None-Match`) is current"),
        (status = 404, description = "No campaign ever had this slug", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/campaigns/{slug}/revisions")]
pub async fn list_campaign_revisions(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<Slug>,
) -> Result<HttpResponse, ApiError> {
    let slug = slug.into_inner().into_inner();
    let items = state
        .db
        .run(move |conn| campaigns::revisions(conn, &slug))
        .await?;
    Ok(responses::json(
        &req,
        &serde_json::json!({ "items": items.into_iter().map(RevisionView::from).collect::<Vec<_>>() }),
    ))
}

/// Start a campaign.
///
/// Records the campaign and, in the same transaction, a pending request (every question
/// unanswered, due 20 working days after `started_on`) to each authority named in `authorities`
/// or belonging to a `target_groups` group. Editors and admins only.
#[utoipa::path(
    tag = "foi",
    security(("bearerAuth" = [])),
    request_body = CampaignInput,
    responses(
        (status = 201, description = "The campaign", body = CampaignView,
            headers(("Location" = String), ("ETag" = String, description = "`\"r<revision>\"`, for `If-Match`"))),
        (status = 403, description = "Only editors and admins run campaigns", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A campaign already has this slug", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/campaigns")]
pub async fn create_campaign(
    identity: Identity,
    state: web::Data<AppState>,
    body: web::Json<CampaignInput>,
) -> Result<HttpResponse, ApiError> {
    identity.require_role(&[Role::Admin, Role::Editor])?;
    let (slug, fields, targets) = body.into_inner().parse()?;
    let stamp = Stamp::now(identity.actor());
    let calendar = state.calendar.clone();
    let created = state
        .db
        .run(move |conn| {
            write_transaction(conn, |conn| {
                crate::workflows::campaigns::create(
                    conn,
                    &calendar,
                    &stamp,
                    slug.as_str(),
                    &fields,
                    &targets,
                )
            })
        })
        .await?;
    Ok(responses::written(
        StatusCode::CREATED,
        created.revision,
        &format!("/api/v1/campaigns/{}", created.slug),
        &CampaignView::from(created),
    ))
}

/// Replace a campaign's description and questions.
///
/// Requests already sent keep the questions they were sent with; the targets are fixed when the
/// campaign is created. Send `If-Match` with the ETag you read.
#[utoipa::path(
    tag = "foi",
    security(("bearerAuth" = [])),
    params(("slug" = Slug, Path, description = "The campaign's slug", example = "2019-surveillance-tools"),
        ("If-Match" = String, Header, description = "The ETag of the revision the change is based on")),
    request_body = CampaignUpdateInput,
    responses(
        (status = 200, description = "The campaign", body = CampaignView,
            headers(("ETag" = String, description = "`\"r<revision>\"`, for the next `If-Match`"))),
        (status = 403, description = "Only editors and admins run campaigns", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No campaign has this slug", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/campaigns/{slug}")]
pub async fn update_campaign(
    change: Change,
    state: web::Data<AppState>,
    slug: web::Path<Slug>,
    body: web::Json<CampaignInput>,
) -> Result<HttpResponse, ApiError> {
    let slug = slug.into_inner().into_inner();
    change.require_role(&[Role::Admin, Role::Editor])?;
    let (body_slug, fields, targets) = body.into_inner().parse()?;
    if body_slug.as_str() != slug {
        return Err(ApiError::invalid_field(
            "slug",
            "is fixed once a campaign exists and must match the path",
        ));
    }
    if !targets.authorities.is_empty() || !targets.groups.is_empty() {
        return Err(ApiError::invalid_field(
            if targets.authorities.is_empty() {
                "target_groups"
            } else {
                "authorities"
            },
            "a campaign is sent when it is created; record further requests with POST /foi-requests",
        ));
    }
    let updated = change
        .apply(&state, move |conn, stamp, expected| {
            campaigns::update(conn, stamp, &slug, expected, &fields)
        })
        .await?;
    Ok(responses::private(
        StatusCode::OK,
        Some(updated.revision),
        &CampaignView::from(updated),
    ))
}

/// Delete a campaign that has sent no request.
///
/// Editors and admins only; a campaign whose requests exist is part of the record (409). Send
/// `If-Match` with the ETag you read.
#[utoipa::path(
    tag = "foi",
    security(("bearerAuth" = [])),
    params(("slug" = Slug, Path, description = "The campaign's slug", example = "2019-surveillance-tools"),
        ("If-Match" = String, Header, description = "The ETag of the revision being deleted")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Only editors and admins run campaigns", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No campaign has this slug", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The campaign has sent requests", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/campaigns/{slug}")]
pub async fn delete_campaign(
    change: Change,
    state: web::Data<AppState>,
    slug: web::Path<Slug>,
) -> Result<HttpResponse, ApiError> {
    let slug = slug.into_inner().into_inner();
    change.require_role(&[Role::Admin, Role::Editor])?;
    change
        .apply(&state, move |conn, stamp, expected| {
            campaigns::delete(conn, stamp, &slug, expected)
        })
        .await?;
    Ok(deleted())
}
