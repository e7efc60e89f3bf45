//! Which knobs and assumptions move a metric most: a one-at-a-time screen
//! with replicates.
//!
//! For each factor — a knob, or one of the model's assumptions — every
//! replicate seed is run twice from the scenario's starting point (its
//! start policy, or the one chosen), once with the factor at its low level
//! and once at its high level, everything else left as it is. The factor's
//! **effect** is the paired difference of the metric at the last step,
//! high − low, over seeds: mean, 95% interval, and the share of seeds where
//! high is above low. Factors are ranked by the size of the mean effect.
//!
//! With [`Screen::against`], the metric is a *gap*: the chosen policy's
//! value minus the other policy's on the same seed and at the same level.
//! Then the values at each level say which policy is ahead, and a factor
//! whose levels put different policies ahead is one the ranking rests on
//! ([`Effect::flips`]).
//!
//! By default every knob is screened over its range. Assumptions are
//! screened from half to one and a half times their value
//! ([`assumption_ranges`]), or over any range asked for.
//!
//! This is the screening design of Morris (1991) with one elementary effect
//! per factor taken over the whole range, from one base point, with
//! replicate seeds instead of repeated trajectories: it says which
//! assumptions a conclusion depends on *near this policy*. Interactions
//! between factors are not measured; a factor that only matters together
//! with another shows up as small.
//!
//! Runs are independent and spread over a rayon pool; the result does not
//! depend on the number of jobs (replicate `k` uses the batch runner's seed
//! for `k`).

mod factor;
mod global;
pub mod morris;
pub mod sobol;

pub use factor::{Factor, Range, assumption_ranges, knob_ranges, unscreened_assumptions};
pub use global::{Global, GlobalEffect, Method, Noise, Study as GlobalStudy, global};

use crate::seed::replicate_seed;
use crate::seed_networks::SeedNetworks;
use crate::stats::{Estimate, Paired};
use rayon::prelude::*;
use siloscope_model::knob::Knob;
use siloscope_model::network::Network;
use siloscope_model::sim::{RunOptions, SimError, Simulation};
use siloscope_scenario::Scenario;
use std::sync::Arc;

/// What to screen.
#[derive(Clone, Debug, PartialEq)]
pub struct Screen {
    /// The metric, as in the time series (e.g. `customer_trust_in_org`).
    pub metric: String,
    /// Its part (`all` for single-valued metrics).
    pub part: String,
    /// Starting policy (else the scenario's).
    pub policy: Option<String>,
    /// Screen the gap `policy − against` instead of the metric itself.
    pub against: Option<String>,
    /// The factors and their levels (empty: every knob over its range).
    pub factors: Vec<Range>,
    /// Seeds per level.
    pub replicates: u32,
    /// Steps per run (else the scenario's).
    pub steps: Option<u32>,
    /// Base seed (else the scenario's).
    pub seed: Option<u64>,
    /// Worker threads.
    pub jobs: usize,
}

/// One factor's effect on the metric.
#[derive(Clone, Debug, PartialEq)]
pub struct Effect {
    /// The factor.
    pub factor: Factor,
    /// Its low and high levels.
    pub levels: (f64, f64),
    /// The metric (or gap) at the low level, over the seeds that have it
    /// at both levels (`effect.diff.n` of them).
    pub at_low: Estimate,
    /// The metric (or gap) at the high level.
    pub at_high: Estimate,
    /// High − low, paired by seed.
    pub effect: Paired,
}

impl Effect {
    /// Whether the two levels clearly put the sign on different sides:
    /// the 95% interval at each level excludes 0, below it at one level and
    /// above it at the other. With a gap between two policies, the levels
    /// put a different policy ahead, so the ranking rests on this factor.
    pub fn flips(&self) -> bool {
        let below = |e: &Estimate| e.hi < 0.0;
        let above = |e: &Estimate| e.lo > 0.0;
        (below(&self.at_low) && above(&self.at_high))
            || (above(&self.at_low) && below(&self.at_high))
    }

    /// Whether the means at the two levels have different signs, clear at
    /// 95% or not ([`Effect::flips`] says whether it is).
    pub fn may_flip(&self) -> bool {
        let (a, b) = (self.at_low.mean, self.at_high.mean);
        a.is_finite() && b.is_finite() && a != 0.0 && b != 0.0 && (a > 0.0) != (b > 0.0)
    }
}

