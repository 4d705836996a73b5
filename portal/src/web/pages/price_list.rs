//! The buyer's personal price list: the catalog they may see (all of it, or
//! the current category, search and in-stock filter) at their contract
//! prices, with VAT, availability as the stock display setting allows,
//! pack, minimum and price breaks, grouped by category in tree order — as
//! .xlsx (category rows shaded and indented by depth; the sheet is written
//! in constant memory, which rules out outline levels) and as
//! .csv (semicolons, UTF-8 with a byte-order mark, as Excel opens it). The
//! file has an empty "Количество" column: filled in, it uploads back as an
//! order. Rows are read and written a category at a time.

use std::collections::HashSet;

use rust_xlsxwriter::{Format, Workbook};

use super::view::{break_lines, stock_cell};
use crate::catalog::listing::{rows_of, ListItem};
use crate::catalog::search_index::{Order, Search, SearchIndex};
use crate::catalog::tree::{CategoryNode, CategoryTree};
use crate::db::DbConn;
use crate::error::{Error, Result};
use crate::i18n;
use crate::ids::OfferId;
use crate::money::{Money, Qty};
use crate::pricing::PriceContext;
use crate::settings::StockPolicy;

/// What part of the catalog goes in the file.
#[derive(Debug, Clone, Default)]
pub struct PriceListFilter {
    pub text: String,
    pub category: Option<i64>,
    pub in_stock: bool,
    /// Property values chosen, as on the catalog.
    pub properties: Vec<crate::catalog::facets::PropertyFilter>,
}

/// One row of the file: a category heading or an item.
enum Row {
    Category { name: String, depth: usize },
    Item { cells: Box<[String; 9]>, price: Option<f64>, picture: Option<String> },
}

/// The column headings, in the buyer's language.
fn headings(lang: &str) -> Vec<String> {
    [
        "col.sku",
        "col.name",
        "col.unit",
        "col.price",
        "col.vat",
        "col.stock",
        "col.pack",
        "col.min",
        "price_list.breaks",
        "cart.quantity",
        "price_list.picture",
    ]
    .iter()
    .map(|k| i18n::text(lang, k, &[]))
    .collect()
}

/// Walks the categories the buyer sees (depth first, in their order) and
/// hands each category heading and its goods to `emit`; goods outside any
/// category come last.
fn walk(
    conn: &mut DbConn,
    index: &SearchIndex,
    pricing: &PriceContext,
    policy: StockPolicy,
    filter: &PriceListFilter,
    lang: &str,
    emit: &mut dyn FnMut(Row) -> Result<()>,
) -> Result<()> {
    let tree = CategoryTree::load(conn)?.visible_to(&pricing.assortment);
    if filter.category.is_some_and(|c| tree.get(c).is_none()) {
        return Err(Error::NotFound);
    }
    let mut order: Vec<(i64, String, usize)> = Vec::new();
    fn flatten(nodes: &[CategoryNode], depth: usize, out: &mut Vec<(i64, String, usize)>) {
        for node in nodes {
            out.push((node.id, node.name.clone(), depth));
            flatten(&node.children, depth + 1, out);
        }
    }
    flatten(&tree.nodes(None), 0, &mut order);
    if let Some(root) = filter.category {
        let inside: HashSet<i64> = tree.subtree_ids(root).into_iter().collect();
        order.retain(|(id, _, _)| inside.contains(id));
    }
    fn search<'a>(filter: &'a PriceListFilter, pricing: &'a PriceContext, categories: Option<&'a [i64]>) -> Search<'a> {
        Search {
            text: &filter.text,
            categories,
            in_stock: filter.in_stock,
            assortment: &pricing.assortment,
            filters: &filter.properties,
            pinned: &[],
        }
    }
    let base = crate::settings::public_url(conn)?;
    let mut seen: HashSet<i64> = HashSet::new();
    for (id, name, depth) in &order {
        let subtree = tree.subtree_ids(*id);
        if index.search(&search(filter, pricing, Some(&subtree)), Order::Name, 0, 0).0 == 0 {
            continue; // nothing the buyer sees here or below: no heading
        }
        emit(Row::Category { name: name.clone(), depth: *depth })?;
        let only = [*id];
        let ids = index.search(&search(filter, pricing, Some(&only)), Order::Name, 0, usize::MAX).1;
        seen.extend(ids.iter().copied());
        items(conn, pricing, policy, &ids, (lang, &base), emit)?;
    }
    if filter.category.is_none() {
        let rest: Vec<i64> = index.search(&search(filter, pricing, None), Order::Name, 0, usize::MAX).1;
        let rest: Vec<i64> = rest.into_iter().filter(|id| !seen.contains(id)).collect();
        items(conn, pricing, policy, &rest, (lang, &base), emit)?;
    }
    Ok(())
}

