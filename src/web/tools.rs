//! `/tools` and `/tools/{slug}`: the taxonomy, and one tool across every force, grouped by nation
//! and region, with its adoption over time drawn as a chart.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::Datelike;

use super::svg::{self, BarChart};
use super::view::{self, Meta, StatusView};
use super::{cached_page, non_empty_query, query, PageError};
use crate::api::moments::AsOfOnly;
use crate::api::overviews::NoParams;
use crate::api::AppState;
use crate::domain::DeploymentStatus;
use crate::domain::Slug;
use crate::store::deployments::{self, Deployment, DeploymentFilter};
use crate::store::forces::{self, Force, ForceFilter};
use crate::store::markers::Dependency;
use crate::store::overviews::{self, Matrix, MatrixFilter, ToolForces};
use crate::store::tools::{self, Tool, ToolFilter};
use crate::store::PageRequest;

pub struct ToolItem {
    pub href: String,
    pub name: String,
    pub description: String,
    pub child: bool,
    pub deprecated: bool,
    pub in_use: usize,
    pub researched: usize,
}

#[derive(Template)]
#[template(path = "tools.html", config = "src/web/askama.toml")]
pub struct ToolsPage {
    meta: Meta,
    tools: Vec<ToolItem>,
    force_count: usize,
}

pub async fn list(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    query::<NoParams>(&req)?;
    cached_page(
        &req,
        &state,
        Dependency::Everything,
        |conn| {
            let tools =
                tools::list(conn, &ToolFilter::default(), &PageRequest::everything())?.items;
            Ok((tools, overviews::matrix(conn, &MatrixFilter::default())?))
        },
        draw_list,
    )
    .await
}

fn draw_list((tools, matrix): (Vec<Tool>, Matrix)) -> ToolsPage {
    let count = |slug: &str, pick: fn(DeploymentStatus) -> bool| {
        matrix
            .forces
            .iter()
            .filter(|row| row.cells.get(slug).is_some_and(|s| pick(*s)))
            .count()
    };
    // Parents first, each followed by its children.
    let mut ordered: Vec<&Tool> = Vec::new();
    for tool in tools.iter().filter(|t| t.parent.is_none()) {
        ordered.push(tool);
        ordered.extend(
            tools
                .iter()
                .filter(|t| t.parent.as_ref() == Some(&tool.slug)),
        );
    }
    for tool in &tools {
        if !ordered.iter().any(|t| t.slug == tool.slug) {
            ordered.push(tool);
        }
    }
    ToolsPage {
        meta: Meta::new(
            "Surveillance tools",
            "The surveillance tools the registry tracks, and how many police forces are known to use each.",
            "/tools",
        )
        .json("/api/v1/tools?limit=500")
        .csv("/api/v1/exports/matrix.csv"),
        tools: ordered
            .into_iter()
            .map(|t| ToolItem {
                href: format!("/tools/{}", t.slug),
                name: t.name.clone(),
                description: view::clip(&t.description, 220),
                child: t.parent.is_some(),
                deprecated: t.deprecated,
                in_use: count(&t.slug, |s| {
                    matches!(s, DeploymentStatus::InUse | DeploymentStatus::Trial)
                }),
                researched: count(&t.slug, |s| s != DeploymentStatus::NotResearched),
            })
            .collect(),
        force_count: matrix.forces.len(),
    }
}

pub struct ForceStatus {
    pub href: String,
    pub name: String,
    pub status: StatusView,
}

pub struct Group {
    pub label: String,
    pub id: String,
    pub forces: Vec<ForceStatus>,
    pub using: usize,
}

#[derive(Template)]
#[template(path = "tool.html", config = "src/web/askama.toml")]
pub struct ToolPage {
    meta: Meta,
    slug: String,
    name: String,
    description: String,
    aliases: String,
    parent: Option<(String, String)>,
    children: Vec<(String, String)>,
    deprecated: bool,
    as_of: String,
    counts: Vec<(StatusView, usize)>,
    groups: Vec<Group>,
    chart: Option<BarChart>,
    adoption: Vec<(i32, i64)>,
    undated: usize,
}

struct ToolData {
    view: ToolForces,
    deployments: Vec<Deployment>,
    forces: Vec<Force>,
    tools: Vec<Tool>,
}

pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<Slug>,
) -> Result<HttpResponse, PageError> {
    let slug = slug.into_inner().into_inner();
    let raw: AsOfOnly = query(&req)?;
    let as_of = raw.parse()?;
    let as_of_text = raw.given();
    let query_string = non_empty_query(req.query_string());
    cached_page(
        &req,
        &state,
        Dependency::Everything,
        move |conn| {
            let view = overviews::tool_forces(conn, &slug, as_of)?;
            let filter = DeploymentFilter {
                tool: Some(slug.clone()),
                as_of,
                ..DeploymentFilter::default()
            };
            Ok(ToolData {
                view,
                deployments: deployments::all(conn, &filter)?,
                forces: forces::list(conn, &ForceFilter::default(), &PageRequest::everything())?
                    .items,
                tools: tools::list(conn, &ToolFilter::default(), &PageRequest::everything())?.items,
            })
        },
        move |data| draw_page(data, as_of_text, &query_string),
    )
    .await
}

