//! Documents (`Документ`): orders from the site and order statuses from 1C.
//!
//! Converts one captured `Документ` element into a [`Document`] (the type and its requisite
//! helpers are in `model`). Pure conversion: no I/O, never an error; amounts stay text.

use super::catalog::unit_of;
use super::counterparties::counterparty;
use super::model::{Document, DocumentLine};
use super::tree::NodeRef;

/// Children read into named fields or lists, hence not repeated in `extra`.
const KNOWN: [&str; 15] = [
    "Ид",
    "Номер",
    "Дата",
    "Время",
    "ХозОперация",
    "Роль",
    "Валюта",
    "Курс",
    "Сумма",
    "Комментарий",
    "Контрагенты",
    "Товары",
    "ЗначенияРеквизитов",
    "Налоги",
    "Склады",
];

fn line(node: NodeRef<'_>) -> DocumentLine {
    DocumentLine {
        id: node.req("Ид"),
        catalog_id: node.string("ИдКаталога"),
        sku: node.string("Артикул"),
        name: node.req("Наименование"),
        unit: unit_of(node),
        factor: node.string("Коэффициент"),
        price: node.string("ЦенаЗаЕдиницу").or_else(|| node.string("Цена")),
        quantity: node.string("Количество"),
        total: node.string("Сумма"),
        characteristics: node.pairs("ХарактеристикиТовара", "ХарактеристикаТовара", "Наименование", "Значение"),
        requisites: node.pairs("ЗначенияРеквизитов", "ЗначениеРеквизита", "Наименование", "Значение"),
    }
}

/// `Документ`.
pub(crate) fn document(node: NodeRef<'_>) -> Document {
    let extra = node
        .children()
        .filter(|c| c.children().next().is_none() && !KNOWN.contains(&c.name()))
        .map(|c| (c.name().to_string(), c.text().to_string()))
        .collect();
    Document {
        id: node.req("Ид"),
        number: node.string("Номер"),
        date: node.string("Дата"),
        time: node.string("Время"),
        operation: node.string("ХозОперация"),
        role: node.string("Роль"),
        currency: node.string("Валюта"),
        rate: node.string("Курс"),
        total: node.string("Сумма"),
        comment: node.string("Комментарий"),
        counterparties: node.all("Контрагенты").flat_map(|c| c.all("Контрагент")).map(counterparty).collect(),
        lines: node.all("Товары").flat_map(|t| t.all("Товар")).map(line).collect(),
        requisites: node.pairs("ЗначенияРеквизитов", "ЗначениеРеквизита", "Наименование", "Значение"),
        extra,
    }
}
