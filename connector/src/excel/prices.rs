//! Price and stock lists: one row per offer (by SKU, `Ид` or barcode), a
//! column per price type and per warehouse. An empty cell leaves that figure
//! unchanged; an unreadable one, a negative figure or an unknown key is a
//! rejected row with its place (row and column), the rest still applies. The
//! whole file is one transaction, like a CommerceML offers file.
//!
//! Quantity price breaks come as columns named after a price type and the
//! quantity they start from ("Оптовая от 100", "Wholesale from 100 pcs"):
//! a row's filled break cells replace that offer's breaks at that price
//! type; a row with none of them filled leaves its breaks as they were.

use portal::catalog::batch::{self, OfferKey};
use portal::catalog::write::{lookup, Change};
use portal::db::{Db, DbConn};
use portal::ids::OfferId;
use portal::money::Money;
use portal::ordering::upload::Sheet;
use portal::terms::price_breaks::{self, PriceBreak};

use super::{header_row, normalize, Mapping};
use crate::import::{in_transaction, parse_quantity, Counts, ImportError};

/// Key column headers recognised without a mapping, with what they hold.
const KEY_HEADERS: [(&str, OfferKey); 9] = [
    ("артикул", OfferKey::Sku),
    ("sku", OfferKey::Sku),
    ("код товара", OfferKey::Sku),
    ("ид", OfferKey::Id),
    ("id", OfferKey::Id),
    ("ид товара", OfferKey::Id),
    ("штрихкод", OfferKey::Barcode),
    ("barcode", OfferKey::Barcode),
    ("ean", OfferKey::Barcode),
];

/// Which column holds what.
#[derive(Debug)]
struct Layout {
    header: usize,
    key_column: usize,
    key: OfferKey,
    /// (column, its header, price type id)
    prices: Vec<(usize, String, i64)>,
    /// (column, its header, warehouse id)
    stock: Vec<(usize, String, i64)>,
    /// (column, its header, price type id, from quantity in thousandths)
    breaks: Vec<(usize, String, i64, i64)>,
    /// (column, its header): when goods out of stock are expected.
    expected: Option<(usize, String)>,
}

/// Headers of the expected-arrival column (normalised).
const EXPECTED_HEADERS: [&str; 7] =
    ["ожидается", "поступление", "дата поступления", "ожидаемая дата", "expected", "expected arrival", "arrival"];

/// "Оптовая от 100 шт" → ("оптовая", 100 000): a price type's name and the
/// quantity a break starts from, in a normalised header.
fn break_header(cell: &str) -> Option<(&str, i64)> {
    let (name, rest) = cell.rsplit_once(" от ").or_else(|| cell.rsplit_once(" from "))?;
    let number: String =
        rest.trim().trim_end_matches('.').trim_end_matches(|c: char| c.is_alphabetic()).trim().to_string();
    let quantity = parse_quantity(&number).filter(|q| *q > 0)?;
    Some((name.trim(), quantity))
}

fn layout(conn: &mut DbConn, sheet: &Sheet, mapping: &Mapping) -> Result<Layout, String> {
    let (types, stores) = lookup::named(conn).map_err(|e| e.to_string())?;
    let key_names: Vec<String> = match &mapping.key_column {
        Some(column) => vec![normalize(column)],
        None => KEY_HEADERS.iter().map(|(h, _)| h.to_string()).collect(),
    };
    let wanted: Vec<&str> = key_names.iter().map(String::as_str).collect();
    let (header, cells) = header_row(sheet, &wanted)
        .ok_or_else(|| format!("no key column: the first 20 rows have no header named {}", key_names.join(" / ")))?;
    let key_column = cells.iter().position(|c| wanted.contains(&c.as_str())).unwrap_or(0);
    let key = mapping
        .key
        .or_else(|| KEY_HEADERS.iter().find(|(h, _)| *h == cells[key_column]).map(|(_, k)| *k))
        .unwrap_or(OfferKey::Sku);
    // A target named by `Ид` or name; unknown targets in the mapping are errors.
    let find = |list: &[(i64, String, String)], target: &str| {
        let target = normalize(target);
        list.iter().find(|(_, ext, name)| normalize(ext) == target || normalize(name) == target).map(|t| t.0)
    };
    let mut layout =
        Layout { header, key_column, key, prices: Vec::new(), stock: Vec::new(), breaks: Vec::new(), expected: None };
    let by_name = mapping.prices.is_empty() && mapping.stock.is_empty();
    for (column, cell) in cells.iter().enumerate() {
        if column == key_column || cell.is_empty() {
            continue;
        }
        let shown = sheet.cell(header, column).to_string();
        if EXPECTED_HEADERS.contains(&cell.as_str()) {
            layout.expected = Some((column, shown));
            continue;
        }
        if by_name {
            if let Some(id) = find(&types, cell) {
                layout.prices.push((column, shown, id));
            } else if let Some(id) = find(&stores, cell) {
                layout.stock.push((column, shown, id));
            } else if let Some((id, from)) = break_header(cell).and_then(|(n, q)| Some((find(&types, n)?, q))) {
                layout.breaks.push((column, shown, id, from));
            }
            continue;
        }
        let mapped = |map: &std::collections::BTreeMap<String, String>| {
            map.iter().find(|(header, _)| normalize(header) == *cell).map(|(_, target)| target.clone())
        };
        if let Some(target) = mapped(&mapping.prices) {
            let id =
                find(&types, &target).ok_or_else(|| format!("the mapping names an unknown price type {target:?}"))?;
            layout.prices.push((column, shown, id));
        } else if let Some(target) = mapped(&mapping.stock) {
            let id =
                find(&stores, &target).ok_or_else(|| format!("the mapping names an unknown warehouse {target:?}"))?;
            layout.stock.push((column, shown, id));
        }
    }
    if !by_name {
        let found: Vec<&String> = layout.prices.iter().chain(&layout.stock).map(|c| &c.1).collect();
        let missing: Vec<&String> = mapping
            .prices
            .keys()
            .chain(mapping.stock.keys())
            .filter(|h| !found.iter().any(|f| normalize(f) == normalize(h)))
            .collect();
        if !missing.is_empty() {
            return Err(format!("the sheet has no column {missing:?} that the mapping names"));
        }
    }
    if layout.prices.is_empty() && layout.stock.is_empty() && layout.breaks.is_empty() && layout.expected.is_none() {
        return Err("no price or stock column: name the columns like a price type or a warehouse, \
                    or map them in [excel] of the configuration"
            .into());
    }
    Ok(layout)
}

