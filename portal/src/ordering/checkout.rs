//! Placing an order from a cart, in one write transaction: price every line
//! at the contract price, compute totals and VAT exactly, reserve what stock
//! allows (the rest is backordered), set the reservation deadline, number the
//! order, record its first event, issue the invoice and queue notifications.
//! Two buyers racing for the last units never both get them: reserving is a
//! conditional update that only succeeds while enough stock is free.

use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeZone, Utc, Weekday};
use diesel::prelude::*;
use serde::Serialize;

use super::carts::{self, Cart, CartLine};
use super::events::{self, ActedBy, EventKind};
use super::offer_facts;
use super::reservations::reserve;
use super::rules::{evaluate, OfferFacts, Requested};
use super::status::{OrderStatus, SyncState};
use crate::accounts::{Company, CompanyId, Contract, Role, User, UserId};
use crate::counters;
use crate::db::schema::{order_lines, orders};
use crate::db::{write_transaction, DbConn};
use crate::error::{Error, Result};
use crate::i18n;
use crate::ids::{CartId, OfferId, OrderId};
use crate::money::{Money, Qty};
use crate::notifications::{notify, NotificationKind};
use crate::pricing::{LinePrice, PriceContext};
use crate::settings;
use crate::terms::cart_discounts::{self, PricedQuantity, PromoCheck};
use crate::terms::delivery::{self, DeliveryWithPayments};
use crate::terms::payment::{self, PaymentMethod};
use crate::terms::promo::PromoCode;

/// What the buyer fills in at checkout.
#[derive(Debug, Clone, Default)]
pub struct CheckoutRequest {
    pub contract_id: Option<i64>,
    pub delivery_address: String,
    pub desired_date: Option<NaiveDate>,
    pub po_number: String,
    pub comment: String,
    /// The delivery method; the first that applies when absent.
    pub delivery_method_id: Option<i64>,
    /// The payment method; the first the delivery method allows when absent.
    pub payment_method_id: Option<i64>,
    /// A promo code; the one entered on the cart when absent.
    pub promo_code: Option<String>,
}

impl CheckoutRequest {
    /// The request with control characters in its free text replaced.
    pub fn cleaned(&self) -> CheckoutRequest {
        use crate::text::clean_free_text;
        CheckoutRequest {
            contract_id: self.contract_id,
            delivery_address: clean_free_text(&self.delivery_address),
            desired_date: self.desired_date,
            po_number: clean_free_text(&self.po_number),
            comment: clean_free_text(&self.comment),
            delivery_method_id: self.delivery_method_id,
            payment_method_id: self.payment_method_id,
            promo_code: self.promo_code.as_deref().map(str::trim).filter(|c| !c.is_empty()).map(str::to_string),
        }
    }
}

/// The placed order's key facts.
#[derive(Debug, Clone, Serialize)]
pub struct PlacedOrder {
    pub id: OrderId,
    pub number: String,
    /// `new`, or `awaiting_approval` when the order waits for the manager
    /// (over the credit limit under the `approval` policy).
    pub status: OrderStatus,
    pub total: Money,
    pub vat: Money,
    /// Until when the goods are reserved (none while awaiting approval).
    pub reservation_deadline: Option<NaiveDateTime>,
    /// The invoice issued (none while awaiting approval).
    pub invoice_number: Option<i64>,
    /// Why the order waits for approval, in the buyer's language.
    pub credit_hold: Option<String>,
}

const MAX_TEXT: usize = 1000;

pub fn place_order(conn: &mut DbConn, user: &User, cart_id: CartId, request: &CheckoutRequest) -> Result<PlacedOrder> {
    place_order_as(conn, user, cart_id, request, ActedBy::user(user))
}

