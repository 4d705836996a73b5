//! Contract prices: which price type a user sees, the assortment they may
//! see, quantity price breaks, the contract discount, and VAT. One place
//! computes a buyer's price so the catalog, the cart and the invoice can
//! never disagree, and says where each price came from.

use std::collections::HashMap;
use std::sync::Arc;

use diesel::prelude::*;
use serde::Serialize;

use crate::accounts::{Contract, Role, User};
use crate::catalog::{prices_of, vat_rates_of, PriceType};
use crate::db::schema::price_types;
use crate::db::DbConn;
use crate::error::{Error, Result};
use crate::ids::{CompanyId, OfferId};
use crate::money::Money;
use crate::terms::assortment::Assortment;
use crate::terms::price_breaks::{self, PriceBreak};

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
    /// The buyer's company; `None` for staff.
    pub company_id: Option<CompanyId>,
    /// What the buyer may see (everything for staff).
    #[serde(skip)]
    pub assortment: Arc<Assortment>,
}

/// Where part of a line's price came from, and what it changed in the
/// line's amount (negative: cheaper than the list price).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Adjustment {
    pub source: AdjustmentSource,
    /// For a break, the quantity it starts from (thousandths); for the
    /// contract, its discount in basis points.
    pub value: i64,
    /// The change to the line's amount, VAT included.
    pub amount_minor: i64,
    /// A rule's name (in the buyer's language when priced), a promo code's
    /// rule, or who gave a manual discount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// The origin of an adjustment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, poem_openapi::Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
pub enum AdjustmentSource {
    /// A quantity price break of the price type.
    PriceBreak,
    /// The contract's discount.
    Contract,
    /// A discount rule (`value`: basis points when a percent, else 0).
    Rule,
    /// The rule of the promo code entered.
    Promo,
    /// A manager's discount on the line (`value`: basis points).
    Manual,
}

impl Adjustment {
    /// A discount taken off the line (contract, rule, promo code, manager);
    /// a price break is a price of its own, not a discount.
    pub fn is_discount(&self) -> bool {
        self.source != AdjustmentSource::PriceBreak && self.amount_minor < 0
    }

    /// "from 100 pcs", "contract −3 %" in the user's language.
    pub fn label(&self, lang: &str, unit: &str) -> String {
        match self.source {
            AdjustmentSource::PriceBreak => crate::i18n::text(
                lang,
                "pricing.adjustment_break",
                &[("from", crate::money::Qty(self.value).format(lang)), ("unit", unit.into())],
            ),
            AdjustmentSource::Contract => crate::i18n::text(
                lang,
                "pricing.adjustment_contract",
                &[("percent", crate::money::percent_from_bp(self.value as i32))],
            ),
            AdjustmentSource::Rule | AdjustmentSource::Promo | AdjustmentSource::Manual => {
                let name = match (self.source, &self.name) {
                    (AdjustmentSource::Manual, _) => crate::i18n::text(lang, "pricing.adjustment_manual", &[]),
                    (AdjustmentSource::Promo, Some(name)) => {
                        crate::i18n::text(lang, "pricing.adjustment_promo", &[("name", name.clone())])
                    }
                    (_, name) => name.clone().unwrap_or_default(),
                };
                let off = if self.value > 0 {
                    format!("{} %", crate::money::percent_from_bp(self.value as i32))
                } else {
                    Money(-self.amount_minor).format(lang)
                };
                format!("{name} −{off}")
            }
        }
    }
}

/// A line priced: the unit price paid, the amounts, the list price it
/// started from and every adjustment between the two.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinePrice {
    pub unit: UnitPrice,
    pub amount: Money,
    pub vat: Money,
    /// The price type's list price, VAT as on the invoice, before anything.
    pub list_unit: Money,
    pub adjustments: Vec<Adjustment>,
}

impl LinePrice {
    /// The line after further adjustments (discount rules, a promo code, a
    /// manager's discount): the amount moves by their sum, the unit price
    /// is the new amount per unit and VAT is taken from the new amount.
    pub fn adjusted(mut self, quantity: i64, extra: Vec<Adjustment>) -> LinePrice {
        if extra.is_empty() {
            return self;
        }
        let change: i64 = extra.iter().map(|a| a.amount_minor).sum();
        let amount = Money((self.amount.minor() + change).max(0));
        let rate = i64::from(self.unit.vat_rate.unwrap_or(0));
        let vat_of = |m: Money| if rate == 0 { Money(0) } else { m.mul_ratio(rate, 100 + rate) };
        let gross = if quantity > 0 { amount.mul_ratio(crate::money::QTY_SCALE, quantity) } else { amount };
        self.unit = UnitPrice { gross, vat: vat_of(gross), vat_rate: self.unit.vat_rate };
        self.amount = amount;
        self.vat = vat_of(amount);
        self.adjustments.extend(extra);
        self
    }

    /// "contract −3 %, volume −5 %": every adjustment's label.
    pub fn explained(adjustments: &[Adjustment], lang: &str, unit: &str) -> String {
        adjustments.iter().map(|a| a.label(lang, unit)).collect::<Vec<_>>().join(", ")
    }
}

/// What pricing needs about a set of offers at one price type, read once.
#[derive(Debug, Default)]
pub struct PriceBook {
    list: HashMap<OfferId, i64>,
    vat: HashMap<OfferId, Option<i32>>,
    breaks: HashMap<OfferId, Vec<PriceBreak>>,
}

