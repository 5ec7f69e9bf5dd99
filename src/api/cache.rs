//! A cache of expensive answers (matrix, profiles, statistics), validated on every request against
//! the database's write marker: a write on any instance makes every cached answer stale at once, so
//! several instances behind a load balancer never serve each other's stale data.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use actix_web::http::header::EntityTag;
use bytes::Bytes;

use super::responses::etag_for;

use crate::db::DbConnection;
use crate::store::{self, StoreError};

/// One cached answer: its type, body and entity tag (hashed once, when computed).
#[derive(Clone)]
pub struct Cached {
    pub content_type: &'static str,
    pub body: Bytes,
    pub etag: EntityTag,
}

impl Cached {
    pub fn new(content_type: &'static str, body: Vec<u8>) -> Self {
        Self {
            content_type,
            etag: etag_for(&body),
            body: body.into(),
        }
    }
}

/// Cached answers keyed by request (path, query and representation).
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

    /// The answer for `key`: from the cache if nothing was written since it was computed, otherwise
    /// computed now (and kept). Runs on a blocking thread, with its connection.
    pub fn get_or_compute(
        &self,
        conn: &mut DbConnection,
        key: String,
        compute: impl FnOnce(&mut DbConnection) -> Result<Cached, StoreError>,
    ) -> Result<Cached, StoreError> {
        let marker = store::write_marker(conn)?;
        if let Some((at, cached)) = self.lock().get(&key) {
            if *at == marker {
                return Ok(cached.clone());
            }
        }
        let fresh = compute(conn)?;
        let mut entries = self.lock();
        if entries.len() >= self.capacity {
            entries.retain(|_, (at, _)| *at == marker);
            if entries.len() >= self.capacity {
                entries.clear();
            }
        }
        entries.insert(key, (marker, fresh.clone()));
        Ok(fresh)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (i64, Cached)>> {
        // A panic while holding the lock leaves only a cache behind: keep using it.
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
