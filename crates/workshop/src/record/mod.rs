//! Workshop sessions that are never lost: everything a facilitator's
//! session is, saved as one small RON file (`*.session.ron`) and restored
//! exactly.
//!
//! A run is deterministic, so a session is saved as what made it, not as
//! its state: for runs A and B, the starting policy and seed, the step on
//! screen and the live edits with the steps they were made before; the
//! timeline kept from before the last rewind (the *ghost* the charts draw
//! beside the new one) as its own edits and length; whether B is shown,
//! the side edits go to, presenter mode and the story step; the runs as
//! they were before the story started; the facilitator's notes pinned to a
//! step (and an agent) and the room's predictions. Restoring rebuilds each
//! run from step 0 along its edits, so the restored session is the saved
//! one bit for bit: [`Parts::state_hash`] of both is the same, and the file
//! carries the hash of the session it saved, so a restore can prove it.
//!
//! The scenario is referenced, not copied: the file names it (and the
//! network files it reads) with a hash of each file's bytes. A session
//! whose scenario changed since is refused with both hashes and the file
//! ([`SessionError::SourceChanged`]): replaying edits against different
//! content would show the room a workshop that never happened.
//!
//! Reading is hostile-proof: a regular file of at most
//! [`MAX_SESSION_BYTES`], UTF-8, RON of the shape below, version
//! [`VERSION`]; every problem is reported at its line, column and field,
//! never as a panic (the parser is a fuzz target).
//!
//! ```ron
//! Session(
//!     version: 1,
//!     saved: "2026-11-29T10:32:05Z",
//!     ended: false,
//!     scenario: (path: "/home/ann/workshop.scenario.ron", hash: "5f0c9e4a1d2b3c4e"),
//!     network: [],
//!     state: "9d1f0c6a2b3e4f50",
//!     runs: (
//!         a: (policy: Some("inside_out"), seed: None, step: 47, edits: [
//!             (step: 30, edit: Knob("transparency", 0.8)),
//!         ], ghost: None),
//!         b: Some((policy: Some("connected"), seed: None, step: 47, edits: [], ghost: None)),
//!         comparing: true,
//!     ),
//!     room: (editing: A, presenting: false, story: None, before_story: None,
//!            picture: Extranet, inspected: Some((side: A, agent: "Small business#3"))),
//!     notes: [(step: 30, side: A, agent: Some("Small business#3"), text: "she left here")],
//!     predictions: [(metric: "loop_closure_share", step: 52, value: 0.3, by: "Sales", side: A)],
//! )
//! ```
//!
//! - `hash.rs`: content hashes of the files and the state hash;
//! - `file.rs`: reading, writing and checking the file;
//! - `restore.rs`: from a file back to runs, and from runs to a file;
//! - `autosave.rs`: where sessions are saved, when, and which to offer
//!   back after a crash.

mod autosave;
mod file;
mod hash;
mod restore;

#[cfg(test)]
mod played_tests;
#[cfg(test)]
mod tests;

pub use autosave::{
    Autosave, SessionInfo, mark_ended, rfc3339, sessions_dir, sessions_of, unfinished, when,
};
pub use file::{ChangedElsewhere, MAX_SESSION_BYTES, SessionFile, VERSION, to_text, write};
pub use hash::{Fnv, hash_file};
pub use restore::{Parts, Restored, Sources};

use crate::compare::Side;
use serde::{Deserialize, Serialize};
use siloscope_model::sim::Decision;
use std::fmt;

/// A session as saved.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename = "Session", deny_unknown_fields)]
pub struct Record {
    /// The format's version ([`VERSION`]).
    pub version: u32,
    /// When it was saved (UTC, RFC 3339).
    pub saved: String,
    /// Whether the session was closed on purpose (a session not ended is
    /// offered back on the next start).
    #[serde(default)]
    pub ended: bool,
    /// The scenario file and the hash of its bytes.
    pub scenario: Source,
    /// The network files the scenario reads, with their hashes.
    #[serde(default)]
    pub network: Vec<Source>,
    /// [`Parts::state_hash`] of the session saved, in hex.
    pub state: String,
    /// Runs A and B.
    pub runs: RunsRecord,
    /// What the room sees besides the runs.
    pub room: RoomRecord,
    /// The facilitator's notes.
    #[serde(default)]
    pub notes: Vec<Note>,
    /// The room's predictions.
    #[serde(default)]
    pub predictions: Vec<Prediction>,
}

