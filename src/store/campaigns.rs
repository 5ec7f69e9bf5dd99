//! Campaigns: one request sent to many authorities, and its progress across all of them.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::audit::{self, Action, Change, Changed, Stamp};
use super::diff;
use super::restore::{plan, Plan, Restorable, Restored};
use super::{parse_column, parse_json_list, revisions, utc, StoreError};
use crate::db::schema::{
    answer_exemptions, authorities, campaign_questions, campaigns, foi_answers, foi_requests, tools,
};
use crate::db::DbConnection;
use crate::domain::{AnswerOutcome, AuthorityKind, FoiLaw, FoiSection, FoiState, TargetGroup};
use crate::foi::Timeliness;

const ENTITY: &str = "campaign";

/// A campaign: its request, its questions, and when it started.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Campaign {
    pub slug: String,
    pub title: String,
    pub description: String,
    /// The request as sent.
    pub request_text: String,
    pub started_on: NaiveDate,
    /// The law the request was made under (Scottish authorities answer under FOISA).
    pub law: FoiLaw,
    pub questions: Vec<CampaignQuestion>,
    pub revision: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One question of a campaign.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct CampaignQuestion {
    /// 1-based.
    pub position: i32,
    pub question: String,
    /// The tools it asks about.
    pub tools: Vec<String>,
}

/// A campaign as written.
#[derive(Debug, Clone, PartialEq)]
pub struct CampaignFields {
    pub title: String,
    pub description: String,
    pub request_text: String,
    pub started_on: NaiveDate,
    pub law: FoiLaw,
    /// Questions as (text, tool slugs), in order.
    pub questions: Vec<(String, Vec<String>)>,
}

/// Whom a new campaign is sent to: named authorities and whole groups.
#[derive(Debug, Clone, Default)]
pub struct Targets {
    pub authorities: Vec<String>,
    pub groups: Vec<TargetGroup>,
}

/// How a campaign is going across every authority it asked.
#[derive(Debug, Clone)]
pub struct CampaignProgress {
    pub campaign: Campaign,
    pub totals: ProgressTotals,
    /// For each question, how many authorities answered it each way.
    pub question_outcomes: Vec<QuestionOutcomes>,
    /// Exemptions cited in the campaign's replies, by section of the Act, most cited first.
    pub exemptions: Vec<ExemptionCount>,
    /// One row per request, by force then authority.
    pub requests: Vec<RequestProgress>,
}

/// Counts of the campaign's requests.
#[derive(Debug, Clone, Default)]
pub struct ProgressTotals {
    /// Requests sent (one per targeted authority).
    pub requests: i64,
    /// Replied to.
    pub answered: i64,
    /// Replied to after the statutory deadline.
    pub answered_late: i64,
    /// No reply yet, deadline still ahead.
    pub awaiting: i64,
    /// No reply and the deadline has passed.
    pub overdue: i64,
}

/// How one question was answered across the campaign.
#[derive(Debug, Clone)]
pub struct QuestionOutcomes {
    pub position: i32,
    pub outcomes: Vec<OutcomeCount>,
}

/// A count of one outcome.
#[derive(Debug, Clone)]
pub struct OutcomeCount {
    pub outcome: AnswerOutcome,
    pub count: i64,
}

/// How often one section of the Act was cited, whatever its subsections.
#[derive(Debug, Clone)]
pub struct ExemptionCount {
    /// The section without subsections: `s31` for `s31(3)` and `s31(1)(a)`.
    pub section: String,
    /// Citations of the section or any subsection (one per answer citing it).
    pub count: i64,
    /// Of those, the citations made to neither confirm nor deny that information is held.
    pub ncnd: i64,
    /// The same citations by the section exactly as cited (`s31` when cited bare), most cited
    /// first.
    pub subsections: Vec<SectionCount>,
}

/// How often one section was cited exactly so.
#[derive(Debug, Clone)]
pub struct SectionCount {
    pub section: String,
    pub count: i64,
    pub ncnd: i64,
}

/// Where one targeted authority stands.
#[derive(Debug, Clone)]
pub struct RequestProgress {
    pub foi_request_id: String,
    pub authority: String,
    /// The authority's name.
    pub authority_name: String,
    pub force: String,
    pub state: FoiState,
    pub received_on: NaiveDate,
    pub due_on: NaiveDate,
    pub responded_on: Option<NaiveDate>,
    pub overdue: bool,
    /// Replied to after `due_on`.
    pub late: bool,
    /// Calendar days past `due_on`, while overdue.
    pub days_overdue: Option<i64>,
    /// The outcome for each campaign question, by its position: the answer linked to the question
    /// (`campaign_question`), `no_answer` when none is.
    pub outcomes: BTreeMap<i32, AnswerOutcome>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = campaigns)]
