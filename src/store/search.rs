//! Full-text search over deployments (summary, vendors, product, legal basis, tool names), FOI
//! requests and replies, their answers and the text of their documents, impact assessments,
//! sources and tools: SQLite FTS5 (BM25) or PostgreSQL tsvector (`ts_rank`), one contract for both. The
//! index (`search_documents`) is kept current by triggers in the migrations.

use diesel::prelude::*;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::{BigInt, Nullable, Text};
use serde::{Deserialize, Serialize};

use super::{parse_column, StoreError};
use crate::db::{DbConnection, MultiBackend};
use crate::domain::{SearchEntity, SearchTerms};

/// One search hit.
#[derive(Debug, Clone)]
pub struct SearchHit {
    pub entity_type: SearchEntity,
    pub id: String,
    pub force: Option<String>,
    pub title: String,
    /// The best matching passage, matched words wrapped in `<mark>`...`</mark>` (the rest is
    /// plain text, not HTML).
    pub snippet: String,
    /// Where the entity is read (for an answer, its FOI request).
    pub url: String,
}

/// What to search for.
#[derive(Debug, Clone)]
pub struct SearchFilter {
    pub terms: SearchTerms,
    pub entity_type: Option<SearchEntity>,
    pub force: Option<String>,
}

/// Where a page of hits ends: hits are ranked, so pages continue by position.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SearchKey {
    pub offset: i64,
}

#[derive(QueryableByName)]
struct HitRow {
    #[diesel(sql_type = Text)]
    entity_type: String,
    #[diesel(sql_type = Text)]
    entity_id: String,
    #[diesel(sql_type = Nullable<Text>)]
    parent_id: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    force_slug: Option<String>,
    #[diesel(sql_type = Text)]
    title: String,
    #[diesel(sql_type = Text)]
    snippet: String,
}

const SQLITE_SEARCH: &str = "\
    SELECT d.entity_type, d.entity_id, d.parent_id, d.force_slug, d.title, \
           snippet(search_index, 1, '\u{E000}', '\u{E001}', '…', 24) AS snippet, \
           bm25(search_index, 2.0, 1.0) AS rank \
    FROM search_index JOIN search_documents d ON d.rowid = search_index.rowid \
    WHERE search_index MATCH ? \
      AND (? IS NULL OR d.entity_type = ?) AND (? IS NULL OR d.force_slug = ?) \
    ORDER BY rank, d.entity_type, d.entity_id LIMIT ? OFFSET ?";

const POSTGRES_SEARCH: &str = "\
    SELECT d.entity_type, d.entity_id, d.parent_id, d.force_slug, d.title, \
           ts_headline('english', d.body, q, \
               'StartSel=\u{E000}, StopSel=\u{E001}, MaxWords=24, MinWords=8, MaxFragments=1, FragmentDelimiter=…') \
               AS snippet, \
           -ts_rank(d.tsv, q)::float8 AS rank \
    FROM search_documents d, to_tsquery('english', $1) q \
    WHERE d.tsv @@ q \
      AND ($2::text IS NULL OR d.entity_type = $2) AND ($3::text IS NULL OR d.force_slug = $3) \
    ORDER BY rank, d.entity_type, d.entity_id LIMIT $4 OFFSET $5";

const SQLITE_COUNTS: &str = "\
    SELECT d.entity_type, COUNT(*) AS hits \
    FROM search_index JOIN search_documents d ON d.rowid = search_index.rowid \
    WHERE search_index MATCH ? AND (? IS NULL OR d.force_slug = ?) \
    GROUP BY d.entity_type";

const POSTGRES_COUNTS: &str = "\
    SELECT d.entity_type, COUNT(*) AS hits \
    FROM search_documents d \
    WHERE d.tsv @@ to_tsquery('english', $1) AND ($2::text IS NULL OR d.force_slug = $2) \
    GROUP BY d.entity_type";

#[derive(QueryableByName)]
struct CountRow {
    #[diesel(sql_type = Text)]
    entity_type: String,
    #[diesel(sql_type = BigInt)]
    hits: i64,
}

