//! The public change feed: JSON for aggregators (resumable with `since`) and Atom for feed readers.

use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::atom::{self, AtomEntry, AtomFeed};
use super::cache::{self, Cached};
use super::params::Validator;
use super::views::changes::ChangeEventView;
use super::AppState;
use crate::db::DbConnection;
use crate::domain::{FeedEntity, Since, Slug};
use crate::error::{ApiError, Problem};
use crate::store::audit::{self, ChangeEvent, ChangeFilter};
use crate::store::markers::Dependency;
use crate::store::{forces, StoreError};

/// Query parameters of `GET /changes`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ChangesQuery {
    /// Where to start: after an event id (the `next_cursor` of the previous answer; 0, the
    /// default, is the beginning), or at the first event recorded at or after a date or
    /// timestamp.
    #[param(value_type = Option<Since>, example = "2021-01-01")]
    since: Option<String>,
    /// Only the events of this force.
    #[param(value_type = Option<Slug>, example = "cambridgeshire")]
    force: Option<String>,
    /// Only events about this kind of entity.
    #[param(value_type = Option<FeedEntity>, example = "deployment")]
    entity_type: Option<String>,
    /// Page size.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 500, default = 50)]
    limit: Option<String>,
}

/// A page of the change feed. The feed never ends: `next_url` is where to poll for what comes next.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "items": [crate::api::views::examples::schema_example::<ChangeEventView>()],
    "next_cursor": "4211",
    "next_url": "/api/v1/changes?force=cambridgeshire&since=4211"
}))]
pub struct ChangeFeed {
    pub items: Vec<ChangeEventView>,
    /// The `since` to resume from: the last event's id (or the `since` given, when nothing is new).
    pub next_cursor: String,
    pub next_url: String,
}

fn parse_filter(v: &mut Validator, force: Option<&str>, entity_type: Option<&str>) -> ChangeFilter {
    ChangeFilter {
        force: v.parse::<Slug>("force", force).map(Slug::into_inner),
        entity_type: v
            .parse::<FeedEntity>("entity_type", entity_type)
            .map(|e| e.as_str().to_owned()),
    }
}

/// Read the change feed.
///
/// Every write to the registry, oldest first, with who (role and organisation) and what changed.
/// Aggregators resume from the last id they saw with `since`.
#[utoipa::path(
    tag = "changes",
    params(ChangesQuery),
    responses(
        (status = 200, description = "Events after `since`", body = ChangeFeed, headers(("ETag" = String))),
        (status = 304, description = "The client's copy (`If-None-Match`) is current"),
    )
)]
#[get("/changes")]
pub async fn list_changes(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<ChangesQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let mut v = Validator::default();
    let since = v
        .parse::<Since>("since", q.since.as_deref())
        .unwrap_or_default();
    let filter = parse_filter(&mut v, q.force.as_deref(), q.entity_type.as_deref());
    let limit = v.limit(q.limit.as_deref());
    v.finish()?;
    let compute = move |conn: &mut DbConnection| {
        let since = match since {
            Since::Event(id) => id,
            Since::Moment(at) => audit::resume_point(conn, at.start())?,
        };
        Ok((since, audit::since(conn, &filter, since, limit)?))
    };
    let render = |(since, items): (i64, Vec<ChangeEvent>)| {
        let next = items.last().map_or(since, |event| event.id).to_string();
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in url::form_urlencoded::parse(req.query_string().as_bytes()) {
            if name != "since" {
                query.append_pair(&name, &value);
            }
        }
        query.append_pair("since", &next);
        Cached::json(&ChangeFeed {
            next_url: format!("{}?{}", req.path(), query.finish()),
            next_cursor: next,
            items: items.into_iter().map(ChangeEventView::from).collect(),
        })
    };
    cache::respond(
        &req,
        &state,
        "json",
        Dependency::Everything,
        compute,
        render,
    )
    .await
}

/// Where an entity can be read, for feed links.
fn entity_path(event: &ChangeEvent) -> String {
    let collection = match event.entity_type.as_str() {
        "deployment" => "deployments",
        "impact_assessment" => "impact-assessments",
        "source" => "sources",
        "foi_request" => "foi-requests",
        _ => return "/api/v1/changes".to_owned(),
    };
    format!("/api/v1/{collection}/{}", event.entity_id)
}

/// A value as a feed reader shows it: short, `—` for none.
fn shown(value: &serde_json::Value) -> String {
    use serde_json::Value;
    let text = match value {
        Value::Null => "—".to_owned(),
        Value::String(s) if s.is_empty() => "—".to_owned(),
        Value::String(s) => s.clone(),
        Value::Array(items) if items.is_empty() => "—".to_owned(),
        Value::Array(items) => items.iter().map(shown).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    };
    crate::domain::clip(&text, 80)
}

