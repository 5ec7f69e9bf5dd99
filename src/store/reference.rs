//! Reference data shipped with the binary (forces, their FOI authorities, the tool taxonomy), loaded
//! at start. Only rows that are missing are inserted: re-running changes nothing, a later release can
//! add rows, and edits made through the API are never overwritten.

use std::collections::HashSet;

use diesel::prelude::*;
use serde::Deserialize;

use super::{now, write_transaction, StoreError};
use crate::db::schema::{authorities, forces, tools};
use crate::db::DbConnection;
use crate::domain::{AuthorityKind, FoiLaw, ForceKind, Nation, Slug};

const FORCES_JSON: &str = include_str!("../reference/forces.json");
const TOOLS_JSON: &str = include_str!("../reference/tools.json");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ForceEntry {
    slug: Slug,
    name: String,
    kind: ForceKind,
    country: String,
    nation: Option<Nation>,
    /// The ONS region for English forces, the nation elsewhere; none for forces without one (BTP).
    region: Option<String>,
    website: Option<String>,
    oversight: OversightEntry,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OversightEntry {
    slug: Slug,
    name: String,
    kind: AuthorityKind,
    website: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ToolEntry {
    slug: Slug,
    name: String,
    description: String,
    parent: Option<Slug>,
    aliases: Vec<String>,
    atlas_category: Option<String>,
}

/// How many rows a load inserted.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Loaded {
    pub forces: usize,
    pub authorities: usize,
    pub tools: usize,
}

/// Gives forces loaded before regions were shipped the region of the reference data, leaving any
/// region someone has set alone.
fn fill_regions(conn: &mut DbConnection, entries: &[ForceEntry]) -> Result<(), StoreError> {
    let unset: HashSet<String> = forces::table
        .filter(forces::region.is_null())
        .select(forces::slug)
        .load::<String>(conn)?
        .into_iter()
        .collect();
    for force in entries.iter().filter(|f| unset.contains(f.slug.as_str())) {
        if let Some(region) = &force.region {
            diesel::update(forces::table.find(force.slug.as_str()))
                .filter(forces::region.is_null())
                .set(forces::region.eq(region))
                .execute(conn)?;
        }
    }
    Ok(())
}

/// Inserts whatever reference rows are missing, in one transaction.
pub fn load(conn: &mut DbConnection) -> Result<Loaded, StoreError> {
    let force_entries: Vec<ForceEntry> =
        serde_json::from_str(FORCES_JSON).expect("src/reference/forces.json is valid");
    let tool_entries: Vec<ToolEntry> =
        serde_json::from_str(TOOLS_JSON).expect("src/reference/tools.json is valid");

    let existing_forces: HashSet<String> = forces::table
        .select(forces::slug)
        .load::<String>(conn)?
        .into_iter()
        .collect();
    let existing_authorities: HashSet<String> = authorities::table
        .select(authorities::slug)
        .load::<String>(conn)?
        .into_iter()
        .collect();
    let existing_tools: HashSet<String> = tools::table
        .select(tools::slug)
        .load::<String>(conn)?
        .into_iter()
        .collect();
    let nothing_missing = force_entries.iter().all(|f| {
        existing_forces.contains(f.slug.as_str())
            && existing_authorities.contains(f.slug.as_str())
            && existing_authorities.contains(f.oversight.slug.as_str())
    }) && tool_entries
        .iter()
        .all(|t| existing_tools.contains(t.slug.as_str()));
    fill_regions(conn, &force_entries)?;
    if nothing_missing {
        return Ok(Loaded::default());
    }

    write_transaction(conn, |conn| {
        let at = now();
        let mut loaded = Loaded::default();
        for force in &force_entries {
            let law = if force.nation == Some(Nation::Scotland) {
                FoiLaw::Foisa
            } else {
                FoiLaw::Foia
            };
            if !existing_forces.contains(force.slug.as_str()) {
                diesel::insert_into(forces::table)
                    .values((
                        forces::slug.eq(force.slug.as_str()),
                        forces::name.eq(&force.name),
                        forces::kind.eq(force.kind.as_str()),
                        forces::country.eq(&force.country),
                        forces::nation.eq(force.nation.map(Nation::as_str)),
                        forces::region.eq(&force.region),
                        forces::website.eq(&force.website),
                        forces::created_at.eq(at),
                        forces::updated_at.eq(at),
                    ))
                    .execute(conn)?;
                loaded.forces += 1;
            }
            let bodies = [
                (
                    force.slug.as_str(),
                    force.name.as_str(),
                    AuthorityKind::Force,
                    &force.website,
                ),
                (
                    force.oversight.slug.as_str(),
                    force.oversight.name.as_str(),
                    force.oversight.kind,
                    &force.oversight.website,
                ),
            ];
            for (slug, name, kind, website) in bodies {
                if existing_authorities.contains(slug) {
                    continue;
                }
                diesel::insert_into(authorities::table)
                    .values((
                        authorities::slug.eq(slug),
                        authorities::name.eq(name),
                        authorities::kind.eq(kind.as_str()),
                        authorities::force_slug.eq(force.slug.as_str()),
                        authorities::foi_law.eq(law.as_str()),
                        authorities::website.eq(website),
                        authorities::created_at.eq(at),
                        authorities::updated_at.eq(at),
                    ))
                    .execute(conn)?;
                loaded.authorities += 1;
            }
        }
        for (position, tool) in tool_entries.iter().enumerate() {
            if existing_tools.contains(tool.slug.as_str()) {
                continue;
            }
            diesel::insert_into(tools::table)
                .values((
                    tools::slug.eq(tool.slug.as_str()),
                    tools::name.eq(&tool.name),
                    tools::description.eq(&tool.description),
                    tools::parent_slug.eq(tool.parent.as_ref().map(Slug::as_str)),
                    tools::aliases
                        .eq(serde_json::to_string(&tool.aliases).expect("strings serialise")),
                    tools::atlas_category.eq(&tool.atlas_category),
                    tools::position.eq(position as i32),
                    tools::created_at.eq(at),
                    tools::updated_at.eq(at),
                ))
                .execute(conn)?;
            loaded.tools += 1;
        }
        Ok(loaded)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_reference_data_is_complete_and_consistent() {
        let forces: Vec<ForceEntry> = serde_json::from_str(FORCES_JSON).unwrap();
        assert_eq!(forces.len(), 46);
        assert!(forces.iter().any(|f| f.slug.as_str() == "police-scotland"));
        let tools: Vec<ToolEntry> = serde_json::from_str(TOOLS_JSON).unwrap();
        let mut seen = HashSet::new();
        for tool in &tools {
            if let Some(parent) = &tool.parent {
                assert!(
                    seen.contains(parent.as_str()),
                    "{} listed before its parent",
                    tool.slug
                );
            }
            assert!(seen.insert(tool.slug.as_str()), "duplicate {}", tool.slug);
        }
        for campaign_tool in [
            "body-worn-video",
            "facial-recognition",
            "equipment-interference",
            "imsi-catcher",
            "mobile-phone-extraction",
            "predictive-policing",
            "social-media-intelligence",
        ] {
            assert!(seen.contains(campaign_tool), "{campaign_tool} missing");
        }
        let atlas: HashSet<&str> = tools
            .iter()
            .filter_map(|t| t.atlas_category.as_deref())
            .collect();
        assert_eq!(atlas.len(), 12);
    }
}
