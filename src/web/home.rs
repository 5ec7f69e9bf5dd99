//! `/`: what the registry is, the forces x tools matrix, headline counts and gaps, latest changes.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::view::{self, Meta, StatusView};
use super::{cached_page, non_empty_query, query, PageError};
use crate::api::overviews::MatrixQuery;
use crate::api::AppState;
use crate::domain::Nation;
use crate::store::audit::{self, ChangeEvent, ChangeFilter};
use crate::store::deployments::DeploymentFilter;
use crate::store::forces;
use crate::store::markers::Dependency;
use crate::store::overviews::{self, Matrix};
use crate::store::stats::{self, Stats};
use crate::store::tools::{self, Tool, ToolFilter};
use crate::store::PageRequest;

/// How many changes the home page lists.
const LATEST_CHANGES: usize = 12;

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct Cell {
    pub href: String,
    pub tool_name: String,
    pub status: StatusView,
}

pub struct Row {
    pub href: String,
    pub name: String,
    pub cells: Vec<Cell>,
}

pub struct Column {
    pub href: String,
    pub name: String,
}

pub struct ChangeView {
    pub summary: String,
    pub when: String,
    pub href: Option<String>,
    pub who: String,
}

#[derive(Template)]
#[template(path = "home.html", config = "src/web/askama.toml")]
pub struct HomePage {
    meta: Meta,
    nations: Vec<Choice>,
    regions: Vec<Choice>,
    tools: Vec<Choice>,
    as_of: String,
    filtered: bool,
    legend: Vec<StatusView>,
    columns: Vec<Column>,
    rows: Vec<Row>,
    cell_counts: Vec<(StatusView, usize)>,
    deployments: i64,
    forces: usize,
    tool_count: usize,
    gaps: Vec<(String, String, Option<String>)>,
    changes: Vec<ChangeView>,
}

/// Where an entity of the change feed has its page.
pub fn entity_page(entity_type: &str, id: &str) -> Option<String> {
    let collection = match entity_type {
        "deployment" => "deployments",
        "foi_request" => "foi-requests",
        "campaign" => "campaigns",
        "force" => "forces",
        "tool" => "tools",
        _ => return None,
    };
    Some(format!("/{collection}/{id}"))
}

pub fn change_view(event: ChangeEvent) -> ChangeView {
    ChangeView {
        href: entity_page(&event.entity_type, &event.entity_id),
        when: view::timestamp(event.occurred_at),
        who: event.actor_organisation,
        summary: event.summary,
    }
}

struct HomeData {
    matrix: Matrix,
    stats: Stats,
    changes: Vec<ChangeEvent>,
    tools: Vec<Tool>,
    regions: Vec<String>,
}

pub async fn home(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let raw: MatrixQuery = query(&req)?;
    let filter = raw.parse()?;
    let today = chrono::Utc::now().date_naive();
    let query_string = non_empty_query(req.query_string());
    let (nation, region, tool, as_of) = (
        filter.nation,
        filter.region.clone(),
        filter.tool.clone(),
        filter.as_of,
    );
    let as_of_text =
        web::Query::<std::collections::HashMap<String, String>>::from_query(&query_string)
            .ok()
            .and_then(|q| q.get("as_of").cloned())
            .unwrap_or_default();
    // The headline counts and gaps are those of the forces and tools the matrix shows.
    let counted = DeploymentFilter {
        nation: filter.nation,
        region: filter.region.clone(),
        tool: filter.tool.clone(),
        as_of: filter.as_of,
        ..DeploymentFilter::default()
    };
    cached_page(
        &req,
        &state,
        Dependency::Everything,
        move |conn| {
            Ok(HomeData {
                matrix: overviews::matrix(conn, &filter)?,
                stats: stats::compute(conn, &counted, today)?,
                changes: audit::before(conn, &ChangeFilter::default(), None, LATEST_CHANGES)?,
                tools: tools::list(conn, &ToolFilter::default(), &PageRequest::everything())?.items,
                regions: forces::regions(conn)?,
            })
        },
        move |data| {
            draw(
                data,
                &query_string,
                nation,
                region,
                tool,
                as_of.is_some(),
                as_of_text,
            )
        },
    )
    .await
}

