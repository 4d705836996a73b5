//! Writing orders as CommerceML 2.09 `Документ`s (ХозОперация "Заказ
//! товара"), the shape 1C's "exchange with site" expects from a shop: the
//! buyer with ИНН/КПП and role, lines with Ид, name, unit, price, quantity,
//! amount and VAT, and order-level requisites (status, paid, cancelled,
//! reservation deadline, comment, PO). windows-1251 with its declaration by
//! default, or UTF-8 with a BOM. Times are written in the supplier's time
//! zone, as 1C reads them (CommerceML dates carry no zone).

use chrono::{NaiveDateTime, TimeZone};
use chrono_tz::Tz;

use portal::money::{Money, Qty};
use portal::ordering::export::OrderForErp;
use portal::ordering::status::OrderStatus;
use portal::terms::delivery::ServiceLine;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;

/// How the file is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputEncoding {
    Windows1251,
    Utf8Bom,
}

impl OutputEncoding {
    pub fn parse(text: &str) -> Option<OutputEncoding> {
        match text.to_lowercase().as_str() {
            "windows-1251" | "cp1251" => Some(OutputEncoding::Windows1251),
            "utf-8" | "utf8" => Some(OutputEncoding::Utf8Bom),
            _ => None,
        }
    }
}

fn money(m: i64) -> String {
    let m = Money(m);
    format!("{}.{:02}", m.minor() / 100, (m.minor() % 100).abs())
}

/// Text as XML 1.0 allows it: characters it forbids (control characters
/// other than tab and line breaks, U+FFFE, U+FFFF) become spaces. `<`, `&`
/// and the like are escaped by the writer; characters windows-1251 lacks
/// (emoji) become character references when encoding.
pub fn xml_safe(text: &str) -> std::borrow::Cow<'_, str> {
    let allowed = |c: char| matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}');
    if text.chars().all(allowed) {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(text.chars().map(|c| if allowed(c) { c } else { ' ' }).collect())
}

struct Xml {
    writer: Writer<Vec<u8>>,
}

impl Xml {
    fn open(&mut self, name: &str) -> std::io::Result<()> {
        self.writer.write_event(Event::Start(BytesStart::new(name)))
    }
    fn close(&mut self, name: &str) -> std::io::Result<()> {
        self.writer.write_event(Event::End(BytesEnd::new(name)))
    }
    fn text(&mut self, name: &str, value: &str) -> std::io::Result<()> {
        self.open(name)?;
        self.writer.write_event(Event::Text(BytesText::new(&xml_safe(value))))?;
        self.close(name)
    }
    fn requisite(&mut self, name: &str, value: &str) -> std::io::Result<()> {
        self.open("ЗначениеРеквизита")?;
        self.text("Наименование", name)?;
        self.text("Значение", value)?;
        self.close("ЗначениеРеквизита")
    }
}

/// A UTC time as the supplier's wall-clock time.
fn local(zone: Tz, utc: NaiveDateTime) -> NaiveDateTime {
    zone.from_utc_datetime(&utc).naive_local()
}

/// The orders as one CommerceML file; `generated` (UTC) is when it was made,
/// `zone` the supplier's time zone the times are written in.
pub fn write_orders(
    orders: &[OrderForErp],
    encoding: OutputEncoding,
    generated: NaiveDateTime,
    zone: Tz,
) -> std::io::Result<Vec<u8>> {
    let label = if encoding == OutputEncoding::Windows1251 { "windows-1251" } else { "UTF-8" };
    let mut x = Xml { writer: Writer::new_with_indent(Vec::new(), b' ', 2) };
    x.writer.write_event(Event::Decl(BytesDecl::new("1.0", Some(label), None)))?;
    let mut root = BytesStart::new("КоммерческаяИнформация");
    root.push_attribute(("xmlns", "urn:1C.ru:commerceml_2"));
    root.push_attribute(("ВерсияСхемы", "2.09"));
    let stamp = local(zone, generated).format("%Y-%m-%dT%H:%M:%S").to_string();
    root.push_attribute(("ДатаФормирования", stamp.as_str()));
    x.writer.write_event(Event::Start(root))?;
    for o in orders {
        write_order(&mut x, o, zone)?;
    }
    x.close("КоммерческаяИнформация")?;
    let utf8 = String::from_utf8(x.writer.into_inner()).map_err(std::io::Error::other)?;
    Ok(match encoding {
        OutputEncoding::Utf8Bom => [&[0xEF, 0xBB, 0xBF][..], utf8.as_bytes()].concat(),
        // Characters windows-1251 lacks become numeric character references, which XML reads back.
        OutputEncoding::Windows1251 => encoding_rs::WINDOWS_1251.encode(&utf8).0.into_owned(),
    })
}

