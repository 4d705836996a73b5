//! Each report laid out as a `Table` in the reader's language, for its
//! spreadsheet (and the page's table beside each chart).

use super::lapsed::Lapsed;
use super::sales::{CategoryBuyer, GroupBy, SalesReport, TopProduct};
use super::xlsx::{Cell, Table};
use crate::i18n::text;
use crate::money::Qty;

fn t(lang: &str, key: &str) -> String {
    text(lang, &format!("reports.{key}"), &[])
}

fn period(lang: &str, report: &SalesReport) -> String {
    let day = |d: chrono::NaiveDate| d.format("%d.%m.%Y").to_string();
    text(lang, "reports.period", &[("from", day(report.period.from)), ("to", day(report.period.to))])
}

pub fn sales(report: &SalesReport, lang: &str) -> Table {
    let by = match report.group_by {
        GroupBy::Customer => "by_customer",
        GroupBy::Category => "by_category",
        GroupBy::Manager => "by_manager",
        GroupBy::Month => "by_month",
    };
    Table {
        title: format!("{} · {}", t(lang, by), period(lang, report)),
        headers: vec![t(lang, &format!("{by}_column")), t(lang, "orders"), t(lang, "amount")],
        rows: report
            .rows
            .iter()
            .map(|r| vec![Cell::Text(r.label.clone()), Cell::Count(r.orders), Cell::Money(r.amount_minor)])
            .collect(),
        total: Some(vec![Cell::Text(t(lang, "total")), Cell::Count(report.orders), Cell::Money(report.total_minor)]),
    }
}

pub fn top_products(rows: &[TopProduct], title: String, lang: &str) -> Table {
    Table {
        title,
        headers: vec![t(lang, "sku"), t(lang, "product"), t(lang, "quantity"), t(lang, "amount")],
        rows: rows
            .iter()
            .map(|p| {
                vec![
                    Cell::Text(p.sku.clone()),
                    Cell::Text(p.name.clone()),
                    Cell::Text(Qty(p.quantity).plain()),
                    Cell::Money(p.amount_minor),
                ]
            })
            .collect(),
        total: None,
    }
}

pub fn category_buyers(rows: &[CategoryBuyer], title: String, lang: &str) -> Table {
    Table {
        title,
        headers: vec![t(lang, "by_customer_column"), t(lang, "orders"), t(lang, "amount"), t(lang, "last_order")],
        rows: rows
            .iter()
            .map(|b| {
                vec![
                    Cell::Text(b.company.clone()),
                    Cell::Count(b.orders),
                    Cell::Money(b.amount_minor),
                    Cell::Text(b.last_order_at.format("%d.%m.%Y").to_string()),
                ]
            })
            .collect(),
        total: None,
    }
}

pub fn lapsed(rows: &[Lapsed], lang: &str) -> Table {
    Table {
        title: t(lang, "lapsed"),
        headers: vec![
            t(lang, "by_customer_column"),
            t(lang, "orders"),
            t(lang, "last_order"),
            t(lang, "usual_interval"),
            t(lang, "days_since"),
        ],
        rows: rows
            .iter()
            .map(|l| {
                vec![
                    Cell::Text(l.company.clone()),
                    Cell::Count(l.orders),
                    Cell::Text(l.last_order_on.format("%d.%m.%Y").to_string()),
                    Cell::Count(l.usual_interval_days),
                    Cell::Count(l.days_since_last),
                ]
            })
            .collect(),
        total: None,
    }
}
