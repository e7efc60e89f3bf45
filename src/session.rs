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
//! - **Agent stories**: per agent, its lifecycle transitions and the last
//!   items it sent or received, for the inspector ("know me, not know about
//!   me").
//!
//! No bevy here: the app wraps a [`Session`] in a resource and the tests
//! drive it directly.

use crate::agent::Lifecycle;
use crate::flow::{FlowEvent, FlowKind};
use crate::knob::Knob;
use crate::metrics::StepReport;
use crate::output::{TimeSeriesWriter, write_atomic};
use crate::scenario::{Intervention, Scenario};
use crate::sim::{RunOptions, SimError, Simulation};
use std::collections::VecDeque;
use std::io;
use std::path::Path;

/// Items remembered per agent for the inspector.
pub const ITEMS_REMEMBERED: usize = 12;

/// A change made while the run plays.
#[derive(Clone, Debug, PartialEq)]
pub enum Edit {
    /// Set one knob.
    Knob(Knob, f32),
    /// Switch to a named policy.
    Policy(String),
    /// Schedule an intervention.
    Schedule(Intervention),
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

/// One item an agent sent or received.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ItemSeen {
    /// The step it moved in.
    pub step: u32,
    /// What it was.
    pub kind: FlowKind,
    /// The agent at the other end.
    pub other: u32,
    /// `true` if this agent sent it.
    pub sent: bool,
    /// `false` if a silo wall stopped it.
    pub passed: bool,
}

/// What the inspector tells about one agent.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AgentStory {
    /// Lifecycle states entered, each with the number of steps computed
    /// when it was first seen (the first entry is the starting state, at 0).
    pub states: Vec<(u32, Lifecycle)>,
    /// The last [`ITEMS_REMEMBERED`] items it sent or received, oldest
    /// first.
    pub items: VecDeque<ItemSeen>,
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
    edits: Vec<LoggedEdit>,
    history: Vec<StepReport>,
    last_flows: Vec<FlowEvent>,
    stories: Vec<AgentStory>,
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
        let stories = initial_stories(&sim);
        Ok(Session {
            sim,
            start,
            edits: Vec::new(),
            history: Vec::new(),
            last_flows: Vec::new(),
            stories,
        })
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

    /// Edits made live, in order.
    pub fn edits(&self) -> &[LoggedEdit] {
        &self.edits
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
        let report = self.sim.step();
        self.last_flows.clear();
        self.last_flows.extend_from_slice(&report.flows);
        let mut kept = report.clone();
        kept.flows = Vec::new();
        self.history.push(kept);
        self.record_stories();
        self.history.last()
    }

    /// Run to step `target` (or the horizon), without keeping item
    /// movements of the skipped steps for display.
    pub fn advance_to(&mut self, target: u32) {
        while self.step_index() < target && self.step().is_some() {}
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

    fn edit(&mut self, edit: Edit) -> Result<(), SimError> {
        apply_edit(&mut self.sim, &edit)?;
        self.edits.push(LoggedEdit {
            step: self.step_index(),
            edit,
        });
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
        let mut edits = self.edits.iter().peekable();
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

    /// The scenario as loaded, without the interventions added live.
    fn original_scenario(&self) -> Scenario {
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
        let now = self.step_index();
        let step = now - 1;
        for (a, story) in self.stories.iter_mut().enumerate() {
            if let Some(state) = self.sim.lifecycle(a as u32)
                && story.states.last().is_none_or(|&(_, s)| s != state)
            {
                story.states.push((now, state));
            }
        }
        for f in &self.last_flows {
            for (agent, other, sent) in [(f.from, f.to, true), (f.to, f.from, false)] {
                let items = &mut self.stories[agent as usize].items;
                if items.len() == ITEMS_REMEMBERED {
                    items.pop_front();
                }
                items.push_back(ItemSeen {
                    step,
                    kind: f.kind,
                    other,
                    sent,
                    passed: f.passed,
                });
            }
        }
    }
}

fn apply_edit(sim: &mut Simulation, edit: &Edit) -> Result<(), SimError> {
    match edit {
        Edit::Knob(k, v) => sim.set_knob(*k, *v),
        Edit::Policy(name) => sim.apply_policy(name),
        Edit::Schedule(iv) => sim.schedule(iv.clone()),
    }
}

fn initial_stories(sim: &Simulation) -> Vec<AgentStory> {
    (0..sim.network().agents() as u32)
        .map(|a| AgentStory {
            states: sim.lifecycle(a).map(|s| (0, s)).into_iter().collect(),
            items: VecDeque::new(),
        })
        .collect()
}

#[cfg(test)]
mod tests;
