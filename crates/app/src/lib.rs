//! The workshop app: bevy + egui around one [`Session`], or two compared
//! side by side. The `siloscope` command links it through its `app`
//! feature (on by default); nothing below this crate knows of bevy.
//!
//! Plugins, from the bottom:
//! - [`workshop::WorkshopPlugin`]: the run, commands, playback and the
//!   scenario file watch; no rendering (the headless tests use it alone);
//! - [`view::ViewPlugin`]: the organisation drawn as nodes, ties and
//!   travelling items, with pan, zoom and selection;
//! - [`ui::UiPlugin`]: egui panels, charts, inspector, shortcuts;
//! - [`capture::CapturePlugin`]: screenshots and the unattended modes.
//!
//! Colours live in one place, [`palette`]; each panel of the UI in its own
//! file under `ui/`, composed by `ui/mod.rs`.
//!
//! [`Session`]: siloscope_workshop::session::Session

pub mod capture;
pub mod palette;
pub mod ui;
pub mod view;
pub mod workshop;

#[cfg(test)]
mod keep_tests;
#[cfg(test)]
mod room_tests;
#[cfg(test)]
mod tests;

use bevy::prelude::*;
use bevy::window::WindowResolution;
use bevy_egui::EguiPlugin;
use std::path::PathBuf;

/// How to open the app.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AppOptions {
    /// The scenario file.
    pub scenario: PathBuf,
    /// Starting policy (else the scenario's).
    pub policy: Option<String>,
    /// Seed (else the scenario's).
    pub seed: Option<u64>,
    /// The picture on opening.
    pub picture: siloscope_workshop::layout::Picture,
    /// The agent to inspect on opening (an id such as `Small business#3`).
    pub inspect: Option<String>,
    /// Open comparing with run B under this policy.
    pub compare: Option<String>,
    /// Open in presenter mode, at this story step (counted from 1).
    pub present: Option<usize>,
    /// The interface's scale (`None`: 100 %; see [`ui::UiZoom`]).
    pub scale: Option<f32>,
    /// The window's size in pixels (`None`: 1600 × 900).
    pub size: Option<(u32, u32)>,
    /// Restore this saved session (`*.session.ron`), of its own scenario,
    /// and go on saving into it.
    pub session: Option<PathBuf>,
    /// Open the room to phones on this address.
    pub room: Option<std::net::SocketAddr>,
    /// Unattended runs.
    pub unattended: capture::Unattended,
}

/// Why the app could not open a window here, if it cannot.
pub fn no_display() -> Option<&'static str> {
    if cfg!(target_os = "linux") && std::env::var_os("DISPLAY").is_none_or(|d| d.is_empty()) {
        Some("no display found (DISPLAY is not set)")
    } else {
        None
    }
}

/// Open the workshop app and run until its window closes.
pub fn run(options: AppOptions) -> anyhow::Result<()> {
    let started = capture::Started(std::time::Instant::now());
    if let Some(why) = no_display() {
        anyhow::bail!(
            "{why}; the workshop app needs one. Headless: `siloscope run {0}`, \
             `siloscope validate {0}`, `siloscope policies {0}`",
            options.scenario.display()
        );
    }
    // A run that steps on its own (`--steps`, `--frames`) is offered no
    // session back; a screenshot alone shows the app as it opens.
    let unattended = options.unattended.steps.is_some() || options.unattended.frames.is_some();
    let mut picture = options.picture;
    let mut restored_selection = None;
    let (mut workshop, keeping) = match &options.session {
        Some(path) => {
            use siloscope_workshop::record::SessionFile;
            let file = SessionFile::read(path)?;
            let scenario = file.scenario_path();
            let mut w = workshop::Workshop::open(&scenario, None, None)?;
            let seen = workshop::restore(&mut w, &file)?;
            (picture, restored_selection) = (seen.picture, seen.inspected);
            // Before the app's log is set up: straight to stderr.
            eprintln!(
                "siloscope: restored {} exactly: state {}",
                path.display(),
                file.record.state
            );
            w.notice = Some(format!(
                "restored the session saved {}, at {} {}",
                siloscope_workshop::record::when(&file.record.saved),
                w.scenario().step_unit,
                w.session().step_index()
            ));
            (w, workshop::Keeping::continuing(&file, path, &scenario))
        }
        None => {
            let w = workshop::Workshop::open(&options.scenario, options.policy, options.seed)?;
            // Sessions are saved beside the user's data; one that did not
            // end is offered back, except to an unattended run.
            let keeping = siloscope_workshop::record::sessions_dir()
                .map(|dir| workshop::Keeping::in_dir(&dir, &options.scenario, !unattended))
                .unwrap_or_default();
            (w, keeping)
        }
    };
    if let Some(policy) = options
        .compare
        .as_ref()
        .filter(|_| options.session.is_none())
    {
        workshop
            .runs
            .compare(policy)
            .map_err(|e| anyhow::anyhow!("--compare: {e}"))?;
    }
    let selected = match &options.inspect {
        None => restored_selection,
        Some(id) => Some(
            workshop
                .scenario()
                .find_agent(id)
                .map(|a| (siloscope_workshop::compare::Side::A, a))
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "no agent \"{id}\" in {}; ids are a group name and a number, e.g. \"{}\"",
                        options.scenario.display(),
                        workshop.scenario().agent_id(0)
                    )
                })?,
        ),
    };
    let title = format!("siloscope — {}", workshop.scenario().name);
    let present = options.present;
    let measuring = options.unattended.frames.is_some();
    let mut app = App::new();
    app.add_plugins(
        DefaultPlugins
            .set(WindowPlugin {
                primary_window: Some(Window {
                    title,
                    resolution: {
                        let (w, h) = options.size.unwrap_or((1600, 900));
                        WindowResolution::new(w, h)
                    },
                    ..default()
                }),
                ..default()
            })
            .set(bevy::log::LogPlugin {
                filter: "warn,siloscope=info".into(),
                ..default()
            }),
    )
    .add_plugins(EguiPlugin::default())
    .insert_resource(workshop)
    .insert_resource(keeping)
    .insert_resource(options.unattended)
    .insert_resource(started)
    .insert_resource(ui::UiZoom(
        options
            .scale
            .unwrap_or(1.0)
            .clamp(ui::UiZoom::MIN, ui::UiZoom::MAX),
    ))
    .add_plugins((
        workshop::WorkshopPlugin,
        view::ViewPlugin { picture, selected },
        ui::UiPlugin,
        capture::CapturePlugin,
    ));
    if let Some(step) = present.filter(|_| options.session.is_none()) {
        app.world_mut()
            .write_message(workshop::Control::Present(true));
        for _ in 1..step {
            app.world_mut().write_message(workshop::Control::StoryNext);
        }
    }
    if let Some(addr) = options.room {
        app.world_mut()
            .write_message(workshop::RoomControl::Open(addr));
    }
    if measuring {
        // Every main-world system on the main thread, so that thread's CPU
        // time is the frame's CPU time (rendering runs elsewhere).
        let mut schedules = app.world_mut().resource_mut::<Schedules>();
        for (_, schedule) in schedules.iter_mut() {
            schedule.set_executor(bevy::ecs::schedule::SingleThreadedExecutor::new());
        }
    }
    let exit = app.run();
    match exit {
        AppExit::Success => Ok(()),
        AppExit::Error(code) => anyhow::bail!("the app exited with code {code}"),
    }
}
