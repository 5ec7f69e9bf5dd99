//! The checks a request passes before it is written: its authority, campaign, campaign questions,
//! tools, redirects and links exist, and its links stay within the authority's force. What the
//! requests refer to is loaded first, for one request or a batch of a thousand alike, in a fixed
//! number of queries; each request is then checked in memory.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::NaiveDate;
use diesel::prelude::*;

use super::model::FoiRequestFields;
use crate::db::schema::{
    authorities, campaign_questions, campaigns, deployments as deployments_table,
    impact_assessments, tools,
};
use crate::db::DbConnection;
use crate::foi::FoiCalendar;
use crate::store::StoreError;

pub(super) fn invalid(field: &'static str, message: String) -> StoreError {
    StoreError::Invalid { field, message }
}

/// What a checked request is written with besides its fields.
pub struct Checked {
    /// The force of the request's authority.
    pub force: String,
    pub due_on: NaiveDate,
    /// The campaign question each answer replies to, in answer order.
    pub campaign_questions: Vec<Option<i32>>,
}

/// The records some requests refer to, each looked up once.
pub struct References {
    /// Authority slug to its force's slug.
    authorities: HashMap<String, String>,
    /// Campaign slug to the positions of its questions.
    campaigns: HashMap<String, BTreeSet<i32>>,
    tools: HashSet<String>,
    /// Deployment id to its force's slug.
    deployments: HashMap<String, String>,
    /// Impact assessment id to its force's slug.
    assessments: HashMap<String, String>,
}

impl References {
    /// Loads what `requests` refer to: six queries at most, whatever their number.
    pub fn load<'a>(
        conn: &mut DbConnection,
        requests: impl IntoIterator<Item = &'a FoiRequestFields>,
    ) -> Result<Self, StoreError> {
        let mut authority_slugs = BTreeSet::new();
        let mut campaign_slugs = BTreeSet::new();
        let mut tool_slugs = BTreeSet::new();
        let mut deployment_ids = BTreeSet::new();
        let mut assessment_ids = BTreeSet::new();
        for fields in requests {
            authority_slugs.insert(fields.authority.as_str());
            campaign_slugs.extend(fields.campaign.as_deref());
            for answer in &fields.answers {
                tool_slugs.extend(answer.tools.iter().map(String::as_str));
                tool_slugs.extend(answer.claims.iter().map(|(tool, _)| tool.as_str()));
                authority_slugs.extend(answer.redirected_to.as_deref());
                deployment_ids.extend(answer.deployments.iter().map(|(id, _)| id.as_str()));
                assessment_ids.extend(answer.impact_assessments.iter().map(|(id, _)| id.as_str()));
            }
        }
        let pairs = |rows: Vec<(String, String)>| rows.into_iter().collect::<HashMap<_, _>>();
        let mut campaigns: HashMap<String, BTreeSet<i32>> = HashMap::new();
        if !campaign_slugs.is_empty() {
            for slug in campaigns::table
                .filter(campaigns::slug.eq_any(&campaign_slugs))
                .select(campaigns::slug)
                .load::<String>(conn)?
            {
                campaigns.entry(slug).or_default();
            }
            for (slug, position) in campaign_questions::table
                .filter(campaign_questions::campaign_slug.eq_any(&campaign_slugs))
                .select((
                    campaign_questions::campaign_slug,
                    campaign_questions::position,
                ))
                .load::<(String, i32)>(conn)?
            {
                campaigns.entry(slug).or_default().insert(position);
            }
        }
        Ok(Self {
            authorities: pairs(
                authorities::table
                    .filter(authorities::slug.eq_any(&authority_slugs))
                    .select((authorities::slug, authorities::force_slug))
                    .load(conn)?,
            ),
            campaigns,
            tools: if tool_slugs.is_empty() {
                HashSet::new()
            } else {
                tools::table
                    .filter(tools::slug.eq_any(&tool_slugs))
                    .select(tools::slug)
                    .load::<String>(conn)?
                    .into_iter()
                    .collect()
            },
            deployments: if deployment_ids.is_empty() {
                HashMap::new()
            } else {
                pairs(
                    deployments_table::table
                        .filter(deployments_table::id.eq_any(&deployment_ids))
                        .select((deployments_table::id, deployments_table::force_slug))
                        .load(conn)?,
                )
            },
            assessments: if assessment_ids.is_empty() {
                HashMap::new()
            } else {
                pairs(
                    impact_assessments::table
                        .filter(impact_assessments::id.eq_any(&assessment_ids))
                        .select((impact_assessments::id, impact_assessments::force_slug))
                        .load(conn)?,
                )
            },
        })
    }

    /// Checks every reference of `fields` (which must be among those loaded) and returns the
    /// request's force, its due date and the campaign questions its answers reply to.
    pub fn check(
        &self,
        calendar: &FoiCalendar,
        fields: &FoiRequestFields,
    ) -> Result<Checked, StoreError> {
        let force = self.authorities.get(&fields.authority).ok_or_else(|| {
            invalid(
                "authority",
                format!("no authority has the slug `{}`", fields.authority),
            )
        })?;
        let due_on = calendar
            .due_date(fields.law, fields.received_on)
            .map_err(|e| invalid("received_on", e.to_string()))?;
        let questions = match &fields.campaign {
            Some(campaign) => Some(self.campaigns.get(campaign).ok_or_else(|| {
                invalid("campaign", format!("no campaign has the slug `{campaign}`"))
            })?),
            None => None,
        };
        let mut tool_slugs = BTreeSet::new();
        let mut redirects = BTreeSet::new();
        let mut deployment_ids = BTreeSet::new();
        let mut assessment_ids = BTreeSet::new();
        for answer in &fields.answers {
            tool_slugs.extend(answer.tools.iter().map(String::as_str));
            tool_slugs.extend(answer.claims.iter().map(|(tool, _)| tool.as_str()));
            redirects.extend(answer.redirected_to.as_deref());
            deployment_ids.extend(answer.deployments.iter().map(|(id, _)| id.as_str()));
            assessment_ids.extend(answer.impact_assessments.iter().map(|(id, _)| id.as_str()));
        }
        if let Some(unknown) = tool_slugs.iter().find(|t| !self.tools.contains(**t)) {
            return Err(invalid(
                "answers",
                format!("no tool has the slug `{unknown}`"),
            ));
        }
        if let Some(unknown) = redirects
            .iter()
            .find(|a| !self.authorities.contains_key(**a))
        {
            return Err(invalid(
                "answers",
                format!("`redirected_to`: no authority has the slug `{unknown}`"),
            ));
        }
        for (what, wanted, known) in [
            ("deployment", &deployment_ids, &self.deployments),
            ("impact assessment", &assessment_ids, &self.assessments),
        ] {
            let mut found: Vec<(&str, &String)> = wanted
                .iter()
                .filter_map(|id| known.get(*id).map(|owner| (*id, owner)))
                .collect();
            if found.len() != wanted.len() {
                return Err(invalid(
                    "answers",
                    format!("links to a {what} that does not exist"),
                ));
            }
            found.retain(|(_, owner)| *owner != force);
            if let Some((id, _)) = found.first() {
                return Err(invalid(
                    "answers",
                    format!("links to {what} `{id}` of another force than the authority's"),
                ));
            }
        }
        if fields
            .responded_on
            .is_some_and(|on| on < fields.received_on)
        {
            return Err(invalid(
                "responded_on",
                "is before `received_on`".to_owned(),
            ));
        }
        Ok(Checked {
            force: force.clone(),
            due_on,
            campaign_questions: question_links(fields, questions)?,
        })
    }
}

