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
//! - The scenario file is polled four times a second; a valid edit
//!   rebuilds the run and replays it to the step on screen, an invalid
//!   one keeps the last good run and shows the errors.

use bevy::prelude::*;
use siloscope_model::knob::Knob;
use siloscope_scenario::files;
use siloscope_scenario::{Intervention, Scenario};
use siloscope_workshop::compare::{Runs, Side};
use siloscope_workshop::session::Session;
use siloscope_workshop::story::{self, Staging};
use siloscope_workshop::watch::FileWatch;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How often the scenario file is checked.
pub const WATCH_PERIOD: Duration = Duration::from_millis(250);
/// Most steps computed in one frame, however fast the playback.
pub const MAX_STEPS_PER_FRAME: u32 = 8;
/// Playback speeds offered, in steps per second.
pub const SPEEDS: [f32; 7] = [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0];

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
    watch: FileWatch,
    watch_timer: Timer,
}

impl Workshop {
    /// Load `path` and build its run. `policy` and `seed` override the
    /// scenario's.
    pub fn open(path: &Path, policy: Option<String>, seed: Option<u64>) -> anyhow::Result<Self> {
        let scenario = files::read_scenario(path)?;
        let session = Session::new(&scenario, policy, seed)?;
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
            watch: FileWatch::new(path),
            watch_timer: Timer::new(WATCH_PERIOD, TimerMode::Repeating),
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

    /// How the view is staged (the story's, or the whole organisation).
    pub fn staging(&self) -> Staging {
        self.story.map(|s| s.staging).unwrap_or_default()
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
            .add_message::<Control>()
            .add_message::<Stepped>()
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
                    watch_scenario.in_set(WorkshopSystems::Watch),
                    advance.in_set(WorkshopSystems::Advance),
                ),
            );
    }
}

fn apply_commands(
    mut commands: MessageReader<Control>,
    mut workshop: ResMut<Workshop>,
    mut playback: ResMut<Playback>,
    mut stepped: MessageWriter<Stepped>,
) {
    for command in commands.read() {
        let w = &mut *workshop;
        let result: anyhow::Result<()> = match command {
            Control::TogglePlay => {
                if !playback.playing && w.session().at_end() {
                    w.notice = Some("the run is at its horizon: reset (R) to play it again".into());
                }
                playback.playing = !playback.playing && !w.session().at_end();
                playback.owed = 0.0;
                Ok(())
            }
            Control::Pause => {
                playback.playing = false;
                Ok(())
            }
            Control::Step => {
                playback.playing = false;
                if w.runs.step() {
                    stepped.write(Stepped(w.session().step_index() - 1));
                }
                Ok(())
            }
            Control::Reset => w.runs.reset().map_err(Into::into).map(|()| {
                playback.playing = false;
                w.notice = Some(format!("reset to step 0 (seed {})", w.session().seed()));
            }),
            Control::NewSeed => {
                let seed = w.session().seed().wrapping_add(1);
                w.runs.reseed(seed).map_err(Into::into).map(|()| {
                    playback.playing = false;
                    w.notice = Some(format!("new seed {seed}: the organisation is regenerated"));
                    w.rebuilt();
                })
            }
            Control::Faster => {
                playback.faster();
                Ok(())
            }
            Control::Slower => {
                playback.slower();
                Ok(())
            }
            Control::SetKnob(k, v) => w.edited().set_knob(*k, *v).map_err(Into::into),
            Control::Policy(name) => {
                let side = w.runs.comparing().then_some(w.editing);
                let session = w.edited();
                let result = session.apply_policy(name);
                let step = session.step_index();
                result.map_err(Into::into).map(|()| {
                    let on = side
                        .map(|s| format!(" on {}", s.label()))
                        .unwrap_or_default();
                    w.notice = Some(format!("policy {name}{on} from step {step}"));
                })
            }
            Control::Schedule(iv) => w.edited().schedule(iv.clone()).map_err(Into::into),
            Control::Open(path) => open(w, path).map(|()| playback.playing = false),
            Control::ExportCsv(path) => export(w, path),
            Control::Goto(step) => {
                playback.playing = false;
                goto(w, *step, &mut stepped);
                Ok(())
            }
            Control::StepBack => {
                playback.playing = false;
                let step = w.session().step_index().saturating_sub(1);
                goto(w, step, &mut stepped);
                Ok(())
            }
            Control::Compare(policy) => w.runs.compare(policy).map_err(Into::into).map(|()| {
                w.notice = Some(format!(
                    "comparing: A {} and B {policy}, same seed, in lock-step",
                    policy_name(w.session())
                ));
                w.rebuilt();
            }),
            Control::SetComparing(on) => {
                w.runs.set_comparing(*on);
                if !w.runs.comparing() {
                    w.editing = Side::A;
                }
                w.rebuilt();
                Ok(())
            }
            Control::Edit(side) => {
                w.editing = *side;
                Ok(())
            }
            Control::Present(on) => {
                w.presenting = *on;
                playback.playing = false;
                if *on && !w.scenario().story.is_empty() {
                    tell(w, 0)
                } else {
                    w.story = None;
                    Ok(())
                }
            }
            Control::StoryNext => match w.story {
                Some(at) if at.index + 1 < w.scenario().story.len() => {
                    playback.playing = false;
                    let step = w.scenario().story[at.index + 1].clone();
                    let staging = story::perform(&step, &mut w.runs);
                    w.rebuilt();
                    staging.map_err(Into::into).map(|staging| {
                        w.story = Some(StoryAt {
                            index: at.index + 1,
                            staging,
                        });
                    })
                }
                Some(_) => {
                    w.notice = Some("that was the story's last step".into());
                    Ok(())
                }
                None if !w.scenario().story.is_empty() => tell(w, 0),
                None => {
                    w.notice = Some("this scenario has no story".into());
                    Ok(())
                }
            },
            Control::StoryBack => match w.story {
                Some(at) if at.index > 0 => tell(w, at.index - 1),
                _ => Ok(()),
            },
            Control::RestoreRuns => {
                if let Some(runs) = w.before_story.take() {
                    w.runs = runs;
                    w.story = None;
                    w.presenting = false;
                    w.editing = Side::A;
                    playback.playing = false;
                    w.notice = Some(format!(
                        "back to your run at step {}",
                        w.session().step_index()
                    ));
                    w.rebuilt();
                }
                Ok(())
            }
        };
        if let Err(e) = result {
            w.notice = Some(format!("{e:#}"));
        }
    }
}

