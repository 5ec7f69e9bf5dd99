//! `/campaigns` and `/campaigns/{slug}`: one request sent to many authorities, its progress per
//! authority, the outcomes per question (as a chart and a table), and exemptions by frequency.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::svg::{self, BarChart};
use super::view::{self, Meta};
use super::{cached_page, page_response, query, PageError};
use crate::api::overviews::NoParams;
use crate::api::AppState;
use crate::domain::AnswerOutcome;
use crate::domain::Slug;
use crate::store::campaigns::{self, Campaign, CampaignProgress};
use crate::store::markers::Dependency;

pub struct CampaignItem {
    pub href: String,
    pub title: String,
    pub started: String,
    pub description: String,
}

#[derive(Template)]
#[template(path = "campaigns.html", config = "src/web/askama.toml")]
pub struct CampaignsPage {
    meta: Meta,
    campaigns: Vec<CampaignItem>,
}

pub async fn list(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    query::<NoParams>(&req)?;
    let items: Vec<Campaign> = state.db.run(campaigns::list).await?;
    let page = CampaignsPage {
        meta: Meta::new(
            "FOI campaigns",
            "Freedom of information requests sent to many police bodies at once, and how each answered.",
            "/campaigns",
        )
        .json("/api/v1/campaigns")
        .csv("/api/v1/exports/campaigns.csv"),
        campaigns: items
            .iter()
            .map(|c| CampaignItem {
                href: format!("/campaigns/{}", c.slug),
                title: c.title.clone(),
                started: view::date(c.started_on),
                description: view::clip(&c.description, 300),
            })
            .collect(),
    };
    Ok(page_response(&req, &page))
}

pub struct RequestProgressRow {
    pub href: String,
    pub authority: String,
    pub state: String,
    pub received: String,
    pub due: String,
    pub responded: String,
    pub overdue: bool,
    /// Days past due while overdue.
    pub days_overdue: Option<i64>,
    pub late: bool,
    /// Each question's outcome, as `Q1 Disclosed`.
    pub outcomes: Vec<String>,
}

/// A section of the Act with its citations, and how it was cited exactly.
pub struct ExemptionRow {
    pub section: String,
    pub count: i64,
    pub ncnd: i64,
    /// The sections as cited, when they are more than the bare section: (section, count, NCND).
    pub subsections: Vec<(String, i64, i64)>,
}

pub struct QuestionRow {
    pub position: i32,
    pub question: String,
    pub counts: Vec<i64>,
}

#[derive(Template)]
#[template(path = "campaign.html", config = "src/web/askama.toml")]
pub struct CampaignPage {
    meta: Meta,
    title: String,
    description: String,
    started: String,
    law: String,
    request_text: String,
    totals: Vec<(&'static str, i64)>,
    requests: Vec<RequestProgressRow>,
    outcome_names: Vec<&'static str>,
    questions: Vec<QuestionRow>,
    chart: Option<BarChart>,
    exemptions: Vec<ExemptionRow>,
    slug: String,
}

pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<Slug>,
) -> Result<HttpResponse, PageError> {
    let slug = slug.into_inner().into_inner();
    query::<NoParams>(&req)?;
    cached_page(
        &req,
        &state,
        Dependency::Everything,
        move |conn| campaigns::progress(conn, &slug),
        draw,
    )
    .await
}

fn draw(progress: CampaignProgress) -> CampaignPage {
    let campaign = &progress.campaign;
    let slug = campaign.slug.clone();
    // The outcomes that occur, in the vocabulary's order: the chart's key and the table's columns.
    let present: Vec<AnswerOutcome> = AnswerOutcome::ALL
        .iter()
        .copied()
        .filter(|o| {
            progress
                .question_outcomes
                .iter()
                .any(|q| q.outcomes.iter().any(|c| c.outcome == *o && c.count > 0))
        })
        .collect();
    let questions: Vec<QuestionRow> = progress
        .question_outcomes
        .iter()
        .map(|q| QuestionRow {
            position: q.position,
            question: campaign
                .questions
                .iter()
                .find(|cq| cq.position == q.position)
                .map(|cq| view::clip(&cq.question, 140))
                .unwrap_or_default(),
            counts: present
                .iter()
                .map(|o| {
                    q.outcomes
                        .iter()
                        .filter(|c| c.outcome == *o)
                        .map(|c| c.count)
                        .sum()
                })
                .collect(),
        })
        .collect();
    let outcome_names: Vec<&'static str> =
        present.iter().map(|o| view::outcome_label(*o)).collect();
    let chart = (!questions.is_empty() && !present.is_empty()).then(|| {
        let summary = questions
            .iter()
            .map(|q| {
                let parts: Vec<String> = q
                    .counts
                    .iter()
                    .zip(&outcome_names)
                    .filter(|(n, _)| **n > 0)
                    .map(|(n, name)| format!("{n} {}", name.to_lowercase()))
                    .collect();
                format!("question {}: {}", q.position, parts.join(", "))
            })
            .collect::<Vec<_>>()
            .join("; ");
        svg::stacked_rows(
            "outcomes",
            "Outcomes per question".to_owned(),
            format!("How the authorities answered each question: {summary}."),
            "Answers to each question, by outcome. The table below gives the same figures."
                .to_owned(),
            outcome_names.iter().map(|s| (*s).to_owned()).collect(),
            &questions
                .iter()
                .map(|q| (format!("Question {}", q.position), q.counts.clone()))
                .collect::<Vec<_>>(),
        )
    });
    let t = &progress.totals;
    CampaignPage {
        meta: Meta::new(
            campaign.title.clone(),
            view::clip(
                &format!(
                    "{}: {} requests, {} answered ({} late), {} overdue.",
                    campaign.title, t.requests, t.answered, t.answered_late, t.overdue
                ),
                200,
            ),
            format!("/campaigns/{slug}"),
        )
        .json(format!("/api/v1/campaigns/{slug}"))
        .csv(format!("/api/v1/exports/foi-answers.csv?campaign={slug}")),
        title: campaign.title.clone(),
        description: campaign.description.clone(),
        started: view::date(campaign.started_on),
        law: campaign.law.as_str().to_uppercase(),
        request_text: campaign.request_text.clone(),
        totals: vec![
            ("requests sent", t.requests),
            ("answered", t.answered),
            ("answered late", t.answered_late),
            ("awaiting an answer", t.awaiting),
            ("overdue", t.overdue),
        ],
        requests: progress
            .requests
            .iter()
            .map(|r| RequestProgressRow {
                href: format!("/foi-requests/{}", r.foi_request_id),
                authority: r.authority_name.clone(),
                state: view::foi_state_label(r.state),
                received: view::date(r.received_on),
                due: view::date(r.due_on),
                responded: view::opt_date(r.responded_on),
                overdue: r.overdue,
                days_overdue: r.days_overdue,
                late: r.late,
                outcomes: r
                    .outcomes
                    .iter()
                    .map(|(question, o)| format!("Q{question} {}", view::outcome_label(*o)))
                    .collect(),
            })
            .collect(),
        outcome_names,
        questions,
        chart,
        exemptions: progress
            .exemptions
            .iter()
            .map(|e| ExemptionRow {
                section: e.section.clone(),
                count: e.count,
                ncnd: e.ncnd,
                subsections: if e.subsections.len() == 1 && e.subsections[0].section == e.section {
                    Vec::new()
                } else {
                    e.subsections
                        .iter()
                        .map(|s| (s.section.clone(), s.count, s.ncnd))
                        .collect()
                },
            })
            .collect(),
        slug,
    }
}
