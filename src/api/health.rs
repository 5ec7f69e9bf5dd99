//! Liveness and readiness probes for load balancers and orchestrators.

use actix_web::http::header;
use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::AppState;
use crate::error::{ApiError, Problem};
use crate::{db, writable};

/// The state of the service.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"status": "ready", "database": "sqlite"}))]
pub struct Health {
    /// `ok` (alive) or `ready` (database reachable and migrated).
    #[schema(example = "ready")]
    pub status: &'static str,
    /// The database backend, on readiness.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "sqlite")]
    pub database: Option<&'static str>,
}

fn uncached(body: &Health) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(body)
}

/// Liveness: the process is up and serving.
#[utoipa::path(
    tag = "health",
    responses((status = 200, description = "The process is alive", body = Health))
)]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    uncached(&Health {
        status: "ok",
        database: None,
    })
}

/// Readiness: the database answers, every migration is applied, and it accepts writes.
#[utoipa::path(
    tag = "health",
    responses(
        (status = 200, description = "Ready to serve", body = Health),
        (status = 503, description = "The database is unreachable, not migrated or accepts no writes",
            body = Problem, content_type = "application/problem+json", headers(("Retry-After" = String))),
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let backend = state.db.backend();
    // Probes time out after a second or so: answer within that, whatever the database does.
    let current = state
        .db
        .run_limited(
            std::time::Duration::from_millis(700),
            std::time::Duration::from_millis(900),
            |conn| {
                let current = db::migrations_current(conn)?;
                if current {
                    writable::check_database(conn)?;
                }
                Ok(current)
            },
        )
        .await?;
    if !current {
        return Err(ApiError::Unavailable("migrations are pending".into()));
    }
    Ok(uncached(&Health {
        status: "ready",
        database: Some(backend),
    }))
}

/// Metrics of this instance, in Prometheus's text format.
///
/// Requests by route pattern and status, their latency, writes, the connection pool, and cache
/// hits and misses. Never cached, never rate limited (a scraper must see an overloaded instance
/// too).
#[utoipa::path(
    tag = "health",
    responses((status = 200, description = "Prometheus text exposition format 0.0.4",
        body = String, content_type = "text/plain; version=0.0.4")),
)]
#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .content_type(super::metrics::CONTENT_TYPE)
        .body(state.metrics.render(&state.db))
}
