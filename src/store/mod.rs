//! The data layer: plain functions over a database connection. It knows nothing of HTTP.

pub mod accounts;
pub mod audit;
pub mod campaigns;
pub mod compare;
pub mod deployments;
pub mod diff;
pub mod evidence;
pub mod facet;
pub mod foi_requests;
pub mod forces;
pub mod impact_assessments;
pub mod markers;
pub mod overviews;
pub mod reference;
pub mod restore;
pub mod revisions;
pub mod search;
pub mod sources;
pub mod stats;
pub mod tools;

use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};
use diesel::prelude::*;
use diesel::r2d2::PooledConnection;

use crate::db::schema::write_sequence;
use crate::db::{
    ConnectionManager, Database, DbConnection, DbError, ACQUIRE_TIMEOUT, WORK_TIMEOUT,
};

/// Why a data-layer call failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{entity} `{key}` does not exist")]
    NotFound { entity: &'static str, key: String },
    #[error("{0}")]
    Conflict(String),
    /// The input refers to something that does not exist or breaks a rule of the data.
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    /// The writer may not change the records of this force (force staff write only their own).
    #[error("the writer may not change the records of force `{0}`")]
    Forbidden(String),
    /// The writer did not say which revision their change is based on.
    #[error("a change must name the revision it is based on")]
    RevisionRequired,
    /// The entity changed since the writer read it (revision `current` is now stored).
    #[error("{entity} `{key}` is at revision {current}; re-read it and apply your change again")]
    Stale {
        entity: &'static str,
        key: String,
        current: i64,
    },
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("stored {column} holds an unexpected value: {value}")]
    Corrupt { column: &'static str, value: String },
    #[error(transparent)]
    Database(diesel::result::Error),
    /// The blocking task running the query panicked or was cancelled.
    #[error("database task failed: {0}")]
    Task(String),
}

impl From<DbError> for StoreError {
    fn from(error: DbError) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match error {
            // The database's own wording names tables and columns: keep it in the logs.
            DbError::Query(Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info)) => {
                tracing::info!(
                    constraint = info.message(),
                    "unique constraint refused a write"
                );
                Self::Conflict("Another record already holds one of these unique values.".into())
            }
            // Stores check citations before deleting, naming what cites a record; this is the
            // database's own guard behind them.
            DbError::Query(Error::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, info)) => {
                tracing::info!(constraint = info.message(), "foreign key refused a write");
                Self::Conflict(
                    "Other records refer to this one; change or remove them first.".into(),
                )
            }
            DbError::Query(other) => Self::Database(other),
            DbError::Task(message) => Self::Task(message),
            outage @ (DbError::PoolTimeout(_)
            | DbError::ConnectionLost(_)
            | DbError::WorkTimeout(_)
            | DbError::Migrations(_)) => Self::Unavailable(outage.to_string()),
        }
    }
}

impl From<diesel::result::Error> for StoreError {
    fn from(error: diesel::result::Error) -> Self {
        DbError::from(error).into()
    }
}

/// The store's doors to the pool: database work whose failures are [`StoreError`]s, answered
/// `Unavailable` when no connection is free within [`ACQUIRE_TIMEOUT`] or the work outlives
/// [`WORK_TIMEOUT`].
impl Database {
    pub async fn run<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        self.blocking(ACQUIRE_TIMEOUT, WORK_TIMEOUT, work).await
    }

    /// [`Self::run`] with its own limits: readiness probes must answer within their own timeout,
    /// outage or not, and imports may take longer than a request's usual work.
    pub async fn run_limited<T, F>(
        &self,
        acquire: Duration,
        total: Duration,
        work: F,
    ) -> Result<T, StoreError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        self.blocking(acquire, total, work).await
    }

    /// A connection for synchronous callers (the command line, start-up, export streams).
    pub fn get(&self) -> Result<PooledConnection<ConnectionManager>, StoreError> {
        Ok(self.connection()?)
    }
}

