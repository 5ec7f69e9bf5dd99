//! The Atlas of Surveillance CSV (EFF): one row per agency and technology. Agencies become forces
//! (country `US`, their state as region), technologies map onto the taxonomy through each tool's
//! `atlas_category`, links become sources. Ids are derived from the Atlas's own numbers and the
//! links' URLs, so importing the same file again finds what the first import wrote.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use super::input::Reader;
use super::{Row, Rows};
use crate::db::schema::{forces, sources, tools};
use crate::db::DbConnection;
use crate::domain::{DeploymentStatus, ForceKind, Provenance, Slug, SourceKind};
use crate::store::audit::{self, Action, Actor, Change, Stamp};
use crate::store::deployments::{self, Deployment, DeploymentState};
use crate::store::restore::Restored;
use crate::store::StoreError;

/// One usable row of the Atlas.
pub(super) struct AtlasRow {
    aos_number: String,
    agency: AtlasAgency,
    summary: String,
    technology: String,
    vendor: Option<String>,
    links: Vec<AtlasLink>,
}

/// An agency as the Atlas names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AtlasAgency {
    pub name: String,
    pub state: String,
    pub kind: String,
}

impl AtlasAgency {
    /// The force slug: the agency's name and state, as a slug of at most 64 characters.
    pub fn slug(&self) -> String {
        let mut slug = slugify(&format!("{} {}", self.name, self.state));
        if slug.len() > 64 {
            slug.truncate(64);
            slug = slug.trim_end_matches('-').to_owned();
        }
        slug
    }
}

struct AtlasLink {
    url: String,
    snapshot: Option<String>,
    publisher: Option<String>,
    kind: Option<String>,
    date: Option<NaiveDate>,
}

/// Lower-case words joined by hyphens.
fn slugify(text: &str) -> String {
    text.to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// A stable id for `key`: the first 16 bytes of its SHA-256, as a version 8 (custom) UUID.
fn stable_id(key: &str) -> String {
    let digest = Sha256::digest(key.as_bytes());
    let bytes: [u8; 16] = digest[..16].try_into().expect("16 bytes");
    uuid::Builder::from_custom_bytes(bytes)
        .into_uuid()
        .hyphenated()
        .to_string()
}

fn date(raw: &str) -> Option<NaiveDate> {
    let raw = raw.trim();
    ["%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y"]
        .iter()
        .find_map(|format| NaiveDate::parse_from_str(raw, format).ok())
}

/// Parses the file by its header's column names.
pub(super) fn rows<'a>(reader: Reader<'a>) -> Rows<'a> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.trim().to_owned()).collect(),
        Err(error) => return Box::new(std::iter::once((1, Err(error.to_string())))),
    };
    let column = move |name: &str| header.iter().position(|c| c.eq_ignore_ascii_case(name));
    let required = ["AOSNUMBER", "Agency", "State", "Technology"];
    let missing: Vec<&str> = required
        .iter()
        .copied()
        .filter(|name| column(name).is_none())
        .collect();
    if !missing.is_empty() {
        let reason = format!("the header lacks {}", missing.join(", "));
        return Box::new(std::iter::once((1, Err(reason))));
    }
    Box::new(reader.into_records().map(move |record| {
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                let line = error.position().map_or(0, |p| p.line() as usize);
                return (line, Err(error.to_string()));
            }
        };
        let line = record.position().map_or(0, |p| p.line() as usize);
        (line, row(&record, &column))
    }))
}

