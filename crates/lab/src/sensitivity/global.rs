//! Global sensitivity of the model: every factor varied over its whole
//! range at once, by a Sobol ([`super::sobol`]) or a Morris
//! ([`super::morris`]) design.
//!
//! Each point of the design sets every factor — knobs on the run,
//! assumptions in the scenario; a whole-number assumption takes the level
//! its share of the range falls on — and is run on the same replicate
//! seeds as every other point (common random numbers), from the screen's
//! starting policy (or as the gap to `against`). The point's output is the
//! metric's mean over those seeds at the last step. Runs are spread over a
//! rayon pool; the design, the seeds and so the result do not depend on
//! the number of jobs.

use super::morris::{Elementary, Trajectories};
use super::sobol::{Design, Indices};
use super::{Factor, Range, Screen, ScreenError, check_metric, levels_of, ranges_of, value};
use crate::seed::replicate_seed;
use crate::seed_networks::SeedNetworks;
use rayon::prelude::*;
use siloscope_model::knob::Knob;
use siloscope_scenario::Scenario;
use std::sync::Arc;

/// Bootstrap resamples for the intervals.
const RESAMPLES: u32 = 500;

/// Which global design.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Method {
    /// Sobol indices from a Saltelli design of `samples` base rows
    /// (`samples × (factors + 2)` points).
    Sobol {
        /// Base rows.
        samples: usize,
    },
    /// Morris elementary effects from `trajectories` trajectories on a
    /// grid of `levels` levels (`trajectories × (factors + 1)` points).
    Morris {
        /// Trajectories.
        trajectories: usize,
        /// Grid levels per factor.
        levels: u32,
    },
}

impl Method {
    /// Points the design evaluates for `factors` factors.
    pub fn points(&self, factors: usize) -> usize {
        match *self {
            Method::Sobol { samples } => samples * (factors + 2),
            Method::Morris { trajectories, .. } => trajectories * (factors + 1),
        }
    }
}

/// One factor's global measures.
#[derive(Clone, Debug, PartialEq)]
pub struct GlobalEffect {
    /// The factor.
    pub factor: Factor,
    /// Its range.
    pub levels: (f64, f64),
    /// Sobol indices (with [`Method::Sobol`]), `None` if undefined.
    pub sobol: Option<Indices>,
    /// Morris measures (with [`Method::Morris`]), `None` if undefined.
    pub morris: Option<Elementary>,
}

impl GlobalEffect {
    /// What the ranking sorts by: the total index, or μ*.
    fn size(&self) -> f64 {
        let v = match (&self.sobol, &self.morris) {
            (Some(s), _) => s.total.value,
            (_, Some(m)) => m.mu_star,
            _ => f64::NAN,
        };
        if v.is_finite() { v } else { f64::NEG_INFINITY }
    }
}

/// What a global study found.
#[derive(Clone, Debug, PartialEq)]
pub struct Global {
    /// Each factor's measures, largest first (undefined last).
    pub effects: Vec<GlobalEffect>,
    /// How much of the outputs is seed noise ([`Noise`]).
    pub noise: Noise,
}

/// The seed noise in a design's outputs. A point's output is a mean over
/// the replicate seeds; in a model whose paths part ways at the smallest
/// change, the seeds do not cancel out between points, and what is left
/// looks to the estimators like an effect of every factor: it inflates the
/// total indices (and Morris's σ). More seeds per point shrink it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Noise {
    /// The standard deviation of a point's output from its seeds: the
    /// spread within points, over √seeds.
    pub sd: f64,
    /// Its variance as a share of the outputs' variance over the design
    /// (what the Sobol indices divide up); NaN where the outputs do not
    /// vary.
    pub share: f64,
}

/// The seed noise of outputs that are means over `seeds` values per point.
fn noise(values: &[Option<f64>], seeds: usize, outputs: &[f64]) -> Noise {
    let mut within = (0.0, 0usize);
    for point in values.chunks(seeds) {
        let v: Vec<f64> = point.iter().flatten().copied().collect();
        if v.len() > 1 {
            let m = v.iter().sum::<f64>() / v.len() as f64;
            let var = v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64;
            within.0 += var / v.len() as f64;
            within.1 += 1;
        }
    }
    let per_point = if within.1 > 0 {
        within.0 / within.1 as f64
    } else {
        f64::NAN
    };
    let finite: Vec<f64> = outputs.iter().copied().filter(|x| x.is_finite()).collect();
    let n = finite.len() as f64;
    let mean = finite.iter().sum::<f64>() / n;
    let total = finite.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    Noise {
        sd: per_point.sqrt(),
        share: if total > 0.0 {
            per_point / total
        } else {
            f64::NAN
        },
    }
}

