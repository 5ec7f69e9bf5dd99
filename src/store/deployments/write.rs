//! Writes: create, update and delete, each storing the row, its source links, a revision and a
//! change event.

use chrono::{DateTime, Utc};
use diesel::dsl::exists;
use diesel::prelude::*;

use super::model::{Deployment, DeploymentState, NewDeployment};
use super::read::get;
use crate::db::bulk::{insert_rows, Value};
use crate::db::schema::{
    deployment_revisions, deployment_sources, deployments, forces, sources as sources_table, tools,
};
use crate::db::DbConnection;
use crate::store::audit::{self, Action, Change, Changed, Stamp};
use crate::store::diff;
use crate::store::{new_id, utc, StoreError};

/// Checks, in one statement, that the force and the tool exist and that every cited source does.
fn check_references(
    conn: &mut DbConnection,
    force: &str,
    tool: &str,
    state: &DeploymentState,
) -> Result<(), StoreError> {
    let (force_exists, tool_exists, sources_found): (bool, bool, Option<i64>) = diesel::select((
        exists(forces::table.find(force)),
        exists(tools::table.find(tool)),
        sources_table::table
            .filter(sources_table::id.eq_any(&state.source_ids))
            .count()
            .single_value(),
    ))
    .get_result(conn)?;
    if !force_exists {
        return Err(StoreError::Invalid {
            field: "force",
            message: format!("no force has the slug `{force}`"),
        });
    }
    if !tool_exists {
        return Err(StoreError::Invalid {
            field: "tool",
            message: format!("no tool has the slug `{tool}`"),
        });
    }
    if sources_found.unwrap_or(0) != state.source_ids.len() as i64 {
        return Err(StoreError::Invalid {
            field: "source_ids",
            message: "names a source that does not exist".into(),
        });
    }
    Ok(())
}

/// Which deployment a write is about.
struct Target<'a> {
    id: &'a str,
    force: &'a str,
    tool: &'a str,
}

/// The one way a deployment's write is recorded (the typed counterpart of
/// [`crate::store::revisions::record_write`]): the row, its source links (written when they
/// differ from `held_sources`, the links before the write; `None` for a new deployment) and its
/// revision, and the change event, in the caller's transaction.
#[allow(clippy::too_many_arguments)]
fn record_write(
    conn: &mut DbConnection,
    stamp: &Stamp,
    target: &Target<'_>,
    state: &DeploymentState,
    held_sources: Option<&[String]>,
    revision: i64,
    action: Action,
    changed: Changed<'_>,
    summary: String,
) -> Result<(), StoreError> {
    let Target { id, force, tool } = *target;
    let (actor, at) = (&stamp.actor, stamp.at);
    let vendors = serde_json::to_string(&state.vendors).expect("strings serialise");
    let source_ids = serde_json::to_string(&state.source_ids).expect("strings serialise");
    macro_rules! content {
        ($t:ident) => {
            (
                $t::force_slug.eq(force),
                $t::tool_slug.eq(tool),
                $t::status.eq(state.status.as_str()),
                $t::vendors.eq(&vendors),
                $t::product.eq(&state.product),
                $t::first_known_use.eq(state.first_known_use),
                $t::last_confirmed.eq(state.last_confirmed),
                $t::ended_on.eq(state.ended_on),
                $t::summary.eq(&state.summary),
                $t::legal_basis.eq(&state.legal_basis),
                $t::authorisation.eq(&state.authorisation),
                $t::public_consultation.eq(&state.public_consultation),
                $t::use_policy_url.eq(&state.use_policy_url),
                $t::provenance.eq(state.provenance.as_str()),
                $t::verified.eq(state.verified),
                $t::revision.eq(revision),
            )
        };
    }
    match action {
        Action::Create => {
            diesel::insert_into(deployments::table)
                .values((
                    deployments::id.eq(id),
                    content!(deployments),
                    deployments::created_at.eq(at),
                    deployments::updated_at.eq(at),
                ))
                .execute(conn)?;
        }
        Action::Update => {
            diesel::update(deployments::table.find(id))
                .set((content!(deployments), deployments::updated_at.eq(at)))
                .execute(conn)?;
        }
        Action::Delete => {
            // The links go with the row.
            diesel::delete(deployments::table.find(id)).execute(conn)?;
        }
    }
    if action != Action::Delete && held_sources != Some(state.source_ids.as_slice()) {
        if held_sources.is_some_and(|held| !held.is_empty()) {
            diesel::delete(
                deployment_sources::table.filter(deployment_sources::deployment_id.eq(id)),
            )
            .execute(conn)?;
        }
        let links: Vec<Vec<Value<'_>>> = state
            .source_ids
            .iter()
            .map(|source| vec![Value::Text(id), Value::Text(source)])
            .collect();
        insert_rows(
            conn,
            "deployment_sources",
            &["deployment_id", "source_id"],
            &links,
        )?;
    }
    let history = diesel::insert_into(deployment_revisions::table).values((
        deployment_revisions::deployment_id.eq(id),
        deployment_revisions::action.eq(action.as_str()),
        content!(deployment_revisions),
        deployment_revisions::source_ids.eq(&source_ids),
        deployment_revisions::actor_role.eq(actor.role_name()),
        deployment_revisions::actor_organisation.eq(&actor.organisation),
        deployment_revisions::recorded_at.eq(at),
    ));
    audit::record_with(
        conn,
        &history,
        stamp,
        Change {
            entity_type: "deployment",
            entity_id: id,
            action,
            revision,
            force_slug: Some(force),
            changed,
            summary,
        },
    )
}

