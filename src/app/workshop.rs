//! The run the room watches, as bevy resources and messages, with no
//! rendering: it runs under `MinimalPlugins` in the tests.
//!
//! - [`Workshop`] holds the [`Session`] (the run, its history and live
//!   edits), the scenario file it came from, and what to tell the room
//!   about loading (errors, notices).
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

use crate::files;
use crate::knob::Knob;
use crate::scenario::{Intervention, Scenario};
use crate::session::Session;
use crate::watch::FileWatch;
use bevy::prelude::*;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How often the scenario file is checked.
pub const WATCH_PERIOD: Duration = Duration::from_millis(250);
/// Most steps computed in one frame, however fast the playback.
pub const MAX_STEPS_PER_FRAME: u32 = 8;
/// Playback speeds offered, in steps per second.
pub const SPEEDS: [f32; 7] = [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0];

/// The run on screen and where it came from.
#[derive(Resource)]
pub struct Workshop {
    /// The run.
    pub session: Session,
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
            session,
            path: path.to_owned(),
            errors: None,
            notice: None,
            generation: 0,
            watch: FileWatch::new(path),
            watch_timer: Timer::new(WATCH_PERIOD, TimerMode::Repeating),
        })
    }

    /// The scenario of the run.
    pub fn scenario(&self) -> &Scenario {
        self.session.scenario()
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
                if !playback.playing && w.session.at_end() {
                    w.notice = Some("the run is at its horizon: reset (R) to play it again".into());
                }
                playback.playing = !playback.playing && !w.session.at_end();
                playback.owed = 0.0;
                Ok(())
            }
            Control::Pause => {
                playback.playing = false;
                Ok(())
            }
            Control::Step => {
                playback.playing = false;
                if let Some(r) = w.session.step() {
                    stepped.write(Stepped(r.step));
                }
                Ok(())
            }
            Control::Reset => w.session.reset().map_err(Into::into).map(|()| {
                playback.playing = false;
                w.notice = Some(format!("reset to step 0 (seed {})", w.session.seed()));
            }),
            Control::NewSeed => {
                let seed = w.session.seed().wrapping_add(1);
                w.session.reseed(seed).map_err(Into::into).map(|()| {
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
            Control::SetKnob(k, v) => w.session.set_knob(*k, *v).map_err(Into::into),
            Control::Policy(name) => w.session.apply_policy(name).map_err(Into::into).map(|()| {
                w.notice = Some(format!(
                    "policy {name} from step {}",
                    w.session.step_index()
                ))
            }),
            Control::Schedule(iv) => w.session.schedule(iv.clone()).map_err(Into::into),
            Control::Open(path) => open(w, path).map(|()| playback.playing = false),
            Control::ExportCsv(path) => w
                .session
                .write_csv(path)
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
                .map(|()| w.notice = Some(format!("saved {}", path.display()))),
        };
        if let Err(e) = result {
            w.notice = Some(format!("{e:#}"));
        }
    }
}

/// Switch to another scenario file; on error the current run stays.
fn open(w: &mut Workshop, path: &Path) -> anyhow::Result<()> {
    match files::read_scenario(path) {
        Ok(scenario) => {
            w.session = Session::new(&scenario, None, None)?;
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
        Ok(scenario) => match w.session.reload(&scenario) {
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
                w.rebuilt();
            }
            Err(e) => w.errors = Some(format!("{}: {e}", w.path.display())),
        },
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
        match workshop.session.step() {
            Some(r) => {
                stepped.write(Stepped(r.step));
            }
            None => break,
        }
    }
    // A slow frame does not build up a backlog of steps.
    playback.owed = playback.owed.min(1.0);
    if workshop.session.at_end() {
        playback.playing = false;
        workshop.notice = Some(format!(
            "end of the run: {} {}s",
            workshop.session.horizon(),
            workshop.scenario().step_unit
        ));
    }
}
