//! Optimisation: the policy — a setting of the knobs — that does best by an
//! objective the analyst states, keeping the constraints they state.
//!
//! An objective file ([`read_objective`]) names the knobs to search (each
//! over its declared range, or a narrower one), a weighted sum of metrics at
//! steps to maximise or minimise (the net present value of profit, trust at
//! the end, …) and bounds the policy must keep (customer trust at least 0.6
//! at the end). Every candidate runs on the same `replicates` seeds (common
//! random numbers, so two candidates differ by their knobs and not by their
//! luck); its score is the mean over them, and a constraint holds when the
//! mean keeps its bound.
//!
//! The search ([`search`]) is CMA-ES from the `cmaes` crate on a grid of
//! 0.001 per knob — the values a policy entry is written with, so the entry
//! pasted into a scenario is the point evaluated. It starts from the best of
//! the scenario's policies (generation 0: each policy's values for the
//! knobs searched, the others as the base policy has them).
//!
//! The best candidate was chosen *because* it did well on the search's
//! seeds, so its score there flatters it. [`compare`] runs it and every
//! policy of the scenario again on `check` fresh seeds, paired, for the
//! figures that are reported.
//!
//! A search can be resumed: every candidate's score is journaled
//! ([`crate::journal`], see [`Entry::line`]); a search given the journal's
//! scores back retraces the
//! same path without running them again and goes on from where it stopped.
//! The result depends on the seed alone, not on the number of jobs.

mod compare;
mod objective;
pub mod search;
mod space;

pub use compare::{Comparison, Runs, compare};
pub use objective::{Constraint, Objective, Reading, Sense, Term, parse_objective, read_objective};
pub use space::{Space, knob_text, knob_value};

use crate::experiment::replicate_seed;
use crate::journal::{Line, Shape};
use crate::sensitivity::ScreenError;
use rayon::prelude::*;
use search::{Fitness, Generation, INFEASIBLE, Settings, Stop};
use siloscope_model::knob::Knob;
use siloscope_model::sim::{RunOptions, SimError, Simulation};
use siloscope_scenario::Scenario;
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A candidate's score: means over the seeds.
#[derive(Clone, Debug, PartialEq)]
pub struct Score {
    /// The objective's weighted sum (`NaN` where a metric is undefined).
    pub objective: f64,
    /// Each constraint's metric, in the objective's order.
    pub constraints: Vec<f64>,
}

impl Score {
    /// The constraints' total breach (0: all kept).
    pub fn violation(&self, constraints: &[Constraint]) -> f64 {
        constraints
            .iter()
            .zip(&self.constraints)
            .map(|(c, &v)| c.violation(v))
            .sum()
    }

    /// What ranks it (larger is better): the objective turned to be
    /// maximised and divided by `scale` (the search's: the largest size of
    /// the objective among the scenario's policies, so that the weights'
    /// size never matters); below [`INFEASIBLE`] when a constraint is
    /// broken, by the size of the breach; just at it when the objective is
    /// undefined or infinite.
    pub fn fitness(&self, sense: Sense, constraints: &[Constraint], scale: f64) -> Fitness {
        let breach = self.violation(constraints);
        if breach > 0.0 {
            return INFEASIBLE * (1.0 + breach.min(1e6));
        }
        let value = match sense {
            Sense::Maximise => self.objective,
            Sense::Minimise => -self.objective,
        } / scale;
        if value.is_finite() {
            value.clamp(-1e12, 1e12)
        } else {
            INFEASIBLE
        }
    }
}

/// One candidate evaluated: where, when first, and how it scored.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The generation it was first drawn in (0: the scenario's policies).
    pub generation: u32,
    /// Its knob values in thousandths, in the space's order.
    pub point: Vec<i64>,
    /// Its score.
    pub score: Score,
}

/// Every candidate scored, by point, and the order they were drawn in.
#[derive(Default)]
struct Table {
    entries: HashMap<Vec<i64>, Entry>,
    order: Vec<Vec<i64>>,
}

