//! The command line: `serve` (default), `migrate`, `openapi`.

use clap::{Parser, Subcommand};

use crate::config::LogFormat;

/// The Surveillance Disclosure Registry: which surveillance tools each police force uses, with the
/// FOI answers and sources behind every claim, served as a REST API.
#[derive(Debug, Parser)]
#[command(name = "surveillance-registry", version)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Database: a SQLite file path or sqlite://PATH (created on first start), or
    /// postgres://USER:PASSWORD@HOST:PORT/DB (add ?sslmode=require for TLS).
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://data/registry.db",
        global = true
    )]
    pub database_url: String,

    /// Log format.
    #[arg(
        long,
        env = "REGISTRY_LOG_FORMAT",
        value_enum,
        default_value = "pretty",
        global = true
    )]
    pub log_format: LogFormat,

    /// Address to listen on (use 0.0.0.0 in a container).
    #[arg(
        long,
        env = "REGISTRY_HOST",
        default_value = "127.0.0.1",
        global = true
    )]
    pub host: String,

    /// Port to listen on.
    #[arg(long, env = "REGISTRY_PORT", default_value_t = 8080, global = true)]
    pub port: u16,

    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "REGISTRY_WORKERS", global = true)]
    pub workers: Option<usize>,

    /// Database connections in the pool.
    #[arg(
        long,
        env = "REGISTRY_DB_POOL_SIZE",
        default_value_t = 16,
        global = true
    )]
    pub db_pool_size: u32,

    /// Seconds in-flight requests get to finish after SIGTERM or SIGINT.
    #[arg(
        long,
        env = "REGISTRY_SHUTDOWN_TIMEOUT",
        default_value_t = 30,
        global = true
    )]
    pub shutdown_timeout: u64,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the HTTP API (the default). Applies migrations and loads reference data first.
    Serve,
    /// Apply pending migrations and load missing reference data, then exit.
    Migrate,
    /// Print the OpenAPI document (identical to GET /api/v1/openapi.json).
    Openapi,
    /// Fill the database with a clearly labelled synthetic dataset (plus the real 2019 seed reply).
    SeedDemo {
        /// 1.0 gives about 5,000 deployments with about 5 revisions each; any positive size works.
        #[arg(long, default_value_t = 1.0)]
        scale: f64,
    },
}