/// Places `user`'s cart as an order, recording `by` as who placed it (the
/// buyer, or a manager ordering on the buyer's behalf).
#[tracing::instrument(skip_all, fields(user = %user.id, cart = %cart_id))]
pub fn place_order_as(
    conn: &mut DbConn,
    user: &User,
    cart_id: CartId,
    request: &CheckoutRequest,
    by: ActedBy,
) -> Result<PlacedOrder> {
    let request = &request.cleaned();
    let lang = user.locale.as_str();
    let company_id = match (user.role, user.company_id) {
        (Role::Buyer, Some(company)) => company,
        _ => return Err(Error::Forbidden),
    };
    check_request(request, lang)?;
    write_transaction(conn, |conn| {
        let cart: Cart = carts::find(conn, user, cart_id)?;
        let lines = carts::lines(conn, cart.id)?;
        if lines.is_empty() {
            return Err(Error::Invalid(i18n::text(lang, "checkout.empty", &[])));
        }
        let terms = Terms::choose(conn, user, company_id, request.contract_id, lang)?;
        let now = Utc::now().naive_utc();
        let promo_code = request.promo_code.as_deref().or(cart.promo_code.as_deref());
        let (priced, promo) = price_lines(conn, &lines, &terms.pricing, (promo_code, now), lang)?;
        let shipping = Shipping::choose(conn, request, &priced, now, lang)?;
        let total = Money(order_total(&priced).minor() + shipping.cost.minor());
        let prepayment = shipping.prepayment(total);
        let hold = credit_hold(conn, &terms.contract, Money(total.minor() - prepayment.minor()), now, lang)?;
        let (status, deadline) = match hold {
            None => (OrderStatus::New, Some(reservation_deadline(conn, now)?)),
            Some(_) => (OrderStatus::AwaitingApproval, None),
        };
        let sequence = counters::next(conn, "order")?;
        let number = format!("{}-{sequence:06}", now.year());
        let order_id = insert_order(conn, user, &terms, request, (&number, status, deadline), now)?;
        shipping.record(conn, order_id, prepayment)?;
        if let Some(promo) = &promo {
            crate::terms::promo::redeem(conn, promo, company_id, order_id, lang)?;
            diesel::update(orders::table.find(order_id)).set(orders::promo_code.eq(&promo.code)).execute(conn)?;
        }
        let placed = insert_lines(conn, order_id, &priced, (shipping.cost, shipping.vat), hold.is_none())?;
        let details = serde_json::json!({
            "lines": priced.len(),
            "total_minor": placed.total.minor(),
            "reserved": placed.reserved,
            "reservation_deadline": deadline,
            "credit_hold": hold,
            "promo_code": promo.as_ref().map(|p| p.code.clone()),
        });
        events::record(conn, order_id, by, EventKind::Placed, (None, Some(status)), &request.comment, details)?;
        let invoice_number = match &hold {
            None => Some(crate::invoices::issue::issue_for_order(conn, order_id)?),
            Some(_) => None,
        };
        let company = Company::find(conn, company_id)?;
        let (kind, last) = match &hold {
            None => (NotificationKind::OrderPlaced, ("deadline", deadline.map(|d| d.format("%d.%m.%Y").to_string()))),
            Some(reason) => (NotificationKind::AwaitingApproval, ("reason", Some(reason.clone()))),
        };
        let args = [
            ("number", number.clone()),
            ("total", placed.total.format(lang)),
            ("company", company.name),
            (last.0, last.1.unwrap_or_default()),
        ];
        notify(conn, user.id, Some(order_id), kind, &args)?;
        if let Some(manager) = terms.manager.filter(|m| by.user != Some(*m)) {
            notify(conn, manager, Some(order_id), kind, &args)?;
        }
        carts::clear(conn, cart.id)?;
        let (total, vat) = (placed.total, placed.vat);
        Ok(PlacedOrder {
            id: order_id,
            number,
            status,
            total,
            vat,
            reservation_deadline: deadline,
            invoice_number,
            credit_hold: hold,
        })
    })
}

/// How the order travels and is paid: the delivery method with its cost
/// and VAT (none when the supplier defines no methods) and the payment method.
struct Shipping {
    delivery: Option<DeliveryWithPayments>,
    payment: Option<PaymentMethod>,
    cost: Money,
    vat: Money,
}

