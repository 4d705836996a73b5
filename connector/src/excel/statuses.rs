//! Order-status sheets: one row per order — its number, and any of status,
//! paid, shipped and the ERP's own number. Each row becomes the same status
//! document a CommerceML file would carry and goes through the same path
//! (`import::documents`): the state machine with the ERP as actor, one
//! transaction per order, an unknown order or a forbidden move reported with
//! its row while the other rows still apply.

use portal::db::Db;
use portal::ordering::status_names::StatusNames;
use portal::ordering::upload::Sheet;

use super::{header_row, normalize};
use crate::commerceml::Document;
use crate::import::{documents, Counts};

const NUMBER: [&str; 5] = ["номер заказа", "заказ", "order", "order number", "order no"];
const STATUS: [&str; 3] = ["статус", "статус заказа", "status"];
const PAID: [&str; 4] = ["оплачен", "оплата", "paid", "оплачено"];
const SHIPPED: [&str; 4] = ["отгружен", "отгрузка", "shipped", "отгружено"];
const ERP_NUMBER: [&str; 4] = ["номер по 1с", "номер в 1с", "номер 1с", "erp number"];

/// Where a status sheet's columns are.
pub struct Columns {
    pub header: usize,
    pub number: usize,
    pub status: Option<usize>,
    pub paid: Option<usize>,
    pub shipped: Option<usize>,
    pub erp_number: Option<usize>,
}

/// The status sheet's columns; None when the sheet is not a status sheet
/// (no order number column, or nothing to say about the orders).
pub fn columns(sheet: &Sheet) -> Option<Columns> {
    let (header, cells) = header_row(sheet, &NUMBER)?;
    let find = |names: &[&str]| cells.iter().position(|c| names.contains(&c.as_str()));
    let columns = Columns {
        header,
        number: find(&NUMBER)?,
        status: find(&STATUS),
        paid: find(&PAID),
        shipped: find(&SHIPPED),
        erp_number: find(&ERP_NUMBER),
    };
    let says_something =
        [columns.status, columns.paid, columns.shipped, columns.erp_number].iter().any(Option::is_some);
    says_something.then_some(columns)
}

/// Yes-like cell texts.
fn yes(text: &str) -> Option<bool> {
    match normalize(text).as_str() {
        "" => None,
        "да" | "yes" | "true" | "1" | "+" | "x" | "оплачен" | "отгружен" => Some(true),
        _ => Some(false),
    }
}

/// Applies every row of a status sheet.
pub fn apply(db: &Db, sheet: &Sheet) -> Counts {
    let mut counts = Counts::default();
    let Some(Columns { header, number, status, paid, shipped, erp_number }) = columns(sheet) else {
        counts.reject("documents", "not an order-status sheet".to_string());
        return counts;
    };
    let names = match db
        .conn()
        .map_err(|e| e.to_string())
        .and_then(|mut c| StatusNames::load(&mut c).map_err(|e| e.to_string()))
    {
        Ok(names) => names,
        Err(error) => {
            counts.reject("documents", error);
            return counts;
        }
    };
    for row in header + 1..sheet.rows.len() {
        let order = sheet.cell(row, number);
        if order.is_empty() {
            continue;
        }
        let place = format!("row {} (order {order})", row + 1);
        let named = status.map(|c| sheet.cell(row, c)).filter(|t| !t.is_empty());
        if let Some(text) = named.filter(|t| names.named(t).is_none()) {
            counts.reject("documents", format!("{place}: unknown order status {text:?}"));
            continue;
        }
        let mut requisites = Vec::new();
        let mut say = |column: Option<usize>, name: &str, value: fn(&str) -> Option<String>| {
            if let Some(text) = column.map(|c| sheet.cell(row, c)).and_then(value) {
                requisites.push((name.to_string(), text));
            }
        };
        say(status, "Статус заказа", |t| (!t.is_empty()).then(|| t.to_string()));
        say(paid, "Оплачен", |t| yes(t).map(|b| b.to_string()));
        say(shipped, "Отгружен", |t| yes(t).map(|b| b.to_string()));
        say(erp_number, "Номер по 1С", |t| (!t.is_empty()).then(|| t.to_string()));
        let doc = Document { number: Some(order.to_string()), requisites, ..Default::default() };
        documents::count(&mut counts, &place, documents::apply_one(db, &doc));
    }
    counts
}
