//! The charts (bottom): trust toward each part, acquisitions by source,
//! advocates and churned, the silo E-I index, loop closure; run B dashed
//! beside run A when comparing, with a table of B − A.

use super::policy_of;
use crate::palette;
use crate::palette::{flow_color, part_color, to_egui};
use crate::workshop::Workshop;
use bevy::prelude::*;
use bevy_egui::egui;
use egui_plot::{Corner, Legend, Line, Plot, PlotPoints, VLine};
use siloscope_model::agent::{Lifecycle, Part};
use siloscope_model::flow::FlowKind;
use siloscope_model::metrics::{StepReport, short_label};

fn series(history: &[StepReport], f: impl Fn(&StepReport) -> f64) -> PlotPoints<'static> {
    history
        .iter()
        .filter_map(|r| {
            let v = f(r);
            v.is_finite().then(|| [f64::from(r.step) + 1.0, v])
        })
        .collect()
}

/// A number read off a step's report.
type Measure = fn(&StepReport) -> f64;

/// One curve of a chart: a name, a colour and what it plots.
struct Curve {
    name: &'static str,
    color: Color,
    value: Measure,
}

/// One chart: its id, title, curves and the y range it always includes.
struct Chart(&'static str, &'static str, Vec<Curve>, (f64, f64));

/// The charts.
fn chart_specs() -> Vec<Chart> {
    let trust = |part: Part| -> Measure {
        match part {
            Part::Department => |r| r.trust_toward[Part::Department.index()],
            Part::Partner => |r| r.trust_toward[Part::Partner.index()],
            Part::ExistingCustomer => |r| r.trust_toward[Part::ExistingCustomer.index()],
            Part::NewCustomer => |r| r.trust_toward[Part::NewCustomer.index()],
        }
    };
    let parts = [
        (Part::Department, "Departments"),
        (Part::Partner, "Partners"),
        (Part::ExistingCustomer, "Existing"),
        (Part::NewCustomer, "New"),
    ];
    vec![
        Chart(
            "trust",
            "Trust toward each part",
            parts
                .iter()
                .map(|&(p, name)| Curve {
                    name,
                    color: part_color(p),
                    value: trust(p),
                })
                .collect(),
            (0.0, 1.0),
        ),
        Chart(
            "acquisitions",
            "Acquisitions (cumulative)",
            vec![
                Curve {
                    name: short_label("acquisitions_word_of_mouth"),
                    color: flow_color(FlowKind::PeerHelp),
                    value: |r| r.totals.acquisitions_word_of_mouth as f64,
                },
                Curve {
                    name: short_label("acquisitions_campaign"),
                    color: flow_color(FlowKind::Push),
                    value: |r| r.totals.acquisitions_campaign as f64,
                },
            ],
            (0.0, 1.0),
        ),
        Chart(
            "customers",
            "Advocates and churned",
            vec![
                Curve {
                    name: short_label("advocates"),
                    color: part_color(Part::ExistingCustomer),
                    value: |r| count(r, Lifecycle::Advocate),
                },
                Curve {
                    name: short_label("churned"),
                    color: palette::CHURNED,
                    value: |r| count(r, Lifecycle::Churned),
                },
            ],
            (0.0, 1.0),
        ),
        Chart(
            "silo",
            "Silo E-I index (-1 closed)",
            vec![Curve {
                name: short_label("ei_index_flow_cumulative"),
                color: part_color(Part::Department),
                value: |r| {
                    siloscope_model::silo_index::ei_index(
                        r.totals.flows_external as f64,
                        r.totals.flows_internal as f64,
                    )
                    .unwrap_or(f64::NAN)
                },
            }],
            (-1.0, 1.0),
        ),
        Chart(
            "loop",
            "Feedback loop closure",
            vec![
                Curve {
                    name: short_label("loop_closure_share"),
                    color: flow_color(FlowKind::Answer),
                    value: |r| share(r.totals.loops_closed, r.totals.needs_raised),
                },
                Curve {
                    name: short_label("need_reach_share"),
                    color: flow_color(FlowKind::Need),
                    value: |r| share(r.totals.needs_reached, r.totals.needs_raised),
                },
            ],
            (0.0, 1.0),
        ),
    ]
}

/// The headline metrics the comparison table shows, B against A.
/// By metric name: the table shows each metric's short label.
const DIFFERENCES: [(&str, Measure); 6] = [
    ("customer_trust_in_org", |r| r.customer_trust_in_org),
    ("advocates", |r| count(r, Lifecycle::Advocate)),
    ("churned", |r| count(r, Lifecycle::Churned)),
    ("acquisitions_word_of_mouth_total", |r| {
        r.totals.acquisitions_word_of_mouth as f64
    }),
    ("acquisitions_campaign_total", |r| {
        r.totals.acquisitions_campaign as f64
    }),
    ("loop_closure_share", |r| {
        share(r.totals.loops_closed, r.totals.needs_raised)
    }),
];

