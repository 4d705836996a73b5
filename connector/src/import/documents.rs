//! Order status documents from the ERP (`Документ`, ХозОперация "Заказ
//! товара"): its number for the order, posting (= confirmed), payment,
//! shipment, cancellation — each applied through the order state machine with
//! the ERP as the actor. Each document is its own transaction: an unknown
//! order or a move the machine forbids is a reported problem, and the other
//! documents still apply.

use std::io::BufRead;

use chrono::{NaiveDate, Utc};
use portal::db::Db;
use portal::ordering::actions::{self, Moved};
use portal::ordering::events::ActedBy;
use portal::ordering::orders::{self, Scope};
use portal::ordering::status::OrderStatus;
use portal::ordering::status_names::StatusNames;
use portal::ordering::{fulfilment, reservations};

use super::{Counts, ImportError};
use crate::commerceml::{self, Document, ErrorKind, Item};

const ERP: ActedBy = ActedBy::erp();

/// Applies every order document in `input`.
pub fn apply_documents<R: BufRead>(db: &Db, input: R) -> Result<Counts, ImportError> {
    let mut documents = Vec::new();
    commerceml::read(input, |item| {
        if let Item::Document(doc) = item {
            documents.push(doc);
        }
        Ok::<(), std::convert::Infallible>(())
    })
    .map_err(|e| {
        let place = format!("{} (at {}, byte {})", e.message, e.path, e.position);
        match e.kind {
            ErrorKind::Sink(never) => match never {},
            _ => ImportError::Read(place),
        }
    })?;
    let mut counts = Counts::default();
    for (index, doc) in documents.iter().enumerate() {
        let place = format!("Документ #{} (№ {})", index + 1, doc.number.as_deref().unwrap_or("?"));
        count(&mut counts, &place, apply_one(db, doc));
    }
    Ok(counts)
}

/// Counts one document's outcome.
pub(crate) fn count(counts: &mut Counts, place: &str, outcome: Result<bool, String>) {
    match outcome {
        Ok(true) => counts.change("documents", portal::catalog::write::Change::Updated),
        Ok(false) => counts.change("documents", portal::catalog::write::Change::Unchanged),
        Err(problem) => counts.reject("documents", format!("{place}: {problem}")),
    }
}

fn date(text: Option<&str>) -> NaiveDate {
    text.and_then(|t| NaiveDate::parse_from_str(t.get(..10).unwrap_or(t), "%Y-%m-%d").ok())
        .unwrap_or_else(|| Utc::now().date_naive())
}

/// Applies one document; `Ok(false)` when it changed nothing.
pub(crate) fn apply_one(db: &Db, doc: &Document) -> Result<bool, String> {
    let mut conn = db.conn().map_err(|e| e.to_string())?;
    let number = doc.number.as_deref().ok_or("the document has no number")?;
    let order = orders::find_by_number(&mut conn, number)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no order {number} in the portal"))?;
    let mut changed = false;
    if let Some(erp_number) = doc.number_1c() {
        changed |= actions::acknowledge(&mut conn, order.id, erp_number).map_err(|e| e.to_string())?;
    }
    let move_to = |conn: &mut portal::db::DbConn, to: OrderStatus| -> Result<bool, String> {
        let current = orders::find(conn, Scope::All, order.id).map_err(|e| e.to_string())?;
        if current.status == to {
            return Ok(false);
        }
        match actions::transition(conn, Scope::All, order.id, ERP, to, "").map_err(|e| e.to_string())? {
            Moved::Done(_) => Ok(true),
            Moved::Refused(r) => Err(format!("the order cannot move from {} to {}", r.from.as_str(), to.as_str())),
        }
    };
    // Statuses the portal does not know (an ERP's own, like "[N] Принят") are left aside.
    let names = StatusNames::load(&mut conn).map_err(|e| e.to_string())?;
    let named = doc.status().and_then(|text| names.named(text));
    if doc.cancelled() == Some(true) || doc.deletion_mark() == Some(true) || named == Some(OrderStatus::Cancelled) {
        return Ok(move_to(&mut conn, OrderStatus::Cancelled)? || changed);
    }
    if doc.posted() == Some(true) && order.status == OrderStatus::New {
        changed |= move_to(&mut conn, OrderStatus::Processing)?;
    }
    // Any other status the ERP names is a plain move (processing, reserved,
    // closed…), unless the order is already past it (the same file twice).
    if let Some(to) = named.filter(|s| !matches!(s, OrderStatus::Paid | OrderStatus::Shipped)) {
        let now = orders::find(&mut conn, Scope::All, order.id).map_err(|e| e.to_string())?;
        let past = progress(now.status).zip(progress(to)).is_some_and(|(a, b)| a >= b);
        if !past {
            changed |= move_to(&mut conn, to)?;
        }
    }
    let current = orders::find(&mut conn, Scope::All, order.id).map_err(|e| e.to_string())?;
    if (doc.paid() == Some(true) || doc.payment_number_1c().is_some() || named == Some(OrderStatus::Paid))
        && current.paid_minor < current.total_minor
    {
        let amount = portal::money::Money(current.total_minor - current.paid_minor);
        let document = doc.payment_number_1c().unwrap_or("1С");
        fulfilment::record_payment(&mut conn, Scope::All, order.id, ERP, amount, date(doc.payment_date_1c()), document)
            .map_err(|e| e.to_string())?;
        changed = true;
    }
    if doc.shipped() == Some(true) || doc.shipment_number_1c().is_some() || named == Some(OrderStatus::Shipped) {
        let lines: Vec<(i64, portal::money::Qty)> = reservations::lines_of(&mut conn, order.id)
            .map_err(|e| e.to_string())?
            .into_iter()
            .filter(|l| l.quantity > l.shipped)
            .map(|l| (l.id, portal::money::Qty(l.quantity - l.shipped)))
            .collect();
        if !lines.is_empty() {
            let number = doc.shipment_number_1c().unwrap_or("1С");
            fulfilment::record_shipment(
                &mut conn,
                Scope::All,
                order.id,
                ERP,
                number,
                date(doc.shipment_date_1c()),
                &lines,
            )
            .map_err(|e| e.to_string())?;
            changed = true;
        }
    }
    Ok(changed)
}

/// How far along the usual road a status is; None off it (cancelled…).
fn progress(status: OrderStatus) -> Option<u8> {
    OrderStatus::ALL[..7].iter().position(|s| *s == status).map(|p| p as u8)
}
