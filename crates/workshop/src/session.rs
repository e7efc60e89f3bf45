//! A facilitator's session: the run the workshop app plays, with what it
//! needs around the bare [`Simulation`].
//!
//! - **History**: every step's report (item movements stripped), for the
//!   charts and for exporting the run as CSV.
//! - **Live edits**: knob changes, policy switches and interventions made
//!   during the run, each with the step it was made before. Because a run is
//!   deterministic, the edit log is enough to rebuild it exactly: a hot
//!   reload of the scenario file replays the edits up to the step the room
//!   was looking at.
//! - **Agent stories**: per agent, its lifecycle transitions, the last
//!   items it sent or received, why its last lifecycle change came, and its
//!   trust's last moves, for the inspector ("know me, not know about me";
//!   `session/stories.rs`).
//! - **Rewind**: [`Session::goto`] an earlier step restores the nearest
//!   snapshot at or before it and replays the logged edits from there, so
//!   the past is exactly as it was. Snapshots are taken every
//!   `snapshot_every` steps; when there would be more than
//!   [`MAX_SNAPSHOTS`], every other one is dropped and the interval doubles,
//!   so memory stays bounded on long runs and a rewind replays at most one
//!   interval. Editing in the past branches: the edits of the old future
//!   are dropped, and the old timeline is kept as the *ghost* the charts
//!   draw beside the new one ("what if we had opened up in month 3").
//!
//! No bevy here: the app wraps a [`Session`] in a resource and the tests
//! drive it directly.

use siloscope_lab::output::{TimeSeriesWriter, write_atomic};
use siloscope_model::flow::FlowEvent;
use siloscope_model::knob::Knob;
use siloscope_model::metrics::StepReport;
use siloscope_model::sim::{Decision, RunOptions, SimError, Simulation};
use siloscope_scenario::{Intervention, Scenario};
use std::io;
use std::path::Path;

/// Snapshots kept at most for rewinding (the one at step 0 included).
pub const MAX_SNAPSHOTS: usize = 32;

/// Steps between snapshots at the start of a run.
pub const FIRST_SNAPSHOT_INTERVAL: u32 = 8;

/// A change made while the run plays.
#[derive(Clone, Debug, PartialEq)]
pub enum Edit {
    /// Set one knob.
    Knob(Knob, f32),
    /// Switch to a named policy.
    Policy(String),
    /// Schedule an intervention.
    Schedule(Intervention),
    /// A played agent's decisions for the step it is made before.
    Decide(u32, Decision),
}

/// An [`Edit`] and the step it was made before (it takes effect in that
/// step).
#[derive(Clone, Debug, PartialEq)]
pub struct LoggedEdit {
    /// The step it takes effect in.
    pub step: u32,
    /// What changed.
    pub edit: Edit,
}

/// What a reload did.
#[derive(Clone, Debug, PartialEq)]
pub struct Reloaded {
    /// The step the new run was brought to.
    pub step: u32,
    /// Live edits replayed.
    pub replayed: usize,
    /// Live edits the new scenario refused, with why.
    pub refused: Vec<String>,
}

/// A run being played, with its history, edits and agent stories.
#[derive(Clone, Debug)]
pub struct Session {
    sim: Simulation,
    start: RunOptions,
    /// Every edit of this timeline, by step; `edits[..applied]` are in
    /// `sim`, the rest wait for their step (after a rewind).
    edits: Vec<LoggedEdit>,
    applied: usize,
    history: Vec<StepReport>,
    last_flows: Vec<FlowEvent>,
    stories: Vec<AgentStory>,
    /// Ascending by step; the first is step 0.
    snapshots: Vec<Snapshot>,
    snapshot_every: u32,
    /// The timeline as it was before the last rewind, and the edits it
    /// was computed with (a saved session rebuilds it from them).
    ghost: Vec<StepReport>,
    ghost_edits: Vec<LoggedEdit>,
    /// Whether this timeline has left the ghost's (an edit in the past).
    branched_at: Option<u32>,
}

