//! Demo closing documents: for each demo contract's latest shipment, the
//! УПД as the ERP's ЭДО would send it (an XML file in the tax service's
//! 5.01 format), received through the same path as a real one, so the
//! finance page lists a document to download on first start.

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::db::schema::{closing_documents, companies, contracts, ledger_entries};
use crate::db::DbConn;
use crate::error::Result;
use crate::finance::closing::{receive, Incoming};
use crate::finance::EntryKind;
use crate::invoices::document::Requisites;

/// Text safe inside an XML attribute.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
}

fn kopecks(minor: i64) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

/// A УПД (функция СЧФДОП) for one shipment, VAT 20 % included, in windows-1251.
fn upd_xml(number: &str, date: NaiveDate, amount_minor: i64, seller: &Requisites, buyer: &Requisites) -> Vec<u8> {
    let vat = amount_minor * 20 / 120;
    let net = amount_minor - vat;
    let day = date.format("%d.%m.%Y");
    let party = |r: &Requisites| {
        format!(r#"<ИдСв><СвЮЛУч НаимОрг="{}" ИННЮЛ="{}" КПП="{}"/></ИдСв>"#, escape(&r.name), r.inn, r.kpp)
    };
    let xml = format!(
        r#"<?xml version="1.0" encoding="windows-1251"?>
<Файл ИдФайл="ON_NSCHFDOPPR_{buyer_inn}_{seller_inn}_{stamp}_{number_id}" ВерсФорм="5.01" ВерсПрог="Optovik demo">
  <Документ КНД="1115131" Функция="СЧФДОП" ДатаИнфПр="{day}" ВремИнфПр="10.00.00" НаимЭконСубСост="{seller_name}">
    <СвСчФакт НомерСчФ="{number}" ДатаСчФ="{day}" КодОКВ="643">
      <СвПрод>{seller}</СвПрод>
      <СвПокуп>{buyer}</СвПокуп>
    </СвСчФакт>
    <ТаблСчФакт>
      <СведТов НомСтр="1" НаимТов="Товары по реализации {number}" ОКЕИ_Тов="796" КолТов="1" ЦенаТов="{net}" СтТовБезНДС="{net}" НалСт="20%" СтТовУчНал="{gross}">
        <Акциз><БезАкциз>без акциза</БезАкциз></Акциз>
        <СумНал><СумНал>{vat}</СумНал></СумНал>
      </СведТов>
      <ВсегоОпл СтТовБезНДСВсего="{net}" СтТовУчНалВсего="{gross}"><СумНалВсего><СумНал>{vat}</СумНал></СумНалВсего></ВсегоОпл>
    </ТаблСчФакт>
  </Документ>
</Файл>
"#,
        buyer_inn = buyer.inn,
        seller_inn = seller.inn,
        stamp = date.format("%Y%m%d"),
        number_id = number.chars().filter(char::is_ascii_digit).collect::<String>(),
        seller_name = escape(&seller.name),
        number = escape(number),
        seller = party(seller),
        buyer = party(buyer),
        net = kopecks(net),
        gross = kopecks(amount_minor),
        vat = kopecks(vat),
    );
    encoding_rs::WINDOWS_1251.encode(&xml).0.into_owned()
}

/// A shipment with its buyer: company id, number, date, amount, then the
/// buyer's name, ИНН, КПП and address.
type Shipment = (i64, String, NaiveDate, i64, String, String, String, String);

/// For each contract with a ledger and no closing document yet, the УПД of
/// its latest shipment.
pub fn load(conn: &mut DbConn) -> Result<()> {
    let seller = crate::invoices::issue::supplier(conn)?;
    let shipments: Vec<Shipment> = ledger_entries::table
        .inner_join(contracts::table.inner_join(companies::table))
        .filter(ledger_entries::kind.eq(EntryKind::Shipment))
        .order((ledger_entries::contract_id, ledger_entries::entry_date.desc(), ledger_entries::id.desc()))
        .select((
            companies::id,
            ledger_entries::number,
            ledger_entries::entry_date,
            ledger_entries::debit_minor,
            companies::name,
            companies::inn,
            companies::kpp,
            companies::legal_address,
        ))
        .load(conn)?;
    let mut done = std::collections::HashSet::new();
    let mut files = Vec::new();
    for (company, number, date, amount, name, inn, kpp, address) in shipments {
        let has_any = closing_documents::table
            .filter(closing_documents::company_id.eq(company))
            .select(closing_documents::id)
            .first::<i64>(conn)
            .optional()?
            .is_some();
        if has_any || !done.insert(company) {
            continue;
        }
        let buyer = Requisites { name, inn, kpp, address };
        let bytes = upd_xml(&number, date, amount, &seller, &buyer);
        let file_name = format!("ON_NSCHFDOPPR_{}_{}.xml", buyer.inn, date.format("%Y%m%d"));
        files.push(Incoming { reference: Some(number), ..Incoming::file(&file_name, bytes) });
    }
    receive(conn, &files)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finance::closing::{ClosingKind, FileFormat};
    use crate::finance::closing_file::{format_of, recognize};

    #[test]
    fn the_demo_upd_reads_back_as_a_upd() {
        let party = |name: &str| Requisites {
            name: name.into(),
            inn: "7701234567".into(),
            kpp: "770101001".into(),
            address: String::new(),
        };
        let date = NaiveDate::from_ymd_opt(2026, 11, 29).expect("date");
        let bytes = upd_xml("РН-2026-0688", date, 5_842_000, &party("ООО \"Оптовик\""), &party("ООО «СтройМаркет»"));
        assert_eq!(format_of(&bytes), Some(FileFormat::Xml));
        let r = recognize("upd.xml", &bytes, FileFormat::Xml).expect("recognized");
        assert_eq!((r.kind, r.number.as_deref(), r.date), (Some(ClosingKind::Upd), Some("РН-2026-0688"), Some(date)));
    }
}
