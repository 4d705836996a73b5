//! The order writer's output as an insta snapshot (`snapshots/`): orders built
//! in memory, written as windows-1251 (what the folder channel and 1C get) and
//! decoded to text for review, so a change to the file 1C reads shows as a diff.
//! The UTF-8 variant must say the same, and our own reader must read back what
//! was written.

use chrono::{NaiveDate, NaiveDateTime};
use portal::accounts::Company;
use portal::ordering::export::OrderForErp;
use portal::ordering::orders::{Order, OrderLine};
use portal::ordering::status::{OrderStatus, SyncState};
use portal::terms::delivery::ServiceLine;

use crate::commerceml::writer::{write_orders, OutputEncoding};
use crate::commerceml::{read_to_vec, Item};
use portal::ids::{CompanyId, OfferId, OrderId, UserId};

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d).and_then(|date| date.and_hms_opt(h, min, 0)).expect("valid time")
}

fn company(id: i64, external_id: Option<&str>, name: &str, inn: &str, kpp: &str) -> Company {
    Company {
        id,
        external_id: external_id.map(str::to_string),
        name: name.into(),
        inn: inn.into(),
        kpp: kpp.into(),
        legal_address: "123456, г. Москва, ул. Складская, д. 12, стр. 3".into(),
        delivery_address: "Склад на Складской".into(),
        active: true,
        created_at: at(2026, 1, 15, 9, 0),
    }
}

fn order(id: i64, number: &str, status: OrderStatus, lines: &[OrderLine]) -> Order {
    Order {
        id: OrderId(id),
        number: number.into(),
        company_id: CompanyId(0),
        user_id: UserId(7),
        contract_id: 3,
        manager_id: Some(UserId(4)),
        status,
        delivery_address: "г. Мытищи, ул. Колпакова, д. 2А, ворота №3".into(),
        desired_date: None,
        po_number: String::new(),
        comment: String::new(),
        currency: "RUB".into(),
        total_minor: lines.iter().map(|l| l.amount_minor).sum(),
        vat_minor: lines.iter().map(|l| l.vat_minor).sum(),
        reservation_deadline: None,
        placed_at: at(2026, 11, 26, 10, 15),
        updated_at: at(2026, 11, 26, 10, 15),
        sync_state: SyncState::Pending,
        erp_number: None,
        locale: "ru".into(),
        paid_minor: 0,
        reservation_warned_at: None,
        delivery_method_id: None,
        payment_method_id: None,
        delivery_minor: 0,
        delivery_vat_minor: 0,
        prepayment_minor: 0,
    }
}

/// A row: (line no, SKU, name, unit, quantity and reserved in thousandths, price in kopecks, VAT rate).
type Row<'a> = (i32, &'a str, &'a str, &'a str, i64, i64, i64, Option<i32>);

fn line(order_id: i64, row: Row) -> OrderLine {
    let (line_no, sku, name, unit, quantity, reserved, price_minor, vat_rate) = row;
    let amount_minor = price_minor * quantity / 1000;
    let vat_minor = vat_rate.map_or(0, |rate| amount_minor * i64::from(rate) / (100 + i64::from(rate)));
    OrderLine {
        id: order_id * 10 + i64::from(line_no),
        order_id: OrderId(order_id),
        line_no,
        offer_id: OfferId(500 + i64::from(line_no)),
        sku: sku.into(),
        name: name.into(),
        unit: unit.into(),
        quantity,
        reserved,
        backordered: quantity - reserved,
        shipped: 0,
        price_minor,
        vat_rate,
        amount_minor,
        vat_minor,
        held: reserved,
        adjustments: "[]".into(),
    }
}

/// Lines with their offers' ids in the ERP.
fn with_offer_ids(lines: Vec<OrderLine>) -> Vec<(OrderLine, String)> {
    lines.into_iter().map(|l| (format!("offer-{}", l.sku.to_lowercase()), l)).map(|(id, l)| (l, id)).collect()
}

