//! CommerceML 2 (2.03–2.10) and 3.1 reader: the exchange format of 1C and Bitrix.
//!
//! Bytes in, a stream of typed [`Item`]s out: classifier groups and properties, price types,
//! warehouses, units, catalog products, offers (prices and stock, including split `prices___` /
//! `rests___` files), counterparties and documents (orders and statuses). Memory stays flat: only
//! one item is buffered at a time, so a 1 GB `import.xml` reads in a few megabytes.
//!
//! ```no_run
//! use connector::commerceml::{read, Item};
//! let file = std::io::BufReader::new(std::fs::File::open("offers0_1.xml")?);
//! let summary = read(file, |item| {
//!     if let Item::Offer(offer) = item {
//!         println!("{} {:?}", offer.product_id(), offer.prices);
//!     }
//!     Ok::<(), std::io::Error>(())
//! })?;
//! println!("{} offers, schema {:?}", summary.offers, summary.version);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Rules the reader follows: elements are matched by local name (default namespace
//! `urn:1C.ru:commerceml_2` / `_3` or none); element order is never relied upon inside an item;
//! values are trimmed and entity references joined; money, quantities and dates stay exact text;
//! anything unknown is skipped. Files are never validated against the XSD (real ones break it).
//! A malformed or truncated file is a [`ReadError`] with a byte offset and an element path.
//!
//! This module only parses: it never touches the database and never decides how an item is
//! applied. Deletions, "only changes" flags and absent parts (None) are reported as read.

mod catalog;
mod counterparties;
mod decode;
mod detect;
mod documents;
mod error;
mod model;
mod offers;
mod reader;
mod routing;
mod tree;
pub mod writer;

pub use decode::SchemaVersion;
pub use detect::detect_kind;
pub use error::{ErrorKind, ReadError};
pub use model::{
    non_empty_date, split_id, Counterparty, Document, DocumentLine, FileKind, Group, Item, Offer, Price, PriceType,
    Product, Property, Summary, Unit, UnitRef, Warehouse,
};
pub use reader::{read, read_to_vec};

#[cfg(test)]
mod tests;
