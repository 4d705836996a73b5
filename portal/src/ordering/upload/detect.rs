//! Finding the order in a buyer's sheet: the header row (often below a title block), the SKU,
//! quantity and name columns, and the data rows below.
//!
//! Headings are matched case-insensitively with punctuation ignored ("Кол-во:" = "кол во").
//! Without a recognisable header the columns are guessed from their content and `confident` is
//! false unless the guess is clear. It never changes a cell's text beyond trimming (leading zeros
//! stay) and never decides whether a SKU exists or a quantity is valid.

use super::{Columns, RowInput, Sheet};

/// How far down a header row is looked for.
const HEADER_SCAN_ROWS: usize = 30;
/// How many data rows the content guess looks at.
const SAMPLE_ROWS: usize = 500;

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Sku,
    Quantity,
    Name,
}

/// (kind, priority, normalised headings). A barcode is a SKU of last resort; "Заказ" beats "Кол-во" (a price
/// list returned as an order has the pack quantity in "Кол-во" and the order in "Заказ").
const HEADINGS: &[(Kind, u8, &[&str])] = &[
    (Kind::Sku, 3, &["sku", "артикул", "арт", "артикул товара", "код товара", "item code", "part number", "part no"]),
    (Kind::Sku, 3, &["article", "код номенклатуры"]),
    (Kind::Sku, 2, &["код", "item"]),
    (Kind::Sku, 1, &["ид"]),
    (Kind::Sku, 0, &["штрихкод", "barcode"]),
    (Kind::Quantity, 3, &["заказ", "order qty"]),
    (Kind::Quantity, 2, &["qty", "quantity", "количество", "кол во", "кол"]),
    (Kind::Quantity, 1, &["шт"]),
    (Kind::Name, 2, &["наименование", "name", "description"]),
    (Kind::Name, 1, &["товар"]),
];

/// Lowercase, "ё" → "е", every non-alphanumeric run → one space, trimmed.
fn normalize(text: &str) -> String {
    let mapped: String = text
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'ё' => 'е',
            c if c.is_alphanumeric() => c,
            _ => ' ',
        })
        .collect();
    mapped.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A heading's kind and score: exact matches score 10 + priority, "Количество, шт" (a heading
/// followed by more words) scores the priority alone.
fn classify(cell: &str) -> Option<(Kind, u8)> {
    let text = normalize(cell);
    if text.is_empty() {
        return None;
    }
    let headings = || HEADINGS.iter().flat_map(|&(k, p, list)| list.iter().map(move |h| (*h, k, p)));
    let exact = headings().find(|(h, _, _)| *h == text).map(|(_, k, p)| (k, 10 + p));
    exact.or_else(|| {
        headings()
            .filter(|(h, _, _)| h.chars().count() >= 3 && text.strip_prefix(h).is_some_and(|r| r.starts_with(' ')))
            .max_by_key(|(h, _, p)| (h.len(), *p))
            .map(|(_, k, p)| (k, p))
    })
}

/// Finds the header row and the SKU / quantity / name columns (see the module doc).
/// `None` when neither headings nor content show a SKU and a quantity column.
pub fn detect_columns(sheet: &Sheet) -> Option<Columns> {
    header_by_names(sheet).or_else(|| by_content(sheet))
}

/// The first of the first 30 rows with both a SKU and a quantity heading.
pub(super) fn header_by_names(sheet: &Sheet) -> Option<Columns> {
    sheet.rows.iter().take(HEADER_SCAN_ROWS).enumerate().find_map(|(index, row)| {
        let found: Vec<(usize, Kind, u8)> =
            row.iter().enumerate().filter_map(|(col, cell)| classify(cell).map(|(k, s)| (col, k, s))).collect();
        let best = |kind: Kind, not: &[usize]| {
            let of_kind = found.iter().filter(|(c, k, _)| *k == kind && !not.contains(c));
            // max_by_key keeps the last maximum: reverse so that the leftmost column wins a tie.
            let top = of_kind.clone().rev().max_by_key(|(_, _, s)| *s)?;
            let unique = of_kind.filter(|(_, _, s)| *s == top.2).count() == 1;
            Some((top.0, top.2 >= 10 && unique))
        };
        let (sku, sku_clear) = best(Kind::Sku, &[])?;
        let (quantity, quantity_clear) = best(Kind::Quantity, &[sku])?;
        let name = best(Kind::Name, &[sku, quantity]).map(|(c, _)| c);
        Some(Columns { header_row: Some(index), sku, quantity, name, confident: sku_clear && quantity_clear })
    })
}

fn is_number(text: &str) -> bool {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let digits = compact.strip_prefix('-').unwrap_or(&compact);
    digits.starts_with(|c: char| c.is_ascii_digit())
        && digits.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',')
        && digits.replace(',', ".").parse::<f64>().is_ok()
}

