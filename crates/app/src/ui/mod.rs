//! The panels: controls on top, policy on the left, inspector on the
//! right, charts at the bottom; labels, legend, errors and help over the
//! graph. Every change is sent as a [`Control`]; nothing here touches the
//! run directly.

mod charts;
mod inspector;
mod labels;
mod legend;
mod policy_panel;
mod presenter;
mod shortcuts;
mod timeline;
mod top_bar;

use super::capture::TakeScreenshot;
use super::view::{GraphCamera, View};
use super::workshop::{Control, Playback, Workshop, WorkshopSystems};
use crate::palette;
use bevy::prelude::*;
use bevy_egui::input::egui_wants_any_keyboard_input;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use charts::charts;
use inspector::inspector;
use labels::region_labels;
use legend::legend;
use policy_panel::{Plan, policy_panel};
use presenter::presenter;
use shortcuts::{SHORTCUTS, full_screen_when_presenting, shortcuts};
use siloscope_model::agent::Part;
use std::path::PathBuf;
use top_bar::{scenario_files, top_bar};

/// Panels and shortcuts.
pub struct UiPlugin;

impl Plugin for UiPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<UiState>()
            .add_systems(EguiPrimaryContextPass, panels)
            .add_systems(Update, full_screen_when_presenting)
            .add_systems(
                Update,
                shortcuts
                    .run_if(not(egui_wants_any_keyboard_input))
                    .before(WorkshopSystems::Controls),
            );
    }
}

#[derive(Resource, Default)]
struct UiState {
    help: bool,
    styled: bool,
    plan: Plan,
    files: Vec<PathBuf>,
}

fn pretty(name: &str) -> String {
    name.replace('_', " ")
}

fn part_name(part: Part) -> &'static str {
    match part {
        Part::Department => "Inside (departments)",
        Part::Partner => "Partners",
        Part::ExistingCustomer => "Existing customers",
        Part::NewCustomer => "New customers",
    }
}

/// Larger text than egui's default, to be read from the back of a room.
fn style(ctx: &egui::Context) {
    ctx.all_styles_mut(|s| {
        use egui::{FontId, TextStyle};
        s.text_styles = [
            (TextStyle::Heading, FontId::proportional(22.0)),
            (TextStyle::Body, FontId::proportional(16.0)),
            (TextStyle::Button, FontId::proportional(16.0)),
            (TextStyle::Small, FontId::proportional(13.0)),
            (TextStyle::Monospace, FontId::monospace(14.0)),
        ]
        .into();
        s.spacing.slider_width = 170.0;
    });
}