impl Shipping {
    /// The methods asked for (or the first that apply), checked: an
    /// unknown or inactive method, a payment method the delivery method
    /// does not allow, or a desired date before the earliest are refused.
    fn choose(
        conn: &mut DbConn,
        request: &CheckoutRequest,
        priced: &[PricedLine],
        now: NaiveDateTime,
        lang: &str,
    ) -> Result<Shipping> {
        let goods = order_total(priced);
        let today = settings::timezone(conn)?.from_utc_datetime(&now).date_naive();
        let lines: Vec<(OfferId, i64)> = priced.iter().map(|p| (p.fact.offer_id, p.quantity)).collect();
        let weight = delivery::weight_of(conn, &lines)?;
        let quotes = delivery::quotes(conn, goods, weight, today)?;
        let quote = match request.delivery_method_id {
            Some(id) => Some(
                quotes
                    .into_iter()
                    .find(|q| q.delivery.method.id == id)
                    .ok_or_else(|| Error::Invalid(i18n::text(lang, "checkout.unknown_delivery", &[])))?,
            ),
            None => quotes.into_iter().next(),
        };
        let payments = payment::list(conn, false)?;
        let payment = match request.payment_method_id {
            Some(id) => Some(
                payments
                    .into_iter()
                    .find(|p| p.id == id)
                    .ok_or_else(|| Error::Invalid(i18n::text(lang, "checkout.unknown_payment", &[])))?,
            ),
            None => payments.into_iter().find(|p| quote.as_ref().is_none_or(|q| q.delivery.allows(p.id))),
        };
        if let (Some(q), Some(p)) = (&quote, &payment) {
            if !q.delivery.allows(p.id) {
                let args =
                    [("payment", p.name(lang).to_string()), ("delivery", q.delivery.method.name(lang).to_string())];
                return Err(Error::Invalid(i18n::text(lang, "checkout.payment_not_allowed", &args)));
            }
            if request.desired_date.is_some_and(|d| d < q.earliest) {
                let args = [("date", q.earliest.format("%d.%m.%Y").to_string())];
                return Err(Error::Invalid(i18n::text(lang, "checkout.before_earliest", &args)));
            }
        }
        Ok(match quote {
            Some(q) => Shipping { cost: q.cost, vat: q.vat, delivery: Some(q.delivery), payment },
            None => Shipping { delivery: None, payment, cost: Money(0), vat: Money(0) },
        })
    }

    /// The part of `total` the payment method asks in advance.
    fn prepayment(&self, total: Money) -> Money {
        self.payment.as_ref().map_or(Money(0), |p| total.mul_ratio(i64::from(p.prepayment_bp), 10_000))
    }

    fn record(&self, conn: &mut DbConn, order: OrderId, prepayment: Money) -> Result<()> {
        diesel::update(orders::table.find(order))
            .set((
                orders::delivery_method_id.eq(self.delivery.as_ref().map(|d| d.method.id)),
                orders::payment_method_id.eq(self.payment.as_ref().map(|p| p.id)),
                orders::delivery_minor.eq(self.cost.minor()),
                orders::delivery_vat_minor.eq(self.vat.minor()),
                orders::prepayment_minor.eq(prepayment.minor()),
            ))
            .execute(conn)?;
        Ok(())
    }
}

/// The order's total as its lines will be written.
fn order_total(priced: &[PricedLine]) -> Money {
    Money(priced.iter().map(|p| p.price.amount.minor()).sum())
}

/// The credit check: `Err` when the supplier refuses an order that does not
/// fit the contract's credit, `Some(reason)` when it waits for the
/// manager's approval, `None` when it goes ahead.
fn credit_hold(
    conn: &mut DbConn,
    contract: &Contract,
    total: Money,
    now: NaiveDateTime,
    lang: &str,
) -> Result<Option<String>> {
    use crate::finance::credit::{check, Policy, Verdict};
    let today = settings::timezone(conn)?.from_utc_datetime(&now).date_naive();
    match check(conn, contract, total, today)? {
        Verdict::Held(hold, Policy::Refuse) => Err(Error::Invalid(hold.message(lang))),
        Verdict::Held(hold, Policy::Approval) => Ok(Some(hold.message(lang))),
        Verdict::Prepayment | Verdict::Fits => Ok(None),
    }
}

/// Refuses a request with no address, overlong text or a desired date in the past.
fn check_request(request: &CheckoutRequest, lang: &str) -> Result<()> {
    let address = request.delivery_address.trim();
    if address.is_empty() {
        return Err(Error::Invalid(i18n::text(lang, "checkout.need_address", &[])));
    }
    if [address, request.po_number.as_str(), request.comment.as_str()].iter().any(|t| t.chars().count() > MAX_TEXT) {
        return Err(Error::Invalid(i18n::text(lang, "checkout.too_long", &[])));
    }
    if request.desired_date.is_some_and(|date| date < Utc::now().date_naive()) {
        return Err(Error::Invalid(i18n::text(lang, "checkout.date_past", &[])));
    }
    Ok(())
}

/// The contract an order is placed under: the one asked for, or the
/// company's first; its prices and its manager.
struct Terms {
    company_id: CompanyId,
    contract: Contract,
    pricing: PriceContext,
    manager: Option<UserId>,
}

