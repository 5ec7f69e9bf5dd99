//! Bulk writes (imports). Multi-row `INSERT`s: one statement per batch of rows instead of one per
//! row (diesel's batch inserts do not work over `MultiConnection`, so the SQL is built here with
//! each backend's placeholders and the values are bound one by one). And, on SQLite, loading a
//! table that at least doubles with its secondary indexes dropped and rebuilt afterwards: building
//! an index from sorted keys is several times cheaper than as many random insertions into it.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::connection::SimpleConnection;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::BoxedSqlQuery;
use diesel::sql_types::{BigInt, Bool, Date, Nullable, Text, Timestamp};
use diesel::sqlite::Sqlite;

use super::DbConnection;

/// One value of one column, borrowed from the records being written (a bulk write's cost is
/// mostly allocation otherwise).
#[derive(Debug, Clone, Copy)]
pub enum Value<'a> {
    Text(&'a str),
    OptText(Option<&'a str>),
    OptDate(Option<NaiveDate>),
    Bool(bool),
    Int(i64),
    Time(NaiveDateTime),
}

/// The most values bound in one statement (SQLite allows 32,766; PostgreSQL 65,535).
const MAX_BINDS: usize = 30_000;

macro_rules! bind_all {
    ($query:expr, $values:expr) => {{
        let mut query = $query;
        for value in $values {
            query = match value {
                Value::Text(v) => query.bind::<Text, _>(v),
                Value::OptText(v) => query.bind::<Nullable<Text>, _>(v),
                Value::OptDate(v) => query.bind::<Nullable<Date>, _>(v),
                Value::Bool(v) => query.bind::<Bool, _>(v),
                Value::Int(v) => query.bind::<BigInt, _>(v),
                Value::Time(v) => query.bind::<Timestamp, _>(v),
            };
        }
        query
    }};
}

fn statement(table: &str, columns: &[&str], rows: usize, numbered: bool) -> String {
    let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
    let mut n = 0;
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for column in 0..columns.len() {
            if column > 0 {
                sql.push_str(", ");
            }
            n += 1;
            if numbered {
                sql.push_str(&format!("${n}"));
            } else {
                sql.push('?');
            }
        }
        sql.push(')');
    }
    sql
}

/// Inserts `rows` (each as many values as `columns`, in order) into `table`, as few statements as
/// the backend's limit on bound values allows. `table` and `columns` are trusted names.
pub fn insert_rows(
    conn: &mut DbConnection,
    table: &str,
    columns: &[&str],
    rows: &[Vec<Value<'_>>],
) -> QueryResult<()> {
    let per_statement = (MAX_BINDS / columns.len()).max(1);
    for chunk in rows.chunks(per_statement) {
        debug_assert!(chunk.iter().all(|row| row.len() == columns.len()));
        let count = chunk.len();
        let values = chunk.iter().flatten().copied();
        match conn {
            DbConnection::Sqlite(c) => {
                let sql = statement(table, columns, count, false);
                let query: BoxedSqlQuery<'_, Sqlite, _> = diesel::sql_query(sql).into_boxed();
                bind_all!(query, values).execute(c)?;
            }
            DbConnection::Postgres(c) => {
                let sql = statement(table, columns, count, true);
                let query: BoxedSqlQuery<'_, Pg, _> = diesel::sql_query(sql).into_boxed();
                bind_all!(query, values).execute(c)?;
            }
        }
    }
    Ok(())
}

/// A secondary index as SQLite stores it: its name and the statement that creates it.
#[derive(QueryableByName)]
struct IndexDefinition {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    sql: String,
}

/// A table about to receive `adding` rows.
pub struct Growth<'a> {
    pub table: &'a str,
    pub adding: usize,
}

