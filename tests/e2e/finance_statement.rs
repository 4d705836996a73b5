//! The reconciliation statement (акт сверки) end to end: its balances add
//! up in the XLSX and in the PDF's text, the period is respected, another
//! company's statement is not found and a backwards period is refused.

use serde_json::json;

use crate::finance::{clean_slate, day, ledger_row, ADMIN};
use crate::ordering::send;
use crate::support::{spawn_app, TestApp, BUYER, BUYER2};

async fn fetch(app: &TestApp, token: &str, path: &str) -> (u16, String, Vec<u8>) {
    let response = reqwest::Client::new().get(app.url(path)).bearer_auth(token).send().await.expect("get");
    let status = response.status().as_u16();
    let kind = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    (status, kind, response.bytes().await.expect("body").to_vec())
}

/// (label, debit, credit) of the statement's summary rows, read from the workbook.
fn xlsx_summaries(bytes: Vec<u8>) -> (Vec<(String, f64, f64)>, f64, f64) {
    use calamine::{Data, Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).expect("an xlsx");
    let sheet = book.worksheet_range_at(0).expect("a sheet").expect("readable");
    let number = |cell: Option<&Data>| match cell {
        Some(Data::Float(f)) => *f,
        Some(Data::Int(i)) => *i as f64,
        _ => 0.0,
    };
    let mut summaries = Vec::new();
    let (mut debits, mut credits) = (0.0, 0.0);
    for row in sheet.rows() {
        let first = row.first().map(|c| c.to_string()).unwrap_or_default();
        if first.starts_with("Сальдо") || first.starts_with("Обороты") {
            summaries.push((first, number(row.get(2)), number(row.get(3))));
        } else if first.len() == 10 && first.chars().nth(2) == Some('.') {
            debits += number(row.get(2));
            credits += number(row.get(3));
        }
    }
    (summaries, debits, credits)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_statement_adds_up_in_pdf_and_xlsx() {
    let app = spawn_app().await;
    let contract = clean_slate(&app).await;
    let admin = app.token(ADMIN.0, ADMIN.1).await;
    let buyer = app.token(BUYER.0, BUYER.1).await;
    let rows = json!({"rows": [
        ledger_row("shipment", "РН-1", 90, 100_000, 0),
        ledger_row("payment", "ПП-1", 80, 0, 30_000),
        ledger_row("shipment", "РН-2", 20, 50_000, 0),
        ledger_row("payment", "ПП-2", 10, 0, 20_000),
        ledger_row("return", "ВЗ-1", 5, 0, 5_000),
    ]});
    let (status, body) = send(&app, &admin, "POST", "/api/v1/erp/ledger", rows).await;
    assert_eq!(status, 200, "{body}");
    let period = format!("contract_id={contract}&from={}&to={}", day(30), day(0));

    let (status, kind, xlsx) = fetch(&app, &buyer, &format!("/api/v1/finance/statement?{period}&format=xlsx")).await;
    assert_eq!(status, 200);
    assert!(kind.contains("spreadsheetml"), "{kind}");
    let (summaries, debits, credits) = xlsx_summaries(xlsx);
    let values: Vec<(f64, f64)> = summaries.iter().map(|(_, d, c)| (*d, *c)).collect();
    // Opening 700,00 owed; 500,00 shipped, 250,00 paid and returned; 950,00 owed.
    assert_eq!(values, [(700.0, 0.0), (500.0, 250.0), (950.0, 0.0)], "{summaries:?}");
    assert_eq!((debits, credits), (500.0, 250.0), "the documents add up to the turnover");
    let (opening, turnover, closing) = (values[0], values[1], values[2]);
    assert_eq!(opening.0 - opening.1 + turnover.0 - turnover.1, closing.0 - closing.1);

    let (status, kind, pdf) = fetch(&app, &buyer, &format!("/api/v1/finance/statement?{period}")).await;
    assert_eq!(status, 200);
    assert_eq!(kind, "application/pdf");
    let text = portal::invoices::pdf_text::page_texts(&pdf).expect("the PDF reads back");
    assert!(text.contains("Акт сверки взаимных расчётов"), "{text}");
    for line in ["Сальдо начальное | 700,00", "Обороты за период | 500,00 | 250,00", "Сальдо конечное | 950,00"]
    {
        assert!(text.contains(line), "{line:?} in {text}");
    }
    assert!(text.contains("Девятьсот пятьдесят рублей"), "the closing balance in words: {text}");
    assert!(text.contains("ВЗ-1") && !text.contains("РН-1 "), "only the period's documents: {text}");

    // Another company's statement is not found, on the API and the page.
    let other = app.token(BUYER2.0, BUYER2.1).await;
    let (status, _, _) = fetch(&app, &other, &format!("/api/v1/finance/statement?{period}")).await;
    assert_eq!(status, 404);
    let page = app.login(BUYER2.0, BUYER2.1).await;
    let response = page.get(app.url(&format!("/finance/statement?contract={contract}"))).send().await.expect("get");
    assert_eq!(response.status(), 404);
    // A period that ends before it starts is refused.
    let backwards = format!("contract_id={contract}&from={}&to={}", day(0), day(30));
    let (status, _, _) = fetch(&app, &buyer, &format!("/api/v1/finance/statement?{backwards}")).await;
    assert_eq!(status, 422);
}
