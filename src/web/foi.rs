//! `/foi-requests` (filtered like the API's list, paged by its cursor) and `/foi-requests/{id}`:
//! one request's timeline, questions and outcomes, exemptions and documents.

use std::collections::HashMap;

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::view::{self, Meta};
use super::{cached_page, non_empty_query, page_response, query, PageError};
use crate::api::foi_requests::{parse_foi_query, FoiListQuery, FoiListRequest};
use crate::api::pagination::ListResponse;
use crate::api::AppState;
use crate::domain::EntityId;
use crate::domain::{AnswerOutcome, FoiState, Relation, StageKind};
use crate::store::foi_requests::{self, FoiRequest, FoiSort};
use crate::store::forces::{self, Force, ForceFilter};
use crate::store::markers::Dependency;
use crate::store::tools::{self, ToolFilter};
use crate::store::{campaigns, deployments, StoreError};
use crate::store::{Page, PageRequest};

/// One request in a list.
pub struct RequestRow {
    pub href: String,
    pub title: String,
    pub authority: String,
    pub received: String,
    pub due: String,
    pub state: String,
    pub responded: String,
    pub overdue: bool,
    pub days_overdue: i64,
    pub late: bool,
}

/// Authority slug -> name, for every force's authorities.
pub fn authority_names(forces: &[Force]) -> HashMap<String, String> {
    forces
        .iter()
        .flat_map(|f| f.authorities.iter())
        .map(|a| (a.slug.clone(), a.name.clone()))
        .collect()
}

pub fn request_row(r: &FoiRequest, names: &HashMap<String, String>) -> RequestRow {
    RequestRow {
        href: format!("/foi-requests/{}", r.id),
        title: r.title.clone(),
        authority: names
            .get(&r.authority)
            .cloned()
            .unwrap_or_else(|| r.authority.clone()),
        received: view::date(r.received_on),
        due: view::date(r.deadline.due_on),
        state: view::foi_state_label(r.state),
        responded: view::opt_date(r.responded_on),
        overdue: r.deadline.overdue,
        days_overdue: r.deadline.days_overdue,
        late: r.deadline.late,
    }
}

// ---------------------------------------------------------------------------------------------
// The list.

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "foi_list.html", config = "src/web/askama.toml")]
pub struct FoiListPage {
    meta: Meta,
    forces: Vec<Choice>,
    states: Vec<Choice>,
    outcomes: Vec<Choice>,
    overdue: Vec<Choice>,
    late: Vec<Choice>,
    sorts: Vec<Choice>,
    q: String,
    exemption: String,
    campaign: String,
    authority: String,
    received_gte: String,
    received_lte: String,
    requests: Vec<RequestRow>,
    next_url: Option<String>,
    paged: bool,
    filtered: bool,
}

/// `-sent_on` as "Sent, newest first".
fn sort_label(param: &str) -> String {
    let (descending, column) = match param.strip_prefix('-') {
        Some(column) => (true, column),
        None => (false, param),
    };
    let (name, dated) = match column {
        "received_on" => ("Received", true),
        "sent_on" => ("Sent", true),
        "due_on" => ("Due", true),
        "responded_on" => ("Answered", true),
        "updated_at" => ("Last changed", true),
        "authority" => ("Authority", false),
        _ => ("Force", false),
    };
    let order = match (dated, descending) {
        (true, true) => "newest first",
        (true, false) => "oldest first",
        (false, true) => "Z to A",
        (false, false) => "A to Z",
    };
    format!("{name}, {order}")
}

fn choices(
    options: impl IntoIterator<Item = (String, String)>,
    selected: Option<&String>,
) -> Vec<Choice> {
    options
        .into_iter()
        .map(|(value, label)| Choice {
            selected: selected == Some(&value),
            value,
            label,
        })
        .collect()
}