/// Forces using the tool (in use, on trial, or since discontinued) in each year, from the claims'
/// first known use and end; and how many using forces have no known start.
fn adoption(deployments: &[Deployment], this_year: i32) -> (Vec<(i32, i64)>, usize) {
    let used = |d: &&Deployment| {
        matches!(
            d.state.status,
            DeploymentStatus::InUse | DeploymentStatus::Trial | DeploymentStatus::Discontinued
        )
    };
    let dated: Vec<&Deployment> = deployments
        .iter()
        .filter(used)
        .filter(|d| d.state.first_known_use.is_some())
        .collect();
    let undated: BTreeSet<&str> = deployments
        .iter()
        .filter(used)
        .filter(|d| d.state.first_known_use.is_none())
        .map(|d| d.force.as_str())
        .filter(|force| !dated.iter().any(|d| d.force == *force))
        .collect();
    let Some(first) = dated
        .iter()
        .filter_map(|d| d.state.first_known_use)
        .map(|d| d.year())
        .min()
    else {
        return (Vec::new(), undated.len());
    };
    let first = first.max(this_year - 24);
    let years = (first..=this_year)
        .map(|year| {
            let forces: BTreeSet<&str> = dated
                .iter()
                .filter(|d| d.state.first_known_use.is_some_and(|s| s.year() <= year))
                .filter(|d| d.state.ended_on.is_none_or(|e| e.year() >= year))
                .map(|d| d.force.as_str())
                .collect();
            (year, forces.len() as i64)
        })
        .collect();
    (years, undated.len())
}

fn draw_page(data: ToolData, as_of: String, query_string: &str) -> ToolPage {
    let ToolData {
        view: tool_view,
        deployments,
        forces,
        tools,
    } = data;
    let tool = &tool_view.tool;
    let regions: HashMap<&str, Option<&str>> = forces
        .iter()
        .map(|f| (f.slug.as_str(), f.region.as_deref()))
        .collect();
    let mut groups: BTreeMap<(u8, String), Vec<ForceStatus>> = BTreeMap::new();
    let mut using: HashMap<(u8, String), usize> = HashMap::new();
    for cell in &tool_view.forces {
        let nation = view::nation_label(cell.nation);
        let label = match regions.get(cell.force.as_str()).copied().flatten() {
            Some(region) => format!("{nation}: {region}"),
            None => nation.to_owned(),
        };
        let key = (cell.nation.map_or(99, |n| n as u8), label);
        if matches!(
            cell.status,
            DeploymentStatus::InUse | DeploymentStatus::Trial
        ) {
            *using.entry(key.clone()).or_default() += 1;
        }
        groups.entry(key).or_default().push(ForceStatus {
            href: format!("/forces/{}#tool-{}", cell.force, tool.slug),
            name: cell.name.clone(),
            status: view::status(cell.status),
        });
    }
    let mut counts: BTreeMap<DeploymentStatus, usize> = BTreeMap::new();
    for cell in &tool_view.forces {
        *counts.entry(cell.status).or_default() += 1;
    }
    let this_year = chrono::Utc::now().year();
    let (adoption, undated) = adoption(&deployments, this_year);
    let chart = (!adoption.is_empty()).then(|| {
        let data: Vec<(String, i64)> = adoption
            .iter()
            .map(|(year, n)| (year.to_string(), *n))
            .collect();
        let summary = adoption
            .iter()
            .map(|(year, n)| format!("{year}: {n}"))
            .collect::<Vec<_>>()
            .join(", ");
        svg::columns(
            "adoption",
            format!("Forces using {} by year", tool.name),
            format!("Number of forces known to use, trial or have used {} in each year. {summary}.", tool.name),
            "Forces known to use the tool each year, from the claims' first known use and end dates. The table below gives the same figures.".to_owned(),
            &data,
        )
    });
    let name_of = |slug: &str| {
        tools
            .iter()
            .find(|t| t.slug == slug)
            .map_or_else(|| slug.to_owned(), |t| t.name.clone())
    };
    let slug = tool.slug.clone();
    let in_use = counts.get(&DeploymentStatus::InUse).copied().unwrap_or(0);
    ToolPage {
        meta: Meta::new(
            tool.name.clone(),
            format!(
                "{}: which UK police forces use it ({in_use} known to), with the evidence behind each claim.",
                tool.name
            ),
            view::with_query(&format!("/tools/{slug}"), query_string),
        )
        .json(view::with_query(&format!("/api/v1/tools/{slug}/forces"), query_string))
        .csv(format!("/api/v1/exports/deployments.csv?tool={slug}"))
        .atom(
            format!("/api/v1/deployments.atom?tool={slug}"),
            format!("Claims about {} as they change", tool.name),
        ),
        name: tool.name.clone(),
        description: tool.description.clone(),
        aliases: tool.aliases.join(", "),
        parent: tool
            .parent
            .as_ref()
            .map(|p| (format!("/tools/{p}"), name_of(p))),
        children: tools
            .iter()
            .filter(|t| t.parent.as_ref() == Some(&slug))
            .map(|t| (format!("/tools/{}", t.slug), t.name.clone()))
            .collect(),
        deprecated: tool.deprecated,
        as_of,
        counts: counts
            .into_iter()
            .map(|(s, n)| (view::status(s), n))
            .collect(),
        groups: groups
            .into_iter()
            .enumerate()
            .map(|(i, (key, forces))| Group {
                id: format!("group-{i}"),
                using: using.get(&key).copied().unwrap_or(0),
                label: key.1,
                forces,
            })
            .collect(),
        chart,
        adoption,
        undated,
        slug,
    }
}
