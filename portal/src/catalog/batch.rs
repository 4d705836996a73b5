//! Batched catalog writes for imports. The same upserts as `write`, keyed on
//! external ids and reporting created / updated / unchanged per row, but for
//! hundreds of rows at once: one read of the current rows per batch, one
//! multi-row insert for the new ones, and single updates only where something
//! differs — so a re-import that changes nothing costs one read per batch.
//! Rows repeating a key within a batch are applied in order (later wins).

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;

use super::search_words::sku_key;
use super::write::{Change, OfferData, ProductData};
use crate::db::schema::{offers, prices, products, stock};
use crate::db::DbConn;
use crate::error::Result;
use crate::per_backend;

/// Rows per statement: well under both backends' bound-parameter limits.
pub const BATCH: usize = 500;

/// Splits `rows` into runs of at most `BATCH` rows with distinct keys.
fn unique_runs<'a, T, K: Eq + std::hash::Hash>(rows: &'a [T], key: impl Fn(&'a T) -> K) -> Vec<&'a [T]> {
    let mut runs = Vec::new();
    let (mut start, mut seen) = (0, HashSet::new());
    for (i, row) in rows.iter().enumerate() {
        if i - start == BATCH || !seen.insert(key(row)) {
            runs.push(&rows[start..i]);
            start = i;
            seen.clear();
            seen.insert(key(row));
        }
    }
    if start < rows.len() {
        runs.push(&rows[start..]);
    }
    runs
}

/// Creates or updates products by external id, in the order given. Rows
/// are compared by their digest (see `ProductData::digest`), read from an
/// index, so unchanged products are never read back.
pub fn upsert_products(conn: &mut DbConn, rows: &[ProductData]) -> Result<Vec<(i64, Change)>> {
    let mut out = Vec::with_capacity(rows.len());
    for run in unique_runs(rows, |r| r.external_id.as_str()) {
        let keys: Vec<&str> = run.iter().map(|r| r.external_id.as_str()).collect();
        let current: HashMap<String, (i64, Option<i64>)> = products::table
            .filter(products::external_id.eq_any(&keys))
            .select((products::external_id, products::id, products::import_hash))
            .load::<(String, i64, Option<i64>)>(conn)?
            .into_iter()
            .map(|(external_id, id, digest)| (external_id, (id, digest)))
            .collect();
        let digests: Vec<i64> = run.iter().map(ProductData::digest).collect();
        let new: Vec<_> = run
            .iter()
            .zip(&digests)
            .filter(|(r, _)| !current.contains_key(&r.external_id))
            .map(|(r, d)| (r, products::import_hash.eq(Some(*d))))
            .collect();
        let created: HashMap<String, i64> = if new.is_empty() {
            HashMap::new()
        } else {
            per_backend!(conn, |c| diesel::insert_into(products::table)
                .values(new.clone())
                .returning((products::external_id, products::id))
                .get_results::<(String, i64)>(c))?
            .into_iter()
            .collect()
        };
        for (row, digest) in run.iter().zip(digests) {
            match current.get(&row.external_id) {
                Some((id, stored)) if *stored == Some(digest) => out.push((*id, Change::Unchanged)),
                Some((id, _)) => {
                    diesel::update(products::table.find(*id))
                        .set((row, products::import_hash.eq(Some(digest))))
                        .execute(conn)?;
                    out.push((*id, Change::Updated));
                }
                None => out.push((created[&row.external_id], Change::Created)),
            }
        }
    }
    Ok(out)
}

/// Products by external id: id, SKU and name (for offers files that name
/// their product). Unknown ids are simply absent.
pub fn products_by_external(conn: &mut DbConn, keys: &[&str]) -> Result<HashMap<String, (i64, String, String)>> {
    let mut found = HashMap::with_capacity(keys.len());
    for chunk in keys.chunks(BATCH) {
        let rows: Vec<(String, i64, String, String)> = products::table
            .filter(products::external_id.eq_any(chunk))
            .select((products::external_id, products::id, products::sku, products::name))
            .load(conn)?;
        found.extend(rows.into_iter().map(|(e, id, sku, name)| (e, (id, sku, name))));
    }
    Ok(found)
}

/// Offer ids by external id; unknown ids are absent.
pub fn offers_by_external(conn: &mut DbConn, keys: &[&str]) -> Result<HashMap<String, i64>> {
    let mut found = HashMap::with_capacity(keys.len());
    for chunk in keys.chunks(BATCH) {
        let rows: Vec<(String, i64)> = offers::table
            .filter(offers::external_id.eq_any(chunk))
            .select((offers::external_id, offers::id))
            .load(conn)?;
        found.extend(rows);
    }
    Ok(found)
}

/// How a price list names its goods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OfferKey {
    /// `Артикул` (compared as the search does: case and separators ignored).
    Sku,
    /// The ERP's `Ид` of the offer (`product` or `product#characteristic`).
    Id,
    Barcode,
}

impl OfferKey {
    /// The form a key is looked up in (SKUs normalized as the search does).
    pub fn normalize(self, text: &str) -> String {
        match self {
            OfferKey::Sku => sku_key(text),
            OfferKey::Id | OfferKey::Barcode => text.trim().to_string(),
        }
    }
}

