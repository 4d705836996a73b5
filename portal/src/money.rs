//! Exact money and quantities: integer minor units (kopecks) and thousandths of
//! a unit. Nothing here ever becomes a float.

use serde::Serialize;

/// An amount in minor units (kopecks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize)]
pub struct Money(pub i64);

impl Money {
    pub fn minor(self) -> i64 {
        self.0
    }

    /// `numerator / denominator`, rounded half away from zero.
    pub fn mul_ratio(self, numerator: i64, denominator: i64) -> Money {
        Money(div_round(i128::from(self.0) * i128::from(numerator), i128::from(denominator)))
    }

    /// Reads a decimal amount as an ERP writes it ("1234.5", "1 234,56",
    /// "12.3456"), rounded half up to the kopeck; never through a float.
    pub fn parse_decimal(text: &str) -> Option<Money> {
        let cleaned: String = text.trim().chars().filter(|c| !matches!(c, ' ' | '\u{a0}')).collect();
        let (negative, digits) = match cleaned.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, cleaned.as_str()),
        };
        let (whole, frac) = digits.split_once(['.', ',']).unwrap_or((digits, ""));
        if whole.is_empty() || !whole.chars().all(|c| c.is_ascii_digit()) || !frac.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        if whole.len() > 15 {
            return None;
        }
        let whole: i64 = whole.parse().ok()?;
        let mut kopecks: i64 = format!("{:0<2}", frac.get(..2).unwrap_or(frac)).parse().ok()?;
        if frac.chars().nth(2).is_some_and(|c| c >= '5') {
            kopecks += 1;
        }
        let value = whole * 100 + kopecks;
        Some(Money(if negative { -value } else { value }))
    }

    /// Formats with a thousands separator and two decimals, in the locale's style
    /// ("1 234,50" for Russian, "1,234.50" for English).
    pub fn format(self, locale: &str) -> String {
        let (group, decimal) = if locale == "en" { (',', '.') } else { ('\u{a0}', ',') };
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}{}{decimal}{:02}", group_digits(abs / 100, group), abs % 100)
    }
}

/// A quantity in thousandths of the product's unit (1 шт = 1000, 0.5 кг = 500).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize)]
pub struct Qty(pub i64);

/// Thousandths in one whole unit.
pub const QTY_SCALE: i64 = 1000;

impl Qty {
    pub fn units(whole: i64) -> Qty {
        Qty(whole * QTY_SCALE)
    }

    pub fn milli(self) -> i64 {
        self.0
    }

    /// Parses "12", "1.5", "1,5", " 2 000 " (spaces as group separators).
    /// More than three decimals, signs other than a leading minus, or any
    /// other character is unreadable.
    pub fn parse(text: &str) -> Option<Qty> {
        let cleaned: String = text.trim().chars().filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}')).collect();
        let (negative, digits) = match cleaned.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, cleaned.as_str()),
        };
        let mut parts = digits.splitn(2, ['.', ',']);
        let whole = parts.next().unwrap_or("");
        let frac = parts.next().unwrap_or("");
        if whole.is_empty() && frac.is_empty() {
            return None;
        }
        if !whole.chars().all(|c| c.is_ascii_digit()) || !frac.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        if frac.len() > 3 || whole.len() > 12 {
            return None;
        }
        let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().ok()? };
        let frac_value: i64 = if frac.is_empty() { 0 } else { format!("{frac:0<3}").parse().ok()? };
        let value = whole * QTY_SCALE + frac_value;
        Some(Qty(if negative { -value } else { value }))
    }

    /// Machine form for APIs and files: "16800", "0.5" (no grouping).
    pub fn plain(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let (whole, frac) = (abs / QTY_SCALE as u64, abs % QTY_SCALE as u64);
        if frac == 0 {
            format!("{sign}{whole}")
        } else {
            format!("{sign}{whole}.{}", format!("{frac:03}").trim_end_matches('0'))
        }
    }

    /// "12", "1,5" / "1.5", "16 800" — grouped, no trailing zeros.
    pub fn format(self, locale: &str) -> String {
        let (group, decimal) = if locale == "en" { (',', ".") } else { ('\u{a0}', ",") };
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let whole = group_digits(abs / QTY_SCALE as u64, group);
        let frac = abs % QTY_SCALE as u64;
        if frac == 0 {
            format!("{sign}{whole}")
        } else {
            let frac = format!("{frac:03}");
            format!("{sign}{whole}{decimal}{}", frac.trim_end_matches('0'))
        }
    }
}

