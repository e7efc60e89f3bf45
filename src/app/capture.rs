//! Screenshots, and the two unattended modes of the app:
//!
//! - `--steps N --screenshot FILE`: compute N steps, let the picture settle,
//!   save the window as PNG and exit (the real-window test uses it);
//! - `--frames N`: play for N frames and print how much CPU time the main
//!   world spent per frame (simulation, view preparation and UI), as a
//!   median and 95th percentile, then exit.

use super::workshop::{Control, Playback, Workshop, WorkshopSystems};
use bevy::app::AppExit;
use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured, save_to_disk};
use std::path::PathBuf;
use std::time::Instant;

/// Save the window as PNG at this path.
#[derive(Message, Clone, Debug, PartialEq)]
pub struct TakeScreenshot(pub PathBuf);

/// How the app runs unattended, if at all.
#[derive(Resource, Clone, Debug, Default, PartialEq)]
pub struct Unattended {
    /// Compute this many steps, screenshot, exit.
    pub steps: Option<u32>,
    /// Where the screenshot goes.
    pub screenshot: Option<PathBuf>,
    /// Measure this many frames, exit.
    pub frames: Option<u32>,
}

/// Frames the picture gets to settle before the unattended screenshot.
const SETTLE_FRAMES: u32 = 12;
/// Frames between the last step and the screenshot.
const IN_FLIGHT_FRAMES: u32 = 8;
/// Frames to wait for a screenshot to reach the disk before giving up.
const SAVE_TIMEOUT_FRAMES: u32 = 600;

#[derive(Resource, Default)]
struct Progress {
    frames: u32,
    requested_at: Option<u32>,
    captured: bool,
    frame_start: Option<Instant>,
    frame_cpu: Vec<f64>,
}

/// Screenshots and unattended runs.
pub struct CapturePlugin;

impl Plugin for CapturePlugin {
    fn build(&self, app: &mut App) {
        app.add_message::<TakeScreenshot>()
            .init_resource::<Unattended>()
            .init_resource::<Progress>()
            .add_systems(First, frame_started)
            .add_systems(
                Update,
                (drive.before(WorkshopSystems::Controls), take_screenshots),
            )
            .add_systems(Last, frame_finished);
    }
}

fn take_screenshots(
    mut commands: Commands,
    mut requests: MessageReader<TakeScreenshot>,
    mut workshop: ResMut<Workshop>,
) {
    for TakeScreenshot(path) in requests.read() {
        commands
            .spawn(Screenshot::primary_window())
            .observe(save_to_disk(path.clone()))
            .observe(
                |_: On<ScreenshotCaptured>, mut progress: ResMut<Progress>| {
                    progress.captured = true;
                },
            );
        workshop.notice = Some(format!("saved {}", path.display()));
    }
}

fn frame_started(mut progress: ResMut<Progress>) {
    progress.frame_start = Some(Instant::now());
}

fn frame_finished(mut progress: ResMut<Progress>) {
    if let Some(start) = progress.frame_start.take() {
        let ms = start.elapsed().as_secs_f64() * 1e3;
        progress.frame_cpu.push(ms);
    }
}

fn drive(
    unattended: Res<Unattended>,
    mut progress: ResMut<Progress>,
    mut workshop: ResMut<Workshop>,
    mut playback: ResMut<Playback>,
    mut commands: MessageWriter<Control>,
    mut shots: MessageWriter<TakeScreenshot>,
    mut exit: MessageWriter<AppExit>,
) {
    progress.frames += 1;
    let frame = progress.frames;
    if let Some(frames) = unattended.frames {
        if frame == 2 {
            // Measure from a warm start.
            progress.frame_cpu.clear();
        }
        // One step every frame, starting over at the horizon.
        playback.playing = false;
        if workshop.session.at_end() {
            commands.write(Control::Reset);
        } else {
            commands.write(Control::Step);
        }
        if frame >= frames + 2 {
            report(&progress.frame_cpu, &workshop);
            exit.write(AppExit::Success);
        }
        return;
    }
    let (Some(steps), Some(path)) = (unattended.steps, unattended.screenshot.as_ref()) else {
        return;
    };
    if frame == 2 {
        // All but the last step at once; the last one once the window has
        // settled, as a step of its own, so its items are in flight in the
        // picture.
        workshop.session.advance_to(steps.saturating_sub(1));
    }
    if frame == 2 + SETTLE_FRAMES && steps > 0 {
        commands.write(Control::Step);
    }
    if frame == 2 + SETTLE_FRAMES + IN_FLIGHT_FRAMES {
        shots.write(TakeScreenshot(path.clone()));
        progress.requested_at = Some(frame);
    }
    if let Some(at) = progress.requested_at {
        let saved = progress.captured && std::fs::metadata(path).is_ok_and(|m| m.len() > 0);
        if saved {
            exit.write(AppExit::Success);
        } else if frame > at + SAVE_TIMEOUT_FRAMES {
            error!("the screenshot never reached {}", path.display());
            exit.write(AppExit::error());
        }
    }
}

fn report(ms: &[f64], workshop: &Workshop) {
    let mut sorted = ms.to_vec();
    sorted.sort_by(f64::total_cmp);
    if sorted.is_empty() {
        return;
    }
    let at = |q: f64| sorted[((sorted.len() - 1) as f64 * q).round() as usize];
    let agents = workshop.session.sim().network().agents();
    let ties = workshop.session.sim().network().ties();
    println!(
        "siloscope app frames: {} frames, {agents} agents, {ties} directed ties, one step per frame",
        sorted.len()
    );
    println!(
        "  main-world CPU per frame (simulation + view + UI): median {:.2} ms, p95 {:.2} ms, max {:.2} ms  target < 8 ms",
        at(0.5),
        at(0.95),
        sorted[sorted.len() - 1]
    );
}
