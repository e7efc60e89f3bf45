//! The policy panel (left): presets, a slider per knob, the interventions
//! timeline and the form that schedules one live.

use super::{UiState, pretty};
use crate::workshop::{Control, Workshop};
use bevy::prelude::*;
use bevy_egui::egui;
use siloscope_model::knob::Knob;
use siloscope_scenario::{Action, Intervention};

/// The "add an intervention" form.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Plan {
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

pub(super) fn policy_panel(
    ui: &mut egui::Ui,
    w: &Workshop,
    state: &mut UiState,
    out: &mut Vec<Control>,
) {
    let sim = w.edited_session().sim();
    let scenario = w.scenario();
    if w.runs.comparing() {
        ui.heading(format!("Policy of run {}", w.edited_side().label()));
    } else {
        ui.heading("Policy");
    }
    // A preset is highlighted only while every knob it sets has its value.
    let in_force = siloscope_workshop::in_force::InForce::of(sim);
    ui.horizontal_wrapped(|ui| {
        for p in &scenario.policies {
            let current = in_force.is(&p.name);
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
        let before = sim.knobs().get(knob);
        // egui snaps a value to the slider's step through f64 and reports
        // the last-bit difference as a change on the first frame: only a
        // move of a sizeable part of a step is the user's.
        if ui.add(slider).on_hover_text(&spec.description).changed()
            && (value - before).abs() > spec.step * 1e-3
        {
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
