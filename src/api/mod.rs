//! The HTTP API: every route is declared in [`routes`], and the OpenAPI document is derived from
//! the same declarations, so the spec cannot drift from what is served.

mod accounts;
mod atom;
mod auth;
pub(crate) mod cache;
pub(crate) mod campaign_input;
mod campaigns;
mod changes;
mod deployment_input;
pub(crate) mod deployments;
mod docs;
mod evidence;
mod evidence_input;
mod exports;
pub(crate) mod foi_input;
pub(crate) mod foi_requests;
mod forces;
mod health;
mod imports;
mod limits;
pub(crate) mod metrics;
mod middleware;
pub(crate) mod moments;
pub(crate) mod overviews;
pub mod pagination;
pub(crate) mod params;
pub(crate) mod responses;
mod search;
mod security_headers;
mod spec_rules;
pub(crate) mod text_formats;
mod text_rule;
mod tools;
pub(crate) mod views;
mod writes;

use actix_web::web;
use utoipa::OpenApi;
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::{scope, AppExt};

use std::sync::Arc;
use std::time::Duration;

use self::cache::ResponseCache;
use crate::db::Database;
use crate::foi::FoiCalendar;

pub use limits::{enforce_limits, Guard};
pub use middleware::{
    access_log, expire_cache_after_writes, head_as_get, not_found, problem_details,
    request_id_header, KnownRoutes,
};
pub use params::{json_error, path_error, query_error, JSON_BODY_LIMIT};
pub use security_headers::security_headers;
pub use text_rule::refuse_control_characters;

/// What every handler can reach.
pub struct AppState {
    pub db: Database,
    /// Expensive answers, revalidated against the database's write marker.
    pub cache: ResponseCache,
    /// The statutory working-day calendar behind every FOI deadline.
    pub calendar: Arc<FoiCalendar>,
    /// Permits for exports running at once (each reads the database for as long as it streams).
    pub exports: Arc<tokio::sync::Semaphore>,
    pub metrics: metrics::Metrics,
}

impl AppState {
    /// `cache_recheck`: how long a cached answer is served before the database is asked whether
    /// another instance wrote since.
    pub fn new(
        db: Database,
        calendar: Arc<FoiCalendar>,
        cache_recheck: Duration,
        concurrent_exports: usize,
    ) -> Self {
        let cache = ResponseCache::new(1024, cache_recheck);
        Self {
            db,
            metrics: metrics::Metrics::new(&cache.hits, &cache.misses),
            cache,
            calendar,
            exports: Arc::new(tokio::sync::Semaphore::new(concurrent_exports)),
        }
    }
}

/// Every route of the service, in one place.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(health::metrics)
        .service(auth::jwks)
        .service(
            scope::scope("/api/v1")
                .service(docs::openapi_json)
                .service(changes::list_changes)
                .service(changes::changes_atom)
                .service(changes::force_changes_atom)
                .service(foi_requests::foi_requests_atom)
                .service(deployments::deployments_atom)
                .service(deployments::list_deployments)
                .service(deployments::get_deployment)
                .service(deployments::list_revisions)
                .service(deployments::create_deployment)
                .service(deployments::update_deployment)
                .service(deployments::delete_deployment)
                .service(evidence::list_assessments)
                .service(evidence::get_assessment)
                .service(evidence::list_assessment_revisions)
                .service(evidence::create_assessment)
                .service(evidence::update_assessment)
                .service(evidence::delete_assessment)
                .service(evidence::get_source)
                .service(evidence::create_source)
                .service(evidence::update_source)
                .service(evidence::delete_source)
                .service(foi_requests::list_foi_requests)
                .service(foi_requests::get_foi_request)
                .service(foi_requests::list_foi_revisions)
                .service(foi_requests::create_foi_request)
                .service(foi_requests::update_foi_request)
                .service(foi_requests::delete_foi_request)
                .service(foi_requests::upload_document)
                .service(foi_requests::download_document)
                .service(campaigns::list_campaigns)
                .service(campaigns::get_campaign)
                .service(campaigns::list_campaign_revisions)
                .service(campaigns::create_campaign)
                .service(campaigns::update_campaign)
                .service(campaigns::delete_campaign)
                .service(exports::export_deployments)
                .service(exports::export_assessments)
                .service(exports::export_sources)
                .service(exports::export_campaigns)
                .service(exports::export_foi_requests)
                .service(exports::export_foi_answers)
                .service(exports::export_foi_documents)
                .service(exports::export_matrix)
                .service(imports::import_file)
                .service(auth::issue_token)
                .service(auth::me)
                .service(accounts::create_account)
                .service(accounts::list_accounts)
                .service(accounts::get_account)
                .service(accounts::update_account)
                .service(accounts::reset_password)
                .service(search::search_registry)
                .service(forces::list_forces)
                .service(forces::get_force)
                .service(forces::update_force)
                .service(overviews::force_profile)
                .service(tools::list_tools)
                .service(tools::get_tool)
                .service(tools::update_tool)
                .service(overviews::tool_forces)
                .service(overviews::get_matrix)
                .service(overviews::get_matrix_csv)
                .service(overviews::get_stats),
        );
}

/// The OpenAPI document of [`routes`], with the rules every operation shares.
pub fn openapi() -> utoipa::openapi::OpenApi {
    spec_rules::apply(
        actix_web::App::new()
            .into_utoipa_app()
            .openapi(docs::ApiDoc::openapi())
            .configure(routes)
            .split_for_parts()
            .1,
    )
}

/// Serves the spec and the interactive documentation (bundled, so `/docs` works offline).
pub fn documentation(cfg: &mut web::ServiceConfig, spec_json: web::Data<docs::SpecJson>) {
    docs::configure(cfg, spec_json);
}

pub use docs::SpecJson;
