//! `/forces` and `/forces/{slug}`: every tool with the force's status, the claims and the evidence
//! behind them, the FOI requests to the force and its oversight body, and its history (as it was
//! on a date, and what changed between two dates).

use std::collections::{BTreeMap, HashMap};

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::deployments::shown_changes;
use super::foi::{authority_names, request_row, RequestRow};
use super::home::{change_view, ChangeView};
use super::view::{self, Meta, StatusView};
use super::{cached_page, non_empty_query, query, PageError};
use crate::api::moments::ProfileQuery;
use crate::api::overviews::NoParams;
use crate::api::AppState;
use crate::domain::DeploymentStatus;
use crate::domain::Slug;
use crate::store::audit::{self, ChangeFilter};
use crate::store::compare::{self, ClaimChange, ToolChange};
use crate::store::foi_requests::{self, FoiFilter, FoiSort};
use crate::store::forces::{self, Force, ForceFilter};
use crate::store::impact_assessments::ImpactAssessment;
use crate::store::markers::Dependency;
use crate::store::overviews::{self, ForceProfile, Matrix, MatrixFilter, ProfileTool};
use crate::store::sources::Source;
use crate::store::{PageRequest, StoreError};

/// How many FOI requests and changes a force page lists (the rest are a link away).
const LISTED: usize = 50;

// ---------------------------------------------------------------------------------------------
// The list of forces.

pub struct ForceItem {
    pub href: String,
    pub name: String,
    pub kind: String,
    pub in_use: usize,
    pub researched: usize,
}

#[derive(Template)]
#[template(path = "forces.html", config = "src/web/askama.toml")]
pub struct ForcesPage {
    meta: Meta,
    groups: Vec<(String, Vec<ForceItem>)>,
    tool_count: usize,
}

pub async fn list(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    query::<NoParams>(&req)?;
    let filter = MatrixFilter::default();
    cached_page(
        &req,
        &state,
        Dependency::Everything,
        move |conn| -> Result<(Vec<Force>, Matrix), StoreError> {
            let forces =
                forces::list(conn, &ForceFilter::default(), &PageRequest::everything())?.items;
            Ok((forces, overviews::matrix(conn, &filter)?))
        },
        draw_list,
    )
    .await
}

