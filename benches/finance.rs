//! Finance benchmark: `cargo bench --bench finance`.
//!
//! On the demo data, gives one contract a ledger of 20,000 documents in the
//! period (plus older ones) and measures the reconciliation statement built
//! and drawn as PDF and as XLSX, and the checkout's credit check over that
//! ledger; then imports a 100,000-row ledger file (CSV, three contracts)
//! through the same path as every exchange file, and the same file again.
//! `BENCH_DATABASE_URL` points it at PostgreSQL (emptied first is up to you).

#[path = "common/allocator.rs"]
mod allocator;

use std::io::Cursor;
use std::time::{Duration, Instant};

use chrono::{Duration as Span, NaiveDate};
use diesel::prelude::*;
use portal::accounts::Contract;
use portal::db::schema::{contracts, ledger_entries};
use portal::db::{Db, DbConn};
use portal::finance::{credit, statement, today, EntryKind, EntrySource};
use portal::money::Money;
use portal::per_backend;

const CONTRACT: &str = "ОПТ-2026/014";

fn fill_ledger(conn: &mut DbConn, contract: &Contract, count: usize, from: NaiveDate) -> anyhow::Result<()> {
    diesel::delete(ledger_entries::table.filter(ledger_entries::contract_id.eq(contract.id))).execute(conn)?;
    let now = chrono::Utc::now().naive_utc();
    for start in (0..count).step_by(1000) {
        let rows: Vec<_> = (start..(start + 1000).min(count))
            .map(|i| {
                let date = from + Span::days((i % 360) as i64);
                let payment = i % 3 == 2;
                (
                    ledger_entries::contract_id.eq(contract.id),
                    ledger_entries::kind.eq(if payment { EntryKind::Payment } else { EntryKind::Shipment }),
                    ledger_entries::number.eq(format!("B-{i:06}")),
                    ledger_entries::entry_date.eq(date),
                    ledger_entries::debit_minor.eq(if payment { 0 } else { 123_450 + i as i64 }),
                    ledger_entries::credit_minor.eq(if payment { 200_000 } else { 0 }),
                    ledger_entries::due_date.eq(if payment { None } else { Some(date + Span::days(14)) }),
                    ledger_entries::source.eq(EntrySource::Erp),
                    ledger_entries::updated_at.eq(now),
                )
            })
            .collect();
        per_backend!(conn, |c| diesel::insert_into(ledger_entries::table).values(&rows).execute(c))?;
    }
    Ok(())
}

/// A ledger where payments cover every debt but the last `open`: the usual
/// case, a long history and a few invoices to pay.
fn fill_settled_ledger(
    conn: &mut DbConn,
    contract: &Contract,
    count: usize,
    open: usize,
    from: NaiveDate,
) -> anyhow::Result<()> {
    diesel::delete(ledger_entries::table.filter(ledger_entries::contract_id.eq(contract.id))).execute(conn)?;
    let now = chrono::Utc::now().naive_utc();
    let debts = count / 2;
    for start in (0..count).step_by(1000) {
        let rows: Vec<_> = (start..(start + 1000).min(count))
            .map(|i| {
                let (debt, n) = (i % 2 == 0, i / 2);
                let date = from + Span::days((n * 360 / debts) as i64);
                let paid = !debt && n < debts - open;
                (
                    ledger_entries::contract_id.eq(contract.id),
                    ledger_entries::kind.eq(if debt { EntryKind::Shipment } else { EntryKind::Payment }),
                    ledger_entries::number.eq(format!("S-{i:06}")),
                    ledger_entries::entry_date.eq(date),
                    ledger_entries::debit_minor.eq(if debt { 150_000 } else { 0 }),
                    ledger_entries::credit_minor.eq(if paid { 150_000 } else { 0 }),
                    ledger_entries::due_date.eq(if debt { Some(date + Span::days(30)) } else { None }),
                    ledger_entries::source.eq(EntrySource::Erp),
                    ledger_entries::updated_at.eq(now),
                )
            })
            .collect();
        per_backend!(conn, |c| diesel::insert_into(ledger_entries::table).values(&rows).execute(c))?;
    }
    Ok(())
}

