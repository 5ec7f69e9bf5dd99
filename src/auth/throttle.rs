//! Throttling of failed logins, per username and per client address, in this process's memory.
//!
//! A sliding window of failure times per key: once a key holds `limit` failures younger than
//! `window`, further attempts are refused until the oldest of them ages out. Counts are per instance
//! (several instances behind a load balancer each allow the limit), which the README states; a
//! shared store would be needed for a global limit. A few lines of `std` do this, so no crate.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failed logins allowed per username in one window: enough for typos, too few for guessing.
pub const USERNAME_LIMIT: usize = 5;
/// Failed logins allowed per client address in one window: higher, since offices share addresses.
pub const ADDRESS_LIMIT: usize = 20;
/// How long a failure counts.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Above this many keys, keys whose failures have all aged out are dropped, bounding memory.
const PRUNE_ABOVE: usize = 10_000;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Username(String),
    Address(IpAddr),
}

/// Failed-login counters. Cheap to share: one short lock per login attempt.
#[derive(Debug)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<Key, VecDeque<Instant>>>,
    window: Duration,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        Self {
            failures: Mutex::default(),
            window: WINDOW,
        }
    }
}

impl LoginThrottle {
    /// `Err(wait)` when this username or address has failed too often and must wait.
    pub fn check(&self, username: &str, address: Option<IpAddr>) -> Result<(), Duration> {
        let now = Instant::now();
        let mut failures = self.lock();
        let mut wait = Duration::ZERO;
        for (key, limit) in keys(username, address) {
            if let Some(times) = failures.get_mut(&key) {
                expire(times, now, self.window);
                if times.len() >= limit {
                    let oldest = times[times.len() - limit];
                    wait = wait.max(self.window.saturating_sub(now - oldest));
                }
            }
        }
        if wait.is_zero() {
            Ok(())
        } else {
            Err(wait)
        }
    }

    /// Counts a failed attempt against the username and the address.
    pub fn record_failure(&self, username: &str, address: Option<IpAddr>) {
        let now = Instant::now();
        let mut failures = self.lock();
        if failures.len() > PRUNE_ABOVE {
            failures.retain(|_, times| {
                expire(times, now, self.window);
                !times.is_empty()
            });
        }
        for (key, _) in keys(username, address) {
            failures.entry(key).or_default().push_back(now);
        }
    }

    /// Forgets the username's failures after a successful login (the address's stay counted).
    pub fn record_success(&self, username: &str) {
        self.lock().remove(&Key::Username(username.to_owned()));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, VecDeque<Instant>>> {
        // A panic while holding the lock cannot leave the map inconsistent: keep using it.
        self.failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn keys(username: &str, address: Option<IpAddr>) -> impl Iterator<Item = (Key, usize)> {
    std::iter::once((Key::Username(username.to_owned()), USERNAME_LIMIT))
        .chain(address.map(|a| (Key::Address(a), ADDRESS_LIMIT)))
}

fn expire(times: &mut VecDeque<Instant>, now: Instant, window: Duration) {
    while times.front().is_some_and(|&t| now - t >= window) {
        times.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOME: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::LOCALHOST));

    #[test]
    fn a_username_is_throttled_after_its_limit_and_freed_by_success() {
        let throttle = LoginThrottle::default();
        for _ in 0..USERNAME_LIMIT {
            assert!(throttle.check("alice", HOME).is_ok());
            throttle.record_failure("alice", HOME);
        }
        let wait = throttle.check("alice", HOME).unwrap_err();
        assert!(wait > WINDOW - Duration::from_secs(5) && wait <= WINDOW);
        assert!(throttle.check("bob", HOME).is_ok(), "other usernames go on");
        throttle.record_success("alice");
        assert!(throttle.check("alice", HOME).is_ok());
    }

    #[test]
    fn an_address_is_throttled_across_usernames() {
        let throttle = LoginThrottle::default();
        for n in 0..ADDRESS_LIMIT {
            throttle.record_failure(&format!("user{n}"), HOME);
        }
        assert!(throttle.check("fresh", HOME).is_err());
        assert!(throttle.check("fresh", None).is_ok());
    }

    #[test]
    fn failures_age_out() {
        let throttle = LoginThrottle {
            window: Duration::from_millis(50),
            ..LoginThrottle::default()
        };
        for _ in 0..USERNAME_LIMIT {
            throttle.record_failure("alice", None);
        }
        assert!(throttle.check("alice", None).is_err());
        std::thread::sleep(Duration::from_millis(60));
        assert!(throttle.check("alice", None).is_ok());
    }
}
