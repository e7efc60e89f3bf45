//! Calibration: which settings of the model reproduce what is observed in
//! an organisation, by approximate Bayesian computation (rejection).
//! Steps are numbered as in the time series (`siloscope run`'s
//! `timeseries.csv`): step 0 is the first.
//!
//! The analyst names factors — knobs and `model.` assumptions — with a
//! range each (a uniform prior), and targets: values of metrics at steps
//! (a trust survey's mean at week 52, churn by week 104, …), each with its
//! uncertainty (a standard deviation). `samples` settings are drawn from
//! the priors as a Latin hypercube; each runs on the same `replicates`
//! seeds (common random numbers), and its simulated targets are the means
//! over them. Its distance to the observations is the root mean square of
//! the standardised differences, `(simulated − observed) / sd`. The `accept`
//! share of settings nearest the observations is the posterior sample:
//! each factor's median and 90% range, and for each target the range the
//! accepted settings give it (the posterior predictive check: an
//! observation outside its range is one the model does not reproduce).
//!
//! The design, the seeds and so the result depend on the seed alone, not
//! on the number of jobs.

mod targets;

pub use targets::{Target, Targets, read_targets};

use crate::seed::replicate_seed;
use crate::seed_networks::SeedNetworks;
use crate::sensitivity::{Factor, Range, ScreenError};
use rayon::prelude::*;
use siloscope_model::knob::Knob;
use siloscope_model::sim::SimError;
use siloscope_scenario::Scenario;
use std::sync::Arc;

/// How to calibrate.
#[derive(Clone, Debug, PartialEq)]
pub struct Calibration {
    /// The policy the runs start from (else the scenario's).
    pub policy: Option<String>,
    /// The factors and their prior ranges.
    pub factors: Vec<Range>,
    /// What is observed.
    pub targets: Vec<Target>,
    /// Settings drawn from the priors.
    pub samples: usize,
    /// The share of them kept (nearest the observations).
    pub accept: f64,
    /// Seeds per setting.
    pub replicates: u32,
    /// Base seed (else the scenario's).
    pub seed: Option<u64>,
    /// Worker threads.
    pub jobs: usize,
}

/// A quantity's posterior: median and 90% range.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Spread {
    /// 5th percentile.
    pub lo: f64,
    /// Median.
    pub median: f64,
    /// 95th percentile.
    pub hi: f64,
}

impl Spread {
    fn of(values: &mut [f64]) -> Spread {
        values.sort_by(f64::total_cmp);
        let q = |p: f64| {
            if values.is_empty() {
                f64::NAN
            } else {
                values[((p * (values.len() - 1) as f64).round() as usize).min(values.len() - 1)]
            }
        };
        Spread {
            lo: q(0.05),
            median: q(0.5),
            hi: q(0.95),
        }
    }
}

/// What a calibration found.
#[derive(Clone, Debug, PartialEq)]
pub struct Posterior {
    /// Per factor (in the order given): its prior range and posterior.
    pub factors: Vec<(Range, Spread)>,
    /// Per target (in the order given): what the accepted settings simulate.
    pub predictive: Vec<Spread>,
    /// The accepted settings, nearest first: factor values and distance.
    pub accepted: Vec<(Vec<f64>, f64)>,
    /// Settings run.
    pub samples: usize,
}

/// The simulated targets of one run, `None` where a metric is undefined.
fn simulate(
    scenario: &Scenario,
    networks: &SeedNetworks,
    policy: Option<&str>,
    seed: u64,
    knobs: &[(Knob, f32)],
    targets: &[Target],
) -> Result<Vec<Option<f64>>, SimError> {
    let reads: Vec<(&str, &str, u32)> = targets
        .iter()
        .map(|t| (t.metric.as_str(), t.part.as_str(), t.step))
        .collect();
    crate::readings::read_run(scenario, networks, policy, seed, knobs, &reads)
}

/// The scenario and knobs of one setting.
fn setting(scenario: &Scenario, factors: &[Range], values: &[f64]) -> (Scenario, Vec<(Knob, f32)>) {
    let mut sc = scenario.clone();
    let mut knobs = Vec::new();
    for (r, &v) in factors.iter().zip(values) {
        match r.factor {
            Factor::Knob(k) => knobs.push((k, v as f32)),
            Factor::Assumption(name) => {
                // The name comes from the table of assumptions: it is known.
                sc.model.set(name, v);
            }
        }
    }
    (sc, knobs)
}

/// A calibration, planned: the settings drawn from the priors and how each
/// run is made. Its jobs — every setting on every replicate seed,
/// setting-major — can run in any order, in parallel, journaled, sharded
/// ([`crate::journal`]); [`Study::posterior`] turns their values into the
/// posterior.
#[derive(Clone, Debug)]
pub struct Study<'a> {
    scenario: &'a Scenario,
    c: &'a Calibration,
    settings: Vec<Vec<f64>>,
    base: u64,
    replicates: u32,
    /// Each replicate seed's network, shared by every setting's run at it.
    networks: Arc<SeedNetworks>,
}

