//! Counterparties (`Контрагент`), root-level or inside documents.
//!
//! Legal-entity and person details are read from direct children, or from `РеквизитыЮрЛица` /
//! `РеквизитыФизЛица` wrappers that some exporters write around them. Bank and representative
//! sub-elements are never searched (their `Наименование` / `Адрес` belong to someone else).
//! Pure conversion of one captured element: no I/O, never an error.

use super::model::Counterparty;
use super::tree::NodeRef;

/// The node itself, then its requisite wrappers, in that order.
fn scopes<'a>(node: NodeRef<'a>) -> impl Iterator<Item = NodeRef<'a>> + 'a {
    std::iter::once(node)
        .chain(node.children().filter(|c| c.name() == "РеквизитыЮрЛица" || c.name() == "РеквизитыФизЛица"))
}

/// First non-empty text of any of `names` in any scope.
fn find(node: NodeRef<'_>, names: &[&str]) -> Option<String> {
    names.iter().find_map(|name| scopes(node).find_map(|s| s.opt(name))).map(str::to_string)
}

/// `Представление` of the first address element that has one.
fn address(node: NodeRef<'_>) -> Option<String> {
    ["ЮридическийАдрес", "АдресРегистрации", "Адрес"]
        .iter()
        .find_map(|name| scopes(node).find_map(|s| s.child(name).and_then(|a| a.string("Представление"))))
}

/// `Контрагент`.
pub(crate) fn counterparty(node: NodeRef<'_>) -> Counterparty {
    Counterparty {
        id: node.req("Ид"),
        name: node.req("Наименование"),
        full_name: find(node, &["ПолноеНаименование", "ОфициальноеНаименование"]),
        inn: find(node, &["ИНН"]),
        kpp: find(node, &["КПП"]),
        address: address(node),
        role: node.string("Роль"),
        deleted: node.deleted(),
    }
}
