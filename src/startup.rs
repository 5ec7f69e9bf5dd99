//! Builds the application: prepares the database, binds the listener, assembles the HTTP server.

use std::net::TcpListener;

use actix_cors::Cors;
use actix_web::dev::Server;
use actix_web::http::{header, Method};
use actix_web::middleware::from_fn;
use actix_web::{web, App, HttpServer};
use tracing_actix_web::TracingLogger;
use utoipa_actix_web::AppExt;

use crate::api::{self, AppState, SpecJson};
use crate::auth::Authenticator;
use crate::config::Settings;
use crate::db::{self, ConnectError, Database, DatabaseUrl};
use crate::foi::FoiCalendar;
use crate::store;

/// Connects, applies pending migrations and loads missing reference data.
pub fn prepare_database(url: &DatabaseUrl, pool_size: u32) -> Result<Database, ConnectError> {
    let database = Database::connect(url, pool_size)?;
    let mut conn = database
        .get()
        .map_err(|e| ConnectError::Migration(e.to_string()))?;
    let applied = db::run_migrations(&mut conn)?;
    if !applied.is_empty() {
        tracing::info!(?applied, "applied migrations");
    }
    let loaded =
        store::reference::load(&mut conn).map_err(|e| ConnectError::Migration(e.to_string()))?;
    if loaded != store::reference::Loaded::default() {
        tracing::info!(?loaded, "loaded reference data");
    }
    Ok(database)
}

/// The OpenAPI document exactly as served and committed (pretty JSON and a final newline).
pub fn openapi_document() -> String {
    let mut text = serde_json::to_string_pretty(&api::openapi()).expect("the spec serialises");
    text.push('\n');
    text
}

/// A bound, ready-to-run server.
pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Prepares the database and binds `host:port` (port 0 picks a free one).
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let url = settings.database_url.clone();
        let pool_size = settings.database_pool_size;
        let database =
            tokio::task::spawn_blocking(move || prepare_database(&url, pool_size)).await??;
        let listener = TcpListener::bind((settings.host.as_str(), settings.port)).map_err(|e| {
            anyhow::anyhow!("cannot listen on {}:{}: {e}", settings.host, settings.port)
        })?;
        let port = listener.local_addr()?.port();
        let authenticator = web::Data::new(Authenticator::new(database.clone(), settings.auth)?);
        let state = web::Data::new(AppState::new(
            database,
            std::sync::Arc::new(FoiCalendar::embedded()),
            settings.cache_recheck,
        ));
        let spec = web::Data::new(SpecJson(openapi_document()));
        let known_routes = web::Data::new(api::KnownRoutes::from_spec(&api::openapi()));

        let mut server = HttpServer::new(move || {
            App::new()
                .wrap(from_fn(api::expire_cache_after_writes))
                .wrap(from_fn(api::head_as_get))
                .wrap(from_fn(api::problem_details))
                .wrap(cors())
                .wrap(from_fn(api::request_id_header))
                .wrap(TracingLogger::default())
                .app_data(state.clone())
                .app_data(authenticator.clone())
                .app_data(known_routes.clone())
                .app_data(web::QueryConfig::default().error_handler(api::query_error))
                .app_data(
                    web::JsonConfig::default()
                        .limit(api::JSON_BODY_LIMIT)
                        .error_handler(api::json_error),
                )
                .into_utoipa_app()
                .configure(api::routes)
                .into_app()
                .configure(|cfg| api::documentation(cfg, spec.clone()))
                .configure(crate::web::routes)
                .default_service(web::to(crate::web::not_found))
        })
        .listen(listener)?
        .shutdown_timeout(settings.shutdown_timeout);
        if let Some(workers) = settings.workers {
            server = server.workers(workers);
        }
        Ok(Self {
            port,
            server: server.run(),
        })
    }

    /// The port actually bound.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle to stop the server from elsewhere (the tests do).
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until SIGTERM or SIGINT, then lets in-flight requests finish.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// Open to every origin: the API uses no cookies (writes carry bearer tokens), so a page on another
/// site can do nothing that its own user could not.
fn cors() -> Cors {
    Cors::default()
        .allow_any_origin()
        .allowed_methods([
            Method::GET,
            Method::HEAD,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allowed_headers([
            header::IF_NONE_MATCH,
            header::IF_MATCH,
            header::ACCEPT,
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
        ])
        .expose_headers([
            header::LINK,
            header::ETAG,
            header::RETRY_AFTER,
            header::CONTENT_DISPOSITION,
        ])
        .max_age(86_400)
}
