//! Quantity price breaks per price type and offer ("from 100 pcs: 8.40"):
//! from a quantity on, the unit price of the price type is the break's
//! instead of the list price. Written by the Excel price list (break
//! columns), the API and the admin; read by `pricing` for every line.

use std::collections::HashMap;

use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::price_breaks;
use crate::db::DbConn;
use crate::error::{Error, Result};
use crate::ids::OfferId;

/// From `min_quantity` (thousandths) on, the unit list price is `price_minor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PriceBreak {
    pub min_quantity: i64,
    pub price_minor: i64,
}

/// The break that applies to `quantity` among `breaks` (ascending).
pub fn applying(breaks: &[PriceBreak], quantity: i64) -> Option<PriceBreak> {
    breaks.iter().rev().find(|b| quantity >= b.min_quantity).copied()
}

/// The breaks of `offers` at one price type, each list ascending.
pub fn of_offers(conn: &mut DbConn, price_type: i64, offers: &[OfferId]) -> Result<HashMap<OfferId, Vec<PriceBreak>>> {
    let mut out: HashMap<OfferId, Vec<PriceBreak>> = HashMap::new();
    for chunk in offers.chunks(500) {
        let rows: Vec<(OfferId, i64, i64)> = price_breaks::table
            .filter(price_breaks::price_type_id.eq(price_type))
            .filter(price_breaks::offer_id.eq_any(chunk))
            .order((price_breaks::offer_id, price_breaks::min_quantity))
            .select((price_breaks::offer_id, price_breaks::min_quantity, price_breaks::price_minor))
            .load(conn)?;
        for (offer, min_quantity, price_minor) in rows {
            out.entry(offer).or_default().push(PriceBreak { min_quantity, price_minor });
        }
    }
    Ok(out)
}

/// Checks a list of breaks: positive quantities, none twice, prices not negative.
pub fn validate(breaks: &[PriceBreak]) -> std::result::Result<Vec<PriceBreak>, String> {
    let mut sorted = breaks.to_vec();
    sorted.sort_by_key(|b| b.min_quantity);
    for pair in sorted.windows(2) {
        if pair[0].min_quantity == pair[1].min_quantity {
            return Err("two breaks from the same quantity".into());
        }
    }
    if sorted.iter().any(|b| b.min_quantity <= 0) {
        return Err("a break starts from a positive quantity".into());
    }
    if sorted.iter().any(|b| b.price_minor < 0) {
        return Err("a break's price cannot be negative".into());
    }
    Ok(sorted)
}

/// Replaces the breaks of one offer at one price type (an empty list
/// removes them). Runs inside the caller's transaction.
pub fn replace(conn: &mut DbConn, offer: OfferId, price_type: i64, breaks: &[PriceBreak]) -> Result<()> {
    let breaks = validate(breaks).map_err(Error::Invalid)?;
    diesel::delete(
        price_breaks::table.filter(price_breaks::offer_id.eq(offer)).filter(price_breaks::price_type_id.eq(price_type)),
    )
    .execute(conn)?;
    for b in &breaks {
        diesel::insert_into(price_breaks::table)
            .values((
                price_breaks::offer_id.eq(offer),
                price_breaks::price_type_id.eq(price_type),
                price_breaks::min_quantity.eq(b.min_quantity),
                price_breaks::price_minor.eq(b.price_minor),
            ))
            .execute(conn)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(min: i64, price: i64) -> PriceBreak {
        PriceBreak { min_quantity: min, price_minor: price }
    }

    #[test]
    fn the_highest_break_reached_applies() {
        let breaks = [b(100_000, 840), b(500_000, 800)];
        assert_eq!(applying(&breaks, 99_000), None);
        assert_eq!(applying(&breaks, 100_000), Some(b(100_000, 840)));
        assert_eq!(applying(&breaks, 499_000), Some(b(100_000, 840)));
        assert_eq!(applying(&breaks, 600_000), Some(b(500_000, 800)));
    }

    #[test]
    fn bad_breaks_are_refused() {
        assert!(validate(&[b(1_000, 5), b(1_000, 4)]).is_err());
        assert!(validate(&[b(0, 5)]).is_err());
        assert!(validate(&[b(1_000, -1)]).is_err());
        assert_eq!(validate(&[b(2_000, 4), b(1_000, 5)]), Ok(vec![b(1_000, 5), b(2_000, 4)]));
    }
}