fn policy_name(s: &Session) -> &str {
    s.sim().policy().unwrap_or("(scenario knobs)")
}

/// Both runs to `step`; the view animates the items of the step that led
/// there.
fn goto(w: &mut Workshop, step: u32, stepped: &mut MessageWriter<Stepped>) {
    w.runs.goto(step);
    let now = w.session().step_index();
    if now > 0 {
        stepped.write(Stepped(now - 1));
    }
}

/// Tell the story from the start to step `index` (stepping back performs
/// it again from the start: the same state as going forward).
fn tell(w: &mut Workshop, index: usize) -> anyhow::Result<()> {
    if w.story.is_none() && w.before_story.is_none() {
        // The story restarts the runs: keep the facilitator's own (from
        // before the first telling, until they are restored).
        w.before_story = Some(w.runs.clone());
    }
    let story = w.scenario().story.clone();
    let staging = story::perform_to(&story, index, &mut w.runs)?;
    w.story = Some(StoryAt { index, staging });
    w.editing = Side::A;
    w.rebuilt();
    Ok(())
}

fn export(w: &mut Workshop, path: &Path) -> anyhow::Result<()> {
    let mut written = vec![path.to_owned()];
    w.session()
        .write_csv(path)
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    if let Some(b) = w.runs.b() {
        let path_b = path.with_file_name(format!(
            "{}_B.csv",
            path.file_stem().unwrap_or_default().to_string_lossy()
        ));
        b.write_csv(&path_b)
            .map_err(|e| anyhow::anyhow!("{}: {e}", path_b.display()))?;
        written.push(path_b);
    }
    let names: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
    w.notice = Some(format!("saved {}", names.join(" and ")));
    Ok(())
}

/// Switch to another scenario file; on error the current run stays.
fn open(w: &mut Workshop, path: &Path) -> anyhow::Result<()> {
    match files::read_scenario(path) {
        Ok(scenario) => {
            w.runs = Runs::new(Session::new(&scenario, None, None)?);
            w.editing = Side::A;
            w.story = None;
            w.before_story = None;
            w.path = path.to_owned();
            w.watch = FileWatch::new(path);
            w.errors = None;
            w.notice = Some(format!("opened {}", path.display()));
            w.rebuilt();
            Ok(())
        }
        Err(errors) => {
            w.errors = Some(errors.to_string());
            Err(anyhow::anyhow!(
                "{} has errors; still showing {}",
                path.display(),
                w.path.display()
            ))
        }
    }
}

fn watch_scenario(time: Res<Time>, mut workshop: ResMut<Workshop>) {
    let w = &mut *workshop;
    if !w.watch_timer.tick(time.delta()).just_finished() || !w.watch.changed() {
        return;
    }
    match files::read_scenario(&w.path) {
        Ok(scenario) => match w.runs.reload(&scenario) {
            Ok(done) => {
                w.errors = None;
                let mut notice = format!(
                    "{} changed: rebuilt and replayed to step {}",
                    w.path.display(),
                    done.step
                );
                if !done.refused.is_empty() {
                    notice.push_str(&format!("; not replayed: {}", done.refused.join("; ")));
                }
                w.notice = Some(notice);
                // The story's staging may no longer fit the new file.
                if w.story.is_some_and(|at| at.index >= scenario.story.len()) {
                    w.story = None;
                }
                if !w.runs.comparing() {
                    w.editing = Side::A;
                }
                w.rebuilt();
            }
            Err(e) => w.errors = Some(format!("{}: {e}", w.path.display())),
        },
        Err(_) if !w.path.exists() => {
            w.errors = Some(format!(
                "{} is gone (deleted or moved); the run goes on with the version read last, and reloads when the file is back",
                w.path.display()
            ));
        }
        Err(errors) => w.errors = Some(errors.to_string()),
    }
}

fn advance(
    time: Res<Time>,
    mut workshop: ResMut<Workshop>,
    mut playback: ResMut<Playback>,
    mut stepped: MessageWriter<Stepped>,
) {
    if !playback.playing {
        return;
    }
    playback.owed += time.delta_secs() * playback.steps_per_second;
    let mut done = 0;
    while playback.owed >= 1.0 && done < MAX_STEPS_PER_FRAME {
        playback.owed -= 1.0;
        done += 1;
        if !workshop.runs.step() {
            break;
        }
        stepped.write(Stepped(workshop.session().step_index() - 1));
    }
    // A slow frame does not build up a backlog of steps.
    playback.owed = playback.owed.min(1.0);
    if workshop.session().at_end() {
        playback.playing = false;
        workshop.notice = Some(format!(
            "end of the run: {} {}s",
            workshop.session().horizon(),
            workshop.scenario().step_unit
        ));
    }
}
