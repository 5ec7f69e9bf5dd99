//! A cache of answers (matrix, profiles, statistics, deployment pages), validated against the
//! database's write marker. A hit needs no database round trip while the marker was read less than
//! `recheck` ago; a write through this instance expires the marker at once, and a write through
//! another instance behind the same load balancer (or the `import` command) is seen within
//! `recheck`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

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

/// What the cache held for a key, or the freshly computed value.
enum Lookup<T> {
    Hit(Cached),
    Miss(T),
}

/// The write marker as last read from the database, and when.
#[derive(Default)]
struct KnownMarker {
    /// The marker and the instant its read began.
    read: Option<(i64, Instant)>,
    /// Bumped by every local write, so that a read which began before the write cannot store its
    /// (by then outdated) marker as fresh.
    epoch: u64,
}

/// Cached answers keyed by request (representation, day, path and query).
#[derive(Clone)]
pub struct ResponseCache {
    entries: Arc<Mutex<HashMap<String, (i64, Cached)>>>,
    marker: Arc<Mutex<KnownMarker>>,
    capacity: usize,
    recheck: Duration,
}

impl ResponseCache {
    /// Holds up to `capacity` answers and trusts a marker read for `recheck`.
    pub fn new(capacity: usize, recheck: Duration) -> Self {
        Self {
            entries: Arc::new(Mutex::new(HashMap::new())),
            marker: Arc::new(Mutex::new(KnownMarker::default())),
            capacity,
            recheck,
        }
    }

    /// Forgets the marker, so the next read goes to the database: called after every local write.
    pub fn expire_marker(&self) {
        let mut known = lock(&self.marker);
        known.read = None;
        known.epoch += 1;
    }

    /// The cached answer for `key`, when the marker is fresh enough to trust without asking.
    fn fresh_hit(&self, key: &str) -> Option<Cached> {
        let (marker, read_at) = lock(&self.marker).read?;
        if read_at.elapsed() >= self.recheck {
            return None;
        }
        self.entry(key, marker)
    }

    fn entry(&self, key: &str, marker: i64) -> Option<Cached> {
        match lock(&self.entries).get(key) {
            Some((at, cached)) if *at == marker => Some(cached.clone()),
            _ => None,
        }
    }

    /// Reads the write marker; on a miss computes the value with the same connection.
    fn lookup<T>(
        &self,
        conn: &mut DbConnection,
        key: &str,
        compute: impl FnOnce(&mut DbConnection) -> Result<T, StoreError>,
    ) -> Result<(i64, Lookup<T>), StoreError> {
        let (epoch, read_at) = (lock(&self.marker).epoch, Instant::now());
        let marker = store::write_marker(conn)?;
        {
            let mut known = lock(&self.marker);
            if known.epoch == epoch {
                known.read = Some((marker, read_at));
            }
        }
        let found = match self.entry(key, marker) {
            Some(cached) => Lookup::Hit(cached),
            None => Lookup::Miss(compute(conn)?),
        };
        Ok((marker, found))
    }

    fn store(&self, key: String, marker: i64, cached: Cached) {
        let mut entries = lock(&self.entries);
        if entries.len() >= self.capacity {
            entries.retain(|_, (at, _)| *at == marker);
            if entries.len() >= self.capacity {
                entries.clear();
            }
        }
        entries.insert(key, (marker, cached));
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves only a cache behind: keep using it.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
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
    if let Some(cached) = cache.fresh_hit(&key) {
        return Ok(cached.respond(req));
    }
    let lookup_key = key.clone();
    let (marker, found) = state
        .db
        .run(move |conn| cache.lookup(conn, &lookup_key, compute))
        .await?;
    let cached = match found {
        Lookup::Hit(cached) => cached,
        Lookup::Miss(value) => {
            let cached = render(value);
            state.cache.store(key, marker, cached.clone());
            cached
        }
    };
    Ok(cached.respond(req))
}
