//! Plots of a batch: each plotted metric over time, one line per condition
//! (the mean over replicates) inside its 95% confidence band, written as
//! `plots/<metric>.png` and `plots/<metric>.svg`.
//!
//! A metric measured per part (customers of each customer part, say) gets
//! one panel per part, side by side, on one shared step axis. Text is drawn
//! with a font compiled into the binary (`assets/fonts`), so the pictures
//! are the same on every machine, with or without system fonts.

mod frontier;
mod indices;

pub use frontier::{Frontier, Point};
pub use indices::{IndexBars, Pair};

use crate::stats::{Estimate, Running};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::io;
use std::path::Path;

/// Panels one figure shows at most (metrics with more parts keep the
/// first ones, in the order the simulation reports them).
pub const MAX_PANELS: usize = 6;

/// Size of a figure in pixels (PNG) or user units (SVG): panels side by
/// side, and a single panel as wide as a slide.
const PANEL_WIDTH: u32 = 760;
const MIN_WIDTH: u32 = 1000;
const HEIGHT: u32 = 620;

/// Colour-blind-safe colours (Okabe & Ito), one per condition, in order.
const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(0, 0, 0),
    RGBColor(240, 228, 66),
];

/// One metric over time, per part and condition.
#[derive(Clone, Debug)]
pub struct Figure {
    /// The metric.
    pub metric: String,
    /// Replicates per condition.
    pub replicates: u32,
    /// Condition labels, in the experiment's order.
    pub conditions: Vec<String>,
    /// One panel per part.
    pub panels: Vec<Panel>,
}

/// One part of a metric: per condition, the estimate at steps 1, 2, ….
#[derive(Clone, Debug)]
pub struct Panel {
    /// The part (`all` when the metric has a single value).
    pub part: String,
    /// `bands[condition][step − 1]`.
    pub bands: Vec<Vec<Estimate>>,
}

/// Per-step running moments of the plotted metrics, filled run by run.
pub struct Curves {
    metrics: Vec<&'static str>,
    conditions: usize,
    steps: usize,
    /// (metric, part) in first-seen order, with `[condition][step]` moments.
    series: Vec<((String, String), Vec<Running>)>,
}

impl Curves {
    /// Curves of `metrics` for `conditions` conditions over `steps` steps.
    pub fn new(metrics: Vec<&'static str>, conditions: usize, steps: usize) -> Curves {
        Curves {
            metrics,
            conditions,
            steps,
            series: Vec::new(),
        }
    }

    /// Add one run's values of `metric` for `part`, as (step from 1, value).
    pub fn add(&mut self, condition: usize, metric: &str, part: &str, values: &[(u32, f64)]) {
        let at = match self
            .series
            .iter()
            .position(|((m, p), _)| m == metric && p == part)
        {
            Some(at) => at,
            None => {
                let moments = vec![Running::default(); self.conditions * self.steps];
                self.series
                    .push(((metric.to_owned(), part.to_owned()), moments));
                self.series.len() - 1
            }
        };
        let row = &mut self.series[at].1[condition * self.steps..][..self.steps];
        for &(step, v) in values {
            if let Some(slot) = (step as usize).checked_sub(1).and_then(|i| row.get_mut(i)) {
                slot.push(v);
            }
        }
    }

    /// The figures, one per plotted metric that has values, in the order
    /// the metrics were given.
    pub fn figures(&self, conditions: &[String], replicates: u32) -> Vec<Figure> {
        self.metrics
            .iter()
            .filter_map(|&metric| {
                let panels: Vec<Panel> = self
                    .series
                    .iter()
                    .filter(|((m, _), _)| m == metric)
                    .take(MAX_PANELS)
                    .map(|((_, part), moments)| Panel {
                        part: part.clone(),
                        bands: moments
                            .chunks(self.steps.max(1))
                            .map(|c| c.iter().map(Running::estimate).collect())
                            .collect(),
                    })
                    .collect();
                (!panels.is_empty()).then(|| Figure {
                    metric: metric.to_owned(),
                    replicates,
                    conditions: conditions.to_vec(),
                    panels,
                })
            })
            .collect()
    }
}

/// Something drawn as a picture: its size and how to draw it on any
/// plotters backend.
pub trait Picture {
    /// Width and height in pixels (PNG) or user units (SVG).
    fn size(&self) -> (u32, u32);
    /// Draw on `root`.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> io::Result<()>;
}

