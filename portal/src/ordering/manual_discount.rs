//! A manager's manual discount on one line of an open order: a percent of
//! the line's amount before any earlier manual discount (a new one replaces
//! it), by someone granted the right, up to their own limit if the
//! administrator set one, else the setting's limit for managers
//! (administrators have none). The line's price, the order's totals and prepayment, and an
//! issued invoice follow; the order history records who gave what.

use chrono::Utc;
use diesel::prelude::*;
use serde_json::json;

use super::events::{record, ActedBy, EventKind};
use super::orders::{find, Order, Scope};
use super::reservations::lines_of;
use crate::accounts::{Granted, Right, Role};
use crate::db::schema::{order_lines, orders};
use crate::db::{write_transaction, DbConn};
use crate::error::{Error, Result};
use crate::ids::OrderId;
use crate::money::{percent_from_bp, Money, QTY_SCALE};
use crate::pricing::{Adjustment, AdjustmentSource};
use crate::settings;

/// Gives `percent_bp` off line `line_id` of the order (0 removes a manual
/// discount). Refused: over the giver's limit (`Forbidden`), a closed order
/// or a line already shipped (`Conflict`).
#[tracing::instrument(skip_all, fields(order = %order_id, line = line_id))]
pub fn give(
    conn: &mut DbConn,
    scope: Scope,
    order_id: OrderId,
    line_id: i64,
    percent_bp: i64,
    granted: &Granted,
) -> Result<Order> {
    debug_assert_eq!(granted.right(), Right::ManualDiscounts);
    let by = ActedBy::granted(granted);
    if !(0..=10_000).contains(&percent_bp) {
        return Err(Error::Invalid("a discount is between 0 and 100 %".into()));
    }
    write_transaction(conn, |conn| {
        let limit = match (granted.discount_limit_bp(), granted.role()) {
            (Some(own), _) => i64::from(own),
            (None, Role::Admin) => 10_000,
            (None, _) => settings::manual_discount_limit_bp(conn)?,
        };
        if percent_bp > limit {
            return Err(Error::Forbidden);
        }
        let order = find(conn, scope, order_id)?;
        if !super::lifecycle::is_open(order.status) {
            return Err(Error::Conflict(format!("order {} is no longer open", order.number)));
        }
        let lines = lines_of(conn, order.id)?;
        let line = lines.iter().find(|l| l.id == line_id).ok_or(Error::NotFound)?;
        if line.shipped > 0 {
            return Err(Error::Conflict(format!("line {} has already been shipped", line.line_no)));
        }
        let mut adjustments = line.price_adjustments();
        let earlier: i64 =
            adjustments.iter().filter(|a| a.source == AdjustmentSource::Manual).map(|a| a.amount_minor).sum();
        adjustments.retain(|a| a.source != AdjustmentSource::Manual);
        let base = line.amount_minor - earlier;
        let off = Money(base).mul_ratio(percent_bp, 10_000).minor();
        if off > 0 {
            adjustments.push(Adjustment {
                source: AdjustmentSource::Manual,
                value: percent_bp,
                amount_minor: -off,
                name: None,
            });
        }
        let amount = Money(base - off);
        let rate = i64::from(line.vat_rate.unwrap_or(0));
        let vat = if rate == 0 { Money(0) } else { amount.mul_ratio(rate, 100 + rate) };
        let price = if line.quantity > 0 { amount.mul_ratio(QTY_SCALE, line.quantity) } else { amount };
        diesel::update(order_lines::table.find(line.id))
            .set((
                order_lines::price_minor.eq(price.minor()),
                order_lines::amount_minor.eq(amount.minor()),
                order_lines::vat_minor.eq(vat.minor()),
                order_lines::adjustments.eq(serde_json::to_string(&adjustments).unwrap_or_else(|_| "[]".into())),
            ))
            .execute(conn)?;
        let goods: i64 = lines.iter().map(|l| if l.id == line.id { amount.minor() } else { l.amount_minor }).sum();
        let goods_vat: i64 = lines.iter().map(|l| if l.id == line.id { vat.minor() } else { l.vat_minor }).sum();
        let total = goods + order.delivery_minor;
        let prepayment = match order.payment_method_id {
            Some(id) => Money(total).mul_ratio(i64::from(crate::terms::payment::find(conn, id)?.prepayment_bp), 10_000),
            None => Money(0),
        };
        diesel::update(orders::table.find(order.id))
            .set((
                orders::total_minor.eq(total),
                orders::vat_minor.eq(goods_vat + order.delivery_vat_minor),
                orders::prepayment_minor.eq(prepayment.minor()),
                orders::updated_at.eq(Utc::now().naive_utc()),
            ))
            .execute(conn)?;
        let details = json!({
            "line_id": line.id,
            "sku": line.sku,
            "percent": percent_from_bp(percent_bp as i32),
            "limit_percent": percent_from_bp(limit as i32),
            "before_minor": line.amount_minor,
            "after_minor": amount.minor(),
        });
        record(conn, order.id, by, EventKind::ManualDiscount, (None, None), "", details)?;
        crate::invoices::issue::reissue(conn, order.id)?;
        find(conn, scope, order_id)
    })
}
