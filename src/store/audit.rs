//! Who writes, and the append-only change log every write adds to (the public change feed).

use chrono::NaiveDateTime;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{QueryFragment, QueryId};
use diesel::sqlite::Sqlite;

use super::diff::FieldChange;
use super::{now, StoreError};
use crate::db::schema::change_events;
use crate::db::{execute_together, DbConnection};
use crate::domain::Role;
use diesel::prelude::Queryable;

/// The author of a write, as shown publicly: a role and an organisation, never a person's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// `None` for the registry itself (demo data, imports run from the command line).
    pub role: Option<Role>,
    pub organisation: String,
}

impl Actor {
    /// The registry acting on its own behalf.
    pub fn system(organisation: impl Into<String>) -> Self {
        Self {
            role: None,
            organisation: organisation.into(),
        }
    }

    /// The role as recorded: `system` for the registry itself.
    pub fn role_name(&self) -> &'static str {
        self.role.map_or("system", Role::as_str)
    }
}

/// Who writes and when: every row a write stores carries the same moment.
#[derive(Debug, Clone)]
pub struct Stamp {
    pub actor: Actor,
    pub at: NaiveDateTime,
}

impl Stamp {
    /// A write happening now.
    pub fn now(actor: Actor) -> Self {
        Self { actor, at: now() }
    }
}

/// What a write did to an entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Create,
    Update,
    Delete,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Update => "update",
            Self::Delete => "delete",
        }
    }
}

/// What an update changed.
pub enum Changed<'a> {
    /// Registry content: each field with its value before and after, public in the feed.
    Values(Vec<FieldChange>),
    /// Private data (accounts): the names of the fields only, never their values.
    Names(&'a [&'static str]),
}

impl Changed<'_> {
    /// A create or a delete: the whole entity, no field-level change.
    pub const NONE: Self = Self::Values(Vec::new());
}

/// One entry of the change log.
pub struct Change<'a> {
    pub entity_type: &'static str,
    pub entity_id: &'a str,
    pub action: Action,
    pub revision: i64,
    pub force_slug: Option<&'a str>,
    pub changed: Changed<'a>,
    pub summary: String,
}

/// Appends a change event; call inside the write's transaction so both commit or neither does.
pub fn record(
    conn: &mut DbConnection,
    stamp: &Stamp,
    change: Change<'_>,
) -> Result<(), StoreError> {
    // `()` is the empty statement: no history row goes before the event.
    record_after(conn, None::<&()>, stamp, change)
}

/// Appends a change event after the write's own history row (`history`: its revision's or its
/// snapshot's insert), in one statement on PostgreSQL (see [`execute_together`]). Call inside the
/// write's transaction.
pub fn record_with<H>(
    conn: &mut DbConnection,
    history: &H,
    stamp: &Stamp,
    change: Change<'_>,
) -> Result<(), StoreError>
where
    H: QueryFragment<Pg> + QueryFragment<Sqlite> + QueryId,
{
    record_after(conn, Some(history), stamp, change)
}

fn record_after<H>(
    conn: &mut DbConnection,
    history: Option<&H>,
    stamp: &Stamp,
    change: Change<'_>,
) -> Result<(), StoreError>
where
    H: QueryFragment<Pg> + QueryFragment<Sqlite> + QueryId,
{
    let actor = &stamp.actor;
    let (names, values): (Vec<&str>, &[FieldChange]) = match &change.changed {
        Changed::Values(values) => (values.iter().map(|c| c.field.as_str()).collect(), values),
        Changed::Names(names) => (names.to_vec(), &[]),
    };
    let names = serde_json::to_string(&names).expect("strings serialise");
    let values = serde_json::to_string(values).expect("JSON serialises");
    let event = diesel::insert_into(change_events::table).values((
        change_events::entity_type.eq(change.entity_type),
        change_events::entity_id.eq(change.entity_id),
        change_events::action.eq(change.action.as_str()),
        change_events::revision.eq(change.revision),
        change_events::force_slug.eq(change.force_slug),
        change_events::actor_role.eq(actor.role_name()),
        change_events::actor_organisation.eq(&actor.organisation),
        change_events::changed_fields.eq(&names),
        change_events::changes.eq(&values),
        change_events::summary.eq(&change.summary),
        change_events::occurred_at.eq(stamp.at),
    ));
    match history {
        Some(history) => execute_together(conn, history, &event)?,
        None => {
            event.execute(conn)?;
        }
    }
    Ok(())
}

