//! The order card on A4 portrait: the title, the order's facts, the lines
//! table, the totals, the documents and the history. Every text comes
//! worded from `ordering::order_card`; the blocks are `grid`'s.

use super::grid::{heading, pairs, title, Grid};
use super::layout::{Align, Canvas};
use crate::ordering::order_card::OrderCard;

/// Lays the card out on the canvas.
pub(super) fn draw(c: &mut Canvas, card: &OrderCard) {
    use Align::{Center, Left, Right};
    title(c, &card.title);
    pairs(c, &card.facts, Left);
    // №, SKU · item (the rest), quantity, unit, reserved, shipped, price, amount.
    let grid = Grid::new(
        &[22.0, 0.0, 44.0, 28.0, 56.0, 62.0, 58.0, 68.0],
        &[Center, Left, Right, Center, Right, Right, Right, Right],
        1,
    );
    let rows: Vec<Vec<String>> = card.lines.iter().map(|line| line.to_vec()).collect();
    grid.table(c, &card.columns, &rows);
    pairs(c, &card.totals, Right);
    if !card.documents.is_empty() {
        heading(c, &card.documents_title);
        let documents: Vec<(String, String)> = card.documents.iter().map(|d| (String::new(), d.clone())).collect();
        pairs(c, &documents, Left);
    }
    if !card.history.is_empty() {
        heading(c, &card.history_title);
        pairs(c, &card.history, Left);
    }
}
