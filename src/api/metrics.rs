//! Prometheus metrics of one instance, served at `/metrics`: requests by route pattern and status,
//! their latency, writes, the connection pool, and the response cache. Each app has its own
//! registry (no global recorder), so several apps in one process (the tests) count apart.

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry, TextEncoder,
};

use crate::db::Database;

/// The media type of the text exposition format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4";

/// The instance's metrics.
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    writes: IntCounterVec,
    pool: IntGaugeVec,
    pool_max: IntGauge,
}

impl Metrics {
    /// Registers the request metrics, the pool's gauges and the cache's counters (kept by the
    /// cache itself, which counts where it decides).
    pub fn new(cache_hits: &IntCounter, cache_misses: &IntCounter) -> Self {
        let requests = IntCounterVec::new(
            Opts::new(
                "registry_http_requests_total",
                "HTTP requests answered, by method, route pattern and status",
            ),
            &["method", "route", "status"],
        )
        .expect("valid metric");
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "registry_http_request_duration_seconds",
                "Time from a request's arrival to its response's headers, by method and route pattern",
            ),
            &["method", "route"],
        )
        .expect("valid metric");
        let writes = IntCounterVec::new(
            Opts::new(
                "registry_writes_total",
                "Writes (POST, PUT, PATCH, DELETE) answered with success, by route pattern",
            ),
            &["route"],
        )
        .expect("valid metric");
        let pool = IntGaugeVec::new(
            Opts::new(
                "registry_db_pool_connections",
                "Open database connections of the pool, by state (idle or in_use)",
            ),
            &["state"],
        )
        .expect("valid metric");
        let pool_max = IntGauge::new(
            "registry_db_pool_max_connections",
            "The most connections the pool opens",
        )
        .expect("valid metric");
        let registry = Registry::new();
        for collector in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(latency.clone()),
            Box::new(writes.clone()),
            Box::new(pool.clone()),
            Box::new(pool_max.clone()),
            Box::new(cache_hits.clone()),
            Box::new(cache_misses.clone()),
        ] {
            registry
                .register(collector)
                .expect("metric names are unique");
        }
        Self {
            registry,
            requests,
            latency,
            writes,
            pool,
            pool_max,
        }
    }

    /// Counts one answered request. `route` is the matched pattern, so ids never become labels.
    pub fn observe(&self, method: &str, route: &str, status: u16, write: bool, seconds: f64) {
        self.requests
            .with_label_values(&[method, route, &status.to_string()])
            .inc();
        self.latency
            .with_label_values(&[method, route])
            .observe(seconds);
        if write && (200..300).contains(&status) {
            self.writes.with_label_values(&[route]).inc();
        }
    }

    /// The text exposition of every metric, with the pool's state read now.
    pub fn render(&self, database: &Database) -> Vec<u8> {
        let (state, max) = database.pool_state();
        let idle = i64::from(state.idle_connections);
        self.pool.with_label_values(&["idle"]).set(idle);
        self.pool
            .with_label_values(&["in_use"])
            .set(i64::from(state.connections) - idle);
        self.pool_max.set(i64::from(max));
        let mut text = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut text)
            .expect("writing to memory");
        text
    }
}

/// A counter for the cache to keep (see [`Metrics::new`]).
pub fn counter(name: &str, help: &str) -> IntCounter {
    IntCounter::new(name, help).expect("valid metric")
}
