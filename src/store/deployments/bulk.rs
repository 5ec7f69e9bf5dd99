//! Imports of many new deployments at once: multi-row statements instead of a write per record.

use super::model::Deployment;
use super::write::summary_line;
use crate::db::DbConnection;
use crate::store::audit::{self, Action};
use crate::store::StoreError;

/// Writes many deployments the registry does not hold yet, as exported (ids, revisions and times
/// kept), with their revisions, source links and change events: a few multi-row statements per
/// thousand records instead of several statements each. References are the caller's to check.
/// Call inside a write transaction.
pub fn insert_new(
    conn: &mut DbConnection,
    actor: &crate::store::audit::Actor,
    records: &[&Deployment],
) -> Result<(), StoreError> {
    use crate::db::bulk::{insert_rows, StoredTime, Value};
    let to_json = |value: &[String]| serde_json::to_string(value).expect("strings serialise");
    let vendors: Vec<String> = records.iter().map(|d| to_json(&d.state.vendors)).collect();
    let source_ids: Vec<String> = records
        .iter()
        .map(|d| to_json(&d.state.source_ids))
        .collect();
    fn content<'a>(d: &'a Deployment, vendors: &'a str) -> [Value<'a>; 16] {
        let s = &d.state;
        [
            Value::Text(&d.force),
            Value::Text(&d.tool),
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
            Value::Int(d.revision),
        ]
    }
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
    let with = |first: &[&'static str], last: &[&'static str]| -> Vec<&'static str> {
        first.iter().chain(&CONTENT).chain(last).copied().collect()
    };
    let rows: Vec<Vec<Value<'_>>> = records
        .iter()
        .zip(&vendors)
        .map(|(d, vendors)| {
            let mut row = vec![Value::Text(&d.id)];
            row.extend(content(d, vendors));
            row.push(Value::Time(StoredTime(d.created_at.naive_utc())));
            row.push(Value::Time(StoredTime(d.updated_at.naive_utc())));
            row
        })
        .collect();
    insert_rows(
        conn,
        "deployments",
        &with(&["id"], &["created_at", "updated_at"]),
        &rows,
    )?;
    let links: Vec<Vec<Value<'_>>> = records
        .iter()
        .flat_map(|d| {
            d.state
                .source_ids
                .iter()
                .map(|s| vec![Value::Text(&d.id), Value::Text(s)])
        })
        .collect();
    insert_rows(
        conn,
        "deployment_sources",
        &["deployment_id", "source_id"],
        &links,
    )?;
    let revisions: Vec<Vec<Value<'_>>> = records
        .iter()
        .zip(vendors.iter().zip(&source_ids))
        .map(|(d, (vendors, source_ids))| {
            let mut row = vec![Value::Text(&d.id), Value::Text(Action::Create.as_str())];
            row.extend(content(d, vendors));
            row.extend([
                Value::Text(source_ids),
                Value::Text(actor.role_name()),
                Value::Text(&actor.organisation),
                Value::Time(StoredTime(d.updated_at.naive_utc())),
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
        &revisions,
    )?;
    let summaries: Vec<String> = records
        .iter()
        .map(|d| summary_line(&d.force, &d.tool, &d.state))
        .collect();
    audit::record_many(
        conn,
        actor,
        records
            .iter()
            .zip(&summaries)
            .map(|(d, summary)| audit::NewEvent {
                entity_type: "deployment",
                entity_id: &d.id,
                action: Action::Create,
                revision: d.revision,
                force_slug: Some(&d.force),
                summary,
                occurred_at: d.updated_at.naive_utc(),
            }),
    )
}

/// The tables `insert_new` adds to, and how many rows it adds to each for `records`.
pub fn bulk_growth(records: &[&Deployment]) -> Vec<crate::db::bulk::Growth<'static>> {
    use crate::db::bulk::Growth;
    let links = records.iter().map(|d| d.state.source_ids.len()).sum();
    vec![
        Growth {
            table: "deployments",
            adding: records.len(),
        },
        Growth {
            table: "deployment_revisions",
            adding: records.len(),
        },
        Growth {
            table: "deployment_sources",
            adding: links,
        },
        Growth {
            table: "change_events",
            adding: records.len(),
        },
        Growth {
            table: "search_documents",
            adding: records.len(),
        },
    ]
}
