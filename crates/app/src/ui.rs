//! The panels: controls on top, policy on the left, inspector on the
//! right, charts at the bottom; labels, legend, errors and help over the
//! graph. Every change is sent as a [`Control`]; nothing here touches the
//! run directly.

use super::capture::TakeScreenshot;
use super::view::{GraphCamera, UNIT, View, agent_trust, flow_color, part_color, trust_tint};
use super::workshop::{Control, Playback, SPEEDS, Workshop, WorkshopSystems};
use bevy::prelude::*;
use bevy_egui::input::egui_wants_any_keyboard_input;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use egui_plot::{Corner, Legend, Line, Plot, PlotPoints, VLine};
use siloscope_model::agent::{Lifecycle, Part};
use siloscope_model::flow::FlowKind;
use siloscope_model::knob::Knob;
use siloscope_model::metrics::StepReport;
use siloscope_scenario::{Action, Intervention};
use siloscope_workshop::compare::Side;
use siloscope_workshop::layout::Picture;
use std::path::PathBuf;

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

/// Keyboard shortcuts, as shown in the help overlay.
pub const SHORTCUTS: [(&str, &str); 17] = [
    ("Space", "play / pause"),
    ("Right arrow", "one step"),
    ("Left arrow", "one step back (rewind)"),
    ("Home", "rewind to step 0, keeping your changes"),
    ("C", "compare: run B beside run A on or off"),
    ("F5", "presenter mode: full screen, the scenario's story"),
    (
        "Presenting: Right / Left",
        "next / previous story step (Esc leaves)",
    ),
    ("R", "reset to step 0 (same seed)"),
    ("N", "new seed"),
    ("+ / -", "faster / slower"),
    ("L", "switch picture (customers inside / separate circles)"),
    ("T", "show / hide ties"),
    ("I", "show / hide travelling items"),
    ("F", "fit the organisation to the screen"),
    ("P", "save a screenshot (PNG)"),
    ("E", "export the run (CSV)"),
    ("H or F1", "this help"),
];

#[derive(Resource, Default)]
struct UiState {
    help: bool,
    styled: bool,
    plan: Plan,
    files: Vec<PathBuf>,
}

