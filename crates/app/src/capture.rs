//! Screenshots, and the two unattended modes of the app:
//!
//! - `--steps N --screenshot FILE`: compute N steps, let the picture settle,
//!   save the window as PNG and exit (the real-window test uses it);
//! - `--screenshot FILE` alone: save the window as it opens (in presenter
//!   mode, at the story step asked for) and exit;
//! - `--frames N`: compute one step per frame for N frames and print, as a
//!   median and 95th percentile, the whole frame as the room sees it (the
//!   wall time from one frame to the next, rendering included, and the
//!   frames per second that makes), the time to the first picture, and the
//!   CPU time the main world spent per frame (simulation, view
//!   preparation, UI and bevy's own main-world systems). The main world's
//!   schedules run single-threaded in this mode and its time is the main
//!   thread's CPU time (from `/proc/thread-self/schedstat` on Linux), so
//!   software rendering on the other threads does not inflate it;
//!   elsewhere it falls back to wall time.

use super::workshop::{Control, Playback, Workshop, WorkshopSystems};
use bevy::app::AppExit;
use bevy::prelude::*;
use bevy::render::render_resource::PipelineCache;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured};
use bevy::render::{Render, RenderApp, RenderSystems};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Save the window as PNG at this path.
#[derive(Message, Clone, Debug, PartialEq)]
pub struct TakeScreenshot(pub PathBuf);

/// How the app runs unattended, if at all.
#[derive(Resource, Clone, Debug, Default, PartialEq)]
pub struct Unattended {
    /// Compute this many steps, screenshot, exit (`None` with a screenshot:
    /// the state the app opened in).
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
    frame_start: Option<(Instant, Option<u64>)>,
    frame_cpu: Vec<f64>,
    frame_wall: Vec<f64>,
    /// Wall time from one frame's start to the next (ms): the whole frame,
    /// rendering included, since bevy's pipelined rendering holds the next
    /// frame back until the last one is drawn.
    frame_interval: Vec<f64>,
    last_start: Option<Instant>,
    /// Seconds from the app's start to the first frame on screen.
    first_picture: Option<f64>,
}

/// When the app started (before the scenario was read and laid out).
#[derive(Resource, Clone, Copy, Debug)]
pub struct Started(pub Instant);

/// When the render world last saw its pipeline queue empty after waiting
/// on it: until then some of the picture (nodes, ties, items, panels) is
/// not drawn for want of a compiled shader, which on software rendering is
/// most of the wait for the first complete picture.
#[derive(Resource, Clone, Default)]
struct PipelinesReady(Arc<Mutex<(bool, Option<Instant>)>>);

fn watch_pipelines(cache: Res<PipelineCache>, ready: Res<PipelinesReady>) {
    let waiting = cache.waiting_pipelines().next().is_some();
    let Ok(mut state) = ready.0.lock() else {
        return;
    };
    if waiting {
        state.0 = true;
    } else if state.0 {
        *state = (false, Some(Instant::now()));
    }
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
        let ready = PipelinesReady::default();
        app.insert_resource(ready.clone());
        if let Some(render) = app.get_sub_app_mut(RenderApp) {
            render
                .insert_resource(ready)
                .add_systems(Render, watch_pipelines.in_set(RenderSystems::Cleanup));
        }
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
            .observe(save_atomically(path.clone()))
            .observe(
                |_: On<ScreenshotCaptured>, mut progress: ResMut<Progress>| {
                    progress.captured = true;
                },
            );
        workshop.notice = Some(format!("saving {}", path.display()));
    }
}

/// Save a captured window as PNG, atomically like every file siloscope
/// writes (bevy's `save_to_disk` writes in place).
fn save_atomically(path: PathBuf) -> impl FnMut(On<ScreenshotCaptured>) {
    move |captured| {
        let saved = captured
            .image
            .clone()
            .try_into_dynamic()
            .map_err(|e| std::io::Error::other(e.to_string()))
            .and_then(|image| {
                // Drop alpha (it carries brightness under HDR).
                let rgb = image.to_rgb8();
                siloscope_lab::output::png_rgb(rgb.width(), rgb.height(), rgb.as_raw())
            })
            .and_then(|bytes| siloscope_lab::output::write_atomic(&path, &bytes));
        match saved {
            Ok(()) => info!("screenshot saved to {}", path.display()),
            Err(e) => error!("cannot save the screenshot {}: {e}", path.display()),
        }
    }
}

/// CPU time this thread has used, in nanoseconds (Linux only).
fn thread_cpu_ns() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

/// Frames begun before the first one is certainly on screen: with
/// pipelined rendering, frame 3 starts only once frame 1 was drawn.
const FIRST_PICTURE_FRAME: u32 = 3;

