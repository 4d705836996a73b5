//! The CPU-only half of applying an item, done on the reader's thread so the
//! writer only talks to the database: a product's fields as the portal keeps
//! them (property values named through the file's classifier), and an
//! offer's prices, quantities and characteristics parsed.

use std::collections::HashMap;

use portal::catalog::write::ProductData;
use portal::money::{Money, Qty};

use crate::commerceml::{Item, Offer, Product};

/// Units sold in fractions.
const FRACTIONAL_UNITS: [&str; 8] = ["кг", "г", "т", "м", "м2", "м3", "л", "пог. м"];

/// What the reader hands the writer.
pub(super) enum Incoming {
    /// A product with its fields; `category_id` is left for the writer (it
    /// knows the categories' database ids).
    Product(Product, ProductData),
    Offer(Offer, OfferParts),
    Other(Item),
}

/// An offer's figures, parsed.
pub(super) struct OfferParts {
    /// `name: value, …` of its characteristics.
    pub characteristics: String,
    /// (price type `Ид`, kopecks, or the unreadable text).
    pub prices: Vec<(String, Result<i64, String>)>,
    /// (warehouse `Ид`, "" for a total without warehouses; thousandths, or
    /// the unreadable text). Empty when the offer says nothing of stock.
    pub stock: Vec<(String, Result<i64, String>)>,
}

/// Keeps what earlier items of the file say (the classifier's properties).
#[derive(Default)]
pub(super) struct Preparer {
    properties: HashMap<String, (String, HashMap<String, String>)>,
}

impl Preparer {
    pub fn prepare(&mut self, item: Item) -> Incoming {
        match item {
            Item::Property(property) => {
                self.properties
                    .insert(property.id.clone(), (property.name.clone(), property.values.iter().cloned().collect()));
                Incoming::Other(Item::Property(property))
            }
            Item::Product(product) => {
                let data = self.product_data(&product);
                Incoming::Product(product, data)
            }
            Item::Offer(offer) => {
                let parts = offer_parts(&offer);
                Incoming::Offer(offer, parts)
            }
            other => Incoming::Other(other),
        }
    }

    fn product_data(&self, product: &Product) -> ProductData {
        let unit = product
            .unit
            .as_ref()
            .and_then(|u| u.name.clone().or_else(|| u.intl_abbr.clone()))
            .unwrap_or_else(|| "шт".into());
        let vat_rate = product
            .tax_rates
            .iter()
            .find(|(name, _)| name.to_lowercase().contains("ндс"))
            .and_then(|(_, rate)| rate.trim().trim_end_matches('%').trim().parse::<i32>().ok());
        let properties: Vec<(&str, &str)> = product
            .properties
            .iter()
            .filter_map(|(id, value)| {
                let (name, values) = self.properties.get(id)?;
                let shown = values.get(value).unwrap_or(value);
                (!shown.is_empty()).then_some((name.as_str(), shown.as_str()))
            })
            .collect();
        ProductData {
            external_id: product.id.clone(),
            category_id: None,
            sku: product.sku.clone().unwrap_or_default(),
            name: product.name.clone(),
            description: product.description.clone().unwrap_or_default(),
            fractional: FRACTIONAL_UNITS.contains(&unit.as_str()),
            unit,
            vat_rate: vat_rate.filter(|r| *r > 0),
            properties: serde_json::to_string(&properties).unwrap_or_else(|_| "[]".into()),
            pack_multiple: 1000,
            min_order: 1000,
            active: true,
            weight_grams: weight_grams(&product.requisites),
        }
    }
}

fn offer_parts(offer: &Offer) -> OfferParts {
    let characteristics = offer.characteristics.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join(", ");
    let prices = offer
        .prices
        .iter()
        .flatten()
        .map(|p| {
            let minor = Money::parse_decimal(&p.per_unit).map(|m| m.minor()).ok_or_else(|| p.per_unit.clone());
            (p.price_type_id.clone(), minor)
        })
        .collect();
    let quantity = |text: &String| parse_quantity(text).ok_or_else(|| text.clone());
    let stock = match (&offer.stock, &offer.total_quantity) {
        (Some(per_warehouse), _) if !per_warehouse.is_empty() => {
            per_warehouse.iter().map(|(warehouse, text)| (warehouse.clone(), quantity(text))).collect()
        }
        (_, Some(total)) => vec![(String::new(), quantity(total))],
        _ => Vec::new(),
    };
    OfferParts { characteristics, prices, stock }
}

/// A quantity as thousandths, rounding anything finer (ERP stock like "12.0000").
pub(crate) fn parse_quantity(text: &str) -> Option<i64> {
    match Qty::parse(text) {
        Some(exact) => Some(exact.milli()),
        // Finer than thousandths: two decimals are enough to read the figure.
        None => Money::parse_decimal(text).map(|money| money.minor() * 10),
    }
}

/// A product's weight in grams from its `Вес` requisite (kilograms, a
/// decimal point or comma); none when absent or unreadable.
fn weight_grams(requisites: &[(String, String)]) -> Option<i64> {
    let (_, text) = requisites.iter().find(|(name, _)| name.trim().to_lowercase() == "вес")?;
    let grams = parse_quantity(text.trim())?;
    (grams > 0).then_some(grams)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_read_as_1c_writes_them() {
        assert_eq!(parse_quantity("12"), Some(12_000));
        assert_eq!(parse_quantity("12.0000"), Some(12_000));
        assert_eq!(parse_quantity("0,5"), Some(500));
        assert_eq!(parse_quantity("много"), None);
    }

    #[test]
    fn a_weight_in_kilograms_becomes_grams() {
        let requisites =
            |v: &str| vec![("ВидНоменклатуры".to_string(), "Товар".to_string()), ("Вес".to_string(), v.to_string())];
        assert_eq!(weight_grams(&requisites("0.125")), Some(125));
        assert_eq!(weight_grams(&requisites("2,5")), Some(2_500));
        assert_eq!(weight_grams(&requisites("0")), None);
        assert_eq!(weight_grams(&requisites("тяжёлый")), None);
        assert_eq!(weight_grams(&[]), None);
    }
}