#[expect(
    clippy::too_many_arguments,
    reason = "a bevy system takes each resource it reads as a parameter"
)]
fn panels(
    mut contexts: EguiContexts,
    workshop: Res<Workshop>,
    playback: Res<Playback>,
    mut view: ResMut<View>,
    mut state: ResMut<UiState>,
    mut commands: MessageWriter<Control>,
    mut shots: MessageWriter<TakeScreenshot>,
    camera: Single<(&Camera, &GlobalTransform), With<GraphCamera>>,
    luck: Res<crate::workshop::LuckCheck>,
) -> Result {
    let ctx = contexts.ctx_mut()?.clone();
    if !state.styled {
        style(&ctx);
        state.styled = true;
        state.files = scenario_files(&workshop.path);
    }
    let mut root = egui::Ui::new(
        ctx.clone(),
        "siloscope".into(),
        egui::UiBuilder::new()
            .layer_id(egui::LayerId::background())
            .max_rect(ctx.viewport_rect()),
    );
    let mut out = Vec::new();
    if workshop.presenting {
        presenter(&mut root, &workshop, &playback);
        let area = root.available_rect_before_wrap();
        set_graph_area(&mut view, area);
        region_labels(&ctx, area, &workshop, &view, camera.0, camera.1);
        for c in out {
            commands.write(c);
        }
        return Ok(());
    }

    egui::Panel::top("controls").show(&mut root, |ui| {
        top_bar(
            ui, &workshop, &playback, &mut view, &mut state, &mut out, &mut shots,
        );
    });
    egui::Panel::bottom("charts")
        .exact_size(250.0)
        .show(&mut root, |ui| charts(ui, &workshop));
    egui::Panel::left("policy")
        .default_size(340.0)
        .show(&mut root, |ui| {
            egui::ScrollArea::vertical()
                .show(ui, |ui| policy_panel(ui, &workshop, &mut state, &mut out));
        });
    egui::Panel::right("inspector")
        .default_size(330.0)
        .show(&mut root, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| {
                if let Some(b) = workshop.runs.b() {
                    let a = workshop.session();
                    egui::CollapsingHeader::new(
                        egui::RichText::new(format!(
                            "B − A at {} {}",
                            workshop.scenario().step_unit,
                            a.step_index()
                        ))
                        .strong(),
                    )
                    .default_open(true)
                    .show(ui, |ui| charts::differences(ui, a, b, &luck));
                    ui.separator();
                }
                inspector(ui, &workshop, &view);
                ui.separator();
                egui::CollapsingHeader::new("Legend")
                    .default_open(true)
                    .show(ui, legend);
            });
        });
    let area = root.available_rect_before_wrap();
    set_graph_area(&mut view, area);

    region_labels(&ctx, area, &workshop, &view, camera.0, camera.1);
    if let Some(errors) = &workshop.errors {
        egui::Window::new("The scenario file has errors")
            .anchor(egui::Align2::CENTER_TOP, [0.0, area.min.y + 8.0])
            .collapsible(false)
            .resizable(false)
            .show(&ctx, |ui| {
                ui.colored_label(
                    palette::ERROR_TEXT,
                    format!(
                        "Still running the last good version of {}.",
                        workshop.path.display()
                    ),
                );
                ui.label(egui::RichText::new(errors).monospace());
            });
    }
    if state.help {
        let mut open = true;
        egui::Window::new("Shortcuts")
            .open(&mut open)
            .collapsible(false)
            .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0])
            .show(&ctx, |ui| {
                egui::Grid::new("keys").striped(true).show(ui, |ui| {
                    for (key, what) in SHORTCUTS {
                        ui.strong(key);
                        ui.label(what);
                        ui.end_row();
                    }
                    ui.strong("Mouse");
                    ui.label("drag to pan, wheel to zoom, click a node to inspect it");
                    ui.end_row();
                });
            });
        state.help = open;
    }
    for c in out {
        commands.write(c);
    }
    Ok(())
}

/// The policy a run was last switched to, for people.
/// Record the area left for the organisation; when its size changes (the
/// window is resized, a panel grows or is collapsed) the picture is framed
/// again to fit it.
fn set_graph_area(view: &mut View, area: egui::Rect) {
    let new = Rect::new(area.min.x, area.min.y, area.max.x, area.max.y);
    if resized(view.graph_area, new) {
        view.fit = true;
    }
    view.graph_area = Some(new);
}

/// Whether the graph area changed size (by more than two pixels either
/// way: not the jitter of a frame).
fn resized(old: Option<Rect>, new: Rect) -> bool {
    old.is_none_or(|old| (old.size() - new.size()).abs().max_element() > 2.0)
}

fn policy_of(s: &siloscope_workshop::session::Session) -> &str {
    s.sim().policy().unwrap_or("(scenario knobs)")
}

/// A policy to compare A with: `connected` unless A runs it, else the
/// first other one.
fn other_policy(w: &Workshop) -> String {
    let current = w.session().sim().policy().unwrap_or("");
    let names: Vec<&str> = w
        .scenario()
        .policies
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    let pick = if current != "connected" && names.contains(&"connected") {
        "connected"
    } else {
        names
            .iter()
            .copied()
            .find(|n| *n != current)
            .unwrap_or(current)
    };
    pick.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_picture_is_framed_again_when_its_area_changes_size() {
        let area = Rect::new(300.0, 90.0, 1080.0, 650.0);
        assert!(resized(None, area));
        assert!(!resized(Some(area), area));
        // Moved, not resized: the frame stays.
        assert!(!resized(Some(area), Rect::new(301.0, 91.0, 1081.0, 651.0)));
        // A panel grew by 130 px.
        assert!(resized(Some(area), Rect::new(300.0, 90.0, 950.0, 650.0)));
    }
}