fn draw(
    data: HomeData,
    query_string: &str,
    nation: Option<Nation>,
    region: Option<String>,
    tool: Option<String>,
    past: bool,
    as_of: String,
) -> HomePage {
    let HomeData {
        matrix,
        stats,
        changes,
        tools,
        regions,
    } = data;
    let name_of = |slug: &str| {
        tools
            .iter()
            .find(|t| t.slug == slug)
            .map_or_else(|| slug.to_owned(), |t| t.name.clone())
    };
    let columns: Vec<Column> = matrix
        .tools
        .iter()
        .map(|slug| Column {
            href: format!("/tools/{slug}"),
            name: name_of(slug),
        })
        .collect();
    let rows = matrix
        .forces
        .iter()
        .map(|row| Row {
            href: format!("/forces/{}", row.force),
            name: row.name.clone(),
            cells: matrix
                .tools
                .iter()
                .zip(&columns)
                .map(|(slug, column)| Cell {
                    href: format!("/forces/{}#tool-{slug}", row.force),
                    tool_name: column.name.clone(),
                    status: view::status(
                        row.cells
                            .get(slug)
                            .copied()
                            .unwrap_or(crate::domain::DeploymentStatus::NotResearched),
                    ),
                })
                .collect(),
        })
        .collect();
    let nations = Nation::ALL
        .iter()
        .map(|n| Choice {
            value: n.as_str().to_owned(),
            label: view::nation_label(Some(*n)).to_owned(),
            selected: Some(*n) == nation,
        })
        .collect();
    let regions = regions
        .into_iter()
        .map(|r| Choice {
            selected: Some(&r) == region.as_ref(),
            label: r.clone(),
            value: r,
        })
        .collect();
    let tool_choices = tools
        .iter()
        .map(|t| Choice {
            value: t.slug.clone(),
            label: t.name.clone(),
            selected: Some(&t.slug) == tool.as_ref(),
        })
        .collect();
    let gaps = &stats.gaps;
    let gaps = vec![
        (
            gaps.in_use_or_trial_without_assessment.to_string(),
            "claims of a tool in use or on trial that no known impact assessment covers".to_owned(),
            Some(format!(
                "/api/v1/deployments?status__in=in_use,trial&has_impact_assessment=false{}",
                if query_string.is_empty() {
                    String::new()
                } else {
                    format!("&{query_string}")
                }
            )),
        ),
        (
            gaps.assessments_review_overdue.to_string(),
            "impact assessments overdue for review".to_owned(),
            Some("/api/v1/impact-assessments?review_overdue=true".to_owned()),
        ),
        (
            gaps.foi_overdue_unanswered.to_string(),
            "FOI requests unanswered past their legal deadline".to_owned(),
            Some("/foi-requests?overdue=true".to_owned()),
        ),
        (
            gaps.foi_answered_late.to_string(),
            "FOI requests answered late".to_owned(),
            None,
        ),
    ];
    let filtered = nation.is_some() || region.is_some() || tool.is_some() || past;
    let api_query = view::with_query("", query_string);
    HomePage {
        meta: Meta::new(
            "Which surveillance tools do UK police forces use?",
            "An evidence-linked registry of the surveillance tools each UK police force uses, with the FOI answers and sources behind every claim.",
            "/",
        )
        .json(format!("/api/v1/matrix{api_query}"))
        .csv(format!("/api/v1/matrix.csv{api_query}")),
        nations,
        regions,
        tools: tool_choices,
        as_of,
        filtered,
        legend: view::legend(),
        cell_counts: stats
            .cells_by_status
            .iter()
            .map(|(status, count)| (view::status(*status), *count))
            .collect(),
        deployments: stats.deployments_by_tool.iter().map(|c| c.count).sum(),
        forces: matrix.forces.len(),
        tool_count: tools.len(),
        columns,
        rows,
        gaps,
        changes: changes.into_iter().map(change_view).collect(),
    }
}
