//! PDF rendering of an invoice ("Счёт на оплату") on A4 portrait, in the usual Russian form.
//!
//! Layout is done here, with the DejaVu Sans advance widths (Cyrillic and Latin need no shaping),
//! into a list of positioned text runs and rules per page; that list is then turned into printpdf
//! operations. Before embedding, each font is cut down to the glyphs the document uses, with the
//! `allsorts` subsetter that printpdf itself depends on, so an invoice weighs tens of kilobytes
//! instead of carrying the whole ~750 KB font (printpdf's own subsetting needs its heavy
//! `text_layout` feature).

use std::collections::{BTreeSet, HashMap};
use std::sync::OnceLock;

use allsorts::binary::read::ReadScope;
use allsorts::font_data::FontData;
use allsorts::subset::{CmapTarget, SubsetProfile};
use allsorts::tables::cmap::Cmap;
use allsorts::tables::{FontTableProvider, HeadTable, HheaTable, HmtxTable, MaxpTable};
use allsorts::tag;
use chrono::{Datelike, NaiveDate};
use printpdf::{
    Color, FontId, Greyscale, Line, LinePoint, Mm, Op, ParsedFont, PdfDocument, PdfFont, PdfFontHandle, PdfPage,
    PdfParseErrorSeverity, PdfSaveOptions, Point, Pt, TextItem,
};

use super::document::{InvoiceDocument, InvoiceLine, InvoiceLocale, Requisites};
use super::words::{rubles_in_words_en, rubles_in_words_ru};

/// DejaVu Sans, embedded (as a subset) into every invoice. Licence: templates/fonts/LICENSE-DejaVu.txt.
const REGULAR_TTF: &[u8] = include_bytes!("../../../templates/fonts/DejaVuSans.ttf");
/// DejaVu Sans Bold, for the title, headers and totals.
const BOLD_TTF: &[u8] = include_bytes!("../../../templates/fonts/DejaVuSans-Bold.ttf");

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

// ---------------------------------------------------------------------------------------------
// Page geometry, in PDF points (1/72 inch). y is measured from the top of the page while laying
// out and flipped only when the operations are emitted.

const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN_LEFT: f32 = 42.0;
const MARGIN_RIGHT: f32 = 28.0;
const MARGIN_TOP: f32 = 30.0;
const MARGIN_BOTTOM: f32 = 40.0;
const CONTENT_W: f32 = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT;

/// Line height as a multiple of the font size.
const LEADING: f32 = 1.2;
/// Distance from the top of a line box to the baseline, as a multiple of the font size.
const BASELINE: f32 = 0.93;
/// Horizontal padding inside table cells.
const PAD_X: f32 = 3.0;
/// Vertical padding inside table cells.
const PAD_Y: f32 = 2.5;

const THIN: f32 = 0.5;
const THICK: f32 = 1.2;

const SIZE_TITLE: f32 = 13.0;
const SIZE_BODY: f32 = 9.0;
const SIZE_TABLE: f32 = 8.0;
const SIZE_SMALL: f32 = 6.5;

/// Longest product name kept, in lines of the name column; the rest is cut with "…".
const MAX_NAME_LINES: usize = 30;
/// Longest any other field may grow, in lines.
const MAX_FIELD_LINES: usize = 8;

// ---------------------------------------------------------------------------------------------
// Fonts

/// Regular or bold DejaVu Sans.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Regular,
    Bold,
}

/// A parsed font: what layout needs (advances) and what subsetting needs (glyph ids, bytes).
struct Face {
    name: &'static str,
    bytes: &'static [u8],
    /// Character → (glyph id, advance in font units).
    glyphs: HashMap<char, (u16, u16)>,
    units_per_em: f32,
    /// Advance of '?', used for characters the font lacks (they are printed as '?').
    fallback_advance: u16,
}

impl Face {
    fn parse(name: &'static str, bytes: &'static [u8]) -> Result<Self, PdfError> {
        let err = |reason: String| PdfError::Font { font: name, reason };
        let font_file = ReadScope::new(bytes).read::<FontData<'_>>().map_err(|e| err(e.to_string()))?;
        let provider = font_file.table_provider(0).map_err(|e| err(e.to_string()))?;
        let table = |t: u32| provider.read_table_data(t).map_err(|e| err(format!("table {t:#x}: {e}")));

        let head_data = table(tag::HEAD)?;
        let head = ReadScope::new(&head_data).read::<HeadTable>().map_err(|e| err(e.to_string()))?;
        let maxp_data = table(tag::MAXP)?;
        let maxp = ReadScope::new(&maxp_data).read::<MaxpTable>().map_err(|e| err(e.to_string()))?;
        let hhea_data = table(tag::HHEA)?;
        let hhea = ReadScope::new(&hhea_data).read::<HheaTable>().map_err(|e| err(e.to_string()))?;
        let hmtx_data = table(tag::HMTX)?;
        let hmtx = ReadScope::new(&hmtx_data)
            .read_dep::<HmtxTable<'_>>((usize::from(maxp.num_glyphs), usize::from(hhea.num_h_metrics)))
            .map_err(|e| err(e.to_string()))?;
        let cmap_data = table(tag::CMAP)?;
        let cmap = ReadScope::new(&cmap_data).read::<Cmap<'_>>().map_err(|e| err(e.to_string()))?;
        let (_, subtable) = allsorts::font::read_cmap_subtable(&cmap)
            .map_err(|e| err(e.to_string()))?
            .ok_or_else(|| err("no Unicode cmap".to_string()))?;

        let mut glyphs = HashMap::new();
        subtable
            .mappings_fn(|codepoint, gid| {
                if let Some(c) = char::from_u32(codepoint) {
                    let advance = hmtx.horizontal_advance(gid).unwrap_or(0);
                    glyphs.insert(c, (gid, advance));
                }
            })
            .map_err(|e| err(e.to_string()))?;
        let fallback_advance = glyphs.get(&'?').map(|g| g.1).ok_or_else(|| err("no glyph for '?'".to_string()))?;
        Ok(Face { name, bytes, glyphs, units_per_em: f32::from(head.units_per_em.max(1)), fallback_advance })
    }