impl PriceBook {
    /// The breaks of an offer, ascending (empty when it has none).
    pub fn breaks(&self, offer: OfferId) -> &[PriceBreak] {
        self.breaks.get(&offer).map(Vec::as_slice).unwrap_or_default()
    }

    pub fn vat_rate(&self, offer: OfferId) -> Option<i32> {
        self.vat.get(&offer).copied().flatten()
    }

    pub fn list_price(&self, offer: OfferId) -> Option<i64> {
        self.list.get(&offer).copied()
    }
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
                company_id: Some(company),
                assortment: Assortment::shared_for_company(conn, company)?,
            });
        }
        PriceContext::staff(conn)
    }

    /// Staff's view: the first (base) price type, no discount, everything.
    pub fn staff(conn: &mut DbConn) -> Result<PriceContext> {
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
            company_id: None,
            assortment: Arc::new(Assortment::everything()),
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
            company_id: Some(company),
            assortment: Assortment::shared_for_company(conn, company)?,
        })
    }

    /// Reads the list prices, VAT rates and breaks of `offers` at this
    /// context's price type.
    pub fn book(&self, conn: &mut DbConn, offers: &[OfferId]) -> Result<PriceBook> {
        Ok(PriceBook {
            list: prices_of(conn, offers, self.price_type_id)?.into_iter().collect(),
            vat: vat_rates_of(conn, offers)?,
            breaks: price_breaks::of_offers(conn, self.price_type_id, offers)?,
        })
    }

    /// Prices `quantity` (thousandths) of an offer from the book; `None`
    /// when the offer has no price of this price type.
    pub fn price_line(&self, book: &PriceBook, offer: OfferId, quantity: i64) -> Option<LinePrice> {
        let list = Money(book.list_price(offer)?);
        Some(self.price_from(list, book.breaks(offer), quantity, book.vat_rate(offer)))
    }

    /// Prices a quantity from a list price and its breaks: the break
    /// reached replaces the list price, then the contract discount, then VAT.
    pub fn price_from(&self, list: Money, breaks: &[PriceBreak], quantity: i64, vat_rate: Option<i32>) -> LinePrice {
        let plain = |price: Money| self.unit_with_discount(price, 0, vat_rate);
        let at_list = line_amount(plain(list), quantity).0;
        let mut adjustments = Vec::new();
        let mut base = list;
        let mut before_contract = at_list;
        if let Some(b) = price_breaks::applying(breaks, quantity) {
            base = Money(b.price_minor);
            before_contract = line_amount(plain(base), quantity).0;
            if before_contract != at_list {
                adjustments.push(Adjustment {
                    source: AdjustmentSource::PriceBreak,
                    value: b.min_quantity,
                    amount_minor: before_contract.minor() - at_list.minor(),
                    name: None,
                });
            }
        }
        let unit = self.unit_price(base, vat_rate);
        let (amount, vat) = line_amount(unit, quantity);
        if self.discount_bp != 0 && amount != before_contract {
            adjustments.push(Adjustment {
                source: AdjustmentSource::Contract,
                value: i64::from(self.discount_bp),
                amount_minor: amount.minor() - before_contract.minor(),
                name: None,
            });
        }
        LinePrice { unit, amount, vat, list_unit: plain(list).gross, adjustments }
    }

    /// The buyer's unit price for a list price of this context's price type.
    pub fn unit_price(&self, list_price: Money, vat_rate: Option<i32>) -> UnitPrice {
        self.unit_with_discount(list_price, self.discount_bp, vat_rate)
    }

    fn unit_with_discount(&self, list_price: Money, discount_bp: i32, vat_rate: Option<i32>) -> UnitPrice {
        let discounted = list_price.mul_ratio(i64::from(10_000 - discount_bp), 10_000);
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
            company_id: None,
            assortment: Arc::new(Assortment::everything()),
        }
    }

    #[test]
    fn a_break_replaces_the_list_price_and_the_contract_discount_follows() {
        let breaks = [PriceBreak { min_quantity: 100_000, price_minor: 840 }];
        let ctx = context(300, true);
        let below = ctx.price_from(Money(900), &breaks, 99_000, Some(20));
        assert_eq!(below.unit.gross, Money(873));
        assert_eq!(below.adjustments.len(), 1);
        assert_eq!(below.adjustments[0].source, AdjustmentSource::Contract);
        let above = ctx.price_from(Money(900), &breaks, 100_000, Some(20));
        assert_eq!(above.unit.gross, Money(815));
        assert_eq!(above.list_unit, Money(900));
        let sources: Vec<_> = above.adjustments.iter().map(|a| a.source).collect();
        assert_eq!(sources, [AdjustmentSource::PriceBreak, AdjustmentSource::Contract]);
        // 900 × 100 = 90,000 → 840 × 100 = 84,000 → 815 × 100 = 81,500
        assert_eq!(above.adjustments[0].amount_minor, -6_000);
        assert_eq!(above.adjustments[1].amount_minor, -2_500);
        assert_eq!(above.amount, Money(81_500));
        let sum: i64 = above.adjustments.iter().map(|a| a.amount_minor).sum();
        assert_eq!(Money(90_000 + sum), above.amount, "the adjustments explain the whole difference");
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
