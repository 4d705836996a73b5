//! Optovik's connector: exchange with the supplier's accounting system and
//! the scheduled jobs that keep the portal in step. It works through the
//! portal's domain operations and never writes SQL of its own.
//!
//! So far it holds the scheduler and the housekeeping job; CommerceML, the 1C
//! HTTP exchange and folder/Excel exchange come next.

pub mod jobs;
pub mod runner;
pub mod schedule;
