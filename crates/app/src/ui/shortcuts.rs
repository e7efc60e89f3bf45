//! Keyboard shortcuts: the table the help overlay shows, and the system
//! that turns key presses into [`Control`]s.

use super::UiState;
use super::other_policy;
use super::top_bar::default_output;
use crate::capture::TakeScreenshot;
use crate::view::View;
use crate::workshop::{Control, Workshop};
use bevy::prelude::*;
use siloscope_workshop::layout::Picture;

/// Keyboard shortcuts, as shown in the help overlay.
pub const SHORTCUTS: [(&str, &str); 20] = [
    ("Space", "play / pause"),
    ("Right arrow", "one step"),
    ("Left arrow", "one step back (rewind)"),
    ("Home", "rewind to step 0, keeping your changes"),
    ("C", "compare: run B beside run A on or off"),
    ("F5", "presenter mode: full screen, the scenario's story"),
    (
        "Q",
        "the room: phones join by its QR code; rounds, who has decided",
    ),
    (
        "Presenting: Right / Left",
        "next / previous story step (Esc leaves)",
    ),
    ("R", "reset to step 0 (same seed)"),
    ("N", "new seed"),
    ("+ / -", "faster / slower"),
    (
        "Ctrl + / Ctrl - / Ctrl 0",
        "larger / smaller interface (projector) / 100 %",
    ),
    ("L", "switch picture (customers inside / separate circles)"),
    ("T", "ties: the structure, every tie, none"),
    ("I", "show / hide travelling items"),
    ("F", "fit the organisation to the screen"),
    (
        "F2 / F3 / F4",
        "put away or bring back the policy panel / B − A and inspector / charts",
    ),
    ("P", "save a screenshot (PNG)"),
    ("E", "export the run (CSV)"),
    ("H or F1", "this help"),
];

pub(super) fn shortcuts(
    keys: Res<ButtonInput<KeyCode>>,
    mut commands: MessageWriter<Control>,
    mut shots: MessageWriter<TakeScreenshot>,
    mut view: ResMut<View>,
    mut ui: ResMut<UiState>,
    mut zoom: ResMut<super::UiZoom>,
    workshop: Res<Workshop>,
) {
    let pressed = |k: KeyCode| keys.just_pressed(k);
    // Ctrl with + / - / 0 scales the interface, in presenter mode too.
    if keys.any_pressed([KeyCode::ControlLeft, KeyCode::ControlRight]) {
        let direction = if pressed(KeyCode::Equal) || pressed(KeyCode::NumpadAdd) {
            Some(1)
        } else if pressed(KeyCode::Minus) || pressed(KeyCode::NumpadSubtract) {
            Some(-1)
        } else if pressed(KeyCode::Digit0) || pressed(KeyCode::Numpad0) {
            Some(0)
        } else {
            None
        };
        if let Some(d) = direction {
            *zoom = zoom.stepped(d);
            view.fit = true;
        }
        return;
    }
    if pressed(KeyCode::F5) {
        commands.write(Control::Present(!workshop.presenting));
    }
    // The room's window, over presenter mode too.
    if pressed(KeyCode::KeyQ) {
        ui.room.shown = !ui.room.shown;
    }
    if workshop.presenting {
        if pressed(KeyCode::ArrowRight) || pressed(KeyCode::PageDown) {
            commands.write(Control::StoryNext);
        }
        if pressed(KeyCode::ArrowLeft) || pressed(KeyCode::PageUp) {
            commands.write(Control::StoryBack);
        }
        if pressed(KeyCode::Space) {
            commands.write(Control::TogglePlay);
        }
        if pressed(KeyCode::Escape) {
            commands.write(Control::Present(false));
        }
        return;
    }
    if pressed(KeyCode::ArrowLeft) {
        commands.write(Control::StepBack);
    }
    if pressed(KeyCode::Home) {
        commands.write(Control::Goto(0));
    }
    if pressed(KeyCode::KeyC) {
        if workshop.runs.comparing() {
            commands.write(Control::SetComparing(false));
        } else if workshop.runs.b_policy().is_some() {
            commands.write(Control::SetComparing(true));
        } else {
            commands.write(Control::Compare(other_policy(&workshop)));
        }
    }
    if pressed(KeyCode::Space) {
        commands.write(Control::TogglePlay);
    }
    if pressed(KeyCode::ArrowRight) {
        commands.write(Control::Step);
    }
    if pressed(KeyCode::KeyR) {
        commands.write(Control::Reset);
    }
    if pressed(KeyCode::KeyN) {
        commands.write(Control::NewSeed);
    }
    if pressed(KeyCode::Equal) || pressed(KeyCode::NumpadAdd) {
        commands.write(Control::Faster);
    }
    if pressed(KeyCode::Minus) || pressed(KeyCode::NumpadSubtract) {
        commands.write(Control::Slower);
    }
    if pressed(KeyCode::KeyL) {
        view.picture = match view.picture {
            Picture::Extranet => Picture::Separate,
            Picture::Separate => Picture::Extranet,
        };
    }
    if pressed(KeyCode::KeyT) {
        view.ties = view.ties.next();
    }
    if pressed(KeyCode::KeyI) {
        view.show_items = !view.show_items;
    }
    if pressed(KeyCode::KeyF) {
        view.fit = true;
    }
    if pressed(KeyCode::F2) {
        ui.panels.policy = !ui.panels.policy;
    }
    if pressed(KeyCode::F3) {
        ui.panels.side = !ui.panels.side;
    }
    if pressed(KeyCode::F4) {
        ui.panels.charts = !ui.panels.charts;
    }
    if pressed(KeyCode::Escape) {
        view.selected = None;
        ui.help = false;
    }
    if pressed(KeyCode::KeyP) {
        shots.write(TakeScreenshot(default_output(&workshop, "png")));
    }
    if pressed(KeyCode::KeyE) {
        commands.write(Control::ExportCsv(default_output(&workshop, "csv")));
    }
    if pressed(KeyCode::KeyH) || pressed(KeyCode::F1) {
        ui.help = !ui.help;
    }
}

/// Presenter mode fills the screen; leaving it restores the window. The
/// view is fitted again either way (the panels come and go).
pub(super) fn full_screen_when_presenting(
    workshop: Res<Workshop>,
    mut window: Single<&mut Window, With<bevy::window::PrimaryWindow>>,
    mut view: ResMut<View>,
    mut was: Local<bool>,
) {
    if workshop.presenting == *was {
        return;
    }
    *was = workshop.presenting;
    window.mode = if workshop.presenting {
        bevy::window::WindowMode::BorderlessFullscreen(bevy::window::MonitorSelection::Current)
    } else {
        bevy::window::WindowMode::Windowed
    };
    view.fit = true;
}
