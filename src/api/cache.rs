//! A cache of answers (matrix, profiles, statistics, deployment pages), validated against the
//! database's write markers. A hit needs no database round trip while the markers were read less
//! than `recheck` ago; after that one request re-reads them while the others are still served. A
//! write through this instance outdates the markers at once, and a write through another instance
//! behind the same load balancer (or the `import` command) is seen within `recheck` and a round
//! trip. An answer depends on everything, or on one force (its profile): a write to one force's
//! claims keeps every other force's profile (see [`store::markers`]).
//!
//! Reads without credentials never queue behind a write: while one request re-reads the markers a
//! local write outdated, or recomputes an answer a write changed, the others are answered with what
//! the cache held before, which is at most that one round trip or computation old. Requests with
//! credentials (the writers) always see every write of this instance.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use actix_web::http::header::{self, EntityTag, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};
use bytes::Bytes;

use super::pagination::ListResponse;
use super::responses::{self, etag_for};
use super::AppState;
use crate::db::DbConnection;
use crate::error::ApiError;
use crate::store::markers::{self, Dependency, WriteMarkers};
use crate::store::StoreError;

/// One cached answer: its type, body, entity tag (hashed once, when computed), `Link` header, and
/// its gzip encoding, made once, before the answer is kept (see `respond`).
#[derive(Clone)]
pub struct Cached {
    pub content_type: &'static str,
    pub body: Bytes,
    pub etag: EntityTag,
    pub link: Option<HeaderValue>,
    gzipped: Arc<OnceLock<Bytes>>,
}

/// Bodies smaller than this are sent as they are: gzip would save too little to be worth a header.
const GZIP_THRESHOLD: usize = 1024;

impl Cached {
    pub fn new(content_type: &'static str, body: Vec<u8>) -> Self {
        Self {
            content_type,
            etag: etag_for(&body),
            body: body.into(),
            link: None,
            gzipped: Arc::default(),
        }
    }

    /// Whether the body is large enough to be sent gzipped.
    fn worth_gzipping(&self) -> bool {
        self.body.len() >= GZIP_THRESHOLD
    }

    /// The body gzip-encoded, computed once per cached answer.
    fn gzipped(&self) -> Bytes {
        self.gzipped
            .get_or_init(|| {
                use std::io::Write;
                let mut encoder = flate2::write::GzEncoder::new(
                    Vec::with_capacity(self.body.len() / 4),
                    flate2::Compression::default(),
                );
                encoder.write_all(&self.body).expect("writing to memory");
                encoder.finish().expect("writing to memory").into()
            })
            .clone()
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
        Self::paged(page, page.next_url.as_deref())
    }

    /// A JSON body holding a page (a list, or a list with more beside it), with the page's
    /// `Link: rel="next"` header.
    pub fn paged<T: serde::Serialize>(body: &T, next_url: Option<&str>) -> Self {
        Self {
            link: next_url.map(|next| {
                HeaderValue::from_str(&format!("<{next}>; rel=\"next\""))
                    .expect("URLs we build are valid header values")
            }),
            ..Self::json(body)
        }
    }

    /// The answer for `req`: gzip-encoded when the client accepts it (with its own strong ETag, as
    /// a different representation), as it is otherwise.
    fn respond(self, req: &HttpRequest) -> HttpResponse {
        let mut response = if self.worth_gzipping() && accepts_gzip(req) {
            let etag = EntityTag::new_strong(format!("{}-gzip", self.etag.tag()));
            let mut response = responses::tagged(req, etag, self.content_type, self.gzipped());
            response
                .headers_mut()
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            response
        } else {
            responses::tagged(req, self.etag, self.content_type, self.body)
        };
        let headers = response.headers_mut();
        headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
        if let Some(link) = self.link {
            headers.insert(header::LINK, link);
        }
        response
    }
}

/// Whether `Accept-Encoding` lists gzip (or `*`) without refusing it with `q=0`.
fn accepts_gzip(req: &HttpRequest) -> bool {
    req.headers()
        .get_all(header::ACCEPT_ENCODING)
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            let name = parts.next().unwrap_or_default();
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q == 0.0)
            });
            (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
        })
}

/// What the cache held for a key, or the freshly computed value.
enum Lookup<T> {
    Hit(Cached),
    Miss(T),
}

