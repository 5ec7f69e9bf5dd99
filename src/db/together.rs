//! Two writes in one round trip where the backend allows it: on PostgreSQL, `WITH first AS
//! (<first>) <second>` (a data-modifying statement may sit in a `WITH`); on SQLite, which has no
//! such statements, one after the other (an in-process call costs no round trip anyway).

use diesel::connection::Connection;
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sqlite::Sqlite;
use diesel::QueryResult;

use super::DbConnection;

/// `first`, then `second`, as one PostgreSQL statement. Both are inserts or updates whose results
/// nobody reads (the `WITH` names `first` but never refers to it).
struct Together<'a, A, B>(&'a A, &'a B);

impl<A, B> QueryId for Together<'_, A, B> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<A: QueryFragment<Pg>, B: QueryFragment<Pg>> QueryFragment<Pg> for Together<'_, A, B> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("WITH first AS (");
        self.0.walk_ast(out.reborrow())?;
        out.push_sql(") ");
        self.1.walk_ast(out.reborrow())
    }
}

/// Runs `first` and then `second` in the caller's transaction: one statement on PostgreSQL, two on
/// SQLite.
pub fn execute_together<A, B>(conn: &mut DbConnection, first: &A, second: &B) -> QueryResult<()>
where
    A: QueryFragment<Pg> + QueryFragment<Sqlite> + QueryId,
    B: QueryFragment<Pg> + QueryFragment<Sqlite> + QueryId,
{
    match conn {
        DbConnection::Postgres(pg) => {
            pg.execute_returning_count(&Together(first, second))?;
        }
        DbConnection::Sqlite(sqlite) => {
            sqlite.execute_returning_count(first)?;
            sqlite.execute_returning_count(second)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use diesel::debug_query;
    use diesel::pg::Pg;
    use diesel::prelude::*;

    use super::Together;
    use crate::db::schema::{change_events, write_sequence};

    #[test]
    fn postgres_gets_one_statement_whose_binds_follow_on() {
        let first = diesel::update(write_sequence::table).set(write_sequence::value.eq(7_i64));
        let second = diesel::insert_into(change_events::table).values((
            change_events::entity_type.eq("source"),
            change_events::entity_id.eq("s1"),
        ));
        let text = debug_query::<Pg, _>(&Together(&first, &second)).to_string();
        assert!(
            text.starts_with(
                "WITH first AS (UPDATE \"write_sequence\" SET \"value\" = $1) \
                 INSERT INTO \"change_events\" (\"entity_type\", \"entity_id\") VALUES ($2, $3)"
            ),
            "{text}"
        );
    }
}