/// How many hits each kind of entity has for the search's words and force, whatever kind the
/// search itself is limited to (so a reader sees what the other kinds hold), in kind order.
pub fn counts(
    conn: &mut DbConnection,
    filter: &SearchFilter,
) -> Result<Vec<(SearchEntity, i64)>, StoreError> {
    if filter.terms.finds_nothing() {
        return Ok(Vec::new());
    }
    let rows: Vec<CountRow> = match conn {
        DbConnection::Sqlite(c) => diesel::sql_query(SQLITE_COUNTS)
            .bind::<Text, _>(filter.terms.fts5())
            .bind::<Nullable<Text>, _>(filter.force.clone())
            .bind::<Nullable<Text>, _>(filter.force.clone())
            .load(c)?,
        DbConnection::Postgres(c) => diesel::sql_query(POSTGRES_COUNTS)
            .bind::<Text, _>(filter.terms.tsquery())
            .bind::<Nullable<Text>, _>(filter.force.clone())
            .load(c)?,
    };
    let mut counts = rows
        .into_iter()
        .map(|row| {
            let entity: SearchEntity =
                parse_column("search_documents.entity_type", &row.entity_type)?;
            Ok((entity, row.hits))
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    counts.sort();
    Ok(counts)
}

/// The search engines mark matches with these two private-use characters rather than with tags,
/// so that the stored text around them can be escaped before the only markup is added.
const MARK_START: char = '\u{E000}';
const MARK_END: char = '\u{E001}';

/// A snippet as HTML in which only `<mark>` is markup: every character of the stored text that
/// HTML gives a meaning to is escaped, then the engine's marks become `<mark>`...`</mark>`.
pub fn marked_snippet(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len() + 32);
    for c in raw.chars() {
        match c {
            MARK_START => out.push_str("<mark>"),
            MARK_END => out.push_str("</mark>"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Ranked hits, best first; `limit + 1` are fetched so the caller knows whether more follow.
pub fn search(
    conn: &mut DbConnection,
    filter: &SearchFilter,
    limit: usize,
    after: Option<&SearchKey>,
) -> Result<(Vec<SearchHit>, Option<SearchKey>), StoreError> {
    if filter.terms.finds_nothing() {
        return Ok((Vec::new(), None));
    }
    let offset = after.map_or(0, |k| k.offset);
    let fetch = limit as i64 + 1;
    let entity = filter.entity_type.map(|e| e.as_str().to_owned());
    let rows: Vec<HitRow> = match conn {
        DbConnection::Sqlite(c) => diesel::sql_query(SQLITE_SEARCH)
            .bind::<Text, _>(filter.terms.fts5())
            .bind::<Nullable<Text>, _>(entity.clone())
            .bind::<Nullable<Text>, _>(entity)
            .bind::<Nullable<Text>, _>(filter.force.clone())
            .bind::<Nullable<Text>, _>(filter.force.clone())
            .bind::<BigInt, _>(fetch)
            .bind::<BigInt, _>(offset)
            .load(c)?,
        DbConnection::Postgres(c) => diesel::sql_query(POSTGRES_SEARCH)
            .bind::<Text, _>(filter.terms.tsquery())
            .bind::<Nullable<Text>, _>(entity)
            .bind::<Nullable<Text>, _>(filter.force.clone())
            .bind::<BigInt, _>(fetch)
            .bind::<BigInt, _>(offset)
            .load(c)?,
    };
    let more = rows.len() > limit;
    let hits = rows
        .into_iter()
        .take(limit)
        .map(|row| {
            let entity_type: SearchEntity =
                parse_column("search_documents.entity_type", &row.entity_type)?;
            let url = match entity_type {
                SearchEntity::Deployment => format!("/api/v1/deployments/{}", row.entity_id),
                SearchEntity::FoiRequest => format!("/api/v1/foi-requests/{}", row.entity_id),
                SearchEntity::FoiAnswer => format!(
                    "/api/v1/foi-requests/{}",
                    row.parent_id.as_deref().unwrap_or_default()
                ),
                SearchEntity::FoiDocument => format!(
                    "/api/v1/foi-requests/{}/documents/{}",
                    row.parent_id.as_deref().unwrap_or_default(),
                    row.entity_id
                ),
                SearchEntity::Source => format!("/api/v1/sources/{}", row.entity_id),
                SearchEntity::Tool => format!("/api/v1/tools/{}", row.entity_id),
                SearchEntity::ImpactAssessment => {
                    format!("/api/v1/impact-assessments/{}", row.entity_id)
                }
            };
            Ok(SearchHit {
                snippet: marked_snippet(if row.snippet.is_empty() {
                    &row.title
                } else {
                    &row.snippet
                }),
                entity_type,
                id: row.entity_id,
                force: row.force_slug,
                title: row.title,
                url,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let next = more.then(|| SearchKey {
        offset: offset + limit as i64,
    });
    Ok((hits, next))
}

/// `<id column> IN (ids of this entity type whose text matches)`, for the `q` filter of lists:
/// written for whichever database runs the query.
#[derive(Debug, Clone, QueryId)]
pub struct MatchesText {
    id_column: &'static str,
    /// `d.entity_id`, or the request of a matching answer.
    matched_id: &'static str,
    /// A SQL list of entity type literals.
    entity_types: &'static str,
    fts5: String,
    tsquery: String,
    /// The search names nothing to find (only exclusions): no row matches.
    nothing: bool,
}

impl MatchesText {
    /// Rows whose `id_column` (a qualified column name) is the id of a deployment whose text
    /// matches `terms`.
    pub fn deployments(id_column: &'static str, terms: &SearchTerms) -> Self {
        Self {
            id_column,
            matched_id: "d.entity_id",
            entity_types: "'deployment'",
            fts5: terms.fts5(),
            tsquery: terms.tsquery(),
            nothing: terms.finds_nothing(),
        }
    }

    /// Rows whose `id_column` is the id of an FOI request whose own text, or one of whose
    /// answers, matches `terms`.
    pub fn foi_requests(id_column: &'static str, terms: &SearchTerms) -> Self {
        Self {
            id_column,
            matched_id: "COALESCE(d.parent_id, d.entity_id)",
            entity_types: "'foi_request', 'foi_answer'",
            fts5: terms.fts5(),
            tsquery: terms.tsquery(),
            nothing: terms.finds_nothing(),
        }
    }
}

crate::db::sql_condition!(MatchesText);

impl QueryFragment<MultiBackend> for MatchesText {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        if self.nothing {
            out.push_sql("1 = 0");
            return Ok(());
        }
        out.push_sql(self.id_column);
        out.push_sql(" IN (SELECT ");
        out.push_sql(self.matched_id);
        match out.backend() {
            MultiBackend::Sqlite(_) => {
                out.push_sql(
                    " FROM search_index JOIN search_documents d ON d.rowid = search_index.rowid \
                     WHERE search_index MATCH ",
                );
                out.push_bind_param::<Text, _>(&self.fts5)?;
            }
            MultiBackend::Postgres(_) => {
                out.push_sql(" FROM search_documents d WHERE d.tsv @@ to_tsquery('english', ");
                out.push_bind_param::<Text, _>(&self.tsquery)?;
                out.push_sql(")");
            }
        }
        out.push_sql(" AND d.entity_type IN (");
        out.push_sql(self.entity_types);
        out.push_sql("))");
        Ok(())
    }
}
