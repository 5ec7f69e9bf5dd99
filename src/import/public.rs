//! The public dataset shipped with the registry (`src/reference/public/`): real records, each claim
//! citing where its source says it, in the registry's own export formats. It is loaded at start like
//! the reference data. Loading adds only records the registry has never held: one that someone has
//! since edited or deleted is left as they left it, so a later release adds what is new without
//! undoing anyone's corrections.

use std::collections::HashSet;

use diesel::prelude::*;

use super::{run, ImportError, ImportOptions, Input};
use crate::db::schema::change_events;
use crate::db::DbConnection;
use crate::foi::FoiCalendar;
use crate::store::audit::Actor;
use crate::store::StoreError;

/// The files, in the order their references need (sources before the claims that cite them, claims
/// before the FOI answers and assessments that link to them, campaigns before their requests).
pub const FILES: [(&str, &str); 5] = [
    (
        "sources.ndjson",
        include_str!("../reference/public/sources.ndjson"),
    ),
    (
        "deployments.ndjson",
        include_str!("../reference/public/deployments.ndjson"),
    ),
    (
        "campaigns.ndjson",
        include_str!("../reference/public/campaigns.ndjson"),
    ),
    (
        "foi-requests.ndjson",
        include_str!("../reference/public/foi-requests.ndjson"),
    ),
    (
        "impact-assessments.ndjson",
        include_str!("../reference/public/impact-assessments.ndjson"),
    ),
];

/// The organisation the public dataset's revisions and change events name.
pub const PUBLISHER: &str = "Surveillance Disclosure Registry public dataset";

/// Loads every record of the dataset the registry has never held; returns how many were added.
pub fn load(conn: &mut DbConnection, calendar: &FoiCalendar) -> Result<usize, ImportError> {
    let options = ImportOptions {
        dry_run: false,
        actor: Actor::system(PUBLISHER),
    };
    let mut added = 0;
    for (_, content) in FILES {
        let fresh = unseen_lines(conn, content)?;
        if !fresh.is_empty() {
            added += run(
                conn,
                calendar,
                &Input::Text(&fresh),
                &options,
                &mut |_, _| {},
            )?
            .created;
        }
    }
    Ok(added)
}

/// The lines whose record has no change event: never written here, so never edited or deleted.
/// A record's change events name it by its id, or by its slug for a campaign.
fn unseen_lines(conn: &mut DbConnection, content: &str) -> Result<String, StoreError> {
    #[derive(serde::Deserialize)]
    struct Id {
        #[serde(alias = "slug")]
        id: String,
    }
    let lines: Vec<(String, &str)> = content
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let id = serde_json::from_str::<Id>(line).map_or_else(|_| String::new(), |r| r.id);
            (id, line)
        })
        .collect();
    let ids: Vec<&str> = lines.iter().map(|(id, _)| id.as_str()).collect();
    let seen: HashSet<String> = change_events::table
        .filter(change_events::entity_id.eq_any(&ids))
        .select(change_events::entity_id)
        .distinct()
        .load(conn)?
        .into_iter()
        .collect();
    Ok(lines
        .into_iter()
        .filter(|(id, _)| !seen.contains(id))
        .map(|(_, line)| format!("{line}\n"))
        .collect())
}
