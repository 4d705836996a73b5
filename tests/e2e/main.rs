//! End-to-end tests over real HTTP against a real database. Every test gets
//! a fresh database with the demo data: SQLite by default, PostgreSQL when
//! `OPTOVIK_TEST_POSTGRES` is set to a server URL (CI runs both).

mod process;
mod support;

mod accounts;
mod admin;
mod admin_api;
mod announcements;
mod api_docs;
mod catalog;
mod checkout;
mod closing_documents;
mod commercial_terms;
mod customer_codes;
mod discounts;
mod email;
mod erp_orders;
mod excel;
mod exchange;
mod facets;
mod faults;
mod finance;
mod finance_statement;
mod import;
mod lifecycle;
mod media;
mod messages;
mod order_channels;
mod ordering;
mod page_and_api;
mod price_list;
mod printable;
mod reconciliation;
mod reports;
mod scheduler;
mod security;
mod security_process;
mod staff_rights;
mod status_names;
mod stock_alerts;
mod uploads;