struct Row {
    slug: String,
    title: String,
    description: String,
    request_text: String,
    started_on: NaiveDate,
    law: String,
    revision: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// One request a campaign sent, as its progress needs it.
#[derive(Queryable, Selectable)]
#[diesel(table_name = foi_requests)]
struct SentRow {
    id: String,
    authority_slug: String,
    force_slug: String,
    state: String,
    received_on: NaiveDate,
    due_on: NaiveDate,
    responded_on: Option<NaiveDate>,
}

/// Counts citations by section of the Act, with each section as cited beneath it.
fn group_exemptions(cited: Vec<(String, bool, i64)>) -> Vec<ExemptionCount> {
    let mut sections: BTreeMap<String, BTreeMap<String, SectionCount>> = BTreeMap::new();
    for (section, ncnd, count) in cited {
        let exact = sections
            .entry(FoiSection::act_section(&section).to_owned())
            .or_default()
            .entry(section.clone())
            .or_insert(SectionCount {
                section,
                count: 0,
                ncnd: 0,
            });
        exact.count += count;
        exact.ncnd += if ncnd { count } else { 0 };
    }
    let by_count = |a: &(i64, &String), b: &(i64, &String)| b.0.cmp(&a.0).then(a.1.cmp(b.1));
    let mut grouped: Vec<ExemptionCount> = sections
        .into_iter()
        .map(|(section, exact)| {
            let mut subsections: Vec<SectionCount> = exact.into_values().collect();
            subsections.sort_by(|a, b| by_count(&(a.count, &a.section), &(b.count, &b.section)));
            ExemptionCount {
                count: subsections.iter().map(|s| s.count).sum(),
                ncnd: subsections.iter().map(|s| s.ncnd).sum(),
                section,
                subsections,
            }
        })
        .collect();
    grouped.sort_by(|a, b| by_count(&(a.count, &a.section), &(b.count, &b.section)));
    grouped
}

fn into_views(conn: &mut DbConnection, rows: Vec<Row>) -> Result<Vec<Campaign>, StoreError> {
    let slugs: Vec<&str> = rows.iter().map(|r| r.slug.as_str()).collect();
    let mut questions: HashMap<String, Vec<CampaignQuestion>> = HashMap::new();
    for (campaign, position, question, tools) in campaign_questions::table
        .filter(campaign_questions::campaign_slug.eq_any(&slugs))
        .order((
            campaign_questions::campaign_slug,
            campaign_questions::position,
        ))
        .select((
            campaign_questions::campaign_slug,
            campaign_questions::position,
            campaign_questions::question,
            campaign_questions::tool_slugs,
        ))
        .load::<(String, i32, String, String)>(conn)?
    {
        questions
            .entry(campaign)
            .or_default()
            .push(CampaignQuestion {
                position,
                question,
                tools: parse_json_list("campaign_questions.tool_slugs", &tools)?,
            });
    }
    rows.into_iter()
        .map(|row| {
            Ok(Campaign {
                law: parse_column("campaigns.law", &row.law)?,
                questions: questions.remove(&row.slug).unwrap_or_default(),
                slug: row.slug,
                title: row.title,
                description: row.description,
                request_text: row.request_text,
                started_on: row.started_on,
                revision: row.revision,
                created_at: utc(row.created_at),
                updated_at: utc(row.updated_at),
            })
        })
        .collect()
}

/// Every campaign, most recent first.
pub fn list(conn: &mut DbConnection) -> Result<Vec<Campaign>, StoreError> {
    let rows = campaigns::table
        .order((campaigns::started_on.desc(), campaigns::slug))
        .select(Row::as_select())
        .load(conn)?;
    into_views(conn, rows)
}

/// One campaign by slug.
pub fn get(conn: &mut DbConnection, slug: &str) -> Result<Campaign, StoreError> {
    let rows = campaigns::table
        .filter(campaigns::slug.eq(slug))
        .select(Row::as_select())
        .load(conn)?;
    into_views(conn, rows)?
        .pop()
        .ok_or_else(|| StoreError::NotFound {
            entity: "campaign",
            key: slug.to_owned(),
        })
}

/// A campaign with its progress: a fixed number of queries however many authorities it asked.
pub fn progress(conn: &mut DbConnection, slug: &str) -> Result<CampaignProgress, StoreError> {
    let campaign = get(conn, slug)?;
    let today = Utc::now().date_naive();
    let rows: Vec<(SentRow, String)> = foi_requests::table
        .inner_join(authorities::table)
        .filter(foi_requests::campaign_slug.eq(slug))
        .order((
            foi_requests::force_slug,
            foi_requests::authority_slug,
            foi_requests::id,
        ))
        .select((SentRow::as_select(), authorities::name))
        .load(conn)?;
    // Answers are matched to questions by their link, not by their place in the reply.
    let mut outcomes: HashMap<String, HashMap<i32, AnswerOutcome>> = HashMap::new();
    for (request, question, outcome) in foi_answers::table
        .inner_join(foi_requests::table)
        .filter(foi_requests::campaign_slug.eq(slug))
        .filter(foi_answers::campaign_question.is_not_null())
        .select((
            foi_answers::foi_request_id,
            foi_answers::campaign_question.assume_not_null(),
            foi_answers::outcome,
        ))
        .load::<(String, i32, String)>(conn)?
    {
        outcomes
            .entry(request)
            .or_default()
            .insert(question, parse_column("foi_answers.outcome", &outcome)?);
    }
    let cited: Vec<(String, bool, i64)> = answer_exemptions::table
        .inner_join(foi_answers::table.inner_join(foi_requests::table))
        .filter(foi_requests::campaign_slug.eq(slug))
        .group_by((answer_exemptions::section, answer_exemptions::ncnd))
        .select((
            answer_exemptions::section,
            answer_exemptions::ncnd,
            diesel::dsl::count(answer_exemptions::foi_answer_id),
        ))
        .load(conn)?;
    let exemptions = group_exemptions(cited);

    let mut totals = ProgressTotals::default();
    let mut tally: BTreeMap<(i32, AnswerOutcome), i64> = BTreeMap::new();
    let mut requests = Vec::with_capacity(rows.len());
    for (
        SentRow {
            id,
            authority_slug: authority,
            force_slug: force,
            state,
            received_on,
            due_on,
            responded_on,
        },
        authority_name,
    ) in rows
    {
        let timeliness = Timeliness::of(due_on, responded_on, today);
        totals.requests += 1;
        match responded_on {
            Some(_) => {
                totals.answered += 1;
                totals.answered_late += i64::from(timeliness.late);
            }
            None if timeliness.overdue => totals.overdue += 1,
            None => totals.awaiting += 1,
        }
        let answered = outcomes.remove(&id).unwrap_or_default();
        let per_question: BTreeMap<i32, AnswerOutcome> = campaign
            .questions
            .iter()
            .map(|q| {
                let outcome = answered
                    .get(&q.position)
                    .copied()
                    .unwrap_or(AnswerOutcome::NoAnswer);
                (q.position, outcome)
            })
            .collect();
        for (position, outcome) in &per_question {
            *tally.entry((*position, *outcome)).or_default() += 1;
        }
        requests.push(RequestProgress {
            state: parse_column("foi_requests.state", &state)?,
            foi_request_id: id,
            authority,
            authority_name,
            force,
            received_on,
            due_on,
            responded_on,
            overdue: timeliness.overdue,
            late: timeliness.late,
            days_overdue: timeliness.overdue.then_some(timeliness.days_overdue),
            outcomes: per_question,
        });
    }
    let question_outcomes = campaign
        .questions
        .iter()
        .map(|q| QuestionOutcomes {
            position: q.position,
            outcomes: tally
                .range(
                    (q.position, AnswerOutcome::ALL[0])
                        ..=(
                            q.position,
                            *AnswerOutcome::ALL.last().expect("a vocabulary"),
                        ),
                )
                .map(|((_, outcome), count)| OutcomeCount {
                    outcome: *outcome,
                    count: *count,
                })
                .collect(),
        })
        .collect();
    Ok(CampaignProgress {
        campaign,
        totals,
        question_outcomes,
        exemptions,
        requests,
    })
}

fn check_tools(conn: &mut DbConnection, fields: &CampaignFields) -> Result<(), StoreError> {
    for (question, tool_slugs) in &fields.questions {
        let found: i64 = tools::table
            .filter(tools::slug.eq_any(tool_slugs))
            .count()
            .get_result(conn)?;
        if found != tool_slugs.len() as i64 {
            return Err(StoreError::Invalid {
                field: "questions",
                message: format!(
                    "the question `{}` names a tool that does not exist",
                    question.chars().take(60).collect::<String>()
                ),
            });
        }
    }
    Ok(())
}

fn write_questions(
    conn: &mut DbConnection,
    slug: &str,
    fields: &CampaignFields,
) -> Result<(), StoreError> {
    diesel::delete(campaign_questions::table.filter(campaign_questions::campaign_slug.eq(slug)))
        .execute(conn)?;
    for (position, (question, tools)) in (1..).zip(&fields.questions) {
        diesel::insert_into(campaign_questions::table)
            .values((
                campaign_questions::campaign_slug.eq(slug),
                campaign_questions::position.eq(position),
                campaign_questions::question.eq(question),
                campaign_questions::tool_slugs
                    .eq(serde_json::to_string(tools).expect("strings serialise")),
            ))
            .execute(conn)?;
    }
    Ok(())
}

fn audit_write(
    conn: &mut DbConnection,
    stamp: &Stamp,
    campaign: &Campaign,
    action: Action,
    changed: Changed<'_>,
) -> Result<(), StoreError> {
    revisions::record_write(
        conn,
        stamp,
        Change {
            entity_type: ENTITY,
            entity_id: &campaign.slug,
            action,
            revision: campaign.revision,
            force_slug: None,
            changed,
            summary: format!("{}: {}", campaign.slug, campaign.title),
        },
        campaign,
    )
}

/// The authorities `targets` names, in slug order, with their own law.
pub fn targeted(
    conn: &mut DbConnection,
    targets: &Targets,
) -> Result<Vec<(String, FoiLaw)>, StoreError> {
    let mut query = authorities::table
        .filter(authorities::slug.eq_any(&targets.authorities))
        .into_boxed();
    for group in &targets.groups {
        query = match group {
            TargetGroup::Forces => {
                query.or_filter(authorities::kind.eq(AuthorityKind::Force.as_str()))
            }
            TargetGroup::OversightBodies => {
                query.or_filter(authorities::kind.ne(AuthorityKind::Force.as_str()))
            }
        };
    }
    let found: Vec<(String, String)> = query
        .order(authorities::slug)
        .select((authorities::slug, authorities::foi_law))
        .load(conn)?;
    if let Some(unknown) = targets
        .authorities
        .iter()
        .find(|a| !found.iter().any(|(slug, _)| slug == *a))
    {
        return Err(StoreError::Invalid {
            field: "authorities",
            message: format!("no authority has the slug `{unknown}`"),
        });
    }
    found
        .into_iter()
        .map(|(slug, law)| Ok((slug, parse_column("authorities.foi_law", &law)?)))
        .collect()
}

/// Records a campaign (sending its requests is `workflows::campaigns`'). Call inside a write
/// transaction.
pub fn create(
    conn: &mut DbConnection,
    stamp: &Stamp,
    slug: &str,
    fields: &CampaignFields,
) -> Result<Campaign, StoreError> {
    check_tools(conn, fields)?;
    let revision = revisions::last(conn, ENTITY, slug)?.map_or(1, |last| last + 1);
    diesel::insert_into(campaigns::table)
        .values((
            campaigns::slug.eq(slug),
            campaigns::title.eq(&fields.title),
            campaigns::description.eq(&fields.description),
            campaigns::request_text.eq(&fields.request_text),
            campaigns::started_on.eq(fields.started_on),
            campaigns::law.eq(fields.law.as_str()),
            campaigns::revision.eq(revision),
            campaigns::created_at.eq(stamp.at),
            campaigns::updated_at.eq(stamp.at),
        ))
        .execute(conn)?;
    write_questions(conn, slug, fields)?;
    let created = get(conn, slug)?;
    audit_write(conn, stamp, &created, Action::Create, Changed::NONE)?;
    Ok(created)
}

/// Replaces a campaign's description and questions if it is still at the revision `expected` names.
/// Requests already sent keep the questions they were sent with.
pub fn update(
    conn: &mut DbConnection,
    stamp: &Stamp,
    slug: &str,
    expected: super::Precondition,
    fields: &CampaignFields,
) -> Result<Campaign, StoreError> {
    let current = get(conn, slug)?;
    super::expect_revision("campaign", slug, current.revision, expected)?;
    check_tools(conn, fields)?;
    diesel::update(campaigns::table.find(slug))
        .set((
            campaigns::title.eq(&fields.title),
            campaigns::description.eq(&fields.description),
            campaigns::request_text.eq(&fields.request_text),
            campaigns::started_on.eq(fields.started_on),
            campaigns::law.eq(fields.law.as_str()),
            campaigns::revision.eq(current.revision + 1),
            campaigns::updated_at.eq(stamp.at),
        ))
        .execute(conn)?;
    write_questions(conn, slug, fields)?;
    let updated = get(conn, slug)?;
    let changed = diff::named(
        &current,
        &updated,
        &[
            "title",
            "description",
            "request_text",
            "started_on",
            "law",
            "questions",
        ],
    );
    audit_write(
        conn,
        stamp,
        &updated,
        Action::Update,
        Changed::Values(changed),
    )?;
    Ok(updated)
}

/// Writes a campaign as exported (same slug, revision and times), for imports: nothing when its
/// content is unchanged, a normal update when it differs. Call inside a write
/// transaction.
pub fn restore(
    conn: &mut DbConnection,
    actor: &audit::Actor,
    record: &Campaign,
) -> Result<Restored, StoreError> {
    let fields = record.content();
    match plan(get(conn, &record.slug), record)? {
        Plan::Unchanged => Ok(Restored::Unchanged),
        Plan::Update(current) => {
            update(
                conn,
                &Stamp::now(actor.clone()),
                &record.slug,
                super::Precondition::Revision(current.revision),
                &fields,
            )?;
            Ok(Restored::Updated)
        }
        Plan::Create => {
            check_tools(conn, &fields)?;
            let stamp = Stamp {
                actor: actor.clone(),
                at: record.updated_at.naive_utc(),
            };
            diesel::insert_into(campaigns::table)
                .values((
                    campaigns::slug.eq(&record.slug),
                    campaigns::title.eq(&fields.title),
                    campaigns::description.eq(&fields.description),
                    campaigns::request_text.eq(&fields.request_text),
                    campaigns::started_on.eq(fields.started_on),
                    campaigns::law.eq(fields.law.as_str()),
                    campaigns::revision.eq(record.revision),
                    campaigns::created_at.eq(record.created_at.naive_utc()),
                    campaigns::updated_at.eq(stamp.at),
                ))
                .execute(conn)?;
            write_questions(conn, &record.slug, &fields)?;
            let restored = get(conn, &record.slug)?;
            audit_write(conn, &stamp, &restored, Action::Create, Changed::NONE)?;
            Ok(Restored::Created)
        }
    }
}

impl Restorable for Campaign {
    type Content = CampaignFields;

