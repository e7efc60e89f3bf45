//! Scoring a candidate: runs from the base policy with the candidate's
//! knobs, on the search's seeds; and the points the search starts from.

use super::{Objective, Score, Space, knob_value};
use crate::seed::replicate_seed;
use crate::seed_networks::SeedNetworks;
use rayon::prelude::*;
use siloscope_model::knob::Knob;
use siloscope_model::sim::SimError;
use siloscope_scenario::Scenario;

/// The base policy: the objective's, else the scenario's start.
pub fn base_policy<'a>(scenario: &'a Scenario, objective: &'a Objective) -> Option<&'a str> {
    objective
        .policy
        .as_deref()
        .or(scenario.start_policy.as_deref())
}

/// The knob values of `point`, in the space's order.
pub fn knobs_of(space: &Space, point: &[i64]) -> Vec<(Knob, f32)> {
    space
        .knobs()
        .iter()
        .zip(point)
        .map(|(&k, &p)| (k, knob_value(p)))
        .collect()
}

/// The weighted sum and the constraints' values of one run, read at
/// their steps. Runs from the base policy with `knobs` set at step 0.
pub fn run_once(
    scenario: &Scenario,
    networks: &SeedNetworks,
    objective: &Objective,
    policy: Option<&str>,
    knobs: &[(Knob, f32)],
    seed: u64,
) -> Result<Score, SimError> {
    let reads: Vec<(&str, &str, u32)> = objective
        .terms
        .iter()
        .map(|t| &t.reading)
        .chain(objective.constraints.iter().map(|c| &c.reading))
        .map(|r| (r.metric.as_str(), r.part.as_str(), r.step))
        .collect();
    let values: Vec<f64> =
        crate::readings::read_run(scenario, networks, policy, seed, knobs, &reads)?
            .into_iter()
            .map(|v| v.unwrap_or(f64::NAN))
            .collect();
    let (terms, constraints) = values.split_at(objective.terms.len());
    Ok(Score {
        objective: objective
            .terms
            .iter()
            .zip(terms)
            .map(|(t, v)| t.weight * v)
            .sum(),
        constraints: constraints.to_vec(),
    })
}

/// The mean of the values that are defined (`NaN` if none is).
fn mean_defined(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = values
        .filter(|v| !v.is_nan())
        .fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    if n == 0 { f64::NAN } else { sum / n as f64 }
}

/// The score of `knobs` over the search's seeds.
pub(super) fn score(
    scenario: &Scenario,
    networks: &SeedNetworks,
    objective: &Objective,
    knobs: &[(Knob, f32)],
    seeds: &[u64],
) -> Result<Score, SimError> {
    let policy = base_policy(scenario, objective);
    let runs: Vec<Score> = seeds
        .par_iter()
        .map(|&s| run_once(scenario, networks, objective, policy, knobs, s))
        .collect::<Result<_, _>>()?;
    Ok(Score {
        objective: mean_defined(runs.iter().map(|r| r.objective)),
        constraints: (0..objective.constraints.len())
            .map(|c| mean_defined(runs.iter().map(|r| r.constraints[c])))
            .collect(),
    })
}

/// The seeds a search runs each candidate on: replicates `0..n` of the
/// batch runner's sequence from `base`.
pub fn search_seeds(base: u64, replicates: u32) -> Vec<u64> {
    (0..replicates.max(1))
        .map(|r| replicate_seed(base, r))
        .collect()
}

/// The points the search starts from: each policy of the scenario with
/// its values for the knobs searched (the base policy's values for the
/// others), in the scenario's order, each once.
pub fn starts(scenario: &Scenario, space: &Space) -> Vec<(String, Vec<i64>)> {
    let mut out: Vec<(String, Vec<i64>)> = Vec::new();
    for p in &scenario.policies {
        let Ok(values) = scenario.initial_knobs(Some(&p.name)) else {
            continue;
        };
        let wanted: Vec<f64> = space
            .knobs()
            .iter()
            .map(|&k| f64::from(values.get(k)))
            .collect();
        let point = space.point(&space.unit(&wanted));
        if !out.iter().any(|(_, q)| *q == point) {
            out.push((p.name.clone(), point));
        }
    }
    out
}