/// The write markers as last read from the database, and when.
#[derive(Default)]
struct KnownMarker {
    /// The markers and the instant their read began.
    read: Option<(Arc<WriteMarkers>, Instant)>,
    /// A local write committed since the read: the markers may be outdated.
    written_since: bool,
    /// Bumped by every local write, so that a read which began before the write cannot store its
    /// (by then outdated) marker as fresh.
    epoch: u64,
    /// When the request now re-reading a marker past its recheck began to; until it is done the
    /// others are served what the cache holds, rather than all waiting for the database.
    refreshing_since: Option<Instant>,
}

/// Misses of keys hashing to the same lane are computed one at a time, so that a burst of requests
/// for an answer not yet cached computes it once, not once per request.
const FLIGHT_LANES: usize = 64;

/// A cached answer, the write sequence it was computed at, and what it depends on.
struct Entry {
    at: i64,
    dependency: Dependency,
    cached: Cached,
}

/// Cached answers keyed by request (representation, day, host, path and query).
#[derive(Clone)]
pub struct ResponseCache {
    entries: Arc<Mutex<HashMap<String, Entry>>>,
    marker: Arc<Mutex<KnownMarker>>,
    flights: Arc<[tokio::sync::Mutex<()>; FLIGHT_LANES]>,
    /// The keys whose answers a request is computing now.
    computing: Arc<Mutex<HashSet<String>>>,
    capacity: usize,
    recheck: Duration,
    /// Answers served from the cache, and answers computed (for `/metrics`).
    pub hits: prometheus::IntCounter,
    pub misses: prometheus::IntCounter,
}

impl ResponseCache {
    /// Holds up to `capacity` answers and trusts a marker read for `recheck`.
    pub fn new(capacity: usize, recheck: Duration) -> Self {
        Self {
            entries: Arc::new(Mutex::new(HashMap::new())),
            marker: Arc::new(Mutex::new(KnownMarker::default())),
            flights: Arc::new(std::array::from_fn(|_| tokio::sync::Mutex::new(()))),
            computing: Arc::default(),
            capacity,
            recheck,
            hits: super::metrics::counter(
                "registry_cache_hits_total",
                "Answers served from the response cache",
            ),
            misses: super::metrics::counter(
                "registry_cache_misses_total",
                "Answers the response cache had to compute",
            ),
        }
    }

    /// Outdates the markers, so that the next request re-reads them: called after every local
    /// write. A re-read already under way began before the write, so it no longer counts.
    pub fn expire_marker(&self) {
        let mut known = lock(&self.marker);
        known.written_since = true;
        known.refreshing_since = None;
        known.epoch += 1;
    }

    /// The cached answer for `key`, when the markers can be trusted without asking.
    ///
    /// Once the markers are older than `recheck`, or a local write has outdated them, one request
    /// at a time re-reads them (this returns `None` to that request) while the others are still
    /// answered from the cache: a slow database delays one request, not every request. Answers
    /// that may be outdated by a local write go only to requests that may be answered `stale`.
    fn fresh_hit(&self, key: &str, stale: bool) -> Option<Cached> {
        if self.recheck.is_zero() {
            return None;
        }
        let markers = {
            let mut known = lock(&self.marker);
            let (markers, read_at) = known.read.clone()?;
            if known.written_since && !stale {
                return None;
            }
            if known.written_since || read_at.elapsed() >= self.recheck {
                // A refresh that has not finished within `recheck` (its request failed, say) is
                // taken over by this request.
                let refreshing = known
                    .refreshing_since
                    .is_some_and(|since| since.elapsed() < self.recheck);
                if !refreshing {
                    known.refreshing_since = Some(Instant::now());
                    return None;
                }
            }
            markers
        };
        self.entry(key, &markers)
    }

