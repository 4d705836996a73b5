//! A report's period of whole days, and its cut at month boundaries: the
//! whole months inside it are read from the monthly sums
//! (`facts::months`), the days before and after them from the facts by date.

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use serde::Serialize;

use crate::error::{Error, Result};

/// A period of whole days, both ends included (UTC days).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// A month as `yyyymm` (202612), the key of the monthly sums.
pub fn month_key(day: NaiveDate) -> i64 {
    i64::from(day.year()) * 100 + i64::from(day.month())
}

/// The first day of the month of `key`.
pub fn month_start(key: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt((key / 100) as i32, (key % 100) as u32, 1).unwrap_or_default()
}

/// The first day of the month after `day`'s.
pub fn next_month(day: NaiveDate) -> NaiveDate {
    let (year, month) = if day.month() == 12 { (day.year() + 1, 1) } else { (day.year(), day.month() + 1) };
    NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(day)
}

/// A period cut at month boundaries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthCut {
    /// The first and last whole month inside the period (`yyyymm`), if any.
    pub months: Option<(i64, i64)>,
    /// The stretches of time outside those months, each `[start, end)`.
    pub edges: Vec<(NaiveDateTime, NaiveDateTime)>,
}

impl Period {
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Period> {
        if to < from {
            return Err(Error::Invalid("the period ends before it starts".into()));
        }
        if (to - from).num_days() > 3_660 {
            return Err(Error::Invalid("a period is at most ten years".into()));
        }
        Ok(Period { from, to })
    }

    /// The period asked for, each end optional: by default up to `today`
    /// and from 365 days before its end.
    pub fn or_last_year(from: Option<NaiveDate>, to: Option<NaiveDate>, today: NaiveDate) -> Result<Period> {
        let to = to.unwrap_or(today);
        Period::new(from.unwrap_or(to - chrono::Duration::days(365)), to)
    }

    /// The period as `[start, end)`: from the first day's midnight to the
    /// midnight after the last day.
    pub fn bounds(&self) -> (NaiveDateTime, NaiveDateTime) {
        (midnight(self.from), midnight(self.to.succ_opt().unwrap_or(self.to)))
    }

    /// The whole months inside the period and the days around them.
    pub fn cut_at_months(&self) -> MonthCut {
        let (start, end) = self.bounds();
        let after = self.to.succ_opt().unwrap_or(self.to);
        let first = if self.from.day() == 1 { self.from } else { next_month(self.from) };
        let beyond = after.with_day(1).unwrap_or(after);
        if first >= beyond {
            return MonthCut { months: None, edges: vec![(start, end)] };
        }
        let last = beyond.pred_opt().unwrap_or(beyond);
        let edges = [(start, midnight(first)), (midnight(beyond), end)].into_iter().filter(|(a, b)| a < b).collect();
        MonthCut { months: Some((month_key(first), month_key(last))), edges }
    }
}

fn midnight(day: NaiveDate) -> NaiveDateTime {
    day.and_hms_opt(0, 0, 0).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
    }

    fn at(text: &str) -> NaiveDateTime {
        midnight(day(text))
    }

    fn cut(from: &str, to: &str) -> MonthCut {
        Period::new(day(from), day(to)).expect("period").cut_at_months()
    }

    #[test]
    fn a_year_to_a_day_reads_the_months_between_and_the_days_around_them() {
        assert_eq!(
            cut("2025-12-07", "2026-12-07"),
            MonthCut {
                months: Some((202601, 202611)),
                edges: vec![(at("2025-12-07"), at("2026-01-01")), (at("2026-12-01"), at("2026-12-08"))],
            }
        );
    }

    #[test]
    fn whole_months_have_no_edges_and_december_turns_the_year() {
        assert_eq!(cut("2026-01-01", "2026-12-31"), MonthCut { months: Some((202601, 202612)), edges: vec![] });
        assert_eq!(
            cut("2026-11-01", "2027-01-15"),
            MonthCut { months: Some((202611, 202612)), edges: vec![(at("2027-01-01"), at("2027-01-16"))] }
        );
        assert_eq!(cut("2024-02-01", "2024-02-29").months, Some((202402, 202402)));
    }

    #[test]
    fn a_period_within_a_month_or_across_one_boundary_reads_only_days() {
        let within = cut("2026-03-02", "2026-03-30");
        assert_eq!(within, MonthCut { months: None, edges: vec![(at("2026-03-02"), at("2026-03-31"))] });
        let across = cut("2026-03-15", "2026-04-15");
        assert_eq!(across, MonthCut { months: None, edges: vec![(at("2026-03-15"), at("2026-04-16"))] });
        assert_eq!(cut("2026-03-31", "2026-03-31").edges, vec![(at("2026-03-31"), at("2026-04-01"))]);
    }

    #[test]
    fn a_missing_end_is_today_and_a_missing_start_a_year_before_the_end() {
        let today = day("2026-12-07");
        let period = Period::or_last_year(None, None, today).expect("period");
        assert_eq!((period.from, period.to), (day("2025-12-07"), today));
        let period = Period::or_last_year(None, Some(day("2026-06-30")), today).expect("period");
        assert_eq!(period.from, day("2025-06-30"));
        assert!(Period::or_last_year(Some(day("2027-01-01")), None, today).is_err(), "starts after it ends");
    }

    #[test]
    fn month_keys_round_trip() {
        assert_eq!(month_key(day("2026-12-07")), 202612);
        assert_eq!(month_start(202612), day("2026-12-01"));
        assert_eq!(next_month(day("2026-12-31")), day("2027-01-01"));
    }
}
