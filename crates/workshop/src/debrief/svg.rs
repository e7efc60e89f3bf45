//! Charts as SVG: the app's charts ([`crate::look::charts`]) drawn for a
//! page, on the app's dark ground, with run A solid, run B dashed, the
//! timeline before the last rewind dotted, and the steps where knobs
//! changed, where the run branched and where notes were pinned marked.

use super::html::{css, esc};
use crate::look::charts::{ChartSpec, TRADE_OFF_TITLE, series, trade_off_path};
use crate::look::{BRANCH, bytes, part_rgb, unit};
use siloscope_model::agent::Part;
use siloscope_model::metrics::{StepReport, short_label};
use std::fmt::Write;

/// How a run's line is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dash {
    /// Run A.
    Solid,
    /// Run B.
    Dashed,
    /// The timeline before the last rewind.
    Dotted,
}

impl Dash {
    fn attrs(self) -> &'static str {
        match self {
            Dash::Solid => r#"stroke-width="2.2""#,
            Dash::Dashed => r#"stroke-width="1.8" stroke-dasharray="7 4""#,
            Dash::Dotted => r#"stroke-width="1.8" stroke-dasharray="2 3" opacity="0.6""#,
        }
    }
}

/// One run on a chart.
#[derive(Clone, Copy, Debug)]
pub struct Line<'a> {
    /// Its steps' reports.
    pub history: &'a [StepReport],
    /// How it is drawn.
    pub dash: Dash,
}

/// Steps marked on a chart.
#[derive(Clone, Debug, Default)]
pub struct Marks {
    /// Where run A's knobs changed (faint white).
    pub changes: Vec<u32>,
    /// Where run A left its old timeline (amber).
    pub branch: Option<u32>,
    /// Where notes were pinned (small flags at the top).
    pub notes: Vec<u32>,
}

const W: f64 = 370.0;
const PLOT_H: f64 = 190.0;
const LEFT: f64 = 52.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const AXIS: f64 = 22.0;
const LEGEND_ROW: f64 = 18.0;

/// Ticks for `lo..hi`: a round step (1, 2, 2.5 or 5 times a power of ten)
/// giving at most four and a half intervals.
fn ticks(lo: f64, hi: f64) -> Vec<f64> {
    let span = (hi - lo).max(f64::EPSILON);
    let raw = span / 4.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * mag)
        .find(|s| span / s <= 4.5)
        .unwrap_or(10.0 * mag);
    let first = (lo / step).ceil() * step;
    (0..)
        .map(|i| first + f64::from(i) * step)
        .take_while(|t| *t <= hi + step * 1e-9)
        .take(8)
        .collect()
}

/// A tick's label: whole with thin-space thousands when large, else as
/// many decimals as the step needs.
fn tick_label(v: f64, step: f64) -> String {
    let v = if v.abs() < step * 1e-9 { 0.0 } else { v };
    if step >= 1.0 {
        let n = v.round() as i64;
        let digits = n.unsigned_abs().to_string();
        let mut grouped = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push('\u{2009}');
            }
            grouped.push(c);
        }
        if n < 0 {
            format!("−{grouped}")
        } else {
            grouped
        }
    } else {
        // As many decimals as the step has (0.25: two).
        let decimals = (0..4)
            .find(|&d| {
                let scaled = step * 10f64.powi(d);
                (scaled - scaled.round()).abs() < 1e-6
            })
            .unwrap_or(4) as usize;
        format!("{v:.decimals$}").replace('-', "−")
    }
}

/// The frame both kinds of chart share: axes, grid and tick labels for
/// `x` and `y` ranges, and a mapping from values to the drawing.
struct Frame {
    x: (f64, f64),
    y: (f64, f64),
}

impl Frame {
    fn px(&self, x: f64) -> f64 {
        LEFT + (x - self.x.0) / (self.x.1 - self.x.0).max(f64::EPSILON) * (W - LEFT - RIGHT)
    }

    fn py(&self, y: f64) -> f64 {
        TOP + (self.y.1 - y) / (self.y.1 - self.y.0).max(f64::EPSILON) * PLOT_H
    }