/// Imports a price and stock list; `dry` shows what it would change.
pub fn import(db: &Db, sheet: &Sheet, mapping: &Mapping, dry: bool) -> Result<Counts, ImportError> {
    in_transaction(db, dry, |conn| {
        let layout = layout(conn, sheet, mapping).map_err(portal::Error::Invalid)?;
        let mut counts = Counts::default();
        let rows: Vec<usize> =
            (layout.header + 1..sheet.rows.len()).filter(|r| !sheet.cell(*r, layout.key_column).is_empty()).collect();
        let keys: Vec<&str> = rows.iter().map(|r| sheet.cell(*r, layout.key_column)).collect();
        let offers = batch::offers_by_key(conn, layout.key, &keys)?;
        let (mut price_rows, mut stock_rows) = (Vec::new(), Vec::new());
        let mut break_rows: Vec<(OfferId, i64, Vec<PriceBreak>)> = Vec::new();
        let mut expected_rows: Vec<(OfferId, chrono::NaiveDate)> = Vec::new();
        for row in rows {
            let key = sheet.cell(row, layout.key_column);
            let place = format!("row {}", row + 1);
            let offer_id = match offers.get(&layout.key.normalize(key)).map(Vec::as_slice) {
                None | Some([]) => {
                    counts.reject("offers", format!("{place}: no goods {key:?}"));
                    continue;
                }
                Some([id]) => *id,
                Some(many) => {
                    counts.reject("offers", format!("{place}: {key:?} names {} offers; key them by Ид", many.len()));
                    continue;
                }
            };
            for (column, header, price_type) in &layout.prices {
                let text = sheet.cell(row, *column);
                match Money::parse_decimal(text) {
                    _ if text.is_empty() => {}
                    Some(price) if price.minor() >= 0 => price_rows.push((offer_id, *price_type, price.minor())),
                    _ => counts.reject("prices", format!("{place}, column {header:?}: unreadable price {text:?}")),
                }
            }
            let mut breaks: std::collections::BTreeMap<i64, Vec<PriceBreak>> = Default::default();
            for (column, header, price_type, from) in &layout.breaks {
                let text = sheet.cell(row, *column);
                match Money::parse_decimal(text) {
                    _ if text.is_empty() => {}
                    Some(price) if price.minor() >= 0 => breaks
                        .entry(*price_type)
                        .or_default()
                        .push(PriceBreak { min_quantity: *from, price_minor: price.minor() }),
                    _ => counts.reject("breaks", format!("{place}, column {header:?}: unreadable price {text:?}")),
                }
            }
            break_rows.extend(breaks.into_iter().map(|(price_type, list)| (OfferId(offer_id), price_type, list)));
            for (column, header, warehouse) in &layout.stock {
                let text = sheet.cell(row, *column);
                match parse_quantity(text) {
                    _ if text.is_empty() => {}
                    Some(milli) if milli >= 0 => stock_rows.push((offer_id, *warehouse, milli)),
                    _ => counts.reject("stock", format!("{place}, column {header:?}: unreadable quantity {text:?}")),
                }
            }
            if let Some((column, header)) = &layout.expected {
                let text = sheet.cell(row, *column);
                match portal::stock_alerts::parse_date(text) {
                    _ if text.is_empty() => {}
                    Some(date) => expected_rows.push((OfferId(offer_id), date)),
                    None => counts.reject("expected", format!("{place}, column {header:?}: unreadable date {text:?}")),
                }
            }
        }
        for change in portal::stock_alerts::set_expected_many(conn, &expected_rows)? {
            counts.change("expected", change);
        }
        for change in batch::set_prices(conn, &price_rows)? {
            counts.change("prices", change);
        }
        for change in batch::set_stock(conn, &stock_rows)? {
            counts.change("stock", change);
        }
        for (offer, price_type, list) in &break_rows {
            let list = price_breaks::validate(list).map_err(portal::Error::Invalid)?;
            let before = price_breaks::of_offers(conn, *price_type, &[*offer])?.remove(offer).unwrap_or_default();
            if before == list {
                counts.change("breaks", Change::Unchanged);
            } else {
                price_breaks::replace(conn, *offer, *price_type, &list)?;
                let change = if before.is_empty() { Change::Created } else { Change::Updated };
                counts.change("breaks", change);
            }
        }
        if !break_rows.is_empty() {
            portal::catalog::write::catalog_changed(conn)?;
        }
        Ok(counts)
    })
}