/// The goods rows of `ids`, a thousand at a time.
fn items(
    conn: &mut DbConn,
    pricing: &PriceContext,
    policy: StockPolicy,
    ids: &[i64],
    (lang, base): (&str, &str),
    emit: &mut dyn FnMut(Row) -> Result<()>,
) -> Result<()> {
    for chunk in ids.chunks(1_000) {
        let rows = rows_of(conn, pricing.price_type_id, chunk)?;
        let offers: Vec<OfferId> = rows.iter().map(|r| OfferId(r.offer_id)).collect();
        let breaks = crate::terms::price_breaks::of_offers(conn, pricing.price_type_id, &offers)?;
        for row in rows {
            let of_offer = breaks.get(&OfferId(row.offer_id)).map(Vec::as_slice).unwrap_or_default();
            emit(item(&row, pricing, policy, of_offer, (lang, base)))?;
        }
    }
    Ok(())
}

fn item(
    row: &ListItem,
    pricing: &PriceContext,
    policy: StockPolicy,
    breaks: &[crate::terms::price_breaks::PriceBreak],
    (lang, base): (&str, &str),
) -> Row {
    let price = row.list_price_minor.map(|p| pricing.unit_price(Money(p), row.vat_rate).gross);
    let vat = match row.vat_rate {
        Some(r) if r > 0 => format!("{r}%"),
        _ => i18n::text(lang, "price.no_vat", &[]),
    };
    let breaks = break_lines(pricing, row.list_price_minor, breaks, (&row.unit, row.vat_rate), lang).join("; ");
    let cells = [
        row.sku.clone(),
        row.name.clone(),
        row.unit.clone(),
        price.map(|p| p.format(lang)).unwrap_or_default(),
        vat,
        stock_cell(row.available(), &row.unit, policy, lang).label,
        Qty(row.pack_multiple).plain(),
        Qty(row.min_order).plain(),
        breaks,
    ];
    Row::Item {
        cells: Box::new(cells),
        price: price.map(|p| p.minor() as f64 / 100.0),
        picture: row.picture.as_deref().map(|hash| format!("{base}{}", crate::media::url(hash))),
    }
}

