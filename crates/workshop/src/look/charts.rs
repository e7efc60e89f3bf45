//! The charts a room reads, defined once for the app and the debrief:
//! trust toward each part, acquisitions by source, advocates and churned,
//! the silo E-I index, revenue, cost and profit, loop closure, and the
//! trade-off of A and B (profit against trust).
//!
//! A chart is a title, its curves (a name, a colour and the number each
//! step's report gives) and the range of values it always shows, so that
//! a flat line near zero is not blown up to fill the chart.

use super::{CHURNED, flow_rgb, part_rgb, unit};
use siloscope_model::agent::{Lifecycle, Part};
use siloscope_model::flow::FlowKind;
use siloscope_model::metrics::headline::{count, share};
use siloscope_model::metrics::{StepReport, short_label};
pub use siloscope_model::story::Chart;

/// A number read off a step's report (NaN: nothing to plot).
pub type Measure = fn(&StepReport) -> f64;

/// One curve of a chart.
#[derive(Clone, Copy, Debug)]
pub struct Curve {
    /// Its name in the legend.
    pub name: &'static str,
    /// Its colour, sRGB channels from 0 to 1.
    pub rgb: [f32; 3],
    /// What it plots.
    pub value: Measure,
}

/// One chart over the steps.
#[derive(Clone, Debug)]
pub struct ChartSpec {
    /// Which chart.
    pub kind: Chart,
    /// Its title.
    pub title: &'static str,
    /// Its curves.
    pub curves: Vec<Curve>,
    /// The values it always includes (low, high).
    pub y: (f64, f64),
}

/// The trade-off chart's title.
pub const TRADE_OFF_TITLE: &str = "Profit against trust";

/// The chart of a kind (`None`: the trade-off of A and B, which plots two
/// runs against each other rather than over the steps).
pub fn chart_of(kind: Chart) -> Option<ChartSpec> {
    chart_specs().into_iter().find(|c| c.kind == kind)
}

/// The title of a chart of any kind, the trade-off included.
pub fn title_of(kind: Chart) -> &'static str {
    chart_of(kind).map_or(TRADE_OFF_TITLE, |c| c.title)
}

/// Points `[step, value]` of a curve over `history`, skipping steps with
/// nothing to plot. A report of step `s` is drawn at `s + 1`: the state
/// after that many steps.
pub fn series(history: &[StepReport], value: Measure) -> Vec<[f64; 2]> {
    history
        .iter()
        .filter_map(|r| {
            let v = value(r);
            v.is_finite().then(|| [f64::from(r.step) + 1.0, v])
        })
        .collect()
}

/// A run's path through (customer trust, profit so far), the trade-off
/// chart's points.
pub fn trade_off_path(history: &[StepReport]) -> Vec<[f64; 2]> {
    history
        .iter()
        .map(|r| [r.customer_trust_in_org, r.totals.profit()])
        .filter(|p| p[0].is_finite() && p[1].is_finite())
        .collect()
}

/// The charts over the steps, in the order they are shown.
pub fn chart_specs() -> Vec<ChartSpec> {
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
    let flow = |kind| unit(flow_rgb(kind));
    let part = |p| unit(part_rgb(p));
    vec![
        ChartSpec {
            kind: Chart::Trust,
            title: "Trust toward each part",
            curves: parts
                .iter()
                .map(|&(p, name)| Curve {
                    name,
                    rgb: part(p),
                    value: trust(p),
                })
                .collect(),
            y: (0.0, 1.0),
        },
        ChartSpec {
            kind: Chart::Acquisitions,
            title: "Acquisitions (cumulative)",
            curves: vec![
                Curve {
                    name: short_label("acquisitions_word_of_mouth"),
                    rgb: flow(FlowKind::PeerHelp),
                    value: |r| r.totals.acquisitions_word_of_mouth as f64,
                },
                Curve {
                    name: short_label("acquisitions_campaign"),
                    rgb: flow(FlowKind::Push),
                    value: |r| r.totals.acquisitions_campaign as f64,
                },
            ],
            y: (0.0, 1.0),
        },
        ChartSpec {
            kind: Chart::Customers,
            title: "Advocates and churned",
            curves: vec![
                Curve {
                    name: short_label("advocates"),
                    rgb: part(Part::ExistingCustomer),
                    value: |r| count(r, Lifecycle::Advocate),
                },
                Curve {
                    name: short_label("churned"),
                    rgb: CHURNED,
                    value: |r| count(r, Lifecycle::Churned),
                },
            ],
            y: (0.0, 1.0),
        },
        ChartSpec {
            kind: Chart::SiloIndex,
            title: "Silo E-I index (-1 closed)",
            curves: vec![Curve {
                name: short_label("ei_index_flow_cumulative"),
                rgb: part(Part::Department),
                value: |r| {
                    siloscope_model::silo_index::ei_index(
                        r.totals.flows_external as f64,
                        r.totals.flows_internal as f64,
                    )
                    .unwrap_or(f64::NAN)
                },
            }],
            y: (-1.0, 1.0),
        },
        ChartSpec {
            kind: Chart::Money,
            title: "Revenue, cost and profit so far",
            curves: vec![
                Curve {
                    name: short_label("revenue_total"),
                    rgb: part(Part::ExistingCustomer),
                    value: |r| r.totals.revenue,
                },
                Curve {
                    name: short_label("cost_cumulative"),
                    rgb: CHURNED,
                    value: |r| r.totals.cost,
                },
                Curve {
                    name: short_label("profit_total"),
                    rgb: flow(FlowKind::Answer),
                    value: |r| r.totals.profit(),
                },
            ],
            y: (0.0, 1.0),
        },
        ChartSpec {
            kind: Chart::Loop,
            title: "Feedback loop closure",
            curves: vec![
                Curve {
                    name: short_label("loop_closure_share"),
                    rgb: flow(FlowKind::Answer),
                    value: |r| share(r.totals.loops_closed, r.totals.needs_raised),
                },
                Curve {
                    name: short_label("need_reach_share"),
                    rgb: flow(FlowKind::Need),
                    value: |r| share(r.totals.needs_reached, r.totals.needs_raised),
                },
            ],
            y: (0.0, 1.0),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_chart_but_the_trade_off_has_a_spec_with_curves() {
        let specs = chart_specs();
        assert_eq!(specs.len(), 6);
        for s in &specs {
            assert!(!s.curves.is_empty(), "{}", s.title);
            assert!(s.y.0 < s.y.1);
        }
        assert!(chart_of(Chart::TradeOff).is_none());
        assert_eq!(title_of(Chart::TradeOff), TRADE_OFF_TITLE);
        assert_eq!(title_of(Chart::Loop), "Feedback loop closure");
    }
}
