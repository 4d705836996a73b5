//! Optovik's connector: exchange with the supplier's accounting system and
//! the scheduled jobs that keep the portal in step. It works through the
//! portal's domain operations and never writes SQL of its own.
//!
//! So far: the scheduler, the jobs and their journal, and the streaming
//! CommerceML reader; applying imports, the 1C HTTP exchange and folder/Excel
//! exchange come next.

pub mod commerceml;
pub mod import;
pub mod jobs;
pub mod runner;
pub mod schedule;