/// Why a screen could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScreenError {
    /// The metric is not one the simulation reports.
    #[error("unknown metric \"{0}\"; metrics are: {1}")]
    UnknownMetric(String, String),
    /// The metric has no such part in this scenario.
    #[error("{metric} has no part \"{part}\" in this scenario; its parts are: {parts}")]
    UnknownPart {
        /// The metric.
        metric: String,
        /// The part asked for.
        part: String,
        /// The parts it has.
        parts: String,
    },
    /// The same policy on both sides of a gap.
    #[error("--against {0} is the policy screened itself: choose another policy to compare with")]
    SamePolicy(String),
    /// A factor asked for twice.
    #[error("{0} is screened twice: name each factor once")]
    Duplicate(String),
    /// A fraction for a whole-number assumption, or a switch level other
    /// than 0 or 1.
    #[error("{factor} = {value}: {why}")]
    NotWhole {
        /// The factor's name.
        factor: String,
        /// The refused level.
        value: f64,
        /// What it takes.
        why: &'static str,
    },
    /// Two levels the model cannot tell apart (it holds knobs and most
    /// assumptions as 32-bit numbers).
    #[error(
        "{factor}: {low} and {high} are the same value to the model (32-bit precision); choose levels further apart"
    )]
    LevelsEqual {
        /// The factor's name.
        factor: String,
        /// The low level asked for.
        low: f64,
        /// The high level asked for.
        high: f64,
    },
    /// A level outside what the factor allows.
    #[error("{factor} = {} is out of range; allowed {min} to {max}", shown(*.value))]
    OutOfRange {
        /// The factor's name.
        factor: String,
        /// The refused level.
        value: f64,
        /// Smallest allowed.
        min: f64,
        /// Largest allowed.
        max: f64,
    },
    /// A run could not be built.
    #[error(transparent)]
    Sim(#[from] SimError),
    /// The worker threads could not start.
    #[error("cannot start {0}")]
    Pool(String),
    /// What was asked cannot be computed (an objective that is no finite
    /// number anywhere).
    #[error("{0}")]
    Unusable(String),
}

