//! Settings of a running service, built from flags and the environment and passed down explicitly.

use std::fmt;
use std::time::Duration;

use crate::auth::AuthSettings;
use crate::db::DatabaseUrl;

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Pretty,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Everything `serve` needs.
#[derive(Clone)]
pub struct Settings {
    pub host: String,
    /// 0 picks a free port (the tests do this).
    pub port: u16,
    pub database_url: DatabaseUrl,
    pub database_pool_size: u32,
    /// HTTP worker threads; defaults to the number of cores.
    pub workers: Option<usize>,
    /// Seconds to let in-flight requests finish after SIGTERM or SIGINT.
    pub shutdown_timeout: u64,
    /// How long cached answers are served without asking the database whether another instance
    /// wrote (writes through this instance expire them at once).
    pub cache_recheck: Duration,
    pub auth: AuthSettings,
    pub limits: Limits,
    /// Load the shipped public dataset's new records at start.
    pub public_data: bool,
}

/// What one client may take of the service: time, connections, requests and exports. A rate of 0
/// turns that limit off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Time from the request's headers to the last byte of its body (408 after).
    pub body_timeout: Duration,
    /// Open connections of the whole instance, kept below the process's file descriptor limit.
    pub max_connections: usize,
    /// Requests one client address may have in flight at once (429 beyond).
    pub client_concurrency: u32,
    /// Requests per minute per client address.
    pub requests_per_minute: u32,
    /// Exports and searches per minute per client address.
    pub heavy_per_minute: u32,
    /// Writes per minute per bearer token.
    pub writes_per_minute: u32,
    /// Exports running at once on this instance (each reads the database while it streams).
    pub concurrent_exports: usize,
}

impl Limits {
    /// The defaults of the command line.
    pub const DEFAULT: Self = Self {
        body_timeout: Duration::from_secs(20),
        max_connections: 16_384,
        client_concurrency: 64,
        requests_per_minute: 1200,
        heavy_per_minute: 120,
        writes_per_minute: 240,
        concurrent_exports: 4,
    };

    /// No rate limits (benchmarks, and tests that are not about limits).
    pub fn unlimited_rates(self) -> Self {
        Self {
            client_concurrency: 0,
            requests_per_minute: 0,
            heavy_per_minute: 0,
            writes_per_minute: 0,
            ..self
        }
    }
}

impl fmt::Display for Limits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "body_timeout={}s max_connections={} client_concurrency={} \
             rate={}/min heavy_rate={}/min write_rate={}/min concurrent_exports={}",
            self.body_timeout.as_secs(),
            self.max_connections,
            self.client_concurrency,
            self.requests_per_minute,
            self.heavy_per_minute,
            self.writes_per_minute,
            self.concurrent_exports,
        )
    }
}

/// Printed at start; holds no secrets (the database password is masked, keys are shown by id).
impl fmt::Display for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "listen={}:{} database={} pool={} workers={} shutdown_timeout={}s cache_recheck={}ms \
             jwt_keys={} \
             jwt_issuer={} token_lifetime={}s trust_forwarded_for={} {}",
            self.host,
            self.port,
            self.database_url,
            self.database_pool_size,
            self.workers
                .map_or_else(|| "auto".to_owned(), |w| w.to_string()),
            self.shutdown_timeout,
            self.cache_recheck.as_millis(),
            self.auth
                .keys
                .as_ref()
                .map_or_else(|| "ephemeral".to_owned(), |k| k.kids().join(",")),
            self.auth.issuer,
            self.auth.token_lifetime.as_secs(),
            self.auth.trust_forwarded_for,
            self.limits,
        )
    }
}
