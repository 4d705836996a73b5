//! Chart geometry for inline SVG: a line over time and horizontal bars. Only
//! numbers are computed here; the template draws them and prints labels
//! through its escaping, so nothing a customer typed reaches the markup raw.

use serde::Serialize;

/// The drawing area of a line chart (SVG user units).
const LINE_W: f64 = 640.0;
const LINE_H: f64 = 220.0;
const PAD_LEFT: f64 = 70.0;
const PAD_BOTTOM: f64 = 28.0;
const PAD_TOP: f64 = 12.0;

#[derive(Debug, Serialize)]
pub struct LinePoint {
    pub x: f64,
    pub y: f64,
    pub label: String,
    pub value: String,
    /// Print the label under the axis (every few points when there are many).
    pub tick: bool,
}

#[derive(Debug, Serialize)]
pub struct GridLine {
    pub y: f64,
    pub label: String,
}

#[derive(Debug, Serialize)]
pub struct LineChart {
    pub width: f64,
    pub height: f64,
    pub left: f64,
    pub bottom: f64,
    /// "x,y x,y …" for `<polyline points>`.
    pub polyline: String,
    /// The same line closed down to the axis, for the shaded area.
    pub area: String,
    pub points: Vec<LinePoint>,
    pub grid: Vec<GridLine>,
}

/// A rounded step for the axis: 1, 2 or 5 × 10ⁿ at or above `raw`.
fn nice_step(raw: f64) -> f64 {
    if raw <= 0.0 {
        return 1.0;
    }
    let magnitude = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * magnitude).find(|s| *s >= raw).unwrap_or(10.0 * magnitude)
}

/// A line through `values` (in order), labelled by `format`.
pub fn line(values: &[(String, i64)], format: impl Fn(i64) -> String) -> LineChart {
    let max = values.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1) as f64;
    let step = nice_step(max / 4.0);
    let top = (max / step).ceil() * step;
    // Room on the right for the last month's label, centred on its point.
    let inner_w = LINE_W - PAD_LEFT - 28.0;
    let inner_h = LINE_H - PAD_TOP - PAD_BOTTOM;
    let bottom = LINE_H - PAD_BOTTOM;
    let n = values.len();
    let every = n.div_ceil(12).max(1);
    let points: Vec<LinePoint> = values
        .iter()
        .enumerate()
        .map(|(i, (label, value))| {
            let x = PAD_LEFT + if n > 1 { inner_w * i as f64 / (n - 1) as f64 } else { inner_w / 2.0 };
            let y = bottom - inner_h * (*value as f64 / top);
            LinePoint {
                x: (x * 10.0).round() / 10.0,
                y: (y * 10.0).round() / 10.0,
                label: label.clone(),
                value: format(*value),
                tick: i % every == 0 || i + 1 == n,
            }
        })
        .collect();
    let polyline = points.iter().map(|p| format!("{},{}", p.x, p.y)).collect::<Vec<_>>().join(" ");
    let area = match (points.first(), points.last()) {
        (Some(first), Some(last)) => format!("{},{} {} {},{}", first.x, bottom, polyline, last.x, bottom),
        _ => String::new(),
    };
    let grid = (0..=4)
        .map(|k| {
            let value = step * k as f64;
            GridLine { y: ((bottom - inner_h * value / top) * 10.0).round() / 10.0, label: format(value as i64) }
        })
        .filter(|g| g.y >= PAD_TOP - 0.5)
        .collect();
    LineChart { width: LINE_W, height: LINE_H, left: PAD_LEFT, bottom, polyline, area, points, grid }
}

#[derive(Debug, Serialize)]
pub struct Bar {
    pub y: f64,
    /// Width in percent of the bar area.
    pub width: f64,
    pub label: String,
    /// The label cut to fit beside the bar.
    pub short: String,
    pub value: String,
}

#[derive(Debug, Serialize)]
pub struct BarChart {
    pub height: f64,
    pub bars: Vec<Bar>,
}

/// One horizontal bar per row (at most `limit`), the longest for the largest.
pub fn bars(rows: &[(String, i64)], limit: usize, format: impl Fn(i64) -> String) -> BarChart {
    let shown = &rows[..rows.len().min(limit)];
    let max = shown.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1) as f64;
    let bars: Vec<Bar> = shown
        .iter()
        .enumerate()
        .map(|(i, (label, value))| Bar {
            y: i as f64 * 26.0,
            width: ((*value).max(0) as f64 / max * 1000.0).round() / 10.0,
            short: shorten(label, 32),
            label: label.clone(),
            value: format(*value),
        })
        .collect();
    BarChart { height: bars.len() as f64 * 26.0, bars }
}

/// The end of a long label ("… / Болты / Шестигранные"), where categories differ.
fn shorten(label: &str, max: usize) -> String {
    let count = label.chars().count();
    if count <= max {
        return label.to_string();
    }
    let tail: String = label.chars().skip(count - (max - 1)).collect();
    format!("…{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_spans_the_area_and_the_highest_point_is_under_the_top() {
        let values: Vec<(String, i64)> = [0, 50, 100, 25].iter().map(|v| (format!("m{v}"), *v)).collect();
        let chart = line(&values, |v| v.to_string());
        assert_eq!(chart.points.len(), 4);
        assert_eq!(chart.points[0].x, PAD_LEFT);
        assert_eq!(chart.points[0].y, chart.bottom, "zero sits on the axis");
        assert!(chart.points[2].y >= PAD_TOP && chart.points[2].y < chart.points[1].y, "the top value is highest");
        assert_eq!(chart.grid.first().map(|g| g.label.as_str()), Some("0"));
        assert!(chart.polyline.split(' ').count() == 4 && chart.area.split(' ').count() == 6);
    }

    #[test]
    fn bars_scale_to_the_largest_and_stop_at_the_limit() {
        let rows = vec![("a".to_string(), 200), ("b".to_string(), 50), ("c".to_string(), 10)];
        let chart = bars(&rows, 2, |v| v.to_string());
        assert_eq!(chart.bars.len(), 2);
        assert_eq!((chart.bars[0].width, chart.bars[1].width), (100.0, 25.0));
        assert_eq!(nice_step(0.0), 1.0);
        assert_eq!(shorten("Крепёж / Болты / Шестигранные", 10), "…тигранные", "ten characters with the ellipsis");
        assert_eq!(nice_step(37.0), 50.0);
    }
}
