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
}

/// Printed at start; holds no secrets (the database password is masked, keys are shown by id).
impl fmt::Display for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "listen={}:{} database={} pool={} workers={} shutdown_timeout={}s cache_recheck={}ms \
             jwt_keys={} \
             jwt_issuer={} token_lifetime={}s trust_forwarded_for={}",
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
        )
    }
}
