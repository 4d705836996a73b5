//! The warehouse pick list of an order: what is reserved and not yet
//! shipped, split over the warehouses that hold it (the one with most stock
//! of an item first), grouped by warehouse and sorted by category and SKU
//! within it, with a box to tick per line and signature lines — worded in
//! the reader's language, ready for `invoices::pdf::render_pick_list`.
//! A document for the supplier's staff: buyers are refused.

use std::collections::HashMap;

use diesel::prelude::*;

use crate::accounts::{Role, User};
use crate::db::schema::{categories, offers, products, stock, warehouses};
use crate::db::DbConn;
use crate::error::{Error, Result};
use crate::i18n::text;
use crate::ids::{OfferId, OrderId};
use crate::invoices::document::InvoiceLocale;
use crate::money::Qty;
use crate::ordering::orders::{self, OrderDetail, Scope};

/// The columns of a warehouse's table, in order.
pub const COLUMNS: usize = 6;

/// A pick list, every text already in the reader's language.
#[derive(Debug, Clone)]
pub struct PickList {
    pub locale: InvoiceLocale,
    pub title: String,
    pub facts: Vec<(String, String)>,
    /// №, SKU and name, category, unit, to pick, picked (left blank).
    pub columns: [String; COLUMNS],
    /// Per warehouse (its name), its rows.
    pub warehouses: Vec<(String, Vec<[String; COLUMNS]>)>,
    /// "Picked by", "Checked by": each printed above a line to sign on.
    pub signatures: Vec<String>,
}

/// One unit of picking: so much of a line from one warehouse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pick {
    /// The warehouse's name; `None` when no warehouse shows the stock.
    pub warehouse: Option<String>,
    pub category: String,
    pub line_no: i32,
    pub sku: String,
    pub name: String,
    pub unit: String,
    pub quantity: i64,
}

/// The pick list of an order, as PDF with the order's number; staff only
/// (a buyer is refused), within their scope.
pub fn pdf(conn: &mut DbConn, user: &User, order: OrderId, lang: &str) -> Result<(String, Vec<u8>)> {
    if user.role == Role::Buyer {
        return Err(Error::Forbidden);
    }
    let detail = orders::detail(conn, Scope::of(user), order)?;
    let picks = picks(conn, &detail)?;
    let list = build(&detail, &picks, crate::settings::timezone(conn)?, lang);
    let pdf =
        crate::invoices::pdf::render_pick_list(&list).map_err(|e| Error::Internal(format!("pick list PDF: {e}")))?;
    Ok((detail.order.number, pdf))
}

/// What to pick from where: each line's reserved and unshipped quantity,
/// taken from the warehouses holding the item, most stock first; what no
/// warehouse shows stays unassigned. Sorted by warehouse, category, SKU.
pub fn picks(conn: &mut DbConn, detail: &OrderDetail) -> Result<Vec<Pick>> {
    let ids: Vec<OfferId> = detail.lines.iter().map(|l| l.offer_id).collect();
    let category: HashMap<OfferId, String> = offers::table
        .inner_join(products::table.left_join(categories::table))
        .filter(offers::id.eq_any(&ids))
        .select((offers::id, categories::name.nullable()))
        .load::<(OfferId, Option<String>)>(conn)?
        .into_iter()
        .map(|(offer, name)| (offer, name.unwrap_or_default()))
        .collect();
    let mut held: HashMap<OfferId, Vec<(String, i64)>> = HashMap::new();
    let rows: Vec<(OfferId, String, i64)> = stock::table
        .inner_join(warehouses::table)
        .filter(stock::offer_id.eq_any(&ids))
        .filter(stock::quantity.gt(0))
        .order((stock::offer_id, stock::quantity.desc(), warehouses::name))
        .select((stock::offer_id, warehouses::name, stock::quantity))
        .load(conn)?;
    for (offer, warehouse, quantity) in rows {
        held.entry(offer).or_default().push((warehouse, quantity));
    }
    let mut out = Vec::new();
    for line in &detail.lines {
        let mut left = (line.reserved - line.shipped).max(0);
        let pick = |warehouse: Option<String>, quantity: i64| Pick {
            warehouse,
            category: category.get(&line.offer_id).cloned().unwrap_or_default(),
            line_no: line.line_no,
            sku: line.sku.clone(),
            name: line.name.clone(),
            unit: line.unit.clone(),
            quantity,
        };
        for (warehouse, quantity) in held.get(&line.offer_id).into_iter().flatten() {
            if left == 0 {
                break;
            }
            let take = left.min(*quantity);
            out.push(pick(Some(warehouse.clone()), take));
            left -= take;
        }
        if left > 0 {
            out.push(pick(None, left));
        }
    }
    out.sort_by(|a, b| {
        (a.warehouse.is_none(), &a.warehouse, &a.category, &a.sku).cmp(&(
            b.warehouse.is_none(),
            &b.warehouse,
            &b.category,
            &b.sku,
        ))
    });
    Ok(out)
}

/// Words the pick list of `detail` in `lang`, times in the supplier's
/// time zone `zone`.
pub fn build(detail: &OrderDetail, picks: &[Pick], zone: chrono_tz::Tz, lang: &str) -> PickList {
    let lang = crate::i18n::locale(lang);
    let t = |key: &str| text(lang, &format!("pick_list.{key}"), &[]);
    let order = &detail.order;
    let mut facts = vec![
        (t("company"), detail.company_name.clone()),
        (t("placed"), crate::settings::local_time(zone, order.placed_at)),
        (t("delivery_address"), order.delivery_address.clone()),
    ];
    if let Some(date) = order.desired_date {
        facts.push((t("desired_date"), date.format("%d.%m.%Y").to_string()));
    }
    if !order.comment.trim().is_empty() {
        facts.push((t("comment"), order.comment.clone()));
    }
    let mut warehouses: Vec<(String, Vec<[String; COLUMNS]>)> = Vec::new();
    for pick in picks {
        let name = pick.warehouse.clone().unwrap_or_else(|| t("no_warehouse"));
        if warehouses.last().is_none_or(|(last, _)| *last != name) {
            warehouses.push((name, Vec::new()));
        }
        if let Some((_, rows)) = warehouses.last_mut() {
            rows.push([
                pick.line_no.to_string(),
                format!("{} · {}", pick.sku, pick.name),
                pick.category.clone(),
                pick.unit.clone(),
                Qty(pick.quantity).format(lang),
                String::new(),
            ]);
        }
    }
    PickList {
        locale: if lang == "en" { InvoiceLocale::En } else { InvoiceLocale::Ru },
        title: text(lang, "pick_list.title", &[("number", order.number.clone())]),
        facts,
        columns: ["number", "item", "category", "unit", "to_pick", "picked"].map(t),
        warehouses,
        signatures: vec![t("picked_by"), t("checked_by")],
    }
}
