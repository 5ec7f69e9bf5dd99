//! Who writes, and the append-only change log every write adds to (the public change feed).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{now, StoreError};
use crate::db::schema::change_events;
use crate::db::DbConnection;
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

/// One entry of the change log.
pub struct Change<'a> {
    pub entity_type: &'static str,
    pub entity_id: &'a str,
    pub action: Action,
    pub revision: i64,
    pub force_slug: Option<&'a str>,
    pub changed_fields: &'a [&'static str],
    pub summary: String,
}

/// Appends a change event; call inside the write's transaction so both commit or neither does.
pub fn record(
    conn: &mut DbConnection,
    stamp: &Stamp,
    change: Change<'_>,
) -> Result<(), StoreError> {
    let actor = &stamp.actor;
    diesel::insert_into(change_events::table)
        .values((
            change_events::entity_type.eq(change.entity_type),
            change_events::entity_id.eq(change.entity_id),
            change_events::action.eq(change.action.as_str()),
            change_events::revision.eq(change.revision),
            change_events::force_slug.eq(change.force_slug),
            change_events::actor_role.eq(actor.role_name()),
            change_events::actor_organisation.eq(&actor.organisation),
            change_events::changed_fields
                .eq(serde_json::to_string(change.changed_fields).expect("strings serialise")),
            change_events::summary.eq(change.summary),
            change_events::occurred_at.eq(stamp.at),
        ))
        .execute(conn)?;
    Ok(())
}

/// A change event of a bulk write (see [`record_many`]).
pub struct NewEvent<'a> {
    pub entity_type: &'static str,
    pub entity_id: &'a str,
    pub action: Action,
    pub revision: i64,
    pub force_slug: Option<&'a str>,
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
    let rows: Vec<Vec<Value<'a>>> = events
        .map(|e| {
            vec![
                Value::Text(e.entity_type),
                Value::Text(e.entity_id),
                Value::Text(e.action.as_str()),
                Value::Int(e.revision),
                Value::OptText(e.force_slug),
                Value::Text(actor.role_name()),
                Value::Text(&actor.organisation),
                Value::Text("[]"),
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

/// The newest events, newest first (for Atom feeds).
pub fn latest(
    conn: &mut DbConnection,
    filter: &ChangeFilter,
    limit: usize,
) -> Result<Vec<ChangeEvent>, StoreError> {
    filtered(filter)
        .order(change_events::id.desc())
        .limit(limit as i64)
        .select(EventRow::as_select())
        .load(conn)?
        .into_iter()
        .map(into_event)
        .collect()
}
