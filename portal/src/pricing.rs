//! Contract prices: which price type a user sees, the contract discount, and
//! VAT. One place computes a buyer's price so the catalog, the cart and the
//! invoice can never disagree.

use diesel::prelude::*;
use serde::Serialize;

use crate::accounts::{Contract, Role, User};
use crate::catalog::PriceType;
use crate::db::schema::price_types;
use crate::db::DbConn;
use crate::error::{Error, Result};
use crate::money::Money;

/// The terms prices are computed on for one user.
#[derive(Debug, Clone, Serialize)]
pub struct PriceContext {
    pub price_type_id: i64,
    pub price_type_name: String,
    /// Whether the price type's prices already include VAT.
    pub vat_included: bool,
    /// Contract discount in basis points.
    pub discount_bp: i32,
    pub contract_id: Option<i64>,
    pub contract_number: Option<String>,
}

/// A line's amount and VAT for a unit price and a quantity in thousandths,
/// rounded half up to the kopeck.
pub fn line_amount(unit: UnitPrice, quantity_milli: i64) -> (Money, Money) {
    let amount = unit.gross.mul_ratio(quantity_milli, crate::money::QTY_SCALE);
    let rate = i64::from(unit.vat_rate.unwrap_or(0));
    let vat = if rate == 0 { Money(0) } else { amount.mul_ratio(rate, 100 + rate) };
    (amount, vat)
}

/// A unit price as the buyer pays it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct UnitPrice {
    /// The price including VAT (what goes on the invoice line).
    pub gross: Money,
    /// The VAT part of `gross`.
    pub vat: Money,
    /// VAT rate in percent; `None` means "Без НДС".
    pub vat_rate: Option<i32>,
}

impl PriceContext {
    /// A buyer prices at their company's default contract; staff see the
    /// first (base) price type with no discount.
    pub fn for_user(conn: &mut DbConn, user: &User) -> Result<PriceContext> {
        if user.role == Role::Buyer {
            let company = user.company_id.ok_or(Error::Forbidden)?;
            let contracts = Contract::for_company(conn, company)?;
            let Some(first) = contracts.into_iter().next() else {
                return Err(Error::Invalid("your company has no active contract".into()));
            };
            let price_type = PriceType::find(conn, first.contract.price_type_id)?;
            return Ok(PriceContext {
                price_type_id: price_type.id,
                price_type_name: price_type.name,
                vat_included: price_type.vat_included,
                discount_bp: first.contract.discount_bp,
                contract_id: Some(first.contract.id),
                contract_number: Some(first.contract.number),
            });
        }
        let base = price_types::table
            .order(price_types::id)
            .select(PriceType::as_select())
            .first(conn)
            .optional()?
            .ok_or_else(|| Error::Invalid("no price types are defined yet".into()))?;
        Ok(PriceContext {
            price_type_id: base.id,
            price_type_name: base.name,
            vat_included: base.vat_included,
            discount_bp: 0,
            contract_id: None,
            contract_number: None,
        })
    }

    /// Prices under one contract of the user's company; another company's
    /// contract is "not found".
    pub fn for_contract(conn: &mut DbConn, user: &User, contract_id: i64) -> Result<PriceContext> {
        let company = user.company_id.ok_or(Error::NotFound)?;
        let view = Contract::for_company(conn, company)?
            .into_iter()
            .find(|v| v.contract.id == contract_id)
            .ok_or(Error::NotFound)?;
        let price_type = PriceType::find(conn, view.contract.price_type_id)?;
        Ok(PriceContext {
            price_type_id: price_type.id,
            price_type_name: price_type.name,
            vat_included: price_type.vat_included,
            discount_bp: view.contract.discount_bp,
            contract_id: Some(view.contract.id),
            contract_number: Some(view.contract.number),
        })
    }

    /// The buyer's unit price for a list price of this context's price type.
    pub fn unit_price(&self, list_price: Money, vat_rate: Option<i32>) -> UnitPrice {
        let discounted = list_price.mul_ratio(i64::from(10_000 - self.discount_bp), 10_000);
        let rate = i64::from(vat_rate.unwrap_or(0).max(0));
        let gross = if self.vat_included || rate == 0 { discounted } else { discounted.mul_ratio(100 + rate, 100) };
        let vat = if rate == 0 { Money(0) } else { gross.mul_ratio(rate, 100 + rate) };
        UnitPrice { gross, vat, vat_rate: vat_rate.filter(|r| *r > 0) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context(discount_bp: i32, vat_included: bool) -> PriceContext {
        PriceContext {
            price_type_id: 1,
            price_type_name: "Оптовая".into(),
            vat_included,
            discount_bp,
            contract_id: None,
            contract_number: None,
        }
    }

    #[test]
    fn discount_then_vat_included() {
        let p = context(500, true).unit_price(Money(12_000), Some(20));
        assert_eq!(p.gross, Money(11_400));
        assert_eq!(p.vat, Money(1_900));
    }

    #[test]
    fn vat_added_when_price_type_excludes_it() {
        let p = context(0, false).unit_price(Money(10_000), Some(20));
        assert_eq!(p.gross, Money(12_000));
        assert_eq!(p.vat, Money(2_000));
    }

    #[test]
    fn line_amounts_round_to_the_kopeck() {
        let unit = context(0, true).unit_price(Money(743), Some(20));
        // 7,43 × 1,5 = 11,145 → 11,15; VAT 20/120 of it = 1,858… → 1,86
        assert_eq!(line_amount(unit, 1_500), (Money(1_115), Money(186)));
        assert_eq!(line_amount(unit, 150_000), (Money(111_450), Money(18_575)));
    }

    #[test]
    fn no_vat() {
        let p = context(1000, false).unit_price(Money(999), None);
        assert_eq!(p.gross, Money(899));
        assert_eq!(p.vat, Money(0));
        assert_eq!(p.vat_rate, None);
    }
}
