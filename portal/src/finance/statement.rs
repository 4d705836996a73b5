//! The reconciliation statement (акт сверки взаиморасчётов) of a contract
//! for a period: the opening balance, every document of the period with
//! its debit or credit, the turnover and the closing balance — the
//! supplier's side filled, the buyer's left blank for their accountant —
//! and who owes whom at the end, in figures and words. Drawn as PDF
//! (`invoices::pdf::render_statement`) and as XLSX ([`xlsx`]).

use chrono::NaiveDate;
use diesel::prelude::*;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, XlsxError};

use super::ledger::Entry;
use crate::accounts::{Company, CompanyId, Contract};
use crate::db::schema::ledger_entries;
use crate::db::DbConn;
use crate::error::{Error, Result};
use crate::i18n;
use crate::invoices::document::{InvoiceLocale, Requisites};
use crate::invoices::words::{rubles_in_words_en, rubles_in_words_ru};
use crate::settings;

/// One document line of the statement.
#[derive(Debug, Clone)]
pub struct StatementRow {
    pub date: NaiveDate,
    /// Kind and number as printed ("Реализация № РН-101").
    pub document: String,
    pub debit_minor: i64,
    pub credit_minor: i64,
}

/// Everything the statement shows.
#[derive(Debug, Clone)]
pub struct Statement {
    pub locale: InvoiceLocale,
    pub supplier: Requisites,
    pub buyer: Requisites,
    pub contract: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Owed to the supplier at the start of `from` (negative: to the buyer).
    pub opening_minor: i64,
    pub rows: Vec<StatementRow>,
    pub debit_minor: i64,
    pub credit_minor: i64,
    /// opening + debits − credits.
    pub closing_minor: i64,
    pub director: String,
    pub accountant: String,
}

impl Statement {
    /// "As of …, the debt in favour of … is …" in the statement's language,
    /// with the amount in words.
    pub fn conclusion(&self) -> String {
        let amount = self.closing_minor.abs();
        let date = self.to.format("%d.%m.%Y");
        let figures = money(amount, self.locale);
        match self.locale {
            InvoiceLocale::Ru if self.closing_minor == 0 => {
                format!("По данным {} на {date} задолженность отсутствует.", self.supplier.name)
            }
            InvoiceLocale::Ru => {
                let creditor = if self.closing_minor > 0 { &self.supplier.name } else { &self.buyer.name };
                format!(
                    "По данным {} на {date} задолженность в пользу {creditor} составляет {figures} руб. ({}).",
                    self.supplier.name,
                    rubles_in_words_ru(amount)
                )
            }
            InvoiceLocale::En if self.closing_minor == 0 => {
                format!("According to {}, as of {date} there is no debt.", self.supplier.name)
            }
            InvoiceLocale::En => {
                let creditor = if self.closing_minor > 0 { &self.supplier.name } else { &self.buyer.name };
                format!(
                    "According to {}, as of {date} the debt in favour of {creditor} is {figures} RUB ({}).",
                    self.supplier.name,
                    rubles_in_words_en(amount)
                )
            }
        }
    }
}

/// An amount as printed on the statement ("1 234,50" / "1,234.50").
/// A date as `dd.mm.yyyy` (written per row of long statements: cheaper than `format`).
pub fn dmy(d: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{:02}.{:02}.{}", d.day(), d.month(), d.year())
}

pub fn money(minor: i64, locale: InvoiceLocale) -> String {
    crate::money::Money(minor).format(if locale == InvoiceLocale::En { "en" } else { "ru" })
}

