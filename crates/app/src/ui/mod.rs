//! The panels: controls on top, policy on the left, inspector on the
//! right, charts at the bottom; labels, legend, errors and help over the
//! graph. Every change is sent as a [`Control`]; nothing here touches the
//! run directly.

mod charts;
pub mod egui_shader;
mod inspector;
mod labels;
mod legend;
mod notes;
mod policy_panel;
mod presenter;
mod room_panel;
mod shortcuts;
mod timeline;
mod top_bar;

use super::capture::TakeScreenshot;
use super::view::{GraphCamera, View};
use super::workshop::{Control, Hosting, Playback, RoomControl, Workshop, WorkshopSystems};
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
        app.add_plugins(egui_shader::EguiShaderPlugin)
            .init_resource::<UiState>()
            .init_resource::<UiZoom>()
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

/// The interface's scale for a projector or a small screen: egui's zoom
/// factor, so panels, charts and the labels over the organisation grow
/// together (Ctrl + / Ctrl − / Ctrl 0, or `siloscope app --scale`).
#[derive(Resource, Clone, Copy, Debug, PartialEq)]
pub struct UiZoom(pub f32);

impl UiZoom {
    /// Smallest scale offered.
    pub const MIN: f32 = 0.5;
    /// Largest scale offered.
    pub const MAX: f32 = 3.0;

    /// One step larger (`+1`), smaller (`-1`), or back to 100 % (`0`),
    /// within [`UiZoom::MIN`] and [`UiZoom::MAX`], in tenths.
    pub fn stepped(self, direction: i32) -> UiZoom {
        let z = match direction {
            0 => 1.0,
            d => ((self.0 * 10.0).round() + d.signum() as f32) / 10.0,
        };
        UiZoom(z.clamp(Self::MIN, Self::MAX))
    }
}

impl Default for UiZoom {
    fn default() -> Self {
        UiZoom(1.0)
    }
}

#[derive(Resource, Default)]
struct UiState {
    help: bool,
    styled: bool,
    plan: Plan,
    /// The window's size last frame (egui points), to tell a resized window
    /// from a resized panel.
    window: Option<egui::Vec2>,
    /// The scenario files beside the open one, with their titles.
    files: Vec<(PathBuf, String)>,
    /// The panels the facilitator has put away.
    panels: Hidden,
    /// Notes and predictions being typed.
    drafts: notes::Drafts,
    /// Where sessions are saved, and those of this scenario when last
    /// looked at (the Save menu's list).
    sessions_dir: Option<PathBuf>,
    sessions: Option<(
        std::time::Instant,
        Vec<siloscope_workshop::record::SessionInfo>,
    )>,
    /// The file the session on screen is saved to.
    current_session: Option<PathBuf>,
    /// The room's window and the choices in it.
    room: room_panel::Draft,
}