fn draw_list((forces, matrix): (Vec<Force>, Matrix)) -> ForcesPage {
    let counts: HashMap<&str, (usize, usize)> = matrix
        .forces
        .iter()
        .map(|row| {
            let in_use = row
                .cells
                .values()
                .filter(|s| matches!(s, DeploymentStatus::InUse | DeploymentStatus::Trial))
                .count();
            let researched = row
                .cells
                .values()
                .filter(|s| **s != DeploymentStatus::NotResearched)
                .count();
            (row.force.as_str(), (in_use, researched))
        })
        .collect();
    let mut groups: BTreeMap<(u8, &'static str), Vec<ForceItem>> = BTreeMap::new();
    for force in &forces {
        let label = view::nation_label(force.nation);
        let order = force.nation.map_or(99, |n| n as u8);
        let (in_use, researched) = counts.get(force.slug.as_str()).copied().unwrap_or_default();
        groups.entry((order, label)).or_default().push(ForceItem {
            href: format!("/forces/{}", force.slug),
            name: force.name.clone(),
            kind: force.kind.as_str().to_owned(),
            in_use,
            researched,
        });
    }
    ForcesPage {
        meta: Meta::new(
            "Police forces",
            "Every police force in the registry, with how many surveillance tools each is known to use.",
            "/forces",
        )
        .json("/api/v1/forces?limit=500")
        .csv("/api/v1/exports/matrix.csv"),
        groups: groups
            .into_iter()
            .map(|((_, label), items)| (label.to_owned(), items))
            .collect(),
        tool_count: matrix.tools.len(),
    }
}

// ---------------------------------------------------------------------------------------------
// One force.

pub struct SourceView {
    pub title: String,
    pub url: Option<String>,
    pub archive_url: Option<String>,
    pub publisher: String,
    pub kind: String,
    pub published: String,
    pub retrieved: String,
    /// Where in the document the claim is made, and what it says there (the citation).
    pub locator: Option<String>,
    pub statement: Option<String>,
}

pub fn source_view(source: &Source) -> SourceView {
    SourceView {
        title: source.title.clone(),
        url: source.url.clone(),
        archive_url: source.archive_url.clone(),
        publisher: source.publisher.clone().unwrap_or_default(),
        kind: source.kind.as_str().replace('_', " "),
        published: view::opt_date(source.published_on),
        retrieved: view::opt_date(source.retrieved_on),
        locator: source.locator.clone(),
        statement: source.statement.clone(),
    }
}

pub struct AssessmentView {
    pub title: String,
    pub kind: String,
    pub status: String,
    pub completed: String,
    pub next_review: String,
    pub review_overdue: bool,
    pub url: Option<String>,
}

pub fn assessment_view(a: &ImpactAssessment) -> AssessmentView {
    AssessmentView {
        title: a.title.clone(),
        kind: view::assessment_kind_label(a.kind).to_owned(),
        status: a.status.as_str().replace('_', " "),
        completed: view::opt_date(a.completed_on),
        next_review: view::opt_date(a.next_review_due),
        review_overdue: a.review_overdue,
        url: a.url.clone(),
    }
}

pub struct ClaimView {
    pub href: String,
    pub status: StatusView,
    pub summary: String,
    pub vendors: String,
    pub product: String,
    pub first_known_use: String,
    pub last_confirmed: String,
    pub ended: String,
    pub provenance: String,
    pub verified: bool,
}

pub struct ToolRow {
    pub anchor: String,
    pub href: String,
    pub name: String,
    pub status: StatusView,
    pub since: String,
    pub vendors: String,
    pub claim_count: usize,
    pub assessment_count: usize,
}

pub struct ToolDetail {
    pub anchor: String,
    pub name: String,
    pub status: StatusView,
    pub claim_count: usize,
    pub more_href: Option<String>,
    pub claims: Vec<ClaimView>,
    pub assessments: Vec<AssessmentView>,
    pub evidence: Vec<SourceView>,
}

pub struct AuthorityView {
    pub name: String,
    pub kind: String,
    pub law: String,
    pub website: Option<String>,
    pub href: String,
}

pub struct CompareRow {
    pub name: String,
    pub anchor: String,
    pub before: StatusView,
    pub after: StatusView,
    pub changes: Vec<String>,
}

#[derive(Template)]
#[template(path = "force.html", config = "src/web/askama.toml")]
pub struct ForcePage {
    meta: Meta,
    name: String,
    slug: String,
    nation: &'static str,
    region: Option<String>,
    kind: String,
    website: Option<String>,
    foi_email: Option<String>,
    foi_url: Option<String>,
    authorities: Vec<AuthorityView>,
    as_of: String,
    compare_to: String,
    legend: Vec<StatusView>,
    counts: Vec<(StatusView, usize)>,
    rows: Vec<ToolRow>,
    not_researched: Vec<ToolRow>,
    details: Vec<ToolDetail>,
    comparing: bool,
    compare_from_label: String,
    compare_to_label: String,
    compare_rows: Vec<CompareRow>,
    requests: Vec<RequestRow>,
    more_requests: bool,
    changes: Vec<ChangeView>,
}

struct ForceData {
    profile: ForceProfile,
    compared: Option<ForceProfile>,
    requests: Vec<foi_requests::FoiRequest>,
    more_requests: bool,
    changes: Vec<crate::store::audit::ChangeEvent>,
}

pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<Slug>,
) -> Result<HttpResponse, PageError> {
    let slug = slug.into_inner().into_inner();
    let raw: ProfileQuery = query(&req)?;
    let (as_of, compare_to) = raw.parse()?;
    let labels = raw.given();
    let query_string = non_empty_query(req.query_string());
    let calendar = state.calendar.clone();
    cached_page(
        &req,
        &state,
        Dependency::Force(slug.clone()),
        move |conn| {
            let profile = overviews::force_profile(conn, &slug, as_of)?;
            let compared = match compare_to {
                Some(at) => Some(overviews::force_profile(conn, &slug, Some(at))?),
                None => None,
            };
            let filter = FoiFilter {
                force: Some(slug.clone()),
                ..FoiFilter::default()
            };
            let page = PageRequest {
                limit: LISTED,
                after: None,
                count: false,
            };
            let requests = foi_requests::list(conn, &calendar, &filter, FoiSort::default(), &page)?;
            let changes = audit::before(
                conn,
                &ChangeFilter {
                    force: Some(slug.clone()),
                    entity_type: None,
                },
                None,
                10,
            )?;
            Ok(ForceData {
                profile,
                compared,
                more_requests: requests.next_after.is_some(),
                requests: requests.items,
                changes,
            })
        },
        move |data| draw_page(data, labels, &query_string),
    )
    .await
}

