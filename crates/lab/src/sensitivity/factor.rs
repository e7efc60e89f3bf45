//! What a screen varies: knobs and assumptions, and their levels.

use siloscope_model::assumptions::ModelParams;
use siloscope_model::knob::Knob;
use siloscope_scenario::Scenario;

/// What a screen varies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Factor {
    /// A policy knob.
    Knob(Knob),
    /// One of the model's assumptions (`model:` in a scenario), by name.
    Assumption(&'static str),
}

impl Factor {
    /// Its name: the knob's, or `model.<assumption>`.
    pub fn name(&self) -> String {
        match self {
            Factor::Knob(k) => k.name().to_owned(),
            Factor::Assumption(a) => format!("model.{a}"),
        }
    }

    /// The factor called `name`: a knob, or `model.<assumption>`.
    pub fn parse(name: &str) -> Option<Factor> {
        if let Some(a) = name.strip_prefix("model.") {
            ModelParams::default()
                .table()
                .into_iter()
                .find(|r| r.name == a)
                .map(|r| Factor::Assumption(r.name))
        } else {
            Knob::from_name(name).map(Factor::Knob)
        }
    }
}

/// A factor and the two levels a screen compares.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Range {
    /// What varies.
    pub factor: Factor,
    /// Its low level.
    pub low: f64,
    /// Its high level.
    pub high: f64,
}

/// Every knob over its range in `scenario`.
pub fn knob_ranges(scenario: &Scenario) -> Vec<Range> {
    Knob::ALL
        .iter()
        .map(|&k| {
            let spec = &scenario.knobs[k.index()];
            Range {
                factor: Factor::Knob(k),
                low: f64::from(spec.min),
                high: f64::from(spec.max),
            }
        })
        .collect()
}

/// Every assumption of `scenario` from half to one and a half times its
/// value, kept inside its allowed range (whole numbers rounded; a switch
/// from off to on). Assumptions at 0 — mechanisms switched off — and those
/// the range leaves at one value are not screened: ask for them by name.
pub fn assumption_ranges(scenario: &Scenario) -> Vec<Range> {
    scenario
        .model
        .table()
        .into_iter()
        .filter_map(|row| {
            let (low, high) = if row.whole && row.min == 0.0 && row.max == 1.0 {
                // A switch: off and on.
                (0.0, 1.0)
            } else {
                // Whole numbers rounded; others to 4 significant digits, so
                // the f32 value's noise does not show (0.045, not
                // 0.044999998).
                let round = |v: f64| {
                    if row.whole {
                        v.round()
                    } else {
                        significant(v, 4)
                    }
                };
                (
                    round((0.5 * row.value).clamp(row.min, row.max)),
                    round((1.5 * row.value).clamp(row.min, row.max)),
                )
            };
            (high > low).then_some(Range {
                factor: Factor::Assumption(row.name),
                low,
                high,
            })
        })
        .collect()
}

/// `v` to `digits` significant digits.
fn significant(v: f64, digits: i32) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let scale = 10f64.powi(digits - 1 - v.abs().log10().floor() as i32);
    (v * scale).round() / scale
}

/// The assumptions [`assumption_ranges`] leaves out (at 0, or with no room
/// around their value): screen them with a range of their own.
pub fn unscreened_assumptions(scenario: &Scenario) -> Vec<&'static str> {
    let screened = assumption_ranges(scenario);
    scenario
        .model
        .table()
        .into_iter()
        .map(|r| r.name)
        .filter(|name| {
            !screened
                .iter()
                .any(|s| s.factor == Factor::Assumption(name))
        })
        .collect()
}
