//! Optovik's portal: the domain (accounts, catalog, pricing, stock), the
//! database layer over SQLite and PostgreSQL, and the web layer (HTML pages and
//! the REST API). The connector crate and the `optovik` binary build on it.

pub mod accounts;
pub mod announcements;
pub mod catalog;
pub mod counters;
pub mod db;
pub mod demo;
pub mod error;
pub mod exchange_store;
pub mod finance;
pub mod i18n;
pub mod ids;
pub mod invoices;
pub mod jobs;
pub mod journal;
pub mod mail;
pub mod media;
pub mod messages;
pub mod money;
pub mod notifications;
pub mod ordering;
pub mod pricing;
pub mod process;
pub mod reports;
mod secret;
pub mod settings;
pub mod stock;
pub mod stock_alerts;
pub mod terms;
pub mod text;
pub mod web;

pub use error::{Error, Result};
pub use secret::{hash_bytes, hash_token, random_token};
