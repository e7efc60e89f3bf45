//! Experiment files: which runs a batch makes.
//!
//! `scenarios/experiments/<name>.experiment.ron` names a scenario (a path
//! relative to the experiment file), the policies to compare, optional knob
//! sweeps, how many replicates, how many steps, which metrics to summarise
//! and at which steps:
//!
//! ```ron
//! Experiment(
//!     name: "Five presets on the workshop",
//!     scenario: "../workshop.scenario.ron",
//!     policies: ["inside_out", "outside_in", "connected"],
//!     baseline: "inside_out",            // default: the first policy
//!     sweeps: { "silo_permeability": Values([0.1, 0.5, 0.9]) },
//!     design: Grid,                      // or OneAtATime
//!     replicates: 20,
//!     steps: 104,                        // default: the scenario's
//!     metrics: ["customer_trust_in_org", "advocates"],   // default: HEADLINE
//!     at_steps: [26, 52],                // summarised, besides the last step
//!     seed: 1,                           // default: the scenario's
//! )
//! ```
//!
//! A *condition* is one policy at one point of the sweeps. Every condition
//! runs the same replicates, and replicate `k` uses the same seed in every
//! condition ([`replicate_seed`]), so conditions are compared seed by seed.
//!
//! Errors have the quality of scenario errors: file, line, column, field
//! path, and what is allowed.

use serde::Deserialize;
use siloscope_model::knob::Knob;
use siloscope_model::metrics::METRICS;
use siloscope_scenario::format::OrderedMap;
use siloscope_scenario::{
    FieldPath, MAX_STEPS, Scenario, ScenarioErrors, from_ron, locate::error_at,
};
use std::path::{Path, PathBuf};

/// Metrics summarised when an experiment does not choose.
pub const HEADLINE: [&str; 8] = [
    "customer_trust_in_org",
    "trust_across_silos",
    "customers",
    "advocates",
    "churned",
    "loop_closure_share",
    "ei_index_flow_cumulative",
    "cost_total",
];

/// Most runs one experiment may plan.
pub const MAX_RUNS: usize = 1_000_000;

/// The file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "Experiment")]
struct ExperimentFile {
    name: String,
    scenario: String,
    policies: Vec<String>,
    #[serde(default)]
    baseline: Option<String>,
    #[serde(default)]
    sweeps: OrderedMap<Sweep>,
    #[serde(default)]
    design: Design,
    #[serde(default = "default_replicates")]
    replicates: u32,
    #[serde(default)]
    steps: Option<u32>,
    #[serde(default)]
    metrics: Option<Vec<String>>,
    #[serde(default)]
    at_steps: Vec<u32>,
    #[serde(default)]
    seed: Option<u64>,
}

fn default_replicates() -> u32 {
    10
}

/// Values a knob takes in a sweep.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub enum Sweep {
    /// These values.
    Values(Vec<f32>),
    /// `from`, `from + step`, … up to `to` (included when it is hit).
    Range {
        /// First value.
        from: f32,
        /// Last value (at most).
        to: f32,
        /// Increment, > 0.
        step: f32,
    },
}

/// How sweeps combine.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
pub enum Design {
    /// Every combination of every sweep's values.
    #[default]
    Grid,
    /// One knob at a time, the others at the policy's values.
    OneAtATime,
}

/// One policy at one point of the sweeps.
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    /// The policy.
    pub policy: String,
    /// Knob values set on top of the policy.
    pub knobs: Vec<(Knob, f32)>,
}

impl Condition {
    /// A label like `connected` or `connected silo_permeability=0.5`.
    pub fn label(&self) -> String {
        let mut s = self.policy.clone();
        for (k, v) in &self.knobs {
            s.push_str(&format!(" {k}={v}"));
        }
        s
    }
}

