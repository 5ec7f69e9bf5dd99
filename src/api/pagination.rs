//! Opaque keyset cursors and the list envelope (`items`, `next_cursor`, `next_url`, `Link`).

use std::collections::BTreeMap;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use actix_web::HttpRequest;

use crate::error::ApiError;
use crate::store::facet::{FacetCount, FacetName};
use crate::store::Page;

/// Query parameters that do not change which rows a list holds, only which part of it is sent.
const PAGING_PARAMS: [&str; 3] = ["cursor", "limit", "count"];

/// A page of a list.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = list_example::<T>)]
pub struct ListResponse<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; null on the last page.
    pub next_cursor: Option<String>,
    /// The URL of the next page (also sent as a `Link: <...>; rel="next"` header); null on the last page.
    pub next_url: Option<String>,
    /// The number of items matching the filters, with `count=exact`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_count: Option<i64>,
    /// With `facet` (on the lists that take it): for each facet asked, how many items of the
    /// filtered set (all pages) hold each value, the most frequent first.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<BTreeMap<String, Vec<FacetCountView>>>)]
    pub facets: Option<BTreeMap<String, Vec<FacetCountView>>>,
}

/// One value of a facet and how many items of the filtered set hold it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = FacetCount, example = json!({"value": "in_use", "count": 42}))]
pub struct FacetCountView {
    pub value: String,
    pub count: i64,
}

/// The facets' counts as the list envelope carries them, keyed by facet name.
pub fn facet_views<F: FacetName>(
    counts: BTreeMap<F, Vec<FacetCount>>,
) -> BTreeMap<String, Vec<FacetCountView>> {
    counts
        .into_iter()
        .map(|(facet, values)| {
            let values = values
                .into_iter()
                .map(|v| FacetCountView {
                    value: v.value,
                    count: v.count,
                })
                .collect();
            (facet.as_str().to_owned(), values)
        })
        .collect()
}

#[derive(Serialize, Deserialize)]
struct CursorBody<K> {
    /// Fingerprint of the filters the cursor was issued for.
    q: String,
    /// The last key of the previous page.
    k: K,
}

/// A fingerprint of the request's filters and sort, so a cursor cannot be replayed on another query.
fn query_fingerprint(req: &HttpRequest) -> String {
    let mut pairs: Vec<(String, String)> =
        url::form_urlencoded::parse(req.query_string().as_bytes())
            .filter(|(name, _)| !PAGING_PARAMS.contains(&name.as_ref()))
            .map(|(n, v)| (n.into_owned(), v.into_owned()))
            .collect();
    pairs.sort();
    let mut hasher = Sha256::new();
    hasher.update(req.path());
    for (name, value) in pairs {
        hasher.update([0]);
        hasher.update(name);
        hasher.update([1]);
        hasher.update(value);
    }
    hex::encode(&hasher.finalize()[..6])
}

/// Decodes the `cursor` parameter into the key to continue after.
pub fn decode_cursor<K: DeserializeOwned>(
    req: &HttpRequest,
    raw: Option<&str>,
) -> Result<Option<K>, ApiError> {
    let Some(raw) = raw else { return Ok(None) };
    let invalid = || {
        ApiError::invalid_field(
            "cursor",
            "is not a cursor issued by this list; start again without it",
        )
    };
    let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| invalid())?;
    let body: CursorBody<K> = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    if body.q != query_fingerprint(req) {
        return Err(ApiError::invalid_field(
            "cursor",
            "was issued for a list with other filters or sort; start again without it",
        ));
    }
    Ok(Some(body.k))
}

fn encode_cursor<K: Serialize>(req: &HttpRequest, key: &K) -> String {
    let body = CursorBody {
        q: query_fingerprint(req),
        k: key,
    };
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(&body).expect("keys serialise"))
}

/// The URL of this list with `cursor` replaced.
fn url_with_cursor(req: &HttpRequest, cursor: &str) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in url::form_urlencoded::parse(req.query_string().as_bytes()) {
        if name != "cursor" {
            query.append_pair(&name, &value);
        }
    }
    query.append_pair("cursor", cursor);
    format!("{}?{}", req.path(), query.finish())
}

impl<T> ListResponse<T> {
    /// Wraps a store page, encoding its continuation key as a cursor for this request.
    pub fn from_page<K: Serialize>(req: &HttpRequest, page: Page<T, K>) -> Self {
        let next_cursor = page.next_after.as_ref().map(|key| encode_cursor(req, key));
        Self {
            next_url: next_cursor.as_deref().map(|c| url_with_cursor(req, c)),
            next_cursor,
            items: page.items,
            total_count: page.total,
            facets: None,
        }
    }
}

impl<T> ListResponse<T> {
    /// The same page with each item turned into `U` (a store row into its view).
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> ListResponse<U> {
        ListResponse {
            items: self.items.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
            next_url: self.next_url,
            total_count: self.total_count,
            facets: self.facets,
        }
    }

    /// The same page with the facets' counts.
    pub fn with_facets(mut self, facets: BTreeMap<String, Vec<FacetCountView>>) -> Self {
        if !facets.is_empty() {
            self.facets = Some(facets);
        }
        self
    }
}

/// The example of `ListResponse<T>`: a last page holding `T`'s example.
fn list_example<T: utoipa::PartialSchema>() -> serde_json::Value {
    let items: Vec<serde_json::Value> = Some(crate::api::views::examples::schema_example::<T>())
        .filter(|item| !item.is_null())
        .into_iter()
        .collect();
    serde_json::json!({"items": items, "next_cursor": null, "next_url": null})
}
