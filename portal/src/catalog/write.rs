//! Writing the catalog: idempotent upserts keyed on external ids (the ERP's
//! `Ид`), each reporting whether it created, updated or left a row unchanged.
//! The demo loader and the connector's imports both come through here.

use diesel::prelude::*;

use super::search_words::sku_key;
use crate::db::schema::{categories, offers, price_types, prices, products, stock, warehouses};
use crate::db::DbConn;
use crate::error::Result;

/// Records that the catalog changed, so every instance's search index
/// rebuilds on its next search. Call once at the end of a batch of writes
/// (an import, the demo load, an admin edit); stock-only changes need not,
/// since listed rows always carry live stock and the index refreshes itself
/// periodically.
pub fn catalog_changed(conn: &mut DbConn) -> Result<()> {
    crate::settings::set(conn, crate::settings::CATALOG_VERSION, &crate::random_token())
}

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Created,
    Updated,
    Unchanged,
}

pub fn upsert_price_type(
    conn: &mut DbConn,
    external_id: &str,
    name: &str,
    vat_included: bool,
) -> Result<(i64, Change)> {
    let existing = price_types::table
        .filter(price_types::external_id.eq(external_id))
        .select((price_types::id, price_types::name, price_types::vat_included))
        .first::<(i64, String, bool)>(conn)
        .optional()?;
    match existing {
        Some((id, n, v)) if n == name && v == vat_included => Ok((id, Change::Unchanged)),
        Some((id, _, _)) => {
            diesel::update(price_types::table.find(id))
                .set((price_types::name.eq(name), price_types::vat_included.eq(vat_included)))
                .execute(conn)?;
            Ok((id, Change::Updated))
        }
        None => {
            let id = diesel::insert_into(price_types::table)
                .values((
                    price_types::external_id.eq(external_id),
                    price_types::name.eq(name),
                    price_types::currency.eq("RUB"),
                    price_types::vat_included.eq(vat_included),
                ))
                .returning(price_types::id)
                .get_result(conn)?;
            Ok((id, Change::Created))
        }
    }
}

pub fn upsert_warehouse(conn: &mut DbConn, external_id: &str, name: &str) -> Result<(i64, Change)> {
    let existing = warehouses::table
        .filter(warehouses::external_id.eq(external_id))
        .select((warehouses::id, warehouses::name, warehouses::active))
        .first::<(i64, String, bool)>(conn)
        .optional()?;
    match existing {
        Some((id, n, true)) if n == name => Ok((id, Change::Unchanged)),
        Some((id, _, _)) => {
            diesel::update(warehouses::table.find(id))
                .set((warehouses::name.eq(name), warehouses::active.eq(true)))
                .execute(conn)?;
            Ok((id, Change::Updated))
        }
        None => {
            let id = diesel::insert_into(warehouses::table)
                .values((
                    warehouses::external_id.eq(external_id),
                    warehouses::name.eq(name),
                    warehouses::active.eq(true),
                ))
                .returning(warehouses::id)
                .get_result(conn)?;
            Ok((id, Change::Created))
        }
    }
}

pub fn upsert_category(
    conn: &mut DbConn,
    external_id: &str,
    parent_id: Option<i64>,
    name: &str,
    sort_order: i32,
) -> Result<(i64, Change)> {
    let existing = categories::table
        .filter(categories::external_id.eq(external_id))
        .select((categories::id, categories::parent_id, categories::name, categories::sort_order, categories::active))
        .first::<(i64, Option<i64>, String, i32, bool)>(conn)
        .optional()?;
    match existing {
        Some((id, p, n, s, true)) if p == parent_id && n == name && s == sort_order => Ok((id, Change::Unchanged)),
        Some((id, ..)) => {
            diesel::update(categories::table.find(id))
                .set((
                    categories::parent_id.eq(parent_id),
                    categories::name.eq(name),
                    categories::sort_order.eq(sort_order),
                    categories::active.eq(true),
                ))
                .execute(conn)?;
            Ok((id, Change::Updated))
        }
        None => {
            let id = diesel::insert_into(categories::table)
                .values((
                    categories::external_id.eq(external_id),
                    categories::parent_id.eq(parent_id),
                    categories::name.eq(name),
                    categories::sort_order.eq(sort_order),
                    categories::active.eq(true),
                ))
                .returning(categories::id)
                .get_result(conn)?;
            Ok((id, Change::Created))
        }
    }
}