/// A checked experiment with its scenario loaded.
#[derive(Clone, Debug, PartialEq)]
pub struct Experiment {
    /// The experiment file.
    pub file: PathBuf,
    /// Title.
    pub name: String,
    /// The scenario.
    pub scenario: Scenario,
    /// Conditions, policy-major; each sweep point appears once per policy.
    pub conditions: Vec<Condition>,
    /// For each condition, the index of its baseline (the baseline policy at
    /// the same sweep point).
    pub baseline_of: Vec<usize>,
    /// The baseline policy.
    pub baseline: String,
    /// Replicates per condition.
    pub replicates: u32,
    /// Steps per run.
    pub steps: u32,
    /// Metrics summarised.
    pub metrics: Vec<&'static str>,
    /// Steps summarised (0-based, ascending), always ending with the last.
    pub at_steps: Vec<u32>,
    /// Base seed.
    pub seed: u64,
}

impl Experiment {
    /// Runs planned: conditions × replicates.
    pub fn runs(&self) -> usize {
        self.conditions.len() * self.replicates as usize
    }

    /// The condition and replicate of run `id` (condition-major).
    pub fn run(&self, id: usize) -> (usize, u32) {
        (
            id / self.replicates as usize,
            (id % self.replicates as usize) as u32,
        )
    }
}

