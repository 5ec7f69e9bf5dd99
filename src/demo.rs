//! `seed-demo`: fills a registry with a realistic, clearly labelled synthetic dataset of any size,
//! plus the one real FOI reply the project holds (the Cambridgeshire OPCC's letter of 4 July 2019).
//! Deterministic: the same scale gives the same data (ids and write times aside).

use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::{sources, tools};
use crate::db::DbConnection;
use crate::domain::{AssessmentKind, AssessmentStatus, DeploymentStatus, Provenance, SourceKind};
use crate::store::audit::{Actor, Stamp};
use crate::store::deployments::{self, DeploymentState, NewDeployment};
use crate::store::impact_assessments::{self, AssessmentFields};
use crate::store::sources::SourceFields;
use crate::store::{forces, sources as source_store, write_transaction, PageRequest, StoreError};

/// Every synthetic source names this publisher, and every synthetic summary starts with the label.
pub const DEMO_PUBLISHER: &str = "Synthetic demo data (not real)";
const DEMO_LABEL: &str = "[DEMO]";

/// What a seeding run wrote.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SeedReport {
    pub deployments: usize,
    pub revisions: usize,
    pub impact_assessments: usize,
    pub sources: usize,
}

/// Fills the registry; refuses a registry that already holds demo data.
pub fn seed(conn: &mut DbConnection, scale: f64) -> Result<SeedReport, StoreError> {
    let seeded: i64 = sources::table
        .filter(sources::publisher.eq(DEMO_PUBLISHER))
        .count()
        .get_result(conn)?;
    if seeded > 0 {
        return Err(StoreError::Conflict(
            "this registry already holds the demo data".into(),
        ));
    }
    let force_slugs: Vec<String> =
        forces::list(conn, &Default::default(), &PageRequest::everything())?
            .items
            .into_iter()
            .map(|f| f.slug)
            .collect();
    let tool_slugs: Vec<String> = tools::table
        .order(tools::position)
        .select(tools::slug)
        .load(conn)?;
    let mut report = seed_cambridgeshire_reply(conn)?;
    let mut rng = fastrand::Rng::with_seed(2019);
    let per_force = ((5000.0 * scale) / force_slugs.len() as f64)
        .round()
        .max(1.0) as usize;
    for force in &force_slugs {
        let written = write_transaction(conn, |conn| {
            seed_force(conn, &mut rng, force, &tool_slugs, per_force)
        })?;
        report.deployments += written.deployments;
        report.revisions += written.revisions;
        report.impact_assessments += written.impact_assessments;
        report.sources += written.sources;
    }
    Ok(report)
}

fn demo_stamp(at: NaiveDateTime) -> Stamp {
    Stamp {
        actor: Actor::system("Surveillance Disclosure Registry (demo data)"),
        at,
    }
}

fn pick<'a, T>(rng: &mut fastrand::Rng, items: &'a [T]) -> &'a T {
    &items[rng.usize(..items.len())]
}

const STATUS_WEIGHTS: [(DeploymentStatus, u32); 10] = [
    (DeploymentStatus::InUse, 30),
    (DeploymentStatus::Trial, 8),
    (DeploymentStatus::Planned, 5),
    (DeploymentStatus::Discontinued, 5),
    (DeploymentStatus::Denied, 7),
    (DeploymentStatus::NotHeld, 12),
    (DeploymentStatus::Ncnd, 10),
    (DeploymentStatus::Refused, 5),
    (DeploymentStatus::NoResponse, 8),
    (DeploymentStatus::NotResearched, 10),
];

fn weighted_status(rng: &mut fastrand::Rng) -> DeploymentStatus {
    let mut roll = rng.u32(..STATUS_WEIGHTS.iter().map(|(_, w)| w).sum::<u32>());
    for (status, weight) in STATUS_WEIGHTS {
        if roll < weight {
            return status;
        }
        roll -= weight;
    }
    DeploymentStatus::NotResearched
}

