//! Configuration: defaults, then an optional TOML file, then environment
//! variables (which win). Secrets never get logged from here.

use std::collections::HashMap;
use std::path::Path;

use anyhow::Context;
use serde::Deserialize;

pub const DEFAULT_DATABASE_URL: &str = "./data/optovik.db";
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";

#[derive(Debug, Clone)]
pub struct Config {
    /// `DATABASE_URL`: a SQLite path / `sqlite://path`, or `postgres://…`.
    pub database_url: String,
    /// `OPTOVIK_BIND`: address the web server listens on.
    pub bind: String,
    /// `OPTOVIK_SECURE_COOKIES`: mark cookies Secure (behind HTTPS).
    pub secure_cookies: bool,
    /// `OPTOVIK_POOL_SIZE`: database connections per instance.
    pub pool_size: u32,
    /// `OPTOVIK_TIMEZONE`: time zone of job schedules.
    pub timezone: String,
    /// `[jobs]` table of the file: job name → cron expression.
    pub jobs: HashMap<String, String>,
    /// `[excel]` table of the file: the columns of price and stock lists.
    pub excel: connector::excel::Mapping,
    /// Whether `database_url` is the built-in default (not configured): only
    /// then does a first start load the demo data by itself.
    pub database_is_default: bool,
    /// `OPTOVIK_TRUSTED_PROXY_HEADER`: the header the reverse proxy puts the
    /// client's address in; unset: the connection's address.
    pub trusted_proxy_header: Option<String>,
    /// `OPTOVIK_SESSION_IDLE_HOURS`: a browser session ends after this long unused.
    pub session_idle_hours: i64,
    /// `OPTOVIK_SESSION_DAYS`: a browser session ends this long after login.
    pub session_days: i64,
    /// `OPTOVIK_EXCHANGE_SESSION_HOURS`: a 1C exchange session lasts this long.
    pub exchange_session_hours: i64,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    database_url: Option<String>,
    bind: Option<String>,
    secure_cookies: Option<bool>,
    pool_size: Option<u32>,
    timezone: Option<String>,
    #[serde(default)]
    jobs: HashMap<String, String>,
    #[serde(default)]
    excel: connector::excel::Mapping,
    trusted_proxy_header: Option<String>,
    session_idle_hours: Option<i64>,
    session_days: Option<i64>,
    exchange_session_hours: Option<i64>,
}

impl Config {
    /// Reads `file` (if given, it must exist; otherwise `./optovik.toml` is
    /// used when present) and the environment.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Config> {
        let file_config = match file {
            Some(path) => read_file(path)?,
            None if Path::new("optovik.toml").exists() => read_file(Path::new("optovik.toml"))?,
            None => FileConfig::default(),
        };
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let secure_cookies = match env("OPTOVIK_SECURE_COOKIES") {
            Some(v) => matches!(v.as_str(), "1" | "true" | "yes"),
            None => file_config.secure_cookies.unwrap_or(false),
        };
        let pool_size = match env("OPTOVIK_POOL_SIZE") {
            Some(v) => v.parse().context("OPTOVIK_POOL_SIZE must be a number")?,
            None => file_config.pool_size.unwrap_or(16),
        };
        let number = |name: &str, from_file: Option<i64>, default: i64| -> anyhow::Result<i64> {
            let value = match env(name) {
                Some(v) => v.trim().parse().with_context(|| format!("{name} must be a whole number"))?,
                None => from_file.unwrap_or(default),
            };
            anyhow::ensure!(value > 0, "{name} must be positive");
            Ok(value)
        };
        let session_idle_hours = number("OPTOVIK_SESSION_IDLE_HOURS", file_config.session_idle_hours, 12)?;
        let session_days = number("OPTOVIK_SESSION_DAYS", file_config.session_days, 14)?;
        let exchange_session_hours = number(
            "OPTOVIK_EXCHANGE_SESSION_HOURS",
            file_config.exchange_session_hours,
            portal::accounts::exchange_sessions::DEFAULT_HOURS,
        )?;
        let configured_database = env("DATABASE_URL").or(file_config.database_url);
        Ok(Config {
            database_is_default: configured_database.is_none(),
            database_url: configured_database.unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string()),
            trusted_proxy_header: env("OPTOVIK_TRUSTED_PROXY_HEADER").or(file_config.trusted_proxy_header),
            session_idle_hours,
            session_days,
            exchange_session_hours,
            bind: env("OPTOVIK_BIND").or(file_config.bind).unwrap_or_else(|| DEFAULT_BIND.to_string()),
            secure_cookies,
            pool_size,
            timezone: env("OPTOVIK_TIMEZONE").or(file_config.timezone).unwrap_or_else(|| "Europe/Moscow".into()),
            jobs: file_config.jobs,
            excel: file_config.excel,
        })
    }

    /// The web layer's part of the configuration.
    pub fn web(&self) -> portal::web::WebConfig {
        portal::web::WebConfig {
            secure_cookies: self.secure_cookies,
            trusted_proxy_header: self.trusted_proxy_header.clone(),
            sessions: portal::accounts::sessions::SessionPolicy {
                lifetime: chrono::Duration::days(self.session_days),
                idle: chrono::Duration::hours(self.session_idle_hours),
            },
            exchange_session: chrono::Duration::hours(self.exchange_session_hours),
        }
    }

    /// The database URL with any password masked, for logs.
    pub fn database_for_log(&self) -> String {
        mask_password(&self.database_url)
    }
}

fn read_file(path: &Path) -> anyhow::Result<FileConfig> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("{} is not a valid configuration", path.display()))
}

fn mask_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let Some((credentials, host)) = rest.split_once('@') else {
        return url.to_string();
    };
    match credentials.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_masked() {
        assert_eq!(mask_password("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(mask_password("./data/optovik.db"), "./data/optovik.db");
    }
}