/// Checks every reference of `fields` and returns the request's force, its due date and the
/// campaign questions its answers reply to.
pub fn check(
    conn: &mut DbConnection,
    calendar: &FoiCalendar,
    fields: &FoiRequestFields,
) -> Result<Checked, StoreError> {
    References::load(conn, [fields])?.check(calendar, fields)
}

/// The campaign question each answer replies to, given the questions of the request's campaign
/// (`None` when it belongs to none). Answers of a campaign's request name theirs
/// (`campaign_question`); when none does, each replies to the question at its own position, if
/// the campaign has one (as the campaign sends them, and as most replies keep them). Named
/// questions must exist and be named once; other requests link nothing.
fn question_links(
    fields: &FoiRequestFields,
    questions: Option<&BTreeSet<i32>>,
) -> Result<Vec<Option<i32>>, StoreError> {
    let named = fields.answers.iter().any(|a| a.campaign_question.is_some());
    let (Some(campaign), Some(questions)) = (&fields.campaign, questions) else {
        if named {
            return Err(invalid(
                "answers",
                "`campaign_question` links an answer to a campaign's question, and this request \
                 belongs to no campaign"
                    .to_owned(),
            ));
        }
        return Ok(vec![None; fields.answers.len()]);
    };
    if !named {
        return Ok((1..)
            .take(fields.answers.len())
            .map(|position| questions.contains(&position).then_some(position))
            .collect());
    }
    let mut links = Vec::with_capacity(fields.answers.len());
    for answer in &fields.answers {
        if let Some(question) = answer.campaign_question {
            if !questions.contains(&question) {
                return Err(invalid(
                    "answers",
                    format!(
                        "`campaign_question`: campaign `{campaign}` has no question {question}"
                    ),
                ));
            }
            if links.contains(&Some(question)) {
                return Err(invalid(
                    "answers",
                    format!("`campaign_question`: two answers reply to question {question}"),
                ));
            }
        }
        links.push(answer.campaign_question);
    }
    Ok(links)
}