/// The state after computing `step` steps, before the edits made at it.
#[derive(Clone, Debug)]
struct Snapshot {
    step: u32,
    sim: Simulation,
    stories: Vec<AgentStory>,
    /// The items that moved in the step that led here.
    flows: Vec<FlowEvent>,
}

impl Session {
    /// Build a session at step 0. `policy` and `seed` override the
    /// scenario's.
    pub fn new(
        scenario: &Scenario,
        policy: Option<String>,
        seed: Option<u64>,
    ) -> Result<Session, SimError> {
        let start = RunOptions {
            policy,
            seed,
            record_flows: true,
        };
        let sim = Simulation::new(scenario, start.clone())?;
        let stories = stories::initial(&sim);
        let first = Snapshot {
            step: 0,
            sim: sim.clone(),
            stories: stories.clone(),
            flows: Vec::new(),
        };
        Ok(Session {
            sim,
            start,
            edits: Vec::new(),
            applied: 0,
            history: Vec::new(),
            last_flows: Vec::new(),
            stories,
            snapshots: vec![first],
            snapshot_every: FIRST_SNAPSHOT_INTERVAL,
            ghost: Vec::new(),
            ghost_edits: Vec::new(),
            branched_at: None,
        })
    }

    /// A new session of the same scenario (as loaded, without live
    /// interventions) and the same seed, at step 0, under `policy`.
    pub fn restarted_with(&self, policy: &str) -> Result<Session, SimError> {
        Session::new(
            &self.original_scenario(),
            Some(policy.to_owned()),
            self.start.seed,
        )
    }

    /// The policy this session was started under, if one was chosen.
    pub fn start_policy(&self) -> Option<&str> {
        self.start.policy.as_deref()
    }

    /// The simulation, at the step last computed.
    pub fn sim(&self) -> &Simulation {
        &self.sim
    }

    /// The scenario (with live interventions added).
    pub fn scenario(&self) -> &Scenario {
        self.sim.scenario()
    }

    /// Steps computed so far.
    pub fn step_index(&self) -> u32 {
        self.sim.step_index()
    }

    /// The scenario's horizon.
    pub fn horizon(&self) -> u32 {
        self.sim.scenario().steps
    }

    /// `true` once the run has reached the scenario's horizon.
    pub fn at_end(&self) -> bool {
        self.step_index() >= self.horizon()
    }

    /// The run's seed.
    pub fn seed(&self) -> u64 {
        self.sim.seed()
    }

    /// Reports of every step computed, in order, without item movements.
    pub fn history(&self) -> &[StepReport] {
        &self.history
    }

    /// Items that moved in the last step.
    pub fn last_flows(&self) -> &[FlowEvent] {
        &self.last_flows
    }

    /// Edits made live, in order (after a rewind, also those of steps not
    /// yet recomputed, which are applied again on the way).
    pub fn edits(&self) -> &[LoggedEdit] {
        &self.edits
    }

    /// The timeline before the last rewind, while it differs from this one
    /// or reaches further; empty otherwise.
    pub fn ghost(&self) -> &[StepReport] {
        if self.branched_at.is_some() || self.ghost.len() > self.history.len() {
            &self.ghost
        } else {
            &[]
        }
    }

    /// The step at which this timeline left the ghost, if it did.
    pub fn branched_at(&self) -> Option<u32> {
        self.branched_at
    }

    /// The steps a rewind can restore without replaying (the snapshots),
    /// and the interval between them now.
    pub fn snapshot_steps(&self) -> (Vec<u32>, u32) {
        (
            self.snapshots.iter().map(|s| s.step).collect(),
            self.snapshot_every,
        )
    }

    /// The inspector's story of agent `a`.
    pub fn story(&self, a: u32) -> Option<&AgentStory> {
        self.stories.get(a as usize)
    }

