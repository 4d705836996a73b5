//! Delivery methods: pickup at a warehouse, own delivery, a transport
//! company. A method's cost is a fixed part plus a part per started
//! kilogram of the order's weight, nothing from an order amount on; its
//! lead time in business days gives the earliest date; it may allow only
//! some payment methods (none listed: all).

use chrono::{Datelike, NaiveDate, Weekday};
use diesel::prelude::*;
use serde::Serialize;

use super::payment::check_names;
use crate::db::schema::{delivery_methods, delivery_payment_methods, offers, payment_methods, products};
use crate::db::stored_text::stored_text_enum;
use crate::db::{write_transaction, DbConn};
use crate::error::{Error, Result};
use crate::ids::OfferId;
use crate::money::{Money, QTY_SCALE};

stored_text_enum! {
    /// How the goods reach the buyer.
    #[derive(poem_openapi::Enum)]
    #[oai(rename_all = "snake_case")]
    pub enum DeliveryKind {
        /// The buyer collects at the supplier's warehouse.
        Pickup = "pickup",
        /// The supplier's own transport.
        Own = "own",
        /// A transport company.
        Carrier = "carrier",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Serialize)]
#[diesel(table_name = delivery_methods)]
pub struct DeliveryMethod {
    pub id: i64,
    pub code: String,
    pub kind: DeliveryKind,
    pub name_ru: String,
    pub name_en: String,
    pub fixed_minor: i64,
    pub per_kg_minor: i64,
    /// From this amount of goods (VAT included) delivery costs nothing.
    pub free_from_minor: Option<i64>,
    pub lead_days: i32,
    /// The VAT rate of the delivery service; `None`: without VAT.
    pub vat_rate: Option<i32>,
    pub active: bool,
    pub sort_order: i32,
}

impl DeliveryMethod {
    pub fn name(&self, lang: &str) -> &str {
        if lang == "en" {
            &self.name_en
        } else {
            &self.name_ru
        }
    }

    /// The cost for goods of `amount` weighing `grams`.
    pub fn cost(&self, amount: Money, grams: i64) -> Money {
        if self.free_from_minor.is_some_and(|from| amount.minor() >= from) {
            return Money(0);
        }
        let kilograms = (grams.max(0) + 999) / 1000;
        Money(self.fixed_minor + self.per_kg_minor * kilograms)
    }

    /// The VAT part of a cost.
    pub fn vat_of(&self, cost: Money) -> Money {
        match self.vat_rate.filter(|r| *r > 0) {
            Some(rate) => cost.mul_ratio(i64::from(rate), 100 + i64::from(rate)),
            None => Money(0),
        }
    }
}

/// A method with the payment methods it allows (empty: every one).
#[derive(Debug, Clone, Serialize)]
pub struct DeliveryWithPayments {
    pub method: DeliveryMethod,
    pub payment_method_ids: Vec<i64>,
}

impl DeliveryWithPayments {
    pub fn allows(&self, payment: i64) -> bool {
        self.payment_method_ids.is_empty() || self.payment_method_ids.contains(&payment)
    }
}

/// What a method would cost for a cart, and when it could arrive.
#[derive(Debug, Clone, Serialize)]
pub struct Quote {
    pub delivery: DeliveryWithPayments,
    pub cost: Money,
    pub vat: Money,
    pub weight_grams: i64,
    pub earliest: NaiveDate,
}

/// What an administrator writes for a delivery method.
#[derive(Debug, Clone)]
pub struct DeliveryInput {
    pub code: String,
    pub kind: DeliveryKind,
    pub name_ru: String,
    pub name_en: String,
    pub fixed_minor: i64,
    pub per_kg_minor: i64,
    pub free_from_minor: Option<i64>,
    pub lead_days: i32,
    pub vat_rate: Option<i32>,
    pub active: bool,
    pub sort_order: i32,
    pub payment_method_ids: Vec<i64>,
}

