//! `backup` and `restore`. SQLite: `VACUUM INTO`, a consistent snapshot taken in one read
//! transaction, so the server keeps serving and writing meanwhile (WAL readers block no writer).
//! PostgreSQL: `pg_dump` and `pg_restore` in their custom format, run with the password in their
//! environment rather than on a command line other users can read.
//! A backup is written under a temporary name, synced and renamed, so a file with the final name is
//! always complete; a restore never replaces a database holding tables unless asked to.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context};
use diesel::connection::SimpleConnection;
use diesel::sql_types::{BigInt, Text};
use diesel::{Connection, PgConnection, RunQueryDsl, SqliteConnection};

use crate::db::DatabaseUrl;

/// How every SQLite file begins, and every dump in `pg_dump`'s custom format.
const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";
const PG_DUMP_MAGIC: &[u8] = b"PGDMP";

/// Writes a consistent copy of the database to `file`, which must not exist yet.
pub fn backup(url: &DatabaseUrl, file: &Path) -> anyhow::Result<()> {
    if file.exists() {
        bail!(
            "{} exists: a backup never replaces a file; choose another name",
            file.display()
        );
    }
    let partial = with_suffix(file, ".partial");
    // A leftover of an interrupted backup is ours to replace.
    let _ = std::fs::remove_file(&partial);
    match url {
        DatabaseUrl::Sqlite(path) => {
            if !path.is_file() {
                bail!("there is no SQLite database at {}", path.display());
            }
            let mut conn = open_sqlite(&path.display().to_string())?;
            conn.batch_execute(&format!("VACUUM INTO {}", quoted(&partial)))
                .with_context(|| format!("cannot back up {url} to {}", partial.display()))?;
        }
        DatabaseUrl::Postgres(raw) => {
            let mut command = pg_tool("pg_dump", raw)?;
            command
                .args(["--format=custom", "--no-owner", "--no-privileges", "--file"])
                .arg(&partial);
            run(command)?;
        }
    }
    settle(&partial, file)?;
    println!(
        "backed up {url} to {} ({} bytes)",
        file.display(),
        std::fs::metadata(file)?.len()
    );
    Ok(())
}

/// Replaces the database with the backup in `file`: refused when the database holds any table
/// unless `force`, and on SQLite while another process has the database open.
pub fn restore(url: &DatabaseUrl, file: &Path, force: bool) -> anyhow::Result<()> {
    let mut magic = [0u8; 16];
    let read = std::io::Read::read(
        &mut File::open(file).with_context(|| format!("cannot read {}", file.display()))?,
        &mut magic,
    )?;
    let magic = &magic[..read];
    let replace_hint = "pass --force to replace it";
    match url {
        DatabaseUrl::Sqlite(path) => {
            if !magic.starts_with(SQLITE_MAGIC) {
                bail!("{} is not a SQLite backup made by `backup`", file.display());
            }
            crate::writable::check_sqlite_path(path)?;
            if path.exists() {
                let mut target = open_sqlite(&path.display().to_string())?;
                let tables = diesel::sql_query(
                    "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'",
                )
                .get_result::<Count>(&mut target)?
                .n;
                if tables > 0 && !force {
                    bail!("{url} holds {tables} tables; {replace_hint}");
                }
                // Leaving WAL needs every other connection gone: a running server refuses it.
                target.batch_execute("PRAGMA busy_timeout = 0")?;
                let mode = diesel::sql_query("PRAGMA journal_mode = DELETE")
                    .get_result::<JournalMode>(&mut target)
                    .map(|m| m.journal_mode);
                if !matches!(mode.as_deref(), Ok("delete")) {
                    bail!("{url} is in use by another process (a server?): stop it first");
                }
            }
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)?;
            }
            let restoring = with_suffix(path, ".restoring");
            let _ = std::fs::remove_file(&restoring);
            // Read-only, so a backup on read-only media restores and is never changed.
            let mut source = open_sqlite(&format!("file:{}?mode=ro", uri_path(file)))?;
            let check: Vec<QuickCheck> =
                diesel::sql_query("PRAGMA quick_check").load(&mut source)?;
            if check.len() != 1 || check[0].quick_check != "ok" {
                bail!("{} is damaged: PRAGMA quick_check failed", file.display());
            }
            source
                .batch_execute(&format!("VACUUM INTO {}", quoted(&restoring)))
                .with_context(|| format!("cannot copy {} into place", file.display()))?;
            settle(&restoring, path)?;
        }
        DatabaseUrl::Postgres(raw) => {
            if !magic.starts_with(PG_DUMP_MAGIC) {
                bail!(
                    "{} is not a PostgreSQL backup made by `backup` (pg_dump's custom format)",
                    file.display()
                );
            }
            let mut target = PgConnection::establish(raw)
                .map_err(|e| anyhow::anyhow!("cannot connect to PostgreSQL at {url}: {e}"))?;
            let tables = diesel::sql_query(
                "SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'public'",
            )
            .get_result::<Count>(&mut target)?
            .n;
            if tables > 0 && !force {
                bail!("{url} holds {tables} tables; {replace_hint}");
            }
            let mut command = pg_tool("pg_restore", raw)?;
            command.args([
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
            ]);
            if tables > 0 {
                command.args(["--clean", "--if-exists"]);
            }
            command.arg(file);
            run(command)?;
        }
    }
    println!("restored {} into {url}", file.display());
    Ok(())
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(diesel::QueryableByName)]
struct JournalMode {
    #[diesel(sql_type = Text)]
    journal_mode: String,
}