    fn axes(&self, out: &mut String, x_ticks: &[f64], x_label: &str) {
        let bottom = TOP + PLOT_H;
        let y_ticks = ticks(self.y.0, self.y.1);
        let y_step = y_ticks
            .get(1)
            .zip(y_ticks.first())
            .map_or(1.0, |(b, a)| b - a);
        for &t in &y_ticks {
            let y = self.py(t);
            let _ = write!(
                out,
                r##"<line x1="{LEFT}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#2a2f38"/><text x="{:.1}" y="{:.1}" text-anchor="end" class="tick">{}</text>"##,
                W - RIGHT,
                LEFT - 5.0,
                y + 4.0,
                tick_label(t, y_step)
            );
        }
        let x_step = x_ticks
            .get(1)
            .zip(x_ticks.first())
            .map_or(1.0, |(b, a)| b - a);
        for &t in x_ticks {
            let x = self.px(t);
            let _ = write!(
                out,
                r##"<line x1="{x:.1}" y1="{TOP}" x2="{x:.1}" y2="{bottom}" stroke="#1f232b"/><text x="{x:.1}" y="{:.1}" text-anchor="middle" class="tick">{}</text>"##,
                bottom + 15.0,
                tick_label(t, x_step)
            );
        }
        let _ = write!(
            out,
            r##"<rect x="{LEFT}" y="{TOP}" width="{:.1}" height="{PLOT_H}" fill="none" stroke="#3a404b"/>"##,
            W - LEFT - RIGHT
        );
        if !x_label.is_empty() {
            let _ = write!(
                out,
                r#"<text x="{:.1}" y="{:.1}" text-anchor="end" class="tick">{}</text>"#,
                W - RIGHT,
                bottom + 15.0 + 13.0,
                esc(x_label)
            );
        }
    }
}

fn path(frame: &Frame, points: &[[f64; 2]]) -> String {
    let mut d = String::new();
    for (i, p) in points.iter().enumerate() {
        let _ = write!(
            d,
            "{}{:.1} {:.1}",
            if i == 0 { "M" } else { " L" },
            frame.px(p[0]),
            frame.py(p[1])
        );
    }
    d
}

fn open(out: &mut String, kind: &str, height: f64, title: &str) {
    let _ = write!(
        out,
        r#"<svg class="drawn chart" data-chart="{kind}" xmlns="http://www.w3.org/2000/svg" width="{W}" height="{height:.0}" viewBox="0 0 {W} {height:.0}" role="img" aria-label="{}"><style>.tick{{font:11px system-ui,sans-serif;fill:#aab1bd}}.legend{{font:12px system-ui,sans-serif;fill:#dfe3ea}}</style>"#,
        esc(title)
    );
}

/// Entries per row of a legend: three short names, else two.
fn per_row(names: impl Iterator<Item = usize>) -> usize {
    let longest = names.max().unwrap_or(0);
    if longest <= 10 { 3 } else { 2 }
}

/// A legend below the plot: one entry per curve, two or three to a row.
fn legend(out: &mut String, entries: &[(String, [u8; 3], Dash)], top: f64) {
    let across = per_row(entries.iter().map(|e| e.0.chars().count()));
    let width = (W - LEFT - RIGHT) / across as f64;
    for (i, (name, rgb, dash)) in entries.iter().enumerate() {
        let (col, row) = (i % across, i / across);
        let x = LEFT + col as f64 * width;
        let y = top + row as f64 * LEGEND_ROW + 10.0;
        let _ = write!(
            out,
            r#"<line x1="{x:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="{}" {}/><text x="{:.1}" y="{:.1}" class="legend">{}</text>"#,
            x + 18.0,
            css(*rgb),
            dash.attrs(),
            x + 23.0,
            y + 4.0,
            esc(name)
        );
    }
}

