//! Imports: one deployment written back as exported, under the store's one "unchanged" rule.

use super::model::{Deployment, DeploymentState};
use super::read::get;
use super::write::{summary_line, update, write_state_created, Target};
use crate::db::DbConnection;
use crate::store::audit::{self, Action, Change, Changed, Stamp};
use crate::store::restore::{plan, Plan, Restorable, Restored};
use crate::store::StoreError;

/// Writes a deployment as exported (same id, revision and times), for imports: nothing when its
/// content is unchanged, a normal update when it differs (a different force or tool is refused). References are
/// the caller's to check. Call inside a write transaction.
pub fn restore(
    conn: &mut DbConnection,
    actor: &crate::store::audit::Actor,
    record: &Deployment,
) -> Result<Restored, StoreError> {
    match plan(get(conn, &record.id, None), record)? {
        Plan::Unchanged => Ok(Restored::Unchanged),
        Plan::Update(current) if current.force != record.force || current.tool != record.tool => {
            Err(StoreError::Invalid {
                field: "id",
                message: format!(
                    "deployment `{}` is about {} and {} in this registry",
                    record.id, current.force, current.tool
                ),
            })
        }
        Plan::Update(current) => {
            update(
                conn,
                &Stamp::now(actor.clone()),
                &record.id,
                crate::store::Precondition::Revision(current.revision),
                &record.state,
            )?;
            Ok(Restored::Updated)
        }
        Plan::Create => {
            let stamp = Stamp {
                actor: actor.clone(),
                at: record.updated_at.naive_utc(),
            };
            let target = Target {
                id: &record.id,
                force: &record.force,
                tool: &record.tool,
            };
            write_state_created(
                conn,
                &stamp,
                &target,
                &record.state,
                record.revision,
                Action::Create,
                record.created_at.naive_utc(),
            )?;
            audit::record(
                conn,
                &stamp,
                Change {
                    entity_type: "deployment",
                    entity_id: &record.id,
                    action: Action::Create,
                    revision: record.revision,
                    force_slug: Some(&record.force),
                    changed: Changed::NONE,
                    summary: summary_line(&record.force, &record.tool, &record.state),
                },
            )?;
            Ok(Restored::Created)
        }
    }
}

/// A deployment's content is its claim: which force, which tool, and the state claimed.
impl Restorable for Deployment {
    type Content = (String, String, DeploymentState);

    fn content(&self) -> Self::Content {
        (self.force.clone(), self.tool.clone(), self.state.clone())
    }
}