/// The level a factor takes at `u` (a share of its range); a whole-number
/// assumption takes the level `u` falls on.
fn level_at(scenario: &Scenario, range: &Range, u: f64) -> f64 {
    let whole = matches!(range.factor, Factor::Assumption(a)
        if scenario.model.table().iter().any(|row| row.name == a && row.whole));
    if whole {
        let span = range.high - range.low;
        (range.low + (u * (span + 1.0)).floor()).min(range.high)
    } else {
        range.low + u * (range.high - range.low)
    }
}

/// The scenario and knobs of one point of a design.
fn at_point(scenario: &Scenario, ranges: &[Range], u: &[f64]) -> (Scenario, Vec<(Knob, f32)>) {
    let mut sc = scenario.clone();
    let mut knobs = Vec::new();
    for (range, &u) in ranges.iter().zip(u) {
        let level = level_at(scenario, range, u);
        match range.factor {
            Factor::Knob(k) => knobs.push((k, level as f32)),
            Factor::Assumption(name) => {
                // The name comes from the table of assumptions: it is known.
                sc.model.set(name, level);
            }
        }
    }
    (sc, knobs)
}

/// The design a study runs.
#[derive(Clone, Debug, PartialEq)]
enum Built {
    Sobol(Design),
    Morris(Trajectories),
}

/// A global study, planned: its design's points and how each run is made.
/// Its jobs — every point on every replicate seed, point-major — can run
/// in any order, in parallel, journaled, sharded ([`crate::journal`]);
/// [`Study::analyse`] turns their values into the measures.
#[derive(Clone, Debug)]
pub struct Study<'a> {
    scenario: &'a Scenario,
    screen: &'a Screen,
    /// Further metrics read from the same runs (an experiment's), as
    /// (metric, part); the screen's own comes first.
    more: Vec<(String, String)>,
    ranges: Vec<Range>,
    design: Built,
    points: Vec<Vec<f64>>,
    base: u64,
    replicates: u32,
    /// Each replicate seed's network, shared by every point's run at it.
    networks: Arc<SeedNetworks>,
}