    /// Width of `c` at `size` points.
    fn char_width(&self, c: char, size: f32) -> f32 {
        let advance = self.glyphs.get(&c).map_or(self.fallback_advance, |g| g.1);
        f32::from(advance) * size / self.units_per_em
    }

    /// Width of `text` at `size` points (no kerning: printpdf does not apply any either).
    fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.char_width(c, size)).sum()
    }

    /// `text` as it will be printed: whitespace and control characters become spaces,
    /// characters missing from the font become '?'.
    fn sanitize(&self, text: &str) -> String {
        text.chars()
            .map(|c| {
                if c.is_whitespace() || c.is_control() {
                    ' '
                } else if self.glyphs.contains_key(&c) {
                    c
                } else {
                    '?'
                }
            })
            .collect()
    }

    /// The font program cut down to the glyphs of `chars` (plus .notdef), with a Unicode cmap.
    fn subset(&self, chars: &BTreeSet<char>) -> Result<Vec<u8>, PdfError> {
        let err = |reason: String| PdfError::Font { font: self.name, reason };
        // .notdef must come first; the rest sorted and unique.
        let used: BTreeSet<u16> = chars.iter().filter_map(|c| self.glyphs.get(c).map(|g| g.0)).collect();
        let ids: Vec<u16> = std::iter::once(0).chain(used.into_iter().filter(|gid| *gid != 0)).collect();
        let font_file = ReadScope::new(self.bytes).read::<FontData<'_>>().map_err(|e| err(e.to_string()))?;
        let provider = font_file.table_provider(0).map_err(|e| err(e.to_string()))?;
        allsorts::subset::subset(&provider, &ids, &SubsetProfile::Pdf, CmapTarget::Unicode)
            .map_err(|e| err(format!("subsetting failed: {e}")))
    }
}

/// Both faces, parsed once per process.
struct Faces {
    regular: Face,
    bold: Face,
}

