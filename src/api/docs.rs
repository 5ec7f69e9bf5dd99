//! The OpenAPI document's frame (info, servers, tags) and the endpoints that publish it.

use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::SwaggerUi;

use super::responses;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Surveillance Disclosure Registry",
        description = "Which surveillance tools each police force uses, and the FOI answers and sources \
behind every claim. Reads are public and anonymous. Lists are keyset-paginated (`limit`, `cursor`, \
`next_url`, `Link: rel=\"next\"`); every answer carries a strong `ETag`; errors are RFC 9457 \
`application/problem+json` naming each bad field. Writes need a bearer token (`bearerAuth`) from \
`POST /api/v1/auth/token`; its signing keys are published at `/.well-known/jwks.json`.",
        contact(name = "Surveillance Disclosure Registry maintainers"),
        license(name = "Data: Open Government Licence v3.0 where applicable; code: AGPL-3.0-or-later",
            identifier = "AGPL-3.0-or-later"),
    ),
    servers((url = "/", description = "This server")),
    // Types that only parameters name, which the route collection does not register on its own.
    components(schemas(
        crate::domain::FeedEntity,
        crate::domain::Moment,
        crate::domain::SearchTerms,
        crate::domain::Since,
        crate::domain::document::FileName,
        super::text_formats::CountMode,
        super::text_formats::CountryCode,
        super::text_formats::DeploymentFacetList,
        super::text_formats::DeploymentSortKey,
        super::text_formats::IncludeMode,
        super::text_formats::FileFormat,
        super::text_formats::FoiFacetList,
        super::text_formats::FoiSortKey,
        super::text_formats::StatusList,
    )),
    modifiers(&BearerAuth),
    tags(
        (name = "changes", description = "Every write, as a resumable JSON feed and as Atom feeds"),
        (name = "deployments", description = "Claims about one force's use of one tool, with evidence and history"),
        (name = "evidence", description = "Impact assessments and the sources behind claims"),
        (name = "foi", description = "FOI requests, their answers, exemptions, appeals and documents; campaigns across many authorities"),
        (name = "exports", description = "Bulk downloads as CSV or NDJSON, streamed"),
        (name = "search", description = "Full-text search across deployments, FOI requests and answers, and assessments"),
        (name = "imports", description = "Bulk imports of registry exports and the Atlas of Surveillance"),
        (name = "auth", description = "Logging in for a bearer token, and the keys tokens are signed with"),
        (name = "accounts", description = "Accounts of the people who write (admins only)"),
        (name = "forces", description = "Police forces and the authorities that answer FOI requests for them"),
        (name = "matrix", description = "The forces x tools grid of statuses, as JSON or CSV"),
        (name = "tools", description = "The taxonomy of surveillance tools"),
        (name = "health", description = "Liveness and readiness probes"),
        (name = "meta", description = "This API's own description"),
    )
)]
pub struct ApiDoc;

/// Declares `bearerAuth`: the JWTs from `POST /api/v1/auth/token`, which endpoints that need a
/// logged-in account list under `security`.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .bearer_format("JWT")
            .description(Some(
                "A JWT (EdDSA/Ed25519) from `POST /api/v1/auth/token`, valid for 15 minutes by default.",
            ))
            .build();
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme("bearerAuth", SecurityScheme::Http(scheme));
    }
}

/// The spec, serialised once at start.
pub struct SpecJson(pub String);

/// The OpenAPI document of this API.
#[utoipa::path(
    tag = "meta",
    responses(
        (status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json",
            body = Object, headers(("ETag" = String))),
        (status = 304, description = "The client's copy (`If-None-Match`) is current"),
    )
)]
#[get("/openapi.json")]
pub async fn openapi_json(req: HttpRequest, spec: web::Data<SpecJson>) -> HttpResponse {
    responses::cacheable(&req, "application/json", spec.0.clone().into_bytes())
}

async fn to_docs() -> HttpResponse {
    HttpResponse::Found()
        .insert_header((header::LOCATION, "/docs/"))
        .finish()
}

pub fn configure(cfg: &mut web::ServiceConfig, spec: web::Data<SpecJson>) {
    cfg.app_data(spec)
        .route("/docs", web::get().to(to_docs))
        .service(
            SwaggerUi::new("/docs/{_:.*}")
                .config(utoipa_swagger_ui::Config::new(["/api/v1/openapi.json"])),
        );
}
