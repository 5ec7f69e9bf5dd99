//! Builds the application: prepares the database, binds the listener, assembles the HTTP server.

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

/// Checks that a SQLite database can be written, connects, applies pending migrations, loads
/// missing reference data, extracts the text of documents stored before search read them and,
/// when `public_data`, the records of the shipped public dataset the
/// registry has never held.
pub fn prepare_database(
    url: &DatabaseUrl,
    pool_size: u32,
    public_data: bool,
) -> anyhow::Result<Database> {
    if let DatabaseUrl::Sqlite(path) = url {
        crate::writable::check_sqlite_path(path)?;
    }
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
    match store::foi_requests::extract_missing_texts(&mut conn) {
        Ok(0) => {}
        Ok(read) => tracing::info!(read, "extracted the text of stored documents for search"),
        Err(error) => tracing::warn!(%error, "stored documents' text was not extracted"),
    }
    if public_data {
        // A dataset that cannot load (a shipped claim citing a source someone deleted here) must
        // not stop the service: the registry serves what it holds and says what it skipped.
        match crate::import::public::load(&mut conn, &FoiCalendar::embedded()) {
            Ok(0) => {}
            Ok(added) => tracing::info!(added, "loaded the public dataset"),
            Err(error) => tracing::warn!(%error, "the public dataset was not loaded"),
        }
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
        let public_data = settings.public_data;
        let database =
            tokio::task::spawn_blocking(move || prepare_database(&url, pool_size, public_data))
                .await??;
        let (host, wanted_port) = (settings.host.clone(), settings.port);
        let authenticator = web::Data::new(Authenticator::new(database.clone(), settings.auth)?);
        let state = web::Data::new(AppState::new(
            database,
            std::sync::Arc::new(FoiCalendar::embedded()),
            settings.cache_recheck,
            settings.limits.concurrent_exports,
        ));
        let guard = web::Data::new(std::sync::Arc::new(api::Guard::new(
            settings.limits.clone(),
        )));
        let workers = settings.workers.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
        });
        let max_connections = connection_budget(settings.limits.max_connections);
        let spec = web::Data::new(SpecJson(openapi_document()));
        let known_routes = web::Data::new(api::KnownRoutes::from_spec(&api::openapi()));

        let server = HttpServer::new(move || {
            App::new()
                .wrap(from_fn(api::expire_cache_after_writes))
                .wrap(from_fn(api::head_as_get))
                .wrap(from_fn(|req, next| {
                    api::refuse_control_characters(req, next, crate::web::refusal)
                }))
                .wrap(from_fn(api::problem_details))
                .wrap(from_fn(api::enforce_limits))
                .wrap(cors())
                .wrap(from_fn(api::security_headers))
                .wrap(from_fn(api::request_id_header))
                .wrap(from_fn(api::access_log))
                .wrap(TracingLogger::default())
                .app_data(state.clone())
                .app_data(authenticator.clone())
                .app_data(guard.clone())
                .app_data(known_routes.clone())
                .app_data(web::QueryConfig::default().error_handler(api::query_error))
                .app_data(web::PathConfig::default().error_handler(api::path_error))
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
        .workers(workers)
        // Signals are handled in `run_until_signalled`: actix's own SIGINT handling stops at once.
        .disable_signals()
        // Headers must arrive within 5 s (408 after); bodies have their own deadline (limits).
        .client_request_timeout(std::time::Duration::from_secs(5))
        .client_disconnect_timeout(std::time::Duration::from_secs(2))
        .keep_alive(std::time::Duration::from_secs(15))
        .max_connections(max_connections.div_ceil(workers).max(1))
        // A burst of connections (a flood, or a crowd) waits in the kernel's queue rather than
        // being dropped there, which would cost every client caught in it a SYN retry (1-3 s).
        // (std's own listeners queue 128, which a burst overflows; actix binds with this backlog.)
        .backlog(4096)
        .bind((host.as_str(), wanted_port))
        .map_err(|e| anyhow::anyhow!("cannot listen on {host}:{wanted_port}: {e}"))?
        .shutdown_timeout(settings.shutdown_timeout);
        let port = server
            .addrs()
            .first()
            .map(std::net::SocketAddr::port)
            .ok_or_else(|| anyhow::anyhow!("{host}:{wanted_port} names no address to listen on"))?;
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

    /// Serves until stopped through [`Self::handle`].
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }

    /// Serves until SIGTERM or SIGINT (Ctrl-C), then stops taking connections and lets requests in
    /// flight, streamed downloads included, finish within the shutdown timeout; a second signal
    /// stops at once.
    pub async fn run_until_signalled(self) -> std::io::Result<()> {
        use tokio::signal::unix::{signal, SignalKind};
        let handle = self.server.handle();
        let (mut term, mut int) = (
            signal(SignalKind::terminate())?,
            signal(SignalKind::interrupt())?,
        );
        actix_web::rt::spawn(async move {
            tokio::select! { _ = term.recv() => {}, _ = int.recv() => {} }
            tracing::info!(
                "stopping: finishing the requests in flight (signal again to stop at once)"
            );
            let graceful = actix_web::rt::spawn({
                let handle = handle.clone();
                async move { handle.stop(true).await }
            });
            tokio::select! {
                _ = graceful => return,
                _ = term.recv() => {},
                _ = int.recv() => {},
            }
            tracing::warn!("second signal: stopping at once");
            handle.stop(false).await;
        });
        self.server.await
    }
}

/// The connections this process may hold: as many as asked, but always below its file descriptor
/// limit (raised to the hard limit first), keeping room for database connections and files.
fn connection_budget(wanted: usize) -> usize {
    const RESERVED: u64 = 256;
    let limit = rlimit::increase_nofile_limit(u64::MAX).unwrap_or(1024);
    let available = limit.saturating_sub(RESERVED).max(16);
    let budget = wanted.min(usize::try_from(available).unwrap_or(usize::MAX));
    if budget < wanted {
        tracing::warn!(
            wanted,
            budget,
            fd_limit = limit,
            "max connections lowered to fit the file descriptor limit"
        );
    }
    budget
}

/// Open to every origin for reads: any web page may show the registry's public data. Writes are
/// not offered to other origins (no `Authorization`, no unsafe methods in a preflight): the
/// registry's writers use its own tools and scripts, and a token pasted into a third-party page is
/// a token that page can misuse.
fn cors() -> Cors {
    Cors::default()
        .allow_any_origin()
        .allowed_methods([Method::GET, Method::HEAD])
        .allowed_headers([header::IF_NONE_MATCH, header::ACCEPT])
        .expose_headers([
            header::LINK,
            header::ETAG,
            header::RETRY_AFTER,
            header::CONTENT_DISPOSITION,
        ])
        .max_age(86_400)
}