/// Three orders covering what the writer has branches for.
fn orders() -> Vec<OrderForErp> {
    // A new order of an ООО (ИНН and КПП, known to the ERP): VAT at two rates and
    // a line without, a fractional quantity, a partial reserve, characters XML
    // must escape, one windows-1251 lacks (→ a character reference) and a
    // control character XML forbids (→ a space).
    let lines: Vec<OrderLine> = [
        (1, "BLT-933-8X20", "Болт DIN 933 М8×20 «оцинк.» <кл. 8.8> & шайба", "шт", 50_000, 50_000, 1_250, Some(20)),
        (2, "GR-5", "Крупа гречневая \"Ядрица\", 2,5 кг 😀", "кг", 2_500, 1_000, 12_000, Some(10)),
        (3, "SRV-DELIVERY", "Доставка\u{7} до склада", "усл", 1_000, 0, 150_000, None),
    ]
    .into_iter()
    .map(|row| line(101, row))
    .collect();
    let mut placed = order(101, "2026-000101", OrderStatus::Reserved, &lines);
    placed.po_number = "PO-«77» 'A&B'".into();
    placed.comment = "Позвонить & уточнить <срочно>\nВторая строка".into();
    placed.reservation_deadline = Some(at(2026, 12, 1, 20, 59));
    let placed = OrderForErp {
        order: placed,
        company: company(1, Some("b2f1c0de-0001"), "ООО «СтройМаркет»", "7701234564", "770101001"),
        contract_number: "ОПТ-2026/014".into(),
        lines: with_offer_ids(lines),
        delivery: None,
    };

    // A cancelled order of a sole proprietor: 12-digit ИНН, no КПП, no ERP id,
    // part paid.
    // Its line carries a contract discount, a rule's, a promo code's and a
    // manager's, and a price break (not a discount, so not written).
    let mut nail = line(102, (1, "GVZ-4028-40", "Гвоздь строительный 4,0×40", "кг", 10_000, 0, 21_990, Some(20)));
    nail.adjustments = serde_json::json!([
        {"source": "price_break", "value": 5_000, "amount_minor": -1_000},
        {"source": "contract", "value": 300, "amount_minor": -6_597},
        {"source": "rule", "value": 300, "amount_minor": -6_399, "name": "объём"},
        {"source": "promo", "value": 0, "amount_minor": -5_000, "name": "WELCOME5"},
        {"source": "manual", "value": 100, "amount_minor": -2_067},
    ])
    .to_string();
    let lines = vec![nail];
    let mut cancelled = order(102, "2026-000102", OrderStatus::Cancelled, &lines);
    cancelled.paid_minor = 100_000;
    let cancelled = OrderForErp {
        order: cancelled,
        company: company(2, None, "ИП Сидоров Пётр Алексеевич", "502912345678", ""),
        contract_number: "Б/Н".into(),
        lines: with_offer_ids(lines),
        delivery: None,
    };

    // A paid order of a company without ИНН and КПП (not yet filled in),
    // delivered by the supplier for 1 200,00 ₽ with 20 % VAT: a service item.
    let lines = vec![line(103, (1, "TAPE-48", "Скотч 48 мм × 66 м", "шт", 40_000, 40_000, 9_900, Some(20)))];
    let mut paid = order(103, "2026-000103", OrderStatus::Paid, &lines);
    let delivery = ServiceLine {
        code: "own".into(),
        name_ru: "Доставка: Доставка нашим транспортом".into(),
        name_en: "Delivery: Our own delivery".into(),
        amount_minor: 120_000,
        vat_minor: 20_000,
        vat_rate: Some(20),
    };
    paid.delivery_method_id = Some(2);
    paid.delivery_minor = delivery.amount_minor;
    paid.delivery_vat_minor = delivery.vat_minor;
    paid.total_minor += delivery.amount_minor;
    paid.vat_minor += delivery.vat_minor;
    paid.paid_minor = paid.total_minor;
    let paid = OrderForErp {
        order: paid,
        company: company(3, Some("b2f1c0de-0003"), "Tech & Co <Ltd>", "", ""),
        contract_number: "EN-1".into(),
        lines: with_offer_ids(lines),
        delivery: Some(delivery),
    };
    vec![placed, cancelled, paid]
}