/// Which revision a writer says their change is based on. Stores check it only once the entity is
/// known to exist, so a missing entity is reported as missing whatever the writer said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precondition {
    /// The writer named no revision (or any revision): they must say which one they read.
    Missing,
    /// The writer named something that is no revision of ours.
    Unknown,
    /// The revision the writer read.
    Revision(i64),
}

/// The write precondition: `RevisionRequired` without one, `Stale` unless the entity is still at
/// the revision the writer read.
pub(crate) fn expect_revision(
    entity: &'static str,
    key: &str,
    current: i64,
    expected: Precondition,
) -> Result<(), StoreError> {
    match expected {
        Precondition::Revision(read) if read == current => Ok(()),
        Precondition::Missing => Err(StoreError::RevisionRequired),
        Precondition::Revision(_) | Precondition::Unknown => Err(StoreError::Stale {
            entity,
            key: key.to_owned(),
            current,
        }),
    }
}

/// Parses a stored vocabulary value, reporting the column if the database holds something unknown.
pub(crate) fn parse_column<T: std::str::FromStr>(
    column: &'static str,
    value: &str,
) -> Result<T, StoreError> {
    value.parse().map_err(|_| StoreError::Corrupt {
        column,
        value: value.to_owned(),
    })
}

/// Decodes a JSON list stored in a text column.
pub(crate) fn parse_json_list(
    column: &'static str,
    value: &str,
) -> Result<Vec<String>, StoreError> {
    serde_json::from_str(value).map_err(|_| StoreError::Corrupt {
        column,
        value: value.to_owned(),
    })
}

/// A new time-ordered identifier (UUID v7), so ids sort by creation.
pub(crate) fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// The current time as stored: UTC, truncated to the microsecond both backends keep.
pub(crate) fn now() -> NaiveDateTime {
    Utc::now().naive_utc().trunc_subsecs(6)
}

/// A stored timestamp as sent in the API.
pub(crate) fn utc(at: NaiveDateTime) -> DateTime<Utc> {
    at.and_utc()
}

/// Runs `work` as one write transaction. It first bumps the write sequence, which takes SQLite's
/// write lock up front and serialises writers on PostgreSQL (see the migration's comment).
pub fn write_transaction<T, F>(conn: &mut DbConnection, work: F) -> Result<T, StoreError>
where
    F: FnOnce(&mut DbConnection) -> Result<T, StoreError>,
{
    conn.transaction(|conn| {
        diesel::update(write_sequence::table)
            .set(write_sequence::value.eq(write_sequence::value + 1))
            .execute(conn)?;
        work(conn)
    })
}

/// One page of a keyset-paginated list.
#[derive(Debug)]
pub struct Page<T, K> {
    pub items: Vec<T>,
    /// The key to continue after, when more items follow.
    pub next_after: Option<K>,
    /// The number of items matching the filters, when asked for.
    pub total: Option<i64>,
}

impl<T, K> Page<T, K> {
    /// The same page with each item turned into `U`.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U, K> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_after: self.next_after,
            total: self.total,
        }
    }

    /// Builds a page from up to `limit + 1` fetched items: the extra one only says more exist.
    pub(crate) fn from_overfetch(mut items: Vec<T>, limit: usize, key: impl Fn(&T) -> K) -> Self {
        let more = items.len() > limit;
        items.truncate(limit);
        let next_after = if more { items.last().map(key) } else { None };
        Self {
            items,
            next_after,
            total: None,
        }
    }
}

/// What a list call asks for: how many, after which key, and whether to count all matches.
#[derive(Debug, Clone)]
pub struct PageRequest<K> {
    pub limit: usize,
    pub after: Option<K>,
    pub count: bool,
}

impl<K> PageRequest<K> {
    /// Every row, in one page (for small reference tables such as forces and tools).
    pub fn everything() -> Self {
        Self {
            limit: i32::MAX as usize,
            after: None,
            count: false,
        }
    }
}
