//! The timeline under the top bar: the scrubber that rewinds the runs, with
//! marks where knobs changed and where the run branched.

use super::other_policy;
use crate::palette;
use crate::workshop::{Control, Workshop};
use bevy::prelude::*;
use bevy_egui::egui;
use siloscope_workshop::compare::Side;

/// The timeline scrubber (drag back to rewind, forward to compute), the
/// comparison's controls, and presenter mode.
pub(super) fn timeline(ui: &mut egui::Ui, w: &Workshop, out: &mut Vec<Control>) {
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
        if let Some(at) = super::branched(session) {
            ui.colored_label(palette::BRANCH, format!("branched at {at}"));
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
