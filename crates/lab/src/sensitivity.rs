//! Which knobs move a metric most: a one-at-a-time screen with replicates.
//!
//! For each knob, every replicate seed is run twice from the scenario's
//! starting point (its start policy, or the one chosen), once with the knob
//! at the low end of its range and once at the high end, all other knobs
//! left where the policy puts them. The knob's **effect** is the paired
//! difference of the metric at the last step, high − low, over seeds: mean,
//! 95% interval, and the share of seeds where high is above low. Knobs are
//! ranked by the size of the mean effect.
//!
//! This is the screening design of Morris (1991) with one elementary effect
//! per knob taken over the knob's whole range, from one base point, with
//! replicate seeds instead of repeated trajectories: it says which
//! assumptions a conclusion depends on *near this policy*. Interactions
//! between knobs are not measured; a knob that only matters together with
//! another shows up as small.
//!
//! Runs are independent and spread over a rayon pool; the result does not
//! depend on the number of jobs (replicate `k` uses the batch runner's seed
//! for `k`).

use crate::experiment::replicate_seed;
use crate::stats::{Estimate, Paired};
use rayon::prelude::*;
use siloscope_model::knob::Knob;
use siloscope_model::sim::{RunOptions, SimError, Simulation};
use siloscope_scenario::Scenario;

/// What to screen.
#[derive(Clone, Debug, PartialEq)]
pub struct Screen {
    /// The metric, as in the time series (e.g. `customer_trust_in_org`).
    pub metric: String,
    /// Its part (`all` for single-valued metrics).
    pub part: String,
    /// Starting policy (else the scenario's).
    pub policy: Option<String>,
    /// Seeds per level.
    pub replicates: u32,
    /// Steps per run (else the scenario's).
    pub steps: Option<u32>,
    /// Base seed (else the scenario's).
    pub seed: Option<u64>,
    /// Worker threads.
    pub jobs: usize,
}

/// One knob's effect on the metric.
#[derive(Clone, Debug, PartialEq)]
pub struct Effect {
    /// The knob.
    pub knob: Knob,
    /// Its low and high levels.
    pub levels: (f32, f32),
    /// The metric at the low level, over seeds.
    pub at_low: Estimate,
    /// The metric at the high level.
    pub at_high: Estimate,
    /// High − low, paired by seed.
    pub effect: Paired,
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
    /// A run could not be built.
    #[error(transparent)]
    Sim(#[from] SimError),
    /// The worker threads could not start.
    #[error("cannot start {0}")]
    Pool(String),
}

/// The metric's value at the end of one run, or `None` where it is
/// undefined there (a share of nothing, say).
fn run_once(
    scenario: &Scenario,
    screen: &Screen,
    seed: u64,
    knob: Knob,
    level: f32,
) -> Result<Option<f64>, SimError> {
    let options = RunOptions {
        policy: screen.policy.clone(),
        seed: Some(seed),
        record_flows: false,
    };
    let mut sim = Simulation::new(scenario, options)?;
    sim.set_knob(knob, level)?;
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

/// Screen every knob of `scenario`, ranked by the size of its effect
/// (largest first; knobs whose effect is undefined last).
pub fn screen(scenario: &Scenario, screen: &Screen) -> Result<Vec<Effect>, ScreenError> {
    check_metric(scenario, screen)?;
    let base = screen.seed.unwrap_or(scenario.seed);
    let replicates = screen.replicates.max(2);
    // Every (knob, level, replicate) run, in a fixed order.
    let plan: Vec<(usize, usize, u32)> = (0..Knob::ALL.len())
        .flat_map(|k| (0..2).flat_map(move |l| (0..replicates).map(move |r| (k, l, r))))
        .collect();
    let level = |k: usize, l: usize| {
        let spec = &scenario.knobs[Knob::ALL[k].index()];
        if l == 0 { spec.min } else { spec.max }
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(screen.jobs.max(1))
        .build()
        .map_err(|e| ScreenError::Pool(e.to_string()))?;
    let values: Vec<Option<f64>> = pool.install(|| {
        plan.par_iter()
            .map(|&(k, l, r)| {
                run_once(
                    scenario,
                    screen,
                    replicate_seed(base, r),
                    Knob::ALL[k],
                    level(k, l),
                )
            })
            .collect::<Result<_, _>>()
    })?;
    let n = replicates as usize;
    let mut effects: Vec<Effect> = Knob::ALL
        .iter()
        .enumerate()
        .map(|(k, &knob)| {
            let low = &values[(2 * k) * n..(2 * k + 1) * n];
            let high = &values[(2 * k + 1) * n..(2 * k + 2) * n];
            let (hs, ls): (Vec<f64>, Vec<f64>) = high
                .iter()
                .zip(low)
                .filter_map(|(h, l)| Some(((*h)?, (*l)?)))
                .unzip();
            let flat = |v: &[Option<f64>]| v.iter().flatten().copied().collect::<Vec<_>>();
            Effect {
                knob,
                levels: (level(k, 0), level(k, 1)),
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
    // Stable: ties keep the catalogue's order.
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
        assert_eq!(one[0].knob, Knob::SiloPermeability);
        assert!(one[0].effect.diff.lo > 0.0, "{:?}", one[0].effect);
        // Ranked by size.
        let sizes: Vec<f64> = one.iter().map(|e| e.effect.diff.mean.abs()).collect();
        assert!(sizes.windows(2).all(|w| w[0] >= w[1] || w[1].is_nan()));
        // The campaign does not touch flows between departments.
        let campaign = one.iter().find(|e| e.knob == Knob::CampaignReach).unwrap();
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
}
