//! Whether the database can be written. A SQLite file or directory that cannot be written stops
//! every command at start with its path, before anything is created (rather than a registry that
//! answers reads and fails every write), and `/readyz` asks the database itself on both backends.

use std::fs::OpenOptions;
use std::io;
use std::path::{Path, PathBuf};

use diesel::connection::SimpleConnection;
use diesel::sql_types::{BigInt, Bool};
use diesel::RunQueryDsl;

use crate::db::DbConnection;
use crate::store::StoreError;

/// A SQLite database path this process cannot write.
#[derive(Debug, thiserror::Error)]
#[error("the SQLite database {what} {} cannot be written: {reason}", path.display())]
pub struct NotWritable {
    what: &'static str,
    path: PathBuf,
    reason: io::Error,
}

/// Checks, creating nothing that stays, that the SQLite database at `path` can be written: the
/// file and its WAL and shared-memory companions where they exist, and the directory that holds
/// them (SQLite creates those companions there), or the nearest existing ancestor where the
/// directory is still to be made.
pub fn check_sqlite_path(path: &Path) -> Result<(), NotWritable> {
    let with_suffix = |suffix: &str| {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    };
    for file in [path.to_owned(), with_suffix("-wal"), with_suffix("-shm")] {
        let refused = |reason| NotWritable {
            what: "file",
            path: file.clone(),
            reason,
        };
        match std::fs::metadata(&file) {
            Ok(meta) if meta.is_dir() => {
                return Err(refused(io::Error::other("it is a directory")))
            }
            Ok(_) => drop(
                OpenOptions::new()
                    .write(true)
                    .open(&file)
                    .map_err(refused)?,
            ),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(refused(e)),
        }
    }
    let parent = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let dir = parent
        .ancestors()
        .find(|dir| dir.exists())
        .unwrap_or(Path::new("."));
    let refused = |reason| NotWritable {
        what: "directory",
        path: dir.to_owned(),
        reason,
    };
    if !dir.is_dir() {
        return Err(refused(io::Error::other("it is not a directory")));
    }
    // Only creating a file tells (root ignores permission bits; a read-only mount refuses all).
    let probe = dir.join(format!(".registry-write-check-{}", std::process::id()));
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
        .map_err(refused)?;
    std::fs::remove_file(&probe).map_err(refused)
}

/// Whether the migrated database accepts writes, asked without writing and without waiting on
/// anyone:
/// - SQLite: an update of the write sequence that matches no row, rolled back, with no busy wait.
///   It opens a write transaction (refused on a connection that opened the file read-only; the
///   lock alone is granted even there) and changes no page, so nothing reaches the disk. A lock
///   held by another writer answers "busy", which means writes work: ready.
/// - PostgreSQL: one query, no lock: whether new transactions are read-only (a standby, or
///   `default_transaction_read_only`) and whether this role may update the write sequence every
///   write bumps first.
pub fn check_database(conn: &mut DbConnection) -> Result<(), StoreError> {
    match conn {
        DbConnection::Sqlite(c) => {
            let busy_timeout: i64 = diesel::select(diesel::dsl::sql::<BigInt>(
                "(SELECT timeout FROM pragma_busy_timeout)",
            ))
            .get_result(c)?;
            c.batch_execute("PRAGMA busy_timeout = 0")?;
            let probe = match c.batch_execute("BEGIN IMMEDIATE") {
                Ok(()) => {
                    let update = c.batch_execute("UPDATE write_sequence SET value = value WHERE 0");
                    c.batch_execute("ROLLBACK")?;
                    update
                }
                busy => busy,
            };
            c.batch_execute(&format!("PRAGMA busy_timeout = {busy_timeout}"))?;
            match probe {
                Ok(()) => Ok(()),
                Err(e) if e.to_string().contains("database is locked") => Ok(()),
                Err(e) => Err(StoreError::Unavailable(format!(
                    "the SQLite database accepts no writes: {e}"
                ))),
            }
        }
        DbConnection::Postgres(c) => {
            let writable: bool = diesel::select(diesel::dsl::sql::<Bool>(
                "current_setting('transaction_read_only') = 'off' \
                 AND has_table_privilege('write_sequence', 'UPDATE')",
            ))
            .get_result(c)?;
            if writable {
                Ok(())
            } else {
                Err(StoreError::Unavailable(
                    "the PostgreSQL database accepts no writes (read-only transactions, a standby, \
                     or no UPDATE privilege on write_sequence)"
                        .into(),
                ))
            }
        }
    }
}