#[derive(diesel::QueryableByName)]
struct QuickCheck {
    #[diesel(sql_type = Text)]
    quick_check: String,
}

fn open_sqlite(target: &str) -> anyhow::Result<SqliteConnection> {
    let mut conn = SqliteConnection::establish(target)
        .map_err(|e| anyhow::anyhow!("cannot open SQLite database {target}: {e}"))?;
    conn.batch_execute("PRAGMA busy_timeout = 10000")?;
    Ok(conn)
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// A path as an SQL string literal.
fn quoted(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', "''"))
}

/// A path as the path of a `file:` URI (the characters a URI gives a meaning escaped).
fn uri_path(path: &Path) -> String {
    path.display()
        .to_string()
        .replace('%', "%25")
        .replace('?', "%3f")
        .replace('#', "%23")
}

/// Makes `partial` durable and gives it its final name.
fn settle(partial: &Path, file: &Path) -> anyhow::Result<()> {
    File::open(partial)?.sync_all()?;
    std::fs::rename(partial, file)
        .with_context(|| format!("cannot rename {} to {}", partial.display(), file.display()))?;
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        File::open(dir)?.sync_all()?;
    }
    Ok(())
}

/// A PostgreSQL client tool for the database of `raw`, with the password moved into `PGPASSWORD`.
fn pg_tool(tool: &str, raw: &str) -> anyhow::Result<Command> {
    let mut parsed = url::Url::parse(raw)?;
    let mut command = Command::new(tool);
    if let Some(password) = parsed.password() {
        let password = percent_encoding::percent_decode_str(password)
            .decode_utf8()?
            .into_owned();
        command.env("PGPASSWORD", password);
        let _ = parsed.set_password(None);
    }
    command.arg(format!("--dbname={parsed}"));
    Ok(command)
}

fn run(mut command: Command) -> anyhow::Result<()> {
    let tool = command.get_program().to_string_lossy().into_owned();
    let output = command.output().map_err(|e| {
        anyhow::anyhow!(
            "cannot run {tool} ({e}): install PostgreSQL's client tools, of the server's major \
             version or newer"
        )
    })?;
    if !output.status.success() {
        bail!(
            "{tool} failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}