/// The methods (active ones unless `all`) with their payment methods, in order.
pub fn list(conn: &mut DbConn, all: bool) -> Result<Vec<DeliveryWithPayments>> {
    let mut query = delivery_methods::table.select(DeliveryMethod::as_select()).into_boxed();
    if !all {
        query = query.filter(delivery_methods::active.eq(true));
    }
    let methods: Vec<DeliveryMethod> = query.order((delivery_methods::sort_order, delivery_methods::id)).load(conn)?;
    let links: Vec<(i64, i64)> = delivery_payment_methods::table
        .inner_join(payment_methods::table)
        .filter(payment_methods::active.eq(true))
        .order(delivery_payment_methods::payment_method_id)
        .select((delivery_payment_methods::delivery_method_id, delivery_payment_methods::payment_method_id))
        .load(conn)?;
    Ok(methods
        .into_iter()
        .map(|method| DeliveryWithPayments {
            payment_method_ids: links.iter().filter(|(d, _)| *d == method.id).map(|(_, p)| *p).collect(),
            method,
        })
        .collect())
}

pub fn find(conn: &mut DbConn, id: i64) -> Result<DeliveryWithPayments> {
    list(conn, true)?.into_iter().find(|d| d.method.id == id).ok_or(Error::NotFound)
}

/// The weight of `lines` (offer, quantity in thousandths) in grams; goods
/// without a weight count as nothing.
pub fn weight_of(conn: &mut DbConn, lines: &[(OfferId, i64)]) -> Result<i64> {
    let ids: Vec<OfferId> = lines.iter().map(|(o, _)| *o).collect();
    let mut grams = 0i64;
    for chunk in ids.chunks(500) {
        let weights: Vec<(OfferId, Option<i64>)> = offers::table
            .inner_join(products::table)
            .filter(offers::id.eq_any(chunk))
            .select((offers::id, products::weight_grams))
            .load(conn)?;
        for (offer, weight) in weights {
            let quantity: i64 = lines.iter().filter(|(o, _)| *o == offer).map(|(_, q)| *q).sum();
            grams += weight.unwrap_or(0) * quantity / QTY_SCALE;
        }
    }
    Ok(grams)
}

/// `days` business days (Mon–Fri) after `from`.
pub fn add_business_days(from: NaiveDate, days: u32) -> NaiveDate {
    let mut date = from;
    let mut left = days;
    while left > 0 {
        date = date.succ_opt().unwrap_or(date);
        if !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    date
}

/// Every active method priced for goods of `amount` and `weight_grams`.
pub fn quotes(conn: &mut DbConn, amount: Money, weight_grams: i64, today: NaiveDate) -> Result<Vec<Quote>> {
    Ok(list(conn, false)?
        .into_iter()
        .map(|delivery| {
            let cost = delivery.method.cost(amount, weight_grams);
            Quote {
                vat: delivery.method.vat_of(cost),
                earliest: add_business_days(today, delivery.method.lead_days.max(0) as u32),
                cost,
                weight_grams,
                delivery,
            }
        })
        .collect())
}

fn check(conn: &mut DbConn, input: &DeliveryInput) -> Result<()> {
    check_names(&input.code, &input.name_ru, &input.name_en)?;
    if input.fixed_minor < 0 || input.per_kg_minor < 0 || input.free_from_minor.is_some_and(|f| f < 0) {
        return Err(Error::Invalid("costs cannot be negative".into()));
    }
    if !(0..=365).contains(&input.lead_days) {
        return Err(Error::Invalid("the lead time is 0 to 365 business days".into()));
    }
    if input.vat_rate.is_some_and(|r| !(0..=100).contains(&r)) {
        return Err(Error::Invalid("a VAT rate is 0 to 100 %".into()));
    }
    let known: i64 = payment_methods::table
        .filter(payment_methods::id.eq_any(&input.payment_method_ids))
        .count()
        .get_result(conn)?;
    let mut unique = input.payment_method_ids.clone();
    unique.sort();
    unique.dedup();
    if known != unique.len() as i64 {
        return Err(Error::Invalid("a listed payment method does not exist".into()));
    }
    Ok(())
}

/// Creates (id `None`) or replaces a method and its payment methods.
pub fn save(conn: &mut DbConn, id: Option<i64>, input: &DeliveryInput) -> Result<DeliveryWithPayments> {
    check(conn, input)?;
    let id = write_transaction(conn, |conn| {
        let clash: Option<i64> = delivery_methods::table
            .filter(delivery_methods::code.eq(&input.code))
            .select(delivery_methods::id)
            .first(conn)
            .optional()?;
        if clash.is_some() && clash != id {
            return Err(Error::Conflict(format!("a delivery method with code {:?} exists", input.code)));
        }
        let values = (
            delivery_methods::code.eq(&input.code),
            delivery_methods::kind.eq(input.kind),
            delivery_methods::name_ru.eq(input.name_ru.trim()),
            delivery_methods::name_en.eq(input.name_en.trim()),
            delivery_methods::fixed_minor.eq(input.fixed_minor),
            delivery_methods::per_kg_minor.eq(input.per_kg_minor),
            delivery_methods::free_from_minor.eq(input.free_from_minor),
            delivery_methods::lead_days.eq(input.lead_days),
            delivery_methods::vat_rate.eq(input.vat_rate),
            delivery_methods::active.eq(input.active),
            delivery_methods::sort_order.eq(input.sort_order),
        );
        let id = match id {
            Some(id) => match diesel::update(delivery_methods::table.find(id)).set(values).execute(conn)? {
                0 => return Err(Error::NotFound),
                _ => id,
            },
            None => diesel::insert_into(delivery_methods::table)
                .values(values)
                .returning(delivery_methods::id)
                .get_result(conn)?,
        };
        diesel::delete(delivery_payment_methods::table.filter(delivery_payment_methods::delivery_method_id.eq(id)))
            .execute(conn)?;
        let mut payments = input.payment_method_ids.clone();
        payments.sort();
        payments.dedup();
        for payment in payments {
            diesel::insert_into(delivery_payment_methods::table)
                .values((
                    delivery_payment_methods::delivery_method_id.eq(id),
                    delivery_payment_methods::payment_method_id.eq(payment),
                ))
                .execute(conn)?;
        }
        Ok(id)
    })?;
    find(conn, id)
}

/// An order's delivery as the service line the invoice and the ERP export
/// carry (1C expects delivery as a service item).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceLine {
    pub code: String,
    pub name_ru: String,
    pub name_en: String,
    pub amount_minor: i64,
    pub vat_minor: i64,
    pub vat_rate: Option<i32>,
}