/// A level as people read it: plain, or in scientific notation when huge
/// or tiny.
fn shown(v: f64) -> String {
    if v != 0.0 && !(1e-4..1e6).contains(&v.abs()) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

/// The scenario a level of a factor runs: with an assumption set, or as it
/// is for a knob (set on the simulation).
fn scenario_at(scenario: &Scenario, range: &Range, level: f64) -> Result<Scenario, ScreenError> {
    let mut sc = scenario.clone();
    match range.factor {
        Factor::Knob(k) => {
            let spec = &scenario.knobs[k.index()];
            if !(level >= f64::from(spec.min) && level <= f64::from(spec.max)) {
                return Err(ScreenError::OutOfRange {
                    factor: range.factor.name(),
                    value: level,
                    min: f64::from(spec.min),
                    max: f64::from(spec.max),
                });
            }
        }
        Factor::Assumption(name) => {
            let row = scenario.model.table().into_iter().find(|r| r.name == name);
            if let Some(row) = row.filter(|r| r.whole) {
                let switch = row.min == 0.0 && row.max == 1.0;
                if switch && level != 0.0 && level != 1.0 {
                    return Err(ScreenError::NotWhole {
                        factor: range.factor.name(),
                        value: level,
                        why: "a switch is 0 (off) or 1 (on)",
                    });
                }
                if level.fract() != 0.0 {
                    return Err(ScreenError::NotWhole {
                        factor: range.factor.name(),
                        value: level,
                        why: "it takes whole numbers",
                    });
                }
            }
            sc.model.set(name, level);
            if let Some(row) = sc.model.out_of_range().into_iter().find(|r| r.name == name) {
                return Err(ScreenError::OutOfRange {
                    factor: range.factor.name(),
                    value: level,
                    min: row.min,
                    max: row.max,
                });
            }
        }
    }
    Ok(sc)
}

/// The metric's value at the end of one run of `policy` on `net` (the
/// network of `seed`), or `None` where it is undefined there (a share of
/// nothing, say).
fn run_once(
    scenario: &Scenario,
    screen: &Screen,
    policy: Option<&str>,
    seed: u64,
    net: &Arc<Network>,
    knobs: &[(Knob, f32)],
) -> Result<Option<f64>, SimError> {
    let options = RunOptions {
        policy: policy.map(str::to_owned),
        seed: Some(seed),
        record_flows: false,
    };
    let mut sim = Simulation::on_network(scenario, Arc::clone(net), options)?;
    for &(k, v) in knobs {
        sim.set_knob(k, v)?;
    }
    let steps = screen.steps.unwrap_or(scenario.steps);
    let mut value = None;
    for _ in 0..steps {
        sim.step();
    }
    sim.report().rows(|m, p, v| {
        if m == screen.metric && p == screen.part {
            value = Some(v);
        }
    });
    Ok(value)
}

/// Several metrics of one run, read after the screen's steps, as
/// (metric, part): NaN where one is undefined.
fn run_readings(
    scenario: &Scenario,
    screen: &Screen,
    seed: u64,
    networks: &SeedNetworks,
    knobs: &[(Knob, f32)],
    readings: &[(String, String)],
) -> Result<Vec<f64>, SimError> {
    let options = RunOptions {
        policy: screen.policy.clone(),
        seed: Some(seed),
        record_flows: false,
    };
    let mut sim = Simulation::on_network(scenario, networks.get(scenario, seed)?, options)?;
    for &(k, v) in knobs {
        sim.set_knob(k, v)?;
    }
    for _ in 0..screen.steps.unwrap_or(scenario.steps) {
        sim.step();
    }
    let mut values = vec![f64::NAN; readings.len()];
    sim.report().rows(|m, p, v| {
        for (i, (metric, part)) in readings.iter().enumerate() {
            if m == metric && p == part {
                values[i] = v;
            }
        }
    });
    Ok(values)
}

/// The screened value of one run: the metric, or the gap to `against`.
fn value(
    scenario: &Scenario,
    screen: &Screen,
    seed: u64,
    networks: &SeedNetworks,
    knobs: &[(Knob, f32)],
) -> Result<Option<f64>, SimError> {
    // The two runs of a gap, and every level's runs at this seed, share
    // the network of the seed.
    let net = networks.get(scenario, seed)?;
    let here = run_once(
        scenario,
        screen,
        screen.policy.as_deref(),
        seed,
        &net,
        knobs,
    )?;
    match &screen.against {
        None => Ok(here),
        Some(other) => {
            let there = run_once(scenario, screen, Some(other), seed, &net, knobs)?;
            Ok(here.zip(there).map(|(a, b)| a - b))
        }
    }
}

/// Check the metric and part against one step of the scenario.
pub(crate) fn check_metric(scenario: &Scenario, screen: &Screen) -> Result<(), ScreenError> {
    let names = || {
        siloscope_model::metrics::METRICS
            .iter()
            .map(|m| m.name)
            .collect::<Vec<_>>()
            .join(", ")
    };
    if siloscope_model::metrics::metric(&screen.metric).is_none() {
        return Err(ScreenError::UnknownMetric(screen.metric.clone(), names()));
    }
    if let Some(other) = &screen.against {
        let own = screen.policy.as_ref().or(scenario.start_policy.as_ref());
        if own == Some(other) {
            return Err(ScreenError::SamePolicy(other.clone()));
        }
        // An unknown policy is refused before any run.
        Simulation::new(
            scenario,
            RunOptions {
                policy: Some(other.clone()),
                ..RunOptions::default()
            },
        )?;
    }
    let options = RunOptions {
        policy: screen.policy.clone(),
        seed: screen.seed,
        record_flows: false,
    };
    let mut sim = Simulation::new(scenario, options)?;
    let mut parts = Vec::new();
    // Some rows appear only once something happened; a few steps show
    // which parts the metric has.
    for _ in 0..scenario.steps.clamp(1, 10) {
        sim.step().rows(|m, p, _| {
            if m == screen.metric && !parts.iter().any(|x: &String| x == p) {
                parts.push(p.to_owned());
            }
        });
    }
    if parts.contains(&screen.part) || parts.is_empty() {
        Ok(())
    } else {
        Err(ScreenError::UnknownPart {
            metric: screen.metric.clone(),
            part: screen.part.clone(),
            parts: parts.join(", "),
        })
    }
}

/// The factors a screen varies: those asked for, or every knob.
fn ranges_of(scenario: &Scenario, screen: &Screen) -> Vec<Range> {
    if screen.factors.is_empty() {
        knob_ranges(scenario)
    } else {
        screen.factors.clone()
    }
}

/// The scenario each (factor, level) runs, every level checked.
fn levels_of(scenario: &Scenario, ranges: &[Range]) -> Result<Vec<[Scenario; 2]>, ScreenError> {
    let mut levels = Vec::with_capacity(ranges.len());
    for (i, r) in ranges.iter().enumerate() {
        if ranges[..i].iter().any(|q| q.factor == r.factor) {
            return Err(ScreenError::Duplicate(r.factor.name()));
        }
        let whole = matches!(r.factor, Factor::Assumption(a)
            if scenario.model.table().iter().any(|row| row.name == a && row.whole));
        if !whole && (r.low as f32) >= (r.high as f32) {
            return Err(ScreenError::LevelsEqual {
                factor: r.factor.name(),
                low: r.low,
                high: r.high,
            });
        }
        levels.push([
            scenario_at(scenario, r, r.low)?,
            scenario_at(scenario, r, r.high)?,
        ]);
    }
    Ok(levels)
}

/// Check everything a screen needs before any run: the metric and part,
/// the policies, and every factor's levels.
pub fn check(scenario: &Scenario, screen: &Screen) -> Result<(), ScreenError> {
    check_metric(scenario, screen)?;
    levels_of(scenario, &ranges_of(scenario, screen)).map(|_| ())
}

/// Screen the factors of `screen` (every knob when it names none), ranked
/// by the size of their effect (largest first; undefined effects last).
pub fn screen(scenario: &Scenario, screen: &Screen) -> Result<Vec<Effect>, ScreenError> {
    check_metric(scenario, screen)?;
    let ranges = ranges_of(scenario, screen);
    let levels = levels_of(scenario, &ranges)?;
    let base = screen.seed.unwrap_or(scenario.seed);
    let replicates = screen.replicates.max(2);
    // Every (factor, level, replicate) run, in a fixed order.
    let plan: Vec<(usize, usize, u32)> = (0..ranges.len())
        .flat_map(|f| (0..2).flat_map(move |l| (0..replicates).map(move |r| (f, l, r))))
        .collect();
    let level = |f: usize, l: usize| {
        if l == 0 {
            ranges[f].low
        } else {
            ranges[f].high
        }
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(screen.jobs.max(1))
        .build()
        .map_err(|e| ScreenError::Pool(e.to_string()))?;
    // Every level runs on the same replicate seeds, and a level moves a
    // knob or an assumption, never the organisation: each seed's network
    // is built once.
    let networks = SeedNetworks::new(scenario, crate::seed_networks::DEFAULT_BUDGET);
    let values: Vec<Option<f64>> = pool.install(|| {
        plan.par_iter()
            .map(|&(f, l, r)| {
                let knob = match ranges[f].factor {
                    Factor::Knob(k) => vec![(k, level(f, l) as f32)],
                    Factor::Assumption(_) => Vec::new(),
                };
                value(
                    &levels[f][l],
                    screen,
                    replicate_seed(base, r),
                    &networks,
                    &knob,
                )
            })
            .collect::<Result<_, _>>()
    })?;
    let n = replicates as usize;
    let mut effects: Vec<Effect> = ranges
        .iter()
        .enumerate()
        .map(|(f, range)| {
            let low = &values[(2 * f) * n..(2 * f + 1) * n];
            let high = &values[(2 * f + 1) * n..(2 * f + 2) * n];
            // Only seeds with a value at both levels count, so the means
            // and the effect are over the same seeds.
            let (hs, ls): (Vec<f64>, Vec<f64>) = high
                .iter()
                .zip(low)
                .filter_map(|(h, l)| Some(((*h)?, (*l)?)))
                .unzip();
            Effect {
                factor: range.factor,
                levels: (range.low, range.high),
                at_low: Estimate::of(&ls),
                at_high: Estimate::of(&hs),
                effect: Paired::of(&hs, &ls),
            }
        })
        .collect();
    let size = |e: &Effect| {
        let m = e.effect.diff.mean.abs();
        if m.is_finite() { m } else { -1.0 }
    };
    // Stable: ties keep the order asked for.
    effects.sort_by(|a, b| size(b).total_cmp(&size(a)));
    Ok(effects)
}

#[cfg(test)]
mod tests;