fn entry(event: ChangeEvent) -> AtomEntry {
    let changes = if !event.changes.is_empty() {
        let each: Vec<String> = event
            .changes
            .iter()
            .map(|c| format!("{}: {} → {}", c.field, shown(&c.old), shown(&c.new)))
            .collect();
        format!("; {}", each.join("; "))
    } else if !event.changed_fields.is_empty() {
        format!("; changed: {}", event.changed_fields.join(", "))
    } else {
        String::new()
    };
    AtomEntry {
        id: format!("tag:surveillance-registry,2026:change-{}", event.id),
        summary: format!(
            "{} {} (revision {}) by {} ({}){changes}",
            event.action,
            event.entity_type,
            event.revision,
            event.actor_organisation,
            event.actor_role,
        ),
        href: entity_path(&event),
        title: event.summary,
        updated: event.occurred_at,
        author: event.actor_organisation,
    }
}

/// The number of entries in a change feed document.
const ATOM_ENTRIES: usize = 50;

/// Which document of an archived change feed to read.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ArchiveQuery {
    /// An archive document: the 50 newest events older than this event id (the
    /// `prev-archive` link of the newer document). Without it, the newest events.
    #[param(value_type = Option<i64>, minimum = 1)]
    before: Option<String>,
}

/// A change feed document: the newest events, or with `before` a stable archive document, linked
/// to its neighbours as RFC 5005 archived feeds are.
async fn change_feed(
    req: &HttpRequest,
    state: &AppState,
    dependency: Dependency,
    title: impl FnOnce(&mut DbConnection) -> Result<(String, ChangeFilter), StoreError> + Send + 'static,
    query: ArchiveQuery,
) -> Result<HttpResponse, ApiError> {
    let mut v = Validator::default();
    let before = v.parse::<i64>("before", query.before.as_deref());
    if before.is_some_and(|id| id < 1) {
        v.reject("before", "must be 1 or more");
    }
    v.finish()?;
    let compute = move |conn: &mut DbConnection| {
        let (title, filter) = title(conn)?;
        let events = audit::before(conn, &filter, before, ATOM_ENTRIES)?;
        let newer = match before {
            Some(from) => audit::next_archive(conn, &filter, from, ATOM_ENTRIES)?,
            None => None,
        };
        Ok((title, events, newer))
    };
    let render = |(title, events, newer): (String, Vec<ChangeEvent>, Option<i64>)| {
        let mut links = Vec::new();
        if let Some(oldest) = events.last().filter(|_| events.len() == ATOM_ENTRIES) {
            let before = oldest.id.to_string();
            links.push((
                "prev-archive",
                atom::with_params(req, &[("before", &before)]),
            ));
        }
        if before.is_some() {
            links.push(("current", atom::subscription_path(req)));
            if let Some(newer) = newer {
                let newer = newer.to_string();
                links.push((
                    "next-archive",
                    atom::with_params(req, &[("before", &newer)]),
                ));
            }
        }
        atom::document(
            req,
            AtomFeed {
                title,
                entries: events.into_iter().map(entry).collect(),
                links,
                archive: before.is_some(),
            },
        )
    };
    cache::respond(req, state, "atom", dependency, compute, render).await
}

/// Subscribe to every change (Atom).
///
/// The newest 50 changes. Older ones are in archive documents (RFC 5005): follow the
/// `prev-archive` link, whose `before` names the oldest change shown.
#[utoipa::path(
    tag = "changes",
    params(ArchiveQuery),
    responses(
        (status = 200, description = "The newest changes (or an archive document) as an Atom (RFC 4287) feed", body = String,
            content_type = "application/atom+xml", headers(("ETag" = String))),
        (status = 304, description = "The client's copy (`If-None-Match`) is current"),
    )
)]
#[get("/changes.atom")]
pub async fn changes_atom(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<ArchiveQuery>,
) -> Result<HttpResponse, ApiError> {
    let title = |_: &mut DbConnection| {
        Ok((
            "Surveillance Disclosure Registry: changes".to_owned(),
            ChangeFilter::default(),
        ))
    };
    let dependency = Dependency::Everything;
    change_feed(&req, &state, dependency, title, query.into_inner()).await
}

/// Subscribe to one force's changes (Atom).
///
/// Paged like `/changes.atom`.
#[utoipa::path(
    tag = "changes",
    params(("slug" = Slug, Path, description = "The force's slug", example = "cambridgeshire"), ArchiveQuery),
    responses(
        (status = 200, description = "The force's newest changes (or an archive document) as an Atom (RFC 4287) feed", body = String,
            content_type = "application/atom+xml", headers(("ETag" = String))),
        (status = 304, description = "The client's copy (`If-None-Match`) is current"),
        (status = 404, description = "No force has this slug", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/forces/{slug}/changes.atom")]
pub async fn force_changes_atom(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<Slug>,
    query: web::Query<ArchiveQuery>,
) -> Result<HttpResponse, ApiError> {
    let slug = slug.into_inner();
    let dependency = Dependency::Force(slug.to_string());
    let title = move |conn: &mut DbConnection| {
        let force = forces::get(conn, slug.as_str())?;
        Ok((
            format!(
                "Surveillance Disclosure Registry: changes for {}",
                force.name
            ),
            ChangeFilter {
                force: Some(force.slug),
                entity_type: None,
            },
        ))
    };
    change_feed(&req, &state, dependency, title, query.into_inner()).await
}
