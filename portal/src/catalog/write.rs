//! Writing the catalog: idempotent upserts keyed on external ids (the ERP's
//! `Ид`), each reporting whether it created, updated or left a row unchanged.
//! The demo loader and the connector's imports both come through here.

use diesel::prelude::*;

use crate::db::schema::{categories, offers, price_types, products, warehouses};
use crate::db::DbConn;
use crate::error::Result;
use crate::ids::OfferId;

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
    /// A unit's weight in grams (CommerceML `Вес`, in kilograms), for
    /// delivery costs by weight.
    pub weight_grams: Option<i64>,
}

/// Creates or updates one product (see `batch::upsert_products` for many).
impl ProductData {
    /// A stable digest of every field, stored beside the product so that an
    /// unchanged row is recognised without reading it back.
    pub fn digest(&self) -> i64 {
        use sha2::{Digest, Sha256};
        let mut hasher = Sha256::new();
        let mut text = |t: &str| {
            hasher.update((t.len() as u64).to_le_bytes());
            hasher.update(t.as_bytes());
        };
        text(&self.external_id);
        text(&self.sku);
        text(&self.name);
        text(&self.description);
        text(&self.unit);
        text(&self.properties);
        let numbers = [
            self.category_id.unwrap_or(-1),
            i64::from(self.fractional),
            self.vat_rate.map_or(-1, i64::from),
            self.pack_multiple,
            self.min_order,
            i64::from(self.active),
            self.weight_grams.unwrap_or(-1),
        ];
        for n in numbers {
            hasher.update(n.to_le_bytes());
        }
        let bytes: [u8; 8] = hasher.finalize()[..8].try_into().unwrap_or_default();
        i64::from_le_bytes(bytes)
    }
}

pub fn upsert_product(conn: &mut DbConn, data: &ProductData) -> Result<(i64, Change)> {
    single(super::batch::upsert_products(conn, std::slice::from_ref(data))?)
}

/// The one result of a one-row batch.
fn single<T>(mut results: Vec<T>) -> Result<T> {
    results.pop().ok_or_else(|| crate::Error::Internal("a one-row batch returned nothing".into()))
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

/// Creates or updates one offer (see `batch::upsert_offers` for many).
pub fn upsert_offer(conn: &mut DbConn, data: &OfferData) -> Result<(OfferId, Change)> {
    let (id, change) = single(super::batch::upsert_offers(conn, std::slice::from_ref(data))?)?;
    Ok((OfferId(id), change))
}

/// Sets an offer's price in one price type.
pub fn set_price(conn: &mut DbConn, offer_id: OfferId, price_type_id: i64, price_minor: i64) -> Result<Change> {
    single(super::batch::set_prices(conn, &[(offer_id.0, price_type_id, price_minor)])?)
}

/// Sets an offer's stock in one warehouse (thousandths) and refreshes its total.
pub fn set_stock(conn: &mut DbConn, offer_id: OfferId, warehouse_id: i64, quantity: i64) -> Result<Change> {
    single(super::batch::set_stock(conn, &[(offer_id.0, warehouse_id, quantity)])?)
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
    diesel::update(products::table.find(id))
        .set((products::active.eq(false), products::import_hash.eq(None::<i64>)))
        .execute(conn)?;
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
