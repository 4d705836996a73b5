//! Page geometry, text measuring and wrapping, and the [`Canvas`] the sections draw on: a list of
//! positioned text runs and rules per page, with a vertical cursor.
//!
//! Layout uses the DejaVu Sans advance widths (Cyrillic and Latin need no shaping). y is measured
//! from the top of the page here; it is flipped to PDF's bottom-up coordinates only when the items
//! are emitted. This module knows nothing about invoices: it must never hold form texts, invoice
//! fields or printpdf types.

use super::fonts::{Face, Faces, Style};

// Page geometry, in PDF points (1/72 inch).

const PAGE_W: f32 = 595.28;
pub(super) const PAGE_H: f32 = 841.89;
pub(super) const MARGIN_LEFT: f32 = 42.0;
const MARGIN_RIGHT: f32 = 28.0;
pub(super) const MARGIN_TOP: f32 = 30.0;
pub(super) const MARGIN_BOTTOM: f32 = 40.0;
pub(super) const CONTENT_W: f32 = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT;

/// Line height as a multiple of the font size.
pub(super) const LEADING: f32 = 1.2;
/// Distance from the top of a line box to the baseline, as a multiple of the font size.
pub(super) const BASELINE: f32 = 0.93;
/// Horizontal padding inside table cells.
pub(super) const PAD_X: f32 = 3.0;
/// Vertical padding inside table cells.
pub(super) const PAD_Y: f32 = 2.5;

pub(super) const THIN: f32 = 0.5;
pub(super) const THICK: f32 = 1.2;

pub(super) const SIZE_TITLE: f32 = 13.0;
pub(super) const SIZE_BODY: f32 = 9.0;
pub(super) const SIZE_TABLE: f32 = 8.0;
pub(super) const SIZE_SMALL: f32 = 6.5;

/// Longest product name kept, in lines of the name column; the rest is cut with "…".
pub(super) const MAX_NAME_LINES: usize = 30;
/// Longest any other field may grow, in lines.
pub(super) const MAX_FIELD_LINES: usize = 8;

/// Breaks `text` into lines no wider than `width` (never at a no-break space); words longer than a line are broken between
/// characters. At most `max_lines` lines are returned, the last one ending in "…" if text was
/// cut. Empty text gives one empty line, so every field occupies at least one line.
fn wrap(face: &Face, text: &str, size: f32, width: f32, max_lines: usize) -> Vec<String> {
    // A no-break space (in "47 509,50") glues its neighbours into one word;
    // it prints as a space.
    let words: Vec<String> = text
        .split(|c: char| c.is_whitespace() && c != '\u{a0}')
        .filter(|w| !w.is_empty())
        .map(|w| face.sanitize(w))
        .collect();
    let max_lines = max_lines.max(1);
    let width = width.max(size);
    let space = face.char_width(' ', size);
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut current_w = 0.0_f32;
    let mut truncated = false;

    'words: for word in words.iter().map(String::as_str) {
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

/// One thing drawn on a page. Coordinates are points from the top-left corner.
pub(super) enum Item {
    Text { x: f32, baseline: f32, size: f32, style: Style, grey: bool, text: String },
    Line { x1: f32, y1: f32, x2: f32, y2: f32, width: f32 },
}

/// Size, weight and colour of a run of text.
#[derive(Clone, Copy)]
pub(super) struct Font {
    size: f32,
    style: Style,
    grey: bool,
}

/// Body text.
pub(super) const BODY: Font = Font { size: SIZE_BODY, style: Style::Regular, grey: false };
/// Bold body text, for totals and signature labels.
pub(super) const BODY_BOLD: Font = Font { size: SIZE_BODY, style: Style::Bold, grey: false };
/// Small grey captions under signature lines.
pub(super) const CAPTION: Font = Font { size: SIZE_SMALL, style: Style::Regular, grey: true };

/// Horizontal alignment of text within a box.
#[derive(Clone, Copy)]
pub(super) enum Align {
    Left,
    Center,
    Right,
}

/// A block of already wrapped lines in one font.
pub(super) struct Para {
    pub(super) lines: Vec<String>,
    pub(super) size: f32,
    pub(super) style: Style,
    pub(super) grey: bool,
    pub(super) align: Align,
}

impl Para {
    pub(super) fn height(&self) -> f32 {
        self.lines.len() as f32 * self.size * LEADING
    }
}

pub(super) fn paras_height(paras: &[Para]) -> f32 {
    paras.iter().map(Para::height).sum()
}

/// Pages being laid out, with a vertical cursor on the current one.
pub(super) struct Canvas {
    faces: &'static Faces,
    done: Vec<Vec<Item>>,
    page: Vec<Item>,
    /// The cursor: where the next block starts, in points from the top of the current page.
    pub(super) y: f32,
}

impl Canvas {
    pub(super) fn new(faces: &'static Faces) -> Self {
        Canvas { faces, done: Vec::new(), page: Vec::new(), y: MARGIN_TOP }
    }

    pub(super) fn new_page(&mut self) {
        self.done.push(std::mem::take(&mut self.page));
        self.y = MARGIN_TOP;
    }

    /// Starts a new page unless `height` more points fit on this one (or this page is still empty).
    pub(super) fn ensure(&mut self, height: f32) {
        if self.y + height > PAGE_H - MARGIN_BOTTOM && self.y > MARGIN_TOP + 0.5 {
            self.new_page();
        }
    }

    pub(super) fn finish(mut self) -> Vec<Vec<Item>> {
        self.done.push(self.page);
        self.done
    }

    pub(super) fn width(&self, text: &str, size: f32, style: Style) -> f32 {
        self.faces.face(style).width(text, size)
    }

    pub(super) fn wrap(&self, text: &str, size: f32, style: Style, width: f32, max_lines: usize) -> Para {
        Para {
            lines: wrap(self.faces.face(style), text, size, width, max_lines),
            size,
            style,
            grey: false,
            align: Align::Left,
        }
    }

    /// Places one line of text with its left edge at `x`.
    pub(super) fn text(&mut self, x: f32, baseline: f32, font: Font, text: &str) {
        let Font { size, style, grey } = font;
        let text = self.faces.face(style).sanitize(text);
        if text.trim().is_empty() {
            return;
        }
        self.page.push(Item::Text { x, baseline, size, style, grey, text });
    }

    /// Places one line of text aligned within `[x, x + width]`.
    pub(super) fn text_in(&mut self, x: f32, width: f32, baseline: f32, font: Font, align: Align, s: &str) {
        let w = self.width(s, font.size, font.style);
        let left = match align {
            Align::Left => x,
            Align::Center => x + (width - w) / 2.0,
            Align::Right => x + width - w,
        };
        self.text(left, baseline, font, s);
    }

    /// Draws paragraphs stacked from `top` within `[x, x + width]`; returns the y below them.
    pub(super) fn paras(&mut self, x: f32, width: f32, top: f32, paras: &[Para]) -> f32 {
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

    pub(super) fn hline(&mut self, x1: f32, x2: f32, y: f32, width: f32) {
        self.page.push(Item::Line { x1, y1: y, x2, y2: y, width });
    }

    pub(super) fn vline(&mut self, x: f32, y1: f32, y2: f32, width: f32) {
        self.page.push(Item::Line { x1: x, y1, x2: x, y2, width });
    }

    pub(super) fn frame(&mut self, x: f32, y: f32, w: f32, h: f32, width: f32) {
        self.hline(x, x + w, y, width);
        self.hline(x, x + w, y + h, width);
        self.vline(x, y, y + h, width);
        self.vline(x + w, y, y + h, width);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
