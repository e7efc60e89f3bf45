//! The charts (bottom): trust toward each part, acquisitions by source,
//! advocates and churned, the silo E-I index, revenue, cost and profit, loop
//! closure; run B dashed beside run A when comparing. The table of B − A,
//! coloured better or worse, sits at the top of the right-hand panel.

use super::{branched, policy_of, policy_since};
use crate::palette;
use crate::palette::to_egui;
use crate::workshop::Workshop;
use bevy::prelude::*;
use bevy_egui::egui;
use egui_plot::{Corner, Legend, Line, Plot, PlotPoints, VLine};
use siloscope_model::agent::Part;
use siloscope_model::metrics::{StepReport, short_label};
use siloscope_workshop::headline::{Better, HEADLINES, Headline, Verdict};
pub(super) use siloscope_workshop::look::charts::{ChartSpec as Chart, TRADE_OFF_TITLE, chart_of};
use siloscope_workshop::look::charts::{
    Measure, chart_specs, series as look_series, trade_off_path,
};
use siloscope_workshop::luck::{SEEDS, Spread};

/// A curve's points as egui's.
fn series(history: &[StepReport], f: Measure) -> PlotPoints<'static> {
    PlotPoints::from(look_series(history, f))
}

/// A shared colour (channels from 0 to 1) as egui's.
fn color_of(rgb: [f32; 3]) -> egui::Color32 {
    let [r, g, b] = siloscope_workshop::look::bytes(rgb);
    egui::Color32::from_rgb(r, g, b)
}

/// The charts, each with the steps where knobs changed marked. Run A is
/// drawn solid, run B (comparing) dashed, and the timeline before the last
/// rewind faint; with B, a table of the headline metrics' differences.
pub(super) fn charts(ui: &mut egui::Ui, w: &Workshop) {
    let a = w.session();
    let b = w.runs.b();
    let specs = chart_specs();
    let columns = specs.len() + usize::from(b.is_some());
    // Below this width a chart's title and axis labels no longer fit: the
    // row scrolls instead (a small screen).
    const NARROWEST: f32 = 200.0;
    let width = ((ui.available_width() - (columns - 1) as f32 * ui.spacing().item_spacing.x)
        / columns as f32)
        .max(NARROWEST);
    if let Some(b) = b {
        ui.horizontal(|ui| {
            let unit = &w.scenario().step_unit;
            ui.strong(format!("A: {} (solid)", policy_since(a, unit)));
            ui.label("·");
            ui.strong(format!("B: {} (dashed)", policy_of(b)));
            ui.label(format!("same seed {}, in lock-step", a.seed()));
        });
    }
    let height = ui.available_height() - 26.0 - 12.0;
    egui::ScrollArea::horizontal().show(ui, |ui| {
        ui.horizontal(|ui| {
            for spec in &specs {
                ui.vertical(|ui| {
                    ui.set_width(width);
                    ui.strong(spec.title);
                    plot(ui, w, spec, "", egui::vec2(width, height));
                });
            }
            if let Some(b) = b {
                ui.vertical(|ui| {
                    ui.set_width(width);
                    ui.strong(TRADE_OFF_TITLE);
                    trade_off(ui, a, b, "", egui::vec2(width, height));
                });
            }
        });
    });
}