/// Offers by SKU, `Ид` or barcode: normalized key (see `OfferKey::normalize`)
/// → offer ids. By SKU and barcode only active offers count; a SKU shared by
/// several characteristic offers maps to all of them.
pub fn offers_by_key(conn: &mut DbConn, kind: OfferKey, keys: &[&str]) -> Result<HashMap<String, Vec<i64>>> {
    let keys: Vec<String> = keys.iter().map(|k| kind.normalize(k)).collect::<HashSet<_>>().into_iter().collect();
    let mut found: HashMap<String, Vec<i64>> = HashMap::new();
    for chunk in keys.chunks(BATCH) {
        let rows: Vec<(String, i64)> = match kind {
            OfferKey::Sku => offers::table
                .filter(offers::sku_key.eq_any(chunk))
                .filter(offers::active.eq(true))
                .select((offers::sku_key, offers::id))
                .load(conn)?,
            OfferKey::Id => offers::table
                .filter(offers::external_id.eq_any(chunk))
                .select((offers::external_id, offers::id))
                .load(conn)?,
            OfferKey::Barcode => offers::table
                .filter(offers::barcode.eq_any(chunk))
                .filter(offers::active.eq(true))
                .select((offers::barcode.assume_not_null(), offers::id))
                .load(conn)?,
        };
        for (key, id) in rows {
            found.entry(key).or_default().push(id);
        }
    }
    Ok(found)
}

/// Of the given products (id, external id), those sold by characteristics:
/// they have an offer other than the product itself.
pub fn products_with_variants(conn: &mut DbConn, products: &[(i64, &str)]) -> Result<HashSet<i64>> {
    let own: HashMap<i64, &str> = products.iter().copied().collect();
    let mut found = HashSet::new();
    for chunk in products.chunks(BATCH) {
        let ids: Vec<i64> = chunk.iter().map(|p| p.0).collect();
        let rows: Vec<(i64, String)> = offers::table
            .filter(offers::product_id.eq_any(&ids))
            .select((offers::product_id, offers::external_id))
            .load(conn)?;
        found.extend(rows.into_iter().filter(|(p, e)| own.get(p) != Some(&e.as_str())).map(|(p, _)| p));
    }
    Ok(found)
}

type OfferRow = (i64, String, i64, String, String, String, Option<String>, bool);

/// Creates or updates offers by external id, in the order given.
pub fn upsert_offers(conn: &mut DbConn, rows: &[OfferData]) -> Result<Vec<(i64, Change)>> {
    let mut out = Vec::with_capacity(rows.len());
    for run in unique_runs(rows, |r| r.external_id.as_str()) {
        let keys: Vec<&str> = run.iter().map(|r| r.external_id.as_str()).collect();
        let current: HashMap<String, (i64, OfferData)> = offers::table
            .filter(offers::external_id.eq_any(&keys))
            .select((
                offers::id,
                offers::external_id,
                offers::product_id,
                offers::sku,
                offers::name,
                offers::characteristics,
                offers::barcode,
                offers::active,
            ))
            .load::<OfferRow>(conn)?
            .into_iter()
            .map(|r| {
                let data = OfferData {
                    external_id: r.1.clone(),
                    product_id: r.2,
                    sku: r.3,
                    name: r.4,
                    characteristics: r.5,
                    barcode: r.6,
                    active: r.7,
                };
                (r.1, (r.0, data))
            })
            .collect();
        let values = |d: &OfferData| {
            (
                offers::product_id.eq(d.product_id),
                offers::sku.eq(d.sku.clone()),
                offers::sku_key.eq(sku_key(&d.sku)),
                offers::name.eq(d.name.clone()),
                offers::characteristics.eq(d.characteristics.clone()),
                offers::barcode.eq(d.barcode.clone()),
                offers::active.eq(d.active),
            )
        };
        let new: Vec<_> = run
            .iter()
            .filter(|r| !current.contains_key(&r.external_id))
            .map(|d| (offers::external_id.eq(d.external_id.clone()), values(d)))
            .collect();
        let created: HashMap<String, i64> = if new.is_empty() {
            HashMap::new()
        } else {
            per_backend!(conn, |c| diesel::insert_into(offers::table)
                .values(new.clone())
                .returning((offers::external_id, offers::id))
                .get_results::<(String, i64)>(c))?
            .into_iter()
            .collect()
        };
        for row in run {
            match current.get(&row.external_id) {
                Some((id, existing)) if existing == row => out.push((*id, Change::Unchanged)),
                Some((id, _)) => {
                    diesel::update(offers::table.find(*id)).set(values(row)).execute(conn)?;
                    out.push((*id, Change::Updated));
                }
                None => out.push((created[&row.external_id], Change::Created)),
            }
        }
    }
    Ok(out)
}

/// Switches offers off; returns how many were on.
pub fn deactivate_offers(conn: &mut DbConn, offer_ids: &[i64]) -> Result<usize> {
    let mut changed = 0;
    for chunk in offer_ids.chunks(BATCH) {
        changed += diesel::update(offers::table.filter(offers::id.eq_any(chunk)).filter(offers::active.eq(true)))
            .set(offers::active.eq(false))
            .execute(conn)?;
    }
    Ok(changed)
}

