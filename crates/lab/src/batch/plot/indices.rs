//! Sobol indices as paired horizontal bars: per factor, its first-order
//! index (what it explains alone) above its total index (with every
//! interaction), each with its 95% interval; what `siloscope sensitivity
//! --method sobol` draws.

use super::{PALETTE, Picture, plot_error, register_font};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::io;

/// One factor's two indices: `(value, low, high)` each.
pub type Pair = [(f64, f64, f64); 2];

/// Paired bars of first-order and total indices, top to bottom.
#[derive(Clone, Debug)]
pub struct IndexBars {
    /// Above the chart.
    pub title: String,
    /// The x axis.
    pub axis: String,
    /// `(factor, [first order, total])`, drawn top to bottom.
    pub rows: Vec<(String, Pair)>,
}

/// What each bar of a pair is, in the legend.
const SERIES: [&str; 2] = ["first order (alone)", "total (with interactions)"];

impl Picture for IndexBars {
    fn size(&self) -> (u32, u32) {
        (1000, 190 + 52 * self.rows.len().max(1) as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> io::Result<()> {
        register_font()?;
        root.fill(&WHITE).map_err(plot_error)?;
        // Indices are shares of variance: 0 to 1, a little below 0 where
        // sampling error puts a small one.
        let finite = self
            .rows
            .iter()
            .flat_map(|(_, pair)| pair.iter().flat_map(|&(v, lo, hi)| [v, lo, hi]))
            .filter(|v| v.is_finite());
        let (lo, hi) = finite.fold((0.0f64, 1.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
        let n = self.rows.len().max(1);
        // Two slots per factor and one empty slot between factors.
        let slots = 3 * n;
        let mut chart = ChartBuilder::on(&root.margin(10, 10, 10, 20))
            .caption(&self.title, ("sans-serif", 22))
            .x_label_area_size(44)
            .y_label_area_size(230)
            .build_cartesian_2d(lo - 0.02..hi + 0.02, 0.0..slots as f64)
            .map_err(plot_error)?;
        let labels: Vec<&str> = self.rows.iter().map(|r| r.0.as_str()).collect();
        let label_of = |y: &f64| {
            // A factor's label sits between its two bars.
            let from_top = slots as f64 - y;
            let i = (from_top / 3.0).floor() as usize;
            let centre = 3.0 * i as f64 + 1.0;
            if (from_top - centre).abs() < 0.26 {
                labels.get(i).map(|s| (*s).to_owned()).unwrap_or_default()
            } else {
                String::new()
            }
        };
        chart
            .configure_mesh()
            .disable_y_mesh()
            .x_desc(&self.axis)
            .label_style(("sans-serif", 15))
            .axis_desc_style(("sans-serif", 17))
            .y_labels(4 * slots + 1)
            .y_label_formatter(&label_of)
            .set_tick_mark_size(LabelAreaPosition::Left, 0)
            .light_line_style(RGBColor(236, 236, 236))
            .draw()
            .map_err(plot_error)?;
        for s in 0..2 {
            let colour = PALETTE[if s == 0 { 5 } else { 0 }];
            let bars = self.rows.iter().enumerate().filter_map(|(i, (_, pair))| {
                let (v, _, _) = pair[s];
                let top = slots as f64 - 3.0 * i as f64 - s as f64;
                v.is_finite().then(|| {
                    Rectangle::new(
                        [(0.0, top - 0.1), (v, top - 0.9)],
                        colour.mix(0.85).filled(),
                    )
                })
            });
            chart
                .draw_series(bars)
                .map_err(plot_error)?
                .label(SERIES[s])
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 6), (x + 18, y + 6)], colour.mix(0.85).filled())
                });
            let whiskers = self.rows.iter().enumerate().filter_map(|(i, (_, pair))| {
                let (_, l, h) = pair[s];
                let middle = slots as f64 - 3.0 * i as f64 - s as f64 - 0.5;
                (l.is_finite() && h.is_finite()).then(|| {
                    PathElement::new(vec![(l, middle), (h, middle)], BLACK.stroke_width(2))
                })
            });
            chart.draw_series(whiskers).map_err(plot_error)?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .label_font(("sans-serif", 15))
            .background_style(WHITE.mix(0.9))
            .border_style(RGBColor(200, 200, 200))
            .draw()
            .map_err(plot_error)?;
        Ok(())
    }
}