    /// Compute one step, unless the run is at its horizon. Returns the
    /// step's report.
    pub fn step(&mut self) -> Option<&StepReport> {
        if self.at_end() {
            return None;
        }
        self.apply_pending();
        let report = self.sim.step();
        self.last_flows.clear();
        self.last_flows.extend_from_slice(&report.flows);
        let mut kept = report.clone();
        kept.flows = Vec::new();
        self.history.push(kept);
        self.record_stories();
        self.take_snapshot();
        self.history.last()
    }

    /// Run to step `target` (or the horizon), without keeping item
    /// movements of the skipped steps for display.
    pub fn advance_to(&mut self, target: u32) {
        while self.step_index() < target && self.step().is_some() {}
        self.apply_pending();
    }

    /// Go to step `target` (at most the horizon): forward by computing,
    /// back by restoring the nearest snapshot and replaying the edits of
    /// this timeline, so the state at `target` is exactly what it was.
    pub fn goto(&mut self, target: u32) {
        let target = target.min(self.horizon());
        if target >= self.step_index() {
            self.advance_to(target);
            return;
        }
        if self.branched_at.is_some() || self.history.len() > self.ghost.len() {
            self.ghost = self.history.clone();
            self.ghost_edits = self.edits.clone();
            self.branched_at = None;
        }
        let i = self.snapshots.partition_point(|s| s.step <= target) - 1;
        self.snapshots.truncate(i + 1);
        let snap = &self.snapshots[i];
        self.sim = snap.sim.clone();
        self.stories = snap.stories.clone();
        self.last_flows.clone_from(&snap.flows);
        self.history.truncate(snap.step as usize);
        self.applied = self.edits.partition_point(|e| e.step < snap.step);
        self.advance_to(target);
    }

    /// Apply the logged edits due at the current step.
    fn apply_pending(&mut self) {
        while let Some(e) = self.edits.get(self.applied)
            && e.step <= self.step_index()
        {
            let edit = e.edit.clone();
            // It was accepted on this very state before; if it somehow is
            // not now, it leaves the log rather than the log lying.
            match apply_edit(&mut self.sim, &edit) {
                Ok(()) => self.applied += 1,
                Err(_) => {
                    self.edits.remove(self.applied);
                }
            }
        }
    }

    fn take_snapshot(&mut self) {
        let step = self.step_index();
        if !step.is_multiple_of(self.snapshot_every)
            || self.snapshots.last().is_some_and(|s| s.step >= step)
        {
            return;
        }
        self.snapshots.push(Snapshot {
            step,
            sim: self.sim.clone(),
            stories: self.stories.clone(),
            flows: self.last_flows.clone(),
        });
        if self.snapshots.len() > MAX_SNAPSHOTS {
            self.snapshot_every *= 2;
            let every = self.snapshot_every;
            self.snapshots.retain(|s| s.step.is_multiple_of(every));
        }
    }

    /// Set a knob from the next step on.
    pub fn set_knob(&mut self, knob: Knob, value: f32) -> Result<(), SimError> {
        self.edit(Edit::Knob(knob, value))
    }

    /// Switch policy from the next step on.
    pub fn apply_policy(&mut self, name: &str) -> Result<(), SimError> {
        self.edit(Edit::Policy(name.to_owned()))
    }

    /// Schedule an intervention at a step not yet computed.
    pub fn schedule(&mut self, iv: Intervention) -> Result<(), SimError> {
        self.edit(Edit::Schedule(iv))
    }

    /// A played agent decides for the next step (`played.rs` in the
    /// model); logged like any edit, so rewinding and replaying keep it.
    pub fn decide(&mut self, agent: u32, decision: Decision) -> Result<(), SimError> {
        self.edit(Edit::Decide(agent, decision))
    }

    fn edit(&mut self, edit: Edit) -> Result<(), SimError> {
        self.apply_pending();
        apply_edit(&mut self.sim, &edit)?;
        // An edit in the past branches: the old future's edits go.
        self.edits.truncate(self.applied);
        if (self.step_index() as usize) < self.ghost.len() {
            self.branched_at.get_or_insert(self.step_index());
        }
        self.edits.push(LoggedEdit {
            step: self.step_index(),
            edit,
        });
        self.applied += 1;
        Ok(())
    }

