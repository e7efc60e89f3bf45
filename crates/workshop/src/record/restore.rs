//! From a workshop's state to a [`Record`], and back.
//!
//! [`Parts`] borrows what a front end holds (the app keeps these in its
//! `Workshop` resource): the runs, the side being edited, presenter mode
//! and the story step, the runs from before the story, notes and
//! predictions. [`Restored`] owns the same, rebuilt from a file.

use super::{Inspected, Note, Prediction, Record, RoomRecord, RunsRecord, Source, VERSION, hex};
use crate::compare::{Runs, Side};
use crate::layout::Picture;
use crate::record::Fnv;
use crate::session::{Refusal, Session};
use siloscope_scenario::{FieldPath, Scenario};

/// A workshop's state, borrowed.
#[derive(Clone, Copy, Debug)]
pub struct Parts<'a> {
    /// Runs A and B.
    pub runs: &'a Runs,
    /// The side edits go to.
    pub editing: Side,
    /// Presenter mode.
    pub presenting: bool,
    /// The story step shown, counted from 0.
    pub story: Option<usize>,
    /// The runs as they were before the story started.
    pub before_story: Option<&'a Runs>,
    /// The facilitator's notes.
    pub notes: &'a [Note],
    /// The room's predictions.
    pub predictions: &'a [Prediction],
    /// The picture of the organisation drawn.
    pub picture: Picture,
    /// The agent being inspected, and its run.
    pub inspected: Option<(Side, u32)>,
}

/// A workshop's state, rebuilt from a session file.
#[derive(Clone, Debug)]
pub struct Restored {
    /// Runs A and B.
    pub runs: Runs,
    /// The side edits go to.
    pub editing: Side,
    /// Presenter mode.
    pub presenting: bool,
    /// The story step shown, counted from 0.
    pub story: Option<usize>,
    /// The runs as they were before the story started.
    pub before_story: Option<Runs>,
    /// The facilitator's notes.
    pub notes: Vec<Note>,
    /// The room's predictions.
    pub predictions: Vec<Prediction>,
    /// The picture of the organisation drawn.
    pub picture: Picture,
    /// The agent being inspected, and its run.
    pub inspected: Option<(Side, u32)>,
}

impl Restored {
    /// A session of these runs alone: editing A, no story, notes or
    /// predictions, the default picture, nobody inspected.
    pub fn new(runs: Runs) -> Restored {
        Restored {
            runs,
            editing: Side::A,
            presenting: false,
            story: None,
            before_story: None,
            notes: Vec::new(),
            predictions: Vec::new(),
            picture: Picture::default(),
            inspected: None,
        }
    }

    /// Borrowed, to hash or to save again.
    pub fn parts(&self) -> Parts<'_> {
        Parts {
            runs: &self.runs,
            editing: self.editing,
            presenting: self.presenting,
            story: self.story,
            before_story: self.before_story.as_ref(),
            notes: &self.notes,
            predictions: &self.predictions,
            picture: self.picture,
            inspected: self.inspected,
        }
    }
}

/// A hash of runs A and B: each run's [`Session::state_hash`], and
/// whether B is shown.
pub fn runs_hash(runs: &Runs) -> u64 {
    let (b, comparing) = runs.b_kept();
    let mut h = Fnv::new();
    h.u64(runs.a().state_hash());
    h.u64(b.map_or(0, Session::state_hash));
    h.u64(u64::from(b.is_some()));
    h.u64(u64::from(comparing));
    h.finish()
}

impl Parts<'_> {
    /// A hash of the whole session: equal for a session and its restored
    /// copy, different when anything the room sees or the future depends
    /// on differs.
    pub fn state_hash(&self) -> u64 {
        let mut h = Fnv::new();
        h.u64(runs_hash(self.runs));
        h.debug(&(self.editing, self.presenting, self.story));
        h.debug(&(self.picture, self.inspected));
        h.u64(self.before_story.map_or(0, runs_hash));
        h.debug(&self.notes);
        h.debug(&self.predictions);
        h.finish()
    }

    /// The session as a file saves it, `saved` at this time (RFC 3339),
    /// depending on these files.
    pub fn record(&self, sources: &Sources, saved: String, ended: bool) -> Record {
        self.record_hashed(sources, saved, ended, self.state_hash())
    }

    /// [`Parts::record`] with its state hash computed already (hashing a
    /// large session is the dear part of a save).
    pub fn record_hashed(
        &self,
        sources: &Sources,
        saved: String,
        ended: bool,
        state: u64,
    ) -> Record {
        Record {
            version: VERSION,
            saved,
            ended,
            scenario: sources.scenario.clone(),
            network: sources.network.clone(),
            state: hex(state),
            runs: runs_record(self.runs),
            room: RoomRecord {
                editing: self.editing,
                presenting: self.presenting,
                story: self.story,
                before_story: self.before_story.map(runs_record),
                picture: self.picture,
                inspected: self.inspected.map(|(side, a)| Inspected {
                    side,
                    agent: self.runs.a().scenario().agent_id(a),
                }),
            },
            notes: self.notes.to_vec(),
            predictions: self.predictions.to_vec(),
        }
    }
}