/// The "add an intervention" form.
#[derive(Clone, Debug, PartialEq)]
struct Plan {
    at: u32,
    kind: PlanKind,
    duration: u32,
    reach: f32,
    policy: String,
    knob: Knob,
    value: f32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PlanKind {
    Campaign,
    Policy,
    Knob,
}

impl Default for Plan {
    fn default() -> Self {
        Plan {
            at: 0,
            kind: PlanKind::Campaign,
            duration: 8,
            reach: 0.05,
            policy: String::new(),
            knob: Knob::Transparency,
            value: 0.8,
        }
    }
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

fn to_egui(c: Color) -> egui::Color32 {
    let s = c.to_srgba();
    egui::Color32::from_rgba_unmultiplied(
        (s.red * 255.0) as u8,
        (s.green * 255.0) as u8,
        (s.blue * 255.0) as u8,
        (s.alpha * 255.0) as u8,
    )
}

fn default_output(w: &Workshop, ext: &str) -> PathBuf {
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

#[allow(clippy::too_many_arguments)]
fn shortcuts(
    keys: Res<ButtonInput<KeyCode>>,
    mut commands: MessageWriter<Control>,
    mut shots: MessageWriter<TakeScreenshot>,
    mut view: ResMut<View>,
    mut ui: ResMut<UiState>,
    workshop: Res<Workshop>,
) {
    let pressed = |k: KeyCode| keys.just_pressed(k);
    if pressed(KeyCode::F5) {
        commands.write(Control::Present(!workshop.presenting));
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
        view.show_ties = !view.show_ties;
    }
    if pressed(KeyCode::KeyI) {
        view.show_items = !view.show_items;
    }
    if pressed(KeyCode::KeyF) {
        view.fit = true;
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
fn full_screen_when_presenting(
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

#[allow(clippy::too_many_arguments)]
fn panels(
    mut contexts: EguiContexts,
    workshop: Res<Workshop>,
    playback: Res<Playback>,
    mut view: ResMut<View>,
    mut state: ResMut<UiState>,
    mut commands: MessageWriter<Control>,
    mut shots: MessageWriter<TakeScreenshot>,
    camera: Single<(&Camera, &GlobalTransform), With<GraphCamera>>,
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
        view.graph_area = Some(Rect::new(area.min.x, area.min.y, area.max.x, area.max.y));
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
                inspector(ui, &workshop, &view);
                ui.separator();
                egui::CollapsingHeader::new("Legend")
                    .default_open(true)
                    .show(ui, legend);
            });
        });
    let area = root.available_rect_before_wrap();
    view.graph_area = Some(Rect::new(area.min.x, area.min.y, area.max.x, area.max.y));

    region_labels(&ctx, area, &workshop, &view, camera.0, camera.1);
    if let Some(errors) = &workshop.errors {
        egui::Window::new("The scenario file has errors")
            .anchor(egui::Align2::CENTER_TOP, [0.0, area.min.y + 8.0])
            .collapsible(false)
            .resizable(false)
            .show(&ctx, |ui| {
                ui.colored_label(
                    egui::Color32::from_rgb(255, 120, 120),
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

fn scenario_files(current: &std::path::Path) -> Vec<PathBuf> {
    let dir = current
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.to_str().is_some_and(|s| s.ends_with(".scenario.ron")))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// Presenter mode: the organisation full screen, and the story step (or
/// the run's state) in large type at the bottom.
fn presenter(root: &mut egui::Ui, w: &Workshop, playback: &Playback) {
    let session = w.session();
    let unit = &w.scenario().step_unit;
    egui::Panel::bottom("story")
        .exact_size(190.0)
        .show(root, |ui| {
            ui.add_space(8.0);
            let story = &w.scenario().story;
            match w.story {
                Some(at) => {
                    let step = &story[at.index];
                    ui.label(egui::RichText::new(&step.title).size(38.0).strong());
                    ui.add_space(4.0);
                    ui.label(
                        egui::RichText::new(&step.note)
                            .size(25.0)
                            .color(egui::Color32::from_gray(235)),
                    );
                    ui.add_space(6.0);
                    ui.horizontal(|ui| {
                        ui.label(
                            egui::RichText::new(format!(
                                "{} of {} · {unit} {} · Right: next · Left: back · Space: play · Esc: leave",
                                at.index + 1,
                                story.len(),
                                session.step_index()
                            ))
                            .size(16.0)
                            .weak(),
                        );
                        if let Some(m) = at.staging.highlight {
                            ui.label(
                                egui::RichText::new(format!("highlighting {}", m.label()))
                                    .size(16.0)
                                    .color(egui::Color32::from_rgb(255, 210, 90)),
                            );
                        }
                    });
                }
                None => {
                    ui.label(egui::RichText::new(&w.scenario().name).size(38.0).strong());
                    ui.label(
                        egui::RichText::new(format!(
                            "{unit} {} of {} · {} · this scenario has no story · Space: play · Esc: leave",
                            session.step_index(),
                            session.horizon(),
                            policy_of(session)
                        ))
                        .size(22.0),
                    );
                }
            }
            if playback.playing {
                ui.label(egui::RichText::new("playing").size(14.0).italics());
            }
        });
}

fn top_bar(
    ui: &mut egui::Ui,
    w: &Workshop,
    playback: &Playback,
    view: &mut View,
    state: &mut UiState,
    out: &mut Vec<Control>,
    shots: &mut MessageWriter<TakeScreenshot>,
) {
    let session = w.session();
    ui.horizontal_wrapped(|ui| {
        ui.heading("siloscope");
        let name = |p: &PathBuf| {
            p.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        };
        egui::ComboBox::from_id_salt("scenario")
            .selected_text(name(&w.path))
            .width(260.0)
            .show_ui(ui, |ui| {
                for f in &state.files {
                    if ui.selectable_label(*f == w.path, name(f)).clicked() && *f != w.path {
                        out.push(Control::Open(f.clone()));
                    }
                }
            })
            .response
            .on_hover_text(&w.scenario().name);
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
        ui.label(format!("{} steps/s", playback.steps_per_second));
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
        ui.label(format!(
            "seed {} · policy {}",
            session.seed(),
            session.sim().policy().unwrap_or("(scenario knobs)")
        ));
        ui.separator();
        for picture in [Picture::Extranet, Picture::Separate] {
            if ui
                .selectable_label(view.picture == picture, picture.label())
                .on_hover_text("L")
                .clicked()
            {
                view.picture = picture;
            }
        }
        ui.checkbox(&mut view.show_ties, "ties");
        ui.checkbox(&mut view.show_items, "items");
        ui.separator();
        if ui
            .button("📷 PNG")
            .on_hover_text("P: save a screenshot")
            .clicked()
        {
            shots.write(TakeScreenshot(default_output(w, "png")));
        }
        if ui
            .button("💾 CSV")
            .on_hover_text("E: export this run")
            .clicked()
        {
            out.push(Control::ExportCsv(default_output(w, "csv")));
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

/// The timeline scrubber (drag back to rewind, forward to compute), the
/// comparison's controls, and presenter mode.
fn timeline(ui: &mut egui::Ui, w: &Workshop, out: &mut Vec<Control>) {
    let session = w.session();
    ui.horizontal(|ui| {
        if ui
            .add_enabled(session.step_index() > 0, egui::Button::new("⏪ Back"))
            .on_hover_text("Left arrow: one step back")
            .clicked()
        {
            out.push(Control::StepBack);
        }
        let mut step = session.step_index();
        let (snapshots, every) = session.snapshot_steps();
        let width = (ui.available_width() - 620.0).max(200.0);
        ui.spacing_mut().slider_width = width;
        let slider = ui
            .add(egui::Slider::new(&mut step, 0..=session.horizon()).text(&w.scenario().step_unit))
            .on_hover_text(format!(
                "drag back to rewind, forward to run ahead; {} snapshots, one every {every} steps",
                snapshots.len()
            ));
        if slider.changed() {
            out.push(Control::Goto(step));
        }
        if let Some(at) = session.branched_at() {
            ui.colored_label(
                egui::Color32::from_rgb(255, 200, 80),
                format!("branched at {at}"),
            );
        }
        ui.separator();
        let mut comparing = w.runs.comparing();
        if ui
            .checkbox(&mut comparing, "Compare A/B")
            .on_hover_text("C: run B, the same scenario and seed under another policy, beside A")
            .changed()
        {
            if !comparing {
                out.push(Control::SetComparing(false));
            } else if w.runs.b_policy().is_some() {
                out.push(Control::SetComparing(true));
            } else {
                out.push(Control::Compare(other_policy(w)));
            }
        }
        if w.runs.comparing() {
            let current = w.runs.b_policy().unwrap_or("").to_owned();
            egui::ComboBox::from_id_salt("b policy")
                .selected_text(format!("B: {current}"))
                .show_ui(ui, |ui| {
                    for p in &w.scenario().policies {
                        if ui.selectable_label(p.name == current, &p.name).clicked()
                            && p.name != current
                        {
                            out.push(Control::Compare(p.name.clone()));
                        }
                    }
                });
            ui.label("edit");
            for side in [Side::A, Side::B] {
                if ui
                    .selectable_label(w.editing == side, side.label())
                    .on_hover_text("knobs, policies and interventions go to this run")
                    .clicked()
                {
                    out.push(Control::Edit(side));
                }
            }
        }
        ui.separator();
        if w.before_story.is_some()
            && ui
                .button("Back to your run")
                .on_hover_text("the runs as they were before the story started")
                .clicked()
        {
            out.push(Control::RestoreRuns);
        }
        if ui
            .button("🎬 Present")
            .on_hover_text("F5: full screen, large type, the scenario's story")
            .clicked()
        {
            out.push(Control::Present(true));
        }
    });
}

fn policy_panel(ui: &mut egui::Ui, w: &Workshop, state: &mut UiState, out: &mut Vec<Control>) {
    let sim = w.edited_session().sim();
    let scenario = w.scenario();
    if w.runs.comparing() {
        ui.heading(format!("Policy of run {}", w.edited_side().label()));
    } else {
        ui.heading("Policy");
    }
    ui.horizontal_wrapped(|ui| {
        for p in &scenario.policies {
            let current = sim.policy() == Some(p.name.as_str());
            if ui
                .selectable_label(current, pretty(&p.name))
                .on_hover_text(&p.description)
                .clicked()
            {
                out.push(Control::Policy(p.name.clone()));
            }
        }
    });
    ui.separator();
    ui.heading("Knobs");
    for knob in Knob::ALL {
        let spec = scenario.knob_spec(knob);
        let mut value = sim.knobs().get(knob);
        ui.label(egui::RichText::new(pretty(knob.name())).strong())
            .on_hover_text(&spec.description);
        let slider = egui::Slider::new(&mut value, spec.min..=spec.max)
            .step_by(f64::from(spec.step))
            .suffix(format!(" {}", spec.unit));
        if ui.add(slider).on_hover_text(&spec.description).changed() {
            out.push(Control::SetKnob(knob, value));
        }
        ui.label(egui::RichText::new(&spec.description).small().weak());
        ui.add_space(4.0);
    }
    ui.separator();
    ui.heading("Interventions");
    let now = w.session().step_index();
    let live: Vec<&Intervention> = w
        .edited_session()
        .edits()
        .iter()
        .filter_map(|e| match &e.edit {
            siloscope_workshop::session::Edit::Schedule(iv) => Some(iv),
            _ => None,
        })
        .collect();
    if scenario.interventions.is_empty() {
        ui.label("none scheduled");
    }
    for iv in &w.edited_session().scenario().interventions {
        let text = format!(
            "{} {}: {}{}",
            scenario.step_unit,
            iv.at,
            describe(&iv.action),
            if live.contains(&iv) {
                " (added live)"
            } else {
                ""
            }
        );
        let rich = egui::RichText::new(text);
        ui.label(if iv.at < now { rich.weak() } else { rich });
    }
    ui.add_space(6.0);
    ui.label(egui::RichText::new("Add one").strong());
    let plan = &mut state.plan;
    plan.at = plan.at.max(now);
    egui::Grid::new("plan").num_columns(2).show(ui, |ui| {
        ui.label("at step");
        ui.add(egui::DragValue::new(&mut plan.at).range(now..=w.session().horizon().max(now)));
        ui.end_row();
        ui.label("action");
        ui.horizontal(|ui| {
            ui.selectable_value(&mut plan.kind, PlanKind::Campaign, "campaign");
            ui.selectable_value(&mut plan.kind, PlanKind::Policy, "policy");
            ui.selectable_value(&mut plan.kind, PlanKind::Knob, "knob");
        });
        ui.end_row();
        match plan.kind {
            PlanKind::Campaign => {
                ui.label("duration");
                ui.add(egui::DragValue::new(&mut plan.duration).range(1..=1000));
                ui.end_row();
                ui.label("reach / step");
                ui.add(egui::Slider::new(&mut plan.reach, 0.0..=1.0));
                ui.end_row();
            }
            PlanKind::Policy => {
                ui.label("policy");
                if plan.policy.is_empty() {
                    plan.policy = scenario
                        .policies
                        .first()
                        .map(|p| p.name.clone())
                        .unwrap_or_default();
                }
                egui::ComboBox::from_id_salt("plan-policy")
                    .selected_text(pretty(&plan.policy))
                    .show_ui(ui, |ui| {
                        for p in &scenario.policies {
                            ui.selectable_value(&mut plan.policy, p.name.clone(), pretty(&p.name));
                        }
                    });
                ui.end_row();
            }
            PlanKind::Knob => {
                ui.label("knob");
                egui::ComboBox::from_id_salt("plan-knob")
                    .selected_text(pretty(plan.knob.name()))
                    .show_ui(ui, |ui| {
                        for k in Knob::ALL {
                            ui.selectable_value(&mut plan.knob, k, pretty(k.name()));
                        }
                    });
                ui.end_row();
                let spec = scenario.knob_spec(plan.knob);
                ui.label("value");
                ui.add(egui::Slider::new(&mut plan.value, spec.min..=spec.max));
                ui.end_row();
            }
        }
    });
    if ui.button("Schedule").clicked() {
        let action = match plan.kind {
            PlanKind::Campaign => Action::Campaign {
                duration: plan.duration,
                reach: plan.reach,
            },
            PlanKind::Policy => Action::Policy(plan.policy.clone()),
            PlanKind::Knob => Action::Set(vec![(plan.knob, plan.value)]),
        };
        out.push(Control::Schedule(Intervention {
            at: plan.at,
            action,
        }));
    }
}

fn describe(action: &Action) -> String {
    match action {
        Action::Set(values) => values
            .iter()
            .map(|(k, v)| format!("{} = {v}", pretty(k.name())))
            .collect::<Vec<_>>()
            .join(", "),
        Action::Policy(name) => format!("policy {}", pretty(name)),
        Action::Campaign { duration, reach } => {
            format!("campaign for {duration} steps, reach {reach}")
        }
    }
}

fn inspector(ui: &mut egui::Ui, w: &Workshop, view: &View) {
    ui.heading("Inspector");
    let Some(a) = view.selected else {
        ui.label("Click an agent to see its part, its lifecycle, its needs, whom it trusts and what it knows.");
        return;
    };
    let session = w.runs.side(view.selected_side).unwrap_or(w.session());
    let sim = session.sim();
    let scenario = w.scenario();
    let net = sim.network();
    let part = net.part[a as usize];
    if w.runs.comparing() {
        ui.label(format!(
            "in run {} ({})",
            view.selected_side.label(),
            policy_of(session)
        ));
    }
    let group = &scenario.groups[net.group[a as usize] as usize];
    ui.label(
        egui::RichText::new(scenario.agent_id(a))
            .strong()
            .size(18.0),
    );
    ui.colored_label(
        to_egui(part_color(part)),
        format!("{} · {}", part_name(part), group.name),
    );
    ui.label(format!("trust shown: {:.2}", agent_trust(sim, a)));
    if let Some(state) = sim.lifecycle(a) {
        ui.label(format!("lifecycle: {}", state.label()));
        if let Some(story) = session.story(a) {
            let path: Vec<String> = story
                .states
                .iter()
                .rev()
                .take(8)
                .rev()
                .map(|(t, s)| format!("{} at {t}", s.label()))
                .collect();
            ui.label(egui::RichText::new(format!("history: {}", path.join(", then "))).small());
        }
        ui.separator();
        ui.strong("Needs and how well they are met");
        let needs = sim.needs(a);
        let offering = sim.offering();
        egui::Grid::new("needs").show(ui, |ui| {
            for (i, (n, o)) in needs.iter().zip(offering).enumerate() {
                ui.label(format!("need {}", i + 1));
                ui.add(
                    egui::ProgressBar::new(*n)
                        .desired_width(90.0)
                        .text(format!("{n:.2}")),
                );
                ui.label(format!("offered {o:.2}"));
                ui.end_row();
            }
        });
        ui.label(format!("satisfaction: {:.2}", sim.satisfaction(a)));
        ui.label(format!(
            "trust in the organisation: {:.2}",
            sim.trust_in_org(a)
        ));
        ui.label(format!(
            "came through: {}",
            match sim.source(a) {
                siloscope_model::agent::Source::None => "not yet exposed / started as a customer",
                siloscope_model::agent::Source::WordOfMouth => "word of mouth",
                siloscope_model::agent::Source::Campaign => "a campaign",
            }
        ));
        ui.separator();
        ui.strong("Know me, not know about me");
        ui.label(format!(
            "the organisation knows this customer: {:.0}% (from needs of theirs that reached Product)",
            100.0 * sim.knowledge(a)
        ));
    }
    ui.separator();
    ui.strong("Trust with neighbours");
    let ties = net.offsets[a as usize] as usize..net.offsets[a as usize + 1] as usize;
    let mut rows: Vec<(u32, f32, f32)> = ties
        .map(|t| {
            let back = net.reverse[t];
            let from = if back == siloscope_model::network::NO_TIE {
                f32::NAN
            } else {
                sim.trust(back as usize)
            };
            (net.target[t], sim.trust(t), from)
        })
        .collect();
    rows.sort_by(|x, y| y.1.total_cmp(&x.1));
    egui::Grid::new("trust").striped(true).show(ui, |ui| {
        ui.label("neighbour");
        ui.label("trusts them");
        ui.label("trusted by");
        ui.end_row();
        for (b, to, from) in rows.iter().take(12) {
            ui.colored_label(
                to_egui(part_color(net.part[*b as usize])),
                scenario.agent_id(*b),
            );
            ui.colored_label(
                to_egui(trust_tint(Color::srgb(0.8, 0.8, 0.8), *to)),
                format!("{to:.2}"),
            );
            ui.label(if from.is_nan() {
                "–".into()
            } else {
                format!("{from:.2}")
            });
            ui.end_row();
        }
    });
    if rows.len() > 12 {
        ui.label(egui::RichText::new(format!("… and {} more", rows.len() - 12)).small());
    }
    ui.separator();
    ui.strong("Items it knows (latest last)");
    if let Some(story) = session.story(a) {
        if story.items.is_empty() {
            ui.label("nothing has passed through yet");
        }
        for item in &story.items {
            let (verb, who) = if item.sent {
                ("sent", "to")
            } else {
                ("got", "from")
            };
            let status = if item.passed {
                ""
            } else {
                ", stopped at a silo wall"
            };
            ui.colored_label(
                to_egui(flow_color(item.kind)),
                format!(
                    "{} {}: {verb} {} {who} {}{status}",
                    scenario.step_unit,
                    item.step,
                    pretty(item.kind.label()),
                    scenario.agent_id(item.other)
                ),
            );
        }
    }
}

/// Part and department names over the graph.
fn region_labels(
    ctx: &egui::Context,
    area: egui::Rect,
    w: &Workshop,
    view: &View,
    camera: &Camera,
    at: &GlobalTransform,
) {
    let Some(l) = view.layout.as_ref() else {
        return;
    };
    let painter = ctx
        .layer_painter(egui::LayerId::background())
        .with_clip_rect(area);
    let font = egui::FontId::proportional(17.0);
    let to_screen = |p: Vec2| camera.world_to_viewport(at, p.extend(0.0)).ok();
    // Comparing: name each run above its organisation.
    if w.runs.comparing()
        && let Some((lo, hi)) = super::view::bounds(l, None)
    {
        for (side, session) in w.runs.shown() {
            let bottom = Vec2::new((lo.x + hi.x) / 2.0, lo.y) * UNIT + view.offset(side);
            if let Some(s) = to_screen(bottom) {
                painter.text(
                    egui::pos2(s.x, (s.y + 6.0).min(area.max.y - 30.0)),
                    egui::Align2::CENTER_TOP,
                    format!("{}: {}", side.label(), policy_of(session)),
                    egui::FontId::proportional(24.0),
                    egui::Color32::WHITE,
                );
            }
        }
    }
    for f in &l.parts {
        let top = Vec2::new(f.centre[0], f.centre[1] + f.outer) * UNIT;
        if let Some(s) = to_screen(top) {
            painter.text(
                egui::pos2(s.x, s.y - 4.0),
                egui::Align2::CENTER_BOTTOM,
                part_name(f.part),
                font.clone(),
                to_egui(part_color(f.part)),
            );
        }
    }
    let scenario = w.scenario();
    for (g, region) in l.groups.iter().enumerate() {
        let group = &scenario.groups[g];
        let p = if group.part == Part::Department {
            Vec2::new(region.centre[0], region.centre[1] + region.outer + 0.6)
        } else if l.picture == Picture::Extranet
            || scenario
                .groups
                .iter()
                .filter(|x| x.part == group.part)
                .count()
                > 1
        {
            let m = region.middle();
            Vec2::new(m[0], m[1])
        } else {
            continue;
        } * UNIT;
        if let Some(s) = to_screen(p) {
            painter.text(
                egui::pos2(s.x, s.y),
                egui::Align2::CENTER_BOTTOM,
                &group.name,
                egui::FontId::proportional(14.0),
                egui::Color32::from_gray(230),
            );
        }
    }
}

/// A filled circle of `color` and `radius`, then `text`.
fn swatch(ui: &mut egui::Ui, color: egui::Color32, radius: f32, text: &str) {
    ui.horizontal(|ui| {
        let (rect, _) = ui.allocate_exact_size(egui::vec2(18.0, 16.0), egui::Sense::hover());
        ui.painter().circle_filled(rect.center(), radius, color);
        ui.label(text);
    });
}

/// What the colours, sizes and particles mean.
fn legend(ui: &mut egui::Ui) {
    ui.spacing_mut().item_spacing.y = 1.0;
    for part in Part::ALL {
        swatch(ui, to_egui(part_color(part)), 6.0, part_name(part));
    }
    ui.horizontal(|ui| {
        ui.label("trust: low");
        for t in [0.0, 0.25, 0.5, 0.75, 1.0] {
            let (rect, _) = ui.allocate_exact_size(egui::vec2(14.0, 14.0), egui::Sense::hover());
            ui.painter().circle_filled(
                rect.center(),
                6.0,
                to_egui(trust_tint(part_color(Part::ExistingCustomer), t)),
            );
        }
        ui.label("high");
    });
    let grey = egui::Color32::from_gray(200);
    ui.horizontal(|ui| {
        for (r, what) in [(8.0, "advocate"), (5.5, "customer"), (3.5, "prospect")] {
            let (rect, _) = ui.allocate_exact_size(egui::vec2(18.0, 18.0), egui::Sense::hover());
            ui.painter().circle_filled(rect.center(), r, grey);
            ui.label(what);
        }
    });
    ui.label(egui::RichText::new("faint: unaware or churned").small());
    ui.label(egui::RichText::new("items moving this step").strong());
    egui::Grid::new("legend-items")
        .num_columns(2)
        .show(ui, |ui| {
            for (i, kind) in FlowKind::ALL.into_iter().enumerate() {
                swatch(ui, to_egui(flow_color(kind)), 4.0, &pretty(kind.label()));
                if i % 2 == 1 {
                    ui.end_row();
                }
            }
        });
    ui.horizontal(|ui| {
        ui.colored_label(to_egui(super::view::BLOCKED), "✖");
        ui.label("stopped at a silo wall (red ties)");
    });
}

fn series(history: &[StepReport], f: impl Fn(&StepReport) -> f64) -> PlotPoints<'static> {
    history
        .iter()
        .filter_map(|r| {
            let v = f(r);
            v.is_finite().then(|| [f64::from(r.step) + 1.0, v])
        })
        .collect()
}

/// A number read off a step's report.
type Measure = fn(&StepReport) -> f64;

/// One curve of a chart: a name, a colour and what it plots.
struct Curve {
    name: &'static str,
    color: Color,
    value: Measure,
}

/// One chart: its id, title, curves and the y range it always includes.
struct Chart(&'static str, &'static str, Vec<Curve>, (f64, f64));

/// The charts.
fn chart_specs() -> Vec<Chart> {
    let trust = |part: Part| -> Measure {
        match part {
            Part::Department => |r| r.trust_toward[Part::Department.index()],
            Part::Partner => |r| r.trust_toward[Part::Partner.index()],
            Part::ExistingCustomer => |r| r.trust_toward[Part::ExistingCustomer.index()],
            Part::NewCustomer => |r| r.trust_toward[Part::NewCustomer.index()],
        }
    };
    let parts = [
        (Part::Department, "Departments"),
        (Part::Partner, "Partners"),
        (Part::ExistingCustomer, "Existing"),
        (Part::NewCustomer, "New"),
    ];
    vec![
        Chart(
            "trust",
            "Trust toward each part",
            parts
                .iter()
                .map(|&(p, name)| Curve {
                    name,
                    color: part_color(p),
                    value: trust(p),
                })
                .collect(),
            (0.0, 1.0),
        ),
        Chart(
            "acquisitions",
            "Acquisitions (cumulative)",
            vec![
                Curve {
                    name: "word of mouth",
                    color: flow_color(FlowKind::PeerHelp),
                    value: |r| r.totals.acquisitions_word_of_mouth as f64,
                },
                Curve {
                    name: "campaign",
                    color: flow_color(FlowKind::Push),
                    value: |r| r.totals.acquisitions_campaign as f64,
                },
            ],
            (0.0, 1.0),
        ),
        Chart(
            "customers",
            "Advocates and churned",
            vec![
                Curve {
                    name: "advocates",
                    color: part_color(Part::ExistingCustomer),
                    value: |r| count(r, Lifecycle::Advocate),
                },
                Curve {
                    name: "churned",
                    color: Color::srgb(0.9, 0.3, 0.3),
                    value: |r| count(r, Lifecycle::Churned),
                },
            ],
            (0.0, 1.0),
        ),
        Chart(
            "silo",
            "Silo E-I index (-1 closed)",
            vec![Curve {
                name: "E-I (cumulative)",
                color: part_color(Part::Department),
                value: |r| {
                    siloscope_model::silo_index::ei_index(
                        r.totals.flows_external as f64,
                        r.totals.flows_internal as f64,
                    )
                    .unwrap_or(f64::NAN)
                },
            }],
            (-1.0, 1.0),
        ),
        Chart(
            "loop",
            "Feedback loop closure",
            vec![
                Curve {
                    name: "closed",
                    color: flow_color(FlowKind::Answer),
                    value: |r| share(r.totals.loops_closed, r.totals.needs_raised),
                },
                Curve {
                    name: "reached Product",
                    color: flow_color(FlowKind::Need),
                    value: |r| share(r.totals.needs_reached, r.totals.needs_raised),
                },
            ],
            (0.0, 1.0),
        ),
    ]
}

/// The headline metrics the comparison table shows, B against A.
const DIFFERENCES: [(&str, Measure); 6] = [
    ("customer trust", |r| r.customer_trust_in_org),
    ("advocates", |r| count(r, Lifecycle::Advocate)),
    ("churned", |r| count(r, Lifecycle::Churned)),
    ("word of mouth", |r| {
        r.totals.acquisitions_word_of_mouth as f64
    }),
    ("campaign", |r| r.totals.acquisitions_campaign as f64),
    ("loop closure", |r| {
        share(r.totals.loops_closed, r.totals.needs_raised)
    }),
];

/// The charts, each with the steps where knobs changed marked. Run A is
/// drawn solid, run B (comparing) dashed, and the timeline before the last
/// rewind faint; with B, a table of the headline metrics' differences.
fn charts(ui: &mut egui::Ui, w: &Workshop) {
    let a = w.session();
    let b = w.runs.b();
    let marks: Vec<u32> = a
        .history()
        .iter()
        .filter(|r| !r.knob_changes.is_empty())
        .map(|r| r.step)
        .collect();
    let horizon = f64::from(a.horizon());
    let specs = chart_specs();
    let columns = specs.len() + usize::from(b.is_some());
    let width = (ui.available_width() - (columns - 1) as f32 * ui.spacing().item_spacing.x)
        / columns as f32;
    if let Some(b) = b {
        ui.horizontal(|ui| {
            ui.strong(format!("A: {} (solid)", policy_of(a)));
            ui.label("·");
            ui.strong(format!("B: {} (dashed)", policy_of(b)));
            ui.label(format!("same seed {}, in lock-step", a.seed()));
        });
    }
    let height = ui.available_height() - 26.0;
    ui.horizontal(|ui| {
        for Chart(id, title, curves, y) in specs {
            ui.vertical(|ui| {
                ui.set_width(width);
                ui.strong(title);
                Plot::new(id)
                    .height(height)
                    .width(width)
                    .legend(
                        Legend::default()
                            .position(Corner::RightTop)
                            .background_alpha(0.6),
                    )
                    .include_x(0.0)
                    .include_x(horizon.max(1.0))
                    .include_y(y.0)
                    .include_y(y.1)
                    .allow_scroll(false)
                    .allow_zoom(false)
                    .allow_drag(false)
                    .show(ui, |p| {
                        for &m in &marks {
                            p.vline(
                                VLine::new("", f64::from(m))
                                    .color(egui::Color32::from_rgba_unmultiplied(255, 255, 255, 90))
                                    .width(1.5),
                            );
                        }
                        if let Some(at) = a.branched_at() {
                            p.vline(
                                VLine::new("branched", f64::from(at))
                                    .color(egui::Color32::from_rgb(255, 200, 80))
                                    .width(2.0),
                            );
                        }
                        for c in &curves {
                            let color = to_egui(c.color);
                            let ghost = a.ghost();
                            if !ghost.is_empty() {
                                p.line(
                                    Line::new("before rewind", series(ghost, c.value))
                                        .color(color.gamma_multiply(0.35))
                                        .width(1.5),
                                );
                            }
                            let name_a = if b.is_some() {
                                format!("{} A", c.name)
                            } else {
                                c.name.to_owned()
                            };
                            p.line(
                                Line::new(name_a, series(a.history(), c.value))
                                    .color(color)
                                    .width(2.5),
                            );
                            if let Some(b) = b {
                                p.line(
                                    Line::new(
                                        format!("{} B", c.name),
                                        series(b.history(), c.value),
                                    )
                                    .color(color)
                                    .width(2.0)
                                    .style(egui_plot::LineStyle::dashed_loose()),
                                );
                            }
                        }
                    });
            });
        }
        if let Some(b) = b {
            ui.vertical(|ui| {
                ui.set_width(width);
                ui.strong(format!("B − A at step {}", a.step_index()));
                differences(ui, a, b);
            });
        }
    });
}

fn policy_of(s: &siloscope_workshop::session::Session) -> &str {
    s.sim().policy().unwrap_or("(scenario knobs)")
}

/// The headline metrics of A and B now, and B − A.
fn differences(
    ui: &mut egui::Ui,
    a: &siloscope_workshop::session::Session,
    b: &siloscope_workshop::session::Session,
) {
    let (Some(ra), Some(rb)) = (a.history().last(), b.history().last()) else {
        ui.label("run a step to compare");
        return;
    };
    egui::Grid::new("differences").striped(true).show(ui, |ui| {
        ui.label("");
        ui.strong("A");
        ui.strong("B");
        ui.strong("B − A");
        ui.end_row();
        for (name, f) in DIFFERENCES {
            let (x, y) = (f(ra), f(rb));
            let fmt = |v: f64| {
                if !v.is_finite() {
                    "–".to_owned()
                } else if v.fract() == 0.0 {
                    format!("{v:.0}")
                } else {
                    format!("{v:.2}")
                }
            };
            ui.label(name);
            ui.label(fmt(x));
            ui.label(fmt(y));
            let d = y - x;
            let text = if d.is_finite() {
                format!("{}{}", if d > 0.0 { "+" } else { "" }, fmt(d))
            } else {
                "–".to_owned()
            };
            ui.strong(text);
            ui.end_row();
        }
    });
}

fn count(r: &StepReport, state: Lifecycle) -> f64 {
    f64::from(
        r.lifecycle[Part::ExistingCustomer.index()][state as usize]
            + r.lifecycle[Part::NewCustomer.index()][state as usize],
    )
}

fn share(a: u64, b: u64) -> f64 {
    if b == 0 {
        f64::NAN
    } else {
        a as f64 / b as f64
    }
}
