//! Many new deployments at once (imports, the demo seeder): multi-row statements instead of a
//! write per record and revision.

use chrono::NaiveDateTime;

use super::model::{Deployment, DeploymentState};
use super::write::summary_line;
use crate::db::bulk::{insert_rows, Growth, StoredTime, Value};
use crate::db::DbConnection;
use crate::store::audit::{self, Action, Actor};
use crate::store::diff::{self, FieldChange};
use crate::store::StoreError;

/// One state a new deployment held: its revision number, the write that made it and when.
pub struct Revision<'a> {
    pub number: i64,
    pub action: Action,
    pub at: NaiveDateTime,
    pub state: &'a DeploymentState,
}

/// A deployment the registry does not hold yet, with every revision it is to have, oldest first
/// (at least one; an exported deployment has one, whatever its number). It is stored as its last
/// revision says.
pub struct NewHistory<'a> {
    pub id: &'a str,
    pub force: &'a str,
    pub tool: &'a str,
    pub created_at: NaiveDateTime,
    pub revisions: Vec<Revision<'a>>,
}

impl NewHistory<'_> {
    fn current(&self) -> &Revision<'_> {
        self.revisions.last().expect("a history has a revision")
    }
}

/// Writes many deployments the registry does not hold yet, as exported (ids, revisions and times
/// kept), with their revisions, source links and change events. References are the caller's to
/// check. Call inside a write transaction.
pub fn insert_new(
    conn: &mut DbConnection,
    actor: &Actor,
    records: &[&Deployment],
) -> Result<(), StoreError> {
    let histories: Vec<NewHistory<'_>> = records
        .iter()
        .map(|d| NewHistory {
            id: &d.id,
            force: &d.force,
            tool: &d.tool,
            created_at: d.created_at.naive_utc(),
            revisions: vec![Revision {
                number: d.revision,
                action: Action::Create,
                at: d.updated_at.naive_utc(),
                state: &d.state,
            }],
        })
        .collect();
    insert_histories(conn, actor, &histories)
}

/// The columns a deployment's row and each of its revisions share.
const CONTENT: [&str; 16] = [
    "force_slug",
    "tool_slug",
    "status",
    "vendors",
    "product",
    "first_known_use",
    "last_confirmed",
    "ended_on",
    "summary",
    "legal_basis",
    "authorisation",
    "public_consultation",
    "use_policy_url",
    "provenance",
    "verified",
    "revision",
];

fn content<'a>(
    history: &'a NewHistory<'_>,
    revision: &'a Revision<'_>,
    vendors: &'a str,
) -> [Value<'a>; 16] {
    let s = revision.state;
    [
        Value::Text(history.force),
        Value::Text(history.tool),
        Value::Text(s.status.as_str()),
        Value::Text(vendors),
        Value::OptText(s.product.as_deref()),
        Value::OptDate(s.first_known_use),
        Value::OptDate(s.last_confirmed),
        Value::OptDate(s.ended_on),
        Value::Text(&s.summary),
        Value::OptText(s.legal_basis.as_deref()),
        Value::OptText(s.authorisation.as_deref()),
        Value::OptText(s.public_consultation.as_deref()),
        Value::OptText(s.use_policy_url.as_deref()),
        Value::Text(s.provenance.as_str()),
        Value::Bool(s.verified),
        Value::Int(revision.number),
    ]
}