impl Picture for Figure {
    fn size(&self) -> (u32, u32) {
        let panels = self.panels.len().clamp(1, MAX_PANELS) as u32;
        ((PANEL_WIDTH * panels).max(MIN_WIDTH), HEIGHT)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> io::Result<()> {
        draw(self, root)
    }
}

/// The picture as PNG bytes.
pub fn png(picture: &impl Picture) -> io::Result<Vec<u8>> {
    let (w, h) = picture.size();
    let mut rgb = vec![0u8; w as usize * h as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area();
        picture.draw(&root)?;
        root.present().map_err(plot_error)?;
    }
    crate::output::png_rgb(w, h, &rgb)
}

/// The picture as an SVG document.
pub fn svg(picture: &impl Picture) -> io::Result<String> {
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, picture.size()).into_drawing_area();
        picture.draw(&root)?;
        root.present().map_err(plot_error)?;
    }
    Ok(text)
}

/// Write `<dir>/<stem>.png` and `.svg` (into an existing `dir`),
/// atomically; neither is written unless both can be. An error names the
/// file.
pub fn write(dir: &Path, stem: &str, picture: &impl Picture) -> io::Result<()> {
    let (png_path, svg_path) = (
        dir.join(format!("{stem}.png")),
        dir.join(format!("{stem}.svg")),
    );
    let named = |path: &Path| {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        move |e: io::Error| io::Error::new(e.kind(), format!("{name}: {e}"))
    };
    for path in [&png_path, &svg_path] {
        siloscope_files::check_replaceable(path).map_err(named(path))?;
    }
    crate::output::write_atomic(&png_path, &png(picture)?).map_err(named(&png_path))?;
    crate::output::write_atomic(&svg_path, svg(picture)?.as_bytes()).map_err(named(&svg_path))
}

/// Effects with their 95% intervals as horizontal bars, largest first
/// (a tornado chart): what `siloscope sensitivity` draws.
#[derive(Clone, Debug)]
pub struct Effects {
    /// Above the chart.
    pub title: String,
    /// The x axis.
    pub axis: String,
    /// `(label, mean, low, high)`, drawn top to bottom.
    pub rows: Vec<(String, f64, f64, f64)>,
}

impl Picture for Effects {
    fn size(&self) -> (u32, u32) {
        (1000, 160 + 34 * self.rows.len().max(1) as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> io::Result<()> {
        register_font()?;
        root.fill(&WHITE).map_err(plot_error)?;
        let finite = self
            .rows
            .iter()
            .flat_map(|r| [r.1, r.2, r.3])
            .filter(|v| v.is_finite());
        let (lo, hi) = finite.fold((0.0f64, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
        let pad = ((hi - lo) * 0.05).max(1e-9);
        let n = self.rows.len().max(1);
        let mut chart = ChartBuilder::on(&root.margin(10, 10, 10, 20))
            .caption(&self.title, ("sans-serif", 22))
            .x_label_area_size(44)
            .y_label_area_size(300)
            .build_cartesian_2d(lo - pad..hi + pad, (0..n - 1).into_segmented())
            .map_err(plot_error)?;
        let labels: Vec<&str> = self.rows.iter().rev().map(|r| r.0.as_str()).collect();
        chart
            .configure_mesh()
            .disable_y_mesh()
            .x_desc(&self.axis)
            .label_style(("sans-serif", 15))
            .axis_desc_style(("sans-serif", 17))
            .y_labels(n)
            .y_label_formatter(&|y| match y {
                SegmentValue::CenterOf(i) => labels.get(*i).copied().unwrap_or("").to_owned(),
                _ => String::new(),
            })
            .light_line_style(RGBColor(236, 236, 236))
            .draw()
            .map_err(plot_error)?;
        for (i, (_, mean, low, high)) in self.rows.iter().rev().enumerate() {
            if !mean.is_finite() {
                continue;
            }
            let colour = if *mean >= 0.0 { PALETTE[0] } else { PALETTE[1] };
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [
                        (0.0, SegmentValue::Exact(i)),
                        (*mean, SegmentValue::Exact(i + 1)),
                    ],
                    colour.mix(0.75).filled(),
                )))
                .map_err(plot_error)?;
            if low.is_finite() && high.is_finite() {
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![
                            (*low, SegmentValue::CenterOf(i)),
                            (*high, SegmentValue::CenterOf(i)),
                        ],
                        BLACK.stroke_width(2),
                    )))
                    .map_err(plot_error)?;
            }
        }
        Ok(())
    }
}

fn plot_error(e: impl std::error::Error) -> io::Error {
    io::Error::other(e.to_string())
}

/// The embedded font, registered once as plotters' "sans-serif".
fn register_font() -> io::Result<()> {
    static FONT: &[u8] = include_bytes!("../../../../../assets/fonts/DejaVuSans-subset.ttf");
    static REGISTERED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        plotters::style::register_font("sans-serif", FontStyle::Normal, FONT).is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err(io::Error::other("the embedded plot font could not be read"))
    }
}

