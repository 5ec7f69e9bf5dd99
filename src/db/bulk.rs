//! Bulk writes (imports, the demo seeder). One statement per batch of rows instead of one per row
//! (diesel's batch inserts do not work over `MultiConnection`, so each statement is a query
//! fragment of its own, run on the backend's connection): multi-row `INSERT`s on SQLite, column
//! arrays through `unnest` on PostgreSQL. And, on SQLite, loading a table that grows by half or
//! more with its secondary indexes dropped and rebuilt afterwards: building an index from sorted
//! keys is several times cheaper than as many random insertions into it.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::connection::SimpleConnection;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::{BigInt, Bool, Date, Nullable, Text, Timestamp};
use diesel::sqlite::Sqlite;

use super::DbConnection;

/// One value of one column, borrowed from the records being written (a bulk write's cost is
/// mostly allocation otherwise).
#[derive(Debug, Clone, Copy)]
pub enum Value<'a> {
    Text(&'a str),
    OptText(Option<&'a str>),
    Date(NaiveDate),
    OptDate(Option<NaiveDate>),
    Bool(bool),
    Int(i64),
    OptInt(Option<i64>),
    Time(StoredTime),
}

/// A moment to store: on PostgreSQL a `NaiveDateTime`; on SQLite (where it is text, `%F %T%.f`)
/// written digit by digit instead of through chrono's format-string interpreter, which cost more
/// than the insert it served.
#[derive(Debug, Clone, Copy)]
pub struct StoredTime(pub NaiveDateTime);

impl StoredTime {
    /// The text chrono's `%F %T%.f` gives, for years 0 to 9999 (others go through chrono).
    fn sqlite_text(self) -> String {
        use chrono::{Datelike, Timelike};
        let (date, time) = (self.0.date(), self.0.time());
        if !(0..=9999).contains(&date.year()) {
            return self.0.format("%F %T%.f").to_string();
        }
        let mut text = String::with_capacity(29);
        let mut digits = |value: u32, width: u32, before: Option<char>| {
            text.extend(before);
            for place in (0..width).rev() {
                let digit = value / 10u32.pow(place) % 10;
                text.push(char::from_digit(digit, 10).expect("a decimal digit"));
            }
        };
        // A leap second is second 59 with a nanosecond count past 999,999,999; chrono shows 60.
        let (second, nano) = (
            time.second() + time.nanosecond() / 1_000_000_000,
            time.nanosecond() % 1_000_000_000,
        );
        digits(date.year().unsigned_abs(), 4, None);
        digits(date.month(), 2, Some('-'));
        digits(date.day(), 2, Some('-'));
        digits(time.hour(), 2, Some(' '));
        digits(time.minute(), 2, Some(':'));
        digits(second, 2, Some(':'));
        if nano != 0 {
            let (fraction, width) = if nano % 1_000_000 == 0 {
                (nano / 1_000_000, 3)
            } else if nano % 1_000 == 0 {
                (nano / 1_000, 6)
            } else {
                (nano, 9)
            };
            digits(fraction, width, Some('.'));
        }
        text
    }
}

impl ToSql<Timestamp, Sqlite> for StoredTime {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        out.set_value(self.sqlite_text());
        Ok(IsNull::No)
    }
}

/// The most values bound in one statement (SQLite allows 32,766; PostgreSQL 65,535).
const MAX_BINDS: usize = 30_000;

/// Rows per statement: enough that per-statement costs vanish, few enough that a kept statement
/// stays small (a few hundred kilobytes) and that batches of a thousand split into full statements.
const ROWS_PER_STATEMENT: usize = 250;

/// One multi-row `INSERT` statement on SQLite.
struct MultiRowInsert<'a> {
    table: &'a str,
    columns: &'a [&'a str],
    rows: &'a [Vec<Value<'a>>],
    /// Keep the prepared statement for the next statement of the same shape.
    keep_prepared: bool,
}

