//! Who writes, and the append-only change log every write adds to (the public change feed).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{now, StoreError};
use crate::db::schema::change_events;
use crate::db::DbConnection;
use crate::domain::Role;

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