/// Builds the statement of `contract` for `from..=to` in `lang`.
pub fn build(conn: &mut DbConn, contract: &Contract, from: NaiveDate, to: NaiveDate, lang: &str) -> Result<Statement> {
    if from > to {
        return Err(Error::Invalid("the period starts after it ends".into()));
    }
    let locale = if lang == "en" { InvoiceLocale::En } else { InvoiceLocale::Ru };
    let before: Vec<(i64, i64)> = ledger_entries::table
        .filter(ledger_entries::contract_id.eq(contract.id))
        .filter(ledger_entries::entry_date.lt(from))
        .select((ledger_entries::debit_minor, ledger_entries::credit_minor))
        .load(conn)?;
    let entries: Vec<Entry> = ledger_entries::table
        .filter(ledger_entries::contract_id.eq(contract.id))
        .filter(ledger_entries::entry_date.ge(from))
        .filter(ledger_entries::entry_date.le(to))
        .order((ledger_entries::entry_date, ledger_entries::id))
        .select(Entry::as_select())
        .load(conn)?;
    let number_sign = if locale == InvoiceLocale::En { "No." } else { "№" };
    let rows: Vec<StatementRow> = entries
        .iter()
        .map(|e| StatementRow {
            date: e.entry_date,
            document: format!("{} {number_sign} {}", i18n::text(lang, &format!("ledger.{}", e.kind), &[]), e.number),
            debit_minor: e.debit_minor,
            credit_minor: e.credit_minor,
        })
        .collect();
    let opening: i64 = before.iter().map(|(d, c)| d - c).sum();
    let debit: i64 = rows.iter().map(|r| r.debit_minor).sum();
    let credit: i64 = rows.iter().map(|r| r.credit_minor).sum();
    let company = Company::find(conn, CompanyId(contract.company_id))?;
    Ok(Statement {
        locale,
        supplier: crate::invoices::issue::supplier(conn)?,
        buyer: Requisites { name: company.name, inn: company.inn, kpp: company.kpp, address: company.legal_address },
        contract: contract.number.clone(),
        from,
        to,
        opening_minor: opening,
        rows,
        debit_minor: debit,
        credit_minor: credit,
        closing_minor: opening + debit - credit,
        director: crate::invoices::issue::setting(conn, settings::SUPPLIER_DIRECTOR)?,
        accountant: crate::invoices::issue::setting(conn, settings::SUPPLIER_ACCOUNTANT)?,
    })
}

/// The fixed texts of the statement per language.
pub struct Words {
    pub title: &'static str,
    pub period: &'static str,
    pub contract: &'static str,
    pub by_data_of: &'static str,
    pub columns: [&'static str; 4],
    pub opening: &'static str,
    pub turnover: &'static str,
    pub closing: &'static str,
    pub from_party: &'static str,
    pub director: &'static str,
    pub accountant: &'static str,
}

pub fn words(locale: InvoiceLocale) -> &'static Words {
    const RU: Words = Words {
        title: "Акт сверки взаимных расчётов",
        period: "за период с {from} по {to}",
        contract: "по договору {contract}",
        by_data_of: "По данным {party}, руб.",
        columns: ["Дата", "Документ", "Дебет", "Кредит"],
        opening: "Сальдо начальное",
        turnover: "Обороты за период",
        closing: "Сальдо конечное",
        from_party: "От {party}",
        director: "Руководитель",
        accountant: "Главный бухгалтер",
    };
    const EN: Words = Words {
        title: "Reconciliation statement",
        period: "for the period from {from} to {to}",
        contract: "under contract {contract}",
        by_data_of: "Per {party}, RUB",
        columns: ["Date", "Document", "Debit", "Credit"],
        opening: "Opening balance",
        turnover: "Turnover for the period",
        closing: "Closing balance",
        from_party: "For {party}",
        director: "Director",
        accountant: "Chief accountant",
    };
    if locale == InvoiceLocale::En {
        &EN
    } else {
        &RU
    }
}

/// A balance as the debit (owed to the supplier) or credit column shows it.
pub fn balance_columns(balance: i64) -> (i64, i64) {
    if balance >= 0 {
        (balance, 0)
    } else {
        (0, -balance)
    }
}

/// The statement as an .xlsx workbook: the same two-sided table, the
/// buyer's columns left empty, amounts as numbers with two decimals.
pub fn xlsx(statement: &Statement) -> Result<Vec<u8>> {
    write_xlsx(statement).map_err(|e| Error::Internal(format!("statement workbook: {e}")))
}