    /// For a request that may be answered stale, when the markers did not vouch for the answer
    /// kept for `key`: that answer, however old, while another request is finding its successor
    /// (`Ok`); otherwise this request takes the job on, marked until the guard is dropped
    /// (`Err(Some)`), or waits like any other (`Err(None)`: nothing is kept to answer with).
    fn kept_or_claim(&self, key: &str) -> Result<Cached, Option<Computing<'_>>> {
        if let Some(claimed) = Computing::start(&self.computing, key) {
            return Err(Some(claimed));
        }
        lock(&self.entries)
            .get(key)
            .map(|entry| entry.cached.clone())
            .ok_or(None)
    }

    /// The answer kept for `key`, if no write since it was computed could have changed it.
    fn entry(&self, key: &str, markers: &WriteMarkers) -> Option<Cached> {
        lock(&self.entries)
            .get(key)
            .filter(|entry| markers.unchanged_since(&entry.dependency, entry.at))
            .map(|entry| entry.cached.clone())
    }

    /// The lane whose turn a miss of `key` waits for.
    fn flight(&self, key: &str) -> &tokio::sync::Mutex<()> {
        use std::hash::{BuildHasher, RandomState};
        static LANES: OnceLock<RandomState> = OnceLock::new();
        let hash = LANES.get_or_init(RandomState::new).hash_one(key);
        &self.flights[(hash % FLIGHT_LANES as u64) as usize]
    }

    /// Reads the write markers, and the answer for `key` if it is current; returns the write
    /// sequence an answer computed now would be computed at.
    fn check(
        &self,
        conn: &mut DbConnection,
        key: &str,
    ) -> Result<(i64, Option<Cached>), StoreError> {
        let (epoch, read_at) = (lock(&self.marker).epoch, Instant::now());
        let markers = markers::write_markers(conn);
        let markers = {
            let mut known = lock(&self.marker);
            known.refreshing_since = None;
            let markers = Arc::new(markers?);
            if known.epoch == epoch {
                known.read = Some((markers.clone(), read_at));
                known.written_since = false;
            }
            markers
        };
        Ok((markers.sequence, self.entry(key, &markers)))
    }

    /// [`Self::check`]; on a miss computes the value with the same connection.
    fn lookup<T>(
        &self,
        conn: &mut DbConnection,
        key: &str,
        compute: impl FnOnce(&mut DbConnection) -> Result<T, StoreError>,
    ) -> Result<(i64, Lookup<T>), StoreError> {
        let (marker, found) = self.check(conn, key)?;
        let found = match found {
            Some(cached) => Lookup::Hit(cached),
            None => Lookup::Miss(compute(conn)?),
        };
        Ok((marker, found))
    }

    fn store(&self, key: String, entry: Entry) {
        let mut entries = lock(&self.entries);
        if entries.len() >= self.capacity {
            // Keep what the markers last read still vouch for; without them, only what was
            // computed at this entry's sequence.
            let known = lock(&self.marker).read.clone();
            entries.retain(|_, kept| match &known {
                Some((markers, _)) => markers.unchanged_since(&kept.dependency, kept.at),
                None => kept.at == entry.at,
            });
            if entries.len() >= self.capacity {
                entries.clear();
            }
        }
        entries.insert(key, entry);
    }
}

/// Marks a key as being computed until dropped (also when the request is abandoned midway).
#[derive(Debug)]
struct Computing<'a> {
    keys: &'a Mutex<HashSet<String>>,
    key: String,
}

impl<'a> Computing<'a> {
    /// Marks `key`, unless another request has marked it already.
    fn start(keys: &'a Mutex<HashSet<String>>, key: &str) -> Option<Self> {
        lock(keys).insert(key.to_owned()).then(|| Self {
            keys,
            key: key.to_owned(),
        })
    }
}

