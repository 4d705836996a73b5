//! Excel exchange: price and stock lists (.xlsx, .xls, .ods, .csv) and
//! order-status sheets and ledgers, for ERPs that speak spreadsheets rather than
//! CommerceML. The sheet is read with the portal's spreadsheet reader (size,
//! type and zip-bomb checks included); which kind it is comes from its
//! header row. Price lists go through [`prices`], status sheets through
//! [`statuses`]; both follow the CommerceML rules: a file that cannot be read
//! changes nothing, unknown goods or orders are reported per row.
//!
//! Which columns mean what is the `[excel]` table of the configuration
//! ([`Mapping`]); without it, headers are matched by name: the key column
//! (Артикул / Ид / Штрихкод), and any column named like a price type or a
//! warehouse (its name or `Ид`).

pub mod ledger;
pub mod prices;
pub mod statuses;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use portal::catalog::batch::OfferKey;
use portal::ordering::upload::{read_order_file, Limits, Sheet};
use serde::Deserialize;

use crate::import::ImportError;

/// Column mapping of price and stock lists (`[excel]` in `optovik.toml`).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// Header of the column naming the goods; detected when absent.
    pub key_column: Option<String>,
    /// What the key column holds: `sku` (default), `id` or `barcode`.
    pub key: Option<OfferKey>,
    /// Column header → price type (its `Ид` or name).
    #[serde(default)]
    pub prices: BTreeMap<String, String>,
    /// Column header → warehouse (its `Ид` or name).
    #[serde(default)]
    pub stock: BTreeMap<String, String>,
}

static MAPPING: OnceLock<Mapping> = OnceLock::new();

/// Sets the process's mapping from the configuration (once, at start-up).
pub fn configure(mapping: Mapping) {
    let _ = MAPPING.set(mapping);
}

/// The configured mapping, or the by-name default.
pub fn mapping() -> Mapping {
    MAPPING.get().cloned().unwrap_or_default()
}

/// Exchange sheets may be much larger than a buyer's order.
pub fn limits() -> Limits {
    Limits { max_bytes: 64 << 20, max_rows: 500_000, max_unpacked_bytes: 1 << 30 }
}

/// What a sheet is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SheetKind {
    PriceList,
    OrderStatuses,
    /// The ERP's ledger of contracts (see [`ledger`]).
    Ledger,
}

/// A header text as compared: lower case, ё = е, single spaces.
pub fn normalize(text: &str) -> String {
    text.to_lowercase().replace('ё', "е").split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The header row (within the first 20) and its normalized cells: the first
/// row holding one of `wanted`.
pub fn header_row(sheet: &Sheet, wanted: &[&str]) -> Option<(usize, Vec<String>)> {
    (0..sheet.rows.len().min(20)).find_map(|row| {
        let cells: Vec<String> = sheet.rows[row].iter().map(|c| normalize(c)).collect();
        cells.iter().any(|c| wanted.contains(&c.as_str())).then_some((row, cells))
    })
}

/// Reads a spreadsheet and tells what it is.
pub fn read(file_name: &str, bytes: &[u8]) -> Result<(Sheet, SheetKind), ImportError> {
    let sheet = read_order_file(file_name, bytes, &limits()).map_err(|e| ImportError::Read(e.to_string()))?;
    let kind = if ledger::columns(&sheet).is_some() {
        SheetKind::Ledger
    } else if statuses::columns(&sheet).is_some() {
        SheetKind::OrderStatuses
    } else {
        SheetKind::PriceList
    };
    Ok((sheet, kind))
}

/// Whether a file is a spreadsheet (by content, else by name): zip-based
/// workbooks, OLE2 .xls, or a .csv name.
pub fn is_spreadsheet(file_name: &str, head: &[u8]) -> bool {
    let lower = file_name.to_lowercase();
    let zip_workbook = head.starts_with(b"PK")
        && (contains(head, b"[Content_Types].xml") || contains(head, b"mimetypeapplication/vnd.oasis"));
    zip_workbook
        || head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0])
        || [".xlsx", ".xls", ".ods", ".csv"].iter().any(|e| lower.ends_with(e))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_compare_loosely() {
        assert_eq!(normalize("  Цена  ОПТОВАЯ "), "цена оптовая");
        assert_eq!(normalize("Ёмкость"), "емкость");
    }

    #[test]
    fn mapping_reads_from_toml() {
        let mapping: Mapping = toml::from_str(
            "key_column = \"Код\"\nkey = \"id\"\n[prices]\n\"Цена опт\" = \"pt-opt\"\n[stock]\n\"Москва\" = \"wh-1\"\n",
        )
        .expect("toml");
        assert_eq!(mapping.key, Some(OfferKey::Id));
        assert_eq!(mapping.prices["Цена опт"], "pt-opt");
        assert_eq!(mapping.stock["Москва"], "wh-1");
        assert!(toml::from_str::<Mapping>("colour = 1").is_err(), "unknown keys are refused");
    }
}
