//! Login throttling: failed password checks counted per account and per
//! client address. After a few failures the key is blocked for a delay that
//! doubles with every further failure (2 s, 4 s, 8 s … up to 15 minutes);
//! blocked attempts are answered at once and never reach the password check.
//! Beyond the free allowance only one check per key runs at a time, so a
//! flood of concurrent guesses cannot slip through together.
//!
//! The counters live in this instance's memory: they cost nothing per
//! request, a restart does not help an attacker (it cannot trigger one), and
//! with several instances an attacker gains at most a factor of their number.
//! Pure apart from the clock the caller passes in.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// What failures are counted against.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Key {
    /// A login (email, lower-cased).
    Account(String),
    /// The client's address.
    Client(IpAddr),
}

/// The limits of the throttle.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Failures an account may have before it is blocked.
    pub account_free: u32,
    /// Failures a client address may have before it is blocked (higher: an
    /// office behind one address has many people).
    pub client_free: u32,
    /// The first block; each further failure doubles it.
    pub first_delay: Duration,
    /// The longest block.
    pub max_delay: Duration,
    /// Failures are forgotten after this long without a new one.
    pub forget_after: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            account_free: 5,
            client_free: 20,
            first_delay: Duration::from_secs(2),
            max_delay: Duration::from_secs(15 * 60),
            forget_after: Duration::from_secs(60 * 60),
        }
    }
}

#[derive(Debug, Default, Clone)]
struct Entry {
    failures: u32,
    in_flight: u32,
    blocked_until: Option<Instant>,
    last_failure: Option<Instant>,
}

/// Entries kept before stale ones are swept (a flood of distinct emails
/// cannot grow the map without bound).
const SWEEP_ABOVE: usize = 50_000;

/// The throttle of one instance.
#[derive(Debug, Default)]
pub struct Throttle {
    limits: Limits,
    entries: Mutex<HashMap<Key, Entry>>,
}

/// A check that was let through: report its outcome with `succeeded` or
/// `failed` (or `abandoned` when it never ran).
#[derive(Debug)]
#[must_use]
pub struct Attempt {
    keys: Vec<Key>,
}

impl Throttle {
    pub fn new(limits: Limits) -> Throttle {
        Throttle { limits, entries: Mutex::new(HashMap::new()) }
    }

