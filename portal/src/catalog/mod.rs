//! The catalog: category tree, products, offers (the sellable variants), price
//! types, warehouses, and the buyer-facing listing and search. Stock levels
//! and prices are written through `write`; the web layer only reads.

pub mod batch;
pub mod card;
pub mod facets;
pub mod listing;
pub mod search_index;
pub mod search_words;
pub mod tree;
pub mod write;

use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::{offers, price_types, prices, products, stock, warehouses};
use crate::db::DbConn;
use crate::error::{Error, Result};
use crate::ids::OfferId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct ProductId(pub i64);

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = price_types)]
pub struct PriceType {
    pub id: i64,
    pub external_id: String,
    pub name: String,
    pub currency: String,
    pub vat_included: bool,
}

impl PriceType {
    pub fn all(conn: &mut DbConn) -> Result<Vec<PriceType>> {
        Ok(price_types::table.order(price_types::id).select(PriceType::as_select()).load(conn)?)
    }

    pub fn find(conn: &mut DbConn, id: i64) -> Result<PriceType> {
        price_types::table.find(id).select(PriceType::as_select()).first(conn).map_err(Error::from_lookup)
    }
}

/// A product as stored: what all its offers share.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = products)]
pub struct Product {
    pub id: i64,
    pub external_id: String,
    pub category_id: Option<i64>,
    pub sku: String,
    pub name: String,
    pub description: String,
    pub unit: String,
    pub fractional: bool,
    pub vat_rate: Option<i32>,
    pub properties: String,
    pub pack_multiple: i64,
    pub min_order: i64,
    pub active: bool,
}

impl Product {
    pub fn find(conn: &mut DbConn, id: ProductId) -> Result<Product> {
        products::table
            .find(id.0)
            .filter(products::active.eq(true))
            .select(Product::as_select())
            .first(conn)
            .map_err(Error::from_lookup)
    }

    /// Properties as (name, value) pairs, in the order they were written.
    pub fn property_pairs(&self) -> Vec<(String, String)> {
        serde_json::from_str(&self.properties).unwrap_or_default()
    }
}

/// A sellable offer: a product, or one characteristic of it.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = offers)]
pub struct Offer {
    pub id: OfferId,
    pub external_id: String,
    pub product_id: i64,
    pub sku: String,
    pub name: String,
    pub characteristics: String,
    pub barcode: Option<String>,
    pub stock_total: i64,
    pub reserved: i64,
    pub active: bool,
    /// When it is expected, if out of stock (the ERP's stock list or the API).
    pub expected_at: Option<chrono::NaiveDate>,
}

impl Offer {
    /// What buyers may still order: stock minus the portal's open reservations.
    pub fn available(&self) -> i64 {
        (self.stock_total - self.reserved).max(0)
    }

    /// The product's active offers, in SKU order.
    pub fn of_product(conn: &mut DbConn, product: ProductId) -> Result<Vec<Offer>> {
        Ok(offers::table
            .filter(offers::product_id.eq(product.0))
            .filter(offers::active.eq(true))
            .order(offers::sku.asc())
            .select(Offer::as_select())
            .load(conn)?)
    }
}

/// Stock of one offer in one warehouse.
#[derive(Debug, Clone, Serialize)]
pub struct WarehouseStock {
    pub offer_id: OfferId,
    pub warehouse: String,
    pub quantity: i64,
}

pub fn stock_by_warehouse(conn: &mut DbConn, offer_ids: &[OfferId]) -> Result<Vec<WarehouseStock>> {
    let rows = stock::table
        .inner_join(warehouses::table)
        .filter(stock::offer_id.eq_any(offer_ids))
        .filter(warehouses::active.eq(true))
        .order((stock::offer_id, warehouses::id))
        .select((stock::offer_id, warehouses::name, stock::quantity))
        .load::<(OfferId, String, i64)>(conn)?;
    Ok(rows
        .into_iter()
        .map(|(offer_id, warehouse, quantity)| WarehouseStock { offer_id, warehouse, quantity })
        .collect())
}

/// The VAT rate of each given offer's product (`None` = no VAT).
pub fn vat_rates_of(
    conn: &mut DbConn,
    offer_ids: &[OfferId],
) -> Result<std::collections::HashMap<OfferId, Option<i32>>> {
    Ok(offers::table
        .inner_join(products::table)
        .filter(offers::id.eq_any(offer_ids))
        .select((offers::id, products::vat_rate))
        .load::<(OfferId, Option<i32>)>(conn)?
        .into_iter()
        .collect())
}

/// The price of each given offer in one price type (offers without a price are absent).
pub fn prices_of(conn: &mut DbConn, offer_ids: &[OfferId], price_type: i64) -> Result<Vec<(OfferId, i64)>> {
    Ok(prices::table
        .filter(prices::offer_id.eq_any(offer_ids))
        .filter(prices::price_type_id.eq(price_type))
        .select((prices::offer_id, prices::price_minor))
        .load(conn)?)
}