fn frame_started(
    mut progress: ResMut<Progress>,
    unattended: Res<Unattended>,
    started: Option<Res<Started>>,
) {
    if unattended.frames.is_none() {
        return;
    }
    let now = Instant::now();
    if let Some(last) = progress.last_start.replace(now) {
        let ms = now.duration_since(last).as_secs_f64() * 1e3;
        progress.frame_interval.push(ms);
    }
    // `frames` counts frames begun before this one.
    if progress.frames + 1 == FIRST_PICTURE_FRAME
        && let Some(started) = started
    {
        progress.first_picture = Some(now.duration_since(started.0).as_secs_f64());
    }
    progress.frame_start = Some((now, thread_cpu_ns()));
}

fn frame_finished(mut progress: ResMut<Progress>) {
    if let Some((wall, cpu)) = progress.frame_start.take() {
        let ms = match (cpu, thread_cpu_ns()) {
            (Some(a), Some(b)) => b.saturating_sub(a) as f64 / 1e6,
            _ => wall.elapsed().as_secs_f64() * 1e3,
        };
        progress.frame_cpu.push(ms);
        progress.frame_wall.push(wall.elapsed().as_secs_f64() * 1e3);
    }
}

#[expect(
    clippy::too_many_arguments,
    reason = "a bevy system takes each resource it reads as a parameter"
)]
fn drive(
    unattended: Res<Unattended>,
    mut progress: ResMut<Progress>,
    mut workshop: ResMut<Workshop>,
    mut playback: ResMut<Playback>,
    mut commands: MessageWriter<Control>,
    mut shots: MessageWriter<TakeScreenshot>,
    mut exit: MessageWriter<AppExit>,
    started: Option<Res<Started>>,
    ready: Res<PipelinesReady>,
) {
    progress.frames += 1;
    let frame = progress.frames;
    if let Some(frames) = unattended.frames {
        if frame == FIRST_PICTURE_FRAME + 1 {
            // Measure from a warm start, with the first picture drawn.
            progress.frame_cpu.clear();
            progress.frame_wall.clear();
            progress.frame_interval.clear();
        }
        // One step every frame, starting over at the horizon.
        playback.playing = false;
        if workshop.session().at_end() {
            commands.write(Control::Reset);
        } else {
            commands.write(Control::Step);
        }
        if frame > frames + FIRST_PICTURE_FRAME {
            report(&progress, &workshop, started.as_deref(), &ready);
            exit.write(AppExit::Success);
        }
        return;
    }
    let Some(path) = unattended.screenshot.as_ref() else {
        return;
    };
    if let Some(steps) = unattended.steps {
        if frame == 2 {
            // All but the last step at once; the last one once the window
            // has settled, as a step of its own, so its items are in flight
            // in the picture.
            workshop.runs.goto(steps.saturating_sub(1));
        }
        if frame == 2 + SETTLE_FRAMES && steps > 0 {
            commands.write(Control::Step);
        }
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

fn report(
    progress: &Progress,
    workshop: &Workshop,
    started: Option<&Started>,
    ready: &PipelinesReady,
) {
    let quantiles = |ms: &[f64]| {
        let mut sorted = ms.to_vec();
        sorted.sort_by(f64::total_cmp);
        let at = |q: f64| sorted[((sorted.len() - 1) as f64 * q).round() as usize];
        (at(0.5), at(0.95), sorted[sorted.len() - 1])
    };
    let (cpu, wall) = (&progress.frame_cpu, &progress.frame_wall);
    if cpu.is_empty() || wall.is_empty() || progress.frame_interval.is_empty() {
        return;
    }
    let agents = workshop.session().sim().network().agents();
    let ties = workshop.session().sim().network().ties();
    println!(
        "siloscope app frames: {} frames, {agents} agents, {ties} directed ties, one step per frame",
        cpu.len()
    );
    let (m, p95, max) = quantiles(&progress.frame_interval);
    println!(
        "  whole frames (wall time frame to frame, rendering included): median {m:.1} ms ({:.1} frames per second), p95 {p95:.1} ms, max {max:.1} ms",
        1e3 / m
    );
    if let Some(s) = progress.first_picture {
        println!(
            "  first frame on screen {s:.2} s after the app started (scenario read and laid out)"
        );
    }
    if let (Some(started), Some(done)) = (started, ready.0.lock().ok().and_then(|r| r.1)) {
        println!(
            "  first complete picture (every shader compiled) {:.2} s after the app started",
            done.duration_since(started.0).as_secs_f64()
        );
    }
    let (m, p95, max) = quantiles(cpu);
    let what = if thread_cpu_ns().is_some() {
        "main-thread CPU time"
    } else {
        "wall time"
    };
    println!(
        "  main world per frame (simulation + view + UI), {what}: median {m:.2} ms, p95 {p95:.2} ms, max {max:.2} ms  target < 8 ms"
    );
    let (m, p95, max) = quantiles(wall);
    println!(
        "  the same frames in wall time (includes waiting for the CPU): median {m:.2} ms, p95 {p95:.2} ms, max {max:.2} ms"
    );
}
