//! Expands the compact catalog fixture (families × axes × variants) into
//! categories, products, offers, prices in three price types and stock in
//! each warehouse. Stock and barcodes derive from the SKU, so every run
//! writes the same values.

use serde::Deserialize;

use super::DemoSummary;
use crate::catalog::write::{
    set_price, set_stock, upsert_category, upsert_offer, upsert_price_type, upsert_product, upsert_warehouse, Change,
    OfferData, ProductData,
};
use crate::db::DbConn;
use crate::error::{Error, Result};
use crate::money::QTY_SCALE;

const CATALOG_JSON: &str = include_str!("../../../fixtures/demo/catalog.json");

#[derive(Deserialize)]
struct Fixture {
    warehouses: Vec<Named>,
    price_types: Vec<PriceTypeFixture>,
    categories: Vec<CategoryFixture>,
}

#[derive(Deserialize)]
struct Named {
    id: String,
    name: String,
}

#[derive(Deserialize)]
struct PriceTypeFixture {
    id: String,
    name: String,
    vat_included: bool,
    factor: f64,
}

#[derive(Deserialize)]
struct CategoryFixture {
    id: String,
    name: String,
    #[serde(default)]
    children: Vec<CategoryFixture>,
    #[serde(default)]
    families: Vec<Family>,
}

#[derive(Deserialize)]
struct Family {
    sku: String,
    name: String,
    axes: Vec<Vec<String>>,
    unit: String,
    pack: f64,
    min: f64,
    vat: i32,
    price: f64,
    step: f64,
    description: String,
    #[serde(default)]
    properties: serde_json::Map<String, serde_json::Value>,
    variants: Option<Variants>,
}

#[derive(Deserialize)]
struct Variants {
    name: String,
    values: Vec<String>,
}

struct Context {
    price_types: Vec<(i64, f64)>,
    warehouses: Vec<i64>,
    summary: DemoSummary,
}

impl Context {
    fn count(&mut self, change: Change) {
        match change {
            Change::Created => self.summary.created += 1,
            Change::Updated => self.summary.updated += 1,
            Change::Unchanged => {}
        }
    }
}

pub fn load(conn: &mut DbConn) -> Result<DemoSummary> {
    let fixture: Fixture = serde_json::from_str(CATALOG_JSON)
        .map_err(|e| Error::Internal(format!("demo catalog fixture is broken: {e}")))?;
    let mut ctx = Context { price_types: Vec::new(), warehouses: Vec::new(), summary: DemoSummary::default() };
    for pt in &fixture.price_types {
        let (id, change) = upsert_price_type(conn, &pt.id, &pt.name, pt.vat_included)?;
        ctx.count(change);
        ctx.price_types.push((id, pt.factor));
    }
    for wh in &fixture.warehouses {
        let (id, change) = upsert_warehouse(conn, &wh.id, &wh.name)?;
        ctx.count(change);
        ctx.warehouses.push(id);
    }
    for (index, category) in fixture.categories.iter().enumerate() {
        load_category(conn, &mut ctx, category, None, index as i32)?;
    }
    Ok(ctx.summary)
}

fn load_category(
    conn: &mut DbConn,
    ctx: &mut Context,
    category: &CategoryFixture,
    parent: Option<i64>,
    sort_order: i32,
) -> Result<()> {
    let (id, change) = upsert_category(conn, &category.id, parent, &category.name, sort_order)?;
    ctx.count(change);
    for family in &category.families {
        load_family(conn, ctx, family, id)?;
    }
    for (index, child) in category.children.iter().enumerate() {
        load_category(conn, ctx, child, Some(id), index as i32)?;
    }
    Ok(())
}