fn claim_view(d: &crate::store::deployments::Deployment) -> ClaimView {
    ClaimView {
        href: format!("/deployments/{}", d.id),
        status: view::status(d.state.status),
        summary: d.state.summary.clone(),
        vendors: d.state.vendors.join(", "),
        product: d.state.product.clone().unwrap_or_default(),
        first_known_use: view::opt_date(d.state.first_known_use),
        last_confirmed: view::opt_date(d.state.last_confirmed),
        ended: view::opt_date(d.state.ended_on),
        provenance: view::provenance_label(d.state.provenance).to_owned(),
        verified: d.state.verified,
    }
}

fn tool_row(tool: &ProfileTool) -> ToolRow {
    let since = tool
        .deployments
        .iter()
        .filter_map(|d| d.state.first_known_use)
        .min();
    let mut vendors: Vec<String> = tool
        .deployments
        .iter()
        .flat_map(|d| {
            d.state
                .vendors
                .iter()
                .cloned()
                .chain(d.state.product.iter().cloned())
        })
        .collect();
    vendors.sort();
    vendors.dedup();
    ToolRow {
        anchor: format!("tool-{}", tool.tool),
        href: if tool.deployment_count > 0 {
            format!("#claims-{}", tool.tool)
        } else {
            format!("/tools/{}", tool.tool)
        },
        name: tool.name.clone(),
        status: view::status(tool.status),
        since: since.map(view::date).unwrap_or_default(),
        vendors: vendors.join(", "),
        claim_count: tool.deployment_count,
        assessment_count: tool.impact_assessments.len(),
    }
}

