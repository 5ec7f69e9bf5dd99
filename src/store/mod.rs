//! The data layer: plain functions over a database connection. It knows nothing of HTTP.

pub mod accounts;
pub mod audit;
pub mod campaigns;
pub mod deployments;
pub mod foi_requests;
pub mod forces;
pub mod impact_assessments;
pub mod overviews;
pub mod reference;
pub mod revisions;
pub mod search;
pub mod sources;
pub mod stats;
pub mod tools;

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};
use diesel::prelude::*;

use crate::db::schema::write_sequence;
use crate::db::DbConnection;

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

impl From<diesel::result::Error> for StoreError {
    fn from(error: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match error {
            // The database's own wording names tables and columns: keep it in the logs.
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                tracing::info!(
                    constraint = info.message(),
                    "unique constraint refused a write"
                );
                Self::Conflict("Another record already holds one of these unique values.".into())
            }
            // Stores check citations before deleting, naming what cites a record; this is the
            // database's own guard behind them.
            Error::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, info) => {
                tracing::info!(constraint = info.message(), "foreign key refused a write");
                Self::Conflict(
                    "Other records refer to this one; change or remove them first.".into(),
                )
            }
            Error::DatabaseError(DatabaseErrorKind::ClosedConnection, info) => {
                Self::Unavailable(info.message().to_owned())
            }
            Error::DatabaseError(_, ref info) if connection_lost(info.message()) => {
                Self::Unavailable(info.message().to_owned())
            }
            Error::BrokenTransactionManager => {
                Self::Unavailable("the connection broke inside a transaction".into())
            }
            other => Self::Database(other),
        }
    }
}

/// Whether a database error says the connection itself failed (the server went away, restarted or
/// is shutting down), which is an outage to retry after, not a fault in the request.
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

impl From<diesel::r2d2::PoolError> for StoreError {
    fn from(error: diesel::r2d2::PoolError) -> Self {
        Self::Unavailable(error.to_string())
    }
}

impl From<tokio::task::JoinError> for StoreError {
    fn from(error: tokio::task::JoinError) -> Self {
        Self::Task(error.to_string())
    }
}

/// What a writer's `If-Match` said. Stores check it only once the entity is known to exist, so a
/// missing entity is a 404 whatever the header (RFC 9110, section 13.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precondition {
    /// No `If-Match`, or `*`: a writer must say which version their change is based on.
    Missing,
    /// An entity tag that names no revision of ours.
    Unknown,
    /// `"r<n>"`: the revision the writer read.
    Revision(i64),
}

/// The write precondition: `PreconditionRequired` without one, `Stale` unless the entity is still
/// at the revision the writer read.
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

/// How far the registry has been written: changes whenever any write commits, on any instance.
pub fn write_marker(conn: &mut DbConnection) -> Result<i64, StoreError> {
    Ok(write_sequence::table
        .select(write_sequence::value)
        .first(conn)?)
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
