//! Invoices ("Счёт на оплату"): the document data, its PDF rendering and amounts in words.
pub mod document;
pub mod issue;
pub mod pdf;
pub mod pdf_text;
pub mod words;

pub use document::*;