impl Drop for Computing<'_> {
    fn drop(&mut self) {
        lock(self.keys).remove(&self.key);
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves only a cache behind: keep using it.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Answers from the cache when nothing the answer depends on was written since it was computed;
/// otherwise runs `compute` on a blocking thread and `render` (which may use the request) on this
/// one, and keeps the result. `representation` separates answers that share a URL (JSON and CSV).
pub async fn respond<T: Send + 'static>(
    req: &HttpRequest,
    state: &AppState,
    representation: &'static str,
    dependency: Dependency,
    compute: impl FnOnce(&mut DbConnection) -> Result<T, StoreError> + Send + 'static,
    render: impl FnOnce(T) -> Cached,
) -> Result<HttpResponse, ApiError> {
    let cache = state.cache.clone();
    // Views mention "overdue" relative to today, so a new day is a new answer too; feeds link
    // absolutely to the host they were asked on, so each host has its own answers.
    let key = {
        let connection = req.connection_info();
        format!(
            "{representation} {} {}://{}{}",
            chrono::Utc::now().date_naive(),
            connection.scheme(),
            connection.host(),
            req.uri()
        )
    };
    // Requests with credentials come from writers, who must see their own writes.
    let stale = !req.headers().contains_key(header::AUTHORIZATION);
    if let Some(cached) = state.cache.fresh_hit(&key, stale) {
        state.cache.hits.inc();
        return Ok(cached.respond(req));
    }
    let mut computing = None;
    if stale {
        match state.cache.kept_or_claim(&key) {
            Ok(kept) => {
                state.cache.hits.inc();
                return Ok(kept.respond(req));
            }
            Err(claimed) => computing = claimed,
        }
    }
    let check_key = key.clone();
    let checker = cache.clone();
    if let (_, Some(cached)) = state
        .db
        .run(move |conn| checker.check(conn, &check_key))
        .await?
    {
        state.cache.hits.inc();
        return Ok(cached.respond(req));
    }
    // A miss: wait for this key's turn, so that concurrent misses compute it once.
    let _turn = state.cache.flight(&key).lock().await;
    let _computing = computing.or_else(|| Computing::start(&state.cache.computing, &key));
    let lookup_key = key.clone();
    let (marker, found) = state
        .db
        .run(move |conn| cache.lookup(conn, &lookup_key, compute))
        .await?;
    let cached = match found {
        Lookup::Hit(cached) => {
            state.cache.hits.inc();
            cached
        }
        Lookup::Miss(value) => {
            state.cache.misses.inc();
            let mut cached = render(value);
            // Compressed before it is kept, on a blocking thread: compressing on first use would
            // hold an async worker, and every connection it serves, for milliseconds per answer.
            if cached.worth_gzipping() {
                cached = actix_web::web::block(move || {
                    cached.gzipped();
                    cached
                })
                .await
                .map_err(|e| ApiError::Internal(format!("compressing an answer: {e}")))?;
            }
            let entry = Entry {
                at: marker,
                dependency,
                cached: cached.clone(),
            };
            state.cache.store(key, entry);
            cached
        }
    };
    Ok(cached.respond(req))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A cache holding one answer for `key`, computed at sequence 1, with markers read just now.
    fn holding(key: &str) -> ResponseCache {
        let cache = ResponseCache::new(8, Duration::from_secs(3600));
        let mut markers = WriteMarkers::default();
        markers.sequence = 1;
        lock(&cache.marker).read = Some((Arc::new(markers), Instant::now()));
        let entry = Entry {
            at: 1,
            dependency: Dependency::Everything,
            cached: Cached::new("text/plain", b"before the write".to_vec()),
        };
        cache.store(key.to_owned(), entry);
        cache
    }

    #[test]
    fn after_a_local_write_one_reader_rereads_while_the_others_are_answered_from_the_cache() {
        let cache = holding("matrix");
        assert!(
            cache.fresh_hit("matrix", true).is_some(),
            "markers just read"
        );
        cache.expire_marker();
        assert!(
            cache.fresh_hit("matrix", false).is_none(),
            "a writer always asks"
        );
        assert!(
            cache.fresh_hit("matrix", true).is_none(),
            "the first reader re-reads"
        );
        let served = cache
            .fresh_hit("matrix", true)
            .expect("the others are answered");
        assert_eq!(&served.body[..], b"before the write");
        assert!(
            cache.fresh_hit("matrix", false).is_none(),
            "still not for a writer"
        );
    }

    #[test]
    fn one_reader_finds_the_successor_while_the_others_get_the_kept_answer() {
        let cache = holding("matrix");
        let Err(Some(claimed)) = cache.kept_or_claim("matrix") else {
            panic!("the first reader takes the job on");
        };
        let kept = cache
            .kept_or_claim("matrix")
            .expect("the others are answered");
        assert_eq!(&kept.body[..], b"before the write");
        assert!(
            Computing::start(&cache.computing, "matrix").is_none(),
            "taken"
        );
        let Err(Some(profile)) = cache.kept_or_claim("profile") else {
            panic!("another key is another job");
        };
        assert!(
            matches!(cache.kept_or_claim("profile"), Err(None)),
            "nothing kept for it: wait"
        );
        drop((claimed, profile));
        assert!(
            matches!(cache.kept_or_claim("matrix"), Err(Some(_))),
            "done (or abandoned)"
        );
    }
}