impl Terms {
    fn choose(conn: &mut DbConn, user: &User, company_id: CompanyId, asked: Option<i64>, lang: &str) -> Result<Terms> {
        let contracts = Contract::for_company(conn, company_id)?;
        let contract_id = match asked {
            Some(id) => id,
            None => contracts
                .first()
                .map(|v| v.contract.id)
                .ok_or_else(|| Error::Invalid(i18n::text(lang, "checkout.no_contract", &[])))?,
        };
        let pricing = PriceContext::for_contract(conn, user, contract_id)?;
        let contract = contracts
            .into_iter()
            .map(|v| v.contract)
            .find(|c| c.id == contract_id)
            .ok_or_else(|| Error::Invalid(i18n::text(lang, "checkout.no_contract", &[])))?;
        let manager = contract.manager_id.map(UserId);
        Ok(Terms { company_id, contract, pricing, manager })
    }
}

/// A cart line priced and judged for the order.
struct PricedLine {
    fact: OfferFacts,
    quantity: i64,
    price: LinePrice,
}

/// Prices and judges every line first: the order is refused if any line
/// cannot be sold (unavailable, no price) or the promo code is not valid.
/// Then the discount rules and the promo code: their adjustments on the
/// lines, their gifts as free lines. Returns the lines and the promo code
/// to count a use of (when its rule gave something).
fn price_lines(
    conn: &mut DbConn,
    lines: &[CartLine],
    pricing: &PriceContext,
    (promo_code, now): (Option<&str>, NaiveDateTime),
    lang: &str,
) -> Result<(Vec<PricedLine>, Option<PromoCode>)> {
    let offer_ids: Vec<OfferId> = lines.iter().map(|l| l.offer_id).collect();
    let facts = offer_facts::by_ids(conn, &offer_ids, &pricing.assortment)?;
    let book = pricing.book(conn, &offer_ids)?;
    let mut priced = Vec::with_capacity(lines.len());
    for line in lines {
        let fact = facts.get(&line.offer_id);
        let verdict = evaluate(Requested::Quantity(Qty(line.quantity)), fact);
        let (Some(fact), Some(quantity)) = (fact, verdict.quantity) else {
            let sku = fact.map(|f| f.sku.clone()).unwrap_or_default();
            return Err(Error::Conflict(i18n::text(lang, "checkout.line_unavailable", &[("sku", sku)])));
        };
        let Some(price) = pricing.price_line(&book, line.offer_id, quantity.milli()) else {
            return Err(Error::Conflict(i18n::text(lang, "checkout.no_price", &[("sku", fact.sku.clone())])));
        };
        priced.push(PricedLine { fact: fact.clone(), quantity: quantity.milli(), price });
    }
    let amounts: Vec<PricedQuantity> = priced
        .iter()
        .map(|p| PricedQuantity { offer_id: p.fact.offer_id, quantity: p.quantity, amount: p.price.amount.minor() })
        .collect();
    let discounts = cart_discounts::for_cart(conn, pricing, &amounts, promo_code, now, lang)?;
    let promo = match discounts.promo.clone() {
        Some(PromoCheck { valid: None, message, .. }) => return Err(Error::Invalid(message)),
        Some(PromoCheck { valid: Some(stored), applied: true, .. }) => Some(stored),
        _ => None,
    };
    for (index, line) in priced.iter_mut().enumerate() {
        let extra = discounts.of_line(index);
        if !extra.is_empty() {
            line.price = line.price.clone().adjusted(line.quantity, extra);
        }
    }
    for gift in cart_discounts::gift_lines(conn, pricing, &discounts.outcome.gifts)? {
        priced.push(PricedLine { fact: gift.fact, quantity: gift.gift.quantity, price: gift.price });
    }
    Ok((priced, promo))
}

/// Inserts the order's row (totals follow with its lines); returns its id.
fn insert_order(
    conn: &mut DbConn,
    user: &User,
    terms: &Terms,
    request: &CheckoutRequest,
    (number, status, deadline): (&str, OrderStatus, Option<NaiveDateTime>),
    now: NaiveDateTime,
) -> Result<OrderId> {
    Ok(diesel::insert_into(orders::table)
        .values((
            orders::number.eq(number),
            orders::company_id.eq(terms.company_id.0),
            orders::user_id.eq(user.id.0),
            orders::contract_id.eq(terms.contract.id),
            orders::manager_id.eq(terms.manager),
            orders::status.eq(status),
            orders::delivery_address.eq(request.delivery_address.trim()),
            orders::desired_date.eq(request.desired_date),
            orders::po_number.eq(request.po_number.trim()),
            orders::comment.eq(request.comment.trim()),
            orders::currency.eq("RUB"),
            orders::total_minor.eq(0),
            orders::vat_minor.eq(0),
            orders::reservation_deadline.eq(deadline),
            orders::placed_at.eq(now),
            orders::updated_at.eq(now),
            orders::sync_state.eq(SyncState::Pending),
            orders::locale.eq(&user.locale),
        ))
        .returning(orders::id)
        .get_result(conn)?)
}