impl<'a> Study<'a> {
    /// Plan the study of the factors of `screen` (every knob when it names
    /// none) by `method`, checking the metric and every range's ends.
    pub fn new(
        scenario: &'a Scenario,
        screen: &'a Screen,
        method: &Method,
    ) -> Result<Study<'a>, ScreenError> {
        check_metric(scenario, screen)?;
        let ranges = ranges_of(scenario, screen);
        // Both ends of every range are checked as the screen checks them.
        levels_of(scenario, &ranges)?;
        let base = screen.seed.unwrap_or(scenario.seed);
        let k = ranges.len();
        let design = match *method {
            Method::Sobol { samples } => Built::Sobol(Design::new(k, samples.max(2), base)),
            Method::Morris {
                trajectories,
                levels,
            } => Built::Morris(Trajectories::new(k, trajectories.max(2), levels, base)),
        };
        let points: Vec<Vec<f64>> = match &design {
            Built::Sobol(d) => (0..d.len()).map(|p| d.point(p)).collect(),
            Built::Morris(d) => (0..d.len()).map(|p| d.point(p).to_vec()).collect(),
        };
        Ok(Study {
            scenario,
            screen,
            more: Vec::new(),
            ranges,
            design,
            points,
            base,
            replicates: screen.replicates.max(1),
            networks: Arc::new(SeedNetworks::new(
                scenario,
                crate::seed_networks::DEFAULT_BUDGET,
            )),
        })
    }

    /// Runs in all: points × replicates.
    pub fn jobs(&self) -> usize {
        self.points.len() * self.replicates as usize
    }

    /// The same study reading more metrics from the same runs: `more` as
    /// (metric, part), each checked like the screen's own. Not with a gap
    /// (`against`), which is one metric's.
    pub fn reading(mut self, more: Vec<(String, String)>) -> Result<Study<'a>, ScreenError> {
        if self.screen.against.is_some() && !more.is_empty() {
            return Err(ScreenError::Unusable(
                "a gap between two policies is read for one metric only".into(),
            ));
        }
        for (metric, part) in &more {
            let mut screen = self.screen.clone();
            screen.metric.clone_from(metric);
            screen.part.clone_from(part);
            check_metric(self.scenario, &screen)?;
        }
        self.more = more;
        Ok(self)
    }

    /// The metrics read, as (metric, part): the screen's, then the others.
    pub fn readings(&self) -> Vec<(String, String)> {
        std::iter::once((self.screen.metric.clone(), self.screen.part.clone()))
            .chain(self.more.iter().cloned())
            .collect()
    }

    /// Run job `job` (point `job / replicates` on replicate seed `job %
    /// replicates`): each metric read (see [`Study::readings`]), NaN where
    /// it is undefined.
    pub fn run(&self, job: usize) -> Result<Vec<f64>, ScreenError> {
        let r = self.replicates as usize;
        let (p, k) = (job / r, (job % r) as u32);
        let (sc, knobs) = at_point(self.scenario, &self.ranges, &self.points[p]);
        let seed = replicate_seed(self.base, k);
        if self.more.is_empty() {
            return Ok(vec![
                value(&sc, self.screen, seed, &self.networks, &knobs)?.unwrap_or(f64::NAN),
            ]);
        }
        Ok(super::run_readings(
            &sc,
            self.screen,
            seed,
            &self.networks,
            &knobs,
            &self.readings(),
        )?)
    }

    /// The fingerprint of what the study's values depend on: the
    /// scenario's content, the screen and the design.
    pub fn fingerprint(&self) -> String {
        let mut content = self.scenario.clone();
        crate::fingerprint::keep_run_content(&mut content);
        let mut screen = self.screen.clone();
        screen.jobs = 0;
        crate::fingerprint::of_debug(&(content, screen, &self.more, &self.design, self.replicates))
    }

    /// The measures of each metric read, from every job's values (in job
    /// order, NaN where undefined).
    pub fn analyse_all(&self, values: &[Vec<f64>]) -> Vec<Global> {
        (0..1 + self.more.len())
            .map(|m| {
                let one: Vec<f64> = values.iter().map(|v| v[m]).collect();
                self.analyse(&one)
            })
            .collect()
    }

    /// The measures from every job's value of one metric (in job order,
    /// NaN where undefined): largest first (undefined last), with the seed
    /// noise.
    pub fn analyse(&self, values: &[f64]) -> Global {
        let values: Vec<Option<f64>> = values.iter().map(|v| (!v.is_nan()).then_some(*v)).collect();
        let replicates = self.replicates as usize;
        // A point's output: the mean over the seeds that have the metric.
        let outputs: Vec<f64> = values
            .chunks(replicates)
            .map(|v| {
                let finite: Vec<f64> = v.iter().flatten().copied().collect();
                if finite.is_empty() {
                    f64::NAN
                } else {
                    finite.iter().sum::<f64>() / finite.len() as f64
                }
            })
            .collect();
        let boot = self.base ^ 0x5eed_b007;
        let ranges = &self.ranges;
        let mut effects: Vec<GlobalEffect> = match &self.design {
            Built::Sobol(d) => d
                .indices(&outputs, RESAMPLES, boot)
                .into_iter()
                .zip(ranges)
                .map(|(sobol, r)| GlobalEffect {
                    factor: r.factor,
                    levels: (r.low, r.high),
                    sobol,
                    morris: None,
                })
                .collect(),
            Built::Morris(d) => d
                .effects(&outputs, RESAMPLES, boot)
                .into_iter()
                .zip(ranges)
                .map(|(morris, r)| GlobalEffect {
                    factor: r.factor,
                    levels: (r.low, r.high),
                    sobol: None,
                    morris,
                })
                .collect(),
        };
        // Stable: ties keep the order asked for.
        effects.sort_by(|a, b| b.size().total_cmp(&a.size()));
        Global {
            effects,
            noise: noise(&values, replicates, &outputs),
        }
    }
}

/// The global measures of the factors of `screen` (every knob when it
/// names none), largest first (undefined last), and the seed noise in
/// them. `screen.replicates` seeds per point; everything in memory (the
/// command journals its runs instead, see [`Study`]).
pub fn global(
    scenario: &Scenario,
    screen: &Screen,
    method: &Method,
) -> Result<Global, ScreenError> {
    let study = Study::new(scenario, screen, method)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(screen.jobs.max(1))
        .build()
        .map_err(|e| ScreenError::Pool(e.to_string()))?;
    let values: Vec<f64> = pool.install(|| {
        (0..study.jobs())
            .into_par_iter()
            .map(|j| study.run(j).map(|v| v[0]))
            .collect::<Result<_, _>>()
    })?;
    Ok(study.analyse(&values))
}