/// Sets prices: (offer id, price type id, price in kopecks) rows.
pub fn set_prices(conn: &mut DbConn, rows: &[(i64, i64, i64)]) -> Result<Vec<Change>> {
    let mut out = Vec::with_capacity(rows.len());
    for run in unique_runs(rows, |r| (r.0, r.1)) {
        let offer_ids: Vec<i64> = run.iter().map(|r| r.0).collect::<HashSet<_>>().into_iter().collect();
        let current: HashMap<(i64, i64), i64> = prices::table
            .filter(prices::offer_id.eq_any(&offer_ids))
            .select((prices::offer_id, prices::price_type_id, prices::price_minor))
            .load::<(i64, i64, i64)>(conn)?
            .into_iter()
            .map(|(o, t, p)| ((o, t), p))
            .collect();
        let new: Vec<_> = run
            .iter()
            .filter(|r| !current.contains_key(&(r.0, r.1)))
            .map(|r| (prices::offer_id.eq(r.0), prices::price_type_id.eq(r.1), prices::price_minor.eq(r.2)))
            .collect();
        if !new.is_empty() {
            per_backend!(conn, |c| diesel::insert_into(prices::table).values(new.clone()).execute(c))?;
        }
        for &(offer_id, price_type_id, price) in run {
            out.push(match current.get(&(offer_id, price_type_id)) {
                Some(p) if *p == price => Change::Unchanged,
                Some(_) => {
                    diesel::update(prices::table.find((offer_id, price_type_id)))
                        .set(prices::price_minor.eq(price))
                        .execute(conn)?;
                    Change::Updated
                }
                None => Change::Created,
            });
        }
    }
    Ok(out)
}

/// Sets stock: (offer id, warehouse id, quantity in thousandths) rows; the
/// totals of the offers whose stock changed are refreshed once per batch.
pub fn set_stock(conn: &mut DbConn, rows: &[(i64, i64, i64)]) -> Result<Vec<Change>> {
    let mut out = Vec::with_capacity(rows.len());
    for run in unique_runs(rows, |r| (r.0, r.1)) {
        let offer_ids: Vec<i64> = run.iter().map(|r| r.0).collect::<HashSet<_>>().into_iter().collect();
        let current: HashMap<(i64, i64), i64> = stock::table
            .filter(stock::offer_id.eq_any(&offer_ids))
            .select((stock::offer_id, stock::warehouse_id, stock::quantity))
            .load::<(i64, i64, i64)>(conn)?
            .into_iter()
            .map(|(o, w, q)| ((o, w), q))
            .collect();
        let new: Vec<_> = run
            .iter()
            .filter(|r| !current.contains_key(&(r.0, r.1)))
            .map(|r| (stock::offer_id.eq(r.0), stock::warehouse_id.eq(r.1), stock::quantity.eq(r.2)))
            .collect();
        if !new.is_empty() {
            per_backend!(conn, |c| diesel::insert_into(stock::table).values(new.clone()).execute(c))?;
        }
        let mut touched = Vec::new();
        for &(offer_id, warehouse_id, quantity) in run {
            let change = match current.get(&(offer_id, warehouse_id)) {
                Some(q) if *q == quantity => Change::Unchanged,
                Some(_) => {
                    diesel::update(stock::table.find((offer_id, warehouse_id)))
                        .set(stock::quantity.eq(quantity))
                        .execute(conn)?;
                    Change::Updated
                }
                None => Change::Created,
            };
            if change != Change::Unchanged {
                touched.push(offer_id);
            }
            out.push(change);
        }
        refresh_stock_totals(conn, &touched)?;
    }
    Ok(out)
}

/// Recomputes `offers.stock_total` of the given offers from their
/// per-warehouse rows, in one statement.
pub fn refresh_stock_totals(conn: &mut DbConn, offer_ids: &[i64]) -> Result<()> {
    let mut ids = offer_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    for chunk in ids.chunks(BATCH) {
        // Integers only: formatting them into the statement is safe.
        let list = chunk.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        let sql = format!(
            "UPDATE offers SET stock_total = CAST(COALESCE((SELECT SUM(s.quantity) FROM stock s \
             WHERE s.offer_id = offers.id), 0) AS BIGINT) WHERE id IN ({list})"
        );
        diesel::sql_query(sql).execute(conn)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_split_on_repeated_keys_and_size() {
        let rows = [1, 2, 1, 3, 3];
        let runs: Vec<Vec<i32>> = unique_runs(&rows, |r| *r).into_iter().map(<[i32]>::to_vec).collect();
        assert_eq!(runs, vec![vec![1, 2], vec![1, 3], vec![3]]);
        let many: Vec<usize> = (0..BATCH * 2 + 1).collect();
        let sizes: Vec<usize> = unique_runs(&many, |r| *r).iter().map(|r| r.len()).collect();
        assert_eq!(sizes, vec![BATCH, BATCH, 1]);
    }
}