/// One chart at `size`, its plot told apart from others of its kind by
/// `id`: run A solid, run B dashed, the steps where A's knobs changed
/// marked, and once A has branched, the branch marked and the timeline
/// before it dotted.
pub(super) fn plot(ui: &mut egui::Ui, w: &Workshop, spec: &Chart, id: &str, size: egui::Vec2) {
    let Chart {
        kind, curves, y, ..
    } = spec;
    let a = w.session();
    let b = w.runs.b();
    let marks: Vec<u32> = a
        .history()
        .iter()
        .filter(|r| !r.knob_changes.is_empty())
        .map(|r| r.step)
        .collect();
    let horizon = f64::from(a.horizon());
    Plot::new((id, *kind as u8))
        .height(size.y)
        .width(size.x)
        .legend(
            Legend::default()
                .position(Corner::RightTop)
                .background_alpha(0.6),
        )
        .include_x(0.0)
        .include_x(horizon.max(1.0))
        .x_grid_spacer(step_marks(horizon))
        .include_y(y.0)
        .include_y(y.1)
        .allow_scroll(false)
        .allow_zoom(false)
        .allow_drag(false)
        .show(ui, |p| {
            for &m in &marks {
                p.vline(
                    VLine::new("", f64::from(m))
                        .color(palette::change_mark())
                        .width(1.5),
                );
            }
            if let Some(at) = branched(a) {
                p.vline(
                    VLine::new("branched", f64::from(at))
                        .color(palette::BRANCH)
                        .width(2.0),
                );
            }
            for c in curves {
                let color = color_of(c.rgb);
                // The old timeline only once this one has left it (a
                // rewind alone changes nothing to show).
                let ghost = a.ghost();
                if branched(a).is_some() && !ghost.is_empty() {
                    p.line(
                        Line::new("before the change", series(ghost, c.value))
                            .color(color.gamma_multiply(0.6))
                            .width(2.0)
                            .style(egui_plot::LineStyle::dotted_dense()),
                    );
                }
                // A and B share a name, so a curve has one legend entry
                // (its colour); solid A and dashed B are told apart by the
                // line above the charts.
                p.line(
                    Line::new(c.name, series(a.history(), c.value))
                        .color(color)
                        .width(2.5),
                );
                if let Some(b) = b {
                    p.line(
                        Line::new(c.name, series(b.history(), c.value))
                            .color(color)
                            .width(2.0)
                            .style(egui_plot::LineStyle::dashed_loose()),
                    );
                }
            }
        });
}

/// Grid lines (and their labels) on the step axis at quarters of the
/// horizon, rounded to a whole number of steps: 0, 26, 52, 78, 104 for two
/// years of weeks, where egui's own spacing labels only 0 and 100.
fn step_marks(horizon: f64) -> impl Fn(egui_plot::GridInput) -> Vec<egui_plot::GridMark> {
    let quarter = (horizon / 4.0).round().max(1.0);
    egui_plot::uniform_grid_spacer(move |_| [quarter / 2.0, quarter, quarter * 2.0])
}

/// The trade-off view of A and B: each run's path through (customer
/// trust, profit so far) from step 1 to now, the last step marked; up and
/// to the right is better on both.
pub(super) fn trade_off(
    ui: &mut egui::Ui,
    a: &siloscope_workshop::session::Session,
    b: &siloscope_workshop::session::Session,
    id: &str,
    size: egui::Vec2,
) {
    let path = |s: &siloscope_workshop::session::Session| trade_off_path(s.history());
    let color = to_egui(palette::part_color(Part::ExistingCustomer));
    Plot::new((id, "trade_off"))
        .height(size.y)
        .width(size.x)
        .legend(
            Legend::default()
                .position(Corner::RightBottom)
                .background_alpha(0.6),
        )
        .x_axis_label(short_label("customer_trust_in_org"))
        .allow_scroll(false)
        .allow_zoom(false)
        .allow_drag(false)
        .show(ui, |p| {
            for (name, s, dashed) in [("A", a, false), ("B", b, true)] {
                let points = path(s);
                let mut line = Line::new(name, PlotPoints::from(points.clone()))
                    .color(color)
                    .width(2.0);
                if dashed {
                    line = line.style(egui_plot::LineStyle::dashed_loose());
                }
                p.line(line);
                if let Some(&now) = points.last() {
                    p.points(
                        egui_plot::Points::new(format!("{name} now"), vec![now])
                            .radius(5.0)
                            .color(if dashed { palette::BRANCH } else { color }),
                    );
                }
            }
        });
}

