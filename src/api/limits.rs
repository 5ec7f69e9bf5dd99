//! What one client may take of the service, enforced before any handler runs: a deadline for the
//! request body (408), a cap on one address's requests in flight,
//! and per-minute rates (per address for every request, stricter for exports and search, per bearer
//! token for writes) answered with 429, `Retry-After` and the `RateLimit-*` headers.
//!
//! Rates use `governor`'s GCRA buckets, kept in this instance's memory: behind several instances the
//! reverse proxy enforces the shared limit (the README and compose show its configuration).

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::{header, Method};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage};
use futures_util::StreamExt;
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

use crate::auth::Authenticator;
use crate::config::Limits;
use crate::error::ApiError;

type Keyed<K> = RateLimiter<K, DefaultKeyedStateStore<K>, DefaultClock, StateInformationMiddleware>;

/// The limits and their counters, shared by every worker of an instance.
pub struct Guard {
    limits: Limits,
    requests: Option<Keyed<IpAddr>>,
    heavy: Option<Keyed<IpAddr>>,
    writes: Option<Keyed<u64>>,
    in_flight: Mutex<HashMap<IpAddr, u32>>,
}

impl Guard {
    pub fn new(limits: Limits) -> Self {
        fn keyed<K: Hash + Eq + Clone>(per_minute: u32) -> Option<Keyed<K>> {
            NonZeroU32::new(per_minute).map(|n| {
                RateLimiter::keyed(Quota::per_minute(n))
                    .with_middleware::<StateInformationMiddleware>()
            })
        }
        Self {
            requests: keyed(limits.requests_per_minute),
            heavy: keyed(limits.heavy_per_minute),
            writes: keyed(limits.writes_per_minute),
            in_flight: Mutex::default(),
            limits,
        }
    }

    /// Counts one request of `address` in flight until the returned ticket drops; `None` when the
    /// address already has its share.
    fn enter(self: &Arc<Self>, address: IpAddr) -> Option<InFlight> {
        let cap = self.limits.client_concurrency;
        if cap == 0 {
            return Some(InFlight(None));
        }
        let mut map = self.in_flight.lock().unwrap_or_else(|e| e.into_inner());
        let count = map.entry(address).or_insert(0);
        if *count >= cap {
            return None;
        }
        *count += 1;
        Some(InFlight(Some((self.clone(), address))))
    }

    /// Drops the buckets of clients that have been quiet long enough to be full again.
    fn prune(&self) {
        for limiter in [&self.requests, &self.heavy].into_iter().flatten() {
            if limiter.len() > 10_000 {
                limiter.retain_recent();
            }
        }
        if let Some(writes) = &self.writes {
            if writes.len() > 10_000 {
                writes.retain_recent();
            }
        }
    }
}

/// One request in flight for an address; leaving decrements its count.
struct InFlight(Option<(Arc<Guard>, IpAddr)>);

impl Drop for InFlight {
    fn drop(&mut self) {
        if let Some((guard, address)) = self.0.take() {
            let mut map = guard.in_flight.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(count) = map.get_mut(&address) {
                *count -= 1;
                if *count == 0 {
                    map.remove(&address);
                }
            }
        }
    }
}

/// What a rate check tells the client: the bucket's size, what is left, and seconds to refill.
struct Budget {
    limit: u32,
    remaining: u32,
    reset: u64,
}

fn check<K: Hash + Eq + Clone>(limiter: &Keyed<K>, key: &K, limit: u32) -> Result<Budget, u64> {
    match limiter.check_key(key) {
        Ok(snapshot) => {
            let remaining = snapshot.remaining_burst_capacity();
            let per_cell = 60.0 / f64::from(limit);
            Ok(Budget {
                limit,
                remaining,
                reset: (f64::from(limit - remaining) * per_cell).ceil() as u64,
            })
        }
        Err(not_until) => Err(not_until
            .wait_time_from(DefaultClock::default().now())
            .as_secs()
            .max(1)),
    }
}

/// Paths that answer health probes and metrics: never limited, so that an overloaded instance is
/// still seen as alive.
fn exempt(path: &str) -> bool {
    matches!(path, "/healthz" | "/readyz" | "/metrics")
}

/// Exports, search, facets and comparisons cost the database most: a faceted list or a comparison
/// reads the whole filtered set (or the registry twice), whatever the page size.
fn heavy(path: &str, query: &str) -> bool {
    path.starts_with("/api/v1/exports/")
        || path == "/api/v1/search"
        || path == "/search"
        || url::form_urlencoded::parse(query.as_bytes())
            .any(|(name, _)| name == "facet" || name == "compare_to")
}