/// Everything a product carries, as the ERP or the demo data states it.
#[derive(Debug, Clone, PartialEq, AsChangeset, Insertable)]
#[diesel(table_name = products, treat_none_as_null = true)]
pub struct ProductData {
    pub external_id: String,
    pub category_id: Option<i64>,
    pub sku: String,
    pub name: String,
    pub description: String,
    pub unit: String,
    pub fractional: bool,
    pub vat_rate: Option<i32>,
    /// JSON list of [name, value] pairs.
    pub properties: String,
    pub pack_multiple: i64,
    pub min_order: i64,
    pub active: bool,
}

pub fn upsert_product(conn: &mut DbConn, data: &ProductData) -> Result<(i64, Change)> {
    let existing = products::table
        .filter(products::external_id.eq(&data.external_id))
        .select((
            products::id,
            (
                products::external_id,
                products::category_id,
                products::sku,
                products::name,
                products::description,
                products::unit,
                products::fractional,
                products::vat_rate,
                products::properties,
                products::pack_multiple,
                products::min_order,
                products::active,
            ),
        ))
        .first::<(
            i64,
            (
                String,
                Option<i64>,
                String,
                String,
                String,
                String,
                bool,
                Option<i32>,
                String,
                i64,
                i64,
                bool,
            ),
        )>(conn)
        .optional()?;
    match existing {
        Some((id, row)) => {
            let current = ProductData {
                external_id: row.0,
                category_id: row.1,
                sku: row.2,
                name: row.3,
                description: row.4,
                unit: row.5,
                fractional: row.6,
                vat_rate: row.7,
                properties: row.8,
                pack_multiple: row.9,
                min_order: row.10,
                active: row.11,
            };
            if &current == data {
                return Ok((id, Change::Unchanged));
            }
            diesel::update(products::table.find(id)).set(data).execute(conn)?;
            Ok((id, Change::Updated))
        }
        None => {
            let id = diesel::insert_into(products::table).values(data).returning(products::id).get_result(conn)?;
            Ok((id, Change::Created))
        }
    }
}

/// A sellable offer of a product.
#[derive(Debug, Clone, PartialEq)]
pub struct OfferData {
    pub external_id: String,
    pub product_id: i64,
    pub sku: String,
    pub name: String,
    pub characteristics: String,
    pub barcode: Option<String>,
    pub active: bool,
}

pub fn upsert_offer(conn: &mut DbConn, data: &OfferData) -> Result<(i64, Change)> {
    let existing = offers::table
        .filter(offers::external_id.eq(&data.external_id))
        .select((
            offers::id,
            offers::product_id,
            offers::sku,
            offers::name,
            offers::characteristics,
            offers::barcode,
            offers::active,
        ))
        .first::<(i64, i64, String, String, String, Option<String>, bool)>(conn)
        .optional()?;
    let values = (
        offers::product_id.eq(data.product_id),
        offers::sku.eq(&data.sku),
        offers::sku_key.eq(sku_key(&data.sku)),
        offers::name.eq(&data.name),
        offers::characteristics.eq(&data.characteristics),
        offers::barcode.eq(&data.barcode),
        offers::active.eq(data.active),
    );
    let (id, change) = match existing {
        Some((id, product_id, sku, name, characteristics, barcode, active)) => {
            let current = OfferData {
                external_id: data.external_id.clone(),
                product_id,
                sku,
                name,
                characteristics,
                barcode,
                active,
            };
            if &current == data {
                return Ok((id, Change::Unchanged));
            }
            diesel::update(offers::table.find(id)).set(values).execute(conn)?;
            (id, Change::Updated)
        }
        None => {
            let id = diesel::insert_into(offers::table)
                .values((offers::external_id.eq(&data.external_id), values))
                .returning(offers::id)
                .get_result(conn)?;
            (id, Change::Created)
        }
    };
    Ok((id, change))
}

