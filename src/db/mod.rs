//! The database: one connection type over SQLite and PostgreSQL, its pool, its migrations, and the
//! bridge that keeps blocking diesel calls off the async workers.

pub mod bulk;
pub mod schema;
mod together;
mod url;

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{self, ManageConnection, R2D2Connection};
use diesel::{Connection, PgConnection, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

pub use self::together::execute_together;
pub use self::url::{DatabaseUrl, DatabaseUrlError};

/// Makes a type whose `QueryFragment` writes a hand-made SQL condition (a subquery diesel's
/// builder cannot nest on the two-backend connection) usable in `filter` on any table: a boolean
/// expression, valid in any FROM clause, never an aggregate.
macro_rules! sql_condition {
    ($type:ty) => {
        impl diesel::expression::Expression for $type {
            type SqlType = diesel::sql_types::Bool;
        }

        impl<QS> diesel::expression::AppearsOnTable<QS> for $type {}

        impl<QS> diesel::expression::SelectableExpression<QS> for $type {}

        impl diesel::expression::ValidGrouping<()> for $type {
            type IsAggregate = diesel::expression::is_aggregate::Never;
        }
    };
}
pub(crate) use sql_condition;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Key of the PostgreSQL advisory lock held while migrating, so that several instances starting at
/// once apply each migration exactly once.
const MIGRATION_LOCK_KEY: i64 = 0x5352_4547_4d49_4752;

/// A connection to whichever backend `DATABASE_URL` chose.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

/// Why the database could not be reached or prepared.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("cannot open SQLite database {path}: {reason}")]
    Sqlite {
        path: String,
        reason: diesel::ConnectionError,
    },
    #[error("cannot create directory {path} for the SQLite database: {reason}")]
    SqliteDirectory {
        path: String,
        reason: std::io::Error,
    },
    #[error("cannot connect to PostgreSQL at {url}: {reason}")]
    Postgres {
        url: String,
        reason: diesel::ConnectionError,
    },
    #[error("cannot configure the database connection: {0}")]
    Setup(#[from] diesel::result::Error),
    #[error("cannot apply migrations: {0}")]
    Migration(String),
    #[error("connection pool: {0}")]
    Pool(#[from] r2d2::PoolError),
}

/// Opens connections for the pool, choosing the backend from the parsed URL (never by trial).
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    url: DatabaseUrl,
}

impl ConnectionManager {
    pub fn new(url: DatabaseUrl) -> Self {
        Self { url }
    }
}

impl ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = ConnectError;

    fn connect(&self) -> Result<DbConnection, ConnectError> {
        match &self.url {
            DatabaseUrl::Sqlite(path) => {
                let shown = path.display().to_string();
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|reason| {
                        ConnectError::SqliteDirectory {
                            path: dir.display().to_string(),
                            reason,
                        }
                    })?;
                }
                let mut conn =
                    SqliteConnection::establish(&shown).map_err(|reason| ConnectError::Sqlite {
                        path: shown.clone(),
                        reason,
                    })?;
                // WAL lets readers run beside the one writer; FULL makes every commit durable
                // (writes are rare and batched, so the fsync costs little).
                conn.batch_execute(
                    "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
                     PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;",
                )?;
                Ok(DbConnection::Sqlite(conn))
            }
            DatabaseUrl::Postgres(raw) => PgConnection::establish(&with_connect_timeout(raw))
                .map(DbConnection::Postgres)
                .map_err(|reason| ConnectError::Postgres {
                    url: self.url.to_string(),
                    reason,
                }),
        }
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), ConnectError> {
        conn.ping().map_err(ConnectError::Setup)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        conn.is_broken()
    }
}

/// Adds a libpq connect timeout unless the URL sets one, so an unreachable server fails fast.
fn with_connect_timeout(raw: &str) -> String {
    if raw.contains("connect_timeout=") {
        raw.to_owned()
    } else if raw.contains('?') {
        format!("{raw}&connect_timeout=2")
    } else {
        format!("{raw}?connect_timeout=2")
    }
}

/// How long a request waits for a pooled connection before answering 503: long enough to ride out a
/// burst, short enough that an outage is reported before clients and probes give up.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(2);
/// How long one request's database work may take before its client is answered 503.
pub const WORK_TIMEOUT: Duration = Duration::from_secs(30);

/// The shared pool of connections, cheap to clone into every request.
#[derive(Clone)]
pub struct Database {
    pool: r2d2::Pool<ConnectionManager>,
    backend: &'static str,
}

impl Database {
    /// Connects once (so a bad URL or an unreachable server is reported with its real cause), then
    /// builds the pool.
    pub fn connect(url: &DatabaseUrl, max_connections: u32) -> Result<Self, ConnectError> {
        let manager = ConnectionManager::new(url.clone());
        drop(manager.connect()?);
        let pool = r2d2::Pool::builder()
            .max_size(max_connections)
            .min_idle(Some(1))
            .connection_timeout(ACQUIRE_TIMEOUT)
            .build(manager)?;
        Ok(Self {
            pool,
            backend: url.backend(),
        })
    }

