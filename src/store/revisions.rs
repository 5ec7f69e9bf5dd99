//! Immutable snapshots of entities that keep no typed history of their own (FOI requests,
//! campaigns): each write stores the whole entity as JSON, so any past version can be shown.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::audit::{self, Action, Change, Stamp};
use super::{utc, StoreError};
use crate::db::schema::entity_revisions;
use crate::db::DbConnection;

/// One version of an entity, as it was written.
#[derive(Debug, Clone, Serialize)]
pub struct Revision<T> {
    pub revision: i64,
    /// `create`, `update` or `delete`.
    pub action: String,
    /// The writer's role (`admin`, `editor`, `force_staff`, or `system` for the registry itself).
    pub actor_role: String,
    pub actor_organisation: String,
    pub recorded_at: DateTime<Utc>,
    /// The entity as it stood after this write (before it, for a delete).
    pub snapshot: T,
}

/// The one way a snapshotted entity's write is recorded: its snapshot (the entity after the write,
/// before it for a delete) under the change's entity, revision and action, and the change event
/// itself. Call inside the write's transaction, so the write, its history and its feed entry
/// commit together or not at all.
pub fn record_write<T: Serialize>(
    conn: &mut DbConnection,
    stamp: &Stamp,
    change: Change<'_>,
    snapshot: &T,
) -> Result<(), StoreError> {
    let snapshot = serde_json::to_string(snapshot).expect("views serialise");
    let history = diesel::insert_into(entity_revisions::table).values((
        entity_revisions::entity_type.eq(change.entity_type),
        entity_revisions::entity_id.eq(change.entity_id),
        entity_revisions::revision.eq(change.revision),
        entity_revisions::action.eq(change.action.as_str()),
        entity_revisions::snapshot.eq(&snapshot),
        entity_revisions::actor_role.eq(stamp.actor.role_name()),
        entity_revisions::actor_organisation.eq(&stamp.actor.organisation),
        entity_revisions::recorded_at.eq(stamp.at),
    ));
    audit::record_with(conn, &history, stamp, change)
}

/// A new entity of a bulk write: what its first snapshot and change event record.
pub struct Created<'a, T> {
    pub id: &'a str,
    pub revision: i64,
    pub force_slug: Option<&'a str>,
    pub summary: String,
    pub at: NaiveDateTime,
    pub snapshot: &'a T,
}

/// The bulk twin of [`record_write`] for creations: every new entity's snapshot in one multi-row
/// insert, then their change events in another. Call inside the write's transaction.
pub fn record_created_many<T: Serialize>(
    conn: &mut DbConnection,
    actor: &audit::Actor,
    entity_type: &'static str,
    created: &[Created<'_, T>],
) -> Result<(), StoreError> {
    use crate::db::bulk::{insert_rows, StoredTime, Value};
    let snapshots: Vec<String> = created
        .iter()
        .map(|c| serde_json::to_string(c.snapshot).expect("views serialise"))
        .collect();
    let rows: Vec<Vec<Value<'_>>> = created
        .iter()
        .zip(&snapshots)
        .map(|(c, snapshot)| {
            vec![
                Value::Text(entity_type),
                Value::Text(c.id),
                Value::Int(c.revision),
                Value::Text(Action::Create.as_str()),
                Value::Text(snapshot),
                Value::Text(actor.role_name()),
                Value::Text(&actor.organisation),
                Value::Time(StoredTime(c.at)),
            ]
        })
        .collect();
    insert_rows(
        conn,
        "entity_revisions",
        &[
            "entity_type",
            "entity_id",
            "revision",
            "action",
            "snapshot",
            "actor_role",
            "actor_organisation",
            "recorded_at",
        ],
        &rows,
    )?;
    audit::record_many(
        conn,
        actor,
        created.iter().map(|c| audit::NewEvent {
            entity_type,
            entity_id: c.id,
            action: Action::Create,
            revision: c.revision,
            force_slug: c.force_slug,
            changes: &[],
            summary: &c.summary,
            occurred_at: c.at,
        }),
    )
}

/// The last revision recorded for an entity, if any: a slug freed by a deletion and used again
/// continues its numbering, so that the history stays one sequence.
pub fn last(
    conn: &mut DbConnection,
    entity_type: &str,
    entity_id: &str,
) -> Result<Option<i64>, StoreError> {
    Ok(entity_revisions::table
        .filter(entity_revisions::entity_type.eq(entity_type))
        .filter(entity_revisions::entity_id.eq(entity_id))
        .select(diesel::dsl::max(entity_revisions::revision))
        .first(conn)?)
}

/// Every version of one entity, oldest first; `NotFound` if it never existed.
pub fn history(
    conn: &mut DbConnection,
    entity_type: &'static str,
    entity_id: &str,
) -> Result<Vec<Revision<serde_json::Value>>, StoreError> {
    let rows: Vec<(i64, String, String, String, String, NaiveDateTime)> = entity_revisions::table
        .filter(entity_revisions::entity_type.eq(entity_type))
        .filter(entity_revisions::entity_id.eq(entity_id))
        .order(entity_revisions::revision)
        .select((
            entity_revisions::revision,
            entity_revisions::action,
            entity_revisions::snapshot,
            entity_revisions::actor_role,
            entity_revisions::actor_organisation,
            entity_revisions::recorded_at,
        ))
        .load(conn)?;
    if rows.is_empty() {
        return Err(StoreError::NotFound {
            entity: entity_type,
            key: entity_id.to_owned(),
        });
    }
    rows.into_iter()
        .map(
            |(revision, action, snapshot, actor_role, actor_organisation, at)| {
                Ok(Revision {
                    snapshot: serde_json::from_str(&snapshot).map_err(|_| StoreError::Corrupt {
                        column: "entity_revisions.snapshot",
                        value: snapshot.chars().take(80).collect(),
                    })?,
                    revision,
                    action,
                    actor_role,
                    actor_organisation,
                    recorded_at: utc(at),
                })
            },
        )
        .collect()
}