/// The seed of replicate `k`: shared by every condition, so comparisons are
/// paired. A SplitMix64 mix of the base seed and `k`.
pub fn replicate_seed(base: u64, k: u32) -> u64 {
    let mut z = base ^ u64::from(k).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Read and check an experiment file, loading its scenario.
pub fn read(path: &Path) -> Result<Experiment, ScenarioErrors> {
    let file = path.display().to_string();
    let bytes = siloscope_scenario::files::read_bounded(path)?;
    let src = siloscope_scenario::utf8(&bytes, &file)?;
    parse(src, path)
}

/// Check an experiment given as text; `path` locates it (its scenario is
/// read relative to it) and names it in errors.
pub fn parse(src: &str, path: &Path) -> Result<Experiment, ScenarioErrors> {
    let file = path.display().to_string();
    let raw: ExperimentFile = from_ron(src, &file)?;
    let mut errors = Vec::new();
    let mut err = |p: &FieldPath, message: String| errors.push(error_at(src, &file, p, message));
    let root = FieldPath::root();

    // The scenario, relative to the experiment file.
    let scenario_path = path.parent().unwrap_or(Path::new(".")).join(&raw.scenario);
    let scenario = match siloscope_scenario::files::read_scenario(&scenario_path) {
        Ok(s) => Some(s),
        Err(inner) => {
            let first = inner
                .iter()
                .next()
                .map(ToString::to_string)
                .unwrap_or_default();
            err(
                &root.field("scenario"),
                format!("cannot use \"{}\": {first}", raw.scenario),
            );
            None
        }
    };

    if raw.policies.is_empty() {
        err(&root.field("policies"), "list at least one policy".into());
    }
    if let Some(s) = &scenario {
        for (i, p) in raw.policies.iter().enumerate() {
            if s.policy(p).is_none() {
                err(
                    &root.field("policies").index(i),
                    format!(
                        "unknown policy \"{p}\"; the scenario offers: {}",
                        s.policy_names().join(", ")
                    ),
                );
            }
        }
    }
    for (i, p) in raw.policies.iter().enumerate() {
        if raw.policies[..i].contains(p) {
            err(
                &root.field("policies").index(i),
                format!("\"{p}\" is listed twice"),
            );
        }
    }
    let baseline = raw
        .baseline
        .clone()
        .or_else(|| raw.policies.first().cloned())
        .unwrap_or_default();
    if raw.baseline.is_some() && !raw.policies.contains(&baseline) {
        err(
            &root.field("baseline"),
            format!(
                "\"{baseline}\" is not one of the policies: {}",
                raw.policies.join(", ")
            ),
        );
    }

    // Sweeps.
    let mut sweeps: Vec<(Knob, Vec<f32>)> = Vec::new();
    for (name, sweep) in raw.sweeps.iter() {
        let here = root.field("sweeps").key(name);
        let Some(knob) = Knob::from_name(name) else {
            err(
                &root.field("sweeps").key_name(name),
                format!("unknown knob \"{name}\"; knobs are: {}", Knob::names()),
            );
            continue;
        };
        let values = match sweep {
            Sweep::Values(v) => v.clone(),
            Sweep::Range { from, to, step } => {
                let valid = *step > 0.0 && from.is_finite() && to.is_finite() && from <= to;
                if !valid {
                    err(
                        &here.variant("Range"),
                        format!(
                            "a range needs from <= to and step > 0; found from {from}, to {to}, step {step}"
                        ),
                    );
                    continue;
                }
                // Counted as a float first: a huge `to` or a tiny `step`
                // must not overflow the count.
                let gaps = ((to - from) / step + 1e-4).floor();
                if gaps >= 10_000.0 {
                    err(
                        &here.variant("Range"),
                        format!("{} values is too many (at most 10000)", gaps + 1.0),
                    );
                    continue;
                }
                let n = gaps as usize + 1;
                (0..n).map(|i| from + step * i as f32).collect()
            }
        };
        if values.is_empty() {
            err(&here, "a sweep needs at least one value".into());
            continue;
        }
        if values.len() > 10_000 {
            err(
                &here,
                format!("{} values is too many (at most 10000)", values.len()),
            );
            continue;
        }
        // Two equal values would be two conditions with the same label.
        if let Some(i) = (1..values.len()).find(|&i| values[..i].contains(&values[i])) {
            let message = match sweep {
                Sweep::Values(_) => format!("{} is listed twice", values[i]),
                Sweep::Range { .. } => format!(
                    "the step is too small for single precision: {} comes twice",
                    values[i]
                ),
            };
            err(&here, message);
            continue;
        }
        if let Some(s) = &scenario {
            let spec = s.knob_spec(knob);
            if let Some(bad) = values
                .iter()
                .find(|v| !(**v >= spec.min && **v <= spec.max))
            {
                err(
                    &here,
                    format!(
                        "{name} = {bad} is out of range; allowed {} to {}",
                        spec.min, spec.max
                    ),
                );
                continue;
            }
        }
        sweeps.push((knob, values));
    }

    if raw.replicates == 0 || raw.replicates > 100_000 {
        err(
            &root.field("replicates"),
            format!("{} is out of range; allowed 1 to 100000", raw.replicates),
        );
    }
    let steps = raw
        .steps
        .or(scenario.as_ref().map(|s| s.steps))
        .unwrap_or(1);
    if steps == 0 || steps > MAX_STEPS {
        err(
            &root.field("steps"),
            format!("{steps} is out of range; allowed 1 to {MAX_STEPS}"),
        );
    }
    let known: Vec<&'static str> = METRICS.iter().map(|(m, _)| *m).collect();
    let metrics: Vec<&'static str> = match &raw.metrics {
        None => HEADLINE.to_vec(),
        Some(list) => {
            let mut out = Vec::new();
            for (i, m) in list.iter().enumerate() {
                match known.iter().find(|k| **k == m) {
                    Some(k) => out.push(*k),
                    None => err(
                        &root.field("metrics").index(i),
                        format!("unknown metric \"{m}\"; metrics are: {}", known.join(", ")),
                    ),
                }
            }
            out
        }
    };
    let mut at_steps = Vec::new();
    for (i, &s) in raw.at_steps.iter().enumerate() {
        if s == 0 || s > steps {
            err(
                &root.field("at_steps").index(i),
                format!("{s} is out of range; steps are counted from 1 to {steps}"),
            );
        } else {
            at_steps.push(s - 1);
        }
    }
    at_steps.push(steps.saturating_sub(1));
    at_steps.sort_unstable();
    at_steps.dedup();

    // Conditions: every policy at every sweep point. Counted before they
    // are made: a grid of a few long sweeps has more points than memory.
    let point_count: u128 = match raw.design {
        Design::Grid => sweeps
            .iter()
            .fold(1u128, |n, (_, v)| n.saturating_mul(v.len() as u128)),
        Design::OneAtATime => sweeps
            .iter()
            .map(|(_, v)| v.len() as u128)
            .sum::<u128>()
            .max(1),
    };
    let runs = (raw.policies.len() as u128)
        .saturating_mul(point_count)
        .saturating_mul(u128::from(raw.replicates));
    if runs > MAX_RUNS as u128 {
        err(
            &root,
            format!("{runs} runs planned; at most {MAX_RUNS} (fewer sweep values or replicates)"),
        );
    }
    if !errors.is_empty() {
        return Err(ScenarioErrors(errors));
    }
    let points = sweep_points(&sweeps, raw.design);
    let scenario = scenario.expect("no errors, so the scenario loaded");
    let mut conditions = Vec::new();
    let mut baseline_of = Vec::new();
    let base_index = raw
        .policies
        .iter()
        .position(|p| *p == baseline)
        .unwrap_or(0);
    for policy in &raw.policies {
        for (j, point) in points.iter().enumerate() {
            conditions.push(Condition {
                policy: policy.clone(),
                knobs: point.clone(),
            });
            baseline_of.push(base_index * points.len() + j);
        }
    }
    Ok(Experiment {
        file: path.to_owned(),
        name: raw.name,
        seed: raw.seed.unwrap_or(scenario.seed),
        scenario,
        conditions,
        baseline_of,
        baseline,
        replicates: raw.replicates,
        steps,
        metrics,
        at_steps,
    })
}