/// Basis points as a percentage without trailing zeros ("3", "12.5").
pub fn percent_from_bp(bp: i32) -> String {
    let whole = bp / 100;
    let frac = (bp % 100).abs();
    if frac == 0 {
        whole.to_string()
    } else {
        format!("{whole}.{}", format!("{frac:02}").trim_end_matches('0'))
    }
}

fn div_round(numerator: i128, denominator: i128) -> i64 {
    let half = denominator.abs() / 2;
    let rounded = if (numerator >= 0) == (denominator > 0) {
        (numerator.abs() + half) / denominator.abs()
    } else {
        -((numerator.abs() + half) / denominator.abs())
    };
    i64::try_from(rounded).unwrap_or(if rounded > 0 { i64::MAX } else { i64::MIN })
}

fn group_digits(mut value: u64, separator: char) -> String {
    let mut groups = Vec::new();
    loop {
        groups.push(value % 1000);
        value /= 1000;
        if value == 0 {
            break;
        }
    }
    let mut out = groups.pop().map(|g| g.to_string()).unwrap_or_default();
    while let Some(g) = groups.pop() {
        out.push(separator);
        out.push_str(&format!("{g:03}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_formats_per_locale() {
        assert_eq!(Money(123_456_789).format("ru"), "1\u{a0}234\u{a0}567,89");
        assert_eq!(Money(123_456_789).format("en"), "1,234,567.89");
        assert_eq!(Money(5).format("en"), "0.05");
        assert_eq!(Money(-1050).format("en"), "-10.50");
    }

    #[test]
    fn money_parses_erp_decimals_exactly() {
        assert_eq!(Money::parse_decimal("1234.5"), Some(Money(123_450)));
        assert_eq!(Money::parse_decimal("1 234,56"), Some(Money(123_456)));
        assert_eq!(Money::parse_decimal("12.3456"), Some(Money(1_235)));
        assert_eq!(Money::parse_decimal("0.005"), Some(Money(1)));
        assert_eq!(Money::parse_decimal("7"), Some(Money(700)));
        assert_eq!(Money::parse_decimal("abc"), None);
        assert_eq!(Money::parse_decimal(""), None);
    }

    #[test]
    fn money_ratio_rounds_half_away_from_zero() {
        assert_eq!(Money(1005).mul_ratio(1, 2), Money(503));
        assert_eq!(Money(999).mul_ratio(9000, 10000), Money(899));
        assert_eq!(Money(-1005).mul_ratio(1, 2), Money(-503));
    }

    #[test]
    fn qty_parses_the_ways_people_type() {
        assert_eq!(Qty::parse("12"), Some(Qty(12_000)));
        assert_eq!(Qty::parse("1,5"), Some(Qty(1_500)));
        assert_eq!(Qty::parse(" 2 000 "), Some(Qty(2_000_000)));
        assert_eq!(Qty::parse("0.125"), Some(Qty(125)));
        assert_eq!(Qty::parse("-3"), Some(Qty(-3_000)));
        assert_eq!(Qty::parse("1.2345"), None);
        assert_eq!(Qty::parse("abc"), None);
        assert_eq!(Qty::parse(""), None);
        assert_eq!(Qty::parse("1e5"), None);
    }

    #[test]
    fn qty_formats_without_trailing_zeros() {
        assert_eq!(Qty(1_500).format("ru"), "1,5");
        assert_eq!(Qty(12_000).format("en"), "12");
        assert_eq!(Qty(125).format("en"), "0.125");
        assert_eq!(Qty(16_800_000).format("ru"), "16\u{a0}800");
        assert_eq!(Qty(16_800_500).plain(), "16800.5");
    }
}
