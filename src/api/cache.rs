//! A cache of answers (matrix, profiles, statistics, deployment pages), validated on every request
//! against the database's write marker: a write on any instance makes every cached answer stale at
//! once, so several instances behind a load balancer never serve each other's stale data.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use actix_web::http::header::{self, EntityTag, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};
use bytes::Bytes;

use super::pagination::ListResponse;
use super::responses::{self, etag_for};
use super::AppState;
use crate::db::DbConnection;
use crate::error::ApiError;
use crate::store::{self, StoreError};

/// One cached answer: its type, body, entity tag (hashed once, when computed) and `Link` header.
#[derive(Clone)]
pub struct Cached {
    pub content_type: &'static str,
    pub body: Bytes,
    pub etag: EntityTag,
    pub link: Option<HeaderValue>,
}

impl Cached {
    pub fn new(content_type: &'static str, body: Vec<u8>) -> Self {
        Self {
            content_type,
            etag: etag_for(&body),
            body: body.into(),
            link: None,
        }
    }

    /// A JSON answer.
    pub fn json<T: serde::Serialize>(value: &T) -> Self {
        Self::new(
            "application/json",
            serde_json::to_vec(value).expect("views serialise"),
        )
    }

    /// A page of a list, with its `Link: rel="next"` header.
    pub fn list<T: serde::Serialize>(page: &ListResponse<T>) -> Self {
        Self {
            link: page.next_url.as_ref().map(|next| {
                HeaderValue::from_str(&format!("<{next}>; rel=\"next\""))
                    .expect("URLs we build are valid header values")
            }),
            ..Self::json(page)
        }
    }

    fn respond(self, req: &HttpRequest) -> HttpResponse {
        let mut response = responses::tagged(req, self.etag, self.content_type, self.body);
        if let Some(link) = self.link {
            response.headers_mut().insert(header::LINK, link);
        }
        response
    }
}

/// What the cache held for a key, or the freshly computed value and the marker it was computed at.
enum Lookup<T> {
    Hit(Cached),
    Miss { marker: i64, value: T },
}

/// Cached answers keyed by request (representation, day, path and query).
#[derive(Clone)]
pub struct ResponseCache {
    entries: Arc<Mutex<HashMap<String, (i64, Cached)>>>,
    capacity: usize,
}

impl ResponseCache {
    pub fn new(capacity: usize) -> Self {
        Self {
            entries: Arc::new(Mutex::new(HashMap::new())),
            capacity,
        }
    }

    /// Reads the write marker; on a miss computes the value with the same connection.
    fn lookup<T>(
        &self,
        conn: &mut DbConnection,
        key: &str,
        compute: impl FnOnce(&mut DbConnection) -> Result<T, StoreError>,
    ) -> Result<Lookup<T>, StoreError> {
        let marker = store::write_marker(conn)?;
        if let Some((at, cached)) = self.lock().get(key) {
            if *at == marker {
                return Ok(Lookup::Hit(cached.clone()));
            }
        }
        Ok(Lookup::Miss {
            marker,
            value: compute(conn)?,
        })
    }

    fn store(&self, key: String, marker: i64, cached: Cached) {
        let mut entries = self.lock();
        if entries.len() >= self.capacity {
            entries.retain(|_, (at, _)| *at == marker);
            if entries.len() >= self.capacity {
                entries.clear();
            }
        }
        entries.insert(key, (marker, cached));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (i64, Cached)>> {
        // A panic while holding the lock leaves only a cache behind: keep using it.
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Answers from the cache when nothing was written since the answer was computed; otherwise runs
/// `compute` on a blocking thread and `render` (which may use the request) on this one, and keeps
/// the result. `representation` separates answers that share a URL (JSON and CSV).
pub async fn respond<T: Send + 'static>(
    req: &HttpRequest,
    state: &AppState,
    representation: &'static str,
    compute: impl FnOnce(&mut DbConnection) -> Result<T, StoreError> + Send + 'static,
    render: impl FnOnce(T) -> Cached,
) -> Result<HttpResponse, ApiError> {
    let cache = state.cache.clone();
    // Views mention "overdue" relative to today, so a new day is a new answer too.
    let key = format!(
        "{representation} {} {}",
        chrono::Utc::now().date_naive(),
        req.uri()
    );
    let lookup_key = key.clone();
    let found = state
        .db
        .run(move |conn| cache.lookup(conn, &lookup_key, compute))
        .await?;
    let cached = match found {
        Lookup::Hit(cached) => cached,
        Lookup::Miss { marker, value } => {
            let cached = render(value);
            state.cache.store(key, marker, cached.clone());
            cached
        }
    };
    Ok(cached.respond(req))
}
