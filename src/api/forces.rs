//! `/api/v1/forces`: the police forces and their FOI authorities.

use actix_web::http::StatusCode;
use actix_web::{get, put, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::pagination::{decode_cursor, ListResponse};
use super::params::{Validator, MAX_REGION};
use super::text_formats::{CountMode, CountryCode, EmailAddress, HttpUrl, NonBlank};
use super::views::forces::ForceView;
use super::writes::Change;
use super::{responses, AppState};
use crate::domain::Slug;
use crate::domain::{ForceKind, Nation, Role};
use crate::error::{ApiError, Problem};
use crate::store::forces::{self, ForceDetails, ForceFilter};
use crate::store::PageRequest;

/// Query parameters of `GET /forces`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ForceListQuery {
    /// ISO 3166-1 alpha-2 country code, e.g. `GB`.
    #[param(value_type = Option<CountryCode>, example = "GB")]
    country: Option<String>,
    /// Only the forces of this region, named exactly as the forces record it (`GET /forces`).
    #[param(value_type = Option<String>, max_length = 100, example = "South West")]
    region: Option<String>,
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
    #[param(value_type = Option<CountMode>)]
    count: Option<String>,
}

/// List police forces.
///
/// Every force, in slug order, with the authorities that answer FOI requests for it.
#[utoipa::path(
    tag = "forces",
    params(ForceListQuery),
    responses(
        (status = 200, description = "A page of forces", body = ListResponse<ForceView>,
            headers(("ETag" = String), ("Link" = String, description = "`<next_url>; rel=\"next\"` when more pages follow"))),
        (status = 304, description = "The client's copy (`If-None-Match`) is current"),
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
        region: v.text("region", query.region, MAX_REGION),
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
    Ok(responses::list(
        &req,
        &ListResponse::from_page(&req, page).map(ForceView::from),
    ))
}

/// Get one police force.
#[utoipa::path(
    tag = "forces",
    params(("slug" = Slug, Path, description = "The force's data.police.uk identifier", example = "cambridgeshire")),
    responses(
        (status = 200, description = "The force", body = ForceView, headers(("ETag" = String))),
        (status = 304, description = "The client's copy (`If-None-Match`) is current"),
        (status = 404, description = "No force has this slug", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/forces/{slug}")]
pub async fn get_force(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<Slug>,
) -> Result<HttpResponse, ApiError> {
    let slug = slug.into_inner();
    let force = state
        .db
        .run(move |conn| forces::get(conn, slug.as_str()))
        .await?;
    Ok(responses::json_at_revision(
        &req,
        force.revision,
        &ForceView::from(force),
    ))
}

/// A force's details as written.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Cambridgeshire Constabulary",
    "website": "https://www.cambs.police.uk",
    "foi_email": "foi@cambs.police.uk",
    "foi_url": "https://www.cambs.police.uk/foi-ai/af/accessing-information/"
}))]
pub struct ForceInput {
    #[schema(value_type = NonBlank)]
    pub name: String,
    /// State, province or county, outside the UK.
    pub region: Option<String>,
    /// An http(s) URL.
    #[schema(value_type = Option<HttpUrl>)]
    pub website: Option<String>,
    #[schema(value_type = Option<EmailAddress>)]
    pub foi_email: Option<String>,
    /// An http(s) URL.
    #[schema(value_type = Option<HttpUrl>)]
    pub foi_url: Option<String>,
}

impl ForceInput {
    fn parse(self) -> Result<ForceDetails, ApiError> {
        let mut v = Validator::default();
        let clean =
            |value: Option<String>| value.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
        let name = self.name.trim().to_owned();
        if name.is_empty() {
            v.reject("name", "must not be empty");
        }
        let website = v.url("website", self.website);
        let foi_url = v.url("foi_url", self.foi_url);
        let foi_email = clean(self.foi_email);
        if foi_email.as_deref().is_some_and(|e| !is_email_address(e)) {
            v.reject("foi_email", "must be an email address");
        }
        v.finish()?;
        Ok(ForceDetails {
            name,
            region: clean(self.region),
            website,
            foi_email,
            foi_url,
        })
    }
}

/// One `@` between a local part and a domain, neither empty nor holding whitespace.
fn is_email_address(address: &str) -> bool {
    address.split_once('@').is_some_and(|(local, domain)| {
        let plain = |part: &str| {
            !part.is_empty() && !part.contains(|c: char| c == '@' || c.is_whitespace())
        };
        plain(local) && plain(domain)
    })
}

/// Correct a force's details.
///
/// Editors and admins only; slug, kind, country and nation are reference facts and stay as they
/// are. Send `If-Match` with the ETag you read.
#[utoipa::path(
    tag = "forces",
    security(("bearerAuth" = [])),
    params(("slug" = Slug, Path, description = "The force's data.police.uk identifier", example = "cambridgeshire"),
        ("If-Match" = String, Header, description = "The ETag of the revision the change is based on")),
    request_body = ForceInput,
    responses(
        (status = 200, description = "The force", body = ForceView,
            headers(("ETag" = String, description = "`\"r<revision>\"`, for the next `If-Match`"))),
        (status = 403, description = "Only editors and admins correct forces", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No force has this slug", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/forces/{slug}")]
pub async fn update_force(
    change: Change,
    state: web::Data<AppState>,
    slug: web::Path<Slug>,
    body: web::Json<ForceInput>,
) -> Result<HttpResponse, ApiError> {
    let slug = slug.into_inner().into_inner();
    change.require_role(&[Role::Admin, Role::Editor])?;
    let details = body.into_inner().parse()?;
    let updated = change
        .apply(&state, move |conn, stamp, expected| {
            forces::update(conn, stamp, &slug, expected, &details)
        })
        .await?;
    Ok(responses::private(
        StatusCode::OK,
        Some(updated.revision),
        &ForceView::from(updated),
    ))
}