impl QueryId for MultiRowInsert<'_> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl QueryFragment<Sqlite> for MultiRowInsert<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        if !self.keep_prepared {
            out.unsafe_to_cache_prepared();
        }
        out.push_sql(&format!(
            "INSERT INTO {} ({}) VALUES ",
            self.table,
            self.columns.join(", ")
        ));
        for (n, row) in self.rows.iter().enumerate() {
            out.push_sql(if n == 0 { "(" } else { ", (" });
            for (n, value) in row.iter().enumerate() {
                if n > 0 {
                    out.push_sql(", ");
                }
                match value {
                    Value::Text(v) => out.push_bind_param::<Text, str>(v)?,
                    Value::OptText(v) => out.push_bind_param::<Nullable<Text>, _>(v)?,
                    Value::Date(v) => out.push_bind_param::<Date, _>(v)?,
                    Value::OptDate(v) => out.push_bind_param::<Nullable<Date>, _>(v)?,
                    Value::Bool(v) => out.push_bind_param::<Bool, _>(v)?,
                    Value::Int(v) => out.push_bind_param::<BigInt, _>(v)?,
                    Value::OptInt(v) => out.push_bind_param::<Nullable<BigInt>, _>(v)?,
                    Value::Time(v) => out.push_bind_param::<Timestamp, _>(v)?,
                }
            }
            out.push_sql(")");
        }
        Ok(())
    }
}

impl<Conn> RunQueryDsl<Conn> for MultiRowInsert<'_> {}

/// One `INSERT ... SELECT * FROM unnest($1, $2, ...)` on PostgreSQL: every column's values bound
/// as one array, so a statement has as many parameters as the table has columns, whatever the
/// number of rows. Its text depends only on the table and columns, so it is parsed once per
/// connection and planned in microseconds, where a multi-row `VALUES` of thousands of parameters
/// costs milliseconds to parse and plan every time.
struct UnnestInsert<'a> {
    table: &'a str,
    columns: &'a [&'a str],
    arrays: Vec<Array<'a>>,
}

/// One column's values, in the type PostgreSQL stores them as (a `NULL` where a value is absent;
/// the column's own constraints still apply).
enum Array<'a> {
    Text(Vec<Option<&'a str>>),
    Date(Vec<Option<NaiveDate>>),
    Bool(Vec<Option<bool>>),
    Int(Vec<Option<i64>>),
    Time(Vec<Option<NaiveDateTime>>),
}

impl<'a> Array<'a> {
    /// The values of column `n` of `rows`, typed as the first row's value is.
    fn of_column(rows: &[Vec<Value<'a>>], n: usize) -> Self {
        let values = rows.iter().map(|row| row[n]);
        match rows[0][n] {
            Value::Text(_) | Value::OptText(_) => Self::Text(
                values
                    .map(|v| match v {
                        Value::Text(t) => Some(t),
                        Value::OptText(t) => t,
                        other => unreachable!("a text column holds {other:?}"),
                    })
                    .collect(),
            ),
            Value::Date(_) | Value::OptDate(_) => Self::Date(
                values
                    .map(|v| match v {
                        Value::Date(d) => Some(d),
                        Value::OptDate(d) => d,
                        other => unreachable!("a date column holds {other:?}"),
                    })
                    .collect(),
            ),
            Value::Bool(_) => Self::Bool(
                values
                    .map(|v| match v {
                        Value::Bool(b) => Some(b),
                        other => unreachable!("a boolean column holds {other:?}"),
                    })
                    .collect(),
            ),
            Value::Int(_) | Value::OptInt(_) => Self::Int(
                values
                    .map(|v| match v {
                        Value::Int(i) => Some(i),
                        Value::OptInt(i) => i,
                        other => unreachable!("an integer column holds {other:?}"),
                    })
                    .collect(),
            ),
            Value::Time(_) => Self::Time(
                values
                    .map(|v| match v {
                        Value::Time(t) => Some(t.0),
                        other => unreachable!("a time column holds {other:?}"),
                    })
                    .collect(),
            ),
        }
    }
}

impl QueryId for UnnestInsert<'_> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl QueryFragment<Pg> for UnnestInsert<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        use diesel::pg::sql_types::Array as A;
        out.push_sql(&format!(
            "INSERT INTO {} ({}) SELECT * FROM unnest(",
            self.table,
            self.columns.join(", ")
        ));
        for (n, array) in self.arrays.iter().enumerate() {
            if n > 0 {
                out.push_sql(", ");
            }
            match array {
                Array::Text(v) => out.push_bind_param::<A<Nullable<Text>>, _>(v)?,
                Array::Date(v) => out.push_bind_param::<A<Nullable<Date>>, _>(v)?,
                Array::Bool(v) => out.push_bind_param::<A<Nullable<Bool>>, _>(v)?,
                Array::Int(v) => out.push_bind_param::<A<Nullable<BigInt>>, _>(v)?,
                Array::Time(v) => out.push_bind_param::<A<Nullable<Timestamp>>, _>(v)?,
            }
        }
        out.push_sql(")");
        Ok(())
    }
}

