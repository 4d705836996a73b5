//! Password hashing with argon2id. Plain passwords never leave this module's
//! callers' stack and are never logged. Each hash costs about 19 MiB and tens
//! of milliseconds, so requests reach it only through `PasswordGate`: a few
//! at a time, off the async runtime and off the database pool, and an
//! immediate "busy" once the queue is full.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

use crate::error::{Error, Result};

/// Stored for an account with no password yet: no password ever matches it.
pub const UNUSABLE: &str = "!";

/// A hash of a random password, verified against when the email is unknown so
/// that a login takes as long either way.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash(&crate::random_token()).unwrap_or_default())
}

/// Hashes a new password (argon2id, default parameters, random salt).
pub fn hash(password: &str) -> Result<String> {
    if password.chars().count() < 8 {
        return Err(Error::Invalid("password must have at least 8 characters".into()));
    }
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Internal(format!("password hashing failed: {e}")))
}

/// Whether `password` matches `stored`; a malformed stored hash never matches.
pub fn verify(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// Bounds the password work of one instance: `permits` hashes at a time
/// (one per core), at most `queue` more waiting; beyond that callers are told
/// at once that the server is busy.
#[derive(Debug)]
pub struct PasswordGate {
    permits: tokio::sync::Semaphore,
    admitted: std::sync::atomic::AtomicUsize,
    limit: usize,
}

/// The server is at its limit of password checks; try again in a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy;

impl PasswordGate {
    pub fn new(permits: usize, queue: usize) -> PasswordGate {
        let permits = permits.max(1);
        PasswordGate {
            permits: tokio::sync::Semaphore::new(permits),
            admitted: std::sync::atomic::AtomicUsize::new(0),
            limit: permits + queue,
        }
    }

    /// One permit per core, and a queue of four per core.
    pub fn for_this_machine() -> PasswordGate {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        PasswordGate::new(cores, 4 * cores)
    }

    /// Runs `work` on a blocking thread once a permit is free, or answers
    /// `Busy` at once when the queue is full.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> std::result::Result<T, Busy> {
        use std::sync::atomic::Ordering;
        if self.admitted.fetch_add(1, Ordering::AcqRel) >= self.limit {
            self.admitted.fetch_sub(1, Ordering::AcqRel);
            return Err(Busy);
        }
        struct Leave<'a>(&'a std::sync::atomic::AtomicUsize);
        impl Drop for Leave<'_> {
            fn drop(&mut self) {
                self.0.fetch_sub(1, std::sync::atomic::Ordering::AcqRel);
            }
        }
        let _leave = Leave(&self.admitted);
        let _permit = self.permits.acquire().await.map_err(|_| Busy)?;
        tokio::task::spawn_blocking(work).await.map_err(|_| Busy)
    }

    /// Whether `password` matches `stored` (see `verify`).
    pub async fn verify(&self, password: String, stored: String) -> std::result::Result<bool, Busy> {
        self.run(move || verify(&password, &stored)).await
    }

    /// Hashes a new password (see `hash`).
    pub async fn hash(&self, password: String) -> std::result::Result<Result<String>, Busy> {
        self.run(move || hash(&password)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_then_verify() {
        let stored = hash("correct horse").expect("hash");
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("correct horse", &stored));
        assert!(!verify("wrong horse", &stored));
        assert!(!verify("anything", "not a hash"));
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(matches!(hash("short"), Err(Error::Invalid(_))));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_gate_answers_busy_when_its_queue_is_full() {
        let gate = std::sync::Arc::new(PasswordGate::new(1, 1));
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let wait = std::sync::Arc::new(std::sync::Mutex::new(wait));
        let mut running = Vec::new();
        for _ in 0..2 {
            let (gate, wait) = (gate.clone(), wait.clone());
            running.push(tokio::spawn(async move {
                gate.run(move || wait.lock().map(|w| w.recv().is_ok()).unwrap_or(false)).await
            }));
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        assert_eq!(gate.run(|| true).await, Err(Busy), "one running and one waiting fill the gate");
        release.send(()).expect("release");
        release.send(()).expect("release");
        for task in running {
            assert_eq!(task.await.expect("task"), Ok(true));
        }
        assert_eq!(gate.run(|| true).await, Ok(true), "the gate is open again");
    }
}