/// What differs for one tool between two readings of a profile, in words.
fn differences(change: ToolChange) -> Vec<String> {
    let mut lines = Vec::new();
    if change.status.old != change.status.new {
        lines.push(format!(
            "status: {} → {}",
            view::status(change.status.old).label,
            view::status(change.status.new).label
        ));
    }
    for claim in change.claims {
        lines.push(match claim {
            ClaimChange::Added(claim) => {
                format!("new claim: {}", view::clip(&claim.state.summary, 80))
            }
            ClaimChange::Removed(claim) => format!(
                "claim no longer recorded: {}",
                view::clip(&claim.state.summary, 80)
            ),
            ClaimChange::Changed { deployment, fields } => format!(
                "claim “{}” changed: {}",
                view::clip(&deployment.state.summary, 60),
                shown_changes(fields)
                    .iter()
                    .map(|f| format!("{} ({} → {})", f.field, f.before, f.after))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        });
    }
    lines
}

fn draw_page(
    data: ForceData,
    (as_of, compare_to): (String, String),
    query_string: &str,
) -> ForcePage {
    let ForceData {
        profile,
        compared,
        requests,
        more_requests,
        changes,
    } = data;
    let force = &profile.force;
    let slug = force.slug.clone();
    let (researched, unresearched): (Vec<&ProfileTool>, Vec<&ProfileTool>) = profile
        .tools
        .iter()
        .partition(|t| t.status != DeploymentStatus::NotResearched || t.deployment_count > 0);
    let details = researched
        .iter()
        .filter(|t| t.deployment_count > 0)
        .map(|t| ToolDetail {
            anchor: format!("claims-{}", t.tool),
            name: t.name.clone(),
            status: view::status(t.status),
            claim_count: t.deployment_count,
            more_href: (t.deployment_count > t.deployments.len())
                .then(|| format!("/api/v1/deployments?force={slug}&tool={}", t.tool)),
            claims: t.deployments.iter().rev().map(claim_view).collect(),
            assessments: t.impact_assessments.iter().map(assessment_view).collect(),
            evidence: t.evidence.iter().map(source_view).collect(),
        })
        .collect();
    // The comparison: `as_of` (or now) against `compare_to`, older first when both are dates.
    let comparing = compared.is_some();
    let compare_rows = compared
        .as_ref()
        .map(|other| {
            compare::profiles(other, &profile)
                .into_iter()
                .map(|change| CompareRow {
                    name: change.name.clone(),
                    anchor: format!("tool-{}", change.tool),
                    before: view::status(change.status.old),
                    after: view::status(change.status.new),
                    changes: differences(change),
                })
                .collect()
        })
        .unwrap_or_default();
    let profile_query = view::with_query("", &{
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        if !as_of.is_empty() {
            q.append_pair("as_of", &as_of);
        }
        q.finish()
    });
    let name = force.name.clone();
    let description = format!(
        "Which surveillance tools {name} uses, with the evidence and FOI answers behind each claim: {} in use, {} researched of {} tools.",
        profile.status_counts.get(&DeploymentStatus::InUse).copied().unwrap_or(0),
        researched.len(),
        profile.tools.len()
    );
    ForcePage {
        meta: Meta::new(
            name.clone(),
            description,
            view::with_query(&format!("/forces/{slug}"), query_string),
        )
        .json(format!("/api/v1/forces/{slug}/profile{profile_query}"))
        .csv(format!("/api/v1/exports/deployments.csv?force={slug}"))
        .atom(
            format!("/api/v1/forces/{slug}/changes.atom"),
            format!("Changes for {name}"),
        ),
        nation: view::nation_label(force.nation),
        region: force.region.clone(),
        kind: force.kind.as_str().to_owned(),
        website: force.website.clone(),
        foi_email: force.foi_email.clone(),
        foi_url: force.foi_url.clone(),
        authorities: force
            .authorities
            .iter()
            .map(|a| AuthorityView {
                name: a.name.clone(),
                kind: a.kind.as_str().replace('_', " "),
                law: a.foi_law.as_str().to_uppercase(),
                website: a.website.clone(),
                href: format!("/foi-requests?authority={}", a.slug),
            })
            .collect(),
        legend: view::legend(),
        counts: profile
            .status_counts
            .iter()
            .map(|(s, n)| (view::status(*s), *n))
            .collect(),
        rows: researched.iter().map(|t| tool_row(t)).collect(),
        not_researched: unresearched.iter().map(|t| tool_row(t)).collect(),
        details,
        comparing,
        compare_from_label: if compare_to.is_empty() {
            String::new()
        } else {
            compare_to.clone()
        },
        compare_to_label: if as_of.is_empty() {
            "today".to_owned()
        } else {
            as_of.clone()
        },
        compare_rows,
        requests: requests
            .iter()
            .map(|r| request_row(r, &authority_names(std::slice::from_ref(force))))
            .collect(),
        more_requests,
        changes: changes.into_iter().map(change_view).collect(),
        name,
        slug,
        as_of,
        compare_to,
    }
}