impl Table {
    /// The best so far: highest fitness, earliest drawn of equals.
    fn best(&self, objective: &Objective, scale: f64) -> Entry {
        let mut best: Option<(&Entry, Fitness)> = None;
        for p in &self.order {
            let e = &self.entries[p];
            let f = e
                .score
                .fitness(objective.sense, &objective.constraints, scale);
            if best.is_none_or(|(_, b)| f > b) {
                best = Some((e, f));
            }
        }
        best.expect("the starts are evaluated first").0.clone()
    }
}

impl Entry {
    /// The journal's shape for a search of `objective`: the point, then
    /// the generation, the objective and the constraints' values.
    pub fn shape(objective: &Objective) -> Shape {
        Shape {
            kind: "optimise",
            key: objective.space.len(),
            values: 2 + objective.constraints.len(),
        }
    }

    /// Its journal line.
    pub fn line(&self) -> Line {
        let mut values = vec![f64::from(self.generation), self.score.objective];
        values.extend(&self.score.constraints);
        Line {
            key: self.point.clone(),
            values,
        }
    }

    /// The entry of a journal line (of [`Entry::shape`]), if its
    /// generation is one.
    pub fn of_line(line: Line) -> Option<Entry> {
        let (&g, rest) = line.values.split_first()?;
        let (&objective, constraints) = rest.split_first()?;
        (g >= 0.0 && g.fract() == 0.0 && g <= f64::from(u32::MAX)).then(|| Entry {
            generation: g as u32,
            point: line.key,
            score: Score {
                objective,
                constraints: constraints.to_vec(),
            },
        })
    }
}

/// How to optimise.
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    /// Candidates per generation (else CMA-ES's default, 4 + 3 ln d).
    pub population: Option<usize>,
    /// Generations at most.
    pub generations: usize,
    /// Seeds each candidate runs on.
    pub replicates: u32,
    /// Base seed (else the scenario's).
    pub seed: Option<u64>,
    /// Worker threads.
    pub jobs: usize,
}

/// Where the search stands after a generation.
#[derive(Clone, Debug, PartialEq)]
pub struct Progress {
    /// The generation just done (0: the scenario's policies).
    pub generation: usize,
    /// Generations at most.
    pub generations: usize,
    /// The step size now, as a share of the ranges.
    pub sigma: f64,
    /// Candidates evaluated this generation, not known before.
    pub fresh: Vec<Entry>,
    /// The best candidate so far.
    pub best: Entry,
    /// Whether it keeps every constraint.
    pub feasible: bool,
}

/// What a search found.
#[derive(Clone, Debug, PartialEq)]
pub struct Found {
    /// The best candidate: the highest fitness, the earliest drawn of
    /// equals.
    pub best: Entry,
    /// Whether it keeps every constraint.
    pub feasible: bool,
    /// Every candidate, in the order first drawn.
    pub entries: Vec<Entry>,
    /// Generations run (after the scenario's policies).
    pub generations: usize,
    /// Why it stopped.
    pub stop: Stop,
    /// Runs done by this call (not known before).
    pub runs: usize,
}

/// Candidates per generation: as asked, else CMA-ES's default for the
/// space's dimension, 4 + ⌊3 ln d⌋.
pub fn population(options: &Options, objective: &Objective) -> usize {
    options
        .population
        .unwrap_or(4 + (3.0 * (objective.space.len().max(1) as f64).ln()).floor() as usize)
        .max(2)
}