fn vendors_for(tool: &str) -> &'static [&'static str] {
    match tool {
        "body-worn-video" => &["Axon", "Motorola Solutions", "Reveal Media", "Edesix"],
        t if t.contains("facial-recognition") => &["NEC", "Cognitec", "Idemia"],
        "device-extraction" | "mobile-phone-extraction" => {
            &["Cellebrite", "MSAB", "Magnet Forensics"]
        }
        "cloud-extraction" => &["Cellebrite", "Magnet Forensics"],
        "anpr" => &["Motorola Solutions", "Genetec", "NDI Recognition Systems"],
        "drones" => &["DJI", "Parrot"],
        "cctv" | "camera-registry" => &["Hikvision", "Axis Communications", "Dahua"],
        "video-analytics" => &["BriefCam", "Veritone"],
        "gunshot-detection" => &["SoundThinking"],
        "social-media-intelligence" => &["Dataminr", "Babel Street"],
        "predictive-policing" | "predictive-mapping" | "individual-risk-assessment" => {
            &["in-house", "Palantir"]
        }
        _ => &["undisclosed"],
    }
}

fn day(base: NaiveDate, offset: i64) -> NaiveDate {
    base + Duration::days(offset)
}

fn seed_force(
    conn: &mut DbConnection,
    rng: &mut fastrand::Rng,
    force: &str,
    tools: &[String],
    count: usize,
) -> Result<SeedReport, StoreError> {
    let mut report = SeedReport::default();
    let epoch = NaiveDate::from_ymd_opt(2019, 1, 1).expect("a date");
    for n in 0..count {
        let tool = pick(rng, tools).clone();
        let mut at = day(epoch, rng.i64(0..1500))
            .and_hms_opt(rng.u32(8..18), rng.u32(0..60), rng.u32(0..60))
            .expect("a time");
        let source = source_store::create(
            conn,
            &demo_stamp(at),
            &SourceFields {
                url: Some(format!("https://demo.invalid/{force}/{tool}/{n}")),
                archive_url: None,
                title: format!("{DEMO_LABEL} Synthetic FOI reply about {tool} from {force}"),
                publisher: Some(DEMO_PUBLISHER.into()),
                kind: SourceKind::FoiResponse,
                published_on: Some(at.date()),
                retrieved_on: Some(at.date()),
                sha256: None,
            },
        )?;
        report.sources += 1;
        let mut state = DeploymentState {
            status: weighted_status(rng),
            vendors: vec![pick(rng, vendors_for(&tool)).to_string()],
            product: None,
            first_known_use: Some(day(epoch, rng.i64(-1500..1500))),
            last_confirmed: Some(at.date()),
            ended_on: None,
            summary: format!("{DEMO_LABEL} Synthetic claim #{n} about {tool} in {force}."),
            legal_basis: Some(
                pick(
                    rng,
                    &[
                        "Common law policing powers",
                        "Investigatory Powers Act 2016",
                        "Police and Criminal Evidence Act 1984",
                        "Data Protection Act 2018 Part 3",
                    ],
                )
                .to_string(),
            ),
            authorisation: None,
            public_consultation: None,
            use_policy_url: None,
            provenance: *pick(
                rng,
                &[
                    Provenance::Foi,
                    Provenance::Researched,
                    Provenance::Media,
                    Provenance::OfficialPublication,
                ],
            ),
            verified: rng.bool(),
            source_ids: vec![source.id],
        };
        let mut deployment = deployments::create(
            conn,
            &demo_stamp(at),
            &NewDeployment {
                force: force.into(),
                tool,
                state: state.clone(),
            },
        )?;
        report.deployments += 1;
        report.revisions += 1;
        for _ in 0..rng.usize(2..7) {
            at += Duration::days(rng.i64(20..200));
            state.status = weighted_status(rng);
            state.last_confirmed = Some(at.date());
            if state.status == DeploymentStatus::Discontinued {
                state.ended_on = Some(at.date());
            }
            state.verified = rng.bool();
            deployment = deployments::update(
                conn,
                &demo_stamp(at),
                &deployment.id,
                deployment.revision,
                &state,
            )?;
            report.revisions += 1;
        }
        if rng.bool() {
            let completed = day(at.date(), -rng.i64(0..400));
            impact_assessments::create(
                conn,
                &demo_stamp(at),
                &AssessmentFields {
                    force: force.into(),
                    kind: *pick(rng, AssessmentKind::ALL),
                    status: *pick(rng, AssessmentStatus::ALL),
                    title: format!(
                        "{DEMO_LABEL} Synthetic assessment of {} in {force}",
                        deployment.tool
                    ),
                    completed_on: Some(completed),
                    next_review_due: Some(day(completed, 365)),
                    url: None,
                    summary: format!("{DEMO_LABEL} Synthetic assessment."),
                    deployment_ids: vec![deployment.id.clone()],
                    revealed_by_source_id: deployment.state.source_ids.first().cloned(),
                    revealed_by_foi_request_id: None,
                    provenance: Provenance::Foi,
                },
            )?;
            report.impact_assessments += 1;
        }
    }
    Ok(report)
}

