//! The order card: everything about one order on paper, for a person who
//! works from print-outs — the order's facts (company, contract, delivery,
//! dates, status), every line with what is reserved, backordered and
//! shipped, the totals, the invoices, shipments and payments, and the
//! history — worded in the reader's language, ready for
//! `invoices::pdf::render_order_card`.

use crate::db::DbConn;
use crate::error::{Error, Result};
use crate::i18n::text;
use crate::ids::OrderId;
use crate::invoices::document::InvoiceLocale;
use crate::money::{Money, Qty};
use crate::ordering::orders::{self, OrderDetail, Scope};
use crate::ordering::status_names::StatusNames;

/// The columns of the lines table, in order.
pub const COLUMNS: usize = 8;

/// An order card, every text already in the reader's language.
#[derive(Debug, Clone)]
pub struct OrderCard {
    pub locale: InvoiceLocale,
    pub title: String,
    /// Label and value pairs under the title.
    pub facts: Vec<(String, String)>,
    pub columns: [String; COLUMNS],
    /// №, SKU and name, quantity, unit, reserved, shipped, price, amount.
    pub lines: Vec<[String; COLUMNS]>,
    pub totals: Vec<(String, String)>,
    /// Invoices, shipments and payments, one line each.
    pub documents_title: String,
    pub documents: Vec<String>,
    pub history_title: String,
    /// When, and what happened.
    pub history: Vec<(String, String)>,
}

/// The card of an order the scope may see (another company's is "not
/// found"), as PDF, with the order's number.
pub fn pdf(conn: &mut DbConn, scope: Scope, order: OrderId, lang: &str) -> Result<(String, Vec<u8>)> {
    let detail = orders::detail(conn, scope, order)?;
    let names = StatusNames::load(conn)?;
    let card = build(&detail, crate::settings::timezone(conn)?, &names, lang);
    let pdf =
        crate::invoices::pdf::render_order_card(&card).map_err(|e| Error::Internal(format!("order card PDF: {e}")))?;
    Ok((detail.order.number, pdf))
}

/// Words the card of `detail` in `lang` ("ru" or "en"), times in the
/// supplier's time zone `zone` (as on the order page), statuses by `names`.
pub fn build(detail: &OrderDetail, zone: chrono_tz::Tz, names: &StatusNames, lang: &str) -> OrderCard {
    let lang = crate::i18n::locale(lang);
    let t = |key: &str| text(lang, &format!("order_card.{key}"), &[]);
    let money = |minor: i64| Money(minor).format(lang);
    let qty = |milli: i64| if milli == 0 { String::new() } else { Qty(milli).format(lang) };
    let date_time = |at: chrono::NaiveDateTime| crate::settings::local_time(zone, at);
    let order = &detail.order;
    let status = names.label(lang, order.status);
    let mut facts = vec![
        (t("company"), detail.company_name.clone()),
        (t("contract"), detail.contract_number.clone()),
        (t("placed"), date_time(order.placed_at)),
        (t("status"), status),
        (t("delivery_address"), order.delivery_address.clone()),
    ];
    let optional = [
        (t("desired_date"), order.desired_date.map(|d| d.format("%d.%m.%Y").to_string()).unwrap_or_default()),
        (t("po_number"), order.po_number.clone()),
        (t("erp_number"), order.erp_number.clone().unwrap_or_default()),
        (t("reserved_until"), order.reservation_deadline.map(date_time).unwrap_or_default()),
        (t("comment"), order.comment.clone()),
    ];
    facts.extend(optional.into_iter().filter(|(_, value)| !value.trim().is_empty()));
    let columns = ["number", "item", "quantity", "unit", "reserved", "shipped", "price", "amount"].map(t);
    let lines = detail
        .lines
        .iter()
        .map(|line| {
            [
                line.line_no.to_string(),
                format!("{} · {}", line.sku, line.name),
                qty(line.quantity),
                line.unit.clone(),
                qty(line.reserved),
                qty(line.shipped),
                money(line.price_minor),
                money(line.amount_minor),
            ]
        })
        .collect();
    let mut totals = Vec::new();
    if order.delivery_minor != 0 {
        totals.push((t("delivery"), money(order.delivery_minor)));
    }
    totals.push((t("vat"), money(order.vat_minor)));
    totals.push((t("total"), money(order.total_minor)));
    if order.paid_minor != 0 {
        totals.push((t("paid"), money(order.paid_minor)));
    }
    let mut documents: Vec<String> = detail
        .invoices
        .iter()
        .map(|i| format!("{} {} · {} · {}", t("invoice"), i.number, date_time(i.issued_at), money(i.total_minor)))
        .collect();
    documents.extend(
        detail.shipments.iter().map(|s| format!("{} {} · {}", t("shipment"), s.number, s.date.format("%d.%m.%Y"))),
    );
    documents.extend(
        detail
            .payments
            .iter()
            .map(|p| format!("{} {} · {} · {}", t("payment"), p.number, p.date.format("%d.%m.%Y"), money(p.value))),
    );
    let history = detail
        .events
        .iter()
        .map(|event| {
            let mut what = text(lang, &format!("actor.{}", event.actor.as_str()), &[]);
            if let Some(to) = event.to_status {
                what.push_str(": ");
                what.push_str(&names.label(lang, to));
            }
            if !event.comment.trim().is_empty() {
                what.push_str(" — ");
                what.push_str(event.comment.trim());
            }
            (date_time(event.at), what)
        })
        .collect();
    OrderCard {
        locale: if lang == "en" { InvoiceLocale::En } else { InvoiceLocale::Ru },
        title: text(lang, "order_card.title", &[("number", order.number.clone())]),
        facts,
        columns,
        lines,
        totals,
        documents_title: t("documents"),
        documents,
        history_title: t("history"),
        history,
    }
}