/// Letters, digits and `-_./`, at most one space.
fn is_sku_like(text: &str) -> bool {
    let ok_chars = text.chars().all(|c| c.is_alphanumeric() || "-_./ ".contains(c));
    ok_chars && (1..=40).contains(&text.chars().count()) && text.matches(' ').count() <= 1
}

/// SKU-like and unlike a quantity or a word: letters with digits or a dash, or leading zeros.
fn is_distinctive(text: &str) -> bool {
    let letters = text.chars().any(char::is_alphabetic);
    let digits = text.chars().any(|c| c.is_ascii_digit());
    let leading_zeros = text.len() > 1 && text.starts_with('0') && text.chars().all(|c| c.is_ascii_digit());
    is_sku_like(text) && ((letters && (digits || text.contains('-'))) || leading_zeros)
}

#[derive(Default)]
struct Stats {
    filled: usize,
    sku_like: usize,
    distinctive: usize,
    numeric: usize,
    digits: usize,
    serial: bool,
}

impl Stats {
    fn share(&self, count: usize) -> f64 {
        count as f64 / self.filled.max(1) as f64
    }
}

/// No recognised header: a leading block of rows without numbers or SKU-like cells (title,
/// unrecognised headings) is skipped, its last row taken as the header; then the SKU column is the
/// one with the most SKU-like cells, the quantity column the most numeric one (not a 1, 2, 3… №).
fn by_content(sheet: &Sheet) -> Option<Columns> {
    let filled: Vec<usize> =
        (0..sheet.rows.len()).filter(|&i| sheet.rows[i].iter().any(|c| !c.trim().is_empty())).collect();
    let textual = |&i: &usize| !sheet.rows[i].iter().any(|c| is_number(c.trim()) || is_distinctive(c.trim()));
    let lead = filled.iter().take(HEADER_SCAN_ROWS).take_while(|i| textual(i)).count();
    let header_row = lead.checked_sub(1).map(|i| filled[i]);
    let data = &filled[lead..filled.len().min(lead + SAMPLE_ROWS)];
    let width = data.iter().map(|&i| sheet.rows[i].len()).max()?;
    let stats: Vec<Stats> = (0..width)
        .map(|col| {
            let mut s = Stats { serial: true, ..Stats::default() };
            let mut previous: Option<f64> = None;
            for &row in data {
                let cell = sheet.cell(row, col);
                if cell.is_empty() {
                    continue;
                }
                s.filled += 1;
                s.sku_like += usize::from(is_sku_like(cell));
                s.distinctive += usize::from(is_distinctive(cell));
                s.digits += cell.chars().filter(char::is_ascii_digit).count();
                let number = cell.parse::<f64>().ok().filter(|_| is_number(cell));
                s.numeric += usize::from(is_number(cell));
                s.serial &= matches!((previous, number), (None, Some(_)))
                    || matches!((previous, number), (Some(p), Some(n)) if n == p + 1.0);
                previous = number;
            }
            s.serial &= s.filled >= 3;
            s
        })
        .collect();
    let sku_key = |c: &usize| {
        let s = &stats[*c];
        (s.share(s.distinctive) * 1000.0) as u32 * 1000 + (s.digits / s.filled.max(1)).min(999) as u32
    };
    let sku = (0..width)
        .filter(|&c| !stats[c].serial && stats[c].share(stats[c].sku_like) >= 0.6)
        .rev()
        .max_by_key(sku_key)?;
    // A 1, 2, 3… column is a quantity only when nothing else is.
    let qty_candidates: Vec<usize> =
        (0..width).filter(|&c| c != sku && stats[c].share(stats[c].numeric) >= 0.6).collect();
    let quantity = *qty_candidates.iter().rev().max_by_key(|&&c| {
        let s = &stats[c];
        (!s.serial, (s.share(s.numeric) * 100.0) as u32, c > sku, usize::MAX - c.abs_diff(sku))
    })?;
    let confident = header_row.is_none()
        && stats[sku].share(stats[sku].distinctive) >= 0.8
        && stats[quantity].share(stats[quantity].numeric) >= 0.9
        && qty_candidates.iter().filter(|&&c| !stats[c].serial).count() == 1;
    Some(Columns { header_row, sku, quantity, name: None, confident })
}

/// "Итого", "Всего", "Total" rows (in the SKU cell, or anywhere when the SKU cell is empty).
fn is_total_row(row: &[String], sku: &str) -> bool {
    let total = |cell: &str| {
        if cell.is_empty() || cell.contains(|c: char| c.is_ascii_digit()) {
            return false; // the fast path for nearly every row
        }
        let text = normalize(cell);
        let word = |w: &&str| text == *w || text.strip_prefix(w).is_some_and(|r| r.starts_with(' '));
        !is_distinctive(cell.trim()) && ["итого", "всего", "total"].iter().any(word)
    };
    total(sku) || (sku.is_empty() && row.iter().any(|c| total(c)))
}