impl ServiceLine {
    pub fn name(&self, lang: &str) -> &str {
        if lang == "en" {
            &self.name_en
        } else {
            &self.name_ru
        }
    }
}

/// The service line of an order's delivery; none when it cost nothing.
pub fn service_line(conn: &mut DbConn, order: &crate::ordering::orders::Order) -> Result<Option<ServiceLine>> {
    let (Some(id), true) = (order.delivery_method_id, order.delivery_minor != 0) else { return Ok(None) };
    let method: DeliveryMethod = delivery_methods::table.find(id).select(DeliveryMethod::as_select()).first(conn)?;
    Ok(Some(ServiceLine {
        code: method.code,
        name_ru: format!("Доставка: {}", method.name_ru),
        name_en: format!("Delivery: {}", method.name_en),
        amount_minor: order.delivery_minor,
        vat_minor: order.delivery_vat_minor,
        vat_rate: method.vat_rate.filter(|r| *r > 0),
    }))
}

/// Deactivates a method (orders keep referring to it).
pub fn deactivate(conn: &mut DbConn, id: i64) -> Result<()> {
    match diesel::update(delivery_methods::table.find(id)).set(delivery_methods::active.eq(false)).execute(conn)? {
        0 => Err(Error::NotFound),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn method(fixed: i64, per_kg: i64, free_from: Option<i64>) -> DeliveryMethod {
        DeliveryMethod {
            id: 1,
            code: "own".into(),
            kind: DeliveryKind::Own,
            name_ru: "Доставка".into(),
            name_en: "Delivery".into(),
            fixed_minor: fixed,
            per_kg_minor: per_kg,
            free_from_minor: free_from,
            lead_days: 2,
            vat_rate: Some(20),
            active: true,
            sort_order: 0,
        }
    }

    #[test]
    fn cost_is_fixed_plus_per_started_kilogram_and_free_from_an_amount() {
        let m = method(50_000, 1_000, Some(10_000_000));
        assert_eq!(m.cost(Money(100_000), 0), Money(50_000));
        assert_eq!(m.cost(Money(100_000), 1), Money(51_000), "a started kilogram counts");
        assert_eq!(m.cost(Money(100_000), 12_500), Money(63_000));
        assert_eq!(m.cost(Money(10_000_000), 12_500), Money(0));
        assert_eq!(m.vat_of(Money(60_000)), Money(10_000));
    }

    #[test]
    fn business_days_skip_weekends() {
        let friday = NaiveDate::from_ymd_opt(2026, 12, 4).expect("date");
        assert_eq!(add_business_days(friday, 1), NaiveDate::from_ymd_opt(2026, 12, 7).expect("date"));
        assert_eq!(add_business_days(friday, 0), friday);
    }
}