impl Faces {
    fn get() -> Result<&'static Faces, PdfError> {
        static FACES: OnceLock<Result<Faces, PdfError>> = OnceLock::new();
        FACES
            .get_or_init(|| {
                Ok(Faces {
                    regular: Face::parse("DejaVuSans", REGULAR_TTF)?,
                    bold: Face::parse("DejaVuSans-Bold", BOLD_TTF)?,
                })
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    fn face(&self, style: Style) -> &Face {
        match style {
            Style::Regular => &self.regular,
            Style::Bold => &self.bold,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Text helpers

/// Breaks `text` into lines no wider than `width`; words longer than a line are broken between
/// characters. At most `max_lines` lines are returned, the last one ending in "…" if text was
/// cut. Empty text gives one empty line, so every field occupies at least one line.
fn wrap(face: &Face, text: &str, size: f32, width: f32, max_lines: usize) -> Vec<String> {
    let text = face.sanitize(text);
    let max_lines = max_lines.max(1);
    let width = width.max(size);
    let space = face.char_width(' ', size);
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut current_w = 0.0_f32;
    let mut truncated = false;

    'words: for word in text.split_whitespace() {
        let word_w = face.width(word, size);
        if !current.is_empty() && current_w + space + word_w <= width {
            current.push(' ');
            current.push_str(word);
            current_w += space + word_w;
            continue;
        }
        if !current.is_empty() {
            lines.push(std::mem::take(&mut current));
            current_w = 0.0;
            if lines.len() >= max_lines {
                truncated = true;
                break;
            }
        }
        if word_w <= width {
            current.push_str(word);
            current_w = word_w;
            continue;
        }
        // A word wider than the line: break it between characters.
        for c in word.chars() {
            let c_w = face.char_width(c, size);
            if !current.is_empty() && current_w + c_w > width {
                lines.push(std::mem::take(&mut current));
                current_w = 0.0;
                if lines.len() >= max_lines {
                    truncated = true;
                    break 'words;
                }
            }
            current.push(c);
            current_w += c_w;
        }
    }
    if !truncated && !current.is_empty() {
        lines.push(current);
    } else if truncated {
        // Something was left over: mark the cut on the last kept line.
        if let Some(last) = lines.last_mut() {
            let ellipsis = face.char_width('…', size);
            while !last.is_empty() && face.width(last, size) + ellipsis > width {
                last.pop();
            }
            last.push('…');
        }
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

/// Formats kopecks as money: "1 234,56" in Russian, "1,234.56" in English.
fn money(minor: i64, locale: InvoiceLocale) -> String {
    let (thousands, decimal) = match locale {
        InvoiceLocale::Ru => (' ', ','),
        InvoiceLocale::En => (',', '.'),
    };
    let abs = minor.unsigned_abs();
    // Digits of the roubles from the right, a separator after every third.
    let mut reversed = Vec::with_capacity(32);
    for (i, c) in (abs / 100).to_string().chars().rev().enumerate() {
        if i > 0 && i % 3 == 0 {
            reversed.push(thousands);
        }
        reversed.push(c);
    }
    let grouped: String = reversed.into_iter().rev().collect();
    format!("{}{grouped}{decimal}{:02}", if minor < 0 { "-" } else { "" }, abs % 100)
}

/// Formats a date the way invoices print it: "26 ноября 2026 г." / "26 November 2026".
fn long_date(date: NaiveDate, locale: InvoiceLocale) -> String {
    const RU: [&str; 12] = [
        "января",
        "февраля",
        "марта",
        "апреля",
        "мая",
        "июня",
        "июля",
        "августа",
        "сентября",
        "октября",
        "ноября",
        "декабря",
    ];
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let month = date.month0() as usize % 12;
    match locale {
        InvoiceLocale::Ru => format!("{} {} {} г.", date.day(), RU[month], date.year()),
        InvoiceLocale::En => format!("{} {} {}", date.day(), EN[month], date.year()),
    }
}

// ---------------------------------------------------------------------------------------------
// Labels

/// Every fixed text of the form, per language.
struct Labels {
    bank: &'static str,
    bik: &'static str,
    corr_account: &'static str,
    account: &'static str,
    inn: &'static str,
    party_inn: &'static str,
    kpp: &'static str,
    beneficiary: &'static str,
    supplier: &'static str,
    buyer: &'static str,
    basis: &'static str,
    order: &'static str,
    po: &'static str,
    columns: [&'static str; 6],
    sku: &'static str,
    total: &'static str,
    vat_included: &'static str,
    no_vat: &'static str,
    payable: &'static str,
    director: &'static str,
    accountant: &'static str,
    signature: &'static str,
    signature_name: &'static str,
    page: &'static str,
    page_of: &'static str,
}

const LABELS_RU: Labels = Labels {
    bank: "Банк получателя",
    bik: "БИК",
    corr_account: "Сч. №",
    account: "Сч. №",
    inn: "ИНН",
    party_inn: "ИНН",
    kpp: "КПП",
    beneficiary: "Получатель",
    supplier: "Поставщик (Исполнитель):",
    buyer: "Покупатель (Заказчик):",
    basis: "Основание:",
    order: "Заказ №",
    po: "ваш заказ (PO)",
    columns: ["№", "Товары (работы, услуги)", "Кол-во", "Ед.", "Цена", "Сумма"],
    sku: "Арт.",
    total: "Итого:",
    vat_included: "В том числе НДС",
    no_vat: "Без налога (НДС)",
    payable: "Всего к оплате:",
    director: "Руководитель",
    accountant: "Бухгалтер",
    signature: "подпись",
    signature_name: "расшифровка подписи",
    page: "Страница",
    page_of: "из",
};

const LABELS_EN: Labels = Labels {
    bank: "Beneficiary's bank",
    bik: "BIC",
    corr_account: "Corr. account",
    account: "Account",
    inn: "TIN (ИНН)",
    party_inn: "TIN",
    kpp: "KPP",
    beneficiary: "Beneficiary",
    supplier: "Supplier:",
    buyer: "Buyer:",
    basis: "Basis:",
    order: "Order No.",
    po: "your PO",
    columns: ["No.", "Item", "Qty", "Unit", "Price", "Amount"],
    sku: "SKU",
    total: "Total:",
    vat_included: "incl. VAT",
    no_vat: "No VAT",
    payable: "Total payable:",
    director: "Director",
    accountant: "Chief accountant",
    signature: "signature",
    signature_name: "name",
    page: "Page",
    page_of: "of",
};

fn labels(locale: InvoiceLocale) -> &'static Labels {
    match locale {
        InvoiceLocale::Ru => &LABELS_RU,
        InvoiceLocale::En => &LABELS_EN,
    }
}

// ---------------------------------------------------------------------------------------------
// Canvas: positioned items per page

/// One thing drawn on a page. Coordinates are points from the top-left corner.
enum Item {
    Text { x: f32, baseline: f32, size: f32, style: Style, grey: bool, text: String },
    Line { x1: f32, y1: f32, x2: f32, y2: f32, width: f32 },
}

/// Size, weight and colour of a run of text.
#[derive(Clone, Copy)]
struct Font {
    size: f32,
    style: Style,
    grey: bool,
}

/// Bold body text, for totals and signature labels.
const BODY_BOLD: Font = Font { size: SIZE_BODY, style: Style::Bold, grey: false };
/// Small grey captions under signature lines.
const CAPTION: Font = Font { size: SIZE_SMALL, style: Style::Regular, grey: true };

/// Horizontal alignment of text within a box.
#[derive(Clone, Copy)]
enum Align {
    Left,
    Center,
    Right,
}

/// A block of already wrapped lines in one font.
struct Para {
    lines: Vec<String>,
    size: f32,
    style: Style,
    grey: bool,
    align: Align,
}

impl Para {
    fn height(&self) -> f32 {
        self.lines.len() as f32 * self.size * LEADING
    }
}

/// Pages being laid out, with a vertical cursor on the current one.
struct Canvas {
    faces: &'static Faces,
    done: Vec<Vec<Item>>,
    page: Vec<Item>,
    y: f32,
}

impl Canvas {
    fn new(faces: &'static Faces) -> Self {
        Canvas { faces, done: Vec::new(), page: Vec::new(), y: MARGIN_TOP }
    }

    fn new_page(&mut self) {
        self.done.push(std::mem::take(&mut self.page));
        self.y = MARGIN_TOP;
    }

    /// Starts a new page unless `height` more points fit on this one (or this page is still empty).
    fn ensure(&mut self, height: f32) {
        if self.y + height > PAGE_H - MARGIN_BOTTOM && self.y > MARGIN_TOP + 0.5 {
            self.new_page();
        }
    }

    fn finish(mut self) -> Vec<Vec<Item>> {
        self.done.push(self.page);
        self.done
    }

    fn width(&self, text: &str, size: f32, style: Style) -> f32 {
        self.faces.face(style).width(text, size)
    }

    fn wrap(&self, text: &str, size: f32, style: Style, width: f32, max_lines: usize) -> Para {
        Para {
            lines: wrap(self.faces.face(style), text, size, width, max_lines),
            size,
            style,
            grey: false,
            align: Align::Left,
        }
    }

    /// Places one line of text with its left edge at `x`.
    fn text(&mut self, x: f32, baseline: f32, font: Font, text: &str) {
        let Font { size, style, grey } = font;
        let text = self.faces.face(style).sanitize(text);
        if text.trim().is_empty() {
            return;
        }
        self.page.push(Item::Text { x, baseline, size, style, grey, text });
    }

    /// Places one line of text aligned within `[x, x + width]`.
    fn text_in(&mut self, x: f32, width: f32, baseline: f32, font: Font, align: Align, s: &str) {
        let w = self.width(s, font.size, font.style);
        let left = match align {
            Align::Left => x,
            Align::Center => x + (width - w) / 2.0,
            Align::Right => x + width - w,
        };
        self.text(left, baseline, font, s);
    }

    /// Draws paragraphs stacked from `top` within `[x, x + width]`; returns the y below them.
    fn paras(&mut self, x: f32, width: f32, top: f32, paras: &[Para]) -> f32 {
        let mut y = top;
        for para in paras {
            for line in &para.lines {
                let baseline = y + para.size * BASELINE;
                let font = Font { size: para.size, style: para.style, grey: para.grey };
                self.text_in(x, width, baseline, font, para.align, line);
                y += para.size * LEADING;
            }
        }
        y
    }

    fn hline(&mut self, x1: f32, x2: f32, y: f32, width: f32) {
        self.page.push(Item::Line { x1, y1: y, x2, y2: y, width });
    }

    fn vline(&mut self, x: f32, y1: f32, y2: f32, width: f32) {
        self.page.push(Item::Line { x1: x, y1, x2: x, y2, width });
    }

    fn frame(&mut self, x: f32, y: f32, w: f32, h: f32, width: f32) {
        self.hline(x, x + w, y, width);
        self.hline(x, x + w, y + h, width);
        self.vline(x, y, y + h, width);
        self.vline(x + w, y, y + h, width);
    }
}

fn paras_height(paras: &[Para]) -> f32 {
    paras.iter().map(Para::height).sum()
}

// ---------------------------------------------------------------------------------------------
// The form, block by block

/// Bank block: the payment order details at the top of the invoice.
fn bank_block(c: &mut Canvas, doc: &InvoiceDocument, l: &Labels) {
    let x0 = MARGIN_LEFT;
    let value_w = 132.0;
    let label_w = [l.bik, l.corr_account, l.account]
        .iter()
        .map(|s| c.width(s, SIZE_BODY, Style::Regular))
        .fold(36.0_f32, f32::max)
        + 2.0 * PAD_X
        + 4.0;
    let left_w = CONTENT_W - label_w - value_w;
    let x_label = x0 + left_w;
    let x_value = x_label + label_w;
    let inner = |w: f32| w - 2.0 * PAD_X;
    let min_row = SIZE_BODY * LEADING + 2.0 * PAD_Y;

    // Row A: bank name over "Bank" caption | BIC, corr. account.
    let mut bank_caption = c.wrap(l.bank, SIZE_SMALL, Style::Regular, inner(left_w), 2);
    bank_caption.grey = true;
    let bank_name = c.wrap(&doc.bank.bank_name, SIZE_BODY, Style::Regular, inner(left_w), 4);
    let bik = c.wrap(&doc.bank.bik, SIZE_BODY, Style::Regular, inner(value_w), 2);
    let corr = c.wrap(&doc.bank.correspondent_account, SIZE_BODY, Style::Regular, inner(value_w), 3);
    let bik_h = (bik.height() + 2.0 * PAD_Y).max(min_row);
    let corr_h = (corr.height() + 2.0 * PAD_Y).max(min_row);
    let bank_h = bank_name.height() + bank_caption.height() + 2.0 * PAD_Y + 4.0;
    let row_a = (bik_h + corr_h).max(bank_h);

    // Row B: INN | KPP, then supplier name over "Beneficiary" caption | account.
    let half = left_w / 2.0;
    let inn = c.wrap(&format!("{} {}", l.inn, doc.supplier.inn), SIZE_BODY, Style::Regular, inner(half), 2);
    let kpp = c.wrap(&format!("{} {}", l.kpp, doc.supplier.kpp), SIZE_BODY, Style::Regular, inner(half), 2);
    let inn_h = (inn.height().max(kpp.height()) + 2.0 * PAD_Y).max(min_row);
    let name = c.wrap(&doc.supplier.name, SIZE_BODY, Style::Regular, inner(left_w), 4);
    let mut name_caption = c.wrap(l.beneficiary, SIZE_SMALL, Style::Regular, inner(left_w), 2);
    name_caption.grey = true;
    let account = c.wrap(&doc.bank.account, SIZE_BODY, Style::Regular, inner(value_w), 3);
    let row_b = (inn_h + name.height() + name_caption.height() + 2.0 * PAD_Y + 4.0)
        .max(account.height() + 2.0 * PAD_Y)
        .max(2.0 * min_row);

    c.ensure(row_a + row_b);
    let y0 = c.y;
    let y_b = y0 + row_a;
    let y1 = y_b + row_b;

    // Rules.
    c.frame(x0, y0, CONTENT_W, row_a + row_b, THIN);
    c.hline(x0, x0 + CONTENT_W, y_b, THIN);
    c.vline(x_label, y0, y1, THIN);
    c.vline(x_value, y0, y1, THIN);
    c.hline(x_label, x0 + CONTENT_W, y0 + bik_h, THIN);
    c.hline(x0, x_label, y_b + inn_h, THIN);
    c.vline(x0 + half, y_b, y_b + inn_h, THIN);

    // Row A text.
    c.paras(x0 + PAD_X, inner(left_w), y0 + PAD_Y, &[bank_name]);
    c.paras(x0 + PAD_X, inner(left_w), y_b - PAD_Y - bank_caption.height(), &[bank_caption]);
    let label = |s: &str| Para {
        lines: vec![s.to_string()],
        size: SIZE_BODY,
        style: Style::Regular,
        grey: false,
        align: Align::Left,
    };
    c.paras(x_label + PAD_X, inner(label_w), y0 + PAD_Y, &[label(l.bik)]);
    c.paras(x_value + PAD_X, inner(value_w), y0 + PAD_Y, &[bik]);
    c.paras(x_label + PAD_X, inner(label_w), y0 + bik_h + PAD_Y, &[label(l.corr_account)]);
    c.paras(x_value + PAD_X, inner(value_w), y0 + bik_h + PAD_Y, &[corr]);

    // Row B text.
    c.paras(x0 + PAD_X, inner(half), y_b + PAD_Y, &[inn]);
    c.paras(x0 + half + PAD_X, inner(half), y_b + PAD_Y, &[kpp]);
    c.paras(x0 + PAD_X, inner(left_w), y_b + inn_h + PAD_Y, &[name]);
    c.paras(x0 + PAD_X, inner(left_w), y1 - PAD_Y - name_caption.height(), &[name_caption]);
    c.paras(x_label + PAD_X, inner(label_w), y_b + PAD_Y, &[label(l.account)]);
    c.paras(x_value + PAD_X, inner(value_w), y_b + PAD_Y, &[account]);

    c.y = y1;
}

/// "Счёт на оплату № … от …" in large bold type, with a heavy rule under it.
fn title(c: &mut Canvas, doc: &InvoiceDocument) {
    let text = match doc.locale {
        InvoiceLocale::Ru => format!("Счёт на оплату № {} от {}", doc.number, long_date(doc.date, doc.locale)),
        InvoiceLocale::En => format!("Invoice No. {} dated {}", doc.number, long_date(doc.date, doc.locale)),
    };
    let para = c.wrap(&text, SIZE_TITLE, Style::Bold, CONTENT_W, 3);
    let h = para.height();
    c.ensure(h + 20.0);
    c.y += 14.0;
    let top = c.y;
    c.paras(MARGIN_LEFT, CONTENT_W, top, &[para]);
    c.y = top + h + 4.0;
    c.hline(MARGIN_LEFT, MARGIN_LEFT + CONTENT_W, c.y, THICK + 0.3);
    c.y += 8.0;
}

/// One "label: value" row of the parties section; the value is bold as on the standard form.
fn party_row(c: &mut Canvas, label: &str, value: &str) {
    let label_w = 96.0;
    let label = c.wrap(label, SIZE_BODY, Style::Regular, label_w - 6.0, 3);
    let value = c.wrap(value, SIZE_BODY, Style::Bold, CONTENT_W - label_w, MAX_FIELD_LINES);
    let h = label.height().max(value.height());
    c.ensure(h);
    let top = c.y;
    c.paras(MARGIN_LEFT, label_w, top, &[label]);
    c.paras(MARGIN_LEFT + label_w, CONTENT_W - label_w, top, &[value]);
    c.y = top + h + 5.0;
}

/// "name, ИНН …, КПП …, address" for a party.
fn party_text(p: &Requisites, l: &Labels) -> String {
    let mut parts = vec![p.name.trim().to_string()];
    if !p.inn.trim().is_empty() {
        parts.push(format!("{} {}", l.party_inn, p.inn.trim()));
    }
    if !p.kpp.trim().is_empty() {
        parts.push(format!("{} {}", l.kpp, p.kpp.trim()));
    }
    if !p.address.trim().is_empty() {
        parts.push(p.address.trim().to_string());
    }
    parts.retain(|s| !s.is_empty());
    parts.join(", ")
}

/// Supplier, buyer and basis of the invoice.
fn parties(c: &mut Canvas, doc: &InvoiceDocument, l: &Labels) {
    party_row(c, l.supplier, &party_text(&doc.supplier, l));
    party_row(c, l.buyer, &party_text(&doc.buyer, l));
    let mut basis = Vec::new();
    if let Some(contract) = doc.contract.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        basis.push(contract.to_string());
    }
    basis.push(format!("{} {}", l.order, doc.order_number));
    if let Some(po) = doc.po_number.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        basis.push(format!("{} {po}", l.po));
    }
    party_row(c, l.basis, &basis.join(", "));
}

/// Column widths of the lines table: №, name, quantity, unit, price, amount.
const COLS: [f32; 6] = [24.0, 0.0, 52.0, 34.0, 72.0, 78.0];

fn column_widths() -> [f32; 6] {
    let mut cols = COLS;
    cols[1] = CONTENT_W - COLS.iter().sum::<f32>();
    cols
}

/// Draws one table row of cells at the cursor (which must have room) with thin rules.
fn table_row(c: &mut Canvas, cells: &[Vec<Para>], height: f32) {
    let widths = column_widths();
    let top = c.y;
    let mut x = MARGIN_LEFT;
    for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
        if i > 0 {
            c.vline(x, top, top + height, THIN);
        }
        c.paras(x + PAD_X, w - 2.0 * PAD_X, top + PAD_Y, cell);
        x += w;
    }
    c.hline(MARGIN_LEFT, MARGIN_LEFT + CONTENT_W, top + height, THIN);
    c.y = top + height;
}

fn row_height(cells: &[Vec<Para>]) -> f32 {
    cells.iter().map(|cell| paras_height(cell)).fold(0.0, f32::max) + 2.0 * PAD_Y
}

/// Builds the cells of one invoice line.
fn line_cells(c: &Canvas, index: usize, line: &InvoiceLine, l: &Labels, locale: InvoiceLocale) -> Vec<Vec<Para>> {
    let widths = column_widths();
    let inner = |i: usize| widths[i] - 2.0 * PAD_X;
    let cell = |text: &str, i: usize, align: Align| {
        let mut p = c.wrap(text, SIZE_TABLE, Style::Regular, inner(i), MAX_FIELD_LINES);
        p.align = align;
        vec![p]
    };
    let mut name = vec![c.wrap(&line.name, SIZE_TABLE, Style::Regular, inner(1), MAX_NAME_LINES)];
    if !line.sku.trim().is_empty() {
        let mut sku = c.wrap(&format!("{} {}", l.sku, line.sku.trim()), SIZE_SMALL, Style::Regular, inner(1), 3);
        sku.grey = true;
        name.push(sku);
    }
    vec![
        cell(&(index + 1).to_string(), 0, Align::Center),
        name,
        cell(&line.quantity, 2, Align::Right),
        cell(&line.unit, 3, Align::Center),
        cell(&money(line.price_minor, locale), 4, Align::Right),
        cell(&money(line.amount_minor, locale), 5, Align::Right),
    ]
}

/// The lines table, continued over as many pages as needed with its header repeated.
fn lines_table(c: &mut Canvas, doc: &InvoiceDocument, l: &Labels) {
    let widths = column_widths();
    let header: Vec<Vec<Para>> = l
        .columns
        .iter()
        .zip(widths)
        .map(|(text, w)| {
            let mut p = c.wrap(text, SIZE_TABLE, Style::Bold, w - 2.0 * PAD_X, 3);
            p.align = Align::Center;
            vec![p]
        })
        .collect();
    let header_h = row_height(&header);

    // Draws the header at the cursor and returns where this table segment starts.
    let start_segment = |c: &mut Canvas| {
        let top = c.y;
        table_row(c, &header, header_h);
        top
    };
    // Closes a segment with a heavier outer frame.
    let close_segment = |c: &mut Canvas, top: f32| {
        let bottom = c.y;
        c.frame(MARGIN_LEFT, top, CONTENT_W, bottom - top, THICK);
        c.hline(MARGIN_LEFT, MARGIN_LEFT + CONTENT_W, top + header_h, THICK);
    };

    c.y += 6.0;
    let first_h = doc.lines.first().map_or(0.0, |line| row_height(&line_cells(c, 0, line, l, doc.locale)));
    c.ensure(header_h + first_h);
    let mut segment_top = start_segment(c);
    for (i, line) in doc.lines.iter().enumerate() {
        let cells = line_cells(c, i, line, l, doc.locale);
        let h = row_height(&cells);
        if c.y + h > PAGE_H - MARGIN_BOTTOM {
            close_segment(c, segment_top);
            c.new_page();
            segment_top = start_segment(c);
        }
        table_row(c, &cells, h);
    }
    close_segment(c, segment_top);
}

/// Right-aligned totals under the table, then the count, the amount in words and the terms.
fn totals(c: &mut Canvas, doc: &InvoiceDocument, l: &Labels) {
    let widths = column_widths();
    let right = MARGIN_LEFT + CONTENT_W - PAD_X;
    let amount_left = MARGIN_LEFT + CONTENT_W - widths[5];

    let mut rows: Vec<(String, String)> = vec![(l.total.to_string(), money(doc.total_minor, doc.locale))];
    if doc.vat.is_empty() {
        rows.push((l.no_vat.to_string(), "-".to_string()));
    } else {
        for (rate, amount) in &doc.vat {
            rows.push((format!("{} {rate}%:", l.vat_included), money(*amount, doc.locale)));
        }
    }
    rows.push((l.payable.to_string(), money(doc.total_minor, doc.locale)));

    // Values right-aligned in the amount column; labels right-aligned in one column left of
    // the widest value (huge amounts may be wider than the amount column).
    let widest_value = rows.iter().map(|(_, v)| c.width(v, SIZE_BODY, Style::Bold)).fold(0.0, f32::max);
    let label_right = (amount_left - PAD_X).min(right - widest_value - 8.0);
    let line_h = SIZE_BODY * LEADING + 1.0;
    c.ensure(6.0 + rows.len().min(5) as f32 * line_h);
    c.y += 6.0;
    for (label, value) in rows {
        c.ensure(line_h);
        let baseline = c.y + SIZE_BODY * BASELINE;
        let value_w = c.width(&value, SIZE_BODY, Style::Bold);
        c.text(right - value_w, baseline, BODY_BOLD, &value);
        let label_w = c.width(&label, SIZE_BODY, Style::Bold);
        c.text(label_right - label_w, baseline, BODY_BOLD, &label);
        c.y += line_h;
    }

    // Count and amount in words.
    let count = doc.lines.len();
    let total = money(doc.total_minor, doc.locale);
    let (summary, words) = match doc.locale {
        InvoiceLocale::Ru => {
            (format!("Всего наименований {count}, на сумму {total} руб."), rubles_in_words_ru(doc.total_minor))
        }
        InvoiceLocale::En => (format!("Total items {count}, amount {total} RUB"), rubles_in_words_en(doc.total_minor)),
    };
    let summary = c.wrap(&summary, SIZE_BODY, Style::Regular, CONTENT_W, 3);
    let words = c.wrap(&words, SIZE_BODY, Style::Bold, CONTENT_W, 6);
    let h = summary.height() + words.height();
    c.ensure(h + 8.0);
    c.y += 8.0;
    let top = c.y;
    c.y = c.paras(MARGIN_LEFT, CONTENT_W, top, &[summary, words]);

    // Validity and reservation note.
    let until = long_date(doc.valid_until, doc.locale);
    let note = match doc.locale {
        InvoiceLocale::Ru => format!(
            "Счёт действителен до {until} Товар зарезервирован до этой даты; после неё резерв снимается, \
             и наличие товара не гарантируется."
        ),
        InvoiceLocale::En => format!(
            "Valid until {until}. The goods are reserved until that date; after it the reservation is released \
             and availability is not guaranteed."
        ),
    };
    let note = c.wrap(&note, SIZE_BODY - 1.0, Style::Regular, CONTENT_W, 6);
    c.ensure(note.height() + 8.0);
    c.y += 8.0;
    let top = c.y;
    c.y = c.paras(MARGIN_LEFT, CONTENT_W, top, &[note]);
}

/// Heavy rule, then the director's and the accountant's signature lines side by side.
fn signatures(c: &mut Canvas, doc: &InvoiceDocument, l: &Labels) {
    let half = CONTENT_W / 2.0;
    let line_w = 80.0;
    let gap = 5.0;
    let slots: [(&str, &str, f32); 2] =
        [(l.director, &doc.director, MARGIN_LEFT), (l.accountant, &doc.accountant, MARGIN_LEFT + half + 8.0)];

    // Lay out names first to know the height.
    let mut laid = Vec::new();
    let mut name_lines = 1;
    for (label, name, x) in slots {
        let label_w = c.width(label, SIZE_BODY, Style::Bold);
        let name_x = x + label_w + gap + line_w + gap;
        let name_w = (x + half - 8.0 - name_x).max(30.0);
        let name = c.wrap(name, SIZE_BODY, Style::Regular, name_w, 3);
        name_lines = name_lines.max(name.lines.len());
        laid.push((label, x, label_w, name_x, name_w, name));
    }
    let h = 14.0 + 18.0 + name_lines as f32 * SIZE_BODY * LEADING + SIZE_SMALL * LEADING + 4.0;
    c.ensure(h);
    c.y += 10.0;
    c.hline(MARGIN_LEFT, MARGIN_LEFT + CONTENT_W, c.y, THICK + 0.3);
    c.y += 22.0;
    let top = c.y;
    let baseline = top + SIZE_BODY * BASELINE;
    let rule_y = baseline + 2.0;
    let mut bottom = top;
    for (label, x, label_w, name_x, name_w, name) in laid {
        c.text(x, baseline, BODY_BOLD, label);
        let line_x = x + label_w + gap;
        c.hline(line_x, line_x + line_w, rule_y, THIN);
        let caption_baseline = rule_y + SIZE_SMALL + 1.0;
        c.text_in(line_x, line_w, caption_baseline, CAPTION, Align::Center, l.signature);
        // The name sits on its own rule; with several lines the rule goes under the last one.
        let name_h = name.height();
        let name_rule = rule_y + name_h - SIZE_BODY * LEADING;
        c.paras(name_x, name_w, top, &[name]);
        c.hline(name_x, name_x + name_w, name_rule, THIN);
        let name_caption = name_rule + SIZE_SMALL + 1.0;
        c.text_in(name_x, name_w, name_caption, CAPTION, Align::Center, l.signature_name);
        bottom = bottom.max(name_caption + 2.0);
    }
    c.y = bottom;
}

/// "Страница N из M" at the foot of every page of a multi-page invoice.
fn page_numbers(pages: &mut [Vec<Item>], faces: &Faces, l: &Labels) {
    let total = pages.len();
    if total < 2 {
        return;
    }
    for (i, page) in pages.iter_mut().enumerate() {
        let text = format!("{} {} {} {total}", l.page, i + 1, l.page_of);
        let w = faces.regular.width(&text, SIZE_SMALL);
        page.push(Item::Text {
            x: MARGIN_LEFT + CONTENT_W - w,
            baseline: PAGE_H - MARGIN_BOTTOM / 2.0,
            size: SIZE_SMALL,
            style: Style::Regular,
            grey: true,
            text,
        });
    }
}

// ---------------------------------------------------------------------------------------------
// Output

/// Subsets `face` to the characters drawn with `style` and registers it with the document.
///
/// The font gets the fixed id `id` (printpdf's own ids are random), so that the same invoice
/// always gives the same bytes. printpdf also uses the id as the /BaseFont name, so it is given
/// the "ABCDEF+Name" form that marks an embedded subset.
fn embed(
    pdf: &mut PdfDocument,
    face: &Face,
    pages: &[Vec<Item>],
    style: Style,
    id: &str,
) -> Result<Option<FontId>, PdfError> {
    let chars: BTreeSet<char> = pages
        .iter()
        .flatten()
        .filter_map(|item| match item {
            Item::Text { style: s, text, .. } if *s == style => Some(text.chars()),
            _ => None,
        })
        .flatten()
        .collect();
    if chars.is_empty() {
        return Ok(None);
    }
    let bytes = face.subset(&chars)?;
    let mut warnings = Vec::new();
    let parsed = ParsedFont::from_bytes(&bytes, 0, &mut warnings)
        .ok_or_else(|| PdfError::Font { font: face.name, reason: format!("subset font unreadable: {warnings:?}") })?;
    let id = FontId(id.to_string());
    pdf.resources.fonts.map.insert(id.clone(), PdfFont::new(parsed));
    Ok(Some(id))
}

fn grey(on: bool) -> Color {
    Color::Greyscale(Greyscale { percent: if on { 0.4 } else { 0.0 }, icc_profile: None })
}

/// Turns laid-out items into printpdf operations (flipping y to PDF's bottom-up coordinates).
fn page_ops(items: &[Item], regular: Option<&FontId>, bold: Option<&FontId>) -> Vec<Op> {
    let mut ops = vec![
        Op::SetOutlineColor { col: grey(false) },
        Op::SetFillColor { col: grey(false) },
        Op::SetLineCapStyle { cap: printpdf::LineCapStyle::ProjectingSquare },
    ];
    let mut line_width = None;
    let mut is_grey = false;
    let point = |x: f32, y: f32| LinePoint { p: Point { x: Pt(x), y: Pt(PAGE_H - y) }, bezier: false };
    for item in items {
        match item {
            Item::Line { x1, y1, x2, y2, width } => {
                if line_width != Some(*width) {
                    ops.push(Op::SetOutlineThickness { pt: Pt(*width) });
                    line_width = Some(*width);
                }
                ops.push(Op::DrawLine {
                    line: Line { points: vec![point(*x1, *y1), point(*x2, *y2)], is_closed: false },
                });
            }
            Item::Text { x, baseline, size, style, grey: g, text } => {
                let font = match style {
                    Style::Regular => regular,
                    Style::Bold => bold,
                };
                let Some(font) = font else { continue };
                if *g != is_grey {
                    ops.push(Op::SetFillColor { col: grey(*g) });
                    is_grey = *g;
                }
                ops.push(Op::StartTextSection);
                ops.push(Op::SetFont { font: PdfFontHandle::External(font.clone()), size: Pt(*size) });
                ops.push(Op::SetTextCursor { pos: Point { x: Pt(*x), y: Pt(PAGE_H - baseline) } });
                ops.push(Op::ShowText { items: vec![TextItem::Text(text.clone())] });
                ops.push(Op::EndTextSection);
            }
        }
    }
    ops
}

/// Renders the invoice as a PDF file (A4 portrait, as many pages as the lines need).
///
/// Text is real, extractable text in DejaVu Sans, subset to the glyphs used. The output is
/// deterministic for a given document.
pub fn render(doc: &InvoiceDocument) -> Result<Vec<u8>, PdfError> {
    let faces = Faces::get()?;
    let l = labels(doc.locale);

    let mut c = Canvas::new(faces);
    bank_block(&mut c, doc, l);
    title(&mut c, doc);
    parties(&mut c, doc, l);
    lines_table(&mut c, doc, l);
    totals(&mut c, doc, l);
    signatures(&mut c, doc, l);
    let mut pages = c.finish();
    page_numbers(&mut pages, faces, l);

    let title = match doc.locale {
        InvoiceLocale::Ru => format!("Счёт на оплату № {}", doc.number),
        InvoiceLocale::En => format!("Invoice No. {}", doc.number),
    };
    let mut pdf = PdfDocument::new(&title);
    let regular = embed(&mut pdf, &faces.regular, &pages, Style::Regular, "DJVSNR+DejaVuSans")?;
    let bold = embed(&mut pdf, &faces.bold, &pages, Style::Bold, "DJVSNB+DejaVuSans-Bold")?;
    let pdf_pages = pages
        .iter()
        .map(|items| PdfPage::new(Mm(210.0), Mm(297.0), page_ops(items, regular.as_ref(), bold.as_ref())))
        .collect();
    pdf.with_pages(pdf_pages);

    let mut warnings = Vec::new();
    let options = PdfSaveOptions { image_optimization: None, ..PdfSaveOptions::default() };
    let mut bytes = pdf.save(&options, &mut warnings);
    let errors: Vec<String> =
        warnings.into_iter().filter(|w| w.severity == PdfParseErrorSeverity::Error).map(|w| w.msg).collect();
    if !errors.is_empty() {
        return Err(PdfError::Serialize(errors.join("; ")));
    }
    stable_file_id(&mut bytes);
    Ok(bytes)
}

/// FNV-1a, 64 bit: a small stable hash (std's hasher may change between Rust releases).
fn fnv1a(seed: u64, parts: &[&[u8]]) -> u64 {
    let mut hash = seed;
    for part in parts {
        for byte in *part {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

/// Replaces the random file identifier printpdf writes into the trailer
/// (`/ID[(32 letters)(32 letters)]`) with a hash of the rest of the file, keeping its length,
/// so byte offsets stay valid and the same invoice always renders to the same bytes.
/// Leaves the file alone if the trailer does not look as expected.
fn stable_file_id(pdf: &mut [u8]) {
    const MARKER: &[u8] = b"/ID[(";
    let Some(start) = pdf.windows(MARKER.len()).rposition(|w| w == MARKER).map(|i| i + MARKER.len() - 1) else {
        return;
    };
    // Expect "(" id ")(" id ")]" with ids made of ASCII letters.
    let Some(len) = pdf[start + 1..].iter().position(|b| *b == b')') else { return };
    let end = start + 2 * (len + 2);
    if end >= pdf.len() || pdf[start + len + 2] != b'(' || pdf[end - 1] != b')' || pdf[end] != b']' {
        return;
    }
    let ids = [start + 1..start + 1 + len, start + len + 3..start + len + 3 + len];
    if ids.iter().any(|r| !pdf[r.clone()].iter().all(u8::is_ascii_alphabetic)) {
        return;
    }
    let (head, tail) = (&pdf[..start], &pdf[end..]);
    let hashes = [fnv1a(0xcbf2_9ce4_8422_2325, &[head, tail]), fnv1a(0x8422_2325_cbf2_9ce4, &[tail, head])];
    // Letters A..P, one per 4 bits, as many as the original id had.
    let letters: Vec<u8> = (0..len).map(|i| b'A' + ((hashes[(i / 16) % 2] >> ((i % 16) * 4)) & 0xf) as u8).collect();
    for range in ids {
        pdf[range].copy_from_slice(&letters);
    }
}

#[cfg(test)]
mod tests {
    use super::super::document::BankDetails;
    use super::*;

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
    fn money_format() {
        assert_eq!(money(0, InvoiceLocale::Ru), "0,00");
        assert_eq!(money(5, InvoiceLocale::Ru), "0,05");
        assert_eq!(money(123_456, InvoiceLocale::Ru), "1 234,56");
        assert_eq!(money(100_000_000, InvoiceLocale::Ru), "1 000 000,00");
        assert_eq!(money(-123_456, InvoiceLocale::Ru), "-1 234,56");
        assert_eq!(money(123_456, InvoiceLocale::En), "1,234.56");
        assert_eq!(money(i64::MIN, InvoiceLocale::Ru), "-92 233 720 368 547 758,08");
    }

    #[test]
    fn dates() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 26).expect("valid date");
        assert_eq!(long_date(d, InvoiceLocale::Ru), "26 ноября 2026 г.");
        assert_eq!(long_date(d, InvoiceLocale::En), "26 November 2026");
    }

    #[test]
    fn wrap_never_exceeds_width() {
        let faces = Faces::get().expect("bundled fonts parse");
        let text = "Очень-очень-длинное-название-без-пробелов-которое-никак-не-помещается-в-колонку и ещё слова";
        let lines = wrap(&faces.regular, text, 8.0, 60.0, 100);
        assert!(lines.len() > 3);
        for line in &lines {
            assert!(faces.regular.width(line, 8.0) <= 60.0 + 0.01, "{line}");
        }
        let cut = wrap(&faces.regular, text, 8.0, 60.0, 2);
        assert_eq!(cut.len(), 2);
        assert!(cut[1].ends_with('…'));
        assert_eq!(wrap(&faces.regular, "", 8.0, 60.0, 2), vec![String::new()]);
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