pub async fn list(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let raw: FoiListQuery = query(&req)?;
    let FoiListRequest {
        filter, sort, page, ..
    } = parse_foi_query(&req, raw)?;
    let calendar = state.calendar.clone();
    let values: HashMap<String, String> =
        url::form_urlencoded::parse(non_empty_query(req.query_string()).as_bytes())
            .into_owned()
            .collect();
    // The same filters in the order given (so the page's links, and its ETag, are stable); the
    // feed takes the filters alone.
    let same_query = |left_out: &[&str]| {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        let cleaned = non_empty_query(req.query_string());
        for (name, value) in url::form_urlencoded::parse(cleaned.as_bytes()) {
            if !left_out.contains(&name.as_ref()) {
                q.append_pair(&name, &value);
            }
        }
        q.finish()
    };
    let api_query = same_query(&["cursor"]);
    let feed_query = same_query(&["cursor", "limit", "sort", "count", "facet"]);
    let req_for_page = req.clone();
    cached_page(
        &req,
        &state,
        Dependency::Everything,
        move |conn| {
            let found = foi_requests::list(conn, &calendar, &filter, sort, &page)?;
            let forces =
                forces::list(conn, &ForceFilter::default(), &PageRequest::everything())?.items;
            Ok((found, forces))
        },
        move |(found, forces): (Page<FoiRequest, _>, Vec<Force>)| {
            let names = authority_names(&forces);
            let listed = ListResponse::from_page(&req_for_page, found);
            let value = |name: &str| values.get(name).cloned().unwrap_or_default();
            let paged = values.contains_key("cursor");
            let filtered = values.keys().any(|k| k != "cursor" && k != "limit");
            FoiListPage {
                meta: Meta::new(
                    "FOI requests",
                    "Freedom of information requests about police surveillance: what was asked, what was answered, and which exemptions were claimed.",
                    view::with_query("/foi-requests", &api_query),
                )
                .json(view::with_query("/api/v1/foi-requests", &api_query))
                .csv(view::with_query("/api/v1/exports/foi-requests.csv", &api_query))
                .atom(
                    view::with_query("/api/v1/foi-requests.atom", &feed_query),
                    "These FOI requests as they change",
                ),
                forces: choices(
                    forces.iter().map(|f| (f.slug.clone(), f.name.clone())),
                    values.get("force"),
                ),
                states: choices(
                    FoiState::ALL
                        .iter()
                        .map(|s| (s.as_str().to_owned(), view::foi_state_label(*s))),
                    values.get("state"),
                ),
                outcomes: choices(
                    AnswerOutcome::ALL
                        .iter()
                        .map(|o| (o.as_str().to_owned(), view::outcome_label(*o).to_owned())),
                    values.get("outcome"),
                ),
                overdue: choices(
                    [
                        ("true".to_owned(), "Overdue only".to_owned()),
                        ("false".to_owned(), "Not overdue".to_owned()),
                    ],
                    values.get("overdue"),
                ),
                late: choices(
                    [
                        ("true".to_owned(), "Answered late".to_owned()),
                        ("false".to_owned(), "Not answered late".to_owned()),
                    ],
                    values.get("late"),
                ),
                sorts: choices(
                    FoiSort::params()
                        .into_iter()
                        .map(|p| (p.clone(), sort_label(&p))),
                    values.get("sort"),
                ),
                q: value("q"),
                exemption: value("exemption"),
                campaign: value("campaign"),
                authority: value("authority"),
                received_gte: value("received__gte"),
                received_lte: value("received__lte"),
                requests: listed.items.iter().map(|r| request_row(r, &names)).collect(),
                next_url: listed.next_url,
                paged,
                filtered,
            }
        },
    )
    .await
}

// ---------------------------------------------------------------------------------------------
// One request.

pub struct TimelineItem {
    pub date: String,
    pub sort: chrono::NaiveDate,
    pub label: String,
    pub note: String,
    /// A mark beside the event: its CSS class suffix and its words.
    pub flag: Option<(&'static str, &'static str)>,
}

pub struct ExemptionView {
    pub section: String,
    pub ncnd: bool,
    pub absolute: bool,
}

