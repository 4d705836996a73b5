//! Classifier and catalog items: groups, properties, price types, warehouses, units, products.
//!
//! Each function turns one captured element ([`NodeRef`]) into its typed item by looking children
//! up by name, so element order and unknown elements never matter. Pure conversion: no I/O, no
//! state, never an error (a missing field is None or empty).

use super::model::{parse_bool, Group, PriceType, Product, Property, Unit, UnitRef, Warehouse};
use super::tree::NodeRef;

/// Flattens a `Группа` and its nested `Группы/Группа` into `out`, parents first.
pub(crate) fn groups(node: NodeRef<'_>, parent_id: Option<&str>, out: &mut Vec<Group>) {
    let group = Group {
        id: node.req("Ид"),
        parent_id: parent_id.map(str::to_string),
        name: node.req("Наименование"),
        deleted: node.deleted(),
    };
    let id = group.id.clone();
    out.push(group);
    for list in node.all("Группы") {
        for child in list.all("Группа") {
            groups(child, Some(&id), out);
        }
    }
}

/// `Свойство` (also the pre-2.04 `СвойствоНоменклатуры`).
pub(crate) fn property(node: NodeRef<'_>) -> Property {
    Property {
        id: node.req("Ид"),
        name: node.req("Наименование"),
        value_type: node.string("ТипЗначений"),
        values: node.pairs("ВариантыЗначений", "Справочник", "ИдЗначения", "Значение"),
        deleted: node.deleted(),
    }
}

/// `ТипЦены`; `vat_included` comes from the VAT `Налог` (the first one when none is named НДС).
pub(crate) fn price_type(node: NodeRef<'_>) -> PriceType {
    let taxes: Vec<_> = node.all("Налог").collect();
    let vat = taxes.iter().find(|t| t.opt("Наименование").is_some_and(|n| n.eq_ignore_ascii_case("НДС")));
    let vat_included = vat.or(taxes.first()).and_then(|t| t.opt("УчтеноВСумме")).and_then(parse_bool);
    PriceType {
        id: node.req("Ид"),
        name: node.req("Наименование"),
        currency: node.string("Валюта"),
        vat_included,
        deleted: node.deleted(),
    }
}

/// `Склад` as declared in a `Склады` list.
pub(crate) fn warehouse(node: NodeRef<'_>) -> Warehouse {
    Warehouse {
        id: node.req("Ид"),
        name: node.req("Наименование"),
        address: node.child("Адрес").and_then(|a| a.string("Представление")),
        deleted: node.deleted(),
    }
}

/// `ЕдиницаИзмерения` of the 2.09+ classifier.
pub(crate) fn unit(node: NodeRef<'_>) -> Unit {
    Unit {
        id: node.req("Ид"),
        code: node.attr_or_child("Код").map(str::to_string),
        short_name: node.string("НаименованиеКраткое"),
        full_name: node.attr_or_child("НаименованиеПолное").map(str::to_string),
        intl_abbr: node.attr_or_child("МеждународноеСокращение").map(str::to_string),
        deleted: node.deleted(),
    }
}

/// `БазоваяЕдиница` / `Единица` in any of its forms (text, attributes, children, `Пересчет`).
pub(crate) fn unit_ref(node: NodeRef<'_>) -> UnitRef {
    let text = Some(node.text()).filter(|t| !t.is_empty());
    let own = |name| node.attr_or_child(name).map(str::to_string);
    UnitRef {
        name: text.or_else(|| node.opt("НаименованиеКраткое")).map(str::to_string),
        code: own("Код"),
        full_name: own("НаименованиеПолное"),
        intl_abbr: own("МеждународноеСокращение"),
        id: node.string("Ид"),
        conversions: node
            .all("Пересчет")
            .map(|p| (p.req("Единица"), p.req("Коэффициент")))
            .filter(|(u, k)| !u.is_empty() || !k.is_empty())
            .collect(),
    }
}

/// The first `БазоваяЕдиница` (or `Единица`, as in 2.09 documents) of an element.
pub(crate) fn unit_of(node: NodeRef<'_>) -> Option<UnitRef> {
    node.child("БазоваяЕдиница").or_else(|| node.child("Единица")).map(unit_ref)
}

/// `Товар` of a catalog.
pub(crate) fn product(node: NodeRef<'_>) -> Product {
    Product {
        id: node.req("Ид"),
        barcode: node.string("Штрихкод"),
        sku: node.string("Артикул"),
        name: node.req("Наименование"),
        unit: unit_of(node),
        group_ids: node.all("Группы").flat_map(|g| g.all("Ид")).map(|i| i.text().to_string()).collect(),
        description: node.string("Описание"),
        properties: node.pairs("ЗначенияСвойств", "ЗначенияСвойства", "Ид", "Значение"),
        tax_rates: node.pairs("СтавкиНалогов", "СтавкаНалога", "Наименование", "Ставка"),
        requisites: node.pairs("ЗначенияРеквизитов", "ЗначениеРеквизита", "Наименование", "Значение"),
        images: node.all("Картинка").map(|i| i.text().to_string()).filter(|s| !s.is_empty()).collect(),
        deleted: node.deleted(),
    }
}