/// The price list as an .xlsx workbook.
pub fn xlsx(
    conn: &mut DbConn,
    index: &SearchIndex,
    pricing: &PriceContext,
    policy: StockPolicy,
    filter: &PriceListFilter,
    lang: &str,
) -> Result<Vec<u8>> {
    let xlsx_error = |e: rust_xlsxwriter::XlsxError| Error::Internal(format!("price list: {e}"));
    let mut book = Workbook::new();
    let sheet = book.add_worksheet_with_constant_memory().map_err(xlsx_error)?;
    sheet.set_name(i18n::text(lang, "price_list.sheet", &[])).map_err(xlsx_error)?;
    let bold = Format::new().set_bold();
    let heading = Format::new().set_bold().set_background_color("#E8EEF7");
    let money = Format::new().set_num_format("#,##0.00");
    for (column, width) in [14.0, 60.0, 6.0, 12.0, 7.0, 14.0, 9.0, 9.0, 30.0, 11.0, 40.0].iter().enumerate() {
        sheet.set_column_width(column as u16, *width).map_err(xlsx_error)?;
    }
    let title = match &pricing.contract_number {
        Some(contract) => i18n::text(
            lang,
            "price_list.title_contract",
            &[("contract", contract.clone()), ("price_type", pricing.price_type_name.clone())],
        ),
        None => i18n::text(lang, "price_list.title", &[("price_type", pricing.price_type_name.clone())]),
    };
    sheet.write_string_with_format(0, 0, &title, &bold).map_err(xlsx_error)?;
    for (column, text) in headings(lang).iter().enumerate() {
        sheet.write_string_with_format(2, column as u16, text, &bold).map_err(xlsx_error)?;
    }
    let mut row_no: u32 = 3;
    // Outline levels: a category at its depth, its goods one deeper (Excel
    // keeps seven). Constant-memory mode does not write them, so they are
    // noted per row (a byte each) and added to the sheet's XML afterwards.
    let mut levels: Vec<u8> = vec![0; row_no as usize];
    let mut goods_level = 0;
    walk(conn, index, pricing, policy, filter, lang, &mut |row| {
        levels.push(match &row {
            Row::Category { depth, .. } => {
                goods_level = (depth + 1).min(7) as u8;
                (*depth).min(7) as u8
            }
            Row::Item { .. } => goods_level,
        });
        match row {
            Row::Category { name, depth } => {
                let indented = format!("{}{name}", "  ".repeat(depth));
                sheet.write_string_with_format(row_no, 1, &indented, &heading).map_err(xlsx_error)?;
                sheet.write_blank(row_no, 0, &heading).map_err(xlsx_error)?;
            }
            Row::Item { cells, price, picture } => {
                if let Some(url) = picture {
                    sheet.write_string(row_no, 10, url).map_err(xlsx_error)?;
                }
                for (column, text) in cells.iter().enumerate() {
                    match (column, price) {
                        (3, Some(value)) => {
                            sheet.write_number_with_format(row_no, 3, value, &money).map_err(xlsx_error)?;
                        }
                        _ if !text.is_empty() => {
                            sheet.write_string(row_no, column as u16, text).map_err(xlsx_error)?;
                        }
                        _ => {}
                    }
                }
            }
        }
        row_no += 1;
        Ok(())
    })?;
    let saved = book.save_to_buffer().map_err(xlsx_error)?;
    with_outline_levels(&saved, &levels).map_err(|e| Error::Internal(format!("price list outline: {e}")))
}

/// The workbook with `outlineLevel` on the first sheet's rows (`levels[r]`
/// for 0-based row r) and the sheet's outline level set, streamed entry by
/// entry: the other parts are copied as they are, the sheet's XML is read a
/// tag at a time (a row's opening tag never spans two reads).
fn with_outline_levels(xlsx: &[u8], levels: &[u8]) -> std::result::Result<Vec<u8>, String> {
    use std::io::{BufRead, BufReader, Write};
    const SHEET: &str = "xl/worksheets/sheet1.xml";
    let deepest = levels.iter().copied().max().unwrap_or(0);
    if deepest == 0 {
        return Ok(xlsx.to_vec());
    }
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).map_err(|e| e.to_string())?;
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::with_capacity(xlsx.len() + 4096)));
    for i in 0..archive.len() {
        let entry = archive.by_index(i).map_err(|e| e.to_string())?;
        if entry.name().map_err(|e| e.to_string())? != SHEET {
            out.raw_copy_file(entry).map_err(|e| e.to_string())?;
            continue;
        }
        let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        out.start_file(SHEET, options).map_err(|e| e.to_string())?;
        let mut reader = BufReader::with_capacity(1 << 16, entry);
        let mut piece = Vec::with_capacity(256);
        let io = |e: std::io::Error| e.to_string();
        loop {
            piece.clear();
            if reader.read_until(b'>', &mut piece).map_err(io)? == 0 {
                break;
            }
            if let Some(at) = find(&piece, b"<sheetFormatPr ") {
                out.write_all(&piece[..at + 15]).map_err(io)?;
                write!(out, "outlineLevelRow=\"{deepest}\" ").map_err(io)?;
                out.write_all(&piece[at + 15..]).map_err(io)?;
            } else if let Some(at) = find(&piece, b"<row r=\"") {
                let number: usize = piece[at + 8..]
                    .iter()
                    .take_while(|b| b.is_ascii_digit())
                    .fold(0, |n, b| n * 10 + usize::from(b - b'0'));
                let level = number.checked_sub(1).and_then(|r| levels.get(r)).copied().unwrap_or(0);
                out.write_all(&piece[..at + 5]).map_err(io)?;
                if level > 0 {
                    write!(out, "outlineLevel=\"{level}\" ").map_err(io)?;
                }
                out.write_all(&piece[at + 5..]).map_err(io)?;
            } else {
                out.write_all(&piece).map_err(io)?;
            }
        }
    }
    Ok(out.finish().map_err(|e| e.to_string())?.into_inner())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The price list as .csv: semicolon-separated, UTF-8 with a byte-order
