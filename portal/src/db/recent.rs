//! Answers kept in memory for a moment: what every API request asks the
//! database again (whose token this is, what this user's prices are, how
//! stock is shown). An answer is trusted for at most `TRUSTED_FOR`, and only
//! under the write generation it was read in, so a write through this process
//! (`Db::note_write`) drops every answer at once; a write through another
//! instance or the command line is seen within `TRUSTED_FOR`.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::RwLock;
use std::time::{Duration, Instant};

/// How long an answer is trusted without asking the database again.
pub const TRUSTED_FOR: Duration = Duration::from_secs(1);

/// Above this many answers the store starts over (they are cheap to read
/// again; the bound only keeps memory flat).
const MAX_ENTRIES: usize = 10_000;

/// Recently read answers by key.
pub struct Recent<K, V> {
    entries: RwLock<HashMap<K, Entry<V>>>,
}

struct Entry<V> {
    generation: u64,
    read_at: Instant,
    value: V,
}

impl<K, V> Default for Recent<K, V> {
    fn default() -> Self {
        Recent { entries: RwLock::new(HashMap::new()) }
    }
}

impl<K: Eq + Hash, V: Clone> Recent<K, V> {
    /// The answer for `key`, if it was read under `generation` less than
    /// `TRUSTED_FOR` ago.
    pub fn get(&self, key: &K, generation: u64) -> Option<V> {
        let entries = self.entries.read().unwrap_or_else(|p| p.into_inner());
        let entry = entries.get(key)?;
        (entry.generation == generation && entry.read_at.elapsed() < TRUSTED_FOR).then(|| entry.value.clone())
    }

    /// Keeps `value`, read from the database under `generation` (taken
    /// before the read).
    pub fn put(&self, key: K, generation: u64, value: V) {
        let mut entries = self.entries.write().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(key, Entry { generation, read_at: Instant::now(), value });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_holds_within_its_generation_only() {
        let recent: Recent<&str, i32> = Recent::default();
        assert_eq!(recent.get(&"a", 1), None);
        recent.put("a", 1, 10);
        assert_eq!(recent.get(&"a", 1), Some(10));
        assert_eq!(recent.get(&"a", 2), None, "a write since drops it");
        recent.put("a", 2, 20);
        assert_eq!(recent.get(&"a", 2), Some(20));
    }

    #[test]
    fn an_answer_expires() {
        let recent: Recent<u8, u8> = Recent::default();
        recent.entries.write().expect("not poisoned").insert(
            1,
            Entry { generation: 0, read_at: Instant::now() - TRUSTED_FOR - Duration::from_millis(1), value: 1 },
        );
        assert_eq!(recent.get(&1, 0), None);
    }
}