/// Sets an offer's price in one price type.
pub fn set_price(conn: &mut DbConn, offer_id: i64, price_type_id: i64, price_minor: i64) -> Result<Change> {
    Ok(set_offer_prices(conn, offer_id, &[(price_type_id, price_minor)])?[0])
}

/// Sets an offer's stock in one warehouse (thousandths) and refreshes its total.
pub fn set_stock(conn: &mut DbConn, offer_id: i64, warehouse_id: i64, quantity: i64) -> Result<Change> {
    Ok(set_offer_stock(conn, offer_id, &[(warehouse_id, quantity)])?[0])
}

/// Sets an offer's stock in several warehouses at once (an import's row):
/// one read of the current figures, writes only where they differ, and the
/// total refreshed once.
pub fn set_offer_stock(conn: &mut DbConn, offer_id: i64, quantities: &[(i64, i64)]) -> Result<Vec<Change>> {
    let mut current: std::collections::HashMap<i64, i64> = stock::table
        .filter(stock::offer_id.eq(offer_id))
        .select((stock::warehouse_id, stock::quantity))
        .load::<(i64, i64)>(conn)?
        .into_iter()
        .collect();
    let mut changes = Vec::with_capacity(quantities.len());
    for &(warehouse_id, quantity) in quantities {
        let change = match current.get(&warehouse_id) {
            Some(q) if *q == quantity => Change::Unchanged,
            Some(_) => {
                diesel::update(stock::table.find((offer_id, warehouse_id)))
                    .set(stock::quantity.eq(quantity))
                    .execute(conn)?;
                Change::Updated
            }
            None => {
                diesel::insert_into(stock::table)
                    .values((
                        stock::offer_id.eq(offer_id),
                        stock::warehouse_id.eq(warehouse_id),
                        stock::quantity.eq(quantity),
                    ))
                    .execute(conn)?;
                Change::Created
            }
        };
        current.insert(warehouse_id, quantity);
        changes.push(change);
    }
    if changes.iter().any(|c| *c != Change::Unchanged) {
        let total: i64 = current.values().sum();
        diesel::update(offers::table.find(offer_id)).set(offers::stock_total.eq(total)).execute(conn)?;
    }
    Ok(changes)
}

/// Sets an offer's prices in several price types at once, reading the
/// current ones in one query.
pub fn set_offer_prices(conn: &mut DbConn, offer_id: i64, new_prices: &[(i64, i64)]) -> Result<Vec<Change>> {
    let current: std::collections::HashMap<i64, i64> = prices::table
        .filter(prices::offer_id.eq(offer_id))
        .select((prices::price_type_id, prices::price_minor))
        .load::<(i64, i64)>(conn)?
        .into_iter()
        .collect();
    let mut changes = Vec::with_capacity(new_prices.len());
    for &(price_type_id, price_minor) in new_prices {
        let change = match current.get(&price_type_id) {
            Some(p) if *p == price_minor => Change::Unchanged,
            Some(_) => {
                diesel::update(prices::table.find((offer_id, price_type_id)))
                    .set(prices::price_minor.eq(price_minor))
                    .execute(conn)?;
                Change::Updated
            }
            None => {
                diesel::insert_into(prices::table)
                    .values((
                        prices::offer_id.eq(offer_id),
                        prices::price_type_id.eq(price_type_id),
                        prices::price_minor.eq(price_minor),
                    ))
                    .execute(conn)?;
                Change::Created
            }
        };
        changes.push(change);
    }
    Ok(changes)
}

