//! `/search?q=`: the API's ranked full-text search, with highlighted snippets and counts by type.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::view::{self, Meta};
use super::{cached_page, page_response, query, PageError};
use crate::api::params::Validator;
use crate::api::AppState;
use crate::domain::{SearchEntity, SearchTerms};
use crate::store::forces::{self, Force, ForceFilter};
use crate::store::markers::Dependency;
use crate::store::search::{self, SearchFilter, SearchHit};
use crate::store::tools::{self, Tool, ToolFilter};
use crate::store::PageRequest;

/// The most hits the page lists; the JSON link pages through the rest.
const SHOWN: usize = 100;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SearchPageQuery {
    q: Option<String>,
    entity_type: Option<String>,
}

/// A piece of a snippet, and whether the search matched it.
pub struct Piece {
    pub text: String,
    pub matched: bool,
}

/// Splits a snippet on the `<mark>` and `</mark>` the search puts around matches. The snippet is
/// the API's: HTML whose only markup is `<mark>`, the stored text around it escaped. Each piece is
/// turned back into the text it escapes, and the template escapes it again as it writes it, so only
/// the template's own `<mark>` elements are markup.
pub fn pieces(snippet: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut rest = snippet;
    while let Some(start) = rest.find("<mark>") {
        if start > 0 {
            out.push(Piece {
                text: unescape(&rest[..start]),
                matched: false,
            });
        }
        let after = &rest[start + "<mark>".len()..];
        let end = after.find("</mark>").unwrap_or(after.len());
        out.push(Piece {
            text: unescape(&after[..end]),
            matched: true,
        });
        rest = after.get(end + "</mark>".len()..).unwrap_or("");
    }
    if !rest.is_empty() {
        out.push(Piece {
            text: unescape(rest),
            matched: false,
        });
    }
    out
}

/// The text behind the five entities the API's snippets use (`&amp;` last, so `&amp;lt;` stays
/// `&lt;` as text).
fn unescape(html: &str) -> String {
    html.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

pub struct HitView {
    pub kind: &'static str,
    pub href: String,
    pub title: String,
    pub snippet: Vec<Piece>,
    pub force: Option<(String, String)>,
}

pub struct TypeCount {
    pub label: &'static str,
    pub href: String,
    pub count: i64,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "search.html", config = "src/web/askama.toml")]
pub struct SearchPage {
    meta: Meta,
    q: String,
    searched: bool,
    total: i64,
    counts: Vec<TypeCount>,
    all_href: String,
    filtered: bool,
    hits: Vec<HitView>,
    shown_limit: usize,
}

fn kind_label(entity: SearchEntity) -> &'static str {
    match entity {
        SearchEntity::Deployment => "Claim",
        SearchEntity::FoiRequest => "FOI request",
        SearchEntity::FoiAnswer => "FOI answer",
        SearchEntity::FoiDocument => "Reply document",
        SearchEntity::ImpactAssessment => "Impact assessment",
        SearchEntity::Source => "Source",
        SearchEntity::Tool => "Tool",
    }
}

/// Where a hit is read: its page, or the API where it has none.
fn page_of(hit: &SearchHit) -> String {
    match hit.entity_type {
        SearchEntity::Deployment
        | SearchEntity::FoiRequest
        | SearchEntity::FoiAnswer
        | SearchEntity::Tool => hit
            .url
            .strip_prefix("/api/v1")
            .unwrap_or(&hit.url)
            .to_owned(),
        // A document is read on its request's page, which offers the download.
        SearchEntity::FoiDocument => hit
            .url
            .strip_prefix("/api/v1")
            .and_then(|path| path.split("/documents/").next())
            .unwrap_or(&hit.url)
            .to_owned(),
        SearchEntity::ImpactAssessment | SearchEntity::Source => hit.url.clone(),
    }
}