    fn content(&self) -> CampaignFields {
        CampaignFields {
            title: self.title.clone(),
            description: self.description.clone(),
            request_text: self.request_text.clone(),
            started_on: self.started_on,
            law: self.law,
            questions: self
                .questions
                .iter()
                .map(|q| (q.question.clone(), q.tools.clone()))
                .collect(),
        }
    }
}

/// Deletes a campaign that sent no request (yet), if it is still at the revision `expected` names; one with
/// requests is part of the record (409). Its revisions stay readable. Call inside a write
/// transaction.
pub fn delete(
    conn: &mut DbConnection,
    stamp: &Stamp,
    slug: &str,
    expected: super::Precondition,
) -> Result<(), StoreError> {
    let mut current = get(conn, slug)?;
    super::expect_revision("campaign", slug, current.revision, expected)?;
    let sent: i64 = foi_requests::table
        .filter(foi_requests::campaign_slug.eq(slug))
        .count()
        .get_result(conn)?;
    if sent > 0 {
        return Err(StoreError::Conflict(format!(
            "campaign `{slug}` sent {sent} requests; they are part of the record"
        )));
    }
    diesel::delete(campaigns::table.find(slug)).execute(conn)?;
    current.revision += 1;
    audit_write(conn, stamp, &current, Action::Delete, Changed::NONE)
}

/// Every version of a campaign, oldest first.
pub fn revisions(
    conn: &mut DbConnection,
    slug: &str,
) -> Result<Vec<revisions::Revision<serde_json::Value>>, StoreError> {
    revisions::history(conn, ENTITY, slug)
}
