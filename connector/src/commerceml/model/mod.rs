//! The typed items a CommerceML file is read into.
//!
//! Plain data only: every value is the trimmed text of the file. Money, prices, quantities, rates
//! and dates stay exact strings (never `f64`), ids are never rewritten, and nothing here touches a
//! database or decides how an item is applied: that is the integrator's job.

mod document;

pub use super::decode::SchemaVersion;
pub use document::{non_empty_date, Document, DocumentLine};

/// One thing read from a file, in document order. See [`super::read`].
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// The root `КоммерческаяИнформация`: `ВерсияСхемы` (None when missing or unreadable) and
    /// `ДатаФормирования`. Always the first item.
    Header { version: Option<SchemaVersion>, generated: Option<String> },
    /// A `Классификатор` begins (sent before its groups, properties, price types, …).
    ClassifierStart { only_changes: bool, id: Option<String>, name: Option<String> },
    /// A `Каталог` begins (sent before its products). `only_changes` is `СодержитТолькоИзменения`
    /// (attribute or element; false when absent).
    CatalogStart { only_changes: bool, id: Option<String>, classifier_id: Option<String>, name: Option<String> },
    /// A `ПакетПредложений` (or `ИзмененияПакетаПредложений`, where `only_changes` defaults to true)
    /// begins, before its price types, warehouses and offers.
    OffersStart {
        only_changes: bool,
        id: Option<String>,
        catalog_id: Option<String>,
        classifier_id: Option<String>,
        name: Option<String>,
    },
    /// A classifier group; parents always come before their children.
    Group(Group),
    /// A classifier property (`Свойство`) with its dictionary values.
    Property(Property),
    /// A price type, from `Классификатор/ТипыЦен` (2.09+) or `ПакетПредложений/ТипыЦен`.
    PriceType(PriceType),
    /// A warehouse, from `Классификатор/Склады` (2.09+) or `ПакетПредложений/Склады`.
    Warehouse(Warehouse),
    /// A unit of measure from `Классификатор/ЕдиницыИзмерения` (2.09+).
    Unit(Unit),
    /// A catalog product (`Каталог/Товары/Товар`).
    Product(Product),
    /// An offer (`Предложения/Предложение`): prices and/or stock of a product or characteristic.
    Offer(Offer),
    /// A root-level counterparty (`Контрагенты/Контрагент`). Those inside a document are in
    /// [`Document::counterparties`](super::Document::counterparties) only.
    Counterparty(Counterparty),
    /// A document (`Документ`, also inside a 3.1 `Контейнер`).
    Document(Document),
}

/// A classifier group (`Группа`), flattened out of the nested tree.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Group {
    pub id: String,
    /// `Ид` of the enclosing group; None for a top-level group.
    pub parent_id: Option<String>,
    pub name: String,
    /// `ПометкаУдаления` = true or `Статус` = `Удален`.
    pub deleted: bool,
}

/// A classifier property (`Свойство`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Property {
    pub id: String,
    pub name: String,
    /// `ТипЗначений`: `Строка`, `Число`, `Справочник`, `Время`, …
    pub value_type: Option<String>,
    /// `ВариантыЗначений/Справочник`: (`ИдЗначения`, `Значение`).
    pub values: Vec<(String, String)>,
    pub deleted: bool,
}

/// A price type (`ТипЦены`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PriceType {
    pub id: String,
    pub name: String,
    /// `Валюта` as written (`RUB`, `руб`, `643`).
    pub currency: Option<String>,
    /// `Налог/УчтеноВСумме`: whether VAT is included in the price; None when not stated.
    pub vat_included: Option<bool>,
    pub deleted: bool,
}

/// A warehouse (`Склад`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Warehouse {
    pub id: String,
    pub name: String,
    /// `Адрес/Представление`.
    pub address: Option<String>,
    pub deleted: bool,
}

/// A unit of measure declared in the classifier (`ЕдиницаИзмерения`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Unit {
    pub id: String,
    /// `Код` (OKEI code, e.g. `796`).
    pub code: Option<String>,
    /// `НаименованиеКраткое` (e.g. `шт`).
    pub short_name: Option<String>,
    /// `НаименованиеПолное` (e.g. `Штука`).
    pub full_name: Option<String>,
    /// `МеждународноеСокращение` (e.g. `PCE`).
    pub intl_abbr: Option<String>,
    pub deleted: bool,
}

/// A unit as referenced by a product, offer or document line (`БазоваяЕдиница` / `Единица`), in
/// whichever form the file used: text, attributes, children, or a mix.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnitRef {
    /// The element text (`шт`), or the child `НаименованиеКраткое`; in some 2.09+ files the text
    /// is the `Ид` of a classifier unit.
    pub name: Option<String>,
    /// `Код` attribute or child.
    pub code: Option<String>,
    /// `НаименованиеПолное` attribute or child.
    pub full_name: Option<String>,
    /// `МеждународноеСокращение` attribute or child.
    pub intl_abbr: Option<String>,
    /// `Ид` child (document lines).
    pub id: Option<String>,
    /// `Пересчет`: (`Единица`, `Коэффициент`) pairs.
    pub conversions: Vec<(String, String)>,
}

