//! PDF rendering of an invoice ("Счёт на оплату") on A4 portrait, in the usual Russian form.
//!
//! [`render`] only puts the steps in order: the form is laid out block by block onto a
//! canvas (`layout::Canvas`) as positioned text runs and rules per page (`heading`, `table`,
//! `closing`, with `layout` for measuring and drawing and `labels` for every text), then the pages
//! are written with printpdf and font subsets (`emit`, `fonts`), and finally the file id is made
//! reproducible (`determinism`). This module must never draw, measure or word anything itself, and
//! the public surface stays [`render`], [`render_statement`] (the reconciliation statement, laid
//! out by `statement` on the same canvas), [`render_order_card`] and [`render_pick_list`] (laid out
//! by `order_card` and `pick_list` from `grid`'s blocks) and [`PdfError`]: everything else is
//! private to `pdf`.

mod closing;
mod determinism;
mod emit;
mod fonts;
mod grid;
mod heading;
mod labels;
mod layout;
mod order_card;
mod pick_list;
mod statement;
mod table;
#[cfg(test)]
mod text_snapshot;

use super::document::InvoiceDocument;

/// Why an invoice could not be rendered.
#[derive(Debug, Clone, thiserror::Error)]
pub enum PdfError {
    /// A bundled font could not be read or cut down to the glyphs used.
    #[error("font {font}: {reason}")]
    Font {
        /// Which font ("DejaVuSans" or "DejaVuSans-Bold").
        font: &'static str,
        /// What went wrong.
        reason: String,
    },
    /// printpdf reported errors while writing the document.
    #[error("PDF serialisation failed: {0}")]
    Serialize(String),
}

/// Renders the invoice as a PDF file (A4 portrait, as many pages as the lines need).
///
/// Text is real, extractable text in DejaVu Sans, subset to the glyphs used. The output is
/// deterministic for a given document.
pub fn render(doc: &InvoiceDocument) -> Result<Vec<u8>, PdfError> {
    let faces = fonts::Faces::get()?;
    let l = labels::labels(doc.locale);

    let mut c = layout::Canvas::new(faces);
    heading::bank_block(&mut c, doc, l);
    heading::title(&mut c, doc);
    heading::parties(&mut c, doc, l);
    table::lines_table(&mut c, doc, l);
    closing::totals(&mut c, doc, l);
    closing::signatures(&mut c, doc, l);
    let mut pages = c.finish();
    closing::page_numbers(&mut pages, faces, l);

    let mut bytes = emit::write(&pages, faces, &labels::metadata_title(doc))?;
    determinism::stable_file_id(&mut bytes);
    Ok(bytes)
}

/// Renders a reconciliation statement (акт сверки) as a PDF file, A4
/// portrait, with the same fonts and reproducibility as invoices.
pub fn render_statement(s: &crate::finance::statement::Statement) -> Result<Vec<u8>, PdfError> {
    let faces = fonts::Faces::get()?;
    let mut c = layout::Canvas::new(faces);
    statement::draw(&mut c, s);
    let mut pages = c.finish();
    closing::page_numbers(&mut pages, faces, labels::labels(s.locale));
    let title = format!("{} {}", crate::finance::statement::words(s.locale).title, s.contract);
    let mut bytes = emit::write(&pages, faces, &title)?;
    determinism::stable_file_id(&mut bytes);
    Ok(bytes)
}

/// Renders an order card (`ordering::order_card`) as a PDF file, A4
/// portrait, with the same fonts and reproducibility as invoices.
pub fn render_order_card(card: &crate::ordering::order_card::OrderCard) -> Result<Vec<u8>, PdfError> {
    render_laid_out(card.locale, &card.title, |c| order_card::draw(c, card))
}

/// Renders a pick list (`ordering::pick_list`) as a PDF file, A4 portrait.
pub fn render_pick_list(list: &crate::ordering::pick_list::PickList) -> Result<Vec<u8>, PdfError> {
    render_laid_out(list.locale, &list.title, |c| pick_list::draw(c, list))
}

