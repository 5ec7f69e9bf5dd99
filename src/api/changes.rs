//! The public change feed: JSON for aggregators (resumable with `since`) and Atom for feed readers.

use actix_web::{get, web, HttpRequest, HttpResponse};
use atom_syndication::{Entry, Feed, Link, Person, Text};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::params::Validator;
use super::views::changes::ChangeEventView;
use super::{responses, AppState};
use crate::domain::{FeedEntity, Slug};
use crate::error::{ApiError, Problem};
use crate::store::audit::{self, ChangeEvent, ChangeFilter};
use crate::store::forces;

/// Query parameters of `GET /changes`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ChangesQuery {
    /// Return the events after this one (the `next_cursor` of the previous answer); 0 starts at the beginning.
    #[param(value_type = Option<i64>, minimum = 0, default = 0)]
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
    let since = v.parse::<i64>("since", q.since.as_deref()).unwrap_or(0);
    if since < 0 {
        v.reject("since", "must be 0 or more");
    }
    let filter = parse_filter(&mut v, q.force.as_deref(), q.entity_type.as_deref());
    let limit = v.limit(q.limit.as_deref());
    v.finish()?;
    let items = state
        .db
        .run(move |conn| audit::since(conn, &filter, since, limit))
        .await?;
    let next = items.last().map_or(since, |event| event.id).to_string();
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in url::form_urlencoded::parse(req.query_string().as_bytes()) {
        if name != "since" {
            query.append_pair(&name, &value);
        }
    }
    query.append_pair("since", &next);
    let feed = ChangeFeed {
        next_url: format!("{}?{}", req.path(), query.finish()),
        next_cursor: next,
        items: items.into_iter().map(ChangeEventView::from).collect(),
    };
    Ok(responses::json(&req, &feed))
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

fn atom(req: &HttpRequest, title: String, events: Vec<ChangeEvent>) -> HttpResponse {
    let info = req.connection_info();
    let base = format!("{}://{}", info.scheme(), info.host());
    let self_url = format!("{base}{}", req.uri());
    let link = |href: String, rel: &str| Link {
        href,
        rel: rel.to_owned(),
        ..Link::default()
    };
    // Stored text may predate the text rule; XML cannot carry some characters at all.
    let text = |value: &str| crate::domain::xml_safe(value).into_owned();
    let entries: Vec<Entry> = events
        .iter()
        .map(|event| Entry {
            id: format!("tag:surveillance-registry,2026:change-{}", event.id),
            title: Text::plain(text(&event.summary)),
            updated: event.occurred_at.fixed_offset(),
            authors: vec![Person {
                name: text(&event.actor_organisation),
                ..Person::default()
            }],
            links: vec![link(format!("{base}{}", entity_path(event)), "alternate")],
            summary: Some(Text::plain(text(&format!(
                "{} {} (revision {}) by {} ({}){}",
                event.action,
                event.entity_type,
                event.revision,
                event.actor_organisation,
                event.actor_role,
                if event.changed_fields.is_empty() {
                    String::new()
                } else {
                    format!("; changed: {}", event.changed_fields.join(", "))
                }
            )))),
            ..Entry::default()
        })
        .collect();
    // The feed was last updated when its newest entry was.
    let updated = events.iter().map(|e| e.occurred_at).max().map_or_else(
        || chrono::DateTime::UNIX_EPOCH.fixed_offset(),
        |newest| newest.fixed_offset(),
    );
    let feed = Feed {
        id: self_url.clone(),
        title: Text::plain(text(&title)),
        updated,
        authors: vec![Person {
            name: "Surveillance Disclosure Registry".into(),
            ..Person::default()
        }],
        links: vec![link(self_url, "self")],
        entries,
        ..Feed::default()
    };
    responses::cacheable(req, "application/atom+xml", feed.to_string().into_bytes())
}

/// The number of entries in an Atom feed.
const ATOM_ENTRIES: usize = 50;

/// Subscribe to every change (Atom).
#[utoipa::path(
    tag = "changes",
    responses(
        (status = 200, description = "The newest changes as an Atom (RFC 4287) feed", body = String,
            content_type = "application/atom+xml", headers(("ETag" = String))),
        (status = 304, description = "The client's copy (`If-None-Match`) is current"),
    )
)]
#[get("/changes.atom")]
pub async fn changes_atom(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let events = state
        .db
        .run(|conn| audit::latest(conn, &ChangeFilter::default(), ATOM_ENTRIES))
        .await?;
    Ok(atom(
        &req,
        "Surveillance Disclosure Registry: changes".into(),
        events,
    ))
}

/// Subscribe to one force's changes (Atom).
#[utoipa::path(
    tag = "changes",
    params(("slug" = Slug, Path, description = "The force's slug", example = "cambridgeshire")),
    responses(
        (status = 200, description = "The force's newest changes as an Atom (RFC 4287) feed", body = String,
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
) -> Result<HttpResponse, ApiError> {
    let slug = slug.into_inner();
    let (force, events) = state
        .db
        .run(move |conn| {
            let force = forces::get(conn, slug.as_str())?;
            let filter = ChangeFilter {
                force: Some(force.slug.clone()),
                entity_type: None,
            };
            Ok((force, audit::latest(conn, &filter, ATOM_ENTRIES)?))
        })
        .await?;
    Ok(atom(
        &req,
        format!(
            "Surveillance Disclosure Registry: changes for {}",
            force.name
        ),
        events,
    ))
}
