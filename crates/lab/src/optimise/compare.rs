//! The check after a search: the optimum, as the policy entry that will be
//! pasted into the scenario, and every policy of the scenario, run again on
//! fresh seeds — paired, so each difference is the policies' and not the
//! seeds'. The search's own seeds would flatter the optimum: it was chosen
//! for how it did on them.

use super::{Objective, Score, Space, base_policy, knob_value, run_once};
use crate::seed::replicate_seed;
use crate::seed_networks::SeedNetworks;
use crate::sensitivity::ScreenError;
use crate::stats::{Estimate, Paired};
use rayon::prelude::*;
use siloscope_model::policy::Policy;
use siloscope_scenario::Scenario;

/// One policy's values, seed by seed.
#[derive(Clone, Debug, PartialEq)]
pub struct Runs {
    /// The objective's weighted sum on each seed.
    pub objective: Vec<f64>,
    /// Each constraint's metric on each seed (outer: the constraints).
    pub constraints: Vec<Vec<f64>>,
}

impl Runs {
    /// The objective's mean with its 95% interval.
    pub fn objective(&self) -> Estimate {
        Estimate::of(&self.objective)
    }

    /// Constraint `c`'s mean with its 95% interval.
    pub fn constraint(&self, c: usize) -> Estimate {
        Estimate::of(&self.constraints[c])
    }

    /// Its mean score (what the constraints are judged on).
    pub fn score(&self) -> Score {
        Score {
            objective: self.objective().mean,
            constraints: (0..self.constraints.len())
                .map(|c| self.constraint(c).mean)
                .collect(),
        }
    }
}

/// The optimum and every policy on the same fresh seeds.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    /// The seeds, none of them the search's.
    pub seeds: Vec<u64>,
    /// The optimum's entry, as run.
    pub policy: Policy,
    /// The optimum's runs.
    pub optimum: Runs,
    /// Every policy of the scenario, in its order.
    pub policies: Vec<(String, Runs)>,
}

impl Comparison {
    /// The optimum against `runs`, seed by seed: the objective's
    /// difference (optimum − policy; for a minimised objective, policy −
    /// optimum, so that above 0 always means the optimum is better).
    pub fn gain_over(&self, runs: &Runs, sense: super::Sense) -> Paired {
        match sense {
            super::Sense::Maximise => Paired::of(&self.optimum.objective, &runs.objective),
            super::Sense::Minimise => Paired::of(&runs.objective, &self.optimum.objective),
        }
    }
}

/// The policy entry of `point`: the base policy's values, then the
/// searched knobs' — what the scenario makes of `base: …, knobs: {…}`.
pub fn entry(
    scenario: &Scenario,
    objective: &Objective,
    space: &Space,
    point: &[i64],
    name: &str,
    description: &str,
) -> Policy {
    let mut values: Vec<Option<f32>> = vec![None; siloscope_model::knob::KNOB_COUNT];
    if let Some(b) = base_policy(scenario, objective).and_then(|b| scenario.policy(b)) {
        for (k, v) in &b.values {
            values[k.index()] = Some(*v);
        }
    }
    for (&k, &p) in space.knobs().iter().zip(point) {
        values[k.index()] = Some(knob_value(p));
    }
    Policy {
        name: name.to_owned(),
        description: description.to_owned(),
        values: siloscope_model::knob::Knob::ALL
            .iter()
            .filter_map(|k| values[k.index()].map(|v| (*k, v)))
            .collect(),
    }
}

/// Run the optimum at `point` — added to the scenario as a policy — and
/// every policy of the scenario on `check` seeds: replicates `replicates
/// ..replicates + check` of the batch runner's sequence from `base`, so
/// none is a seed the search ran on.
#[allow(clippy::too_many_arguments)]
pub fn compare(
    scenario: &Scenario,
    objective: &Objective,
    point: &[i64],
    description: &str,
    base: u64,
    replicates: u32,
    check: u32,
    jobs: usize,
) -> Result<Comparison, ScreenError> {
    let space = Space::of(&objective.space);
    let name = scenario.free_policy_name("optimised");
    let policy = entry(scenario, objective, &space, point, &name, description);
    let mut with = scenario.clone();
    with.policies.push(policy.clone());
    let seeds: Vec<u64> = (0..check.max(2))
        .map(|r| replicate_seed(base, replicates.max(1) + r))
        .collect();
    let names: Vec<String> = with.policies.iter().map(|p| p.name.clone()).collect();
    let plan: Vec<(usize, u64)> = (0..names.len())
        .flat_map(|p| seeds.iter().map(move |&s| (p, s)))
        .collect();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.max(1))
        .build()
        .map_err(|e| ScreenError::Pool(e.to_string()))?;
    // Every policy runs on the same fresh seeds: one network each.
    let networks = SeedNetworks::new(&with, crate::seed_networks::DEFAULT_BUDGET);
    let scores: Vec<Score> = pool.install(|| {
        plan.par_iter()
            .map(|&(p, s)| run_once(&with, &networks, objective, Some(&names[p]), &[], s))
            .collect::<Result<_, _>>()
    })?;
    let mut runs: Vec<(String, Runs)> = scores
        .chunks(seeds.len())
        .zip(&names)
        .map(|(per_seed, n)| {
            (
                n.clone(),
                Runs {
                    objective: per_seed.iter().map(|s| s.objective).collect(),
                    constraints: (0..objective.constraints.len())
                        .map(|c| per_seed.iter().map(|s| s.constraints[c]).collect())
                        .collect(),
                },
            )
        })
        .collect();
    let optimum = runs.pop().expect("the optimum was run last").1;
    Ok(Comparison {
        seeds,
        policy,
        optimum,
        policies: runs,
    })
}