/// The files a session depends on, with the hashes of their bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sources {
    /// The scenario file.
    pub scenario: Source,
    /// The network files it reads.
    pub network: Vec<Source>,
}

impl Sources {
    /// Hash the scenario at `scenario` and the network files it read (from
    /// [`siloscope_scenario::files::read_scenario_watched`]). Paths are
    /// made absolute (links resolved), so the session finds them from
    /// anywhere.
    pub fn of(
        scenario: &std::path::Path,
        network: &[std::path::PathBuf],
    ) -> Result<Sources, String> {
        let source = |p: &std::path::Path| -> Result<Source, String> {
            let hash = super::hash_file(p).map_err(|e| format!("{}: {e}", p.display()))?;
            let path = super::hash::absolute(p);
            Ok(Source {
                path: path.display().to_string(),
                hash: hex(hash),
            })
        };
        Ok(Sources {
            scenario: source(scenario)?,
            network: network
                .iter()
                .map(|p| source(p))
                .collect::<Result<_, _>>()?,
        })
    }
}

fn runs_record(runs: &Runs) -> RunsRecord {
    let (b, comparing) = runs.b_kept();
    RunsRecord {
        a: runs.a().record(),
        b: b.map(Session::record),
        comparing,
    }
}

/// Rebuild saved runs; `at` is where they are in the file.
pub(super) fn restore_runs(
    scenario: &Scenario,
    r: &RunsRecord,
    at: &FieldPath,
) -> Result<Runs, Refusal> {
    let a = Session::restore(scenario, &r.a, &at.field("a"))?;
    let b = match &r.b {
        None => None,
        Some(b) => {
            let here = at.field("b");
            let b = Session::restore(scenario, b, &here)?;
            if b.seed() != a.seed() {
                return Err(Refusal::at(
                    here.field("seed"),
                    format!(
                        "run B has seed {}, run A {}: B is always A's seed",
                        b.seed(),
                        a.seed()
                    ),
                ));
            }
            if r.comparing && b.step_index() != a.step_index() {
                return Err(Refusal::at(
                    here.field("step"),
                    format!(
                        "run B is at step {}, run A at {}: compared runs are in lock-step",
                        b.step_index(),
                        a.step_index()
                    ),
                ));
            }
            Some(b)
        }
    };
    if r.comparing && b.is_none() {
        return Err(Refusal::at(
            at.field("comparing"),
            "comparing, but there is no run B",
        ));
    }
    Ok(Runs::from_parts(a, b, r.comparing))
}

/// Rebuild a whole saved session of `scenario`.
pub(super) fn restore(scenario: &Scenario, record: &Record) -> Result<Restored, Refusal> {
    let root = FieldPath::root();
    let runs = restore_runs(scenario, &record.runs, &root.field("runs"))?;
    let room = &record.room;
    let here = root.field("room");
    if let Some(i) = room.story
        && i >= scenario.story.len()
    {
        return Err(Refusal::at(
            here.field("story"),
            format!(
                "story step {} (counted from 0), but the scenario's story has {} steps",
                i,
                scenario.story.len()
            ),
        ));
    }
    if room.editing == Side::B && runs.b().is_none() {
        return Err(Refusal::at(
            here.field("editing"),
            "editing run B, but B is not shown",
        ));
    }
    let before_story = match &room.before_story {
        None => None,
        Some(r) => Some(restore_runs(scenario, r, &here.field("before_story"))?),
    };
    let horizon = scenario.steps;
    for (i, note) in record.notes.iter().enumerate() {
        if note.step > horizon {
            return Err(Refusal::at(
                root.field("notes").index(i).field("step"),
                format!(
                    "step {} is past the scenario's horizon ({horizon} steps)",
                    note.step
                ),
            ));
        }
        if let Some(id) = &note.agent
            && scenario.find_agent(id).is_none()
        {
            return Err(Refusal::at(
                root.field("notes").index(i).field("agent"),
                format!(
                    "no agent \"{id}\" in the scenario; ids are a group name and a number, e.g. \"{}\"",
                    scenario.agent_id(0)
                ),
            ));
        }
    }
    for (i, p) in record.predictions.iter().enumerate() {
        if let Some(problem) = p.step_problem(horizon) {
            return Err(Refusal::at(
                root.field("predictions").index(i).field("step"),
                problem,
            ));
        }
    }
    let inspected = match &room.inspected {
        None => None,
        Some(Inspected { side, agent }) => {
            let here = here.field("inspected");
            let Some(a) = scenario.find_agent(agent) else {
                return Err(Refusal::at(
                    here.field("agent"),
                    format!("no agent \"{agent}\" in the scenario"),
                ));
            };
            if runs.side(*side).is_none() {
                return Err(Refusal::at(
                    here.field("side"),
                    "an agent of run B, but B is not shown",
                ));
            }
            Some((*side, a))
        }
    };
    Ok(Restored {
        runs,
        editing: room.editing,
        presenting: room.presenting,
        story: room.story,
        before_story,
        notes: record.notes.clone(),
        predictions: record.predictions.clone(),
        picture: room.picture,
        inspected,
    })
}
