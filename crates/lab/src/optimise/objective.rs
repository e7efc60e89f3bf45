//! Objective files (`*.objective.ron`): what a policy should achieve, what
//! it may not give up, and which knobs may move. Checked like scenarios:
//! every problem located at its line, column and field.
//!
//! ```ron
//! Objective(
//!     policy: "connected",          // knobs not searched keep its values (else the scenario's)
//!     vary: { "transparency": (0.2, 0.9) },  // else every knob over its declared range
//!     maximise: [(metric: "npv")],  // or minimise: [...]; a weighted sum of terms
//!     constraints: [(metric: "customer_trust_in_org", at_least: 0.6)],
//! )
//! ```
//!
//! A term or constraint without `step` is read at the last step of the
//! scenario's run; steps are numbered as in the time series (step 0 is
//! the first) and end with the run. `part` defaults to `all` and `weight`
//! to one. Without `vary`, knobs whose declared range is narrower than
//! 0.001 (fixed knobs) are left out.

use crate::sensitivity::{Factor, Range, Screen, check_metric};
use serde::Deserialize;
use siloscope_model::knob::Knob;
use siloscope_scenario::format::OrderedMap;
use siloscope_scenario::locate::{FieldPath, error_at};
use siloscope_scenario::{ErrorKind, Scenario, ScenarioError, ScenarioErrors};
use std::path::Path;

/// Whether the objective is to be made large or small.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sense {
    /// Larger is better (profit, trust).
    Maximise,
    /// Smaller is better (churn, waiting contacts).
    Minimise,
}

/// A metric at a step: what a term or a constraint reads.
#[derive(Clone, Debug, PartialEq)]
pub struct Reading {
    /// The metric, as in the time series.
    pub metric: String,
    /// Its part (`all` for single-valued metrics).
    pub part: String,
    /// The step it is read at (numbered as in the time series).
    pub step: u32,
}

impl Reading {
    /// `metric (part) at step N`, for people.
    pub fn label(&self) -> String {
        if self.part == "all" {
            format!("{} at step {}", self.metric, self.step)
        } else {
            format!("{} ({}) at step {}", self.metric, self.part, self.step)
        }
    }
}

/// One term of the objective: `weight × metric`.
#[derive(Clone, Debug, PartialEq)]
pub struct Term {
    /// What it reads.
    pub reading: Reading,
    /// Its weight (finite, not 0).
    pub weight: f64,
}

/// A bound a policy must keep, on the mean over the seeds.
#[derive(Clone, Debug, PartialEq)]
pub struct Constraint {
    /// What it reads.
    pub reading: Reading,
    /// The smallest value allowed.
    pub at_least: Option<f64>,
    /// The largest value allowed.
    pub at_most: Option<f64>,
}

impl Constraint {
    /// How far `value` is outside the bounds, relative to the bound (at
    /// least 1 in scale): 0 when it keeps them. An undefined value (a
    /// metric with nothing to measure) counts as 1.
    pub fn violation(&self, value: f64) -> f64 {
        if value.is_nan() {
            return 1.0;
        }
        let short = |bound: f64, by: f64| by.max(0.0) / bound.abs().max(1.0);
        self.at_least.map_or(0.0, |b| short(b, b - value))
            + self.at_most.map_or(0.0, |b| short(b, value - b))
    }

    /// `≥ 0.6`, `≤ 40`, or `between 0.2 and 0.4`.
    pub fn bounds(&self) -> String {
        match (self.at_least, self.at_most) {
            (Some(lo), Some(hi)) => format!("between {lo} and {hi}"),
            (Some(lo), None) => format!("≥ {lo}"),
            (None, Some(hi)) => format!("≤ {hi}"),
            (None, None) => "unbounded".into(),
        }
    }
}

/// A checked objective file.
#[derive(Clone, Debug, PartialEq)]
pub struct Objective {
    /// The policy knobs not searched keep (else the scenario's start).
    pub policy: Option<String>,
    /// The knobs searched, each over its range, in catalogue order.
    pub space: Vec<Range>,
    /// Larger or smaller is better.
    pub sense: Sense,
    /// The weighted sum to make large or small.
    pub terms: Vec<Term>,
    /// What the policy must keep.
    pub constraints: Vec<Constraint>,
}

impl Objective {
    /// The objective in words: `maximise npv at step 103`.
    pub fn describe(&self) -> String {
        let verb = match self.sense {
            Sense::Maximise => "maximise",
            Sense::Minimise => "minimise",
        };
        let terms: Vec<String> = self
            .terms
            .iter()
            .map(|t| {
                let w = t.weight.abs();
                if t.weight == 1.0 {
                    t.reading.label()
                } else if (1e-3..1e6).contains(&w) {
                    format!("{} × {}", t.weight, t.reading.label())
                } else {
                    format!("{:e} × {}", t.weight, t.reading.label())
                }
            })
            .collect();
        format!("{verb} {}", terms.join(" + "))
    }