/// Recomputes `offers.stock_total` from the per-warehouse rows.
pub fn refresh_stock_total(conn: &mut DbConn, offer_id: i64) -> Result<()> {
    // A handful of warehouses per offer: summing in Rust keeps one query
    // for both backends (diesel sums BIGINT as NUMERIC).
    let total: i64 =
        stock::table.filter(stock::offer_id.eq(offer_id)).select(stock::quantity).load::<i64>(conn)?.into_iter().sum();
    diesel::update(offers::table.find(offer_id)).set(offers::stock_total.eq(total)).execute(conn)?;
    Ok(())
}

/// Ids of catalog rows by their external ids, for importers that link
/// records (`Ид`) to each other.
pub mod lookup {
    use std::collections::HashMap;

    use diesel::prelude::*;

    use crate::db::schema::{categories, price_types, products, warehouses};
    use crate::db::DbConn;
    use crate::error::Result;

    pub fn categories(conn: &mut DbConn) -> Result<HashMap<String, i64>> {
        Ok(categories::table.select((categories::external_id, categories::id)).load(conn)?.into_iter().collect())
    }

    pub fn price_types(conn: &mut DbConn) -> Result<HashMap<String, i64>> {
        Ok(price_types::table.select((price_types::external_id, price_types::id)).load(conn)?.into_iter().collect())
    }

    pub fn warehouses(conn: &mut DbConn) -> Result<HashMap<String, i64>> {
        Ok(warehouses::table.select((warehouses::external_id, warehouses::id)).load(conn)?.into_iter().collect())
    }

    /// A catalog row as (id, external id, name).
    pub type Named = (i64, String, String);

    /// Every price type and active warehouse, for matching a price list's
    /// column headers.
    pub fn named(conn: &mut DbConn) -> Result<(Vec<Named>, Vec<Named>)> {
        let types = price_types::table
            .filter(price_types::id.gt(0))
            .select((price_types::id, price_types::external_id, price_types::name))
            .load(conn)?;
        let stores = warehouses::table
            .filter(warehouses::active.eq(true))
            .select((warehouses::id, warehouses::external_id, warehouses::name))
            .load(conn)?;
        Ok((types, stores))
    }

    /// A product's id, SKU and name by its external id.
    pub fn product(conn: &mut DbConn, external_id: &str) -> Result<Option<(i64, String, String)>> {
        Ok(products::table
            .filter(products::external_id.eq(external_id))
            .select((products::id, products::sku, products::name))
            .first(conn)
            .optional()?)
    }
}

/// Switches one offer on or off; returns whether it changed.
pub fn set_offer_active(conn: &mut DbConn, offer_id: i64, active: bool) -> Result<bool> {
    let changed = diesel::update(offers::table.find(offer_id).filter(offers::active.ne(active)))
        .set(offers::active.eq(active))
        .execute(conn)?;
    Ok(changed > 0)
}

/// Marks the product and its offers inactive (a deletion mark, or missing
/// from a full catalog). Returns whether anything changed.
pub fn deactivate_product(conn: &mut DbConn, external_id: &str) -> Result<bool> {
    let Some(id) = products::table
        .filter(products::external_id.eq(external_id))
        .filter(products::active.eq(true))
        .select(products::id)
        .first::<i64>(conn)
        .optional()?
    else {
        return Ok(false);
    };
    diesel::update(products::table.find(id)).set(products::active.eq(false)).execute(conn)?;
    diesel::update(offers::table.filter(offers::product_id.eq(id))).set(offers::active.eq(false)).execute(conn)?;
    Ok(true)
}

/// Deactivates every active product not in `keep` (external ids) — used
/// after a full catalog. Returns how many.
pub fn deactivate_products_not_in(conn: &mut DbConn, keep: &std::collections::HashSet<String>) -> Result<usize> {
    let active: Vec<String> =
        products::table.filter(products::active.eq(true)).select(products::external_id).load(conn)?;
    let mut count = 0;
    for external_id in active.iter().filter(|id| !keep.contains(*id)) {
        if deactivate_product(conn, external_id)? {
            count += 1;
        }
    }
    Ok(count)
}
