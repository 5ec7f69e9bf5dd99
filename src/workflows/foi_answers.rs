//! An FOI reply's claims: an answer that says a tool is (or is not) in use sets the force's
//! deployment of it, so the matrix follows the evidence. The deployment write is an ordinary,
//! audited one, and the answer is linked to it as supporting it.

use crate::db::DbConnection;
use crate::domain::{DeploymentStatus, Relation};
use crate::foi::FoiCalendar;
use crate::store::audit::{Action, Stamp};
use crate::store::deployments::{self, DeploymentState, NewHistory, Revision};
use crate::store::foi_requests::{self, AnswerFields, FoiRequest, FoiRequestFields};
use crate::store::{new_id, Precondition, StoreError};

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
/// answer to the deployment it set, as supporting it. The force's deployments of the claimed tools
/// are read at once, and the deployments the claims create are written together (a tool's first
/// claim creates it; a later claim of the same tool, or a claim of a tool the force has, updates
/// it, in answer order).
fn apply_claims(
    conn: &mut DbConnection,
    stamp: &Stamp,
    force: &str,
    fields: &FoiRequestFields,
) -> Result<FoiRequestFields, StoreError> {
    let mut resolved = fields.clone();
    let claims: Vec<(usize, String, DeploymentStatus)> = resolved
        .answers
        .iter_mut()
        .enumerate()
        .flat_map(|(n, answer)| {
            std::mem::take(&mut answer.claims)
                .into_iter()
                .map(move |(tool, status)| (n, tool, status))
        })
        .collect();
    if claims.is_empty() {
        return Ok(resolved);
    }
    let tools: Vec<&str> = claims.iter().map(|(_, tool, _)| tool.as_str()).collect();
    let mut held = deployments::latest_ids(conn, force, &tools)?;
    let mut created: Vec<(String, String, DeploymentState)> = Vec::new();
    let mut updates = Vec::new();
    let mut supports = Vec::with_capacity(claims.len());
    for (n, tool, status) in claims {
        let id = match held.get(&tool) {
            Some(id) => {
                updates.push((id.clone(), status));
                id.clone()
            }
            None => {
                let id = new_id();
                let state = claimed_state(status, fields, &fields.answers[n]);
                created.push((id.clone(), tool.clone(), state));
                held.insert(tool, id.clone());
                id
            }
        };
        supports.push((n, id));
    }
    let histories: Vec<NewHistory<'_>> = created
        .iter()
        .map(|(id, tool, state)| NewHistory {
            id,
            force,
            tool,
            created_at: stamp.at,
            revisions: vec![Revision {
                number: 1,
                action: Action::Create,
                at: stamp.at,
                state,
            }],
        })
        .collect();
    deployments::insert_histories(conn, &stamp.actor, &histories)?;
    for (id, status) in updates {
        update_claimed(conn, stamp, &id, status, fields)?;
    }
    for (n, id) in supports {
        let links = &mut resolved.answers[n].deployments;
        links.retain(|(linked, _)| *linked != id);
        links.push((id, Relation::Supports));
    }
    Ok(resolved)
}

/// A new deployment as an answer's claim of `status` describes it.
fn claimed_state(
    status: DeploymentStatus,
    fields: &FoiRequestFields,
    answer: &AnswerFields,
) -> DeploymentState {
    let summary = if answer.answer_text.is_empty() {
        format!("FOI answer from {}: {}", fields.authority, answer.outcome)
    } else {
        answer.answer_text.clone()
    };
    DeploymentState {
        status,
        vendors: Vec::new(),
        product: None,
        first_known_use: None,
        last_confirmed: Some(confirmed_on(fields)),
        ended_on: None,
        summary,
        legal_basis: None,
        authorisation: None,
        public_consultation: None,
        use_policy_url: None,
        provenance: fields.provenance,
        verified: false,
        source_ids: Vec::new(),
    }
}

/// The day a reply confirms its claims on.
fn confirmed_on(fields: &FoiRequestFields) -> chrono::NaiveDate {
    fields.responded_on.unwrap_or(fields.received_on)
}

/// Sets deployment `id` to `status` as the reply says, as a normal audited write (none when it
/// already says so).
fn update_claimed(
    conn: &mut DbConnection,
    stamp: &Stamp,
    id: &str,
    status: DeploymentStatus,
    fields: &FoiRequestFields,
) -> Result<(), StoreError> {
    let current = deployments::get(conn, id, None)?;
    let state = DeploymentState {
        status,
        last_confirmed: Some(confirmed_on(fields)),
        provenance: fields.provenance,
        ..current.state.clone()
    };
    if state != current.state {
        deployments::update_current(conn, stamp, &current, &state)?;
    }
    Ok(())
}