fn generated() -> NaiveDateTime {
    at(2026, 11, 26, 12, 0)
}

#[test]
fn orders_in_windows_1251_match_the_snapshot() {
    let bytes =
        write_orders(&orders(), OutputEncoding::Windows1251, generated(), chrono_tz::Europe::Moscow).expect("writes");
    assert!(bytes.starts_with(b"<?xml version=\"1.0\" encoding=\"windows-1251\"?>"));
    let (text, _, had_errors) = encoding_rs::WINDOWS_1251.decode(&bytes);
    assert!(!had_errors);
    insta::assert_snapshot!("orders.windows-1251", text);
}

/// Characters windows-1251 lacks (×, emoji) as the numeric character references it writes.
fn as_in_windows_1251(text: &str) -> String {
    text.chars()
        .map(|c| {
            let (_, _, unmappable) = encoding_rs::WINDOWS_1251.encode(c.encode_utf8(&mut [0; 4]));
            if unmappable {
                format!("&#{};", u32::from(c))
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[test]
fn times_are_the_suppliers_wall_clock() {
    // 12:00 UTC is 15:00 in Moscow and 19:00 in Novosibirsk.
    let text = |zone| {
        String::from_utf8(write_orders(&orders(), OutputEncoding::Utf8Bom, generated(), zone).expect("writes"))
            .expect("UTF-8")
    };
    assert!(text(chrono_tz::Europe::Moscow).contains("ДатаФормирования=\"2026-11-26T15:00:00\""));
    assert!(text(chrono_tz::Asia::Novosibirsk).contains("ДатаФормирования=\"2026-11-26T19:00:00\""));
}

#[test]
fn utf8_says_the_same_with_a_bom() {
    let orders = orders();
    let utf8 = write_orders(&orders, OutputEncoding::Utf8Bom, generated(), chrono_tz::Europe::Moscow).expect("writes");
    let text = std::str::from_utf8(utf8.strip_prefix(&[0xEF, 0xBB, 0xBF][..]).expect("a BOM")).expect("UTF-8");
    assert!(text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
    let cp1251 =
        write_orders(&orders, OutputEncoding::Windows1251, generated(), chrono_tz::Europe::Moscow).expect("writes");
    let cp1251 = encoding_rs::WINDOWS_1251.decode(&cp1251).0;
    let expected = as_in_windows_1251(&text.replacen("encoding=\"UTF-8\"", "encoding=\"windows-1251\"", 1));
    let differing = expected.lines().zip(cp1251.lines()).find(|(a, b)| a != b);
    assert!(expected == cp1251, "the encodings say different things: {differing:?}");
}

#[test]
fn our_reader_reads_back_what_was_written() {
    let orders = orders();
    for encoding in [OutputEncoding::Windows1251, OutputEncoding::Utf8Bom] {
        let bytes = write_orders(&orders, encoding, generated(), chrono_tz::Europe::Moscow).expect("writes");
        let (items, _) = read_to_vec(&bytes[..]).expect("reads");
        let documents: Vec<_> =
            items.into_iter().filter_map(|i| if let Item::Document(d) = i { Some(d) } else { None }).collect();
        assert_eq!(documents.len(), orders.len());
        for (document, written) in documents.iter().zip(&orders) {
            assert_eq!(document.number.as_deref(), Some(written.order.number.as_str()));
            assert_eq!(document.counterparties[0].name, written.company.name);
            let names: Vec<&str> = document.lines.iter().map(|l| l.name.as_str()).collect();
            let expected: Vec<String> = written
                .lines
                .iter()
                .map(|(l, _)| l.name.replace('\u{7}', " "))
                .chain(written.delivery.iter().map(|d| d.name_ru.clone()))
                .collect();
            assert_eq!(names, expected, "goods, then the delivery as a service");
        }
        assert_eq!(documents[0].comment.as_deref(), Some("Позвонить & уточнить <срочно>\nВторая строка"));
        assert_eq!(documents[0].requisite("Номер заказа покупателя"), Some("PO-«77» 'A&B'"));
        assert_eq!(documents[1].requisite("Отменен"), Some("true"));
    }
}
