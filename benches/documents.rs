//! Printable documents benchmark: `cargo bench --bench documents`.
//!
//! Renders the order card (`invoices::pdf::render_order_card`) of a
//! 500-line order — long names, every column filled, a history of ten
//! events — and reports the median and worst of 20 renderings and the
//! file's size; the file is left in `target/bench/order-card-500.pdf` to
//! look at.

#[path = "common/allocator.rs"]
mod allocator;

use std::time::{Duration, Instant};

use portal::invoices::document::InvoiceLocale;
use portal::ordering::order_card::OrderCard;

fn card(lines: usize) -> OrderCard {
    let names = [
        "Болт DIN 933 М8х40 оцинкованный, класс прочности 8.8",
        "Гайка DIN 934 М10 оцинкованная",
        "Саморез по металлу 4,2х19 с прессшайбой, острый, цинк",
        "Анкер клиновой М12х120 для бетона и камня",
    ];
    let text = |s: &str| s.to_string();
    OrderCard {
        locale: InvoiceLocale::Ru,
        title: text("Заказ ОПТ-2026-001024"),
        facts: vec![
            (text("Покупатель"), text("ООО «СтройМонтаж»")),
            (text("Договор"), text("Д-17/2026")),
            (text("Оформлен"), text("04.12.2026 10:15")),
            (text("Статус"), text("Зарезервирован")),
            (text("Адрес доставки"), text("г. Москва, ул. Складская, д. 5, стр. 2, ворота 3")),
        ],
        columns: ["№", "Артикул · товар", "Кол-во", "Ед.", "В резерве", "Отгружено", "Цена", "Сумма"].map(text),
        lines: (0..lines)
            .map(|i| {
                [
                    (i + 1).to_string(),
                    format!("BLT-{i:05} · {}", names[i % names.len()]),
                    format!("{}", 10 + i % 90),
                    text("шт"),
                    format!("{}", 10 + i % 90),
                    String::new(),
                    format!("{},{:02}", 12 + i % 300, i % 100),
                    format!("{} {:03},{:02}", 1 + i % 40, i % 1000, i % 100),
                ]
            })
            .collect(),
        totals: vec![(text("в т. ч. НДС"), text("123 456,78")), (text("Итого"), text("740 740,68"))],
        documents_title: text("Документы"),
        documents: vec![text("Счёт 1024 · 04.12.2026 10:15 · 740 740,68")],
        history_title: text("История"),
        history: (0..10).map(|i| (format!("04.12.2026 10:{i:02}"), text("Менеджер: Зарезервирован"))).collect(),
    }
}

fn main() -> anyhow::Result<()> {
    let card = card(500);
    let mut times: Vec<Duration> = Vec::new();
    let mut size = 0;
    for _ in 0..20 {
        let started = Instant::now();
        let pdf = portal::invoices::pdf::render_order_card(&card)?;
        times.push(started.elapsed());
        size = pdf.len();
    }
    let path = "target/bench/order-card-500.pdf";
    std::fs::create_dir_all("target/bench")?;
    std::fs::write(path, portal::invoices::pdf::render_order_card(&card)?)?;
    times.sort();
    println!(
        "order card, 500 lines: median {:.1?}, worst {:.1?} of {} ({} KiB)",
        times[times.len() / 2],
        times[times.len() - 1],
        times.len(),
        size / 1024
    );
    Ok(())
}