fn load_family(conn: &mut DbConn, ctx: &mut Context, family: &Family, category_id: i64) -> Result<()> {
    for (index, values) in cartesian(&family.axes).into_iter().enumerate() {
        let sku = fill(&family.sku, &values);
        let name = fill(&family.name, &values);
        let properties: Vec<(String, String)> =
            family.properties.iter().map(|(k, v)| (k.clone(), fill(v.as_str().unwrap_or_default(), &values))).collect();
        let fractional = matches!(family.unit.as_str(), "кг" | "м" | "л");
        let product = ProductData {
            external_id: format!("demo-{sku}"),
            category_id: Some(category_id),
            sku: sku.clone(),
            name: name.clone(),
            description: family.description.clone(),
            unit: family.unit.clone(),
            fractional,
            vat_rate: (family.vat > 0).then_some(family.vat),
            properties: serde_json::to_string(&properties).unwrap_or_else(|_| "[]".into()),
            pack_multiple: to_milli(family.pack),
            min_order: to_milli(family.min),
            active: true,
            weight_grams: None,
        };
        let (product_id, change) = upsert_product(conn, &product)?;
        ctx.count(change);
        ctx.summary.products += 1;
        let base_minor = ((family.price + family.step * index as f64) * 100.0).round() as i64;

        let variants: Vec<Option<&str>> = match &family.variants {
            Some(v) => v.values.iter().map(|s| Some(s.as_str())).collect(),
            None => vec![None],
        };
        for (vi, variant) in variants.into_iter().enumerate() {
            let (external_id, offer_sku, offer_name, characteristics) = match variant {
                Some(value) => {
                    let label = family.variants.as_ref().map(|v| v.name.as_str()).unwrap_or_default();
                    (
                        format!("demo-{sku}#{}", vi + 1),
                        format!("{sku}-{}", vi + 1),
                        format!("{name} ({label}: {value})"),
                        format!("{label}: {value}"),
                    )
                }
                None => (format!("demo-{sku}"), sku.clone(), name.clone(), String::new()),
            };
            let seed = seed_of(&offer_sku);
            let offer = OfferData {
                external_id,
                product_id,
                sku: offer_sku,
                name: offer_name,
                characteristics,
                barcode: Some(ean13(seed)),
                active: true,
            };
            let (offer_id, change) = upsert_offer(conn, &offer)?;
            ctx.count(change);
            ctx.summary.offers += 1;
            for &(price_type_id, factor) in &ctx.price_types.clone() {
                let minor = ((base_minor as f64) * factor).round() as i64;
                let change = set_price(conn, offer_id, price_type_id, minor.max(1))?;
                ctx.count(change);
            }
            for (wi, &warehouse_id) in ctx.warehouses.clone().iter().enumerate() {
                let quantity = demo_stock(seed, wi, to_milli(family.pack));
                let change = set_stock(conn, offer_id, warehouse_id, quantity)?;
                ctx.count(change);
            }
        }
    }
    Ok(())
}

/// Every combination of the axes' values (one empty combination for no axes).
fn cartesian(axes: &[Vec<String>]) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = vec![Vec::new()];
    for axis in axes {
        out = out
            .into_iter()
            .flat_map(|prefix| {
                axis.iter().map(move |v| {
                    let mut next = prefix.clone();
                    next.push(v.clone());
                    next
                })
            })
            .collect();
    }
    out
}

fn fill(template: &str, values: &[String]) -> String {
    let mut out = template.to_string();
    for (i, v) in values.iter().enumerate() {
        out = out.replace(&format!("{{{i}}}"), v);
    }
    out
}

fn to_milli(value: f64) -> i64 {
    (value * QTY_SCALE as f64).round() as i64
}

/// A stable number from a SKU (FNV-1a), so demo values repeat across runs.
fn seed_of(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// Stock per warehouse: about one offer in eight is out of stock everywhere,
/// some are low, most have a few packs to a few hundred.
fn demo_stock(seed: u64, warehouse: usize, pack: i64) -> i64 {
    let mixed = seed.rotate_left(warehouse as u32 * 13) ^ (warehouse as u64 * 0x9e37_79b9);
    match seed % 8 {
        0 => 0,
        1 => (mixed % 3) as i64 * pack.max(QTY_SCALE),
        _ => ((mixed % 60) as i64 + 1) * pack.max(QTY_SCALE) * if warehouse == 0 { 4 } else { 1 },
    }
}

/// A valid EAN-13 with the Russian "460" prefix.
fn ean13(seed: u64) -> String {
    let body = format!("460{:09}", seed % 1_000_000_000);
    let sum: u32 =
        body.chars().enumerate().map(|(i, c)| c.to_digit(10).unwrap_or(0) * if i % 2 == 0 { 1 } else { 3 }).sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ean13_check_digit() {
        // 4600000000003 is not real; check the digit rule on a known code.
        let code = ean13(123_456_789);
        assert_eq!(code.len(), 13);
        let digits: Vec<u32> = code.chars().filter_map(|c| c.to_digit(10)).collect();
        let sum: u32 = digits.iter().enumerate().map(|(i, d)| d * if i % 2 == 0 { 1 } else { 3 }).sum();
        assert_eq!(sum % 10, 0);
    }

    #[test]
    fn fixture_expands_to_hundreds_of_products() {
        let fixture: Fixture = serde_json::from_str(CATALOG_JSON).expect("fixture parses");
        fn count(c: &CategoryFixture) -> usize {
            c.families.iter().map(|f| cartesian(&f.axes).len()).sum::<usize>()
                + c.children.iter().map(count).sum::<usize>()
        }
        let total: usize = fixture.categories.iter().map(count).sum();
        assert!(total >= 300, "only {total} demo products");
    }
}