/// The deployment as a read returns it once written (sources in id order), built from what was
/// written rather than read back.
fn written(
    target: &Target<'_>,
    state: &DeploymentState,
    revision: i64,
    created_at: DateTime<Utc>,
    stamp: &Stamp,
) -> Deployment {
    let mut state = state.clone();
    state.source_ids.sort();
    Deployment {
        id: target.id.to_owned(),
        force: target.force.to_owned(),
        tool: target.tool.to_owned(),
        state,
        revision,
        created_at,
        updated_at: utc(stamp.at),
    }
}

pub(super) fn summary_line(force: &str, tool: &str, state: &DeploymentState) -> String {
    format!("{force} · {tool}: {}", state.status)
}

/// Records a new deployment with its first revision and change event. Call inside a write
/// transaction.
pub fn create(
    conn: &mut DbConnection,
    stamp: &Stamp,
    new: &NewDeployment,
) -> Result<Deployment, StoreError> {
    check_references(conn, &new.force, &new.tool, &new.state)?;
    let id = new_id();
    let target = Target {
        id: &id,
        force: &new.force,
        tool: &new.tool,
    };
    let summary = summary_line(&new.force, &new.tool, &new.state);
    record_write(
        conn,
        stamp,
        &target,
        &new.state,
        None,
        1,
        Action::Create,
        Changed::NONE,
        summary,
    )?;
    Ok(written(&target, &new.state, 1, utc(stamp.at), stamp))
}

/// Replaces a deployment's content if it is still at the revision `expected` names. Call inside a write
/// transaction.
pub fn update(
    conn: &mut DbConnection,
    stamp: &Stamp,
    id: &str,
    expected: crate::store::Precondition,
    state: &DeploymentState,
) -> Result<Deployment, StoreError> {
    let current = get(conn, id, None)?;
    crate::store::expect_revision("deployment", id, current.revision, expected)?;
    update_current(conn, stamp, &current, state)
}

/// Replaces the content of `current`, read in this transaction (at the revision the writer
/// expects). Call inside a write transaction.
pub fn update_current(
    conn: &mut DbConnection,
    stamp: &Stamp,
    current: &Deployment,
    state: &DeploymentState,
) -> Result<Deployment, StoreError> {
    let id = current.id.as_str();
    // The force and tool are the held row's, and so are the sources it already cites (their
    // foreign keys hold them): only a source new to it needs looking up.
    if state
        .source_ids
        .iter()
        .any(|source| !current.state.source_ids.contains(source))
    {
        check_references(conn, &current.force, &current.tool, state)?;
    }
    let changed = Changed::Values(diff::all(&current.state, state));
    let revision = current.revision + 1;
    let target = Target {
        id,
        force: &current.force,
        tool: &current.tool,
    };
    let summary = summary_line(&current.force, &current.tool, state);
    record_write(
        conn,
        stamp,
        &target,
        state,
        Some(&current.state.source_ids),
        revision,
        Action::Update,
        changed,
        summary,
    )?;
    Ok(written(&target, state, revision, current.created_at, stamp))
}

/// Deletes a deployment if it is still at the revision `expected` names; its history stays readable.
pub fn delete(
    conn: &mut DbConnection,
    stamp: &Stamp,
    id: &str,
    expected: crate::store::Precondition,
) -> Result<(), StoreError> {
    let current = get(conn, id, None)?;
    crate::store::expect_revision("deployment", id, current.revision, expected)?;
    let revision = current.revision + 1;
    let target = Target {
        id,
        force: &current.force,
        tool: &current.tool,
    };
    let summary = format!("{} · {}: deleted", current.force, current.tool);
    record_write(
        conn,
        stamp,
        &target,
        &current.state,
        Some(&current.state.source_ids),
        revision,
        Action::Delete,
        Changed::NONE,
        summary,
    )
}
