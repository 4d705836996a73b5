//! Optovik's connector: exchange with the supplier's accounting system and
//! the scheduled jobs that keep the portal in step. It works through the
//! portal's domain operations and never writes SQL of its own.
//!
//! It holds the streaming CommerceML reader and the order writer, the imports
//! (catalog, offers, counterparties, status documents), the folder exchange,
//! the scheduler, the jobs and the runner that journals them, and the Excel
//! exchange (price and stock lists, order-status sheets).

pub mod closing_manifest;
pub mod commerceml;
pub mod excel;
pub mod exchange_zip;
pub mod export;
pub mod file_import;
pub mod import;
pub mod jobs;
pub mod runner;
pub mod schedule;