/// Lays a document out with `draw`, numbers its pages and writes it.
fn render_laid_out(
    locale: super::document::InvoiceLocale,
    title: &str,
    draw: impl FnOnce(&mut layout::Canvas),
) -> Result<Vec<u8>, PdfError> {
    let faces = fonts::Faces::get()?;
    let mut c = layout::Canvas::new(faces);
    draw(&mut c);
    let mut pages = c.finish();
    closing::page_numbers(&mut pages, faces, labels::labels(locale));
    let mut bytes = emit::write(&pages, faces, title)?;
    determinism::stable_file_id(&mut bytes);
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::invoices::document::{BankDetails, InvoiceLine, InvoiceLocale, Requisites};
    use crate::invoices::words::{rubles_in_words_en, rubles_in_words_ru};

    fn party(name: &str, inn: &str, kpp: &str, address: &str) -> Requisites {
        Requisites { name: name.into(), inn: inn.into(), kpp: kpp.into(), address: address.into() }
    }

    /// A realistic invoice with `n` lines, VAT 20 % included.
    fn sample(n: usize, locale: InvoiceLocale) -> InvoiceDocument {
        let names = [
            "Перчатки нитриловые смотровые неопудренные, размер M, упаковка 100 шт.",
            "Бумага офисная А4, 80 г/м², 500 листов",
            "Скотч упаковочный прозрачный 48 мм × 66 м",
            "Плёнка стрейч 500 мм, 20 мкм, 1,8 кг, первичное сырьё, для ручной упаковки паллет",
            "Коробка картонная 600×400×400 мм, трёхслойный гофрокартон Т-23",
        ];
        let units = ["уп", "пач", "шт", "рул", "шт"];
        let lines: Vec<InvoiceLine> = (0..n)
            .map(|i| {
                let qty = (i % 7 + 1) as i64 * 10;
                let price = 12_345 + (i as i64 * 7_919) % 250_000;
                InvoiceLine {
                    name: names[i % names.len()].to_string(),
                    sku: format!("OPT-{:05}", 1000 + i),
                    quantity: qty.to_string(),
                    unit: units[i % units.len()].to_string(),
                    price_minor: price,
                    amount_minor: price * qty,
                    vat_rate: Some(20),
                }
            })
            .collect();
        let total: i64 = lines.iter().map(|l| l.amount_minor).sum();
        InvoiceDocument {
            locale,
            number: "1024".into(),
            date: NaiveDate::from_ymd_opt(2026, 11, 26).expect("valid date"),
            valid_until: NaiveDate::from_ymd_opt(2026, 12, 3).expect("valid date"),
            supplier: party(
                "ООО «Оптовик»",
                "7701234567",
                "770101001",
                "123456, г. Москва, ул. Складская, д. 12, стр. 3, офис 405",
            ),
            bank: BankDetails {
                bank_name: "ПАО Сбербанк, г. Москва".into(),
                bik: "044525225".into(),
                account: "40702810938000012345".into(),
                correspondent_account: "30101810400000000225".into(),
            },
            director: "Иванов И. И.".into(),
            accountant: "Петрова А. С.".into(),
            buyer: party(
                "ООО «Ромашка-Трейд»",
                "5029123456",
                "502901001",
                "141002, Московская обл., г. Мытищи, ул. Колпакова, д. 2А, помещение 17",
            ),
            order_number: "ORD-2026-5678".into(),
            po_number: Some("PO-4471".into()),
            contract: Some("Договор ОПТ-2026/014 от 15 января 2026 г.".into()),
            lines,
            total_minor: total,
            discount_minor: 0,
            vat: vec![(20, total * 20 / 120)],
        }
    }

    /// Writes `pdf` to `$INVOICE_PDF_DIR/name` when that variable is set, to look at the output
    /// (e.g. `pdftoppm -png -r 80 invoice-50-ru.pdf page`).
    fn keep_for_inspection(name: &str, pdf: &[u8]) {
        if let Some(dir) = std::env::var_os("INVOICE_PDF_DIR") {
            std::fs::write(std::path::Path::new(&dir).join(name), pdf).expect("INVOICE_PDF_DIR is writable");
        }
    }

    /// The text pdftotext extracts from `pdf`, whitespace collapsed; `None` if pdftotext is not installed.
    fn pdftotext(pdf: &[u8]) -> Option<String> {
        static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("invoice-pdf-test-{}-{n}.pdf", std::process::id()));
        std::fs::write(&path, pdf).expect("temp dir is writable");
        let output = std::process::Command::new("pdftotext").arg(&path).arg("-").output();
        let _ = std::fs::remove_file(&path);
        let output = output.ok()?;
        assert!(output.status.success(), "pdftotext failed: {}", String::from_utf8_lossy(&output.stderr));
        Some(String::from_utf8_lossy(&output.stdout).split_whitespace().collect::<Vec<_>>().join(" "))
    }

    #[test]
    fn render_50_lines_ru() {
        let doc = sample(50, InvoiceLocale::Ru);
        let started = std::time::Instant::now();
        let pdf = render(&doc).expect("renders");
        let first = started.elapsed();
        let started = std::time::Instant::now();
        let again = render(&doc).expect("renders");
        eprintln!("50-line invoice: {} bytes; {first:?} first, {:?} again", pdf.len(), started.elapsed());
        assert!(again == pdf, "output is deterministic");
        assert!(pdf.starts_with(b"%PDF"));
        assert!(pdf.len() < 100_000, "PDF too large: {} bytes", pdf.len());
        keep_for_inspection("invoice-50-ru.pdf", &pdf);

        let Some(text) = pdftotext(&pdf) else {
            eprintln!("pdftotext not on PATH; text extraction not checked");
            return;
        };
        assert!(text.contains("Счёт на оплату № 1024 от 26 ноября 2026 г."), "{text}");
        assert!(text.contains("Всего наименований 50"), "{text}");
        assert!(text.contains(&rubles_in_words_ru(doc.total_minor)), "{text}");
        assert!(text.contains("ООО «Оптовик»"));
        assert!(text.contains("40702810938000012345"));
        assert!(text.contains("В том числе НДС 20%"));
        assert!(text.contains("Страница 2 из"));
    }

    #[test]
    fn render_en() {
        let doc = sample(3, InvoiceLocale::En);
        let pdf = render(&doc).expect("renders");
        assert!(pdf.starts_with(b"%PDF"));
        keep_for_inspection("invoice-3-en.pdf", &pdf);
        if let Some(text) = pdftotext(&pdf) {
            assert!(text.contains("Invoice No. 1024 dated 26 November 2026"), "{text}");
            assert!(text.contains("Total items 3"), "{text}");
            assert!(text.contains(&rubles_in_words_en(doc.total_minor)), "{text}");
            assert!(text.contains("incl. VAT 20%"), "{text}");
            assert!(text.contains("Chief accountant"), "{text}");
        }
    }

    #[test]
    fn render_edge_cases() {
        // No lines, zero amounts, no VAT, empty optional fields.
        let mut empty = sample(0, InvoiceLocale::Ru);
        empty.total_minor = 0;
        empty.vat.clear();
        empty.po_number = None;
        empty.contract = None;
        empty.supplier.kpp.clear();
        let pdf = render(&empty).expect("renders");
        if let Some(text) = pdftotext(&pdf) {
            assert!(text.contains("Без налога (НДС)"), "{text}");
            assert!(text.contains("Ноль рублей 00 копеек"), "{text}");
        }

        // Absurd field lengths and characters the font lacks.
        let mut odd = sample(2, InvoiceLocale::Ru);
        odd.lines[0].name = "Сверхдлинное наименование ".repeat(400);
        odd.lines[1].name = "X".repeat(5_000);
        odd.lines[1].sku = "ДлинныйАртикул".repeat(50);
        odd.lines[1].quantity = "1 000 000 000 000 000".into();
        odd.lines[1].price_minor = i64::MAX;
        odd.lines[1].amount_minor = i64::MIN;
        odd.total_minor = i64::MAX;
        odd.supplier.name = "ООО «Очень длинное название» 😀\u{7}\n\t".repeat(20);
        odd.bank.account = "4".repeat(80);
        odd.director = "Константинопольский-Ибн-Хаттаб Аристарх Вольдемарович".into();
        let odd_pdf = render(&odd).expect("renders");
        assert!(odd_pdf.starts_with(b"%PDF"));
        keep_for_inspection("invoice-odd.pdf", &odd_pdf);
        keep_for_inspection("invoice-empty.pdf", &pdf);

        // Many pages.
        let big = render(&sample(1000, InvoiceLocale::Ru)).expect("renders");
        assert!(big.starts_with(b"%PDF"));
        keep_for_inspection("invoice-1000-ru.pdf", &big);
    }
}