impl<Conn> RunQueryDsl<Conn> for UnnestInsert<'_> {}

/// Rows per `unnest` statement: a few megabytes of parameters at most.
const ROWS_PER_UNNEST: usize = 10_000;

/// Inserts `rows` (each as many values as `columns`, in order) into `table`: on SQLite as few
/// multi-row statements as its limit on bound values allows, on PostgreSQL one statement of
/// column arrays per ten thousand rows. `table` and `columns` are trusted names.
///
/// On SQLite, the statement of a full batch stays prepared on the connection: parsing thousands
/// of placeholders costs about as much as running them, and every full batch of a table has the
/// same text. The pool retires connections (and so these statements) within 30 minutes.
pub fn insert_rows(
    conn: &mut DbConnection,
    table: &str,
    columns: &[&str],
    rows: &[Vec<Value<'_>>],
) -> QueryResult<()> {
    debug_assert!(rows.iter().all(|row| row.len() == columns.len()));
    match conn {
        DbConnection::Sqlite(c) => {
            let per_statement = (MAX_BINDS / columns.len()).clamp(1, ROWS_PER_STATEMENT);
            for chunk in rows.chunks(per_statement) {
                MultiRowInsert {
                    table,
                    columns,
                    rows: chunk,
                    keep_prepared: chunk.len() == per_statement,
                }
                .execute(c)?;
            }
        }
        DbConnection::Postgres(c) => {
            for chunk in rows.chunks(ROWS_PER_UNNEST) {
                UnnestInsert {
                    table,
                    columns,
                    arrays: (0..columns.len())
                        .map(|n| Array::of_column(chunk, n))
                        .collect(),
                }
                .execute(c)?;
            }
        }
    }
    Ok(())
}

/// Memory, in KiB, that SQLite's sort may hold while it rebuilds an index.
const SORT_MEMORY_KIB: usize = 16 * 1024;

/// An index or a trigger as SQLite stores it: its name and the statement that creates it.
#[derive(QueryableByName)]
struct SchemaObject {
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

/// A full-text index (SQLite FTS5 with external content) that a trigger on its content table feeds
/// row by row. FTS5 writes its pending terms out as a new segment at the start of every statement
/// that adds to it (and merges those segments as they pile up): a load of many statements costs it
/// more than building the index once from the loaded table.
struct FullTextIndex {
    content: &'static str,
    index: &'static str,
    feed: &'static str,
}

/// The registry's one full-text index: the search documents'.
const SEARCH_INDEX: FullTextIndex = FullTextIndex {
    content: "search_documents",
    index: "search_index",
    feed: "search_documents_ai",
};

/// Whether a table holding `held` rows (at most) is better loaded with `adding` more without its
/// secondary indexes, which are then built again from all `held + adding` keys: when the load adds
/// at least half as many rows as the table holds. A rebuild sorts every key, old and new, yet costs
/// less than a random insertion per new key well before the table doubles: importing scale 10's
/// deployments, whose change events and search documents about equal the sources' already held,
/// ran 4 to 13% faster with those rebuilt too.
fn rebuilds_indexes(adding: usize, held: i64) -> bool {
    i64::try_from(adding).unwrap_or(i64::MAX).saturating_mul(2) >= held
}

/// Runs `load` and returns what it returns. On SQLite, the secondary indexes of each table in
/// `growth` that `load` will grow by half or more (`rebuilds_indexes`) are dropped first and
/// created again after it, in the caller's transaction, so readers never see them missing (and
/// with a smaller page cache, which the caller sets back); so is the trigger that feeds such a
/// table's full-text index, which is then rebuilt from the table. Indexes that enforce a
/// constraint (primary keys, `UNIQUE`) stay. On PostgreSQL `load` simply runs: dropping an index
/// there takes a lock that would stall every reader of the table until the import commits.
pub fn with_indexes_rebuilt<T, E: From<diesel::result::Error>>(
    conn: &mut DbConnection,
    growth: &[Growth<'_>],
    load: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E> {
    let DbConnection::Sqlite(sqlite) = conn else {
        return load(conn);
    };
    let mut dropped = Vec::new();
    let mut unfed = Vec::new();
    for Growth { table, adding } in growth {
        // `max(rowid)` is at least the number of rows, found without counting them.
        let held: Option<i64> = diesel::select(diesel::dsl::sql::<Nullable<BigInt>>(&format!(
            "(SELECT max(rowid) FROM {table})"
        )))
        .get_result(sqlite)?;
        if !rebuilds_indexes(*adding, held.unwrap_or(0)) {
            continue;
        }
        let indexes: Vec<SchemaObject> = diesel::sql_query(
            "SELECT name, sql FROM sqlite_master \
             WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
        )
        .bind::<Text, _>(*table)
        .load(sqlite)?;
        for index in indexes {
            sqlite.batch_execute(&format!("DROP INDEX \"{}\"", index.name))?;
            dropped.push(index.sql);
        }
        if *table == SEARCH_INDEX.content {
            let feed: Option<SchemaObject> = diesel::sql_query(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name = ?",
            )
            .bind::<Text, _>(SEARCH_INDEX.feed)
            .get_result(sqlite)
            .optional()?;
            if let Some(trigger) = feed {
                sqlite.batch_execute(&format!("DROP TRIGGER \"{}\"", trigger.name))?;
                unfed.push((SEARCH_INDEX.index, trigger.sql));
            }
        }
    }
    let loaded = load(conn)?;
    if let DbConnection::Sqlite(sqlite) = conn {
        for (index, feed) in unfed {
            sqlite.batch_execute(&format!(
                "INSERT INTO {index} ({index}) VALUES ('rebuild'); {feed};"
            ))?;
        }
        if !dropped.is_empty() {
            // The sort that builds an index holds as many keys in memory as the page cache may
            // hold pages (then spills them to temporary files): with a large cache, memory would
            // grow with the table's size up to twice the cache. A small cache bounds the sort,
            // and costs little here: its dirty pages go to the WAL, as they would at commit.
            sqlite.batch_execute(&format!("PRAGMA cache_size = -{}", SORT_MEMORY_KIB))?;
        }
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

    use chrono::{DateTime, NaiveDateTime};
    use diesel::debug_query;
    use diesel::pg::Pg;
    use diesel::sqlite::Sqlite;
    use proptest::prelude::*;

    use super::{
        with_indexes_rebuilt, Array, Growth, MultiRowInsert, StoredTime, UnnestInsert, Value,
    };

    proptest! {
        #[test]
        fn stored_times_read_as_chrono_writes_them(
            seconds in -62_167_219_200i64..253_402_300_800,
            nano in prop_oneof![
                Just(0u32),
                (0u32..1000).prop_map(|n| n * 1_000_000),
                (0u32..1_000_000).prop_map(|n| n * 1_000),
                0u32..2_000_000_000,
            ],
        ) {
            let moment: NaiveDateTime = DateTime::from_timestamp(seconds, nano)
                .map_or_else(|| DateTime::UNIX_EPOCH.naive_utc(), |m| m.naive_utc());
            prop_assert_eq!(
                StoredTime(moment).sqlite_text(),
                moment.format("%F %T%.f").to_string()
            );
        }
    }
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
    fn a_table_that_grows_by_half_is_loaded_without_its_secondary_indexes() {
        let mut conn = table();
        conn.batch_execute("INSERT INTO t VALUES ('w', 'w', 0)")
            .unwrap();
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

    /// The search documents' table as SQLite's migrations make it, reduced to what the full-text
    /// index needs, holding one document.
    fn searchable() -> DbConnection {
        let mut conn = DbConnection::Sqlite(SqliteConnection::establish(":memory:").unwrap());
        conn.batch_execute(
            "CREATE TABLE search_documents (rowid INTEGER PRIMARY KEY, title TEXT, body TEXT);
             CREATE VIRTUAL TABLE search_index USING fts5 (
                 title, body, content = 'search_documents', content_rowid = 'rowid');
             CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN
                 INSERT INTO search_index (rowid, title, body) VALUES (NEW.rowid, NEW.title, NEW.body);
             END;
             INSERT INTO search_documents (title, body) VALUES ('kent', 'facial recognition');",
        )
        .unwrap();
        conn
    }

    fn found(conn: &mut DbConnection, term: &str) -> i64 {
        diesel::select(diesel::dsl::sql::<BigInt>(&format!(
            "(SELECT count(*) FROM search_index WHERE search_index MATCH '{term}')"
        )))
        .get_result(conn)
        .unwrap()
    }

    fn triggers(conn: &mut DbConnection) -> i64 {
        diesel::select(diesel::dsl::sql::<BigInt>(
            "(SELECT count(*) FROM sqlite_master WHERE type = 'trigger')",
        ))
        .get_result(conn)
        .unwrap()
    }

    #[test]
    fn a_full_text_index_whose_table_grows_by_half_is_built_once_after_the_load() {
        let mut conn = searchable();
        let growth = [Growth {
            table: "search_documents",
            adding: 2,
        }];
        let during = with_indexes_rebuilt(&mut conn, &growth, |conn| {
            conn.batch_execute(
                "INSERT INTO search_documents (title, body) VALUES
                     ('wales', 'live facial recognition'), ('kent', 'drones')",
            )?;
            Ok::<_, diesel::result::Error>(triggers(conn))
        })
        .unwrap();
        assert_eq!(during, 0, "the feeding trigger is off during the load");
        assert_eq!(triggers(&mut conn), 1, "and back after it");
        assert_eq!(
            found(&mut conn, "facial"),
            2,
            "old and loaded documents are found"
        );
        assert_eq!(found(&mut conn, "drones"), 1);
        conn.batch_execute("INSERT INTO search_documents (title, body) VALUES ('essex', 'drones')")
            .unwrap();
        assert_eq!(
            found(&mut conn, "drones"),
            2,
            "the trigger feeds the index again"
        );
        conn.batch_execute("INSERT INTO search_index (search_index) VALUES ('integrity-check')")
            .unwrap();
    }

    #[test]
    fn a_small_addition_keeps_the_indexes() {
        let mut conn = table();
        conn.batch_execute("INSERT INTO t VALUES ('y', 'y', 2), ('z', 'z', 3)")
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
    fn each_backend_gets_its_statement() {
        let rows = [
            vec![Value::Text("x"), Value::OptText(None)],
            vec![Value::Text("y"), Value::OptText(Some("z"))],
        ];
        let sql = |query: String| query.split(" -- ").next().unwrap_or_default().to_owned();
        let values = MultiRowInsert {
            table: "t",
            columns: &["a", "b"],
            rows: &rows,
            keep_prepared: true,
        };
        assert_eq!(
            sql(debug_query::<Sqlite, _>(&values).to_string()),
            "INSERT INTO t (a, b) VALUES (?, ?), (?, ?)"
        );
        let arrays = UnnestInsert {
            table: "t",
            columns: &["a", "b"],
            arrays: vec![Array::of_column(&rows, 0), Array::of_column(&rows, 1)],
        };
        let text = debug_query::<Pg, _>(&arrays).to_string();
        assert_eq!(
            sql(text.clone()),
            "INSERT INTO t (a, b) SELECT * FROM unnest($1, $2)"
        );
        assert!(
            text.ends_with(r#"binds: [[Some("x"), Some("y")], [None, Some("z")]]"#),
            "{text}"
        );
    }
}