/// The real 2019 reply in `shared/seed/`: the OPCC confirmed body-worn video and held nothing on the
/// other six tools, redirecting the requester to the force.
fn seed_cambridgeshire_reply(conn: &mut DbConnection) -> Result<SeedReport, StoreError> {
    let at = NaiveDate::from_ymd_opt(2019, 7, 4)
        .and_then(|d| d.and_hms_opt(12, 0, 0))
        .expect("a time");
    let stamp = Stamp {
        actor: Actor::system("Surveillance Disclosure Registry"),
        at,
    };
    write_transaction(conn, |conn| {
        let letter = source_store::create(
            conn,
            &stamp,
            &SourceFields {
                url: None,
                archive_url: None,
                title: "FOI/OPCC/19-026-037, 19-040-043: What police surveillance tools are in use in our community?".into(),
                publisher: Some("Office of the Police and Crime Commissioner for Cambridgeshire and Peterborough".into()),
                kind: SourceKind::FoiResponse,
                published_on: NaiveDate::from_ymd_opt(2019, 7, 4),
                retrieved_on: NaiveDate::from_ymd_opt(2019, 7, 4),
                sha256: None,
            },
        )?;
        let mut report = SeedReport {
            sources: 1,
            ..SeedReport::default()
        };
        let claims = [
            ("body-worn-video", DeploymentStatus::InUse, "The Cambridgeshire OPCC confirmed in its FOI reply of 4 July 2019 that the Constabulary uses body worn video cameras."),
            ("facial-recognition", DeploymentStatus::NotHeld, "The OPCC said it holds no information on facial recognition and redirected the requester to the Constabulary's FOI team."),
            ("equipment-interference", DeploymentStatus::NotHeld, "The OPCC said it holds no information on hacking and redirected the requester to the Constabulary's FOI team."),
            ("imsi-catcher", DeploymentStatus::NotHeld, "The OPCC said it holds no information on IMSI catchers and redirected the requester to the Constabulary's FOI team."),
            ("mobile-phone-extraction", DeploymentStatus::NotHeld, "The OPCC said it holds no information on mobile phone extraction and redirected the requester to the Constabulary's FOI team."),
            ("predictive-policing", DeploymentStatus::NotHeld, "The OPCC said it holds no information on predictive policing and redirected the requester to the Constabulary's FOI team."),
            ("social-media-intelligence", DeploymentStatus::NotHeld, "The OPCC said it holds no information on social media intelligence and redirected the requester to the Constabulary's FOI team."),
        ];
        for (tool, status, summary) in claims {
            deployments::create(
                conn,
                &stamp,
                &NewDeployment {
                    force: "cambridgeshire".into(),
                    tool: tool.into(),
                    state: DeploymentState {
                        status,
                        vendors: Vec::new(),
                        product: None,
                        first_known_use: None,
                        last_confirmed: (status == DeploymentStatus::InUse).then(|| at.date()),
                        ended_on: None,
                        summary: summary.into(),
                        legal_basis: None,
                        authorisation: None,
                        public_consultation: None,
                        use_policy_url: None,
                        provenance: Provenance::Foi,
                        verified: true,
                        source_ids: vec![letter.id.clone()],
                    },
                },
            )?;
            report.deployments += 1;
            report.revisions += 1;
        }
        Ok(report)
    })
}