/// An experiment without a file: `policies` on the scenario at `path`
/// (the first is the baseline), no sweeps, the headline metrics.
pub fn from_scenario(
    path: &Path,
    policies: &[String],
    replicates: u32,
    steps: Option<u32>,
    seed: Option<u64>,
) -> Result<Experiment, String> {
    let scenario = siloscope_scenario::files::read_scenario(path).map_err(|e| e.to_string())?;
    if policies.is_empty() {
        return Err("--policies: list at least one policy".into());
    }
    for p in policies {
        if scenario.policy(p).is_none() {
            return Err(format!(
                "--policies: unknown policy \"{p}\"; {} offers: {}",
                path.display(),
                scenario.policy_names().join(", ")
            ));
        }
    }
    if replicates == 0 || replicates > 100_000 {
        return Err(format!(
            "--replicates: {replicates} is out of range; allowed 1 to 100000"
        ));
    }
    let steps = steps.unwrap_or(scenario.steps);
    if steps == 0 || steps > MAX_STEPS {
        return Err(format!(
            "--steps: {steps} is out of range; allowed 1 to {MAX_STEPS}"
        ));
    }
    let runs = policies.len() * replicates as usize;
    if runs > MAX_RUNS {
        return Err(format!("{runs} runs planned; at most {MAX_RUNS}"));
    }
    Ok(Experiment {
        file: path.to_owned(),
        name: format!("{} ({})", scenario.name, policies.join(" vs ")),
        seed: seed.unwrap_or(scenario.seed),
        conditions: policies
            .iter()
            .map(|p| Condition {
                policy: p.clone(),
                knobs: Vec::new(),
            })
            .collect(),
        baseline_of: vec![0; policies.len()],
        baseline: policies[0].clone(),
        replicates,
        steps,
        metrics: HEADLINE.to_vec(),
        at_steps: vec![steps - 1],
        scenario,
    })
}

/// The sweep points of a design: the full grid, or one knob at a time.
fn sweep_points(sweeps: &[(Knob, Vec<f32>)], design: Design) -> Vec<Vec<(Knob, f32)>> {
    match design {
        Design::Grid => {
            let mut points = vec![Vec::new()];
            for (knob, values) in sweeps {
                points = points
                    .into_iter()
                    .flat_map(|p| {
                        values.iter().map(move |&v| {
                            let mut q = p.clone();
                            q.push((*knob, v));
                            q
                        })
                    })
                    .collect();
            }
            points
        }
        Design::OneAtATime => {
            if sweeps.is_empty() {
                return vec![Vec::new()];
            }
            sweeps
                .iter()
                .flat_map(|(knob, values)| values.iter().map(move |&v| vec![(*knob, v)]))
                .collect()
        }
    }
}

#[cfg(test)]
mod tests;
