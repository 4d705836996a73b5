//! Offers (`Предложение`): prices, total quantity and stock in every form seen in real files.
//!
//! A part that is absent stays None ("unchanged"), so split `prices___*` / `rests___*` files can be
//! applied without wiping the other part. Pure conversion of one captured element: no I/O, no
//! state, never an error, and prices and quantities are never turned into numbers.

use super::catalog::unit_of;
use super::model::{Offer, Price};
use super::tree::NodeRef;

/// `Цены/Цена`.
fn price(node: NodeRef<'_>) -> Price {
    Price {
        price_type_id: node.req("ИдТипаЦены"),
        per_unit: node.req("ЦенаЗаЕдиницу"),
        currency: node.string("Валюта"),
        unit: node.string("Единица"),
        factor: node.string("Коэффициент"),
    }
}

/// Stock in all three forms; None when the offer carries none of them.
///
/// 1. `<Склад ИдСклада=".." КоличествоНаСкладе=".."/>` (also named `Склады` in
///    `ИзмененияПакетаПредложений`), repeated on the offer;
/// 2. `Остатки/Остаток/Склад/{Ид, Количество}` (UT 11 split `rests___*`, 3.1);
/// 3. `Остатки/Остаток/Количество` without a warehouse (3.1) → warehouse `""`.
fn stock(node: NodeRef<'_>) -> Option<Vec<(String, String)>> {
    let mut found = false;
    let mut out = Vec::new();
    for s in node.children().filter(|c| c.name() == "Склад" || c.name() == "Склады") {
        // Attribute form; some exporters write the same as children instead.
        if let Some(id) = s.attr("ИдСклада").or_else(|| s.opt("ИдСклада")).or_else(|| s.opt("Ид")) {
            found = true;
            let qty = s.attr_or_child("КоличествоНаСкладе").or_else(|| s.opt("Количество")).unwrap_or_default();
            out.push((id.to_string(), qty.to_string()));
        }
    }
    for rests in node.all("Остатки") {
        found = true;
        for rest in rests.all("Остаток") {
            let mut with_warehouse = false;
            for wh in rest.all("Склад") {
                with_warehouse = true;
                let id = wh.opt("Ид").or(wh.attr("ИдСклада")).unwrap_or_default();
                let qty = wh.opt("Количество").or(wh.attr("КоличествоНаСкладе")).unwrap_or_default();
                out.push((id.to_string(), qty.to_string()));
            }
            if !with_warehouse {
                if let Some(qty) = rest.child("Количество") {
                    out.push((String::new(), qty.text().to_string()));
                }
            }
        }
    }
    found.then_some(out)
}

/// `Предложение` of `ПакетПредложений` or `ИзмененияПакетаПредложений`.
pub(crate) fn offer(node: NodeRef<'_>) -> Offer {
    Offer {
        id: node.req("Ид"),
        characteristic_ref: node.string("ИдХарактеристики"),
        barcode: node.string("Штрихкод"),
        sku: node.string("Артикул"),
        name: node.string("Наименование"),
        unit: unit_of(node),
        characteristics: node.pairs("ХарактеристикиТовара", "ХарактеристикаТовара", "Наименование", "Значение"),
        prices: node.child("Цены").map(|_| node.all("Цены").flat_map(|p| p.all("Цена")).map(price).collect()),
        total_quantity: node.child("Количество").map(|q| q.text().to_string()),
        stock: stock(node),
        deleted: node.deleted(),
    }
}