/// Writes deployments the registry does not hold yet with their whole histories: each one's
/// current row and source links, and a revision and a change event (by `actor`, at the revision's
/// time) for every revision. References are the caller's to check. Call inside a write
/// transaction.
pub fn insert_histories(
    conn: &mut DbConnection,
    actor: &Actor,
    histories: &[NewHistory<'_>],
) -> Result<(), StoreError> {
    let to_json = |value: &[String]| serde_json::to_string(value).expect("strings serialise");
    let revisions: Vec<(&NewHistory<'_>, &Revision<'_>)> = histories
        .iter()
        .flat_map(|h| h.revisions.iter().map(move |r| (h, r)))
        .collect();
    let vendors: Vec<String> = revisions
        .iter()
        .map(|(_, r)| to_json(&r.state.vendors))
        .collect();
    let source_ids: Vec<String> = revisions
        .iter()
        .map(|(_, r)| to_json(&r.state.source_ids))
        .collect();
    let with = |first: &[&'static str], last: &[&'static str]| -> Vec<&'static str> {
        first.iter().chain(&CONTENT).chain(last).copied().collect()
    };
    let current_vendors: Vec<String> = histories
        .iter()
        .map(|h| to_json(&h.current().state.vendors))
        .collect();
    let rows: Vec<Vec<Value<'_>>> = histories
        .iter()
        .zip(&current_vendors)
        .map(|(h, vendors)| {
            let current = h.current();
            let mut row = vec![Value::Text(h.id)];
            row.extend(content(h, current, vendors));
            row.push(Value::Time(StoredTime(h.created_at)));
            row.push(Value::Time(StoredTime(current.at)));
            row
        })
        .collect();
    insert_rows(
        conn,
        "deployments",
        &with(&["id"], &["created_at", "updated_at"]),
        &rows,
    )?;
    let links: Vec<Vec<Value<'_>>> = histories
        .iter()
        .flat_map(|h| {
            h.current()
                .state
                .source_ids
                .iter()
                .map(|s| vec![Value::Text(h.id), Value::Text(s)])
        })
        .collect();
    insert_rows(
        conn,
        "deployment_sources",
        &["deployment_id", "source_id"],
        &links,
    )?;
    let rows: Vec<Vec<Value<'_>>> = revisions
        .iter()
        .zip(vendors.iter().zip(&source_ids))
        .map(|((h, r), (vendors, source_ids))| {
            let mut row = vec![Value::Text(h.id), Value::Text(r.action.as_str())];
            row.extend(content(h, r, vendors));
            row.extend([
                Value::Text(source_ids),
                Value::Text(actor.role_name()),
                Value::Text(&actor.organisation),
                Value::Time(StoredTime(r.at)),
            ]);
            row
        })
        .collect();
    insert_rows(
        conn,
        "deployment_revisions",
        &with(
            &["deployment_id", "action"],
            &[
                "source_ids",
                "actor_role",
                "actor_organisation",
                "recorded_at",
            ],
        ),
        &rows,
    )?;
    let summaries: Vec<String> = revisions
        .iter()
        .map(|(h, r)| summary_line(h.force, h.tool, r.state))
        .collect();
    // Each revision's changes against the one before it in its history (none for the first).
    let changes: Vec<Vec<FieldChange>> = histories
        .iter()
        .flat_map(|h| {
            let before = std::iter::once(None).chain(h.revisions.iter().map(|r| Some(r.state)));
            before
                .zip(&h.revisions)
                .map(|(before, r)| before.map_or_else(Vec::new, |b| diff::all(b, r.state)))
        })
        .collect();
    audit::record_many(
        conn,
        actor,
        revisions
            .iter()
            .zip(summaries.iter().zip(&changes))
            .map(|((h, r), (summary, changes))| audit::NewEvent {
                entity_type: "deployment",
                entity_id: h.id,
                action: r.action,
                revision: r.number,
                force_slug: Some(h.force),
                changes,
                summary,
                occurred_at: r.at,
            }),
    )
}

/// The tables `insert_new` adds to, and how many rows it adds to each for `records`.
pub fn bulk_growth(records: &[&Deployment]) -> Vec<Growth<'static>> {
    let links = records.iter().map(|d| d.state.source_ids.len()).sum();
    [
        ("deployments", records.len()),
        ("deployment_revisions", records.len()),
        ("deployment_sources", links),
        ("change_events", records.len()),
        ("search_documents", records.len()),
    ]
    .into_iter()
    .map(|(table, adding)| Growth { table, adding })
    .collect()
}
