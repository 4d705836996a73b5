//! Turns laid-out pages into PDF bytes: embeds the font subsets the pages use, converts each
//! [`Item`] into printpdf operations (flipping y to PDF's bottom-up coordinates) and saves.
//!
//! This module must never move, add or drop anything the layout placed, and never introduce
//! anything that varies from run to run (ids, timestamps, hash-map order): the same pages must
//! always give the same bytes, apart from the trailer id that `determinism` then fixes.

use std::collections::BTreeSet;

use printpdf::{
    Color, FontId, Greyscale, Line, LinePoint, Mm, Op, PdfDocument, PdfFontHandle, PdfPage, PdfParseErrorSeverity,
    PdfSaveOptions, Point, Pt, TextItem,
};

use super::fonts::{Faces, Style};
use super::layout::{Item, PAGE_H};
use super::PdfError;

/// Writes `pages` as an A4 PDF titled `title` (in its metadata), with the fonts subset to the
/// characters drawn in each style.
pub(super) fn write(pages: &[Vec<Item>], faces: &Faces, title: &str) -> Result<Vec<u8>, PdfError> {
    let mut pdf = PdfDocument::new(title);
    let regular = faces.embed(&mut pdf, Style::Regular, &chars_used(pages, Style::Regular))?;
    let bold = faces.embed(&mut pdf, Style::Bold, &chars_used(pages, Style::Bold))?;
    let pdf_pages = pages
        .iter()
        .map(|items| PdfPage::new(Mm(210.0), Mm(297.0), page_ops(items, regular.as_ref(), bold.as_ref())))
        .collect();
    pdf.with_pages(pdf_pages);

    let mut warnings = Vec::new();
    let options = PdfSaveOptions { image_optimization: None, ..PdfSaveOptions::default() };
    let bytes = pdf.save(&options, &mut warnings);
    let errors: Vec<String> =
        warnings.into_iter().filter(|w| w.severity == PdfParseErrorSeverity::Error).map(|w| w.msg).collect();
    if !errors.is_empty() {
        return Err(PdfError::Serialize(errors.join("; ")));
    }
    Ok(bytes)
}

/// Every character drawn with `style` on any page.
fn chars_used(pages: &[Vec<Item>], style: Style) -> BTreeSet<char> {
    pages
        .iter()
        .flatten()
        .filter_map(|item| match item {
            Item::Text { style: s, text, .. } if *s == style => Some(text.chars()),
            _ => None,
        })
        .flatten()
        .collect()
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