fn timed<T>(runs: usize, mut f: impl FnMut() -> anyhow::Result<T>) -> anyhow::Result<(Vec<Duration>, T)> {
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..runs {
        let started = Instant::now();
        last = Some(f()?);
        times.push(started.elapsed());
    }
    times.sort();
    Ok((times, last.ok_or_else(|| anyhow::anyhow!("no runs"))?))
}

fn ledger_csv(rows: usize) -> String {
    let contracts = [("ОПТ-2026/014", "7701234564"), ("ДЛР-2026/003", "7802345670"), ("РЗН-2026/121", "660700123456")];
    let mut text = String::from("Договор;ИНН;Вид документа;Номер;Дата;Дебет;Кредит;Срок оплаты\n");
    let start = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap_or_default();
    for i in 0..rows {
        let (contract, inn) = contracts[i % 3];
        let date = (start + Span::days((i % 700) as i64)).format("%d.%m.%Y");
        if i % 4 == 3 {
            text.push_str(&format!("{contract};{inn};Поступление на расчётный счёт;ПП-{i};{date};;1 500,00;\n"));
        } else {
            text.push_str(&format!("{contract};{inn};Реализация товаров и услуг;РН-{i};{date};1 234,56;;\n"));
        }
    }
    text
}

fn main() -> anyhow::Result<()> {
    let url = match std::env::var("BENCH_DATABASE_URL") {
        Ok(url) => url,
        Err(_) => {
            std::fs::create_dir_all("target/bench")?;
            let path = "target/bench/finance.db";
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{path}{suffix}"));
            }
            path.to_string()
        }
    };
    let db = Db::connect(&url, 4)?;
    let mut conn = db.conn()?;
    portal::demo::load(&mut conn)?;
    let contract: Contract =
        contracts::table.filter(contracts::number.eq(CONTRACT)).select(Contract::as_select()).first(&mut *conn)?;
    let today = today(&mut conn)?;
    let from = today - Span::days(365);
    fill_ledger(&mut conn, &contract, 20_000, from)?;
    let to = from + Span::days(360);

    let (times, built) = timed(3, || Ok(statement::build(&mut conn, &contract, from, to, "ru")?))?;
    println!(
        "statement of {} documents, read and built: best {:.1?}, median {:.1?}",
        built.rows.len(),
        times[0],
        times[1]
    );
    let (times, pdf) = timed(3, || {
        let s = statement::build(&mut conn, &contract, from, to, "ru")?;
        portal::invoices::pdf::render_statement(&s).map_err(anyhow::Error::from)
    })?;
    println!("  as PDF ({} KiB): best {:.1?}, median {:.1?}", pdf.len() / 1024, times[0], times[1]);
    let (times, xlsx) = timed(3, || {
        let s = statement::build(&mut conn, &contract, from, to, "ru")?;
        Ok(statement::xlsx(&s)?)
    })?;
    println!("  as XLSX ({} KiB): best {:.1?}, median {:.1?}", xlsx.len() / 1024, times[0], times[1]);

    let (times, verdict) = timed(21, || Ok(credit::check(&mut conn, &contract, Money(100_000), today)?))?;
    println!(
        "credit check over a 20,000-document ledger ({verdict:?}): best {:.2?}, median {:.2?}",
        times[0], times[10]
    );
    let settled: Contract = contracts::table
        .filter(contracts::number.eq("ДЛР-2026/003"))
        .select(Contract::as_select())
        .first(&mut *conn)?;
    fill_settled_ledger(&mut conn, &settled, 20_000, 30, from)?;
    let (times, verdict) = timed(21, || Ok(credit::check(&mut conn, &settled, Money(100_000), today)?))?;
    println!(
        "credit check over a 20,000-document ledger with 30 debts open ({verdict:?}): best {:.2?}, median {:.2?}",
        times[0], times[10]
    );
    drop(conn);

    let csv = ledger_csv(100_000);
    for pass in ["first", "again"] {
        let started = Instant::now();
        let (_, ok) = connector::file_import::import_reader(
            &db,
            "ledger.csv",
            csv.len() as u64,
            Cursor::new(csv.as_bytes()),
            &portal::media::NoFiles,
            false,
            portal::journal::Trigger::Cli,
            &mut |_| {},
        )?;
        println!("ledger file of 100,000 rows ({} MiB), {pass}: {:.2?} (ok: {ok})", csv.len() >> 20, started.elapsed());
    }
    Ok(())
}
