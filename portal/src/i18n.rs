//! Message catalogs for the pages, English and Russian, compiled into the
//! binary from `templates/i18n/*.toml`. Templates and code ask for a key; a
//! missing key shows the key itself (and a test keeps the catalogs in step).

use std::collections::HashMap;
use std::sync::OnceLock;

/// Languages the pages come in; the first is the default.
pub const LOCALES: [&str; 2] = ["ru", "en"];

const RU: &str = include_str!("../../templates/i18n/ru.toml");
const EN: &str = include_str!("../../templates/i18n/en.toml");

type Catalog = HashMap<String, String>;

fn catalogs() -> &'static HashMap<&'static str, Catalog> {
    static CATALOGS: OnceLock<HashMap<&'static str, Catalog>> = OnceLock::new();
    CATALOGS.get_or_init(|| {
        let mut all = HashMap::new();
        all.insert("ru", flatten(RU));
        all.insert("en", flatten(EN));
        all
    })
}

fn flatten(source: &str) -> Catalog {
    let table: toml::Table = toml::from_str(source).unwrap_or_default();
    let mut out = Catalog::new();
    walk("", &table, &mut out);
    out
}

fn walk(prefix: &str, table: &toml::Table, out: &mut Catalog) {
    for (key, value) in table {
        let full = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
        match value {
            toml::Value::String(s) => {
                out.insert(full, s.clone());
            }
            toml::Value::Table(t) => walk(&full, t, out),
            _ => {}
        }
    }
}

/// A supported locale for `requested`, falling back to Russian.
pub fn locale(requested: &str) -> &'static str {
    let lower = requested.trim().to_lowercase();
    LOCALES.into_iter().find(|l| lower.starts_with(l)).unwrap_or(LOCALES[0])
}

/// The message for `key`, with `{name}` placeholders filled from `args`.
pub fn text(locale: &str, key: &str, args: &[(&str, String)]) -> String {
    let catalog = &catalogs()[self::locale(locale)];
    let mut message = catalog.get(key).cloned().unwrap_or_else(|| key.to_string());
    for (name, value) in args {
        message = message.replace(&format!("{{{name}}}"), value);
    }
    message
}

/// Every key of a locale's catalog (for the consistency test).
pub fn keys(locale: &str) -> Vec<String> {
    let mut keys: Vec<String> = catalogs()[self::locale(locale)].keys().cloned().collect();
    keys.sort();
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogs_parse_and_have_the_same_keys() {
        let ru = keys("ru");
        assert!(ru.len() > 20, "the Russian catalog failed to parse");
        assert_eq!(ru, keys("en"));
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(text("en", "catalog.found", &[("count", "5".into())]), "Found: 5");
        assert_eq!(locale("en-US,en;q=0.9"), "en");
        assert_eq!(locale("de"), "ru");
    }

    /// Every stored state shown to people has its label in both catalogs,
    /// so a new enum value cannot reach a page as a raw key.
    #[test]
    fn every_state_has_its_label() {
        use crate::accounts::Role;
        use crate::notifications::NotificationKind;
        use crate::ordering::channels::Channel;
        use crate::ordering::events::EventKind;
        use crate::ordering::lifecycle::Actor;
        use crate::ordering::status::{OrderStatus, SyncState};

        let mut wanted: Vec<String> = Vec::new();
        wanted.extend(OrderStatus::ALL.iter().map(|s| format!("status.{s}")));
        wanted.extend(SyncState::ALL.iter().map(|s| format!("sync.{s}")));
        wanted.extend(EventKind::ALL.iter().map(|k| format!("event.{k}")));
        wanted.extend(Actor::ALL.iter().map(|a| format!("actor.{a}")));
        wanted.extend(Role::ALL.iter().map(|r| format!("admin.role_{r}")));
        wanted.extend(Channel::ALL.iter().map(|c| format!("channel.{c}")));
        wanted.extend(crate::finance::EntryKind::ALL.iter().map(|k| format!("ledger.{k}")));
        wanted.extend(crate::finance::closing::ClosingKind::ALL.iter().map(|k| format!("closing.{k}")));
        for kind in NotificationKind::ALL {
            wanted.push(format!("notify.{kind}_title"));
            wanted.push(format!("notify.{kind}_body"));
        }
        for locale in LOCALES {
            let keys = keys(locale);
            let missing: Vec<&String> = wanted.iter().filter(|k| !keys.contains(k)).collect();
            assert!(missing.is_empty(), "{locale} lacks {missing:?}");
        }
    }
}
