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

use crate::experiment::replicate_seed;
use crate::stats::{Estimate, Paired};
use rayon::prelude::*;
use siloscope_model::assumptions::ModelParams;
use siloscope_model::knob::Knob;
use siloscope_model::sim::{RunOptions, SimError, Simulation};
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
                let round = |v: f64| if row.whole { v.round() } else { v };
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
    /// The metric (or gap) at the low level, over seeds.
    pub at_low: Estimate,
    /// The metric (or gap) at the high level.
    pub at_high: Estimate,
    /// High − low, paired by seed.
    pub effect: Paired,
}

impl Effect {
    /// Whether the mean at the low level and at the high level have
    /// different signs: with a gap between two policies, the levels put a
    /// different policy ahead, so the ranking rests on this factor.
    pub fn flips(&self) -> bool {
        let (a, b) = (self.at_low.mean, self.at_high.mean);
        a.is_finite() && b.is_finite() && (a > 0.0) != (b > 0.0) && a != 0.0 && b != 0.0
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
    /// A level outside what the factor allows.
    #[error("{factor} = {value} is out of range; allowed {min} to {max}")]
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

/// The metric's value at the end of one run of `policy`, or `None` where it
/// is undefined there (a share of nothing, say).
fn run_once(
    scenario: &Scenario,
    screen: &Screen,
    policy: Option<&str>,
    seed: u64,
    knob: Option<(Knob, f32)>,
) -> Result<Option<f64>, SimError> {
    let options = RunOptions {
        policy: policy.map(str::to_owned),
        seed: Some(seed),
        record_flows: false,
    };
    let mut sim = Simulation::new(scenario, options)?;
    if let Some((k, v)) = knob {
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

/// The screened value of one run: the metric, or the gap to `against`.
fn value(
    scenario: &Scenario,
    screen: &Screen,
    seed: u64,
    knob: Option<(Knob, f32)>,
) -> Result<Option<f64>, SimError> {
    let here = run_once(scenario, screen, screen.policy.as_deref(), seed, knob)?;
    match &screen.against {
        None => Ok(here),
        Some(other) => {
            let there = run_once(scenario, screen, Some(other), seed, knob)?;
            Ok(here.zip(there).map(|(a, b)| a - b))
        }
    }
}

/// Check the metric and part against one step of the scenario.
fn check_metric(scenario: &Scenario, screen: &Screen) -> Result<(), ScreenError> {
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

/// Screen the factors of `screen` (every knob when it names none), ranked
/// by the size of their effect (largest first; undefined effects last).
pub fn screen(scenario: &Scenario, screen: &Screen) -> Result<Vec<Effect>, ScreenError> {
    check_metric(scenario, screen)?;
    let ranges = if screen.factors.is_empty() {
        knob_ranges(scenario)
    } else {
        screen.factors.clone()
    };
    // The scenario each (factor, level) runs, checked before any run.
    let mut levels = Vec::with_capacity(ranges.len());
    for r in &ranges {
        levels.push([
            scenario_at(scenario, r, r.low)?,
            scenario_at(scenario, r, r.high)?,
        ]);
    }
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
    let values: Vec<Option<f64>> = pool.install(|| {
        plan.par_iter()
            .map(|&(f, l, r)| {
                let knob = match ranges[f].factor {
                    Factor::Knob(k) => Some((k, level(f, l) as f32)),
                    Factor::Assumption(_) => None,
                };
                value(&levels[f][l], screen, replicate_seed(base, r), knob)
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
            let (hs, ls): (Vec<f64>, Vec<f64>) = high
                .iter()
                .zip(low)
                .filter_map(|(h, l)| Some(((*h)?, (*l)?)))
                .unzip();
            let flat = |v: &[Option<f64>]| v.iter().flatten().copied().collect::<Vec<_>>();
            Effect {
                factor: range.factor,
                levels: (range.low, range.high),
                at_low: Estimate::of(&flat(low)),
                at_high: Estimate::of(&flat(high)),
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
mod tests {
    use super::*;
    use siloscope_scenario::parse_str;

    fn workshop() -> Scenario {
        let text = include_str!("../../../scenarios/workshop.scenario.ron");
        parse_str(text, "workshop.scenario.ron").unwrap()
    }

    fn options(metric: &str, jobs: usize) -> Screen {
        Screen {
            metric: metric.into(),
            part: "all".into(),
            policy: Some("inside_out".into()),
            against: None,
            factors: Vec::new(),
            replicates: 4,
            steps: Some(30),
            seed: None,
            jobs,
        }
    }

    #[test]
    fn the_screen_ranks_knobs_by_effect_and_does_not_depend_on_jobs() {
        let scenario = workshop();
        let one = screen(&scenario, &options("ei_index_flow_cumulative", 1)).unwrap();
        let two = screen(&scenario, &options("ei_index_flow_cumulative", 2)).unwrap();
        // Effects may hold NaN (a knob with no effect at all has d_z = NaN),
        // so the two are compared as text.
        assert_eq!(format!("{one:?}"), format!("{two:?}"));
        assert_eq!(one.len(), Knob::ALL.len());
        // How much crosses the silo walls is what silo permeability sets.
        assert_eq!(one[0].factor, Factor::Knob(Knob::SiloPermeability));
        assert!(one[0].effect.diff.lo > 0.0, "{:?}", one[0].effect);
        // Ranked by size.
        let sizes: Vec<f64> = one.iter().map(|e| e.effect.diff.mean.abs()).collect();
        assert!(sizes.windows(2).all(|w| w[0] >= w[1] || w[1].is_nan()));
        // The campaign does not touch flows between departments.
        let campaign = one
            .iter()
            .find(|e| e.factor == Factor::Knob(Knob::CampaignReach))
            .unwrap();
        assert!(campaign.effect.diff.mean.abs() < one[0].effect.diff.mean.abs() / 5.0);
    }

    #[test]
    fn unknown_metrics_and_parts_are_clear_errors() {
        let scenario = workshop();
        let e = screen(&scenario, &options("trust_acros_silos", 1)).unwrap_err();
        assert!(
            e.to_string()
                .contains("unknown metric \"trust_acros_silos\""),
            "{e}"
        );
        let mut bad_part = options("customers", 1);
        bad_part.part = "everyone".into();
        let e = screen(&scenario, &bad_part).unwrap_err();
        assert!(e.to_string().contains("existing_customers"), "{e}");
    }

    #[test]
    fn a_gap_between_two_policies_names_the_assumption_its_ranking_rests_on() {
        let scenario = workshop();
        let mut gap = options("profit_total", 2);
        gap.policy = Some("connected".into());
        gap.against = Some("inside_out".into());
        gap.steps = Some(52);
        gap.factors = vec![
            Range {
                factor: Factor::parse("model.arpu_scale").unwrap(),
                low: 0.1,
                high: 1.0,
            },
            Range {
                factor: Factor::parse("model.forgetting").unwrap(),
                low: 0.95,
                high: 0.99,
            },
        ];
        let effects = screen(&scenario, &gap).unwrap();
        let arpu = &effects[0];
        assert_eq!(arpu.factor.name(), "model.arpu_scale");
        // Customers worth a tenth: connected's extra cost is not earned
        // back; worth what the scenario says: it is.
        assert!(
            arpu.at_low.mean < 0.0 && arpu.at_high.mean > 0.0,
            "{arpu:?}"
        );
        assert!(arpu.flips());
        assert!(
            !effects[1].flips() || effects[1].effect.diff.mean.abs() < arpu.effect.diff.mean.abs()
        );
    }

    #[test]
    fn factors_are_named_and_checked() {
        assert_eq!(
            Factor::parse("transparency"),
            Some(Factor::Knob(Knob::Transparency))
        );
        assert_eq!(
            Factor::parse("model.churn_rate"),
            Some(Factor::Assumption("churn_rate"))
        );
        assert_eq!(Factor::parse("model.nope"), None);
        assert_eq!(Factor::parse("churn_rate"), None, "assumptions need model.");
        let scenario = workshop();
        let mut bad = options("customers", 1);
        bad.part = "existing_customers".into();
        bad.factors = vec![Range {
            factor: Factor::parse("model.forgetting").unwrap(),
            low: 0.2,
            high: 0.9,
        }];
        let e = screen(&scenario, &bad).unwrap_err().to_string();
        assert!(
            e.contains("model.forgetting = 0.2 is out of range; allowed 0.5 to 1"),
            "{e}"
        );
        // Half to one and a half times each assumption, inside its range.
        let ranges = assumption_ranges(&scenario);
        let churn = ranges
            .iter()
            .find(|r| r.factor == Factor::Assumption("churn_rate"))
            .unwrap();
        assert!((churn.low - 0.015).abs() < 1e-6 && (churn.high - 0.045).abs() < 1e-6);
        let forgetting = ranges
            .iter()
            .find(|r| r.factor == Factor::Assumption("forgetting"))
            .unwrap();
        assert_eq!(forgetting.high, 1.0, "clipped to the allowed range");
        assert!(
            ranges
                .iter()
                .all(|r| r.factor != Factor::Assumption("instant_adoption"))
        );
    }
}