    fn free(&self, key: &Key) -> u32 {
        match key {
            Key::Account(_) => self.limits.account_free,
            Key::Client(_) => self.limits.client_free,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Entry>> {
        self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Lets a check through, or says how long to wait.
    pub fn begin(&self, keys: Vec<Key>, now: Instant) -> Result<Attempt, Duration> {
        let mut entries = self.lock();
        let mut wait = Duration::ZERO;
        for key in &keys {
            let Some(entry) = entries.get_mut(key) else { continue };
            if entry.last_failure.is_some_and(|at| now.duration_since(at) >= self.limits.forget_after)
                && entry.in_flight == 0
            {
                *entry = Entry::default();
            }
            if let Some(until) = entry.blocked_until.filter(|until| *until > now) {
                wait = wait.max(until - now);
            } else if entry.in_flight > 0 && entry.failures + entry.in_flight >= self.free(key) {
                // Past the allowance, one check at a time: wait for its outcome.
                wait = wait.max(self.limits.first_delay);
            }
        }
        if !wait.is_zero() {
            return Err(round_up_to_second(wait));
        }
        if entries.len() > SWEEP_ABOVE {
            let forget = self.limits.forget_after;
            entries.retain(|_, e| {
                e.in_flight > 0
                    || e.blocked_until.is_some_and(|u| u > now)
                    || e.last_failure.is_some_and(|at| now.duration_since(at) < forget)
            });
        }
        for key in &keys {
            entries.entry(key.clone()).or_default().in_flight += 1;
        }
        Ok(Attempt { keys })
    }

    /// The password was wrong: count it and block the keys past their allowance.
    pub fn failed(&self, attempt: Attempt, now: Instant) {
        let mut entries = self.lock();
        for key in attempt.keys {
            let free = self.free(&key);
            let entry = entries.entry(key).or_default();
            entry.in_flight = entry.in_flight.saturating_sub(1);
            entry.failures += 1;
            entry.last_failure = Some(now);
            if entry.failures >= free {
                entry.blocked_until = Some(now + self.delay(entry.failures + 1 - free));
            }
        }
    }

    /// The password was right: the account starts afresh; the client address
    /// keeps its count (logging into one's own account must not wash away
    /// guesses at others).
    pub fn succeeded(&self, attempt: Attempt) {
        let mut entries = self.lock();
        for key in attempt.keys {
            if let Key::Account(_) = key {
                entries.remove(&key);
            } else if let Some(entry) = entries.get_mut(&key) {
                entry.in_flight = entry.in_flight.saturating_sub(1);
            }
        }
    }

    /// The check never ran (the server was too busy): nothing is counted.
    pub fn abandoned(&self, attempt: Attempt) {
        let mut entries = self.lock();
        for key in attempt.keys {
            if let Some(entry) = entries.get_mut(&key) {
                entry.in_flight = entry.in_flight.saturating_sub(1);
            }
        }
    }

    /// The block after the `n`-th failure past the allowance (n ≥ 1).
    fn delay(&self, n: u32) -> Duration {
        let factor = 1u32.checked_shl(n.saturating_sub(1).min(20)).unwrap_or(u32::MAX);
        self.limits.first_delay.saturating_mul(factor).min(self.limits.max_delay)
    }
}

fn round_up_to_second(wait: Duration) -> Duration {
    Duration::from_secs(wait.as_secs() + u64::from(wait.subsec_nanos() > 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(email: &str) -> Vec<Key> {
        vec![Key::Account(email.into()), Key::Client(IpAddr::from([10, 0, 0, 1]))]
    }

    #[test]
    fn blocks_after_the_allowance_with_growing_delays() {
        let throttle = Throttle::new(Limits::default());
        let t0 = Instant::now();
        for _ in 0..4 {
            let attempt = throttle.begin(keys("a@x"), t0).expect("free attempt");
            throttle.failed(attempt, t0);
        }
        let fifth = throttle.begin(keys("a@x"), t0).expect("fifth attempt is still free");
        throttle.failed(fifth, t0);
        assert_eq!(throttle.begin(keys("a@x"), t0).expect_err("blocked"), Duration::from_secs(2));
        let later = t0 + Duration::from_secs(2);
        let sixth = throttle.begin(keys("a@x"), later).expect("allowed once the block has passed");
        throttle.failed(sixth, later);
        assert_eq!(throttle.begin(keys("a@x"), later).expect_err("blocked again"), Duration::from_secs(4));
        // Another account from the same address is not blocked yet.
        assert!(throttle.begin(keys("b@x"), later).is_ok());
    }

    #[test]
    fn the_right_password_after_the_delay_resets_the_account() {
        let throttle = Throttle::new(Limits::default());
        let t0 = Instant::now();
        for _ in 0..5 {
            let attempt = throttle.begin(keys("a@x"), t0).expect("attempt");
            throttle.failed(attempt, t0);
        }
        assert!(throttle.begin(keys("a@x"), t0 + Duration::from_secs(1)).is_err());
        let t1 = t0 + Duration::from_secs(3);
        throttle.succeeded(throttle.begin(keys("a@x"), t1).expect("after the delay"));
        for _ in 0..4 {
            let attempt = throttle.begin(keys("a@x"), t1).expect("counting afresh");
            throttle.failed(attempt, t1);
        }
    }

    #[test]
    fn concurrent_checks_past_the_allowance_go_one_at_a_time() {
        let throttle = Throttle::new(Limits::default());
        let t0 = Instant::now();
        let admitted: Vec<_> = (0..100).filter_map(|_| throttle.begin(keys("admin@x"), t0).ok()).collect();
        assert_eq!(admitted.len(), 5, "only the free allowance runs concurrently");
        for attempt in admitted {
            throttle.failed(attempt, t0);
        }
        assert!(throttle.begin(keys("admin@x"), t0).is_err());
    }

    #[test]
    fn a_client_address_is_blocked_across_accounts() {
        let throttle = Throttle::new(Limits::default());
        let t0 = Instant::now();
        for i in 0..20 {
            let attempt = throttle.begin(keys(&format!("user{i}@x")), t0).expect("attempt");
            throttle.failed(attempt, t0);
        }
        assert!(throttle.begin(keys("fresh@x"), t0).is_err(), "the address has used its allowance");
        let other = vec![Key::Account("fresh@x".into()), Key::Client(IpAddr::from([10, 0, 0, 2]))];
        assert!(throttle.begin(other, t0).is_ok(), "another address is not affected");
    }

    #[test]
    fn delays_are_capped_and_failures_forgotten() {
        let throttle = Throttle::new(Limits::default());
        assert_eq!(throttle.delay(1), Duration::from_secs(2));
        assert_eq!(throttle.delay(4), Duration::from_secs(16));
        assert_eq!(throttle.delay(40), Duration::from_secs(900));
        let t0 = Instant::now();
        for _ in 0..5 {
            let attempt = throttle.begin(keys("a@x"), t0).expect("attempt");
            throttle.failed(attempt, t0);
        }
        let much_later = t0 + Duration::from_secs(2 * 60 * 60);
        for _ in 0..4 {
            let attempt = throttle.begin(keys("a@x"), much_later).expect("forgotten");
            throttle.failed(attempt, much_later);
        }
    }

    #[test]
    fn abandoned_checks_are_not_counted() {
        let throttle = Throttle::new(Limits::default());
        let t0 = Instant::now();
        for _ in 0..50 {
            throttle.abandoned(throttle.begin(keys("a@x"), t0).expect("attempt"));
        }
        assert!(throttle.begin(keys("a@x"), t0).is_ok());
    }
}
