//! The run the room watches, as bevy resources and messages, with no
//! rendering: it runs under `MinimalPlugins` in the tests.
//!
//! - [`Workshop`] holds the [`Runs`] — run A and, while comparing, run B
//!   in lock-step, each a [`Session`] with its history, live edits and
//!   rewind — the scenario file they came from, the story position, and
//!   what to tell the room about loading (errors, notices).
//! - [`Playback`] is play/pause and speed.
//! - Everything that changes the run arrives as a [`Control`] message —
//!   buttons, sliders and shortcuts all send them — and is applied between
//!   steps, in [`WorkshopSystems::Controls`].
//! - [`Stepped`] is sent for each computed step (the view animates its
//!   items); [`Workshop::generation`] changes when the organisation is
//!   rebuilt (the view lays it out again).
//! - While comparing, [`LuckCheck`] replays A and B on paired seeds in the
//!   background ("is it luck?").
//! - The scenario file is polled four times a second; a valid edit
//!   rebuilds the run and replays it to the step on screen, an invalid
//!   one keeps the last good run and shows the errors.
//! - The room's phones may play run A ([`Hosting`], `room.rs`): a round's
//!   steps come from the room, the facilitator's changes go to it.
//! - The session is never lost ([`Keeping`], `keep.rs`): saved every few
//!   seconds while it changes, with the facilitator's notes and the
//!   room's predictions, and offered back after a crash.

mod advance;
mod commands;
mod keep;
mod luck;
mod room;

use advance::{advance, watch_scenario};
use bevy::prelude::*;
use commands::apply_commands;
pub use keep::{Keeping, Seen, restore};
pub use luck::LuckCheck;
pub use room::{DEFAULT_PORT, Hosting, RoomControl};
use siloscope_model::knob::Knob;
use siloscope_scenario::files;
use siloscope_scenario::{Intervention, Scenario};
use siloscope_workshop::compare::{Runs, Side};
use siloscope_workshop::record::{Note, Parts, Prediction, Sources};
use siloscope_workshop::session::Session;
use siloscope_workshop::story::Staging;
use siloscope_workshop::watch::FileWatch;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How often the scenario file is checked.
pub const WATCH_PERIOD: Duration = Duration::from_millis(250);
/// Most steps computed in one frame, however fast the playback.
pub const MAX_STEPS_PER_FRAME: u32 = 8;
/// Playback speeds offered, in steps per second.
pub const SPEEDS: [f32; 7] = [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0];

/// How long a notice holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Until {
    /// While the run is at its end ("end of the run", "at its horizon").
    AtEnd,
    /// While the scenario file reads without errors (a reload's notice).
    FileGood,
}

/// Where presenter mode is in the scenario's story.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StoryAt {
    /// The story step shown.
    pub index: usize,
    /// How the view is staged for it.
    pub staging: Staging,
}

/// The runs on screen and where they came from.
#[derive(Resource)]
pub struct Workshop {
    /// Run A and, while comparing, run B.
    pub runs: Runs,
    /// The side knob, policy and intervention edits go to.
    pub editing: Side,
    /// Presenter mode: full screen, panels hidden, large type.
    pub presenting: bool,
    /// The story step shown, while telling the story.
    pub story: Option<StoryAt>,
    /// The runs as they were before the story started (a story restarts
    /// them); [`Control::RestoreRuns`] brings them back.
    pub before_story: Option<Runs>,
    /// The scenario file.
    pub path: PathBuf,
    /// Errors of the last load that failed, while the last good run goes
    /// on (cleared by a good load).
    pub errors: Option<String>,
    /// The last thing worth telling the room (reloads, exports).
    pub notice: Option<String>,
    /// Bumped whenever the organisation is rebuilt.
    pub generation: u64,
    /// The facilitator's notes, pinned to steps (and agents).
    pub notes: Vec<Note>,
    /// The room's predictions.
    pub predictions: Vec<Prediction>,
    /// The files the runs were built from, with their hashes (what a saved
    /// session names); `None` if they could not be read back.
    pub sources: Option<Sources>,
    watch: FileWatch,
    watch_timer: Timer,
    /// A notice that holds only for a while, and until when (see
    /// [`Workshop::tell_until`]).
    held: Option<(String, Until)>,
}