/// A change event of a bulk write (see [`record_many`]).
pub struct NewEvent<'a> {
    pub entity_type: &'static str,
    pub entity_id: &'a str,
    pub action: Action,
    pub revision: i64,
    pub force_slug: Option<&'a str>,
    /// What the write changed, field by field (none for a create).
    pub changes: &'a [FieldChange],
    pub summary: &'a str,
    pub occurred_at: NaiveDateTime,
}

/// Appends many change events at once, in order; call inside the write's transaction.
pub fn record_many<'a>(
    conn: &mut DbConnection,
    actor: &'a Actor,
    events: impl Iterator<Item = NewEvent<'a>>,
) -> Result<(), StoreError> {
    use crate::db::bulk::{insert_rows, StoredTime, Value};
    let events: Vec<NewEvent<'a>> = events.collect();
    let fields: Vec<(String, String)> = events
        .iter()
        .map(|e| {
            let names: Vec<&str> = e.changes.iter().map(|c| c.field.as_str()).collect();
            (
                serde_json::to_string(&names).expect("strings serialise"),
                serde_json::to_string(e.changes).expect("JSON serialises"),
            )
        })
        .collect();
    let rows: Vec<Vec<Value<'_>>> = events
        .iter()
        .zip(&fields)
        .map(|(e, (names, values))| {
            vec![
                Value::Text(e.entity_type),
                Value::Text(e.entity_id),
                Value::Text(e.action.as_str()),
                Value::Int(e.revision),
                Value::OptText(e.force_slug),
                Value::Text(actor.role_name()),
                Value::Text(&actor.organisation),
                Value::Text(names),
                Value::Text(values),
                Value::Text(e.summary),
                Value::Time(StoredTime(e.occurred_at)),
            ]
        })
        .collect();
    insert_rows(
        conn,
        "change_events",
        &[
            "entity_type",
            "entity_id",
            "action",
            "revision",
            "force_slug",
            "actor_role",
            "actor_organisation",
            "changed_fields",
            "changes",
            "summary",
            "occurred_at",
        ],
        &rows,
    )?;
    Ok(())
}

/// One entry of the public change feed.
#[derive(Debug, Clone)]
pub struct ChangeEvent {
    /// Increasing; pass the last one seen as `since` to resume.
    pub id: i64,
    pub entity_type: String,
    pub entity_id: String,
    /// `create`, `update` or `delete`.
    pub action: String,
    pub revision: i64,
    pub force: Option<String>,
    /// `admin`, `editor`, `force_staff`, or `system` for the registry itself.
    pub actor_role: String,
    pub actor_organisation: String,
    pub changed_fields: Vec<String>,
    /// Each changed field's value before and after (empty for events recorded before values were
    /// kept, and for creates and deletes).
    pub changes: Vec<FieldChange>,
    pub summary: String,
    pub occurred_at: chrono::DateTime<chrono::Utc>,
}

/// Filters on the change feed.
#[derive(Debug, Clone, Default)]
pub struct ChangeFilter {
    pub force: Option<String>,
    pub entity_type: Option<String>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = change_events)]
struct EventRow {
    id: i64,
    entity_type: String,
    entity_id: String,
    action: String,
    revision: i64,
    force_slug: Option<String>,
    actor_role: String,
    actor_organisation: String,
    changed_fields: String,
    summary: String,
    occurred_at: NaiveDateTime,
    changes: String,
}

