//! The view of a change event (one write in the public change feed), as the API answers with it.

use serde::Serialize;
use utoipa::ToSchema;

use crate::api::text_formats::JsonValue;
use crate::store::audit::ChangeEvent;
use crate::store::diff::FieldChange;

/// One field a write changed, with its value before (`old`) and after (`new`) as the entity's own
/// view shows it: any JSON value, `null` for none.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = FieldChange, example = json!({"field": "status", "old": "trial", "new": "in_use"}))]
pub struct FieldChangeView {
    pub field: String,
    #[schema(value_type = JsonValue)]
    pub old: serde_json::Value,
    #[schema(value_type = JsonValue)]
    pub new: serde_json::Value,
}

impl From<FieldChange> for FieldChangeView {
    fn from(c: FieldChange) -> Self {
        Self {
            field: c.field,
            old: c.old,
            new: c.new,
        }
    }
}

/// One entry of the public change feed.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ChangeEvent, example = json!({
    "id": 4211,
    "entity_type": "deployment",
    "entity_id": "0193c4a2-7d1e-7b3a-9f00-6a1d2c3b4e5f",
    "action": "update",
    "revision": 3,
    "force": "cambridgeshire",
    "actor_role": "force_staff",
    "actor_organisation": "Cambridgeshire Constabulary",
    "changed_fields": ["status", "last_confirmed"],
    "changes": [
        {"field": "status", "old": "trial", "new": "in_use"},
        {"field": "last_confirmed", "old": "2025-03-01", "new": "2026-11-20"}
    ],
    "summary": "cambridgeshire · body-worn-video: in_use",
    "occurred_at": "2026-11-26T23:00:00Z"
}))]
pub struct ChangeEventView {
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
    /// Each changed field's value before and after. Empty for creates and deletes, and for
    /// events recorded before the registry kept values (their `changed_fields` still name them).
    pub changes: Vec<FieldChangeView>,
    pub summary: String,
    pub occurred_at: chrono::DateTime<chrono::Utc>,
}

impl From<ChangeEvent> for ChangeEventView {
    fn from(v: ChangeEvent) -> Self {
        Self {
            id: v.id,
            entity_type: v.entity_type,
            entity_id: v.entity_id,
            action: v.action,
            revision: v.revision,
            force: v.force,
            actor_role: v.actor_role,
            actor_organisation: v.actor_organisation,
            changed_fields: v.changed_fields,
            changes: v.changes.into_iter().map(FieldChangeView::from).collect(),
            summary: v.summary,
            occurred_at: v.occurred_at,
        }
    }
}