/// The fingerprint of a search: of what its path depends on — the
/// scenario's content, the objective, the population, the seeds — and not
/// of the generations allowed (a search resumed with more goes on) or the
/// number of jobs.
pub fn fingerprint(scenario: &Scenario, objective: &Objective, options: &Options) -> String {
    let mut content = scenario.clone();
    crate::fingerprint::keep_run_content(&mut content);
    crate::fingerprint::of_debug(&(
        content,
        objective,
        population(options, objective),
        options.replicates.max(1),
        options.seed.unwrap_or(scenario.seed),
    ))
}

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
    objective: &Objective,
    policy: Option<&str>,
    knobs: &[(Knob, f32)],
    seed: u64,
) -> Result<Score, SimError> {
    let mut sim = Simulation::new(
        scenario,
        RunOptions {
            policy: policy.map(str::to_owned),
            seed: Some(seed),
            record_flows: false,
        },
    )?;
    for &(k, v) in knobs {
        sim.set_knob(k, v)?;
    }
    let reads: Vec<&Reading> = objective
        .terms
        .iter()
        .map(|t| &t.reading)
        .chain(objective.constraints.iter().map(|c| &c.reading))
        .collect();
    let mut values = vec![f64::NAN; reads.len()];
    for _ in 0..=objective.last_step() {
        let report = sim.step();
        for (i, r) in reads.iter().enumerate() {
            if r.step == report.step {
                report.rows(|m, p, v| {
                    if m == r.metric && p == r.part {
                        values[i] = v;
                    }
                });
            }
        }
    }
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
fn score(
    scenario: &Scenario,
    objective: &Objective,
    knobs: &[(Knob, f32)],
    seeds: &[u64],
) -> Result<Score, SimError> {
    let policy = base_policy(scenario, objective);
    let runs: Vec<Score> = seeds
        .par_iter()
        .map(|&s| run_once(scenario, objective, policy, knobs, s))
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

/// Search for the best policy. `known` holds entries of an earlier,
/// interrupted search with the same settings (its journal); they are not
/// run again. `after` runs after each generation (the journal is written
/// there); an error from it stops the search.
pub fn optimise<E: From<ScreenError>>(
    scenario: &Scenario,
    objective: &Objective,
    options: &Options,
    known: Vec<Entry>,
    mut after: impl FnMut(&Progress) -> Result<(), E>,
) -> Result<Found, E> {
    let space = Space::of(&objective.space);
    let base = options.seed.unwrap_or(scenario.seed);
    let seeds = search_seeds(base, options.replicates);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.jobs.max(1))
        .build()
        .map_err(|e| ScreenError::Pool(e.to_string()))?;
    let table = Mutex::new(Table::default());
    // Set once the scenario's policies are scored (generation 0).
    let scale: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    let mut known_scores: HashMap<Vec<i64>, Entry> = HashMap::new();
    for e in known {
        if space.holds(&e.point) && e.score.constraints.len() == objective.constraints.len() {
            known_scores.entry(e.point.clone()).or_insert(e);
        }
    }
    let generation = AtomicUsize::new(0);
    let failure: Mutex<Option<SimError>> = Mutex::new(None);
    let fresh_runs = AtomicUsize::new(0);
    let record = |point: &[i64]| -> Fitness {
        let fitness = |e: &Entry| {
            let scale = *scale.get().unwrap_or(&1.0);
            e.score
                .fitness(objective.sense, &objective.constraints, scale)
        };
        if let Some(e) = table
            .lock()
            .expect("no panic holds the table")
            .entries
            .get(point)
        {
            return fitness(e);
        }
        let entry = match known_scores.get(point) {
            Some(e) => e.clone(),
            None => {
                let knobs = knobs_of(&space, point);
                let s = match score(scenario, objective, &knobs, &seeds) {
                    Ok(s) => s,
                    Err(e) => {
                        failure.lock().expect("no panic holds it").get_or_insert(e);
                        Score {
                            objective: f64::NAN,
                            constraints: vec![f64::NAN; objective.constraints.len()],
                        }
                    }
                };
                fresh_runs.fetch_add(seeds.len(), Ordering::Relaxed);
                Entry {
                    generation: generation.load(Ordering::Relaxed) as u32,
                    point: point.to_vec(),
                    score: s,
                }
            }
        };
        let f = fitness(&entry);
        let mut t = table.lock().expect("no panic holds the table");
        if !t.entries.contains_key(point) {
            t.order.push(point.to_vec());
            t.entries.insert(point.to_vec(), entry);
        }
        f
    };
    let best_of = |t: &Table| t.best(objective, *scale.get().unwrap_or(&1.0));
    let feasible = |e: &Entry| e.score.violation(&objective.constraints) == 0.0;
    let mut reported = 0usize;
    let mut report =
        |number: usize, sigma: f64, after: &mut dyn FnMut(&Progress) -> Result<(), E>| {
            if let Some(e) = failure.lock().expect("no panic holds it").take() {
                return Err(E::from(ScreenError::from(e)));
            }
            let mut guard = table.lock().expect("no panic holds the table");
            let t = &mut *guard;
            if number > 0 {
                // Evaluated in parallel: a generation's candidates are entered
                // best first (then by point), whatever the threads' order.
                let (entries, order) = (&t.entries, &mut t.order);
                let key = |p: &Vec<i64>| {
                    entries[p].score.fitness(
                        objective.sense,
                        &objective.constraints,
                        *scale.get().unwrap_or(&1.0),
                    )
                };
                order[reported..].sort_by(|a, b| key(b).total_cmp(&key(a)).then_with(|| a.cmp(b)));
            }
            let fresh: Vec<Entry> = t.order[reported..]
                .iter()
                .map(|p| t.entries[p].clone())
                .filter(|e| !known_scores.contains_key(&e.point))
                .collect();
            reported = t.order.len();
            let best = best_of(t);
            drop(guard);
            after(&Progress {
                generation: number,
                generations: options.generations,
                sigma,
                fresh,
                feasible: feasible(&best),
                best,
            })
        };
    // Generation 0: the scenario's policies, in order; the search starts
    // from the best of them.
    let starts = starts(scenario, &space);
    pool.install(|| {
        starts.par_iter().for_each(|(_, p)| {
            record(p);
        })
    });
    // `record` ran in parallel: enter the starts in the scenario's order,
    // and take the objective's size among them as the search's scale.
    {
        let mut t = table.lock().expect("no panic holds the table");
        t.order = starts.iter().map(|(_, p)| p.clone()).collect();
        let sizes: Vec<f64> = t
            .order
            .iter()
            .map(|p| t.entries[p].score.objective.abs())
            .filter(|v| v.is_finite())
            .collect();
        if sizes.is_empty() {
            drop(t);
            if let Some(e) = failure.lock().expect("no panic holds it").take() {
                return Err(E::from(ScreenError::from(e)));
            }
            return Err(E::from(ScreenError::Unusable(format!(
                "the objective ({}) is not a finite number for any policy of the scenario: a metric with nothing to measure, or weights so large the sum overflows",
                objective.describe()
            ))));
        }
        let largest = sizes.into_iter().fold(0.0, f64::max);
        let _ = scale.set(if largest > 0.0 { largest } else { 1.0 });
    }
    let sigma = 0.3;
    report(0, sigma, &mut after)?;
    let start = {
        let t = table.lock().expect("no panic holds the table");
        space.unit(
            &best_of(&t)
                .point
                .iter()
                .map(|&p| p as f64 / 1000.0)
                .collect::<Vec<_>>(),
        )
    };
    let settings = Settings {
        population: population(options, objective),
        generations: options.generations,
        sigma,
        // The optimiser's sampling has a seed of its own, from the base.
        seed: replicate_seed(base ^ 0x6f70_7469_6d69_7365, 0),
    };
    generation.store(1, Ordering::Relaxed);
    let stop = search::maximise(
        &space,
        &start,
        &settings,
        &record,
        &pool,
        |g: &Generation| {
            let r = report(g.number, g.sigma, &mut after);
            generation.store(g.number + 1, Ordering::Relaxed);
            r
        },
    )?;
    let t = table.into_inner().expect("no panic holds the table");
    let best = best_of(&t);
    let generations = generation.load(Ordering::Relaxed) - 1;
    let entries = t.order.iter().map(|p| t.entries[p].clone()).collect();
    Ok(Found {
        feasible: feasible(&best),
        best,
        entries,
        generations,
        stop,
        runs: fresh_runs.into_inner(),
    })
}

#[cfg(test)]
mod tests;