/// A line's VAT: its rate and its amount, included in the line's sum.
fn write_line_vat(x: &mut Xml, rate: i32, vat_minor: i64) -> std::io::Result<()> {
    x.open("СтавкиНалогов")?;
    x.open("СтавкаНалога")?;
    x.text("Наименование", "НДС")?;
    x.text("Ставка", &rate.to_string())?;
    x.close("СтавкаНалога")?;
    x.close("СтавкиНалогов")?;
    x.open("Налоги")?;
    x.open("Налог")?;
    x.text("Наименование", "НДС")?;
    x.text("УчтеноВСумме", "true")?;
    x.text("Сумма", &money(vat_minor))?;
    x.close("Налог")?;
    x.close("Налоги")
}

/// A line's discounts (contract, rules, promo code, manager), already
/// taken off its sum; a price break is a price, not a discount.
fn write_discounts(x: &mut Xml, line: &portal::ordering::orders::OrderLine) -> std::io::Result<()> {
    use portal::pricing::AdjustmentSource as S;
    let discounts: Vec<_> = line.price_adjustments().into_iter().filter(|a| a.is_discount()).collect();
    if discounts.is_empty() {
        return Ok(());
    }
    x.open("Скидки")?;
    for a in discounts {
        let name = match (a.source, &a.name) {
            (S::Contract, _) => "Скидка по договору".to_string(),
            (S::Manual, _) => "Скидка менеджера".to_string(),
            (S::Promo, Some(code)) => format!("Промокод {code}"),
            (_, name) => name.clone().unwrap_or_else(|| "Скидка".to_string()),
        };
        x.open("Скидка")?;
        x.text("Наименование", &name)?;
        x.text("Сумма", &money(-a.amount_minor))?;
        if a.value > 0 {
            x.text("Процент", &portal::money::percent_from_bp(i32::try_from(a.value).unwrap_or(0)))?;
        }
        x.text("УчтеноВСумме", "true")?;
        x.close("Скидка")?;
    }
    x.close("Скидки")
}

/// The delivery as a service item: one unit at its cost, as 1C expects.
fn write_service(x: &mut Xml, line: &ServiceLine) -> std::io::Result<()> {
    x.open("Товар")?;
    x.text("Ид", &format!("delivery-{}", line.code))?;
    x.text("Наименование", &line.name_ru)?;
    let mut unit = BytesStart::new("БазоваяЕдиница");
    unit.push_attribute(("Код", "796"));
    unit.push_attribute(("НаименованиеПолное", "Услуга"));
    x.writer.write_event(Event::Start(unit))?;
    x.writer.write_event(Event::Text(BytesText::new("усл")))?;
    x.close("БазоваяЕдиница")?;
    x.text("ЦенаЗаЕдиницу", &money(line.amount_minor))?;
    x.text("Количество", "1")?;
    x.text("Сумма", &money(line.amount_minor))?;
    if let Some(rate) = line.vat_rate {
        write_line_vat(x, rate, line.vat_minor)?;
    }
    x.open("ЗначенияРеквизитов")?;
    x.requisite("ВидНоменклатуры", "Услуга")?;
    x.requisite("ТипНоменклатуры", "Услуга")?;
    x.close("ЗначенияРеквизитов")?;
    x.close("Товар")
}