/// The charts, each with the steps where knobs changed marked. Run A is
/// drawn solid, run B (comparing) dashed, and the timeline before the last
/// rewind faint; with B, a table of the headline metrics' differences.
pub(super) fn charts(ui: &mut egui::Ui, w: &Workshop) {
    let a = w.session();
    let b = w.runs.b();
    let marks: Vec<u32> = a
        .history()
        .iter()
        .filter(|r| !r.knob_changes.is_empty())
        .map(|r| r.step)
        .collect();
    let horizon = f64::from(a.horizon());
    let specs = chart_specs();
    let columns = specs.len() + usize::from(b.is_some());
    let width = (ui.available_width() - (columns - 1) as f32 * ui.spacing().item_spacing.x)
        / columns as f32;
    if let Some(b) = b {
        ui.horizontal(|ui| {
            ui.strong(format!("A: {} (solid)", policy_of(a)));
            ui.label("·");
            ui.strong(format!("B: {} (dashed)", policy_of(b)));
            ui.label(format!("same seed {}, in lock-step", a.seed()));
        });
    }
    let height = ui.available_height() - 26.0;
    ui.horizontal(|ui| {
        for Chart(id, title, curves, y) in specs {
            ui.vertical(|ui| {
                ui.set_width(width);
                ui.strong(title);
                Plot::new(id)
                    .height(height)
                    .width(width)
                    .legend(
                        Legend::default()
                            .position(Corner::RightTop)
                            .background_alpha(0.6),
                    )
                    .include_x(0.0)
                    .include_x(horizon.max(1.0))
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
                        if let Some(at) = a.branched_at() {
                            p.vline(
                                VLine::new("branched", f64::from(at))
                                    .color(palette::BRANCH)
                                    .width(2.0),
                            );
                        }
                        for c in &curves {
                            let color = to_egui(c.color);
                            let ghost = a.ghost();
                            if !ghost.is_empty() {
                                p.line(
                                    Line::new("before rewind", series(ghost, c.value))
                                        .color(color.gamma_multiply(0.35))
                                        .width(1.5),
                                );
                            }
                            let name_a = if b.is_some() {
                                format!("{} A", c.name)
                            } else {
                                c.name.to_owned()
                            };
                            p.line(
                                Line::new(name_a, series(a.history(), c.value))
                                    .color(color)
                                    .width(2.5),
                            );
                            if let Some(b) = b {
                                p.line(
                                    Line::new(
                                        format!("{} B", c.name),
                                        series(b.history(), c.value),
                                    )
                                    .color(color)
                                    .width(2.0)
                                    .style(egui_plot::LineStyle::dashed_loose()),
                                );
                            }
                        }
                    });
            });
        }
        if let Some(b) = b {
            ui.vertical(|ui| {
                ui.set_width(width);
                ui.strong(format!("B − A at step {}", a.step_index()));
                differences(ui, a, b);
            });
        }
    });
}

/// The headline metrics of A and B now, and B − A.
fn differences(
    ui: &mut egui::Ui,
    a: &siloscope_workshop::session::Session,
    b: &siloscope_workshop::session::Session,
) {
    let (Some(ra), Some(rb)) = (a.history().last(), b.history().last()) else {
        ui.label("run a step to compare");
        return;
    };
    egui::Grid::new("differences").striped(true).show(ui, |ui| {
        ui.label("");
        ui.strong("A");
        ui.strong("B");
        ui.strong("B − A");
        ui.end_row();
        for (name, f) in DIFFERENCES {
            let (x, y) = (f(ra), f(rb));
            let fmt = |v: f64| {
                if !v.is_finite() {
                    "–".to_owned()
                } else if v.fract() == 0.0 {
                    format!("{v:.0}")
                } else {
                    format!("{v:.2}")
                }
            };
            ui.label(short_label(name));
            ui.label(fmt(x));
            ui.label(fmt(y));
            let d = y - x;
            let text = if d.is_finite() {
                format!("{}{}", if d > 0.0 { "+" } else { "" }, fmt(d))
            } else {
                "–".to_owned()
            };
            ui.strong(text);
            ui.end_row();
        }
    });
}

pub(super) fn count(r: &StepReport, state: Lifecycle) -> f64 {
    f64::from(
        r.lifecycle[Part::ExistingCustomer.index()][state as usize]
            + r.lifecycle[Part::NewCustomer.index()][state as usize],
    )
}

fn share(a: u64, b: u64) -> f64 {
    if b == 0 {
        f64::NAN
    } else {
        a as f64 / b as f64
    }
}
