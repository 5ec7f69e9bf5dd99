//! The view of one snapshotted version of an entity, for any entity's view `T`.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::examples::schema_example;
use crate::store::revisions::Revision;

/// One version of an entity, as it was written.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Revision, example = example::<T>)]
pub struct RevisionView<T> {
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

impl<T> From<Revision<T>> for RevisionView<T> {
    fn from(r: Revision<T>) -> Self {
        Self {
            revision: r.revision,
            action: r.action,
            actor_role: r.actor_role,
            actor_organisation: r.actor_organisation,
            recorded_at: r.recorded_at,
            snapshot: r.snapshot,
        }
    }
}

/// The example of `Revision<T>`: `T`'s example, as the registry's own seed records it.
fn example<T: utoipa::PartialSchema>() -> serde_json::Value {
    let snapshot = schema_example::<T>();
    let revision = snapshot["revision"].as_i64().unwrap_or(1);
    let recorded_at = snapshot["updated_at"]
        .as_str()
        .unwrap_or("2019-07-04T12:00:00Z");
    serde_json::json!({
        "revision": revision,
        "action": if revision == 1 { "create" } else { "update" },
        "actor_role": "system",
        "actor_organisation": "Surveillance Disclosure Registry",
        "recorded_at": recorded_at,
        "snapshot": snapshot,
    })
}