pub struct AnswerView {
    pub position: i32,
    pub question: String,
    pub outcome: String,
    pub outcome_class: &'static str,
    pub answer_text: String,
    pub redirected_to: String,
    pub exemptions: Vec<ExemptionView>,
    pub tools: Vec<(String, String)>,
    pub claims: Vec<(String, String, &'static str)>,
}

pub struct DocumentView {
    pub href: String,
    pub filename: String,
    pub media_type: String,
    pub size: String,
    pub sha256: String,
}

#[derive(Template)]
#[template(path = "foi_request.html", config = "src/web/askama.toml")]
pub struct FoiRequestPage {
    meta: Meta,
    title: String,
    authority: String,
    authority_href: String,
    force_name: String,
    force_href: String,
    law: String,
    references: String,
    campaign: Option<(String, String)>,
    state: String,
    overdue: bool,
    days_overdue: i64,
    late: bool,
    working_days: String,
    source_url: Option<String>,
    provenance: String,
    request_text: String,
    reply_text: String,
    timeline: Vec<TimelineItem>,
    answers: Vec<AnswerView>,
    documents: Vec<DocumentView>,
}

fn stage_name(kind: StageKind) -> &'static str {
    match kind {
        StageKind::InternalReview => "Internal review",
        StageKind::IcoComplaint => "Complaint to the Information Commissioner",
        StageKind::SicComplaint => "Appeal to the Scottish Information Commissioner",
        StageKind::Tribunal => "Tribunal appeal",
    }
}

fn outcome_class(outcome: AnswerOutcome) -> &'static str {
    match outcome {
        AnswerOutcome::Disclosed => "o-disclosed",
        AnswerOutcome::PartiallyDisclosed => "o-partial",
        AnswerOutcome::NotHeld => "o-not-held",
        AnswerOutcome::Ncnd => "o-ncnd",
        AnswerOutcome::Exempt => "o-exempt",
        AnswerOutcome::Redirected => "o-redirected",
        AnswerOutcome::NotValid => "o-not-valid",
        AnswerOutcome::NoAnswer => "o-no-answer",
    }
}

fn size(bytes: i64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} bytes"),
        b if b < 1024 * 1024 => format!("{:.1} KB", b as f64 / 1024.0),
        b => format!("{:.1} MB", b as f64 / 1024.0 / 1024.0),
    }
}

fn timeline(r: &FoiRequest) -> Vec<TimelineItem> {
    let item = |day: chrono::NaiveDate, label: String, note: String, flag| TimelineItem {
        date: view::date(day),
        sort: day,
        label,
        note,
        flag,
    };
    let mut items = Vec::new();
    if let Some(sent) = r.sent_on {
        items.push(item(sent, "Sent".into(), String::new(), None));
    }
    items.push(item(
        r.received_on,
        "Received".into(),
        "Day 0 of the statutory deadline.".into(),
        None,
    ));
    items.push(item(
        r.deadline.due_on,
        "Reply due".into(),
        "The 20th working day after receipt.".into(),
        r.deadline.overdue.then_some(("overdue", "overdue")),
    ));
    if let Some(extended) = r.deadline.extended_due_on {
        items.push(item(
            extended,
            "Latest extended deadline".into(),
            "The longest extension the law allows for considering the public interest.".into(),
            None,
        ));
    }
    if let Some(responded) = r.responded_on {
        let note = r
            .deadline
            .working_days_taken
            .map(|d| format!("After {d} working days."))
            .unwrap_or_default();
        items.push(item(
            responded,
            "Responded".into(),
            note,
            Some(if r.deadline.late {
                ("late", "late")
            } else {
                ("ok", "on time")
            }),
        ));
    }
    for stage in &r.stages {
        let name = stage_name(stage.kind);
        let reference = stage
            .reference
            .as_ref()
            .map(|reference| format!(" (reference {reference})"))
            .unwrap_or_default();
        items.push(item(
            stage.started_on,
            format!("{name} asked for"),
            format!("{}{reference}", stage.notes),
            None,
        ));
        if let Some(due) = stage.due_on {
            items.push(item(due, format!("{name} due"), String::new(), None));
        }
        if let Some(decided) = stage.decided_on {
            items.push(item(
                decided,
                format!("{name} decided"),
                stage.result.clone().unwrap_or_default(),
                None,
            ));
        }
    }
    items.sort_by_key(|i| i.sort);
    items
}

pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<EntityId>,
) -> Result<HttpResponse, PageError> {
    let id = id.into_inner().into_inner();
    query::<crate::api::overviews::NoParams>(&req)?;
    let calendar = state.calendar.clone();
    let (request, force, campaign, tools, claims) = state
        .db
        .run(move |conn| {
            let request = foi_requests::get(conn, &calendar, &id)?;
            let force = forces::get(conn, &request.force)?;
            let tools =
                tools::list(conn, &ToolFilter::default(), &PageRequest::everything())?.items;
            let campaign = match &request.campaign {
                Some(slug) => Some(campaigns::get(conn, slug)?),
                None => None,
            };
            // The claims the answers are evidence for, to name them.
            let mut claims = HashMap::new();
            for link in request.answers.iter().flat_map(|a| a.deployments.iter()) {
                match deployments::get(conn, &link.id, None) {
                    Ok(d) => {
                        claims.insert(d.id.clone(), d);
                    }
                    Err(StoreError::NotFound { .. }) => {}
                    Err(other) => return Err(other),
                }
            }
            Ok((request, force, campaign, tools, claims))
        })
        .await
        .map_err(PageError::from)?;
    let names = authority_names(std::slice::from_ref(&force));
    let authority = names
        .get(&request.authority)
        .cloned()
        .unwrap_or_else(|| request.authority.clone());
    let id = &request.id;
    let description = format!(
        "{}: an FOI request to {authority}, received {}, {}.",
        request.title,
        view::date(request.received_on),
        view::foi_state_label(request.state).to_lowercase()
    );
    let page = FoiRequestPage {
        meta: Meta::new(
            request.title.clone(),
            view::clip(&description, 200),
            format!("/foi-requests/{id}"),
        )
        .json(format!("/api/v1/foi-requests/{id}"))
        .csv(format!(
            "/api/v1/exports/foi-answers.csv?authority={}",
            request.authority
        ))
        .atom(
            format!("/api/v1/forces/{}/changes.atom", force.slug),
            format!("Changes for {}", force.name),
        ),
        title: request.title.clone(),
        authority_href: format!("/foi-requests?authority={}", request.authority),
        authority,
        force_name: force.name.clone(),
        force_href: format!("/forces/{}", force.slug),
        law: request.law.as_str().to_uppercase(),
        references: request.reference_numbers.join(", "),
        campaign: campaign.map(|c| (format!("/campaigns/{}", c.slug), c.title)),
        state: view::foi_state_label(request.state),
        overdue: request.deadline.overdue,
        days_overdue: request.deadline.days_overdue,
        late: request.deadline.late,
        working_days: request
            .deadline
            .working_days_taken
            .map(|d| d.to_string())
            .unwrap_or_default(),
        source_url: request.source_url.clone(),
        provenance: view::provenance_label(request.provenance).to_owned(),
        request_text: request.request_text.clone(),
        reply_text: request.reply_text.clone(),
        timeline: timeline(&request),
        answers: request
            .answers
            .iter()
            .map(|a| AnswerView {
                position: a.position,
                question: a.question.clone(),
                outcome: view::outcome_label(a.outcome).to_owned(),
                outcome_class: outcome_class(a.outcome),
                answer_text: a.answer_text.clone(),
                redirected_to: a.redirected_to.clone().unwrap_or_default(),
                exemptions: a
                    .exemptions
                    .iter()
                    .map(|e| ExemptionView {
                        section: e.section.clone(),
                        ncnd: e.ncnd,
                        absolute: e.absolute,
                    })
                    .collect(),
                tools: a
                    .tools
                    .iter()
                    .map(|t| {
                        let name = tools.iter().find(|tool| &tool.slug == t);
                        (
                            format!("/tools/{t}"),
                            name.map_or_else(|| t.clone(), |n| n.name.clone()),
                        )
                    })
                    .collect(),
                claims: a
                    .deployments
                    .iter()
                    .map(|d| {
                        let label = match claims.get(&d.id) {
                            Some(claim) => format!(
                                "{}: {}",
                                tools
                                    .iter()
                                    .find(|t| t.slug == claim.tool)
                                    .map_or(claim.tool.as_str(), |t| t.name.as_str()),
                                view::status(claim.state.status).label.to_lowercase()
                            ),
                            None => "a claim since deleted".to_owned(),
                        };
                        let relation = match d.relation {
                            Relation::Supports => "supports",
                            Relation::Contradicts => "contradicts",
                        };
                        (format!("/deployments/{}", d.id), label, relation)
                    })
                    .collect(),
            })
            .collect(),
        documents: request
            .documents
            .iter()
            .map(|d| DocumentView {
                href: format!("/api/v1/foi-requests/{id}/documents/{}", d.id),
                filename: d.filename.clone(),
                media_type: d.media_type.clone(),
                size: size(d.size_bytes),
                sha256: d.sha256.clone(),
            })
            .collect(),
    };
    Ok(page_response(&req, &page))
}