/// A stable key for a bearer token, so writes are counted per token without keeping tokens.
fn token_key(req: &ServiceRequest) -> Option<u64> {
    let value = req.headers().get(header::AUTHORIZATION)?;
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    value.as_bytes().hash(&mut hasher);
    Some(hasher.finish())
}

fn too_many(detail: &str, retry_after: u64) -> ApiError {
    ApiError::TooManyRequests {
        detail: detail.to_owned(),
        retry_after,
    }
}

/// Enforces the limits of [`Guard`] on every request.
pub async fn enforce_limits(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(guard) = req
        .app_data::<web::Data<Arc<Guard>>>()
        .map(|g| g.get_ref().clone())
    else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    if exempt(req.path()) {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let address = req
        .app_data::<web::Data<Authenticator>>()
        .and_then(|auth| auth.client_address(req.request()))
        .unwrap_or(IpAddr::from([0, 0, 0, 0]));
    guard.prune();

    let refuse = |req: ServiceRequest, error: ApiError| {
        let mut response = error.response(Some(req.path()));
        // The client is over its share: ask it to open a new connection later.
        response.headers_mut().insert(
            header::CONNECTION,
            header::HeaderValue::from_static("close"),
        );
        Ok(req.into_response(response))
    };

    let Some(ticket) = guard.enter(address) else {
        return refuse(
            req,
            too_many(
                "Too many requests from this address are in progress at once.",
                1,
            ),
        );
    };
    let mut budget = None;
    if let Some(limiter) = &guard.requests {
        match check(limiter, &address, guard.limits.requests_per_minute) {
            Ok(b) => budget = Some(b),
            Err(wait) => {
                return refuse(
                    req,
                    too_many("Too many requests from this address; slow down.", wait),
                )
            }
        }
    }
    if heavy(req.path(), req.query_string()) {
        if let Some(limiter) = &guard.heavy {
            match check(limiter, &address, guard.limits.heavy_per_minute) {
                Ok(b) => budget = Some(b),
                Err(wait) => {
                    return refuse(
                        req,
                        too_many(
                            "Too many exports or searches from this address; slow down.",
                            wait,
                        ),
                    )
                }
            }
        }
    }
    let writes = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if writes {
        if let (Some(limiter), Some(key)) = (&guard.writes, token_key(&req)) {
            match check(limiter, &key, guard.limits.writes_per_minute) {
                Ok(b) => budget = Some(b),
                Err(wait) => {
                    return refuse(
                        req,
                        too_many("Too many writes with this token; slow down.", wait),
                    )
                }
            }
        }
    }

    let expired = Arc::new(AtomicBool::new(false));
    if has_body(&req) {
        let deadline = tokio::time::Instant::now() + guard.limits.body_timeout;
        let payload = req.take_payload();
        req.set_payload(with_deadline(payload, deadline, expired.clone()));
    }
    let path = req.path().to_owned();
    let mut res = next.call(req).await?.map_into_boxed_body();
    drop(ticket);
    if expired.load(Ordering::Relaxed) {
        let mut response = ApiError::RequestTimeout(format!(
            "The request body did not arrive within {} seconds.",
            guard.limits.body_timeout.as_secs()
        ))
        .response(Some(&path));
        response.headers_mut().insert(
            header::CONNECTION,
            header::HeaderValue::from_static("close"),
        );
        return Ok(res.into_response(response));
    }
    if let Some(budget) = budget {
        let headers = res.headers_mut();
        for (name, value) in [
            ("ratelimit-limit", budget.limit as u64),
            ("ratelimit-remaining", budget.remaining as u64),
            ("ratelimit-reset", budget.reset),
        ] {
            headers.insert(
                header::HeaderName::from_static(name),
                header::HeaderValue::from(value),
            );
        }
    }
    Ok(res)
}

/// Whether the request says it has a body.
fn has_body(req: &ServiceRequest) -> bool {
    let headers = req.headers();
    headers.contains_key(header::TRANSFER_ENCODING)
        || headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim() != "0")
}

/// The body, cut off with an error (and `expired` set) if its last byte is not in by `deadline`.
fn with_deadline(
    payload: Payload,
    deadline: tokio::time::Instant,
    expired: Arc<AtomicBool>,
) -> Payload {
    let stream = futures_util::stream::unfold(Some(payload), move |state| {
        let expired = expired.clone();
        async move {
            let mut payload = state?;
            match tokio::time::timeout_at(deadline, payload.next()).await {
                Ok(Some(chunk)) => Some((chunk, Some(payload))),
                Ok(None) => None,
                Err(_) => {
                    expired.store(true, Ordering::Relaxed);
                    let error = std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        "the request body did not arrive in time",
                    );
                    Some((Err(PayloadError::Io(error)), None))
                }
            }
        }
    });
    Payload::Stream {
        payload: Box::pin(stream),
    }
}