    /// The last step any term or constraint reads.
    pub fn last_step(&self) -> u32 {
        self.terms
            .iter()
            .map(|t| &t.reading)
            .chain(self.constraints.iter().map(|c| &c.reading))
            .map(|r| r.step)
            .max()
            .unwrap_or(0)
    }
}

#[derive(Deserialize)]
#[serde(rename = "Objective", deny_unknown_fields)]
struct ObjectiveFile {
    #[serde(default)]
    policy: Option<String>,
    #[serde(default)]
    vary: Option<OrderedMap<(f64, f64)>>,
    #[serde(default)]
    maximise: Option<Vec<TermSpec>>,
    #[serde(default)]
    minimise: Option<Vec<TermSpec>>,
    #[serde(default)]
    constraints: Vec<ConstraintSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TermSpec {
    metric: String,
    #[serde(default)]
    part: Option<String>,
    #[serde(default)]
    step: Option<u32>,
    #[serde(default)]
    weight: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConstraintSpec {
    metric: String,
    #[serde(default)]
    part: Option<String>,
    #[serde(default)]
    step: Option<u32>,
    #[serde(default)]
    at_least: Option<f64>,
    #[serde(default)]
    at_most: Option<f64>,
}

/// Read and check an objective file against the scenario it optimises.
pub fn read_objective(path: &Path, scenario: &Scenario) -> Result<Objective, ScenarioErrors> {
    const LIMIT: siloscope_files::Limit = siloscope_files::Limit {
        max_bytes: 1 << 20,
        what: "objective files",
        expected: "a .objective.ron file",
    };
    let bytes = siloscope_scenario::files::read_limited(path, &LIMIT)?;
    let file = path.display().to_string();
    parse_objective(siloscope_scenario::utf8(&bytes, &file)?, &file, scenario)
}

/// Parse and check objective text; `file` names it in messages.
pub fn parse_objective(
    src: &str,
    file: &str,
    scenario: &Scenario,
) -> Result<Objective, ScenarioErrors> {
    let raw: ObjectiveFile = siloscope_scenario::from_ron(src, file)?;
    let mut problems: Vec<(FieldPath, String)> = Vec::new();
    macro_rules! err {
        ($path:expr, $message:expr $(,)?) => {
            problems.push((($path).clone(), $message))
        };
    }
    let root = FieldPath::root();
    if let Some(p) = &raw.policy
        && scenario.policy(p).is_none()
    {
        err!(
            root.field("policy"),
            format!(
                "unknown policy \"{p}\"; policies are: {}",
                scenario.policy_names().join(", ")
            ),
        );
    }
    let space = match &raw.vary {
        // Every knob over its declared range, but for those whose range
        // holds no two values of the search's 0.001 grid (fixed knobs).
        None => crate::sensitivity::knob_ranges(scenario)
            .into_iter()
            .filter(|r| {
                let (low, high) = super::space::grid_ends(r);
                high > low
            })
            .collect(),
        Some(vary) => {
            if vary.0.is_empty() {
                err!(
                    root.field("vary"),
                    "name at least one knob to search, or leave `vary` out to search them all"
                        .into(),
                );
            }
            let mut space = Vec::new();
            for (name, &(low, high)) in vary.iter() {
                let path = root.field("vary").key(name);
                match space_range(scenario, name, low, high) {
                    Ok(r) => space.push(r),
                    Err(message) => err!(path, message),
                }
            }
            // Catalogue order, whatever the file's.
            space.sort_by_key(|r: &Range| match r.factor {
                Factor::Knob(k) => k.index(),
                Factor::Assumption(_) => usize::MAX,
            });
            space
        }
    };
    let last = scenario.steps.saturating_sub(1);
    let policy = raw.policy.clone().filter(|p| scenario.policy(p).is_some());
    let (sense, specs, key) = match (&raw.maximise, &raw.minimise) {
        (Some(t), None) => (Sense::Maximise, t.as_slice(), "maximise"),
        (None, Some(t)) => (Sense::Minimise, t.as_slice(), "minimise"),
        (Some(t), Some(_)) => {
            err!(
                root.field("minimise"),
                "an objective either maximises or minimises: give `maximise` or `minimise`, not both (a negative weight turns a term round)".into(),
            );
            (Sense::Maximise, t.as_slice(), "maximise")
        }
        (None, None) => {
            err!(
                root,
                "no objective: give `maximise: [(metric: \"npv\")]` or `minimise: [...]`".into(),
            );
            (Sense::Maximise, &[][..], "maximise")
        }
    };
    if specs.is_empty() && (raw.maximise.is_some() || raw.minimise.is_some()) {
        err!(root.field(key), "no terms: name at least one metric".into(),);
    }
    let mut terms = Vec::new();
    for (i, t) in specs.iter().enumerate() {
        let path = root.field(key).index(i);
        let weight = t.weight.unwrap_or(1.0);
        let read = read_at(
            scenario,
            policy.as_deref(),
            last,
            &path,
            &t.metric,
            &t.part,
            t.step,
            &mut problems,
        );
        if !(weight.is_finite() && weight != 0.0) {
            err!(
                path.field("weight"),
                format!("{weight} is not a weight: a finite number other than 0"),
            );
        } else if let Some(reading) = read {
            terms.push(Term { reading, weight });
        }
    }
    let mut constraints = Vec::new();
    for (i, c) in raw.constraints.iter().enumerate() {
        let path = root.field("constraints").index(i);
        let read = read_at(
            scenario,
            policy.as_deref(),
            last,
            &path,
            &c.metric,
            &c.part,
            c.step,
            &mut problems,
        );
        let mut ok = true;
        for (field, bound) in [("at_least", c.at_least), ("at_most", c.at_most)] {
            if bound.is_some_and(|b| !b.is_finite()) {
                err!(path.field(field), "a bound must be a finite number".into(),);
                ok = false;
            }
        }
        match (c.at_least, c.at_most) {
            (None, None) => {
                err!(
                    path,
                    "a constraint needs `at_least`, `at_most` or both".into(),
                );
                ok = false;
            }
            (Some(lo), Some(hi)) if ok && lo > hi => {
                err!(
                    path.field("at_most"),
                    format!("{hi} is below at_least {lo}: no value could keep both"),
                );
                ok = false;
            }
            _ => {}
        }
        if ok && let Some(reading) = read {
            constraints.push(Constraint {
                reading,
                at_least: c.at_least,
                at_most: c.at_most,
            });
        }
    }
    if problems.is_empty() {
        Ok(Objective {
            policy: raw.policy,
            space,
            sense,
            terms,
            constraints,
        })
    } else {
        let errors = problems
            .iter()
            .map(|(path, message)| {
                let mut e = error_at(src, file, path, message.clone());
                e.kind = ErrorKind::Validation;
                e
            })
            .collect::<Vec<ScenarioError>>();
        Err(ScenarioErrors(errors))
    }
}

/// The knob `name` searched from `low` to `high`, inside its declared
/// range and wide enough for the search's 0.001 resolution.
fn space_range(scenario: &Scenario, name: &str, low: f64, high: f64) -> Result<Range, String> {
    if name.starts_with("model.") && Factor::parse(name).is_some() {
        return Err(format!(
            "\"{name}\" is a model assumption: it describes the world, not a choice, so optimise searches knobs only (fit assumptions with siloscope calibrate)"
        ));
    }
    let Some(knob) = Knob::from_name(name) else {
        let names: Vec<&str> = Knob::ALL.iter().map(|k| k.name()).collect();
        return Err(format!(
            "\"{name}\" is not a knob; knobs are: {}",
            names.join(", ")
        ));
    };
    let spec = scenario.knob_spec(knob);
    let (min, max) = (f64::from(spec.min), f64::from(spec.max));
    if !(low.is_finite() && high.is_finite() && low < high) {
        return Err(format!(
            "({low}, {high}) is not a range: the low end must be below the high end"
        ));
    }
    // The declared range, with the f32 noise of its ends allowed.
    if low < min - 1e-6 || high > max + 1e-6 {
        return Err(format!(
            "({low}, {high}) leaves the knob's declared range ({}, {})",
            spec.min, spec.max
        ));
    }
    let range = Range {
        factor: Factor::Knob(knob),
        low,
        high,
    };
    let (first, last) = super::space::grid_ends(&range);
    if last <= first {
        return Err(format!(
            "({low}, {high}) is narrower than the search's resolution of 0.001"
        ));
    }
    Ok(range)
}

/// A term's or constraint's metric at its step, checked against the
/// scenario; problems are added to `problems`.
#[allow(clippy::too_many_arguments)]
fn read_at(
    scenario: &Scenario,
    policy: Option<&str>,
    last: u32,
    path: &FieldPath,
    metric: &str,
    part: &Option<String>,
    step: Option<u32>,
    problems: &mut Vec<(FieldPath, String)>,
) -> Option<Reading> {
    let named_part = part.is_some();
    let part = part.clone().unwrap_or_else(|| "all".into());
    let step = step.unwrap_or(last);
    let mut ok = true;
    if step > last {
        problems.push((
            path.field("step"),
            format!(
                "{step} is out of range; this scenario's steps are 0 to {last} (numbered as in the time series, from 0)"
            ),
        ));
        ok = false;
    }
    let screen = Screen {
        metric: metric.to_owned(),
        part: part.clone(),
        policy: policy.map(str::to_owned),
        against: None,
        factors: Vec::new(),
        replicates: 2,
        steps: None,
        seed: None,
        jobs: 1,
    };
    match check_metric(scenario, &screen) {
        Ok(()) => {}
        Err(crate::sensitivity::ScreenError::UnknownPart { parts, .. }) if !named_part => {
            problems.push((
                path.field("metric"),
                format!("{metric} has a value per part: name one with `part:`, one of {parts}"),
            ));
            ok = false;
        }
        Err(e) => {
            let field = if e.to_string().contains("unknown metric") {
                "metric"
            } else {
                "part"
            };
            problems.push((path.field(field), e.to_string()));
            ok = false;
        }
    }
    ok.then(|| Reading {
        metric: metric.to_owned(),
        part,
        step,
    })
}