/// Rows below the header (or all rows without one); skips rows whose SKU and quantity cells are both
/// empty; trims; keeps leading zeros. Also skips a repeated header row (long lists printed by page)
/// and totals rows ("Итого", "Всего", "Total").
pub fn extract_rows(sheet: &Sheet, columns: &Columns) -> Vec<RowInput> {
    let start = columns.header_row.map_or(0, |h| h + 1);
    let heading = |cell: &str, kind: Kind| classify(cell).is_some_and(|(k, s)| k == kind && s >= 10);
    (start..sheet.rows.len())
        .filter_map(|index| {
            let (sku, quantity) = (sheet.cell(index, columns.sku), sheet.cell(index, columns.quantity));
            let digits = |text: &str| text.contains(|c: char| c.is_ascii_digit());
            let repeated_header = !digits(quantity) && heading(quantity, Kind::Quantity) && heading(sku, Kind::Sku);
            if (sku.is_empty() && quantity.is_empty()) || repeated_header || is_total_row(&sheet.rows[index], sku) {
                return None;
            }
            Some(RowInput { row: index + 1, sku: sku.to_string(), quantity: quantity.to_string() })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::FileKind;
    use super::*;

    fn sheet(rows: &[&[&str]]) -> Sheet {
        Sheet { kind: FileKind::Csv, rows: rows.iter().map(|r| r.iter().map(|c| c.to_string()).collect()).collect() }
    }

    #[test]
    fn headings_ignore_case_and_punctuation_and_prefer_order_over_pack_quantity() {
        let s = sheet(&[
            &["Штрихкод", "Артикул:", "Кол-во в упаковке", "ЗАКАЗ", "Наименование товара"],
            &["4607", "BLT-1", "50", "100", "Болт"],
        ]);
        assert_eq!(
            detect_columns(&s),
            Some(Columns { header_row: Some(0), sku: 1, quantity: 3, name: Some(4), confident: true })
        );
        let s = sheet(&[&["Код", "Количество, шт."], &["BLT-1", "5"]]);
        assert_eq!(
            detect_columns(&s).map(|c| (c.sku, c.quantity, c.confident)),
            Some((0, 1, false)),
            "prefix match is not sure"
        );
        let s = sheet(&[&["Артикул", "Артикул", "Кол."], &["BLT-1", "X", "5"]]);
        assert_eq!(detect_columns(&s).map(|c| (c.sku, c.confident)), Some((0, false)), "two SKU columns: ask");
    }

    #[test]
    fn content_guess_skips_the_row_number_column_and_unknown_headings() {
        let s = sheet(&[
            &["Заявка ООО «Ромашка»"],
            &["Pos", "Artikel", "Bezeichnung", "Menge"],
            &["1", "BLT-933-8X40", "Болт DIN 933 М8х40", "100"],
            &["2", "NUT-934-M8", "Гайка DIN 934 М8", "200"],
            &["3", "0020058", "Стяжка 200 мм", "5"],
        ]);
        let columns = detect_columns(&s).expect("guessed");
        assert_eq!(columns, Columns { header_row: Some(1), sku: 1, quantity: 3, name: None, confident: false });
        assert_eq!(extract_rows(&s, &columns).iter().map(|r| r.row).collect::<Vec<_>>(), [3, 4, 5]);
        let s = sheet(&[&["100", "BLT-933-8X40"], &["50", "KSK-ZASH"], &["20", "0001631"]]);
        assert_eq!(
            detect_columns(&s),
            Some(Columns { header_row: None, sku: 1, quantity: 0, name: None, confident: true })
        );
        assert_eq!(detect_columns(&sheet(&[&["Болт"], &["Гайка"]])), None);
    }

    #[test]
    fn extraction_skips_empty_total_and_repeated_header_rows() {
        let s = sheet(&[
            &["Артикул", "Кол-во"],
            &[" BLT-933-8X40 ", " 100 "],
            &["", "", "примечание"],
            &["Артикул", "Кол-во"],
            &["TOTAL-5", "1"],
            &["", "7"],
            &["Итого:", "107"],
            &["", "107", "Всего"],
        ]);
        let columns = detect_columns(&s).expect("header");
        let rows: Vec<_> = extract_rows(&s, &columns).into_iter().map(|r| (r.row, r.sku, r.quantity)).collect();
        let want = [(2, "BLT-933-8X40", "100"), (5, "TOTAL-5", "1"), (6, "", "7")];
        assert_eq!(rows, want.map(|(r, s, q)| (r, s.to_string(), q.to_string())));
    }
}
