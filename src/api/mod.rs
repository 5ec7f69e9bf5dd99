//! The HTTP API: every route is declared in [`routes`], and the OpenAPI document is derived from
//! the same declarations, so the spec cannot drift from what is served.

mod docs;
mod forces;
mod health;
mod middleware;
pub mod pagination;
mod params;
mod responses;
mod tools;

use actix_web::web;
use utoipa::OpenApi;
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::{scope, AppExt};

use crate::db::Database;

pub use middleware::{head_as_get, not_found, problem_details, request_id_header, KnownRoutes};
pub use params::query_error;

/// What every handler can reach.
pub struct AppState {
    pub db: Database,
}

/// Every route of the service, in one place.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(
            scope::scope("/api/v1")
                .service(docs::openapi_json)
                .service(forces::list_forces)
                .service(forces::get_force)
                .service(tools::list_tools)
                .service(tools::get_tool),
        );
}

/// The OpenAPI document of [`routes`].
pub fn openapi() -> utoipa::openapi::OpenApi {
    actix_web::App::new()
        .into_utoipa_app()
        .openapi(docs::ApiDoc::openapi())
        .configure(routes)
        .split_for_parts()
        .1
}

/// Serves the spec and the interactive documentation (bundled, so `/docs` works offline).
pub fn documentation(cfg: &mut web::ServiceConfig, spec_json: web::Data<docs::SpecJson>) {
    docs::configure(cfg, spec_json);
}

pub use docs::SpecJson;