/// A chart over the steps, `0..=horizon`: each curve of `spec` for each
/// line.
pub fn chart(spec: &ChartSpec, horizon: u32, lines: &[Line<'_>], marks: &Marks) -> String {
    let mut lo = spec.y.0;
    let mut hi = spec.y.1;
    let curves: Vec<Vec<(Dash, Vec<[f64; 2]>)>> = spec
        .curves
        .iter()
        .map(|c| {
            lines
                .iter()
                .map(|l| (l.dash, series(l.history, c.value)))
                .collect()
        })
        .collect();
    for p in curves.iter().flatten().flat_map(|(_, pts)| pts) {
        lo = lo.min(p[1]);
        hi = hi.max(p[1]);
    }
    let frame = Frame {
        x: (0.0, f64::from(horizon.max(1))),
        y: (lo, hi + (hi - lo) * 0.04),
    };
    let across = per_row(spec.curves.iter().map(|c| c.name.chars().count()));
    let rows = spec.curves.len().div_ceil(across) as f64;
    let height = TOP + PLOT_H + AXIS + rows * LEGEND_ROW + 6.0;
    let mut out = String::new();
    open(&mut out, &format!("{:?}", spec.kind), height, spec.title);
    let quarter = (f64::from(horizon) / 4.0).round().max(1.0);
    let x_ticks: Vec<f64> = (0..=4)
        .map(|i| f64::from(i) * quarter)
        .filter(|t| *t <= f64::from(horizon))
        .collect();
    frame.axes(&mut out, &x_ticks, "");
    let bottom = TOP + PLOT_H;
    for &m in &marks.changes {
        let x = frame.px(f64::from(m));
        let _ = write!(
            out,
            r#"<line x1="{x:.1}" y1="{TOP}" x2="{x:.1}" y2="{bottom}" stroke="white" stroke-opacity="0.35" stroke-width="1.5"><title>knobs changed at step {m}</title></line>"#
        );
    }
    if let Some(b) = marks.branch {
        let x = frame.px(f64::from(b));
        let _ = write!(
            out,
            r#"<line x1="{x:.1}" y1="{TOP}" x2="{x:.1}" y2="{bottom}" stroke="{}" stroke-width="2"><title>branched at step {b}</title></line>"#,
            css(BRANCH)
        );
    }
    for &n in &marks.notes {
        let x = frame.px(f64::from(n));
        let _ = write!(
            out,
            r##"<path d="M{x:.1} {TOP} l5 -0 l-5 8 l-5 -8 z" fill="#f3f4f6"><title>a note at step {n}</title></path>"##
        );
    }
    for (c, runs) in spec.curves.iter().zip(&curves) {
        let rgb = css(bytes(c.rgb));
        for (dash, pts) in runs {
            if pts.is_empty() {
                continue;
            }
            let _ = write!(
                out,
                r#"<path d="{}" fill="none" stroke="{rgb}" {} stroke-linejoin="round"/>"#,
                path(&frame, pts),
                dash.attrs()
            );
        }
    }
    let entries: Vec<(String, [u8; 3], Dash)> = spec
        .curves
        .iter()
        .map(|c| (c.name.to_owned(), bytes(c.rgb), Dash::Solid))
        .collect();
    legend(&mut out, &entries, bottom + AXIS);
    out.push_str("</svg>");
    out
}

/// The trade-off of A and B: each run's path through (customer trust,
/// profit so far), its last step marked. Up and to the right is better on
/// both.
pub fn trade_off(a: &[StepReport], b: &[StepReport]) -> String {
    let (pa, pb) = (trade_off_path(a), trade_off_path(b));
    let all = pa.iter().chain(&pb);
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for p in all {
        x0 = x0.min(p[0]);
        x1 = x1.max(p[0]);
        y0 = y0.min(p[1]);
        y1 = y1.max(p[1]);
    }
    if x0 > x1 {
        (x0, x1, y0, y1) = (0.0, 1.0, 0.0, 1.0);
    }
    let pad = |lo: f64, hi: f64| {
        let p = ((hi - lo) * 0.06).max(1e-3);
        (lo - p, hi + p)
    };
    let frame = Frame {
        x: pad(x0, x1),
        y: pad(y0, y1),
    };
    let height = TOP + PLOT_H + AXIS + 14.0 + LEGEND_ROW + 6.0;
    let mut out = String::new();
    open(&mut out, "TradeOff", height, TRADE_OFF_TITLE);
    let xt = ticks(frame.x.0, frame.x.1);
    frame.axes(&mut out, &xt, short_label("customer_trust_in_org"));
    let rgb = css(bytes(unit(part_rgb(Part::ExistingCustomer))));
    for (pts, dash, end) in [
        (&pa, Dash::Solid, rgb.clone()),
        (&pb, Dash::Dashed, css(BRANCH)),
    ] {
        if pts.is_empty() {
            continue;
        }
        let _ = write!(
            out,
            r#"<path d="{}" fill="none" stroke="{rgb}" {}/>"#,
            path(&frame, pts),
            dash.attrs()
        );
        if let Some(last) = pts.last() {
            let _ = write!(
                out,
                r#"<circle cx="{:.1}" cy="{:.1}" r="5" fill="{end}"/>"#,
                frame.px(last[0]),
                frame.py(last[1])
            );
        }
    }
    let c = bytes(unit(part_rgb(Part::ExistingCustomer)));
    legend(
        &mut out,
        &[
            ("A".to_owned(), c, Dash::Solid),
            ("B".to_owned(), c, Dash::Dashed),
        ],
        TOP + PLOT_H + AXIS + 14.0,
    );
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        assert_eq!(ticks(0.0, 1.0), [0.0, 0.25, 0.5, 0.75, 1.0]);
        assert_eq!(ticks(0.0, 104.0), [0.0, 25.0, 50.0, 75.0, 100.0]);
        let t = ticks(-1234.0, 56789.0);
        assert!(t.len() >= 3 && t.len() <= 6, "{t:?}");
        assert_eq!(tick_label(12345.0, 1000.0), "12\u{2009}345");
        assert_eq!(tick_label(-0.5, 0.25), "−0.50");
        assert_eq!(tick_label(0.25, 0.25), "0.25");
    }
}
