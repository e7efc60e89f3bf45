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
//! With `design: Sobol(samples: N)` or `Morris(trajectories: N, levels:
//! L)` and `vary: { "knob": (low, high), "model.x": (low, high) }`, the
//! experiment is a global sensitivity study from its one policy instead
//! ([`GlobalDesign`]).
//!
//! A *condition* is one policy at one point of the sweeps. Every condition
//! runs the same replicates, and replicate `k` uses the same seed in every
//! condition ([`replicate_seed`]), so conditions are compared seed by seed.
//!
//! Errors have the quality of scenario errors: file, line, column, field
//! path, and what is allowed.

mod parse;

pub use crate::seed::replicate_seed;
pub use parse::parse;
use serde::Deserialize;
use siloscope_model::knob::Knob;
use siloscope_scenario::{MAX_STEPS, Scenario, ScenarioErrors};
use std::path::{Path, PathBuf};

/// Metrics summarised when an experiment does not choose.
pub const HEADLINE: [&str; 11] = [
    "customer_trust_in_org",
    "trust_across_silos",
    "customers",
    "advocates",
    "churned",
    "loop_closure_share",
    "ei_index_flow_cumulative",
    "revenue_total",
    "cost_cumulative",
    "profit_total",
    "npv",
];

/// Most runs one experiment may plan.
pub const MAX_RUNS: usize = 1_000_000;

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

/// How sweeps combine, or which global design varies the factors of
/// `vary` all at once.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub enum Design {
    /// Every combination of every sweep's values.
    #[default]
    Grid,
    /// One knob at a time, the others at the policy's values.
    OneAtATime,
    /// Sobol indices from a Saltelli design of `samples` base rows.
    Sobol {
        /// Base rows (points: samples × (factors + 2)).
        samples: usize,
    },
    /// Morris elementary effects from `trajectories` trajectories on a
    /// grid of `levels` levels.
    Morris {
        /// Trajectories (points: trajectories × (factors + 1)).
        trajectories: usize,
        /// Grid levels per factor (default 4).
        #[serde(default = "four")]
        levels: u32,
    },
}

fn four() -> u32 {
    4
}

/// A global sensitivity study as an experiment: every factor over its
/// range at once, by [`Design::Sobol`] or [`Design::Morris`], from the
/// experiment's one policy; each of its metrics read at the last step.
/// Its runs are the design's points × replicates; `siloscope batch` runs
/// them journaled (resumed, `--shard`ed, joined by `siloscope merge`).
#[derive(Clone, Debug, PartialEq)]
pub struct GlobalDesign {
    /// The design.
    pub method: crate::sensitivity::Method,
    /// The factors and their ranges (every knob when `vary` is left out).
    pub factors: Vec<crate::sensitivity::Range>,
}

impl GlobalDesign {
    /// The screen that plans the study for the experiment's first metric
    /// (the others are read from the same runs).
    pub fn screen(&self, exp: &Experiment, jobs: usize) -> crate::sensitivity::Screen {
        crate::sensitivity::Screen {
            metric: exp
                .metrics
                .first()
                .copied()
                .unwrap_or("customer_trust_in_org")
                .to_owned(),
            part: "all".into(),
            policy: exp.conditions.first().map(|c| c.policy.clone()),
            against: None,
            factors: self.factors.clone(),
            replicates: exp.replicates,
            steps: Some(exp.steps),
            seed: Some(exp.seed),
            jobs,
        }
    }
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
    /// A global design (Sobol or Morris), instead of conditions compared.
    pub global: Option<GlobalDesign>,
}

impl Experiment {
    /// Runs planned: conditions × replicates.
    pub fn runs(&self) -> usize {
        match &self.global {
            // A global design runs its points, not its one condition.
            Some(g) => g.method.points(g.factors.len()) * self.replicates as usize,
            None => self.conditions.len() * self.replicates as usize,
        }
    }

    /// The condition and replicate of run `id` (condition-major).
    pub fn run(&self, id: usize) -> (usize, u32) {
        (
            id / self.replicates as usize,
            (id % self.replicates as usize) as u32,
        )
    }
}

/// Read and check an experiment file, loading its scenario.
pub fn read(path: &Path) -> Result<Experiment, ScenarioErrors> {
    let file = path.display().to_string();
    let bytes = siloscope_scenario::files::read_limited(
        path,
        &siloscope_scenario::files::EXPERIMENT_LIMIT,
    )?;
    let src = siloscope_scenario::utf8(&bytes, &file)?;
    parse(src, path)
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
    for (i, p) in policies.iter().enumerate() {
        if policies[..i].contains(p) {
            return Err(format!(
                "--policies: \"{p}\" is listed twice; each policy is one condition"
            ));
        }
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
        global: None,
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
        Design::Sobol { .. } | Design::Morris { .. } => vec![Vec::new()],
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
