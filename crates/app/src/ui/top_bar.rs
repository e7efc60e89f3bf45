//! The top bar: scenario picker, reset, play and step, speed, seed,
//! picture, what to draw, screenshot, export, compare, present, help.

use super::UiState;
use super::timeline::timeline;
use crate::capture::TakeScreenshot;
use crate::view::TieShow;
use crate::view::View;
use crate::workshop::{Control, Playback, SPEEDS, Workshop};
use bevy::prelude::*;
use bevy_egui::egui;
use siloscope_workshop::layout::Picture;
use std::path::PathBuf;

pub(super) fn default_output(w: &Workshop, ext: &str) -> PathBuf {
    let stem = w
        .path
        .file_name()
        .and_then(|n| n.to_str())
        .map(|n| n.trim_end_matches(".scenario.ron").to_owned())
        .unwrap_or_else(|| "run".into());
    PathBuf::from(format!(
        "siloscope-{stem}-step{}.{ext}",
        w.session().step_index()
    ))
}

#[expect(
    clippy::too_many_arguments,
    reason = "the top bar reads and sets most of the UI's state"
)]
pub(super) fn top_bar(
    ui: &mut egui::Ui,
    w: &Workshop,
    playback: &Playback,
    view: &mut View,
    state: &mut UiState,
    out: &mut Vec<Control>,
    shots: &mut MessageWriter<TakeScreenshot>,
    zoom: &mut super::UiZoom,
    room_open: bool,
) {
    let session = w.session();
    // One row for a 1280-pixel-wide screen: what the room uses while
    // playing; what to draw, which panels and saving sit in two menus.
    ui.horizontal_wrapped(|ui| {
        // Scenarios by their titles; the file is in the tooltip.
        egui::ComboBox::from_id_salt("scenario")
            .selected_text(&w.scenario().name)
            .width(220.0)
            .show_ui(ui, |ui| {
                for (f, title) in &state.files {
                    if ui
                        .selectable_label(*f == w.path, title)
                        .on_hover_text(file_name(f))
                        .clicked()
                        && *f != w.path
                    {
                        out.push(Control::Open(f.clone()));
                    }
                }
            })
            .response
            .on_hover_text(file_name(&w.path));
        if ui
            .button("⟳")
            .on_hover_text("rescan the scenario folder")
            .clicked()
        {
            state.files = scenario_files(&w.path);
        }
        ui.separator();
        if ui.button("⏮ Reset").on_hover_text("R").clicked() {
            out.push(Control::Reset);
        }
        let play = if playback.playing {
            "⏸ Pause"
        } else {
            "▶ Play"
        };
        if ui
            .add_enabled(
                !session.at_end() || playback.playing,
                egui::Button::new(play),
            )
            .on_hover_text("Space")
            .clicked()
        {
            out.push(Control::TogglePlay);
        }
        if ui
            .add_enabled(!session.at_end(), egui::Button::new("⏭ Step"))
            .on_hover_text("Right arrow")
            .clicked()
        {
            out.push(Control::Step);
        }
        if ui.button("-").on_hover_text("slower (-)").clicked() {
            out.push(Control::Slower);
        }
        ui.label(format!("{}/s", playback.steps_per_second))
            .on_hover_text("steps per second while playing");
        if ui.button("+").on_hover_text("faster (+)").clicked() {
            out.push(Control::Faster);
        }
        debug_assert!(SPEEDS.contains(&4.0));
        if ui.button("🎲 New seed").on_hover_text("N").clicked() {
            out.push(Control::NewSeed);
        }
        ui.separator();
        let unit = &w.scenario().step_unit;
        ui.strong(format!(
            "{unit} {} / {}",
            session.step_index(),
            session.horizon()
        ));
        ui.label(format!("seed {}", session.seed()))
            .on_hover_text(format!("policy {}", super::policy_of(session)));
        ui.separator();
        ui.menu_button("👁 View", |ui| view_menu(ui, view, state, zoom));
        ui.menu_button("💾 Save", |ui| {
            if ui
                .button("📷 Screenshot (PNG)")
                .on_hover_text("P")
                .clicked()
            {
                shots.write(TakeScreenshot(default_output(w, "png")));
                ui.close();
            }
            if ui.button("📄 This run (CSV)").on_hover_text("E").clicked() {
                out.push(Control::ExportCsv(default_output(w, "csv")));
                ui.close();
            }
            sessions_menu(ui, w, state, out);
            if ui
                .button("📰 Debrief (HTML)")
                .on_hover_text(
                    "one page to take home: the runs, charts, notes, predictions and the story",
                )
                .clicked()
            {
                out.push(Control::ExportDebrief(default_output(w, "debrief.html")));
                ui.close();
            }
        });
        if ui
            .selectable_label(room_open || state.room.shown, "📱 Room")
            .on_hover_text(if room_open {
                "the room is open to phones: its code, rounds and who has decided"
            } else {
                "let the room play this run on their phones"
            })
            .clicked()
        {
            state.room.shown = !state.room.shown;
        }
        if ui.button("❓ Help").on_hover_text("H").clicked() {
            state.help = !state.help;
        }
    });
    timeline(ui, w, out);
    if let Some(notice) = &w.notice {
        ui.label(egui::RichText::new(notice).italics());
    }
}

