//! A/B comparison: run A, and run B — the same scenario and the same seed
//! under another policy — kept at A's step (lock-step).
//!
//! Every way A moves (a step, a jump forward, a rewind) moves B to the same
//! step, so the two are always compared at the same moment; edits go to
//! one side only. Switching the comparison off keeps B, so switching it on
//! again brings the same B back (caught up to A's step).

use crate::session::{Reloaded, Session};
use siloscope_model::sim::SimError;
use siloscope_scenario::Scenario;

/// One of the two runs.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Side {
    /// The run the workshop started with.
    #[default]
    A,
    /// The comparison run.
    B,
}

impl Side {
    /// "A" or "B".
    pub fn label(self) -> &'static str {
        match self {
            Side::A => "A",
            Side::B => "B",
        }
    }
}

/// Run A and, while comparing, run B in lock-step.
#[derive(Clone, Debug)]
pub struct Runs {
    a: Session,
    b: Option<Session>,
    comparing: bool,
}

impl Runs {
    /// Run A alone.
    pub fn new(a: Session) -> Runs {
        Runs {
            a,
            b: None,
            comparing: false,
        }
    }

    /// Runs put back together (a restored session): B is kept while the
    /// comparison is off, as [`Runs::set_comparing`] keeps it.
    pub(crate) fn from_parts(a: Session, b: Option<Session>, comparing: bool) -> Runs {
        Runs { a, b, comparing }
    }

    /// Run B whether shown or not (kept while the comparison is off), and
    /// whether it is shown.
    pub(crate) fn b_kept(&self) -> (Option<&Session>, bool) {
        (self.b.as_ref(), self.comparing)
    }

    /// Run A.
    pub fn a(&self) -> &Session {
        &self.a
    }

    /// Run A, to edit.
    pub fn a_mut(&mut self) -> &mut Session {
        &mut self.a
    }

    /// Run A replaced by `a` (the room's copy of it, after a round's
    /// steps), B brought to its step.
    pub fn set_a(&mut self, a: Session) {
        self.a = a;
        self.sync();
    }

    /// Run B, while comparing.
    pub fn b(&self) -> Option<&Session> {
        self.b.as_ref().filter(|_| self.comparing)
    }

    /// Run B, while comparing, to edit.
    pub fn b_mut(&mut self) -> Option<&mut Session> {
        self.b.as_mut().filter(|_| self.comparing)
    }

    /// A side's run (B only while comparing).
    pub fn side(&self, side: Side) -> Option<&Session> {
        match side {
            Side::A => Some(&self.a),
            Side::B => self.b(),
        }
    }

    /// A side's run, to edit.
    pub fn side_mut(&mut self, side: Side) -> Option<&mut Session> {
        match side {
            Side::A => Some(&mut self.a),
            Side::B => self.b_mut(),
        }
    }

    /// The runs shown: A, then B while comparing.
    pub fn shown(&self) -> impl Iterator<Item = (Side, &Session)> {
        std::iter::once((Side::A, &self.a)).chain(self.b().map(|b| (Side::B, b)))
    }

    /// Whether B is shown and stepped.
    pub fn comparing(&self) -> bool {
        self.comparing && self.b.is_some()
    }

    /// The policy B was started under, kept while the comparison is off.
    pub fn b_policy(&self) -> Option<&str> {
        self.b.as_ref().and_then(|b| b.start_policy())
    }

    /// Compare with a new run B under `policy`, from step 0, brought to
    /// A's step. On error nothing changes.
    pub fn compare(&mut self, policy: &str) -> Result<(), SimError> {
        let mut b = self.a.restarted_with(policy)?;
        b.goto(self.a.step_index());
        self.b = Some(b);
        self.comparing = true;
        Ok(())
    }

    /// Show B or not. Switching on again brings back the same B (caught up
    /// to A's step); there is nothing to show before [`Runs::compare`].
    pub fn set_comparing(&mut self, on: bool) {
        self.comparing = on && self.b.is_some();
        self.sync();
    }

    /// One step of both; `false` when A is at its horizon.
    pub fn step(&mut self) -> bool {
        let stepped = self.a.step().is_some();
        self.sync();
        stepped
    }

    /// Both to step `target` (forward by computing, back by rewinding).
    pub fn goto(&mut self, target: u32) {
        self.a.goto(target);
        self.sync();
    }

