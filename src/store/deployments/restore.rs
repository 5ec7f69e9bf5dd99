//! Imports: one deployment written back as exported, under the store's one "unchanged" rule.

use super::model::{Deployment, DeploymentState};
use super::read::get;
use super::write::update;
use crate::db::DbConnection;
use crate::store::audit::Stamp;
use crate::store::restore::{plan, Plan, Restorable, Restored};
use crate::store::StoreError;

/// Writes a deployment as exported (same id, revision and times), for imports: nothing when its
/// content is unchanged, a normal update when it differs (a different force or tool is refused),
/// the bulk insert when the registry lacks it. References are
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
            super::bulk::insert_new(conn, actor, &[record])?;
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
