//! What a buyer is told about availability, under the supplier's stock
//! display setting. Quantities themselves live on offers (`catalog`).

use serde::Serialize;

use crate::settings::{StockDisplay, StockPolicy};

/// Availability as shown to a buyer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "quantity", rename_all = "snake_case")]
pub enum Availability {
    /// The exact available quantity, in thousandths.
    Exact(i64),
    InStock,
    Few,
    None,
    /// The supplier does not show stock.
    Hidden,
}

impl Availability {
    pub fn of(available: i64, policy: StockPolicy) -> Availability {
        match policy.display {
            StockDisplay::Exact => Availability::Exact(available.max(0)),
            StockDisplay::Hidden => Availability::Hidden,
            StockDisplay::Levels if available <= 0 => Availability::None,
            StockDisplay::Levels if available <= policy.few_threshold => Availability::Few,
            StockDisplay::Levels => Availability::InStock,
        }
    }

    /// The key of its label in the message catalog.
    pub fn label_key(self) -> &'static str {
        match self {
            Availability::Exact(q) if q > 0 => "stock.exact",
            Availability::Exact(_) | Availability::None => "stock.none",
            Availability::InStock => "stock.in_stock",
            Availability::Few => "stock.few",
            Availability::Hidden => "stock.hidden",
        }
    }

    /// Quantity in thousandths, only where the policy shows it.
    pub fn quantity(self) -> Option<i64> {
        match self {
            Availability::Exact(q) => Some(q),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(display: StockDisplay) -> StockPolicy {
        StockPolicy { display, few_threshold: 10_000 }
    }

    #[test]
    fn levels() {
        assert_eq!(Availability::of(0, policy(StockDisplay::Levels)), Availability::None);
        assert_eq!(Availability::of(10_000, policy(StockDisplay::Levels)), Availability::Few);
        assert_eq!(Availability::of(10_001, policy(StockDisplay::Levels)), Availability::InStock);
        assert_eq!(Availability::of(5, policy(StockDisplay::Exact)), Availability::Exact(5));
        assert_eq!(Availability::of(5, policy(StockDisplay::Hidden)), Availability::Hidden);
    }
}