fn draw<DB: DrawingBackend>(figure: &Figure, root: &DrawingArea<DB, Shift>) -> io::Result<()> {
    register_font()?;
    root.fill(&WHITE).map_err(plot_error)?;
    let title = format!(
        "{} — mean and 95% CI over {} replicate{}",
        figure.metric,
        figure.replicates,
        if figure.replicates == 1 { "" } else { "s" }
    );
    let body = root
        .margin(10, 0, 0, 0)
        .titled(&title, ("sans-serif", 26).into_font().color(&BLACK))
        .map_err(plot_error)?;
    let areas = body.split_evenly((1, figure.panels.len().max(1)));
    for (i, (panel, area)) in figure.panels.iter().zip(&areas).enumerate() {
        draw_panel(figure, panel, area, i == 0)?;
    }
    Ok(())
}

fn draw_panel<DB: DrawingBackend>(
    figure: &Figure,
    panel: &Panel,
    area: &DrawingArea<DB, Shift>,
    legend: bool,
) -> io::Result<()> {
    let steps = panel.bands.iter().map(Vec::len).max().unwrap_or(0).max(1);
    let (lo, hi) = y_range(panel);
    let caption = if panel.part == "all" {
        String::new()
    } else {
        panel.part.clone()
    };
    let mut chart = ChartBuilder::on(area)
        .caption(caption, ("sans-serif", 20))
        .margin(14)
        .x_label_area_size(44)
        .y_label_area_size(64)
        .build_cartesian_2d(1f64..steps as f64, lo..hi)
        .map_err(plot_error)?;
    chart
        .configure_mesh()
        .x_desc("step")
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_desc(&figure.metric)
        .label_style(("sans-serif", 15))
        .axis_desc_style(("sans-serif", 17))
        .light_line_style(RGBColor(236, 236, 236))
        .bold_line_style(RGBColor(214, 214, 214))
        .draw()
        .map_err(plot_error)?;
    for (c, band) in panel.bands.iter().enumerate() {
        let colour = PALETTE[c % PALETTE.len()];
        // The band, as one polygon per run of steps with an interval.
        for segment in runs_of(band, |e| e.lo.is_finite() && e.hi.is_finite()) {
            let upper = segment.iter().map(|&(s, e)| (s, e.hi));
            let lower = segment.iter().rev().map(|&(s, e)| (s, e.lo));
            chart
                .draw_series(std::iter::once(Polygon::new(
                    upper.chain(lower).collect::<Vec<_>>(),
                    colour.mix(0.18).filled(),
                )))
                .map_err(plot_error)?;
        }
        let mut first = true;
        for segment in runs_of(band, |e| e.mean.is_finite()) {
            let line = chart
                .draw_series(LineSeries::new(
                    segment.iter().map(|&(s, e)| (s, e.mean)),
                    colour.stroke_width(2),
                ))
                .map_err(plot_error)?;
            if legend && std::mem::take(&mut first) {
                line.label(&figure.conditions[c]).legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 22, y)], colour.stroke_width(3))
                });
            }
        }
    }
    if legend {
        chart
            .configure_series_labels()
            .label_font(("sans-serif", 15))
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(170, 170, 170))
            .position(SeriesLabelPosition::UpperLeft)
            .draw()
            .map_err(plot_error)?;
    }
    Ok(())
}

/// Maximal runs of consecutive steps whose estimate passes `keep`, as
/// (step, estimate) with steps counted from 1.
fn runs_of(band: &[Estimate], keep: impl Fn(&Estimate) -> bool) -> Vec<Vec<(f64, Estimate)>> {
    let mut runs = vec![Vec::new()];
    for (i, e) in band.iter().enumerate() {
        if keep(e) {
            runs.last_mut().unwrap().push(((i + 1) as f64, *e));
        } else if !runs.last().unwrap().is_empty() {
            runs.push(Vec::new());
        }
    }
    runs.retain(|r| !r.is_empty());
    runs
}

/// The value range of a panel (every band and mean), padded by 5%.
fn y_range(panel: &Panel) -> (f64, f64) {
    let values = panel
        .bands
        .iter()
        .flatten()
        .flat_map(|e| [e.mean, e.lo, e.hi])
        .filter(|v| v.is_finite());
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let pad = if hi > lo {
        (hi - lo) * 0.05
    } else {
        lo.abs().max(1.0) * 0.1
    };
    (lo - pad, hi + pad)
}

#[cfg(test)]
mod tests;