impl Workshop {
    /// Load `path` and build its run. `policy` and `seed` override the
    /// scenario's.
    pub fn open(path: &Path, policy: Option<String>, seed: Option<u64>) -> anyhow::Result<Self> {
        let (scenario, network) = files::read_scenario_watched(path);
        let scenario = scenario?;
        let session = Session::new(&scenario, policy, seed)?;
        let sources = Sources::of(path, &network).ok();
        Ok(Workshop {
            runs: Runs::new(session),
            editing: Side::A,
            presenting: false,
            story: None,
            before_story: None,
            path: path.to_owned(),
            errors: None,
            notice: None,
            generation: 0,
            notes: Vec::new(),
            predictions: Vec::new(),
            sources,
            watch: FileWatch::with(path, network),
            watch_timer: Timer::new(WATCH_PERIOD, TimerMode::Repeating),
            held: None,
        })
    }

    /// Run A: the run of a single-run workshop, the left side of a
    /// comparison.
    pub fn session(&self) -> &Session {
        self.runs.a()
    }

    /// The side edits go to (A unless B is being compared and chosen).
    pub fn edited_side(&self) -> Side {
        if self.runs.comparing() {
            self.editing
        } else {
            Side::A
        }
    }

    /// The run edits go to, to show its knobs.
    pub fn edited_session(&self) -> &Session {
        self.runs.side(self.edited_side()).unwrap_or(self.runs.a())
    }

    /// The run edits go to (A unless B is being compared and chosen).
    pub fn edited(&mut self) -> &mut Session {
        let side = if self.runs.comparing() {
            self.editing
        } else {
            Side::A
        };
        match side {
            Side::A => self.runs.a_mut(),
            Side::B => self.runs.b_mut().expect("B is compared"),
        }
    }

    /// The scenario of the run.
    pub fn scenario(&self) -> &Scenario {
        self.session().scenario()
    }

    /// The session as a file saves it, borrowed, without what the view
    /// shows ([`parts`] adds it).
    pub fn parts(&self) -> Parts<'_> {
        Parts {
            runs: &self.runs,
            editing: self.edited_side(),
            presenting: self.presenting,
            story: self.story.map(|s| s.index),
            before_story: self.before_story.as_ref(),
            notes: &self.notes,
            predictions: &self.predictions,
            picture: siloscope_workshop::layout::Picture::default(),
            inspected: None,
        }
    }

    /// How the view is staged (the story's, or the whole organisation).
    pub fn staging(&self) -> Staging {
        self.story.map(|s| s.staging).unwrap_or_default()
    }

    /// Show `notice` until `until` stops holding ([`advance::expire_notices`]);
    /// another notice replaces it as usual.
    fn tell_until(&mut self, notice: String, until: Until) {
        self.notice = Some(notice.clone());
        self.held = Some((notice, until));
    }

    fn rebuilt(&mut self) {
        self.generation += 1;
    }
}

/// Play/pause and speed.
#[derive(Resource, Clone, Debug, PartialEq)]
pub struct Playback {
    /// Stepping on its own.
    pub playing: bool,
    /// Steps per second while playing.
    pub steps_per_second: f32,
    /// Fraction of a step owed to the clock.
    owed: f32,
}

impl Default for Playback {
    fn default() -> Self {
        Playback {
            playing: false,
            steps_per_second: 4.0,
            owed: 0.0,
        }
    }
}

impl Playback {
    fn faster(&mut self) {
        self.steps_per_second = SPEEDS
            .iter()
            .copied()
            .find(|&s| s > self.steps_per_second + 1e-3)
            .unwrap_or(SPEEDS[SPEEDS.len() - 1]);
    }