/// Panels put away (View menu, F2 / F3 / F4), for a small screen or to
/// give the organisation the room.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Hidden {
    /// The policy panel (left).
    policy: bool,
    /// B − A, the inspector and the legend (right).
    side: bool,
    /// The charts (bottom).
    charts: bool,
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
        // No panel fill: the window's background shows through, the
        // graph camera draws only between the panels (see
        // `view::PanelsCamera`), and software rendering is spared a shader
        // run for each of the million pixels the panels cover.
        s.visuals.panel_fill = egui::Color32::TRANSPARENT;
    });
    // Ctrl + and Ctrl − are the app's own (see `UiZoom`), so the zoom is
    // one state, shown and set in one place.
    ctx.options_mut(|o| o.zoom_with_keyboard = false);
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
    mut zoom: ResMut<UiZoom>,
    keeping: Res<crate::workshop::Keeping>,
    hosting: Option<Res<Hosting>>,
    mut room_controls: MessageWriter<RoomControl>,
    software: Option<Res<crate::view::SoftwareRendering>>,
) -> Result {
    let ctx = contexts.ctx_mut()?.clone();
    if (ctx.zoom_factor() - zoom.0).abs() > 1e-4 {
        ctx.set_zoom_factor(zoom.0);
    }
    let window = ctx.viewport_rect().size() * zoom.0;
    let window_resized = state
        .window
        .is_some_and(|w| (w - window).abs().max_elem() > 2.0);
    state.window = Some(window);
    if !state.styled {
        style(&ctx);
        state.styled = true;
        state.files = scenario_files(&workshop.path);
    }
    if software.is_some_and(|s| s.is_added()) {
        // On software rendering no feathering: egui's one-pixel soft edge
        // around every shape and line triples their triangles, and costs
        // about 5 ms a frame there (the chart lines are a little jagged).
        ctx.tessellation_options_mut(|o| o.feathering = false);
    }
    if state.sessions_dir.is_none() {
        state.sessions_dir = keeping.dir().map(std::path::Path::to_owned);
    }
    let current = keeping.autosave.as_ref().map(|a| a.path());
    if state.current_session.as_deref() != current {
        state.current_session = current.map(std::path::Path::to_owned);
    }
    let mut root = egui::Ui::new(
        ctx.clone(),
        "siloscope".into(),
        egui::UiBuilder::new()
            .layer_id(egui::LayerId::background())
            .max_rect(ctx.viewport_rect()),
    );
    let mut out = Vec::new();
    if hosting.as_ref().is_some_and(|h| h.is_added()) && !workshop.presenting {
        // Just opened (by `--room` too): show it; presenter mode has the
        // room's card (Q brings the window).
        state.room.shown = true;
    }
    let hosting = hosting.as_deref();
    if state.room.shown {
        // A window over the panels, or over presenter mode (Q), where the
        // facilitator runs the rounds from.
        let mut rooms = Vec::new();
        room_panel::room_window(&ctx, hosting, &mut state.room, &mut rooms);
        room_controls.write_batch(rooms);
    }
    if workshop.presenting {
        presenter(&mut root, &workshop, &playback, &luck);
        if let Some(h) = hosting {
            egui::Panel::left("room card")
                .exact_size((ctx.viewport_rect().width() * 0.16).clamp(200.0, 260.0))
                .resizable(false)
                .show(&mut root, |ui| room_panel::room_card(ui, h));
        }
        let area = root.available_rect_before_wrap();
        set_graph_area(&mut view, area, zoom.0, window_resized);
        region_labels(&ctx, area, &workshop, &view, (camera.0, camera.1), zoom.0);
        for c in out {
            commands.write(c);
        }
        return Ok(());
    }

    egui::Panel::top("controls").show(&mut root, |ui| {
        top_bar(
            ui,
            &workshop,
            &playback,
            &mut view,
            &mut state,
            &mut out,
            &mut shots,
            &mut zoom,
            hosting.is_some(),
        );
    });
    // Panels in proportion to the window (in points), within what their
    // contents need: all of them fit 1280 × 720.
    let screen = ctx.viewport_rect().size();
    if !state.panels.charts {
        egui::Panel::bottom("charts")
            .exact_size((screen.y * 0.3).clamp(170.0, 250.0))
            .show(&mut root, |ui| charts(ui, &workshop));
    }
    if !state.panels.policy {
        egui::Panel::left("policy")
            .default_size((screen.x * 0.21).clamp(250.0, 340.0))
            .show(&mut root, |ui| {
                egui::ScrollArea::vertical()
                    .show(ui, |ui| policy_panel(ui, &workshop, &mut state, &mut out));
            });
    }
    if !state.panels.side {
        egui::Panel::right("inspector")
            .default_size((screen.x * 0.32).clamp(300.0, 560.0))
            .max_size((screen.x * 0.32).clamp(300.0, 560.0))
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
                    egui::CollapsingHeader::new(format!(
                        "Notes and predictions ({} and {})",
                        workshop.notes.len(),
                        workshop.predictions.len()
                    ))
                    // One id whatever the counts, so pinning a note does not
                    // fold the section away.
                    .id_salt("notes and predictions")
                    .default_open(!workshop.notes.is_empty() || !workshop.predictions.is_empty())
                    .show(ui, |ui| {
                        notes::notes(ui, &workshop, &view, &mut state, &mut out)
                    });
                    ui.separator();
                    egui::CollapsingHeader::new("Legend")
                        .default_open(true)
                        .show(ui, |ui| legend(ui, workshop.scenario()));
                });
            });
    }
    let area = root.available_rect_before_wrap();
    set_graph_area(&mut view, area, zoom.0, window_resized);

    region_labels(&ctx, area, &workshop, &view, (camera.0, camera.1), zoom.0);
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
    if let Some(o) = &keeping.offer {
        notes::offer(
            &ctx,
            &workshop,
            &o.summary(&workshop.scenario().step_unit),
            &mut out,
            &o.path,
        );
    }
    if state.help {
        let mut open = true;
        egui::Window::new("Shortcuts")
            .open(&mut open)
            .collapsible(false)
            .min_width(640.0)
            .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0])
            .show(&ctx, |ui| {
                egui::Grid::new("keys").striped(true).show(ui, |ui| {
                    for (key, what) in SHORTCUTS {
                        ui.strong(key);
                        ui.add(egui::Label::new(what).wrap());
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
/// Record the area left for the organisation; when its size changes the
/// picture is framed again to fit it — when the window is resized, or when
/// a panel grows or is collapsed unless the user has panned or zoomed since
/// the last fit (their view is kept).
fn set_graph_area(view: &mut View, area: egui::Rect, zoom: f32, window_resized: bool) {
    let new = to_window(area, zoom);
    if resized(view.graph_area, new) && (window_resized || !view.user_moved) {
        view.fit = true;
    }
    view.graph_area = Some(new);
}

/// An egui rectangle (in points) in the window's logical pixels, which the
/// camera works in: a point is `zoom` pixels.
fn to_window(area: egui::Rect, zoom: f32) -> Rect {
    Rect::new(
        area.min.x * zoom,
        area.min.y * zoom,
        area.max.x * zoom,
        area.max.y * zoom,
    )
}

/// Whether the graph area changed size (by more than two pixels either
/// way: not the jitter of a frame).
fn resized(old: Option<Rect>, new: Rect) -> bool {
    old.is_none_or(|old| (old.size() - new.size()).abs().max_element() > 2.0)
}

/// The step at which a run left its old timeline, when that shows
/// anything: a change at step 0 starts the run afresh (the story's
/// "back to week 0, now under another policy"), with no shared past to
/// branch from, so there is no branch to mark and no old line to draw.
fn branched(s: &siloscope_workshop::session::Session) -> Option<u32> {
    s.branched_at().filter(|&at| at > 0)
}

/// The policy a run is under, as the room reads it, with the week it took
/// over when the run branched: "connected from week 13".
fn policy_since(s: &siloscope_workshop::session::Session, unit: &str) -> String {
    match branched(s) {
        Some(at) => format!("{} from {unit} {at}", policy_of(s)),
        None => policy_of(s),
    }
}

/// The policy a run is under, as the room reads it: "connected",
/// "connected, knobs changed" or "(scenario knobs)".
fn policy_of(s: &siloscope_workshop::session::Session) -> String {
    siloscope_workshop::in_force::InForce::of(s.sim()).to_string()
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

    #[test]
    fn the_scale_steps_in_tenths_within_its_bounds_and_maps_points_to_pixels() {
        let z = UiZoom::default();
        assert_eq!(z.stepped(1), UiZoom(1.1));
        assert_eq!(z.stepped(1).stepped(1).stepped(-1), UiZoom(1.1));
        assert_eq!(UiZoom(2.95).stepped(1), UiZoom(UiZoom::MAX));
        assert_eq!(UiZoom(0.5).stepped(-1), UiZoom(UiZoom::MIN));
        assert_eq!(UiZoom(1.7).stepped(0), UiZoom(1.0));
        let r = to_window(
            egui::Rect::from_min_max(egui::pos2(100.0, 50.0), egui::pos2(600.0, 400.0)),
            1.5,
        );
        assert_eq!(r, Rect::new(150.0, 75.0, 900.0, 600.0));
    }
}