impl<'a> Study<'a> {
    /// Draw the settings: a Latin hypercube over the factors' ranges.
    pub fn new(scenario: &'a Scenario, c: &'a Calibration) -> Study<'a> {
        let base = c.seed.unwrap_or(scenario.seed);
        let k = c.factors.len();
        let n = c.samples.max(2);
        // Whole-number assumptions take the level their share falls on.
        let whole: Vec<bool> = c
            .factors
            .iter()
            .map(|r| {
                matches!(r.factor, Factor::Assumption(a)
                    if scenario.model.table().iter().any(|row| row.name == a && row.whole))
            })
            .collect();
        let unit = crate::sensitivity::sobol::latin_hypercube(k, n, base);
        let settings: Vec<Vec<f64>> = unit
            .chunks(k.max(1))
            .take(n)
            .map(|u| {
                c.factors
                    .iter()
                    .zip(u)
                    .zip(&whole)
                    .map(|((r, &u), &whole)| {
                        if whole {
                            (r.low + (u * (r.high - r.low + 1.0)).floor()).min(r.high)
                        } else {
                            r.low + u * (r.high - r.low)
                        }
                    })
                    .collect()
            })
            .collect();
        Study {
            scenario,
            c,
            settings,
            base,
            replicates: c.replicates.max(1),
            networks: Arc::new(SeedNetworks::new(
                scenario,
                crate::seed_networks::DEFAULT_BUDGET,
            )),
        }
    }

    /// Runs in all: settings × replicates.
    pub fn jobs(&self) -> usize {
        self.settings.len() * self.replicates as usize
    }

    /// Run job `job` (setting `job / replicates` on replicate seed `job %
    /// replicates`): each target's simulated value, NaN where undefined.
    pub fn run(&self, job: usize) -> Result<Vec<f64>, SimError> {
        let r = self.replicates as usize;
        let (s, k) = (job / r, (job % r) as u32);
        let (sc, knobs) = setting(self.scenario, &self.c.factors, &self.settings[s]);
        let got = simulate(
            &sc,
            &self.networks,
            self.c.policy.as_deref(),
            replicate_seed(self.base, k),
            &knobs,
            &self.c.targets,
        )?;
        Ok(got.into_iter().map(|v| v.unwrap_or(f64::NAN)).collect())
    }

    /// The fingerprint of what the runs' values depend on: the scenario's
    /// content, the policy, the factors, the targets' metrics and steps,
    /// the settings and the seeds (not the share accepted, which only the
    /// posterior uses).
    pub fn fingerprint(&self) -> String {
        let mut content = self.scenario.clone();
        crate::fingerprint::keep_run_content(&mut content);
        let reads: Vec<(&str, &str, u32)> = self
            .c
            .targets
            .iter()
            .map(|t| (t.metric.as_str(), t.part.as_str(), t.step))
            .collect();
        crate::fingerprint::of_debug(&(
            content,
            &self.c.policy,
            &self.c.factors,
            reads,
            &self.settings,
            self.base,
            self.replicates,
        ))
    }

    /// The posterior from every job's values (in job order).
    pub fn posterior(&self, runs: &[Vec<f64>]) -> Posterior {
        let c = self.c;
        let n = self.settings.len();
        let settings = &self.settings;
        // Each setting's simulated targets: means over its seeds.
        let simulated: Vec<Vec<f64>> = runs
            .chunks(self.replicates as usize)
            .map(|seeds| {
                (0..c.targets.len())
                    .map(|t| {
                        let v: Vec<f64> =
                            seeds.iter().map(|s| s[t]).filter(|v| !v.is_nan()).collect();
                        if v.is_empty() {
                            f64::NAN
                        } else {
                            v.iter().sum::<f64>() / v.len() as f64
                        }
                    })
                    .collect()
            })
            .collect();
        let distance = |sim: &[f64]| {
            let sum: f64 = c
                .targets
                .iter()
                .zip(sim)
                .map(|(t, &s)| ((s - t.value) / t.sd).powi(2))
                .sum();
            let d = (sum / c.targets.len().max(1) as f64).sqrt();
            if d.is_finite() { d } else { f64::INFINITY }
        };
        let mut order: Vec<(usize, f64)> = simulated
            .iter()
            .enumerate()
            .map(|(s, sim)| (s, distance(sim)))
            .collect();
        // Stable: ties keep the order drawn.
        order.sort_by(|a, b| a.1.total_cmp(&b.1));
        let keep = ((n as f64 * c.accept).round() as usize).clamp(1, n);
        let kept = &order[..keep];
        let factors = c
            .factors
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let mut v: Vec<f64> = kept.iter().map(|&(s, _)| settings[s][i]).collect();
                (*r, Spread::of(&mut v))
            })
            .collect();
        let predictive = (0..c.targets.len())
            .map(|t| {
                let mut v: Vec<f64> = kept
                    .iter()
                    .map(|&(s, _)| simulated[s][t])
                    .filter(|v| v.is_finite())
                    .collect();
                Spread::of(&mut v)
            })
            .collect();
        Posterior {
            factors,
            predictive,
            accepted: kept
                .iter()
                .map(|&(s, d)| (settings[s].clone(), d))
                .collect(),
            samples: n,
        }
    }
}

/// Calibrate: draw, run, keep the nearest, summarise; everything in
/// memory (the command journals its runs instead, see [`Study`]).
pub fn calibrate(scenario: &Scenario, c: &Calibration) -> Result<Posterior, ScreenError> {
    let study = Study::new(scenario, c);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(c.jobs.max(1))
        .build()
        .map_err(|e| ScreenError::Pool(e.to_string()))?;
    let runs: Vec<Vec<f64>> = pool.install(|| {
        (0..study.jobs())
            .into_par_iter()
            .map(|j| study.run(j))
            .collect::<Result<_, _>>()
    })?;
    Ok(study.posterior(&runs))
}

#[cfg(test)]
mod tests;