/// Runs `load` and returns what it returns. On SQLite, the secondary indexes of each table in
/// `growth` that `load` will at least double are dropped first and created again after it, in the
/// caller's transaction, so readers never see them missing. Indexes that enforce a constraint
/// (primary keys, `UNIQUE`) stay. On PostgreSQL `load` simply runs: dropping an index there takes a
/// lock that would stall every reader of the table until the import commits.
pub fn with_indexes_rebuilt<T, E: From<diesel::result::Error>>(
    conn: &mut DbConnection,
    growth: &[Growth<'_>],
    load: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E> {
    let DbConnection::Sqlite(sqlite) = conn else {
        return load(conn);
    };
    let mut dropped = Vec::new();
    for Growth { table, adding } in growth {
        // `max(rowid)` is at least the number of rows, found without counting them.
        let held: Option<i64> = diesel::select(diesel::dsl::sql::<Nullable<BigInt>>(&format!(
            "(SELECT max(rowid) FROM {table})"
        )))
        .get_result(sqlite)?;
        if i64::try_from(*adding).unwrap_or(i64::MAX) < held.unwrap_or(0) {
            continue;
        }
        let indexes: Vec<IndexDefinition> = diesel::sql_query(
            "SELECT name, sql FROM sqlite_master \
             WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
        )
        .bind::<Text, _>(*table)
        .load(sqlite)?;
        for index in indexes {
            sqlite.batch_execute(&format!("DROP INDEX \"{}\"", index.name))?;
            dropped.push(index.sql);
        }
    }
    let loaded = load(conn)?;
    if let DbConnection::Sqlite(sqlite) = conn {
        for sql in dropped {
            sqlite.batch_execute(&sql)?;
        }
    }
    Ok(loaded)
}

#[cfg(test)]
mod tests {
    use diesel::connection::SimpleConnection;
    use diesel::prelude::*;
    use diesel::sql_types::{BigInt, Text};

    use super::{statement, with_indexes_rebuilt, Growth};
    use crate::db::DbConnection;

    fn index_names(conn: &mut DbConnection) -> Vec<String> {
        #[derive(QueryableByName)]
        struct Name {
            #[diesel(sql_type = Text)]
            name: String,
        }
        diesel::sql_query("SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name")
            .load::<Name>(conn)
            .unwrap()
            .into_iter()
            .map(|n| n.name)
            .collect()
    }

    /// A table with one row, a unique constraint and two secondary indexes.
    fn table() -> DbConnection {
        let mut conn = DbConnection::Sqlite(SqliteConnection::establish(":memory:").unwrap());
        conn.batch_execute(
            "CREATE TABLE t (id TEXT PRIMARY KEY, a TEXT, b BIGINT);
             CREATE INDEX t_a ON t (a);
             CREATE INDEX t_b_a ON t (b DESC, a);
             INSERT INTO t VALUES ('x', 'x', 1);",
        )
        .unwrap();
        conn
    }

    #[test]
    fn a_table_that_at_least_doubles_is_loaded_without_its_secondary_indexes() {
        let mut conn = table();
        let before = index_names(&mut conn);
        let growth = [Growth {
            table: "t",
            adding: 1,
        }];
        let during = with_indexes_rebuilt(&mut conn, &growth, |conn| {
            conn.batch_execute("INSERT INTO t VALUES ('y', 'y', 2)")?;
            Ok::<_, diesel::result::Error>(index_names(conn))
        })
        .unwrap();
        assert_eq!(during, ["sqlite_autoindex_t_1"]);
        assert_eq!(index_names(&mut conn), before);
        let by_b: i64 = diesel::select(diesel::dsl::sql::<BigInt>(
            "(SELECT b FROM t INDEXED BY t_b_a ORDER BY b DESC LIMIT 1)",
        ))
        .get_result(&mut conn)
        .unwrap();
        assert_eq!(by_b, 2, "the rebuilt index holds the loaded row");
    }

    #[test]
    fn a_small_addition_keeps_the_indexes() {
        let mut conn = table();
        conn.batch_execute("INSERT INTO t VALUES ('y', 'y', 2)")
            .unwrap();
        let before = index_names(&mut conn);
        let growth = [Growth {
            table: "t",
            adding: 1,
        }];
        let during = with_indexes_rebuilt(&mut conn, &growth, |conn| {
            Ok::<_, diesel::result::Error>(index_names(conn))
        })
        .unwrap();
        assert_eq!(during, before);
    }

    #[test]
    fn placeholders_follow_each_backend() {
        assert_eq!(
            statement("t", &["a", "b"], 2, false),
            "INSERT INTO t (a, b) VALUES (?, ?), (?, ?)"
        );
        assert_eq!(
            statement("t", &["a", "b"], 2, true),
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)"
        );
    }
}