/// Entity types whose changes stay out of the public feed: accounts are people, not registry data.
const PRIVATE_ENTITY_TYPES: [&str; 1] = ["account"];

fn filtered(filter: &ChangeFilter) -> change_events::BoxedQuery<'static, crate::db::MultiBackend> {
    let mut query = change_events::table
        .filter(change_events::entity_type.ne_all(PRIVATE_ENTITY_TYPES))
        .into_boxed();
    if let Some(force) = &filter.force {
        query = query.filter(change_events::force_slug.eq(force.clone()));
    }
    if let Some(entity_type) = &filter.entity_type {
        query = query.filter(change_events::entity_type.eq(entity_type.clone()));
    }
    query
}

fn into_event(row: EventRow) -> Result<ChangeEvent, StoreError> {
    Ok(ChangeEvent {
        changed_fields: super::parse_json_list(
            "change_events.changed_fields",
            &row.changed_fields,
        )?,
        changes: serde_json::from_str(&row.changes).map_err(|_| StoreError::Corrupt {
            column: "change_events.changes",
            value: row.changes.chars().take(80).collect(),
        })?,
        id: row.id,
        entity_type: row.entity_type,
        entity_id: row.entity_id,
        action: row.action,
        revision: row.revision,
        force: row.force_slug,
        actor_role: row.actor_role,
        actor_organisation: row.actor_organisation,
        summary: row.summary,
        occurred_at: super::utc(row.occurred_at),
    })
}

/// Events after `since`, oldest first: what an aggregator resuming from `since` has not seen.
pub fn since(
    conn: &mut DbConnection,
    filter: &ChangeFilter,
    since: i64,
    limit: usize,
) -> Result<Vec<ChangeEvent>, StoreError> {
    filtered(filter)
        .filter(change_events::id.gt(since))
        .order(change_events::id.asc())
        .limit(limit as i64)
        .select(EventRow::as_select())
        .load(conn)?
        .into_iter()
        .map(into_event)
        .collect()
}

/// The id to resume after so that the feed starts at the first event recorded at or after `at`
/// (the newest id when none is, so that the feed starts with what comes next).
pub fn resume_point(conn: &mut DbConnection, at: NaiveDateTime) -> Result<i64, StoreError> {
    let first: Option<i64> = change_events::table
        .filter(change_events::occurred_at.ge(at))
        .select(diesel::dsl::min(change_events::id))
        .first(conn)?;
    Ok(match first {
        Some(id) => id - 1,
        None => change_events::table
            .select(diesel::dsl::max(change_events::id))
            .first::<Option<i64>>(conn)?
            .unwrap_or(0),
    })
}

/// The newest `limit` events older than `before` (all when `None`), newest first: a feed
/// document. With `before`, the document's entries never change, as the log only grows.
pub fn before(
    conn: &mut DbConnection,
    filter: &ChangeFilter,
    before: Option<i64>,
    limit: usize,
) -> Result<Vec<ChangeEvent>, StoreError> {
    let mut query = filtered(filter);
    if let Some(before) = before {
        query = query.filter(change_events::id.lt(before));
    }
    query
        .order(change_events::id.desc())
        .limit(limit as i64)
        .select(EventRow::as_select())
        .load(conn)?
        .into_iter()
        .map(into_event)
        .collect()
}

/// The `before` of the archive document that follows (is newer than) the one of `before=from`:
/// `None` while fewer than `limit` newer events exist, so that the newest entries stay in the
/// subscription document until a whole archive document is full.
pub fn next_archive(
    conn: &mut DbConnection,
    filter: &ChangeFilter,
    from: i64,
    limit: usize,
) -> Result<Option<i64>, StoreError> {
    let last: Option<i64> = filtered(filter)
        .filter(change_events::id.ge(from))
        .order(change_events::id.asc())
        .offset(limit as i64 - 1)
        .select(change_events::id)
        .first(conn)
        .optional()?;
    Ok(last.map(|id| id + 1))
}