/// A file a session depends on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Its path (absolute when saved by the app).
    pub path: String,
    /// [`hash_file`] of its bytes, in hex.
    pub hash: String,
}

/// Runs A and B ([`crate::compare::Runs`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunsRecord {
    /// Run A.
    pub a: RunRecord,
    /// Run B, kept while the comparison is off.
    #[serde(default)]
    pub b: Option<RunRecord>,
    /// Whether B is shown.
    #[serde(default)]
    pub comparing: bool,
}

/// One run ([`crate::session::Session`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunRecord {
    /// The policy it started under (`None`: the scenario's).
    #[serde(default)]
    pub policy: Option<String>,
    /// Its seed (`None`: the scenario's).
    #[serde(default)]
    pub seed: Option<u64>,
    /// The step on screen (steps computed).
    pub step: u32,
    /// Live edits, in order (after a rewind also those of steps not yet
    /// computed again).
    #[serde(default)]
    pub edits: Vec<EditRecord>,
    /// The timeline before the last rewind.
    #[serde(default)]
    pub ghost: Option<GhostRecord>,
}

/// The timeline kept from before the last rewind.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GhostRecord {
    /// Its length in steps.
    pub steps: u32,
    /// The edits it was computed with.
    #[serde(default)]
    pub edits: Vec<EditRecord>,
    /// The step at which the run on screen left it, if it did.
    #[serde(default)]
    pub branched_at: Option<u32>,
}

/// A live edit and the step it was made before.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EditRecord {
    /// The step it takes effect in.
    pub step: u32,
    /// What changed.
    pub edit: EditKind,
}

/// What a live edit changed, with knobs and policies by name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum EditKind {
    /// A knob set to a value.
    Knob(String, f32),
    /// A switch to a named policy.
    Policy(String),
    /// An intervention scheduled at a step.
    Schedule {
        /// The step at whose start it takes effect.
        at: u32,
        /// What it does.
        action: ActionRecord,
    },
    /// A played agent's decisions for the step.
    Decide {
        /// The agent, by id (`Small business#3`).
        agent: String,
        /// Its choices; those left out follow the rules.
        choices: Decision,
    },
}

/// What a scheduled intervention does.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ActionRecord {
    /// Set knobs.
    Set(Vec<(String, f32)>),
    /// Switch to a policy.
    Policy(String),
    /// Run a campaign.
    Campaign {
        /// Steps it runs.
        duration: u32,
        /// Extra reach per step.
        reach: f32,
    },
}

/// What the room sees besides the runs.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoomRecord {
    /// The side knob, policy and intervention edits go to.
    #[serde(default)]
    pub editing: Side,
    /// Presenter mode.
    #[serde(default)]
    pub presenting: bool,
    /// The story step shown (counted from 0), while telling the story.
    #[serde(default)]
    pub story: Option<usize>,
    /// The runs as they were before the story started.
    #[serde(default)]
    pub before_story: Option<RunsRecord>,
    /// The picture of the organisation drawn.
    #[serde(default)]
    pub picture: crate::layout::Picture,
    /// The agent being inspected.
    #[serde(default)]
    pub inspected: Option<Inspected>,
}

/// The agent being inspected, in a run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inspected {
    /// The run.
    #[serde(default)]
    pub side: Side,
    /// The agent, by id (`Small business#3`).
    pub agent: String,
}

/// A note the facilitator pinned to a step of a run, and perhaps to an
/// agent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Note {
    /// The step (steps computed when it was written: 0 is the start).
    pub step: u32,
    /// The run it is about.
    #[serde(default)]
    pub side: Side,
    /// The agent it is about, by id (`Small business#3`).
    #[serde(default)]
    pub agent: Option<String>,
    /// What the facilitator wrote.
    pub text: String,
}