/// The headline figures of A and B now, and B − A, coloured by whether it
/// is better or worse for the organisation
/// ([`siloscope_workshop::headline`]); beside it, the same difference over
/// paired seeds ("is it luck?", [`crate::workshop::LuckCheck`]).
pub(super) fn differences(
    ui: &mut egui::Ui,
    a: &siloscope_workshop::session::Session,
    b: &siloscope_workshop::session::Session,
    luck: &crate::workshop::LuckCheck,
) {
    let (Some(ra), Some(rb)) = (a.history().last(), b.history().last()) else {
        ui.label("run a step to compare");
        return;
    };
    let spreads = luck.luck.as_ref().and_then(|l| l.at(a.step_index()));
    // A narrow panel (a small screen) gives the seeds only how many B
    // wins; the interval is in the tooltip.
    let compact = ui.available_width() < 470.0;
    egui::Grid::new("differences").striped(true).show(ui, |ui| {
        ui.label("");
        ui.strong("A");
        ui.strong("B");
        ui.strong("B − A");
        ui.strong(if compact {
            "B better".to_owned()
        } else {
            format!("{SEEDS} seeds (B better)")
        })
            .on_hover_text(format!(
                "Is it luck? A and B replayed on {SEEDS} paired seeds: the 95% interval of B − A, and (in brackets) in how many seeds B does better. Coloured when the interval leaves out 0; grey when it straddles 0, where the difference on screen could be the seed's rather than the policy's."
            ));
        ui.end_row();
        for (i, h) in HEADLINES.iter().enumerate() {
            let (x, y) = ((h.value)(ra), (h.value)(rb));
            if !x.is_finite() && !y.is_finite() {
                continue;
            }
            let (d, verdict) = h.compare(ra, rb);
            ui.label(short_label(h.metric));
            ui.label(h.format(x, false));
            ui.label(h.format(y, false));
            ui.label(verdict_text(&h.format(d, true), verdict));
            match &spreads {
                Some(s) if compact => {
                    let (interval, ahead) = spread_parts(h, &s[i]);
                    let shown = if ahead.is_empty() { "–" } else { ahead.trim() };
                    ui.label(verdict_color(h, &s[i], egui::RichText::new(shown)))
                        .on_hover_text(format!("95% interval of B − A over {SEEDS} seeds: {interval}"))
                }
                Some(s) => ui.label(spread_text(h, &s[i])),
                None if luck.pending() => ui.weak("…"),
                None => ui.weak("–"),
            };
            ui.end_row();
        }
    });
    if let Some(e) = &luck.error {
        ui.colored_label(
            palette::WORSE,
            format!("replaying on {SEEDS} seeds failed: {e}"),
        );
    } else if luck.pending() {
        ui.weak(format!("replaying A and B on {SEEDS} seeds…"));
    }
}

/// B − A over the paired seeds: its 95% interval ("+27 … +39"), and in
/// how many seeds B does better (" (30/30)"; empty for a figure with no
/// better direction).
fn spread_parts(h: &Headline, s: &Spread) -> (String, String) {
    if s.diff.n < 2 {
        return ("–".to_owned(), String::new());
    }
    let interval = format!(
        "{} … {}",
        h.format(s.diff.lo, true),
        h.format(s.diff.hi, true)
    );
    let ahead = match seeds_won(s) {
        Some((won, n)) => format!(" ({won}/{n})"),
        None => String::new(),
    };
    (interval, ahead)
}

/// In how many of the paired seeds B does better, and of how many (none
/// for a figure with no better direction).
pub(super) fn seeds_won(s: &Spread) -> Option<(u64, usize)> {
    (s.b_ahead.is_finite() && s.diff.n >= 2)
        .then(|| ((s.b_ahead * s.diff.n as f64).round() as u64, s.diff.n))
}

/// B − A over the paired seeds: its 95% interval and in how many seeds B
/// does better, coloured only when the interval leaves out zero.
fn spread_text(h: &Headline, s: &Spread) -> egui::RichText {
    if s.diff.n < 2 {
        return egui::RichText::new("–").weak();
    }
    let (interval, ahead) = spread_parts(h, s);
    verdict_color(h, s, egui::RichText::new(format!("{interval}{ahead}")))
}

/// `text` coloured better or worse when the interval of B − A over the
/// seeds leaves out zero, grey when it straddles it.
pub(super) fn verdict_color(h: &Headline, s: &Spread, text: egui::RichText) -> egui::RichText {
    if s.diff.n < 2 {
        return text.weak();
    }
    let verdict = match (s.clear(), h.better, s.diff.mean > 0.0) {
        (false, _, _) | (_, Better::Neither, _) => return text.weak(),
        (true, Better::Higher, true) | (true, Better::Lower, false) => Verdict::Better,
        _ => Verdict::Worse,
    };
    match verdict {
        Verdict::Better => text.color(palette::BETTER),
        _ => text.color(palette::WORSE),
    }
}

/// B − A with its verdict: coloured and marked ⏶ better, ⏷ worse (glyphs in egui's icon font).
pub(super) fn verdict_text(text: &str, verdict: Verdict) -> egui::RichText {
    match verdict {
        Verdict::Better => egui::RichText::new(format!("{text} ⏶"))
            .color(palette::BETTER)
            .strong(),
        Verdict::Worse => egui::RichText::new(format!("{text} ⏷"))
            .color(palette::WORSE)
            .strong(),
        Verdict::Even => egui::RichText::new(text).strong(),
    }
}