    fn slower(&mut self) {
        self.steps_per_second = SPEEDS
            .iter()
            .rev()
            .copied()
            .find(|&s| s < self.steps_per_second - 1e-3)
            .unwrap_or(SPEEDS[0]);
    }
}

/// Something the facilitator asked for.
#[derive(Message, Clone, Debug, PartialEq)]
pub enum Control {
    /// Play if paused, pause if playing.
    TogglePlay,
    /// Pause.
    Pause,
    /// Compute exactly one step (and pause).
    Step,
    /// Back to step 0, same seed.
    Reset,
    /// Back to step 0 with the next seed.
    NewSeed,
    /// One speed up.
    Faster,
    /// One speed down.
    Slower,
    /// Set a knob live.
    SetKnob(Knob, f32),
    /// Switch to a policy live.
    Policy(String),
    /// Schedule an intervention.
    Schedule(Intervention),
    /// Open another scenario file.
    Open(PathBuf),
    /// Save the run's time series as CSV.
    ExportCsv(PathBuf),
    /// Go to a step: back by rewinding, forward by computing (and pause).
    Goto(u32),
    /// One step back (and pause).
    StepBack,
    /// Compare with run B under this policy (same scenario and seed).
    Compare(String),
    /// Show run B or not (it is kept while hidden).
    SetComparing(bool),
    /// Send edits to this side.
    Edit(Side),
    /// Presenter mode on or off; on starts the story if there is one.
    Present(bool),
    /// The story's next step.
    StoryNext,
    /// The story's previous step.
    StoryBack,
    /// Back to the runs as they were before the story started.
    RestoreRuns,
    /// Restore a saved session (`*.session.ron`) of this scenario and go on
    /// saving into it.
    RestoreSession(PathBuf),
    /// Start afresh rather than restore the session offered.
    DeclineSession,
    /// Pin a note.
    AddNote(Note),
    /// Remove a note (by its place in the list).
    RemoveNote(usize),
    /// Record a prediction.
    AddPrediction(Prediction),
    /// Remove a prediction (by its place in the list).
    RemovePrediction(usize),
    /// Write the debrief page here.
    ExportDebrief(PathBuf),
}

/// A step was computed (its index).
#[derive(Message, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stepped(pub u32);

/// Ordering of the workshop's systems within `Update`.
#[derive(SystemSet, Clone, Debug, PartialEq, Eq, Hash)]
pub enum WorkshopSystems {
    /// Controls are applied.
    Controls,
    /// The scenario file is checked.
    Watch,
    /// Steps are computed.
    Advance,
}

/// Controls, file watching and playback. Needs a [`Workshop`] resource.
pub struct WorkshopPlugin;

impl Plugin for WorkshopPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<Playback>()
            .init_resource::<LuckCheck>()
            .init_resource::<Keeping>()
            .add_message::<Control>()
            .add_message::<Stepped>()
            .add_message::<RoomControl>()
            .configure_sets(
                Update,
                (
                    WorkshopSystems::Controls,
                    WorkshopSystems::Watch,
                    WorkshopSystems::Advance,
                )
                    .chain(),
            )
            .add_systems(
                Update,
                (
                    apply_commands.in_set(WorkshopSystems::Controls),
                    keep::apply_keep_controls
                        .in_set(WorkshopSystems::Controls)
                        .after(apply_commands),
                    room::follow_room.before(WorkshopSystems::Controls),
                    room::apply_room_controls
                        .in_set(WorkshopSystems::Controls)
                        .after(keep::apply_keep_controls),
                    room::hand_to_room.after(WorkshopSystems::Advance),
                    watch_scenario.in_set(WorkshopSystems::Watch),
                    (advance, advance::expire_notices)
                        .chain()
                        .in_set(WorkshopSystems::Advance),
                    luck::check_luck.after(WorkshopSystems::Advance),
                    keep::keep_session.after(WorkshopSystems::Advance),
                ),
            )
            .add_systems(Last, keep::end_session);
    }
}
