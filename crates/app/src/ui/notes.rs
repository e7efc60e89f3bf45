//! Notes and predictions (right panel): the facilitator pins a note to
//! the step on screen (and to the agent inspected), and types in the
//! room's predictions before a run; once the run gets there, each
//! prediction shows what happened. Both are saved with the session and go
//! into the debrief.

use super::UiState;
use crate::view::View;
use crate::workshop::{Control, Workshop};
use bevy_egui::egui;
use siloscope_model::metrics::short_label;
use siloscope_workshop::headline::{HEADLINES, headline};
use siloscope_workshop::record::{Note, Prediction};

/// What is being typed.
#[derive(Default)]
pub(super) struct Drafts {
    note: String,
    about_agent: bool,
    metric: usize,
    step: Option<u32>,
    value: f64,
    by: String,
}

pub(super) fn notes(
    ui: &mut egui::Ui,
    w: &Workshop,
    view: &View,
    state: &mut UiState,
    out: &mut Vec<Control>,
) {
    let unit = &w.scenario().step_unit;
    let side = w.edited_side();
    let session = w.runs.side(side).unwrap_or(w.session());
    let step = session.step_index();
    let d = &mut state.drafts;

    ui.add(
        egui::TextEdit::multiline(&mut d.note)
            .hint_text("what the room said, or what to remember")
            .desired_rows(2)
            .desired_width(f32::INFINITY),
    );
    let agent = view
        .selected
        .filter(|_| view.selected_side == side)
        .map(|a| w.scenario().agent_id(a));
    ui.horizontal(|ui| {
        if let Some(id) = &agent {
            ui.checkbox(&mut d.about_agent, format!("about {id}"));
        }
        let pin = ui.add_enabled(
            !d.note.trim().is_empty(),
            egui::Button::new(format!("📌 Pin to {unit} {step}")),
        );
        if pin.clicked() {
            out.push(Control::AddNote(Note {
                step,
                side,
                agent: agent.clone().filter(|_| d.about_agent),
                text: d.note.trim().to_owned(),
            }));
            d.note.clear();
        }
    });
    for (i, n) in w.notes.iter().enumerate() {
        ui.horizontal_wrapped(|ui| {
            if ui.small_button("🗙").on_hover_text("remove").clicked() {
                out.push(Control::RemoveNote(i));
            }
            let about = n
                .agent
                .as_deref()
                .map_or(String::new(), |a| format!(" · {a}"));
            ui.strong(format!("{unit} {} · {}{about}", n.step, n.side.label()));
            ui.label(&n.text);
        });
    }

    ui.separator();
    ui.label(egui::RichText::new("Predictions").strong());
    let horizon = session.horizon();
    let at = d.step.get_or_insert(horizon);
    *at = (*at).clamp(1, horizon.max(1));
    ui.horizontal_wrapped(|ui| {
        egui::ComboBox::from_id_salt("prediction metric")
            .selected_text(short_label(
                HEADLINES[d.metric.min(HEADLINES.len() - 1)].metric,
            ))
            .show_ui(ui, |ui| {
                for (i, h) in HEADLINES.iter().enumerate() {
                    ui.selectable_value(&mut d.metric, i, short_label(h.metric));
                }
            });
        ui.label("at");
        ui.add(
            egui::DragValue::new(at)
                .range(1..=horizon.max(1))
                .prefix(format!("{unit} ")),
        );
        ui.label("=");
        ui.add(egui::DragValue::new(&mut d.value).speed(0.01));
    });
    ui.horizontal(|ui| {
        ui.add(
            egui::TextEdit::singleline(&mut d.by)
                .hint_text("by (a name, a table)")
                .desired_width(150.0),
        );
        if ui.button("Add prediction").clicked() {
            out.push(Control::AddPrediction(Prediction {
                metric: HEADLINES[d.metric.min(HEADLINES.len() - 1)]
                    .metric
                    .to_owned(),
                step: *at,
                value: d.value,
                by: d.by.trim().to_owned(),
                side,
            }));
        }
    });
    for (i, p) in w.predictions.iter().enumerate() {
        let Some(h) = headline(&p.metric) else {
            continue;
        };
        let run = w.runs.side(p.side);
        let result = run.and_then(|s| s.history().get(p.step as usize - 1));
        ui.horizontal_wrapped(|ui| {
            if ui.small_button("🗙").on_hover_text("remove").clicked() {
                out.push(Control::RemovePrediction(i));
            }
            let by = if p.by.is_empty() {
                String::new()
            } else {
                format!(" ({})", p.by)
            };
            ui.label(format!(
                "{} at {unit} {} in {}: {}{by}",
                short_label(h.metric),
                p.step,
                p.side.label(),
                h.format(p.value, false)
            ));
            match result {
                Some(r) => {
                    let v = (h.value)(r);
                    ui.strong(format!(
                        "→ {} (off by {})",
                        h.format(v, false),
                        h.format(p.value - v, true)
                    ));
                }
                None => {
                    ui.weak("not reached yet");
                }
            }
        });
    }
}

/// The offer to restore a session that did not end: restore it, or start
/// afresh (it is then not offered again).
pub(super) fn offer(
    ctx: &egui::Context,
    w: &Workshop,
    offer: &str,
    out: &mut Vec<Control>,
    path: &std::path::Path,
) {
    egui::Window::new("Restore the last session?")
        .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0])
        .collapsible(false)
        .resizable(false)
        .min_width(520.0)
        .show(ctx, |ui| {
            ui.label(format!(
                "A workshop of {} was not closed (a crash, a closed lid or a killed window):",
                w.scenario().name
            ));
            ui.strong(offer);
            ui.add_space(8.0);
            ui.horizontal(|ui| {
                if ui.button("⟲ Restore it").clicked() {
                    out.push(Control::RestoreSession(path.to_owned()));
                }
                if ui.button("Start afresh").clicked() {
                    out.push(Control::DeclineSession);
                }
            });
        });
}
