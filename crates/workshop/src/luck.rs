//! Is it luck? Runs A and B share one seed, so the B − A a room reads is one
//! draw: another seed could give another answer. [`Luck`] replays both runs
//! — the same scenario, starting policies and live edits at the same steps —
//! on [`SEEDS`] paired seeds, and gives each headline figure's mean
//! difference with its 95% interval and the share of seeds where B does
//! better, at any step. A difference whose interval leaves out zero, with B
//! ahead in most seeds, is the policy's; one whose interval straddles zero
//! could be the seed's.
//!
//! The seeds are those a batch experiment would use for replicates
//! (`replicate_seed(seed, k)`, `k` = 0, 1, …), so the same question asked of
//! `siloscope batch` gets the same runs. Computing is meant for a
//! background thread: it checks a cancel flag between steps.

use crate::headline::{Better, HEADLINES};
use crate::session::{LoggedEdit, Session};
use siloscope_lab::experiment::replicate_seed;
use siloscope_lab::stats::{Estimate, Paired};
use siloscope_model::scenario::Scenario;
use siloscope_model::sim::{RunOptions, SimError, Simulation};
use std::sync::atomic::{AtomicBool, Ordering};

/// Paired seeds the app replays (about a third of a second for the
/// workshop scenario on one core).
pub const SEEDS: u32 = 30;

/// A run apart from its seed: what to replay on another one.
#[derive(Clone, Debug, PartialEq)]
pub struct Recipe {
    /// The scenario as loaded (interventions scheduled live are edits).
    pub scenario: Scenario,
    /// The policy it started under (`None`: the scenario's knobs).
    pub policy: Option<String>,
    /// Its live edits, by the step they take effect in.
    pub edits: Vec<LoggedEdit>,
}

/// Every headline figure's value after each step: `[step - 1][headline]`.
type Values = Vec<[f64; HEADLINES.len()]>;

impl Recipe {
    /// What `session` is apart from its seed.
    pub fn of(session: &Session) -> Recipe {
        Recipe {
            scenario: session.original_scenario(),
            policy: session.start_policy().map(str::to_owned),
            edits: session.edits().to_vec(),
        }
    }

    /// Run it on `seed` for `steps` steps (edits applied at their steps, as
    /// a session applies them), reading every headline after each step.
    /// `None` if `cancel` was raised.
    fn values(
        &self,
        seed: u64,
        steps: u32,
        cancel: &AtomicBool,
    ) -> Result<Option<Values>, SimError> {
        let mut sim = Simulation::new(
            &self.scenario,
            RunOptions {
                policy: self.policy.clone(),
                seed: Some(seed),
                record_flows: false,
            },
        )?;
        let mut edits = self.edits.iter().peekable();
        let mut values = Vec::with_capacity(steps as usize);
        for _ in 0..steps {
            if cancel.load(Ordering::Relaxed) {
                return Ok(None);
            }
            while let Some(e) = edits.next_if(|e| e.step <= sim.step_index()) {
                // An edit the run accepted once is accepted on any seed; one
                // that is not (a campaign on a step already past, a decision
                // for an agent that is not a customer on this seed) is
                // skipped, as a session drops it.
                let _ = crate::session::apply_edit(&mut sim, &e.edit);
            }
            let report = sim.step();
            values.push(HEADLINES.map(|h| (h.value)(report)));
        }
        Ok(Some(values))
    }
}

/// The headline figures of runs A and B replayed on paired seeds.
#[derive(Clone, Debug, PartialEq)]
pub struct Luck {
    seeds: Vec<u64>,
    /// Per seed, A's and B's values after each step.
    a: Vec<Values>,
    b: Vec<Values>,
}

/// One headline figure's B − A over the paired seeds, at one step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Spread {
    /// The mean difference B − A over the seeds with a value, and its 95%
    /// interval.
    pub diff: Estimate,
    /// Share of those seeds where B does better (ties count half); `NaN`
    /// for a figure with no better direction.
    pub b_ahead: f64,
}

impl Spread {
    /// Whether the interval leaves out zero: the sign of the difference is
    /// the policy's, not the seed's.
    pub fn clear(&self) -> bool {
        self.diff.lo > 0.0 || self.diff.hi < 0.0
    }
}

impl Luck {
    /// Replay `a` and `b` on `seeds` paired seeds drawn from `seed`, for
    /// `steps` steps. `None` if `cancel` was raised before the end.
    pub fn compute(
        a: &Recipe,
        b: &Recipe,
        seed: u64,
        seeds: u32,
        steps: u32,
        cancel: &AtomicBool,
    ) -> Result<Option<Luck>, SimError> {
        let seeds: Vec<u64> = (0..seeds).map(|k| replicate_seed(seed, k)).collect();
        let (mut va, mut vb) = (Vec::new(), Vec::new());
        for &s in &seeds {
            let (Some(x), Some(y)) = (a.values(s, steps, cancel)?, b.values(s, steps, cancel)?)
            else {
                return Ok(None);
            };
            va.push(x);
            vb.push(y);
        }
        Ok(Some(Luck {
            seeds,
            a: va,
            b: vb,
        }))
    }

