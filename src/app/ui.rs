//! The panels: controls on top, policy on the left, inspector on the
//! right, charts at the bottom; labels, legend, errors and help over the
//! graph. Every change is sent as a [`Control`]; nothing here touches the
//! run directly.

use super::capture::TakeScreenshot;
use super::view::{GraphCamera, UNIT, View, agent_trust, flow_color, part_color, trust_tint};
use super::workshop::{Control, Playback, SPEEDS, Workshop, WorkshopSystems};
use crate::agent::{Lifecycle, Part};
use crate::flow::FlowKind;
use crate::knob::Knob;
use crate::layout::Picture;
use crate::metrics::StepReport;
use crate::scenario::{Action, Intervention};
use bevy::prelude::*;
use bevy_egui::input::egui_wants_any_keyboard_input;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use egui_plot::{Corner, Legend, Line, Plot, PlotPoints, VLine};
use std::path::PathBuf;

/// Panels and shortcuts.
pub struct UiPlugin;

impl Plugin for UiPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<UiState>()
            .add_systems(EguiPrimaryContextPass, panels)
            .add_systems(
                Update,
                shortcuts
                    .run_if(not(egui_wants_any_keyboard_input))
                    .before(WorkshopSystems::Controls),
            );
    }
}

/// Keyboard shortcuts, as shown in the help overlay.
pub const SHORTCUTS: [(&str, &str); 12] = [
    ("Space", "play / pause"),
    ("Right arrow", "one step"),
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
        w.session.step_index()
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

fn top_bar(
    ui: &mut egui::Ui,
    w: &Workshop,
    playback: &Playback,
    view: &mut View,
    state: &mut UiState,
    out: &mut Vec<Control>,
    shots: &mut MessageWriter<TakeScreenshot>,
) {
    let session = &w.session;
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
    if let Some(notice) = &w.notice {
        ui.label(egui::RichText::new(notice).italics());
    }
}

fn policy_panel(ui: &mut egui::Ui, w: &Workshop, state: &mut UiState, out: &mut Vec<Control>) {
    let sim = w.session.sim();
    let scenario = w.scenario();
    ui.heading("Policy");
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
    let now = w.session.step_index();
    let live: Vec<&Intervention> = w
        .session
        .edits()
        .iter()
        .filter_map(|e| match &e.edit {
            crate::session::Edit::Schedule(iv) => Some(iv),
            _ => None,
        })
        .collect();
    if scenario.interventions.is_empty() {
        ui.label("none scheduled");
    }
    for iv in &scenario.interventions {
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
        ui.add(egui::DragValue::new(&mut plan.at).range(now..=w.session.horizon().max(now)));
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
    let sim = w.session.sim();
    let scenario = w.scenario();
    let net = sim.network();
    let part = net.part[a as usize];
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
        if let Some(story) = w.session.story(a) {
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
                crate::agent::Source::None => "not yet exposed / started as a customer",
                crate::agent::Source::WordOfMouth => "word of mouth",
                crate::agent::Source::Campaign => "a campaign",
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
            let from = if back == crate::network::NO_TIE {
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
    if let Some(story) = w.session.story(a) {
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

/// Five charts, each with the steps where knobs changed marked.
fn charts(ui: &mut egui::Ui, w: &Workshop) {
    let history = w.session.history();
    let marks: Vec<u32> = history
        .iter()
        .filter(|r| !r.knob_changes.is_empty())
        .map(|r| r.step)
        .collect();
    let horizon = f64::from(w.session.horizon());
    let width = (ui.available_width() - 4.0 * ui.spacing().item_spacing.x) / 5.0;
    let height = ui.available_height() - 26.0;
    let chart = |ui: &mut egui::Ui,
                 id: &str,
                 title: &str,
                 lines: Vec<(String, Color, PlotPoints<'static>)>,
                 y: (f64, f64)| {
        ui.vertical(|ui| {
            ui.set_width(width);
            ui.strong(title);
            let mut plot = Plot::new(id)
                .height(height)
                .width(width)
                .legend(
                    Legend::default()
                        .position(Corner::RightTop)
                        .background_alpha(0.6),
                )
                .include_x(0.0)
                .include_x(horizon.max(1.0))
                .allow_scroll(false)
                .allow_zoom(false)
                .allow_drag(false);
            plot = plot.include_y(y.0).include_y(y.1);
            plot.show(ui, |p| {
                for &m in &marks {
                    p.vline(
                        VLine::new("", f64::from(m))
                            .color(egui::Color32::from_rgba_unmultiplied(255, 255, 255, 90))
                            .width(1.5),
                    );
                }
                for (name, color, points) in lines {
                    p.line(Line::new(name, points).color(to_egui(color)).width(2.5));
                }
            });
        });
    };
    ui.horizontal(|ui| {
        let parts = [
            Part::Department,
            Part::Partner,
            Part::ExistingCustomer,
            Part::NewCustomer,
        ];
        chart(
            ui,
            "trust",
            "Trust toward each part",
            parts
                .iter()
                .map(|&p| {
                    (
                        part_name(p).split(' ').next().unwrap_or("").to_owned(),
                        part_color(p),
                        series(history, move |r| r.trust_toward[p.index()]),
                    )
                })
                .collect(),
            (0.0, 1.0),
        );
        chart(
            ui,
            "acquisitions",
            "Acquisitions (cumulative)",
            vec![
                (
                    "word of mouth".into(),
                    flow_color(FlowKind::PeerHelp),
                    series(history, |r| r.totals.acquisitions_word_of_mouth as f64),
                ),
                (
                    "campaign".into(),
                    flow_color(FlowKind::Push),
                    series(history, |r| r.totals.acquisitions_campaign as f64),
                ),
            ],
            (0.0, 1.0),
        );
        chart(
            ui,
            "customers",
            "Advocates and churned",
            vec![
                (
                    "advocates".into(),
                    part_color(Part::ExistingCustomer),
                    series(history, |r| count(r, Lifecycle::Advocate)),
                ),
                (
                    "churned".into(),
                    Color::srgb(0.9, 0.3, 0.3),
                    series(history, |r| count(r, Lifecycle::Churned)),
                ),
            ],
            (0.0, 1.0),
        );
        chart(
            ui,
            "silo",
            "Silo E-I index (-1 closed)",
            vec![(
                "E-I (cumulative)".into(),
                part_color(Part::Department),
                series(history, |r| {
                    crate::silo_index::ei_index(
                        r.totals.flows_external as f64,
                        r.totals.flows_internal as f64,
                    )
                    .unwrap_or(f64::NAN)
                }),
            )],
            (-1.0, 1.0),
        );
        chart(
            ui,
            "loop",
            "Feedback loop closure",
            vec![
                (
                    "closed".into(),
                    flow_color(FlowKind::Answer),
                    series(history, |r| {
                        share(r.totals.loops_closed, r.totals.needs_raised)
                    }),
                ),
                (
                    "reached Product".into(),
                    flow_color(FlowKind::Need),
                    series(history, |r| {
                        share(r.totals.needs_reached, r.totals.needs_raised)
                    }),
                ),
            ],
            (0.0, 1.0),
        );
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
