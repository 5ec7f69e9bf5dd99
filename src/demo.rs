//! `seed-demo`: fills a registry with a realistic, clearly labelled synthetic dataset of any size,
//! plus the one real FOI reply the project holds (the Cambridgeshire OPCC's letter of 4 July 2019)
//! and the 2019 campaign that asked for it.
//! Deterministic: the same scale gives the same data (ids and write times aside).

use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::api::campaign_input::CampaignInput;
use crate::api::foi_input::FoiRequestInput;
use crate::db::schema::{authorities, sources, tools};
use crate::db::DbConnection;
use crate::domain::{
    AnswerOutcome, AssessmentKind, AssessmentStatus, DeploymentStatus, FoiLaw, FoiState,
    Provenance, SourceKind, StageKind, TargetGroup,
};
use crate::foi::FoiCalendar;
use crate::store::audit::{Action, Actor, Stamp};
use crate::store::campaigns::{CampaignFields, Targets};
use crate::store::deployments::{self, DeploymentState, NewHistory, Revision};
use crate::store::foi_requests::{
    self, AnswerFields, Exemption, FoiFilter, FoiRequestFields, FoiSort, NewDocument, NewRequest,
    StageFields,
};
use crate::store::impact_assessments::{self, AssessmentFields};
use crate::store::sources::Source;
use crate::store::{
    forces, new_id, sources as source_store, utc, write_transaction, PageRequest, Precondition,
    StoreError,
};
use crate::workflows;

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
    pub campaigns: usize,
    pub foi_requests: usize,
    pub foi_answers: usize,
}

