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
mod evaluate;
mod objective;
mod score;
pub mod search;
mod space;

pub use compare::{Comparison, Runs, compare};
pub use evaluate::{base_policy, knobs_of, run_once, search_seeds, starts};
pub use objective::{Constraint, Objective, Reading, Sense, Term, parse_objective, read_objective};
pub use score::{Entry, Score};
pub use space::{Space, knob_text, knob_value};

use crate::seed::replicate_seed;
use crate::seed_networks::SeedNetworks;
use crate::sensitivity::ScreenError;
use rayon::prelude::*;
use search::{Fitness, Generation, Settings, Stop};
use siloscope_model::sim::SimError;
use siloscope_scenario::Scenario;
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

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
    // Every candidate runs on the same seeds: their networks are built
    // once.
    let networks = SeedNetworks::new(scenario, crate::seed_networks::DEFAULT_BUDGET);
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
                let s = match evaluate::score(scenario, &networks, objective, &knobs, &seeds) {
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