fn write_order(x: &mut Xml, o: &OrderForErp, zone: Tz) -> std::io::Result<()> {
    let order = &o.order;
    let placed = local(zone, order.placed_at);
    x.open("Документ")?;
    x.text("Ид", &order.id.to_string())?;
    x.text("Номер", &order.number)?;
    x.text("Дата", &placed.format("%Y-%m-%d").to_string())?;
    x.text("Время", &placed.format("%H:%M:%S").to_string())?;
    x.text("ХозОперация", "Заказ товара")?;
    x.text("Роль", "Продавец")?;
    x.text("Валюта", "руб")?;
    x.text("Курс", "1")?;
    x.text("Сумма", &money(order.total_minor))?;
    x.open("Контрагенты")?;
    x.open("Контрагент")?;
    x.text("Ид", o.company.external_id.as_deref().unwrap_or(&format!("portal-company-{}", o.company.id)))?;
    x.text("Наименование", &o.company.name)?;
    x.text("ОфициальноеНаименование", &o.company.name)?;
    x.text("ИНН", &o.company.inn)?;
    if !o.company.kpp.is_empty() {
        x.text("КПП", &o.company.kpp)?;
    }
    x.text("Роль", "Покупатель")?;
    x.open("АдресРегистрации")?;
    x.text("Представление", &o.company.legal_address)?;
    x.close("АдресРегистрации")?;
    x.close("Контрагент")?;
    x.close("Контрагенты")?;
    if !order.comment.is_empty() {
        x.text("Комментарий", &order.comment)?;
    }
    x.open("Налоги")?;
    x.open("Налог")?;
    x.text("Наименование", "НДС")?;
    x.text("УчтеноВСумме", "true")?;
    x.text("Сумма", &money(order.vat_minor))?;
    x.close("Налог")?;
    x.close("Налоги")?;
    x.open("Товары")?;
    for (line, offer_id) in &o.lines {
        x.open("Товар")?;
        x.text("Ид", offer_id)?;
        x.text("Артикул", &line.sku)?;
        x.text("Наименование", &line.name)?;
        let mut unit = BytesStart::new("БазоваяЕдиница");
        let unit_name = xml_safe(&line.unit);
        unit.push_attribute(("НаименованиеПолное", unit_name.as_ref()));
        x.writer.write_event(Event::Start(unit))?;
        x.writer.write_event(Event::Text(BytesText::new(&unit_name)))?;
        x.close("БазоваяЕдиница")?;
        x.text("ЦенаЗаЕдиницу", &money(line.price_minor))?;
        x.text("Количество", &Qty(line.quantity).plain())?;
        x.text("Сумма", &money(line.amount_minor))?;
        write_discounts(x, line)?;
        if let Some(rate) = line.vat_rate {
            write_line_vat(x, rate, line.vat_minor)?;
        }
        x.open("ЗначенияРеквизитов")?;
        x.requisite("ВидНоменклатуры", "Товар")?;
        x.requisite("ТипНоменклатуры", "Товар")?;
        x.requisite("Зарезервировано", &Qty(line.reserved).plain())?;
        x.close("ЗначенияРеквизитов")?;
        x.close("Товар")?;
    }
    if let Some(delivery) = &o.delivery {
        write_service(x, delivery)?;
    }
    x.close("Товары")?;
    x.open("ЗначенияРеквизитов")?;
    x.requisite("Статус заказа", order.status.as_str())?;
    x.requisite("Заказ оплачен", if order.paid_minor >= order.total_minor { "true" } else { "false" })?;
    x.requisite("Отменен", if order.status == OrderStatus::Cancelled { "true" } else { "false" })?;
    let deadline = order.reservation_deadline.map(|d| local(zone, d).format("%Y-%m-%dT%H:%M:%S").to_string());
    let deadline = deadline.unwrap_or_default();
    x.requisite("Резерв до", &deadline)?;
    x.requisite("Номер заказа покупателя", &order.po_number)?;
    x.requisite("Договор", &o.contract_number)?;
    x.requisite("Адрес доставки", &order.delivery_address)?;
    x.close("ЗначенияРеквизитов")?;
    x.close("Документ")
}