fn write_xlsx(s: &Statement) -> std::result::Result<Vec<u8>, XlsxError> {
    let w = words(s.locale);
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let bold = Format::new().set_bold();
    let title = Format::new().set_bold().set_font_size(13);
    let head = Format::new().set_bold().set_border(FormatBorder::Thin).set_align(FormatAlign::Center).set_text_wrap();
    let cell = Format::new().set_border(FormatBorder::Thin);
    let number = Format::new().set_border(FormatBorder::Thin).set_num_format("#,##0.00");
    let strong = Format::new().set_border(FormatBorder::Thin).set_bold().set_num_format("#,##0.00");
    let strong_text = Format::new().set_border(FormatBorder::Thin).set_bold();
    let date = dmy;
    let fill = |text: &str, pairs: &[(&str, String)]| {
        pairs.iter().fold(text.to_string(), |t, (k, v)| t.replace(&format!("{{{k}}}"), v))
    };
    for (col, width) in [12.0, 34.0, 14.0, 14.0, 12.0, 34.0, 14.0, 14.0].iter().enumerate() {
        sheet.set_column_width(col as u16, *width)?;
    }
    sheet.write_string_with_format(0, 0, w.title, &title)?;
    sheet.write_string(1, 0, fill(w.period, &[("from", date(s.from)), ("to", date(s.to))]))?;
    sheet.write_string(
        2,
        0,
        format!("{} {}", s.supplier.name, fill(w.contract, &[("contract", s.contract.clone())])),
    )?;
    sheet.write_string(3, 0, &s.buyer.name)?;
    sheet.merge_range(5, 0, 5, 3, &fill(w.by_data_of, &[("party", s.supplier.name.clone())]), &head)?;
    sheet.merge_range(5, 4, 5, 7, &fill(w.by_data_of, &[("party", s.buyer.name.clone())]), &head)?;
    for side in [0u16, 4] {
        for (i, name) in w.columns.iter().enumerate() {
            sheet.write_string_with_format(6, side + i as u16, *name, &head)?;
        }
    }
    let money = |minor: i64| minor as f64 / 100.0;
    let mut row = 7u32;
    let summary_row = |sheet: &mut rust_xlsxwriter::Worksheet, row: u32, label: &str, debit: i64, credit: i64| {
        sheet.merge_range(row, 0, row, 1, label, &strong_text)?;
        sheet.write_number_with_format(row, 2, money(debit), &strong)?;
        sheet.write_number_with_format(row, 3, money(credit), &strong)?;
        sheet.merge_range(row, 4, row, 5, label, &strong_text)?;
        sheet.write_blank(row, 6, &strong)?;
        sheet.write_blank(row, 7, &strong).map(|_| ())
    };
    let (od, oc) = balance_columns(s.opening_minor);
    summary_row(sheet, row, w.opening, od, oc)?;
    row += 1;
    for r in &s.rows {
        sheet.write_string_with_format(row, 0, date(r.date), &cell)?;
        sheet.write_string_with_format(row, 1, &r.document, &cell)?;
        sheet.write_number_with_format(row, 2, money(r.debit_minor), &number)?;
        sheet.write_number_with_format(row, 3, money(r.credit_minor), &number)?;
        for col in 4..8 {
            sheet.write_blank(row, col, &cell)?;
        }
        row += 1;
    }
    summary_row(sheet, row, w.turnover, s.debit_minor, s.credit_minor)?;
    row += 1;
    let (cd, cc) = balance_columns(s.closing_minor);
    summary_row(sheet, row, w.closing, cd, cc)?;
    row += 2;
    sheet.write_string_with_format(row, 0, s.conclusion(), &bold)?;
    row += 2;
    sheet.write_string_with_format(row, 0, fill(w.from_party, &[("party", s.supplier.name.clone())]), &bold)?;
    sheet.write_string_with_format(row, 4, fill(w.from_party, &[("party", s.buyer.name.clone())]), &bold)?;
    row += 1;
    sheet.write_string(row, 0, format!("{} ____________ {}", w.director, s.director))?;
    sheet.write_string(row, 4, format!("{} ____________", w.director))?;
    row += 1;
    sheet.write_string(row, 0, format!("{} ____________ {}", w.accountant, s.accountant))?;
    sheet.write_string(row, 4, format!("{} ____________", w.accountant))?;
    book.save_to_buffer()
}
