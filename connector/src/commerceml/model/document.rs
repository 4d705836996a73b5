//! Documents (`Документ`): orders from the site and order statuses from 1C, with helpers for
//! the requisites 1C and Bitrix put on orders. An "empty" 1C date (`T`, `0001-01-01…`) is kept as
//! written in the data and only the helpers turn it into None.

use super::{parse_bool, split_id, Counterparty, UnitRef};

/// A document (`Документ`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    pub id: String,
    /// `Номер` (the site's order number in exchange files).
    pub number: Option<String>,
    /// `Дата` as written; see [`Document::order_date`].
    pub date: Option<String>,
    /// `Время`.
    pub time: Option<String>,
    /// `ХозОперация` (e.g. `Заказ товара`).
    pub operation: Option<String>,
    /// `Роль` of the sender (`Продавец`).
    pub role: Option<String>,
    pub currency: Option<String>,
    /// `Курс`.
    pub rate: Option<String>,
    /// `Сумма`, exact text.
    pub total: Option<String>,
    /// `Комментарий`.
    pub comment: Option<String>,
    /// `Контрагенты/Контрагент`.
    pub counterparties: Vec<Counterparty>,
    /// `Товары/Товар`.
    pub lines: Vec<DocumentLine>,
    /// `ЗначенияРеквизитов/ЗначениеРеквизита`: (`Наименование`, `Значение`), e.g. `Проведен`,
    /// `Номер по 1С`, `Дата оплаты по 1С`, `Статус заказа`.
    pub requisites: Vec<(String, String)>,
    /// Other text-only direct children (e.g. `Номер1С`, `Дата1С`, `ПометкаУдаления`, `НомерВерсии`).
    pub extra: Vec<(String, String)>,
}

/// A document row (`Товары/Товар`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocumentLine {
    /// `Ид`: product id or `product#characteristic` (or a service id like `ORDER_DELIVERY`).
    pub id: String,
    /// `ИдКаталога`.
    pub catalog_id: Option<String>,
    /// `Артикул`.
    pub sku: Option<String>,
    pub name: String,
    /// `БазоваяЕдиница` (Bitrix) or `Единица` (1C 2.09).
    pub unit: Option<UnitRef>,
    /// `Коэффициент`.
    pub factor: Option<String>,
    /// `ЦенаЗаЕдиницу`, else `Цена`.
    pub price: Option<String>,
    /// `Количество`.
    pub quantity: Option<String>,
    /// `Сумма`.
    pub total: Option<String>,
    /// `ХарактеристикиТовара/ХарактеристикаТовара`: (`Наименование`, `Значение`).
    pub characteristics: Vec<(String, String)>,
    /// `ЗначенияРеквизитов` of the row (`ВидНоменклатуры`, `ТипНоменклатуры` = `Услуга`, …).
    pub requisites: Vec<(String, String)>,
}

impl DocumentLine {
    /// The product part of `id` (before `#`).
    pub fn product_id(&self) -> &str {
        split_id(&self.id).0
    }

    /// The characteristic part of `id` (after `#`), if any.
    pub fn characteristic_id(&self) -> Option<&str> {
        split_id(&self.id).1
    }
}

/// None for 1C's empty dates (`""`, `T`, `0001-01-01`, `0001-01-01T00:00:00`), else the trimmed value.
pub fn non_empty_date(value: &str) -> Option<&str> {
    let v = value.trim();
    let empty = v.is_empty() || v == "T" || v.starts_with("0001-01-01") || v == "01.01.0001" || v == "00.00.0000";
    (!empty).then_some(v)
}

impl Document {
    /// The first requisite with this name, else the direct child element of that name (`extra`).
    pub fn requisite(&self, name: &str) -> Option<&str> {
        let found = self.requisites.iter().chain(&self.extra).find(|(k, _)| k == name);
        found.map(|(_, v)| v.as_str())
    }

    fn first(&self, names: &[&str]) -> Option<&str> {
        names.iter().find_map(|n| self.requisite(n)).filter(|v| !v.is_empty())
    }

    fn date_of(&self, names: &[&str]) -> Option<&str> {
        names.iter().find_map(|n| self.requisite(n)).and_then(non_empty_date)
    }

    fn flag(&self, names: &[&str]) -> Option<bool> {
        self.first(names).and_then(parse_bool)
    }

    /// `Дата`, None when empty or `T`.
    pub fn order_date(&self) -> Option<&str> {
        self.date.as_deref().and_then(non_empty_date)
    }

    /// `Номер по 1С` requisite or `Номер1С` element.
    pub fn number_1c(&self) -> Option<&str> {
        self.first(&["Номер по 1С", "Номер1С"])
    }

    /// `Дата по 1С` requisite or `Дата1С` element; None for `T`.
    pub fn date_1c(&self) -> Option<&str> {
        self.date_of(&["Дата по 1С", "Дата1С"])
    }

    /// `Проведен`.
    pub fn posted(&self) -> Option<bool> {
        self.flag(&["Проведен"])
    }

    /// `ПометкаУдаления` (requisite or element).
    pub fn deletion_mark(&self) -> Option<bool> {
        self.flag(&["ПометкаУдаления"])
    }

    /// `Отменен`.
    pub fn cancelled(&self) -> Option<bool> {
        self.flag(&["Отменен"])
    }

    /// `Оплачен` (1C) or `Заказ оплачен` (Bitrix).
    pub fn paid(&self) -> Option<bool> {
        self.flag(&["Оплачен", "Заказ оплачен"])
    }

    /// `Отгружен`.
    pub fn shipped(&self) -> Option<bool> {
        self.flag(&["Отгружен"])
    }

    /// `Номер оплаты по 1С`.
    pub fn payment_number_1c(&self) -> Option<&str> {
        self.first(&["Номер оплаты по 1С"])
    }

    /// `Дата оплаты по 1С`; None for `T`.
    pub fn payment_date_1c(&self) -> Option<&str> {
        self.date_of(&["Дата оплаты по 1С"])
    }

    /// `Номер отгрузки по 1С`.
    pub fn shipment_number_1c(&self) -> Option<&str> {
        self.first(&["Номер отгрузки по 1С"])
    }

    /// `Дата отгрузки по 1С`; None for `T`.
    pub fn shipment_date_1c(&self) -> Option<&str> {
        self.date_of(&["Дата отгрузки по 1С"])
    }

    /// `Статус заказа` (e.g. `[N] Принят, ожидается оплата`, `Открыт`).
    pub fn status(&self) -> Option<&str> {
        self.first(&["Статус заказа"])
    }

    /// `Статуса заказа ИД` (sic, as 1C and Bitrix write it) or `Статус заказа ИД`.
    pub fn status_id(&self) -> Option<&str> {
        self.first(&["Статуса заказа ИД", "Статус заказа ИД"])
    }
}