/// The sessions of this scenario saved here, newest first, to reopen
/// where they were (the file list is read at most every two seconds).
fn sessions_menu(ui: &mut egui::Ui, w: &Workshop, state: &mut UiState, out: &mut Vec<Control>) {
    const SHOWN: usize = 12;
    ui.menu_button("⟲ Reopen a session", |ui| {
        let stale = state
            .sessions
            .as_ref()
            .is_none_or(|(at, _)| at.elapsed() > std::time::Duration::from_secs(2));
        if stale {
            let found = state
                .sessions_dir
                .as_deref()
                .map(|dir| siloscope_workshop::record::sessions_of(dir, &w.path))
                .unwrap_or_default();
            state.sessions = Some((std::time::Instant::now(), found));
        }
        // Not the session on screen: it is the one being saved.
        let found: Vec<&siloscope_workshop::record::SessionInfo> = state
            .sessions
            .as_ref()
            .map_or(&[][..], |(_, f)| &f[..])
            .iter()
            .filter(|s| Some(s.path.as_path()) != state.current_session.as_deref())
            .collect();
        if found.is_empty() {
            ui.weak("no session of this scenario saved yet");
        }
        let unit = &w.scenario().step_unit;
        for info in found.iter().take(SHOWN) {
            let open = if info.record.ended {
                ""
            } else {
                " (not closed)"
            };
            if ui
                .button(format!("{}{open}", info.summary(unit)))
                .on_hover_text(info.path.display().to_string())
                .clicked()
            {
                out.push(Control::RestoreSession(info.path.clone()));
                ui.close();
            }
        }
        if found.len() > SHOWN {
            ui.weak(format!("… and {} older", found.len() - SHOWN));
        }
    });
}

/// What to draw, which panels to show and how large: the picture, the
/// ties, the items, the three panels, the interface's scale.
fn view_menu(ui: &mut egui::Ui, view: &mut View, state: &mut UiState, zoom: &mut super::UiZoom) {
    ui.label(egui::RichText::new("Picture").strong())
        .on_hover_text("L");
    for picture in [Picture::Extranet, Picture::Separate] {
        ui.radio_value(&mut view.picture, picture, picture.label());
    }
    ui.separator();
    ui.label(egui::RichText::new("Ties").strong())
        .on_hover_text("T");
    for (t, what) in [
        (
            TieShow::Structure,
            "walls, departments, partners, a sample of customer ties",
        ),
        (TieShow::All, "every tie"),
        (TieShow::Off, "none"),
    ] {
        ui.radio_value(&mut view.ties, t, t.label())
            .on_hover_text(what);
    }
    ui.checkbox(&mut view.show_items, "travelling items")
        .on_hover_text("I");
    ui.separator();
    ui.label(egui::RichText::new("Panels").strong());
    let panels = &mut state.panels;
    for (hidden, name, key) in [
        (&mut panels.policy, "policy and knobs", "F2"),
        (&mut panels.side, "B − A, inspector and legend", "F3"),
        (&mut panels.charts, "charts", "F4"),
    ] {
        let mut shown = !*hidden;
        if ui.checkbox(&mut shown, name).on_hover_text(key).changed() {
            *hidden = !shown;
        }
    }
    ui.separator();
    ui.horizontal(|ui| {
        ui.label("Size").on_hover_text("Ctrl + / Ctrl - / Ctrl 0");
        if ui.button("−").clicked() {
            *zoom = zoom.stepped(-1);
        }
        ui.label(format!("{:.0} %", zoom.0 * 100.0));
        if ui.button("+").clicked() {
            *zoom = zoom.stepped(1);
        }
    });
}

/// The scenario files beside `current`, each with its title (its file name
/// if it cannot be read: the picker still offers it, and opening it shows
/// its errors).
pub(super) fn scenario_files(current: &std::path::Path) -> Vec<(PathBuf, String)> {
    let dir = current
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    siloscope_scenario::files::scenario_files_in(dir)
        .unwrap_or_default()
        .into_iter()
        .map(|path| {
            let title = siloscope_scenario::files::read_scenario(&path)
                .map(|s| s.name)
                .unwrap_or_else(|_| file_name(&path));
            (path, title)
        })
        .collect()
}

fn file_name(p: &std::path::Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
