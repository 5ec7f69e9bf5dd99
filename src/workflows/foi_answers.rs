//! An FOI reply's claims: an answer that says a tool is (or is not) in use sets the force's
//! deployment of it, so the matrix follows the evidence. The deployment write is an ordinary,
//! audited one, and the answer is linked to it as supporting it.

use crate::db::DbConnection;
use crate::domain::{DeploymentStatus, Relation};
use crate::foi::FoiCalendar;
use crate::store::audit::Stamp;
use crate::store::deployments::{self, DeploymentState, NewDeployment};
use crate::store::foi_requests::{self, AnswerFields, FoiRequest, FoiRequestFields};
use crate::store::{Precondition, StoreError};

/// Records a new request, applying its answers' claims first. Call inside a write transaction.
pub fn create(
    conn: &mut DbConnection,
    calendar: &FoiCalendar,
    stamp: &Stamp,
    fields: &FoiRequestFields,
) -> Result<FoiRequest, StoreError> {
    let force = foi_requests::check(conn, calendar, fields)?.force;
    let fields = apply_claims(conn, stamp, &force, fields)?;
    foi_requests::create(conn, calendar, stamp, &fields)
}

/// Replaces a request's content if it is still at the revision `expected` names, applying its
/// answers' claims first. Call inside a write transaction.
pub fn update(
    conn: &mut DbConnection,
    calendar: &FoiCalendar,
    stamp: &Stamp,
    id: &str,
    expected: Precondition,
    fields: &FoiRequestFields,
) -> Result<FoiRequest, StoreError> {
    // A missing or stale request is reported before anything about the content.
    let current = foi_requests::current_at(conn, calendar, id, expected)?;
    let checked = foi_requests::check(conn, calendar, fields)?;
    let fields = apply_claims(conn, stamp, &checked.force, fields)?;
    // The claims became links to the force's own deployments, which need no second check.
    foi_requests::update_checked(conn, calendar, stamp, &current, checked, &fields)
}

/// `fields` with every claim applied to `force`'s deployments and turned into a link from its
/// answer to the deployment it set, as supporting it.
fn apply_claims(
    conn: &mut DbConnection,
    stamp: &Stamp,
    force: &str,
    fields: &FoiRequestFields,
) -> Result<FoiRequestFields, StoreError> {
    let mut resolved = fields.clone();
    for answer in &mut resolved.answers {
        for (tool, status) in std::mem::take(&mut answer.claims) {
            let claimed = record_claim(conn, stamp, force, &tool, status, fields, answer)?;
            answer.deployments.retain(|(id, _)| *id != claimed);
            answer.deployments.push((claimed, Relation::Supports));
        }
    }
    Ok(resolved)
}

/// Sets the force's deployment of `tool` to `status` as this answer says (creating it if the force
/// has none), as a normal audited deployment write. Returns the deployment's id.
fn record_claim(
    conn: &mut DbConnection,
    stamp: &Stamp,
    force: &str,
    tool: &str,
    status: DeploymentStatus,
    fields: &FoiRequestFields,
    answer: &AnswerFields,
) -> Result<String, StoreError> {
    let confirmed = fields.responded_on.unwrap_or(fields.received_on);
    match deployments::latest_id(conn, force, tool)? {
        Some(id) => {
            let current = deployments::get(conn, &id, None)?;
            let state = DeploymentState {
                status,
                last_confirmed: Some(confirmed),
                provenance: fields.provenance,
                ..current.state.clone()
            };
            if state != current.state {
                deployments::update_current(conn, stamp, &current, &state)?;
            }
            Ok(id)
        }
        None => {
            let summary = if answer.answer_text.is_empty() {
                format!("FOI answer from {}: {}", fields.authority, answer.outcome)
            } else {
                answer.answer_text.clone()
            };
            let created = deployments::create(
                conn,
                stamp,
                &NewDeployment {
                    force: force.to_owned(),
                    tool: tool.to_owned(),
                    state: DeploymentState {
                        status,
                        vendors: Vec::new(),
                        product: None,
                        first_known_use: None,
                        last_confirmed: Some(confirmed),
                        ended_on: None,
                        summary,
                        legal_basis: None,
                        authorisation: None,
                        public_consultation: None,
                        use_policy_url: None,
                        provenance: fields.provenance,
                        verified: false,
                        source_ids: Vec::new(),
                    },
                },
            )?;
            Ok(created.id)
        }
    }
}