    /// Back to step 0 with the same seed and starting policy; live edits
    /// are dropped.
    pub fn reset(&mut self) -> Result<(), SimError> {
        let scenario = self.original_scenario();
        *self = Session::new(&scenario, self.start.policy.clone(), self.start.seed)?;
        Ok(())
    }

    /// Back to step 0 with another seed; live edits are dropped.
    pub fn reseed(&mut self, seed: u64) -> Result<(), SimError> {
        let scenario = self.original_scenario();
        *self = Session::new(&scenario, self.start.policy.clone(), Some(seed))?;
        Ok(())
    }

    /// Rebuild on a changed scenario and bring it to the step shown now,
    /// replaying the live edits the new scenario accepts. The seed stays if
    /// it was chosen in the app; otherwise the new file's seed is used. On
    /// error `self` is unchanged.
    pub fn reload(&mut self, scenario: &Scenario) -> Result<Reloaded, SimError> {
        let policy = self
            .start
            .policy
            .clone()
            .filter(|p| scenario.policy(p).is_some());
        let mut next = Session::new(scenario, policy, self.start.seed)?;
        let target = self.step_index();
        let mut refused = Vec::new();
        // Edits of steps not yet recomputed (after a rewind) are dropped:
        // the future is recomputed on the new scenario anyway.
        let mut edits = self.edits.iter().filter(|e| e.step <= target).peekable();
        let mut replayed = 0;
        loop {
            while let Some(e) = edits.next_if(|e| e.step <= next.step_index()) {
                match next.edit(e.edit.clone()) {
                    Ok(()) => replayed += 1,
                    Err(why) => refused.push(format!("step {}: {why}", e.step)),
                }
            }
            if next.step_index() >= target || next.step().is_none() {
                break;
            }
        }
        let step = next.step_index();
        *self = next;
        Ok(Reloaded {
            step,
            replayed,
            refused,
        })
    }

    /// The run as a tidy CSV (the `run` command's format), written
    /// atomically.
    pub fn write_csv(&self, path: &Path) -> io::Result<()> {
        let policy = self.sim.policy().unwrap_or("scenario");
        let mut w = TimeSeriesWriter::new(Vec::new())?;
        for report in &self.history {
            w.write(0, policy, self.seed(), report)?;
        }
        write_atomic(path, &w.finish()?)
    }

    /// The scenario as loaded, without the interventions added live (they
    /// are among [`Session::edits`]).
    pub fn original_scenario(&self) -> Scenario {
        let mut scenario = self.sim.scenario().clone();
        let live: Vec<&Intervention> = self
            .edits
            .iter()
            .filter_map(|e| match &e.edit {
                Edit::Schedule(iv) => Some(iv),
                _ => None,
            })
            .collect();
        for iv in live {
            if let Some(i) = scenario.interventions.iter().rposition(|x| x == iv) {
                scenario.interventions.remove(i);
            }
        }
        scenario
    }

    fn record_stories(&mut self) {
        stories::record(&mut self.stories, &self.sim, &self.last_flows);
    }
}

pub(crate) fn apply_edit(sim: &mut Simulation, edit: &Edit) -> Result<(), SimError> {
    match edit {
        Edit::Knob(k, v) => sim.set_knob(*k, *v),
        Edit::Policy(name) => sim.apply_policy(name),
        Edit::Schedule(iv) => sim.schedule(iv.clone()),
        Edit::Decide(agent, decision) => sim.decide_for(*agent, *decision),
    }
}

mod record;
pub mod stories;
pub use record::Refusal;
pub use stories::{AgentStory, Change, ITEMS_REMEMBERED, ItemSeen, TrustMove, explain};

#[cfg(test)]
mod tests;