    /// The seeds replayed.
    pub fn seeds(&self) -> &[u64] {
        &self.seeds
    }

    /// Steps computed.
    pub fn steps(&self) -> u32 {
        self.a.first().map_or(0, |v| v.len() as u32)
    }

    /// Each headline's B − A after `step` steps (in [`HEADLINES`] order), or
    /// `None` for step 0 or a step not computed.
    pub fn at(&self, step: u32) -> Option<[Spread; HEADLINES.len()]> {
        if step == 0 || step > self.steps() {
            return None;
        }
        let i = step as usize - 1;
        Some(std::array::from_fn(|h| {
            // Only seeds where both runs have a value (a share of nothing
            // has none).
            let (bs, as_): (Vec<f64>, Vec<f64>) = self
                .b
                .iter()
                .zip(&self.a)
                .map(|(b, a)| (b[i][h], a[i][h]))
                .filter(|(b, a)| b.is_finite() && a.is_finite())
                .unzip();
            let paired = Paired::of(&bs, &as_);
            let b_ahead = match HEADLINES[h].better {
                Better::Higher => paired.wins,
                Better::Lower if paired.wins.is_nan() => f64::NAN,
                Better::Lower => 1.0 - paired.wins,
                Better::Neither => f64::NAN,
            };
            Spread {
                diff: paired.diff,
                b_ahead,
            }
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::Runs;
    use siloscope_model::knob::Knob;

    fn workshop() -> Scenario {
        let path = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
            .join("scenarios/workshop.scenario.ron");
        siloscope_scenario::files::read_scenario(&path).unwrap()
    }

    #[test]
    fn a_recipe_replays_its_session_exactly_on_the_sessions_seed() {
        let sc = workshop();
        let mut s = Session::new(&sc, Some("inside_out".into()), Some(7)).unwrap();
        s.advance_to(10);
        s.set_knob(Knob::SiloPermeability, 0.9).unwrap();
        s.advance_to(20);
        s.apply_policy("connected").unwrap();
        s.advance_to(30);
        let values = Recipe::of(&s)
            .values(7, 30, &AtomicBool::new(false))
            .unwrap()
            .unwrap();
        for (step, report) in s.history().iter().enumerate() {
            let want = HEADLINES.map(|h| (h.value)(report));
            for (h, (x, y)) in values[step].iter().zip(want).enumerate() {
                assert!(
                    x == &y || (x.is_nan() && y.is_nan()),
                    "step {}, {}: {x} against {y}",
                    step + 1,
                    HEADLINES[h].metric
                );
            }
        }
    }

    #[test]
    fn connected_beats_inside_out_on_trust_over_the_seeds_and_a_run_against_itself_is_even() {
        let sc = workshop();
        let mut runs = Runs::new(Session::new(&sc, Some("inside_out".into()), Some(3)).unwrap());
        runs.compare("connected").unwrap();
        let (a, b) = (Recipe::of(runs.a()), Recipe::of(runs.b().unwrap()));
        let never = AtomicBool::new(false);
        let luck = Luck::compute(&a, &b, 3, 12, 52, &never).unwrap().unwrap();
        assert_eq!((luck.seeds().len(), luck.steps()), (12, 52));
        let trust = luck.at(52).unwrap()[0];
        assert_eq!(HEADLINES[0].metric, "customer_trust_in_org");
        assert!(trust.clear() && trust.diff.mean > 0.0, "{trust:?}");
        assert!(trust.b_ahead > 0.9, "{trust:?}");
        assert_eq!(trust.diff.n, 12);
        assert!(luck.at(0).is_none() && luck.at(53).is_none());
        // The same recipe on both sides: no difference on any seed.
        let same = Luck::compute(&a, &a, 3, 4, 20, &never).unwrap().unwrap();
        for s in same.at(20).unwrap() {
            assert!(s.diff.mean == 0.0 || s.diff.n == 0, "{s:?}");
            assert!(!s.clear());
        }
    }

    #[test]
    fn a_raised_cancel_flag_stops_the_replay() {
        let sc = workshop();
        let a = Recipe::of(&Session::new(&sc, None, Some(1)).unwrap());
        let cancel = AtomicBool::new(true);
        assert_eq!(Luck::compute(&a, &a, 1, 30, 104, &cancel).unwrap(), None);
    }
}