fn encoded(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

pub async fn page(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let raw: SearchPageQuery = query(&req)?;
    let Some(q) = raw.q.filter(|q| !q.trim().is_empty()) else {
        if raw.entity_type.is_some() {
            return Err(crate::error::ApiError::invalid_field("q", "is required").into());
        }
        return Ok(page_response(
            &req,
            &draw(String::new(), None, Found::default()),
        ));
    };
    let mut v = Validator::default();
    let terms = v.parse::<SearchTerms>("q", Some(&q));
    let entity_type = v.parse::<SearchEntity>("entity_type", raw.entity_type.as_deref());
    v.finish()?;
    let filter = SearchFilter {
        terms: terms.expect("checked"),
        entity_type,
        force: None,
    };
    cached_page(
        &req,
        &state,
        Dependency::Everything,
        move |conn| {
            let (hits, _) = search::search(conn, &filter, SHOWN, None)?;
            Ok(Found {
                hits,
                counts: search::counts(conn, &filter)?,
                forces: forces::list(conn, &ForceFilter::default(), &PageRequest::everything())?
                    .items,
                tools: tools::list(conn, &ToolFilter::default(), &PageRequest::everything())?.items,
            })
        },
        move |found| draw(q, entity_type, found),
    )
    .await
}

/// The hits, and the names of the forces and tools they mention.
#[derive(Default)]
struct Found {
    hits: Vec<SearchHit>,
    /// Hits of each kind, whatever kind the page shows.
    counts: Vec<(SearchEntity, i64)>,
    forces: Vec<Force>,
    tools: Vec<Tool>,
}

/// A claim's title in words (`Kent Police: Drones`) where the search gives slugs (`kent drones`).
fn claim_title(hit: &SearchHit, forces: &[Force], tools: &[Tool]) -> Option<String> {
    let force = forces
        .iter()
        .find(|f| Some(&f.slug) == hit.force.as_ref())?;
    let tool_slug = hit.title.strip_prefix(&format!("{} ", force.slug))?;
    let tool = tools.iter().find(|t| t.slug == tool_slug)?;
    Some(format!("{}: {}", force.name, tool.name))
}

fn draw(q: String, entity_type: Option<SearchEntity>, found: Found) -> SearchPage {
    let Found {
        hits,
        counts: by_type,
        forces,
        tools,
    } = found;
    let searched = !q.is_empty();
    let base = format!("/search?q={}", encoded(&q));
    let total = match entity_type {
        Some(kind) => by_type
            .iter()
            .find(|(entity, _)| *entity == kind)
            .map_or(0, |(_, count)| *count),
        None => by_type.iter().map(|(_, count)| count).sum(),
    };
    let counts = by_type
        .iter()
        .map(|(entity, count)| TypeCount {
            label: kind_label(*entity),
            href: format!("{base}&entity_type={}", entity.as_str()),
            count: *count,
            current: entity_type == Some(*entity),
        })
        .collect();
    let hits = hits
        .iter()
        .map(|h| HitView {
            kind: kind_label(h.entity_type),
            href: page_of(h),
            title: match h.entity_type {
                SearchEntity::Deployment => claim_title(h, &forces, &tools),
                _ => None,
            }
            .unwrap_or_else(|| view::clip(&h.title, 140)),
            snippet: pieces(&h.snippet),
            force: h.force.as_ref().map(|slug| {
                let name = forces
                    .iter()
                    .find(|f| &f.slug == slug)
                    .map_or_else(|| slug.clone(), |f| f.name.clone());
                (format!("/forces/{slug}"), name)
            }),
        })
        .collect();
    let mut api = format!("/api/v1/search?q={}", encoded(&q));
    if let Some(e) = entity_type {
        api.push_str(&format!("&entity_type={}", e.as_str()));
    }
    let mut canonical = base.clone();
    if let Some(e) = entity_type {
        canonical.push_str(&format!("&entity_type={}", e.as_str()));
    }
    let meta = if searched {
        Meta::new(
            format!("Search: {q}"),
            format!("What the registry holds about “{}”.", view::clip(&q, 80)),
            canonical,
        )
        .json(api)
    } else {
        Meta::new(
            "Search",
            "Search the registry's claims, FOI requests and answers, and impact assessments.",
            "/search",
        )
    };
    SearchPage {
        meta,
        q,
        searched,
        total,
        counts,
        all_href: base,
        filtered: entity_type.is_some(),
        hits,
        shown_limit: SHOWN,
    }
}

#[cfg(test)]
mod tests {
    use super::pieces;

    #[test]
    fn snippets_split_on_marks_only() {
        let parts = pieces("a <mark>body</mark> worn <mark>video</mark>");
        let texts: Vec<(&str, bool)> = parts.iter().map(|p| (p.text.as_str(), p.matched)).collect();
        assert_eq!(
            texts,
            [
                ("a ", false),
                ("body", true),
                (" worn ", false),
                ("video", true)
            ]
        );
        let hostile = pieces("<script>alert(1)</script> <mark>x</mark>");
        assert_eq!(hostile[0].text, "<script>alert(1)</script> ");
        assert!(!hostile[0].matched);
        // The API escapes the stored text around its marks; the pieces are that text again.
        let escaped = pieces("&lt;b&gt; Kent&#39;s &amp;lt; &quot;<mark>alert</mark>&quot;");
        assert_eq!(escaped[0].text, "<b> Kent's &lt; \"");
        assert_eq!(escaped[1].text, "alert");
    }
}