    /// `sqlite` or `postgres`.
    pub fn backend(&self) -> &'static str {
        self.backend
    }

    /// Runs blocking database work on tokio's blocking threads, failing with
    /// [`DbError::PoolTimeout`] if no connection is free within `acquire` and
    /// [`DbError::WorkTimeout`] if the work outlives `total`. Work that outlives `total` goes on (a
    /// transaction commits or rolls back whole) but the caller stops waiting. Generic over the
    /// work's error so that the layer above keeps its own (see `store`'s `Database::run`).
    pub async fn blocking<T, E, F>(
        &self,
        acquire: Duration,
        total: Duration,
        work: F,
    ) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let pool = self.pool.clone();
        let task = tokio::task::spawn_blocking(move || {
            let mut conn = pool.get_timeout(acquire).map_err(DbError::from)?;
            work(&mut conn)
        });
        match tokio::time::timeout(total, task).await {
            Ok(joined) => joined.map_err(DbError::from)?,
            Err(_) => Err(DbError::WorkTimeout(total).into()),
        }
    }

    /// The pool's open and idle connections, and its size (for `/metrics`).
    pub fn pool_state(&self) -> (r2d2::State, u32) {
        (self.pool.state(), self.pool.max_size())
    }

    /// A connection for synchronous callers (the command line, start-up, export streams).
    pub fn connection(&self) -> Result<r2d2::PooledConnection<ConnectionManager>, DbError> {
        Ok(self.pool.get()?)
    }
}

/// Why database work failed, in the database's own terms; the store turns it into its errors.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// No pooled connection came free (or could be opened) in time.
    #[error("{0}")]
    PoolTimeout(String),
    /// The connection itself failed (the server went away, restarted or is shutting down): an
    /// outage to retry after, not a fault in the request.
    #[error("{0}")]
    ConnectionLost(String),
    /// The work took longer than its caller would wait.
    #[error("the database work took longer than {} s", .0.as_secs_f32())]
    WorkTimeout(Duration),
    /// The migration harness could not say which migrations are applied.
    #[error("{0}")]
    Migrations(String),
    /// A statement failed for a reason of its own (a constraint, a bad query).
    #[error(transparent)]
    Query(diesel::result::Error),
    /// The blocking task running the work panicked or was cancelled.
    #[error("{0}")]
    Task(String),
}

impl From<diesel::result::Error> for DbError {
    fn from(error: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match error {
            // A constraint's refusal is the query's fault, whatever its message says.
            Error::DatabaseError(
                DatabaseErrorKind::UniqueViolation | DatabaseErrorKind::ForeignKeyViolation,
                _,
            ) => Self::Query(error),
            Error::DatabaseError(DatabaseErrorKind::ClosedConnection, info) => {
                Self::ConnectionLost(info.message().to_owned())
            }
            Error::DatabaseError(_, ref info) if connection_lost(info.message()) => {
                Self::ConnectionLost(info.message().to_owned())
            }
            Error::BrokenTransactionManager => {
                Self::ConnectionLost("the connection broke inside a transaction".into())
            }
            other => Self::Query(other),
        }
    }
}

/// Whether a database error says the connection itself failed.
fn connection_lost(message: &str) -> bool {
    const SIGNS: [&str; 7] = [
        "server closed the connection",
        "terminating connection",
        "connection to server",
        "no connection to the server",
        "could not receive data from server",
        "could not send data to server",
        "the database system is shutting down",
    ];
    SIGNS.iter().any(|sign| message.contains(sign))
}

impl From<r2d2::PoolError> for DbError {
    fn from(error: r2d2::PoolError) -> Self {
        Self::PoolTimeout(error.to_string())
    }
}

impl From<tokio::task::JoinError> for DbError {
    fn from(error: tokio::task::JoinError) -> Self {
        Self::Task(error.to_string())
    }
}

/// Applies every pending migration and returns the versions applied.
pub fn run_migrations(conn: &mut DbConnection) -> Result<Vec<String>, ConnectError> {
    let applied = match conn {
        DbConnection::Sqlite(c) => c
            .run_pending_migrations(SQLITE_MIGRATIONS)
            .map(|vs| vs.iter().map(ToString::to_string).collect()),
        DbConnection::Postgres(c) => {
            c.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"))?;
            let result = c
                .run_pending_migrations(POSTGRES_MIGRATIONS)
                .map(|vs| vs.iter().map(ToString::to_string).collect());
            c.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})"))?;
            result
        }
    };
    applied.map_err(|e| ConnectError::Migration(e.to_string()))
}

/// Reverts every applied migration, newest first (used by `migrate --revert-all` and the tests).
pub fn revert_all_migrations(conn: &mut DbConnection) -> Result<Vec<String>, ConnectError> {
    let reverted = match conn {
        DbConnection::Sqlite(c) => c.revert_all_migrations(SQLITE_MIGRATIONS),
        DbConnection::Postgres(c) => c.revert_all_migrations(POSTGRES_MIGRATIONS),
    };
    reverted
        .map(|vs| vs.iter().map(ToString::to_string).collect())
        .map_err(|e| ConnectError::Migration(e.to_string()))
}

/// True when every embedded migration has been applied.
pub fn migrations_current(conn: &mut DbConnection) -> Result<bool, DbError> {
    let pending = match conn {
        DbConnection::Sqlite(c) => c.has_pending_migration(SQLITE_MIGRATIONS),
        DbConnection::Postgres(c) => c.has_pending_migration(POSTGRES_MIGRATIONS),
    };
    pending
        .map(|p| !p)
        .map_err(|e| DbError::Migrations(e.to_string()))
}