/// Fills the registry; refuses a registry that already holds demo data. `progress` is called with
/// the deployments and FOI requests written so far, and how many are planned.
pub fn seed(
    conn: &mut DbConnection,
    calendar: &FoiCalendar,
    scale: f64,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<SeedReport, StoreError> {
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
    let mut report = seed_cambridgeshire_reply(conn, calendar)?;
    let mut rng = fastrand::Rng::with_seed(2019);
    let per_force = ((5000.0 * scale) / force_slugs.len() as f64)
        .round()
        .max(1.0) as usize;
    let foi_planned = (20_000.0 * scale).round() as usize;
    let deployments_planned = force_slugs.len() * per_force;
    let planned = deployments_planned + foi_planned;
    for (done, force) in force_slugs.iter().enumerate() {
        let written = write_transaction(conn, |conn| {
            seed_force(conn, &mut rng, force, &tool_slugs, per_force)
        })?;
        report.deployments += written.deployments;
        report.revisions += written.revisions;
        report.impact_assessments += written.impact_assessments;
        report.sources += written.sources;
        progress((done + 1) * per_force, planned);
    }
    let foi = seed_foi(conn, &mut rng, calendar, foi_planned, &mut |n| {
        progress(deployments_planned + n, planned)
    })?;
    report.campaigns += foi.campaigns;
    report.foi_requests += foi.foi_requests;
    report.foi_answers += foi.foi_answers;
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

/// The statuses demo claims record, weighted (never `not_researched`: that is what a cell with no
/// claim shows).
const STATUS_WEIGHTS: [(DeploymentStatus, u32); 9] = [
    (DeploymentStatus::InUse, 30),
    (DeploymentStatus::Trial, 8),
    (DeploymentStatus::Planned, 5),
    (DeploymentStatus::Discontinued, 5),
    (DeploymentStatus::Denied, 7),
    (DeploymentStatus::NotHeld, 12),
    (DeploymentStatus::Ncnd, 10),
    (DeploymentStatus::Refused, 5),
    (DeploymentStatus::NoResponse, 8),
];

fn weighted_status(rng: &mut fastrand::Rng) -> DeploymentStatus {
    let mut roll = rng.u32(..STATUS_WEIGHTS.iter().map(|(_, w)| w).sum::<u32>());
    for (status, weight) in STATUS_WEIGHTS {
        if roll < weight {
            return status;
        }
        roll -= weight;
    }
    unreachable!("the roll is below the weights' sum")
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

/// One force's synthetic claims, each citing a source of its own, with two to six later revisions
/// and, for about half, an impact assessment. Generated first, then written as imports write
/// (sources, deployments with their whole histories, and assessments in a few multi-row statements).
fn seed_force(
    conn: &mut DbConnection,
    rng: &mut fastrand::Rng,
    force: &str,
    tools: &[String],
    count: usize,
) -> Result<SeedReport, StoreError> {
    let epoch = NaiveDate::from_ymd_opt(2019, 1, 1).expect("a date");
    let mut sources = Vec::with_capacity(count);
    let mut claims = Vec::with_capacity(count);
    let mut assessments = Vec::new();
    for n in 0..count {
        let tool = pick(rng, tools).clone();
        let mut at = day(epoch, rng.i64(0..1500))
            .and_hms_opt(rng.u32(8..18), rng.u32(0..60), rng.u32(0..60))
            .expect("a time");
        let source = Source {
            id: new_id(),
            url: Some(format!("https://demo.invalid/{force}/{tool}/{n}")),
            archive_url: None,
            title: format!("{DEMO_LABEL} Synthetic FOI reply about {tool} from {force}"),
            publisher: Some(DEMO_PUBLISHER.into()),
            kind: SourceKind::FoiResponse,
            published_on: Some(at.date()),
            retrieved_on: Some(at.date()),
            sha256: None,
            locator: None,
            statement: None,
            revision: 1,
            updated_at: utc(at),
        };
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
            source_ids: vec![source.id.clone()],
        };
        let mut states = vec![(at, state.clone())];
        for _ in 0..rng.usize(2..7) {
            at += Duration::days(rng.i64(20..200));
            state.status = weighted_status(rng);
            state.last_confirmed = Some(at.date());
            // Only a discontinued deployment has ended; one taken up again has not.
            state.ended_on = (state.status == DeploymentStatus::Discontinued).then(|| at.date());
            state.verified = rng.bool();
            states.push((at, state.clone()));
        }
        let id = new_id();
        if rng.bool() {
            let completed = day(at.date(), -rng.i64(0..400));
            assessments.push((
                at,
                AssessmentFields {
                    force: force.into(),
                    kind: *pick(rng, AssessmentKind::ALL),
                    status: *pick(rng, AssessmentStatus::ALL),
                    title: format!("{DEMO_LABEL} Synthetic assessment of {tool} in {force}"),
                    completed_on: Some(completed),
                    next_review_due: Some(day(completed, 365)),
                    url: None,
                    summary: format!("{DEMO_LABEL} Synthetic assessment."),
                    deployment_ids: vec![id.clone()],
                    revealed_by_source_id: Some(source.id.clone()),
                    revealed_by_foi_request_id: None,
                    provenance: Provenance::Foi,
                },
            ));
        }
        sources.push(source);
        claims.push((id, tool, states));
    }
    let actor = demo_stamp(epoch.and_hms_opt(0, 0, 0).expect("a time")).actor;
    source_store::insert_new(
        conn,
        &actor,
        &sources.iter().collect::<Vec<_>>(),
        source_store::written_summary,
    )?;
    let histories: Vec<NewHistory<'_>> = claims
        .iter()
        .map(|(id, tool, states)| NewHistory {
            id,
            force,
            tool,
            created_at: states[0].0,
            revisions: (1..)
                .zip(states)
                .map(|(number, (at, state))| Revision {
                    number,
                    action: if number == 1 {
                        Action::Create
                    } else {
                        Action::Update
                    },
                    at: *at,
                    state,
                })
                .collect(),
        })
        .collect();
    deployments::insert_histories(conn, &actor, &histories)?;
    impact_assessments::insert_new(conn, &actor, &assessments)?;
    Ok(SeedReport {
        deployments: claims.len(),
        revisions: histories.iter().map(|h| h.revisions.len()).sum(),
        impact_assessments: assessments.len(),
        sources: sources.len(),
        ..SeedReport::default()
    })
}

/// The real 2019 campaign and the Cambridgeshire OPCC's reply (`src/reference/`), in the bodies a
/// client sends to the API: the campaign, then the reply recorded on its pending request, with the
/// letter attached byte for byte. The reply's claims set the force's seven deployments.
pub const CAMPAIGN_2019: &str = include_str!("reference/campaign-2019-surveillance-tools.json");
pub const CAMBRIDGESHIRE_REPLY: &str =
    include_str!("reference/cambridgeshire-opcc-reply-2019-07-04.json");
pub const CAMBRIDGESHIRE_LETTER: &str =
    include_str!("reference/cambridgeshire-opcc-foi-2019-07-04.txt");

fn seed_cambridgeshire_reply(
    conn: &mut DbConnection,
    calendar: &FoiCalendar,
) -> Result<SeedReport, StoreError> {
    let stamp_on = |date: NaiveDate| Stamp {
        actor: Actor::system("Surveillance Disclosure Registry"),
        at: date.and_hms_opt(12, 0, 0).expect("a time"),
    };
    let campaign: CampaignInput =
        serde_json::from_str(CAMPAIGN_2019).expect("the embedded campaign is valid JSON");
    let (slug, fields, targets) = campaign
        .parse()
        .expect("the embedded campaign is a valid body");
    let mut reply: FoiRequestInput =
        serde_json::from_str(CAMBRIDGESHIRE_REPLY).expect("the embedded reply is valid JSON");
    reply.reply_text = CAMBRIDGESHIRE_LETTER.to_owned();
    let reply = reply
        .parse(None, FoiLaw::Foia)
        .expect("the embedded reply is a valid body");
    write_transaction(conn, |conn| {
        workflows::campaigns::create(
            conn,
            calendar,
            &stamp_on(fields.started_on),
            slug.as_str(),
            &fields,
            &targets,
        )?;
        let pending = foi_requests::list(
            conn,
            calendar,
            &FoiFilter {
                campaign: Some(slug.as_str().to_owned()),
                authority: Some(reply.authority.clone()),
                ..FoiFilter::default()
            },
            FoiSort::default(),
            &PageRequest::everything(),
        )?
        .items
        .pop()
        .expect("the campaign sent the request");
        let replied = stamp_on(reply.responded_on.expect("the reply has a date"));
        let recorded = workflows::foi_answers::update(
            conn,
            calendar,
            &replied,
            &pending.id,
            Precondition::Revision(pending.revision),
            &reply,
        )?;
        foi_requests::add_document(
            conn,
            calendar,
            &replied,
            &recorded.id,
            &NewDocument::new(
                "cambridgeshire-opcc-foi-2019-07-04.txt".into(),
                "text/plain".into(),
                CAMBRIDGESHIRE_LETTER.as_bytes().to_vec(),
            ),
        )?;
        Ok(SeedReport {
            campaigns: 1,
            foi_requests: 1,
            foi_answers: recorded.answers.len(),
            deployments: recorded.answers.iter().map(|a| a.deployments.len()).sum(),
            ..SeedReport::default()
        })
    })
}

const DEMO_QUESTIONS: [(&str, &str); 5] = [
    (
        "Do you use live facial recognition, and since when?",
        "live-facial-recognition",
    ),
    ("Do you use IMSI catchers?", "imsi-catcher"),
    (
        "Which mobile phone extraction products do you use?",
        "mobile-phone-extraction",
    ),
    (
        "Do you use predictive policing software?",
        "predictive-policing",
    ),
    (
        "Do you monitor social media, and with which tools?",
        "social-media-intelligence",
    ),
];

/// Outcomes and the exemptions that go with them, weighted roughly as surveillance requests fare.
const OUTCOME_WEIGHTS: [(AnswerOutcome, u32); 8] = [
    (AnswerOutcome::Disclosed, 25),
    (AnswerOutcome::PartiallyDisclosed, 15),
    (AnswerOutcome::NotHeld, 20),
    (AnswerOutcome::Ncnd, 15),
    (AnswerOutcome::Exempt, 10),
    (AnswerOutcome::Redirected, 5),
    (AnswerOutcome::NotValid, 3),
    (AnswerOutcome::NoAnswer, 7),
];

fn weighted_outcome(rng: &mut fastrand::Rng) -> AnswerOutcome {
    let mut roll = rng.u32(..OUTCOME_WEIGHTS.iter().map(|(_, w)| w).sum::<u32>());
    for (outcome, weight) in OUTCOME_WEIGHTS {
        if roll < weight {
            return outcome;
        }
        roll -= weight;
    }
    AnswerOutcome::NoAnswer
}

fn demo_exemptions(rng: &mut fastrand::Rng, outcome: AnswerOutcome) -> Vec<Exemption> {
    let cited = |section: &str, ncnd: bool, absolute: bool| Exemption {
        section: section.into(),
        ncnd,
        absolute,
    };
    match outcome {
        AnswerOutcome::Ncnd => {
            let mut cited_sections = vec![cited("s31(3)", true, false)];
            if rng.bool() {
                cited_sections.push(cited("s24(2)", true, false));
            }
            if rng.u8(..4) == 0 {
                cited_sections.push(cited("s23(5)", true, true));
            }
            cited_sections
        }
        AnswerOutcome::Exempt | AnswerOutcome::PartiallyDisclosed => {
            vec![pick(
                rng,
                &[
                    cited("s31(1)(a)", false, false),
                    cited("s43(2)", false, false),
                    cited("s24(1)", false, false),
                    cited("s40(2)", false, true),
                    cited("s12(1)", false, false),
                ],
            )
            .clone()]
        }
        _ => Vec::new(),
    }
}

fn demo_state(outcomes: &[AnswerOutcome], responded: bool) -> FoiState {
    if !responded {
        return FoiState::WaitingResponse;
    }
    let disclosed = |o: &&AnswerOutcome| {
        matches!(
            o,
            AnswerOutcome::Disclosed | AnswerOutcome::PartiallyDisclosed
        )
    };
    match outcomes.iter().filter(disclosed).count() {
        0 if outcomes.iter().all(|o| *o == AnswerOutcome::NotHeld) => FoiState::NotHeld,
        0 => FoiState::Rejected,
        n if n == outcomes.len() => FoiState::Successful,
        _ => FoiState::PartiallySuccessful,
    }
}

/// A synthetic request's content: received on `received_on`, answered (or not) at random. An answer
/// that redirects names `redirect_to` (the other authority of the same force).
#[allow(clippy::too_many_arguments)]
fn demo_request(
    rng: &mut fastrand::Rng,
    calendar: &FoiCalendar,
    authority: &str,
    redirect_to: &str,
    law: FoiLaw,
    received_on: NaiveDate,
    campaign: Option<&str>,
    n: usize,
) -> FoiRequestFields {
    let responded_on = (rng.u8(..10) < 8)
        .then(|| {
            calendar
                .due_date(law, received_on)
                .ok()
                .map(|due| day(due, rng.i64(-20..25)).max(received_on))
        })
        .flatten();
    let answers: Vec<AnswerFields> = DEMO_QUESTIONS
        .iter()
        .map(|(question, tool)| {
            let outcome = if responded_on.is_some() {
                weighted_outcome(rng)
            } else {
                AnswerOutcome::NoAnswer
            };
            AnswerFields {
                id: None,
                campaign_question: None,
                question: (*question).into(),
                tools: vec![(*tool).into()],
                outcome,
                answer_text: format!("{DEMO_LABEL} Synthetic answer: {outcome}."),
                redirected_to: (outcome == AnswerOutcome::Redirected).then(|| redirect_to.into()),
                exemptions: demo_exemptions(rng, outcome),
                deployments: Vec::new(),
                impact_assessments: Vec::new(),
                claims: Vec::new(),
            }
        })
        .collect();
    let outcomes: Vec<AnswerOutcome> = answers.iter().map(|a| a.outcome).collect();
    let stages = match responded_on {
        Some(on) if rng.u8(..10) == 0 => vec![StageFields {
            id: None,
            kind: StageKind::InternalReview,
            reference: Some(format!("IR-{n:06}")),
            started_on: day(on, rng.i64(1..30)),
            decided_on: None,
            result: None,
            notes: format!("{DEMO_LABEL} Synthetic internal review."),
        }],
        _ => Vec::new(),
    };
    FoiRequestFields {
        authority: authority.into(),
        campaign: campaign.map(str::to_owned),
        law,
        title: format!("{DEMO_LABEL} Synthetic request #{n} about surveillance tools"),
        reference_numbers: vec![format!("DEMO/{n:06}")],
        request_text: format!("{DEMO_LABEL} Synthetic request text."),
        sent_on: Some(received_on),
        received_on,
        responded_on,
        state: demo_state(&outcomes, responded_on.is_some()),
        source_url: Some(format!("https://demo.invalid/foi/{n}")),
        reply_text: if responded_on.is_some() {
            format!("{DEMO_LABEL} Synthetic reply to request #{n}.")
        } else {
            String::new()
        },
        provenance: Provenance::Foi,
        answers,
        stages,
    }
}

/// A synthetic campaign to every force and oversight body (its replies recorded), then standalone
/// requests up to `total`, written a thousand per transaction through the bulk insert imports use.
fn seed_foi(
    conn: &mut DbConnection,
    rng: &mut fastrand::Rng,
    calendar: &FoiCalendar,
    total: usize,
    progress: &mut dyn FnMut(usize),
) -> Result<SeedReport, StoreError> {
    const BATCH: usize = 1000;
    let mut report = SeedReport::default();
    let authorities: Vec<(String, String)> = authorities::table
        .order(authorities::slug)
        .select((authorities::slug, authorities::foi_law))
        .load(conn)?;
    // Where each authority redirects to: another authority of the same force.
    let owners: Vec<(String, String)> = authorities::table
        .order(authorities::slug)
        .select((authorities::slug, authorities::force_slug))
        .load(conn)?;
    let redirect_of = |authority: &str| -> String {
        let force = owners
            .iter()
            .find(|(slug, _)| slug == authority)
            .map(|(_, force)| force.as_str());
        owners
            .iter()
            .find(|(slug, owner)| Some(owner.as_str()) == force && slug != authority)
            .map_or_else(|| authority.to_owned(), |(slug, _)| slug.clone())
    };
    let started_on = NaiveDate::from_ymd_opt(2024, 3, 4).expect("a date");
    let slug = "demo-surveillance-survey-2024";
    let pending = write_transaction(conn, |conn| {
        workflows::campaigns::create(
            conn,
            calendar,
            &demo_stamp(started_on.and_hms_opt(9, 0, 0).expect("a time")),
            slug,
            &CampaignFields {
                title: format!("{DEMO_LABEL} Synthetic survey of surveillance tools"),
                description: format!("{DEMO_LABEL} A synthetic campaign sent to every authority."),
                request_text: format!("{DEMO_LABEL} Synthetic campaign request."),
                started_on,
                law: FoiLaw::Foia,
                questions: DEMO_QUESTIONS
                    .iter()
                    .map(|(q, tool)| ((*q).to_owned(), vec![(*tool).to_owned()]))
                    .collect(),
            },
            &Targets {
                authorities: Vec::new(),
                groups: TargetGroup::ALL.to_vec(),
            },
        )?;
        foi_requests::list(
            conn,
            calendar,
            &FoiFilter {
                campaign: Some(slug.into()),
                ..FoiFilter::default()
            },
            FoiSort::default(),
            &PageRequest::everything(),
        )
    })?;
    report.campaigns += 1;
    write_transaction(conn, |conn| {
        for (n, request) in pending.items.iter().enumerate() {
            let content = demo_request(
                rng,
                calendar,
                &request.authority,
                &redirect_of(&request.authority),
                request.law,
                started_on,
                Some(slug),
                n,
            );
            let at = content
                .responded_on
                .unwrap_or(started_on)
                .and_hms_opt(12, 0, 0)
                .expect("a time");
            foi_requests::update(
                conn,
                calendar,
                &demo_stamp(at),
                &request.id,
                Precondition::Revision(request.revision),
                &content,
            )?;
            report.foi_requests += 1;
            report.foi_answers += content.answers.len();
        }
        Ok(())
    })?;
    progress(pending.items.len());
    let epoch = NaiveDate::from_ymd_opt(2016, 1, 1).expect("a date");
    let actor = demo_stamp(epoch.and_hms_opt(0, 0, 0).expect("a time")).actor;
    let mut n = pending.items.len();
    while n < total {
        let batch_end = (n + BATCH).min(total);
        let contents: Vec<(String, FoiRequestFields, NaiveDateTime)> = (n..batch_end)
            .map(|k| {
                let (authority, law) = pick(rng, &authorities);
                let law: FoiLaw = law.parse().expect("reference data holds known laws");
                let received_on = day(epoch, rng.i64(0..3500));
                let content = demo_request(
                    rng,
                    calendar,
                    authority,
                    &redirect_of(authority),
                    law,
                    received_on,
                    None,
                    k,
                );
                let at = content
                    .responded_on
                    .unwrap_or(received_on)
                    .and_hms_opt(12, 0, 0)
                    .expect("a time");
                (new_id(), content, at)
            })
            .collect();
        let requests: Vec<NewRequest<'_>> = contents
            .iter()
            .map(|(id, fields, at)| NewRequest {
                id,
                fields,
                revision: 1,
                created_at: *at,
                updated_at: *at,
            })
            .collect();
        write_transaction(conn, |conn| {
            foi_requests::insert_new(conn, calendar, &actor, &requests)
        })?;
        report.foi_requests += requests.len();
        report.foi_answers += contents
            .iter()
            .map(|(_, c, _)| c.answers.len())
            .sum::<usize>();
        n = batch_end;
        progress(n);
    }
    Ok(report)
}