/// One record of the CSV as a row, or why it cannot be one.
fn row(record: &csv::StringRecord, column: &impl Fn(&str) -> Option<usize>) -> Result<Row, String> {
    let cell = |name: &str| {
        column(name)
            .and_then(|i| record.get(i))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let mut missing = Vec::new();
    let mut need = |name: &'static str| {
        cell(name).unwrap_or_else(|| {
            missing.push(name);
            String::new()
        })
    };
    let aos_number = need("AOSNUMBER");
    let name = need("Agency");
    let state = need("State");
    let technology = need("Technology");
    if !missing.is_empty() {
        return Err(format!("{} must not be empty", missing.join(", ")));
    }
    let links = (1..=3)
        .filter_map(|n| {
            let url = cell(&format!("Link {n}"))?;
            Some(AtlasLink {
                url,
                snapshot: cell(&format!("Link {n} Snapshot")),
                publisher: cell(&format!("Link {n} Source")),
                kind: cell(&format!("Link {n} Type")),
                date: cell(&format!("Link {n} Date")).and_then(|d| date(&d)),
            })
        })
        .collect();
    Ok(Row::Atlas(Box::new(AtlasRow {
        aos_number,
        agency: AtlasAgency {
            name,
            state,
            kind: cell("Type of LEA").unwrap_or_default(),
        },
        summary: cell("Summary").unwrap_or_default(),
        technology,
        vendor: cell("Vendor").filter(|v| !v.eq_ignore_ascii_case("unknown")),
        links,
    })))
}

/// The forces that exist and the taxonomy's Atlas categories, loaded once per import.
pub(super) struct Agencies {
    forces: HashSet<String>,
    categories: HashMap<String, String>,
}

impl Agencies {
    pub(super) fn load(conn: &mut DbConnection) -> Result<Self, StoreError> {
        let categories: Vec<(String, Option<String>)> = tools::table
            .select((tools::slug, tools::atlas_category))
            .load(conn)?;
        Ok(Self {
            forces: forces::table
                .select(forces::slug)
                .load::<String>(conn)?
                .into_iter()
                .collect(),
            categories: categories
                .into_iter()
                .filter_map(|(slug, category)| Some((category?, slug)))
                .collect(),
        })
    }

    fn tool(&self, technology: &str) -> Option<&String> {
        self.categories.get(&slugify(technology))
    }

    /// Why a row cannot be imported, if it cannot.
    pub(super) fn check(&self, row: &AtlasRow, tools: &HashSet<String>) -> Option<String> {
        match self.tool(&row.technology) {
            Some(tool) if tools.contains(tool) => {}
            _ => {
                return Some(format!(
                    "the technology `{}` maps onto no tool of the taxonomy",
                    row.technology
                ))
            }
        }
        if row.agency.slug().parse::<Slug>().is_err() {
            return Some(format!(
                "the agency `{}` makes no usable slug",
                row.agency.name
            ));
        }
        row.links
            .iter()
            .find(|l| !(l.url.starts_with("http://") || l.url.starts_with("https://")))
            .map(|l| format!("the link `{}` is not an http(s) URL", l.url))
    }
}

fn source_kind(kind: Option<&str>) -> SourceKind {
    match kind.map(str::to_lowercase).as_deref() {
        Some(k) if k.contains("news") || k.contains("media") => SourceKind::Media,
        Some(k) if k.contains("gov") || k.contains("official") => SourceKind::OfficialPublication,
        Some(k) if k.contains("record") || k.contains("foia") => SourceKind::FoiResponse,
        Some(k) if k.contains("research") || k.contains("report") => SourceKind::Research,
        _ => SourceKind::Other,
    }
}

