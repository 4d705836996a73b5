//! The pick list on A4 portrait: the title, the order's facts, a table per
//! warehouse (SKU · item, category, unit, to pick, an empty "picked" box)
//! and the signature lines. Every text comes worded from
//! `ordering::pick_list`; the blocks are `grid`'s.

use super::grid::{heading, pairs, title, Grid};
use super::layout::{Align, Canvas, CONTENT_W, MARGIN_LEFT, THIN};

/// Lays the pick list out on the canvas.
pub(super) fn draw(c: &mut Canvas, list: &crate::ordering::pick_list::PickList) {
    use Align::{Center, Left, Right};
    title(c, &list.title);
    pairs(c, &list.facts, Left);
    // №, SKU · item (the rest), category, unit, to pick, picked.
    let grid = Grid::new(&[22.0, 0.0, 120.0, 30.0, 56.0, 56.0], &[Center, Left, Left, Center, Right, Right], 1);
    for (warehouse, rows) in &list.warehouses {
        heading(c, warehouse);
        let rows: Vec<Vec<String>> = rows.iter().map(|row| row.to_vec()).collect();
        grid.table(c, &list.columns, &rows);
    }
    c.ensure(60.0);
    c.y += 24.0;
    let half = CONTENT_W / 2.0;
    for (i, label) in list.signatures.iter().enumerate() {
        let x = MARGIN_LEFT + i as f32 * half;
        let top = c.y;
        let label = c.wrap(label, super::layout::SIZE_BODY, super::fonts::Style::Bold, half - 20.0, 1);
        c.paras(x, half - 20.0, top, &[label]);
        c.hline(x, x + half - 20.0, top + 28.0, THIN);
    }
    c.y += 34.0;
}
