//! The trade-off view: each condition's mean profit against its mean
//! customer trust at the last step, with 95% intervals both ways, so a room
//! sees what each policy gains on one axis and what it earns on the other.

use super::{PALETTE, Picture, plot_error, register_font};
use crate::stats::Estimate;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::io;

/// One condition on the frontier.
#[derive(Clone, Debug)]
pub struct Point {
    /// The condition's label.
    pub label: String,
    /// Customer trust at the last step over replicates.
    pub x: Estimate,
    /// Profit since the start at the last step over replicates.
    pub y: Estimate,
}

/// The frontier: conditions as points with crossed 95% intervals.
#[derive(Clone, Debug)]
pub struct Frontier {
    /// Above the chart.
    pub title: String,
    /// The x axis.
    pub x_axis: String,
    /// The y axis.
    pub y_axis: String,
    /// One point per condition, in the experiment's order.
    pub points: Vec<Point>,
}

/// `(low, high)` of the values and intervals, padded, never empty.
fn range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let pad = ((hi - lo) * 0.08).max(1e-6 * hi.abs().max(1.0));
    (lo - pad, hi + pad)
}

/// An interval's end, or the mean when the interval is unknown (one
/// replicate).
fn end(v: f64, mean: f64) -> f64 {
    if v.is_finite() { v } else { mean }
}

impl Picture for Frontier {
    fn size(&self) -> (u32, u32) {
        (1000, 720)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> io::Result<()> {
        register_font()?;
        root.fill(&WHITE).map_err(plot_error)?;
        let xs = range(self.points.iter().flat_map(|p| [p.x.mean, p.x.lo, p.x.hi]));
        let ys = range(self.points.iter().flat_map(|p| [p.y.mean, p.y.lo, p.y.hi]));
        let mut chart = ChartBuilder::on(&root.margin(10, 30, 10, 20))
            .caption(&self.title, ("sans-serif", 22))
            .x_label_area_size(50)
            .y_label_area_size(90)
            .build_cartesian_2d(xs.0..xs.1, ys.0..ys.1)
            .map_err(plot_error)?;
        chart
            .configure_mesh()
            .x_desc(&self.x_axis)
            .y_desc(&self.y_axis)
            .label_style(("sans-serif", 15))
            .axis_desc_style(("sans-serif", 17))
            .x_label_formatter(&|v| format!("{v:.2}"))
            .y_label_formatter(&|v| format!("{v:.0}"))
            .light_line_style(RGBColor(236, 236, 236))
            .draw()
            .map_err(plot_error)?;
        for (i, p) in self.points.iter().enumerate() {
            if !p.x.mean.is_finite() || !p.y.mean.is_finite() {
                continue;
            }
            let colour = PALETTE[i % PALETTE.len()];
            let (x, y) = (p.x.mean, p.y.mean);
            let bars = [
                vec![(end(p.x.lo, x), y), (end(p.x.hi, x), y)],
                vec![(x, end(p.y.lo, y)), (x, end(p.y.hi, y))],
            ];
            chart
                .draw_series(
                    bars.into_iter()
                        .map(|b| PathElement::new(b, colour.stroke_width(3))),
                )
                .map_err(plot_error)?;
            chart
                .draw_series(std::iter::once(Circle::new((x, y), 7, colour.filled())))
                .map_err(plot_error)?
                .label(&p.label)
                .legend(move |(lx, ly)| Circle::new((lx + 8, ly), 6, colour.filled()));
            // The label beside the point, clear of its intervals.
            chart
                .draw_series(std::iter::once(
                    EmptyElement::at((x, y))
                        + Text::new(
                            p.label.clone(),
                            (12, -22),
                            ("sans-serif", 16).into_font().color(&BLACK),
                        ),
                ))
                .map_err(plot_error)?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .label_font(("sans-serif", 15))
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(200, 200, 200))
            .draw()
            .map_err(plot_error)?;
        Ok(())
    }
}
