//! Atom (RFC 4287) documents for every feed the registry offers: the change log (archived, RFC
//! 5005 section 4) and the filtered lists (paged, RFC 5005 section 3). One builder, so that all
//! feeds escape, link and date their entries alike.

use std::collections::BTreeMap;

use actix_web::HttpRequest;
use atom_syndication::extension::Extension;
use atom_syndication::{Entry, Feed, Link, Person, Text};
use chrono::{DateTime, Utc};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

use super::cache::Cached;
use super::pagination::{decode_cursor, ListResponse};
use super::params::{only_params, param_names, Validator};
use crate::error::ApiError;
use crate::store::{Page, PageRequest};

/// One entry of a feed.
pub struct AtomEntry {
    /// A tag URI that stays the same for the thing the entry is about.
    pub id: String,
    pub title: String,
    pub updated: DateTime<Utc>,
    pub author: String,
    /// Where the thing can be read (a path on this server).
    pub href: String,
    pub summary: String,
}

/// A feed document: its entries and its links to the documents around it.
pub struct AtomFeed {
    pub title: String,
    pub entries: Vec<AtomEntry>,
    /// RFC 5005 links (`next`, `prev-archive`, `next-archive`, `current`, `first`): paths on this
    /// server.
    pub links: Vec<(&'static str, String)>,
    /// An archive document (RFC 5005 section 4): its entries never change.
    pub archive: bool,
}

/// The paging parameters of a list's feed (RFC 5005 paged feed).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// Entries per document.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 500, default = 50)]
    limit: Option<String>,
    /// Where the document starts: the cursor in the `next` link of the newer document.
    cursor: Option<String>,
}

impl FeedQuery {
    /// Refuses any parameter other than the list's filters `F` and the feed's own.
    pub fn only_with<F: IntoParams>(req: &HttpRequest) -> Result<(), ApiError> {
        let mut known = param_names::<F>();
        known.extend(param_names::<FeedQuery>());
        only_params(req, &known)
    }

    /// The page of the list this feed document shows, recording what is wrong in `v`.
    pub fn page<K: DeserializeOwned>(
        &self,
        req: &HttpRequest,
        v: &mut Validator,
    ) -> Result<PageRequest<K>, ApiError> {
        let limit = v.limit(self.limit.as_deref());
        let after = decode_cursor::<K>(req, self.cursor.as_deref())?;
        Ok(PageRequest {
            limit,
            after,
            count: false,
        })
    }
}

/// A paged feed's document (RFC 5005 section 3) showing one page of a list: an entry per item,
/// and links to the first document (with the same `limit`) and the next (older) one.
pub fn paged<T, K: Serialize>(
    req: &HttpRequest,
    title: &str,
    page: Page<T, K>,
    entry: impl Fn(&T) -> AtomEntry,
) -> Cached {
    let page = ListResponse::from_page(req, page);
    let limit = url::form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(name, _)| name == "limit")
        .map(|(_, value)| value.into_owned());
    let first = match &limit {
        Some(limit) => with_params(req, &[("limit", limit)]),
        None => subscription_path(req),
    };
    let mut links = vec![("first", first)];
    links.extend(page.next_url.map(|next| ("next", next)));
    document(
        req,
        AtomFeed {
            title: title.to_owned(),
            entries: page.items.iter().map(entry).collect(),
            links,
            archive: false,
        },
    )
}

/// Query parameters that say which document of a feed this is, not which feed.
const PAGING_PARAMS: [&str; 3] = ["cursor", "before", "limit"];

/// The path and query of `req` with the paging parameters left out: the feed's identity.
pub fn subscription_path(req: &HttpRequest) -> String {
    with_params(req, &[])
}

/// The path of `req` without its paging parameters, plus `extra`.
pub fn with_params(req: &HttpRequest, extra: &[(&str, &str)]) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in url::form_urlencoded::parse(req.query_string().as_bytes()) {
        if !PAGING_PARAMS.contains(&name.as_ref()) {
            query.append_pair(&name, &value);
        }
    }
    for (name, value) in extra {
        query.append_pair(name, value);
    }
    let query = query.finish();
    if query.is_empty() {
        req.path().to_owned()
    } else {
        format!("{}?{query}", req.path())
    }
}

/// The feed as an `application/atom+xml` answer, its links absolute on the host `req` named (so
/// the response cache keys answers by host too).
pub fn document(req: &HttpRequest, feed: AtomFeed) -> Cached {
    let info = req.connection_info();
    let base = format!("{}://{}", info.scheme(), info.host());
    let link = |href: String, rel: &str| Link {
        href,
        rel: rel.to_owned(),
        ..Link::default()
    };
    // Stored text may predate the text rule; XML cannot carry some characters at all.
    let text = |value: &str| crate::domain::xml_safe(value).into_owned();
    // The feed was last updated when its newest entry was.
    let updated = feed.entries.iter().map(|e| e.updated).max().map_or_else(
        || DateTime::UNIX_EPOCH.fixed_offset(),
        |newest| newest.fixed_offset(),
    );
    let entries = feed
        .entries
        .into_iter()
        .map(|entry| Entry {
            id: entry.id,
            title: Text::plain(text(&entry.title)),
            updated: entry.updated.fixed_offset(),
            authors: vec![Person {
                name: text(&entry.author),
                ..Person::default()
            }],
            links: vec![link(format!("{base}{}", entry.href), "alternate")],
            summary: Some(Text::plain(text(&entry.summary))),
            ..Entry::default()
        })
        .collect();
    let mut links = vec![link(format!("{base}{}", req.uri()), "self")];
    links.extend(
        feed.links
            .into_iter()
            .map(|(rel, href)| link(format!("{base}{href}"), rel)),
    );
    let mut atom = Feed {
        id: format!("{base}{}", subscription_path(req)),
        title: Text::plain(text(&feed.title)),
        updated,
        authors: vec![Person {
            name: "Surveillance Disclosure Registry".into(),
            ..Person::default()
        }],
        links,
        entries,
        ..Feed::default()
    };
    if feed.archive {
        const HISTORY: &str = "http://purl.org/syndication/history/1.0";
        atom.namespaces.insert("fh".into(), HISTORY.into());
        let archive = Extension {
            name: "fh:archive".into(),
            ..Extension::default()
        };
        atom.extensions.insert(
            "fh".into(),
            BTreeMap::from([("archive".to_owned(), vec![archive])]),
        );
    }
    Cached::new("application/atom+xml", atom.to_string().into_bytes())
}
