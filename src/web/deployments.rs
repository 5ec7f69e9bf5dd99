//! `/deployments/{id}`: one claim, its evidence, and its revision history with what changed in
//! each revision.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde_json::Value;

use super::forces::{assessment_view, source_view, AssessmentView, SourceView};
use super::view::{self, Meta, StatusView};
use super::{page_response, query, PageError};
use crate::api::deployments::deployment_detail;
use crate::api::moments::AsOfOnly;
use crate::api::AppState;
use crate::domain::DeploymentStatus;
use crate::domain::EntityId;
use crate::store::deployments::{self, DeploymentState};
use crate::store::diff;
use crate::store::{forces, tools};

/// One field that differs between two states of a claim.
pub struct FieldChange {
    pub field: String,
    pub before: String,
    pub after: String,
}

fn shown(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => "—".to_owned(),
        Some(Value::String(s)) if s.is_empty() => "—".to_owned(),
        Some(Value::String(s)) => view::clip(s, 120),
        Some(Value::Bool(b)) => if *b { "yes" } else { "no" }.to_owned(),
        Some(Value::Array(items)) if items.is_empty() => "—".to_owned(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| shown(Some(i)))
            .collect::<Vec<_>>()
            .join(", "),
        Some(other) => other.to_string(),
    }
}

/// The fields of a claim that differ between `before` and `after`, in name order, shown as words.
pub fn changed_fields(before: &DeploymentState, after: &DeploymentState) -> Vec<FieldChange> {
    shown_changes(diff::all(before, after))
}

/// A claim's changed fields shown as words.
pub fn shown_changes(changes: Vec<diff::FieldChange>) -> Vec<FieldChange> {
    changes
        .into_iter()
        .map(|change| {
            let show = |value: &Value| match (change.field.as_str(), value) {
                ("status", Value::String(s)) => s
                    .parse::<DeploymentStatus>()
                    .map_or_else(|_| s.clone(), |s| view::status(s).label.to_owned()),
                _ => shown(Some(value)),
            };
            FieldChange {
                field: change.field.replace('_', " "),
                before: show(&change.old),
                after: show(&change.new),
            }
        })
        .collect()
}

pub struct RevisionView {
    pub revision: i64,
    pub action: String,
    pub when: String,
    pub who: String,
    pub status: StatusView,
    pub changes: Vec<FieldChange>,
}

pub struct AnswerLink {
    pub href: String,
    pub title: String,
    pub question: String,
    pub outcome: String,
    pub relation: String,
}

#[derive(Template)]
#[template(path = "deployment.html", config = "src/web/askama.toml")]
pub struct DeploymentPage {
    meta: Meta,
    heading: String,
    force_name: String,
    force_href: String,
    tool_name: String,
    tool_href: String,
    as_of: String,
    current_href: String,
    status: StatusView,
    summary: String,
    facts: Vec<(&'static str, String)>,
    use_policy_url: Option<String>,
    verified: bool,
    updated: String,
    evidence: Vec<SourceView>,
    assessments: Vec<AssessmentView>,
    answers: Vec<AnswerLink>,
    revisions: Vec<RevisionView>,
}

pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<EntityId>,
) -> Result<HttpResponse, PageError> {
    let id = id.into_inner().into_inner();
    let raw: AsOfOnly = query(&req)?;
    let as_of = raw.parse()?;
    let (detail, revisions, force, tool) = state
        .db
        .run(move |conn| {
            let detail = deployment_detail(conn, &id, as_of)?;
            let revisions = deployments::revisions(conn, &id)?;
            let force = forces::get(conn, &detail.deployment.force)?;
            let tool = tools::get(conn, &detail.deployment.tool)?;
            Ok((detail, revisions, force, tool))
        })
        .await
        .map_err(PageError::from)?;
    let d = &detail.deployment;
    let s = &d.state;
    let status = view::status(s.status);
    let heading = format!("{}: {}", force.name, tool.name);
    let mut previous: Option<&DeploymentState> = None;
    let mut revision_views: Vec<RevisionView> = revisions
        .iter()
        .map(|r| {
            let changes = match previous {
                Some(before) => changed_fields(before, &r.state),
                None => Vec::new(),
            };
            previous = Some(&r.state);
            RevisionView {
                revision: r.revision,
                action: r.action.clone(),
                when: view::timestamp(r.recorded_at),
                who: format!(
                    "{} ({})",
                    r.actor_organisation,
                    r.actor_role.replace('_', " ")
                ),
                status: view::status(r.state.status),
                changes,
            }
        })
        .collect();
    revision_views.reverse();
    let facts = [
        ("Vendors", s.vendors.join(", ")),
        ("Product", s.product.clone().unwrap_or_default()),
        ("First known use", view::opt_date(s.first_known_use)),
        ("Last confirmed", view::opt_date(s.last_confirmed)),
        ("Ended", view::opt_date(s.ended_on)),
        ("Legal basis", s.legal_basis.clone().unwrap_or_default()),
        ("Authorisation", s.authorisation.clone().unwrap_or_default()),
        (
            "Public consultation",
            s.public_consultation.clone().unwrap_or_default(),
        ),
        (
            "Provenance",
            view::provenance_label(s.provenance).to_owned(),
        ),
    ]
    .into_iter()
    .filter(|(_, value)| !value.is_empty())
    .collect();
    let as_of_text = raw.given();
    let canonical = view::with_query(
        &format!("/deployments/{}", d.id),
        &if as_of_text.is_empty() {
            String::new()
        } else {
            format!(
                "as_of={}",
                url::form_urlencoded::byte_serialize(as_of_text.as_bytes()).collect::<String>()
            )
        },
    );
    let page = DeploymentPage {
        meta: Meta::new(
            heading.clone(),
            view::clip(&format!("{}: {}", status.label, s.summary), 200),
            canonical.clone(),
        )
        .json(format!("/api/v1{canonical}"))
        .csv(format!(
            "/api/v1/exports/deployments.csv?force={}&tool={}",
            d.force, d.tool
        ))
        .atom(
            format!("/api/v1/forces/{}/changes.atom", force.slug),
            format!("Changes for {}", force.name),
        ),
        heading,
        force_href: format!("/forces/{}", force.slug),
        force_name: force.name.clone(),
        tool_href: format!("/tools/{}", tool.slug),
        tool_name: tool.name.clone(),
        current_href: format!("/deployments/{}", d.id),
        as_of: as_of_text,
        summary: s.summary.clone(),
        facts,
        use_policy_url: s.use_policy_url.clone(),
        verified: s.verified,
        updated: view::timestamp(d.updated_at),
        evidence: detail.evidence.iter().map(source_view).collect(),
        assessments: detail
            .impact_assessments
            .iter()
            .map(assessment_view)
            .collect(),
        answers: detail
            .foi_answers
            .iter()
            .map(|a| AnswerLink {
                href: format!("/foi-requests/{}#q{}", a.foi_request_id, a.position),
                title: a.foi_request_title.clone(),
                question: view::clip(&a.question, 160),
                outcome: view::outcome_label(a.outcome).to_owned(),
                relation: a.relation.as_str().to_owned(),
            })
            .collect(),
        revisions: revision_views,
        status,
    };
    Ok(page_response(&req, &page))
}
