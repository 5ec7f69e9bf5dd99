//! The checks a request passes before it is written: its authority, campaign, campaign questions,
//! tools, redirects and links exist, and its links stay within the authority's force.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use diesel::prelude::*;

use super::model::FoiRequestFields;
use super::read::authority_of;
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

/// Checks every reference of `fields` and returns the request's force, its due date and the
/// campaign questions its answers reply to.
pub fn check(
    conn: &mut DbConnection,
    calendar: &FoiCalendar,
    fields: &FoiRequestFields,
) -> Result<Checked, StoreError> {
    let (force, _) = authority_of(conn, &fields.authority)?;
    let due_on = calendar
        .due_date(fields.law, fields.received_on)
        .map_err(|e| invalid("received_on", e.to_string()))?;
    if let Some(campaign) = &fields.campaign {
        let found: i64 = campaigns::table
            .filter(campaigns::slug.eq(campaign))
            .count()
            .get_result(conn)?;
        if found == 0 {
            return Err(invalid(
                "campaign",
                format!("no campaign has the slug `{campaign}`"),
            ));
        }
    }
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
    let known_tools: BTreeSet<String> = tools::table
        .filter(tools::slug.eq_any(&tool_slugs))
        .select(tools::slug)
        .load::<String>(conn)?
        .into_iter()
        .collect();
    if let Some(unknown) = tool_slugs.iter().find(|t| !known_tools.contains(**t)) {
        return Err(invalid(
            "answers",
            format!("no tool has the slug `{unknown}`"),
        ));
    }
    let known_authorities: BTreeSet<String> = authorities::table
        .filter(authorities::slug.eq_any(&redirects))
        .select(authorities::slug)
        .load::<String>(conn)?
        .into_iter()
        .collect();
    if let Some(unknown) = redirects.iter().find(|a| !known_authorities.contains(**a)) {
        return Err(invalid(
            "answers",
            format!("`redirected_to`: no authority has the slug `{unknown}`"),
        ));
    }
    let linked_deployments: Vec<(String, String)> = deployments_table::table
        .filter(deployments_table::id.eq_any(&deployment_ids))
        .select((deployments_table::id, deployments_table::force_slug))
        .load(conn)?;
    let linked_assessments: Vec<(String, String)> = impact_assessments::table
        .filter(impact_assessments::id.eq_any(&assessment_ids))
        .select((impact_assessments::id, impact_assessments::force_slug))
        .load(conn)?;
    for (what, wanted, found) in [
        ("deployment", &deployment_ids, &linked_deployments),
        ("impact assessment", &assessment_ids, &linked_assessments),
    ] {
        if found.len() != wanted.len() {
            return Err(invalid(
                "answers",
                format!("links to a {what} that does not exist"),
            ));
        }
        if let Some((id, _)) = found.iter().find(|(_, f)| *f != force) {
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
    let campaign_questions = question_links(conn, fields)?;
    Ok(Checked {
        force,
        due_on,
        campaign_questions,
    })
}

/// The campaign question each answer replies to. Answers of a campaign's request name theirs
/// (`campaign_question`); when none does, each replies to the question at its own position, if
/// the campaign has one (as the campaign sends them, and as most replies keep them). Named
/// questions must exist and be named once; other requests link nothing.
fn question_links(
    conn: &mut DbConnection,
    fields: &FoiRequestFields,
) -> Result<Vec<Option<i32>>, StoreError> {
    let named = fields.answers.iter().any(|a| a.campaign_question.is_some());
    let Some(campaign) = &fields.campaign else {
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
    let questions: BTreeSet<i32> = campaign_questions::table
        .filter(campaign_questions::campaign_slug.eq(campaign))
        .select(campaign_questions::position)
        .load::<i32>(conn)?
        .into_iter()
        .collect();
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