/// mark; category rows carry the category's path in the name column.
pub fn csv(
    conn: &mut DbConn,
    index: &SearchIndex,
    pricing: &PriceContext,
    policy: StockPolicy,
    filter: &PriceListFilter,
    lang: &str,
) -> Result<Vec<u8>> {
    let csv_error = |e: csv::Error| Error::Internal(format!("price list: {e}"));
    let mut out = csv::WriterBuilder::new().delimiter(b';').from_writer(b"\xEF\xBB\xBF".to_vec());
    out.write_record(headings(lang)).map_err(csv_error)?;
    let mut path: Vec<String> = Vec::new();
    walk(conn, index, pricing, policy, filter, lang, &mut |row| {
        match row {
            Row::Category { name, depth } => {
                path.truncate(depth);
                path.push(name);
                let record = ["", &path.join(" / "), "", "", "", "", "", "", "", "", ""];
                out.write_record(record).map_err(csv_error)?;
            }
            Row::Item { cells, picture, .. } => {
                let mut record: Vec<&str> = cells.iter().map(String::as_str).collect();
                record.push("");
                record.push(picture.as_deref().unwrap_or_default());
                out.write_record(record).map_err(csv_error)?;
            }
        }
        Ok(())
    })?;
    out.into_inner().map_err(|e| Error::Internal(format!("price list: {e}")))
}

/// The two file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Xlsx,
    Csv,
}

impl FileFormat {
    pub fn content_type(self) -> &'static str {
        match self {
            FileFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FileFormat::Csv => "text/csv; charset=utf-8",
        }
    }

    pub fn file_name(self) -> &'static str {
        match self {
            FileFormat::Xlsx => "price-list.xlsx",
            FileFormat::Csv => "price-list.csv",
        }
    }

    /// The format a file name asks for (`price-list.xlsx`, `price-list.csv`).
    pub fn of_file_name(name: &str) -> Option<FileFormat> {
        [FileFormat::Xlsx, FileFormat::Csv].into_iter().find(|f| f.file_name() == name)
    }
}

/// The price list of `user` (their contract prices and assortment; staff
/// get the base price type), in their language.
pub fn for_user(
    conn: &mut DbConn,
    index: &SearchIndex,
    user: &crate::accounts::User,
    filter: &PriceListFilter,
    format: FileFormat,
) -> Result<Vec<u8>> {
    let pricing = PriceContext::for_user(conn, user)?;
    let policy = crate::settings::stock_policy(conn)?;
    let lang = i18n::locale(&user.locale);
    match format {
        FileFormat::Xlsx => xlsx(conn, index, &pricing, policy, filter, lang),
        FileFormat::Csv => csv(conn, index, &pricing, policy, filter, lang),
    }
}