/// What inserting the lines came to.
struct PlacedLines {
    total: Money,
    vat: Money,
    /// Reserved quantity per line, in line order.
    reserved: Vec<i64>,
}

/// Reserves what stock allows for each line (the rest is backordered;
/// nothing is reserved for an order awaiting approval), inserts the lines
/// and sets the order's totals.
fn insert_lines(
    conn: &mut DbConn,
    order_id: OrderId,
    priced: &[PricedLine],
    (delivery, delivery_vat): (Money, Money),
    reserving: bool,
) -> Result<PlacedLines> {
    let mut placed = PlacedLines { total: delivery, vat: delivery_vat, reserved: Vec::with_capacity(priced.len()) };
    for (index, PricedLine { fact, quantity, price }) in priced.iter().enumerate() {
        let reserved = if reserving { reserve(conn, fact.offer_id, *quantity)? } else { 0 };
        let (unit, amount, line_vat) = (price.unit, price.amount, price.vat);
        placed.total = Money(placed.total.minor() + amount.minor());
        placed.vat = Money(placed.vat.minor() + line_vat.minor());
        placed.reserved.push(reserved);
        diesel::insert_into(order_lines::table)
            .values((
                order_lines::order_id.eq(order_id),
                order_lines::line_no.eq(index as i32 + 1),
                order_lines::offer_id.eq(fact.offer_id),
                order_lines::sku.eq(&fact.sku),
                order_lines::name.eq(&fact.name),
                order_lines::unit.eq(&fact.unit),
                order_lines::quantity.eq(quantity),
                order_lines::reserved.eq(reserved),
                order_lines::held.eq(reserved),
                order_lines::backordered.eq(quantity - reserved),
                order_lines::shipped.eq(0),
                order_lines::price_minor.eq(unit.gross.minor()),
                order_lines::vat_rate.eq(unit.vat_rate),
                order_lines::amount_minor.eq(amount.minor()),
                order_lines::vat_minor.eq(line_vat.minor()),
                order_lines::adjustments.eq(serde_json::to_string(&price.adjustments).unwrap_or_else(|_| "[]".into())),
            ))
            .execute(conn)?;
    }
    diesel::update(orders::table.find(order_id))
        .set((orders::total_minor.eq(placed.total.minor()), orders::vat_minor.eq(placed.vat.minor())))
        .execute(conn)?;
    Ok(placed)
}

/// The end of the N-th business day (Mon–Fri) after `now`, in the supplier's
/// time zone, as UTC.
pub fn reservation_deadline(conn: &mut DbConn, now: NaiveDateTime) -> Result<NaiveDateTime> {
    let days = settings::get(conn, settings::RESERVATION_DAYS)?.and_then(|v| v.parse::<u32>().ok()).unwrap_or(3);
    let zone: chrono_tz::Tz =
        settings::get(conn, settings::TIMEZONE)?.and_then(|v| v.parse().ok()).unwrap_or(chrono_tz::Europe::Moscow);
    let local_today = zone.from_utc_datetime(&now).date_naive();
    Ok(end_of_business_days(local_today, days, zone))
}

pub fn end_of_business_days(from: NaiveDate, days: u32, zone: chrono_tz::Tz) -> NaiveDateTime {
    let mut date = from;
    let mut left = days;
    while left > 0 {
        date = date.succ_opt().unwrap_or(date);
        if !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    let end = date.and_hms_opt(23, 59, 59).unwrap_or_default();
    zone.from_local_datetime(&end).earliest().map(|t| t.naive_utc()).unwrap_or(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn business_days_skip_weekends() {
        let thursday = NaiveDate::from_ymd_opt(2026, 11, 26).expect("date");
        let deadline = end_of_business_days(thursday, 3, chrono_tz::Europe::Moscow);
        // Fri, Mon, Tue → Tuesday 1 December 23:59:59 MSK = 20:59:59 UTC.
        assert_eq!(deadline.to_string(), "2026-12-01 20:59:59");
    }
}