/// Writes one row: its agency (if new), its links as sources (if new), and its deployment.
/// Returns what happened to the deployment and whether a force was created.
pub(super) fn write(
    conn: &mut DbConnection,
    agencies: &mut Agencies,
    actor: &Actor,
    row: &AtlasRow,
) -> Result<(Restored, bool), StoreError> {
    let stamp = Stamp::now(actor.clone());
    let force = row.agency.slug();
    let created_force = agencies.forces.insert(force.clone());
    if created_force {
        let kind = if row.agency.kind.to_lowercase().contains("police")
            || row.agency.kind.to_lowercase().contains("sheriff")
        {
            ForceKind::Territorial
        } else {
            ForceKind::Other
        };
        diesel::insert_into(forces::table)
            .values((
                forces::slug.eq(&force),
                forces::name.eq(&row.agency.name),
                forces::kind.eq(kind.as_str()),
                forces::country.eq("US"),
                forces::region.eq(&row.agency.state),
                forces::created_at.eq(stamp.at),
                forces::updated_at.eq(stamp.at),
            ))
            .execute(conn)?;
    }
    let mut source_ids = Vec::new();
    for link in &row.links {
        let id = stable_id(&format!("atlas-of-surveillance-link:{}", link.url));
        let exists: i64 = sources::table
            .filter(sources::id.eq(&id))
            .count()
            .get_result(conn)?;
        if exists == 0 {
            diesel::insert_into(sources::table)
                .values((
                    sources::id.eq(&id),
                    sources::url.eq(&link.url),
                    sources::archive_url.eq(&link.snapshot),
                    sources::title.eq(format!("{}: {}", row.agency.name, row.technology)),
                    sources::publisher.eq(&link.publisher),
                    sources::kind.eq(source_kind(link.kind.as_deref()).as_str()),
                    sources::published_on.eq(link.date),
                    sources::retrieved_on.eq(None::<NaiveDate>),
                    sources::created_at.eq(stamp.at),
                    sources::updated_at.eq(stamp.at),
                ))
                .execute(conn)?;
            audit::record(
                conn,
                &stamp,
                Change {
                    entity_type: "source",
                    entity_id: &id,
                    action: Action::Create,
                    revision: 1,
                    force_slug: None,
                    changed: crate::store::audit::Changed::NONE,
                    summary: format!("Source added: {}", link.url),
                },
            )?;
        }
        if !source_ids.contains(&id) {
            source_ids.push(id);
        }
    }
    source_ids.sort();
    let tool = agencies
        .tool(&row.technology)
        .cloned()
        .expect("checked before writing");
    let now = Utc::now();
    let record = Deployment {
        id: stable_id(&format!("atlas-of-surveillance:{}", row.aos_number)),
        force,
        tool,
        state: DeploymentState {
            status: DeploymentStatus::InUse,
            vendors: row.vendor.iter().cloned().collect(),
            product: None,
            first_known_use: None,
            last_confirmed: row.links.iter().filter_map(|l| l.date).max(),
            ended_on: None,
            summary: row.summary.clone(),
            legal_basis: None,
            authorisation: None,
            public_consultation: None,
            use_policy_url: None,
            provenance: Provenance::Researched,
            verified: false,
            source_ids,
        },
        revision: 1,
        created_at: now,
        updated_at: now,
    };
    Ok((deployments::restore(conn, actor, &record)?, created_force))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn technologies_and_agencies_become_slugs() {
        assert_eq!(slugify("Body-worn Cameras"), "body-worn-cameras");
        assert_eq!(slugify("Real-Time Crime Center"), "real-time-crime-center");
        let agency = AtlasAgency {
            name: "Austin Police Department".into(),
            state: "TX".into(),
            kind: "Municipal Police".into(),
        };
        assert_eq!(agency.slug(), "austin-police-department-tx");
    }

    #[test]
    fn link_dates_in_either_layout() {
        assert_eq!(date("2019-05-01"), NaiveDate::from_ymd_opt(2019, 5, 1));
        assert_eq!(date("5/1/2019"), NaiveDate::from_ymd_opt(2019, 5, 1));
        assert_eq!(date("soon"), None);
    }

    proptest! {
        #[test]
        fn stable_ids_are_stable_uuids(key in ".*") {
            let id = stable_id(&key);
            prop_assert_eq!(&id, &stable_id(&key));
            prop_assert!(uuid::Uuid::try_parse(&id).is_ok());
        }

        #[test]
        fn slugs_of_any_text_are_slugs_or_empty(text in ".{0,40}") {
            let slug = slugify(&text);
            prop_assert!(slug.is_empty() || slug.parse::<Slug>().is_ok());
        }
    }
}