    /// Back to step 0, same seeds and starting policies, no edits.
    pub fn reset(&mut self) -> Result<(), SimError> {
        self.a.reset()?;
        if let Some(b) = &mut self.b {
            b.reset()?;
        }
        Ok(())
    }

    /// Back to step 0 with another seed, on both.
    pub fn reseed(&mut self, seed: u64) -> Result<(), SimError> {
        self.a.reseed(seed)?;
        if let Some(b) = &mut self.b {
            b.reseed(seed)?;
        }
        Ok(())
    }

    /// A alone at step 0 with no edits (B dropped): where a story starts.
    pub fn restart(&mut self) -> Result<(), SimError> {
        self.a.reset()?;
        self.b = None;
        self.comparing = false;
        Ok(())
    }

    /// Rebuild both on a changed scenario at the current step (see
    /// [`Session::reload`]). If B's policy is gone from the new scenario, B
    /// is dropped. On error nothing changes.
    pub fn reload(&mut self, scenario: &Scenario) -> Result<Reloaded, SimError> {
        let mut a = self.a.clone();
        let done = a.reload(scenario)?;
        let b = match &self.b {
            Some(b) => {
                let mut b = b.clone();
                match b.reload(scenario) {
                    Ok(_) if b.seed() == a.seed() => Some(b),
                    Ok(_) => None,
                    Err(_) => None,
                }
            }
            None => None,
        };
        self.a = a;
        self.b = b;
        self.comparing &= self.b.is_some();
        self.sync();
        Ok(done)
    }

    fn sync(&mut self) {
        if self.comparing
            && let Some(b) = &mut self.b
            && b.step_index() != self.a.step_index()
        {
            b.goto(self.a.step_index());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use siloscope_model::knob::Knob;
    use siloscope_scenario::parse_str;

    fn runs() -> Runs {
        let text = include_str!("../../../scenarios/workshop.scenario.ron");
        let scenario = parse_str(text, "workshop.scenario.ron").unwrap();
        Runs::new(Session::new(&scenario, Some("outside_in".into()), None).unwrap())
    }

    fn reports(s: &Session) -> String {
        format!("{:?}", s.history())
    }

    #[test]
    fn the_same_policy_on_both_sides_gives_identical_runs_in_lock_step() {
        let mut r = runs();
        r.goto(5);
        r.compare("outside_in").unwrap();
        assert_eq!(r.b().unwrap().step_index(), 5, "B catches up to A");
        for _ in 0..30 {
            assert!(r.step());
            let (a, b) = (r.a(), r.b().unwrap());
            assert_eq!(a.step_index(), b.step_index());
            assert_eq!(a.sim().state_hash(), b.sim().state_hash());
        }
        assert_eq!(reports(r.a()), reports(r.b().unwrap()));
    }

    #[test]
    fn two_policies_share_the_seed_and_edits_stay_on_their_side() {
        let mut r = runs();
        r.compare("connected").unwrap();
        assert_eq!(r.a().seed(), r.b().unwrap().seed());
        assert_eq!(r.b_policy(), Some("connected"));
        r.goto(10);
        r.b_mut()
            .unwrap()
            .set_knob(Knob::Transparency, 0.05)
            .unwrap();
        assert!(r.a().edits().is_empty());
        assert_eq!(r.b().unwrap().edits().len(), 1);
        assert_ne!(r.a().sim().knobs().get(Knob::Transparency), 0.05);
        r.goto(20);
        assert_ne!(r.a().sim().state_hash(), r.b().unwrap().sim().state_hash());
        // Rewinding moves both.
        r.goto(4);
        assert_eq!(r.b().unwrap().step_index(), 4);
    }

    #[test]
    fn switching_the_comparison_off_keeps_both_runs() {
        let mut r = runs();
        r.compare("connected").unwrap();
        r.goto(8);
        let b_at_8 = r.b().unwrap().sim().state_hash();
        r.set_comparing(false);
        assert!(r.b().is_none() && !r.comparing());
        r.goto(12);
        assert_eq!(r.a().step_index(), 12, "A goes on alone");
        r.set_comparing(true);
        let b = r.b().unwrap();
        assert_eq!(b.step_index(), 12, "B catches up");
        assert_eq!(b.history().len(), 12);
        r.goto(8);
        assert_eq!(r.b().unwrap().sim().state_hash(), b_at_8, "the same B");
        // Nothing to show before a comparison was started.
        let mut fresh = runs();
        fresh.set_comparing(true);
        assert!(!fresh.comparing());
    }
}
