//! The command line: `serve` (default), `migrate`, `openapi`, `seed-demo`, `import`, `backup`,
//! `restore`, `accounts`, `token`.

use clap::{Args, Parser, Subcommand};

use crate::config::LogFormat;
use crate::domain::Role;

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

    /// Token signing keys: KID=PATH[,KID=PATH...], PEM files of Ed25519 keys
    /// (`openssl genpkey -algorithm ed25519`). The first, a private key, signs; all verify (later
    /// ones may be public keys). Unset: a key is generated at start and dies with the process.
    #[arg(long, env = "REGISTRY_JWT_KEYS", global = true, hide_env_values = true)]
    pub jwt_keys: Option<String>,

    /// The `iss` claim of tokens issued and accepted.
    #[arg(
        long,
        env = "REGISTRY_JWT_ISSUER",
        default_value = "surveillance-registry",
        global = true
    )]
    pub jwt_issuer: String,

    /// Seconds a token stays valid.
    #[arg(long, env = "REGISTRY_TOKEN_LIFETIME", default_value_t = 900, value_parser = clap::value_parser!(u64).range(60..=86_400), global = true)]
    pub token_lifetime: u64,

    /// Start without the shipped public dataset (real, cited claims); the reference data (forces,
    /// tools) always loads.
    #[arg(long, env = "REGISTRY_WITHOUT_PUBLIC_DATA", global = true)]
    pub without_public_data: bool,

    /// The server's settings, when no subcommand is given (`serve` takes the same).
    #[command(flatten)]
    pub serve: ServeArgs,
}

/// What only the server needs: where it listens, its pool, limits and shutdown. Given to `serve`
/// (or with no subcommand at all); the other commands neither take nor list them.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (use 0.0.0.0 in a container).
    #[arg(long, env = "REGISTRY_HOST", default_value = "127.0.0.1")]
    pub host: String,

    /// Port to listen on.
    #[arg(long, env = "REGISTRY_PORT", default_value_t = 8080)]
    pub port: u16,

    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "REGISTRY_WORKERS")]
    pub workers: Option<usize>,

    /// Database connections in the pool.
    #[arg(long, env = "REGISTRY_DB_POOL_SIZE", default_value_t = 16)]
    pub db_pool_size: u32,

    /// Seconds in-flight requests get to finish after SIGTERM or SIGINT.
    #[arg(long, env = "REGISTRY_SHUTDOWN_TIMEOUT", default_value_t = 30)]
    pub shutdown_timeout: u64,

    /// Milliseconds a cached answer (matrix, profiles, statistics, pages) is served before the
    /// database is asked whether anything was written. Writes through this process are seen at
    /// once; this bounds how long a write through another instance, or `import`, takes to show.
    #[arg(
        long,
        env = "REGISTRY_CACHE_RECHECK_MS",
        default_value_t = 1000,
        value_parser = clap::value_parser!(u64).range(0..=60_000)
    )]
    pub cache_recheck_ms: u64,

    /// Count failed logins against the address in `Forwarded`/`X-Forwarded-For` rather than the
    /// TCP peer. Only behind a reverse proxy that sets these headers.
    #[arg(long, env = "REGISTRY_TRUST_FORWARDED_FOR")]
    pub trust_forwarded_for: bool,

    /// Seconds a client has to send a request's body once its headers are in (408 after).
    #[arg(long, env = "REGISTRY_BODY_TIMEOUT", default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub body_timeout: u64,

    /// Open connections of this instance (kept below the file descriptor limit).
    #[arg(long, env = "REGISTRY_MAX_CONNECTIONS", default_value_t = 16_384)]
    pub max_connections: usize,

    /// Requests one client address may have in flight at once; 0: no limit.
    #[arg(long, env = "REGISTRY_CLIENT_CONCURRENCY", default_value_t = 64)]
    pub client_concurrency: u32,

    /// Requests per minute per client address; 0: no limit.
    #[arg(long, env = "REGISTRY_RATE_LIMIT", default_value_t = 1200)]
    pub rate_limit: u32,

    /// Exports and searches per minute per client address; 0: no limit.
    #[arg(long, env = "REGISTRY_HEAVY_RATE_LIMIT", default_value_t = 120)]
    pub heavy_rate_limit: u32,

    /// Writes per minute per bearer token; 0: no limit.
    #[arg(long, env = "REGISTRY_WRITE_RATE_LIMIT", default_value_t = 240)]
    pub write_rate_limit: u32,

    /// Exports running at once on this instance.
    #[arg(long, env = "REGISTRY_CONCURRENT_EXPORTS", default_value_t = 4, value_parser = clap::value_parser!(u64).range(1..=64))]
    pub concurrent_exports: u64,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the HTTP API (the default). Applies migrations and loads reference data first.
    Serve(ServeArgs),
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
    /// Import a file: an export of this registry (deployments as NDJSON or CSV; sources, campaigns,
    /// FOI requests, impact assessments and FOI documents as NDJSON) or the Atlas of Surveillance
    /// CSV. All or nothing; bad rows are listed by line.
    Import {
        /// The file to read.
        file: std::path::PathBuf,
        /// Check every row and report what would change, writing nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Write a consistent copy of the database to FILE, which must not exist, while the server
    /// runs. SQLite: a compact copy made with VACUUM INTO. PostgreSQL: pg_dump's custom format
    /// (needs pg_dump of the server's major version or newer on PATH).
    Backup {
        /// Where to write the backup.
        file: std::path::PathBuf,
    },
    /// Replace the database with a backup made by `backup` (stop the server first; on SQLite a
    /// database another process has open is refused). The next start applies newer migrations.
    Restore {
        /// The backup to restore.
        file: std::path::PathBuf,
        /// Replace a database that holds tables (otherwise refused).
        #[arg(long)]
        force: bool,
    },
    /// Manage the accounts of people who write (migrates the database first).
    Accounts {
        #[command(subcommand)]
        command: AccountsCommand,
    },
    /// Print a bearer token for an account, signed with the configured keys (for scripts).
    Token {
        #[arg(long)]
        username: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum AccountsCommand {
    /// Create an account. Without --password-stdin a password is generated and printed once.
    Create(CreateAccountArgs),
    /// List every account: username, role, forces, state, id.
    List,
}

#[derive(Debug, Args)]
pub struct CreateAccountArgs {
    /// 3 to 64 lower-case letters, digits, `.`, `_` or `-`.
    #[arg(long)]
    pub username: String,
    /// admin, editor or force_staff.
    #[arg(long)]
    pub role: Role,
    /// A force a force_staff account may write (repeat for several).
    #[arg(long = "force")]
    pub forces: Vec<String>,
    /// Shown publicly as the author of this account's writes.
    #[arg(long, default_value = "Surveillance Disclosure Registry")]
    pub organisation: String,
    /// Defaults to the username.
    #[arg(long)]
    pub display_name: Option<String>,
    /// Read the password from standard input (at least 12 characters; one trailing newline is
    /// dropped).
    #[arg(long)]
    pub password_stdin: bool,
}