/// A prediction the room made before a run: a headline figure after so
/// many steps.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prediction {
    /// A headline metric ([`crate::headline::HEADLINES`]).
    pub metric: String,
    /// After how many steps.
    pub step: u32,
    /// The value predicted.
    pub value: f64,
    /// Who predicted it (a name, a table, a department; may be empty).
    #[serde(default)]
    pub by: String,
    /// The run it is about.
    #[serde(default)]
    pub side: Side,
}

impl Prediction {
    /// What is wrong with it whatever the scenario, by field: the app
    /// refuses what a session file would, so it never saves a session it
    /// could not read back.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut problems = Vec::new();
        if crate::headline::headline(&self.metric).is_none() {
            problems.push((
                "metric",
                format!(
                    "\"{}\" is not a headline figure; predictions are of: {}",
                    self.metric,
                    crate::headline::HEADLINES
                        .iter()
                        .map(|h| h.metric)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        if !self.value.is_finite() || self.value.abs() > MAX_PREDICTION {
            problems.push((
                "value",
                format!("a prediction is a number from −{MAX_PREDICTION:e} to {MAX_PREDICTION:e}"),
            ));
        }
        if self.by.chars().count() > MAX_TEXT_CHARS {
            problems.push(("by", format!("longer than {MAX_TEXT_CHARS} characters")));
        }
        problems
    }

    /// Why its step does not fit a run of `horizon` steps, if it does not.
    pub fn step_problem(&self, horizon: u32) -> Option<String> {
        (self.step == 0 || self.step > horizon).then(|| {
            format!(
                "after {} steps: a prediction is for a step from 1 to the horizon ({horizon})",
                self.step
            )
        })
    }
}

/// Largest prediction, either way (money is the largest figure).
pub const MAX_PREDICTION: f64 = 1e12;

/// Longest note or prediction label kept, in characters.
pub const MAX_TEXT_CHARS: usize = 2_000;
/// Most notes, and most predictions, a session holds.
pub const MAX_NOTES: usize = 1_000;
/// Most live edits per timeline a session file may hold.
pub const MAX_EDITS: usize = 100_000;

/// Why a session could not be read or restored.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// Problems in the session file, each at its line, column and field.
    #[error("{0}")]
    File(siloscope_scenario::ScenarioErrors),
    /// A file the session depends on changed since it was saved.
    #[error(
        "{session}: the session was saved with {path} at hash {recorded}, but the file now has hash {now}: it changed since, so the session is not replayed against different content (open the scenario afresh, or restore the file as it was)"
    )]
    SourceChanged {
        /// The session file.
        session: String,
        /// The file that changed.
        path: String,
        /// Its hash when the session was saved.
        recorded: String,
        /// Its hash now.
        now: String,
    },
    /// A file the session depends on cannot be read.
    #[error("{session}: the session needs {path}, which cannot be read: {why}")]
    SourceMissing {
        /// The session file.
        session: String,
        /// The file.
        path: String,
        /// Why.
        why: String,
    },
    /// The scenario the session names has errors now.
    #[error("{session}: its scenario has errors:\n{errors}")]
    Scenario {
        /// The session file.
        session: String,
        /// The scenario's errors.
        errors: siloscope_scenario::ScenarioErrors,
    },
    /// The restored session is not the one saved (its state hash differs).
    #[error(
        "{session}: the restored session has state {now}, the file says {recorded}: it was not restored exactly"
    )]
    NotExact {
        /// The session file.
        session: String,
        /// The hash in the file.
        recorded: String,
        /// The hash of the session restored.
        now: String,
    },
}

impl From<siloscope_scenario::ScenarioError> for SessionError {
    fn from(e: siloscope_scenario::ScenarioError) -> Self {
        SessionError::File(e.into())
    }
}

/// A hash as the file writes it: 16 hex digits.
pub fn hex(h: u64) -> String {
    format!("{h:016x}")
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}