/// A catalog product (`Товар`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Product {
    pub id: String,
    /// `Штрихкод`.
    pub barcode: Option<String>,
    /// `Артикул`.
    pub sku: Option<String>,
    pub name: String,
    /// `БазоваяЕдиница`.
    pub unit: Option<UnitRef>,
    /// `Группы/Ид`.
    pub group_ids: Vec<String>,
    /// `Описание`.
    pub description: Option<String>,
    /// `ЗначенияСвойств/ЗначенияСвойства`: (property `Ид`, `Значение`), one pair per value; for a
    /// `Справочник` property the value is the `ИдЗначения`.
    pub properties: Vec<(String, String)>,
    /// `СтавкиНалогов/СтавкаНалога`: (`Наименование`, `Ставка` as text, e.g. `20` or `Без НДС`).
    pub tax_rates: Vec<(String, String)>,
    /// `ЗначенияРеквизитов/ЗначениеРеквизита`: (`Наименование`, `Значение`).
    pub requisites: Vec<(String, String)>,
    /// `Картинка` paths, relative to the exchange directory.
    pub images: Vec<String>,
    /// `ПометкаУдаления` (element or attribute) or `Статус` = `Удален` (attribute or element).
    pub deleted: bool,
}

/// One price of an offer (`Цены/Цена`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Price {
    /// `ИдТипаЦены` (a GUID, or in old files a name like `Отпускная цена`).
    pub price_type_id: String,
    /// `ЦенаЗаЕдиницу`, the exact decimal text.
    pub per_unit: String,
    pub currency: Option<String>,
    /// `Единица`.
    pub unit: Option<String>,
    /// `Коэффициент`.
    pub factor: Option<String>,
}

/// An offer (`Предложение`). Parts absent from the file are None, meaning "unchanged": split
/// `prices___*` files have no stock and `rests___*` files have no prices.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Offer {
    /// `Ид`: a product id, or `product#characteristic`.
    pub id: String,
    /// `ИдХарактеристики` when the file gives the characteristic separately.
    pub characteristic_ref: Option<String>,
    pub barcode: Option<String>,
    pub sku: Option<String>,
    pub name: Option<String>,
    pub unit: Option<UnitRef>,
    /// `ХарактеристикиТовара/ХарактеристикаТовара`: (`Наименование`, `Значение`).
    pub characteristics: Vec<(String, String)>,
    /// `Цены`: None when absent, Some(empty) when present but empty.
    pub prices: Option<Vec<Price>>,
    /// `Количество` (total over warehouses); None when absent.
    pub total_quantity: Option<String>,
    /// Stock per warehouse: (warehouse `Ид`, quantity text), from `<Склад ИдСклада КоличествоНаСкладе/>`
    /// or `Остатки/Остаток/Склад/{Ид,Количество}`; a 3.1 `Остаток/Количество` without a warehouse
    /// gives warehouse `""`. None when the offer has no stock part at all.
    pub stock: Option<Vec<(String, String)>>,
    pub deleted: bool,
}

impl Offer {
    /// The product part of `id` (everything before the first `#`).
    pub fn product_id(&self) -> &str {
        split_id(&self.id).0
    }

    /// The characteristic part of `id` after `#` (None when absent or empty), else `ИдХарактеристики`.
    pub fn characteristic_id(&self) -> Option<&str> {
        split_id(&self.id).1.or(self.characteristic_ref.as_deref().filter(|s| !s.is_empty()))
    }
}

/// Splits `product#characteristic`; an empty characteristic (`abc#`) counts as none.
pub fn split_id(id: &str) -> (&str, Option<&str>) {
    match id.split_once('#') {
        Some((product, ch)) => (product, Some(ch).filter(|c| !c.is_empty())),
        None => (id, None),
    }
}

/// CommerceML booleans: `true`/`false` (any case), also `1`/`0` and `да`/`нет`.
pub fn parse_bool(s: &str) -> Option<bool> {
    match s.trim() {
        t if t.eq_ignore_ascii_case("true") || t == "1" || t == "да" || t == "Да" => Some(true),
        t if t.eq_ignore_ascii_case("false") || t == "0" || t == "нет" || t == "Нет" => Some(false),
        _ => None,
    }
}

/// A counterparty (`Контрагент`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counterparty {
    pub id: String,
    /// `Наименование` (may be empty in Bitrix exports).
    pub name: String,
    /// `ПолноеНаименование` or `ОфициальноеНаименование`.
    pub full_name: Option<String>,
    pub inn: Option<String>,
    pub kpp: Option<String>,
    /// `Представление` of `ЮридическийАдрес`, `АдресРегистрации` or `Адрес` (first non-empty).
    pub address: Option<String>,
    /// `Роль` (`Покупатель`, `Продавец`, …).
    pub role: Option<String>,
    pub deleted: bool,
}

/// What a file is; see [`super::detect_kind`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// `Классификатор` and/or `Каталог` (import files).
    Catalog,
    /// `ПакетПредложений` / `ИзмененияПакетаПредложений` (offers, prices, rests), possibly after a classifier.
    Offers,
    /// `Документ` (orders, statuses), also in 3.1 `Контейнер`.
    Documents,
    /// Root-level `Контрагенты`.
    Counterparties,
    /// More than one of the above.
    Mixed,
}

/// Counts of what [`super::read`] sent to the sink.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub version: Option<SchemaVersion>,
    pub groups: usize,
    pub properties: usize,
    pub price_types: usize,
    pub warehouses: usize,
    pub units: usize,
    pub products: usize,
    pub offers: usize,
    /// Root-level counterparties only (not those inside documents).
    pub counterparties: usize,
    pub documents: usize,
}
