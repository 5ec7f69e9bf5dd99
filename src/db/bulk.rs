//! Multi-row `INSERT`s for bulk writes (imports): one statement per batch of rows instead of one
//! per row. Diesel's batch inserts do not work over `MultiConnection`, so the SQL is built here
//! with each backend's placeholders and the values are bound one by one.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::BoxedSqlQuery;
use diesel::sql_types::{BigInt, Bool, Date, Nullable, Text, Timestamp};
use diesel::sqlite::Sqlite;

use super::DbConnection;

/// One value of one column.
#[derive(Debug, Clone)]
pub enum Value {
    Text(String),
    OptText(Option<String>),
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
    rows: Vec<Vec<Value>>,
) -> QueryResult<()> {
    let per_statement = (MAX_BINDS / columns.len()).max(1);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<Value>> = rows.by_ref().take(per_statement).collect();
        debug_assert!(chunk.iter().all(|row| row.len() == columns.len()));
        let count = chunk.len();
        let values = chunk.into_iter().flatten();
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

#[cfg(test)]
mod tests {
    use super::statement;

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
