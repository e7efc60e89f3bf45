//! Presenter mode: the organisation full screen, and the story step (or
//! the run's state) in large type at the bottom, with the figures a note
//! can be checked against: A's, and B − A when comparing.

use super::policy_of;
use crate::palette;
use crate::workshop::{Playback, Workshop};
use bevy::prelude::*;
use bevy_egui::egui;
use siloscope_model::metrics::short_label;
use siloscope_workshop::headline::HEADLINES;

/// The figures presenter mode shows, by metric name: what a policy gains
/// and what it pays.
const FIGURES: [&str; 6] = [
    "customer_trust_in_org",
    "customers",
    "loop_closure_share",
    "queue_length",
    "cost_cumulative",
    "profit_total",
];

/// Presenter mode: the organisation full screen, and the story step (or
/// the run's state) in large type at the bottom.
pub(super) fn presenter(root: &mut egui::Ui, w: &Workshop, playback: &Playback) {
    let session = w.session();
    let unit = &w.scenario().step_unit;
    egui::Panel::bottom("story")
        .exact_size(236.0)
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
                            .color(palette::STORY_TEXT),
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
                                    .color(palette::HIGHLIGHT_TEXT),
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
            figures(ui, w);
            if playback.playing {
                ui.label(egui::RichText::new("playing").size(14.0).italics());
            }
        });
}

/// One line of figures: A's now, and with B, B − A coloured better or
/// worse.
fn figures(ui: &mut egui::Ui, w: &Workshop) {
    let Some(a) = w.session().history().last() else {
        return;
    };
    let b = w.runs.b().and_then(|b| b.history().last());
    ui.add_space(4.0);
    ui.horizontal_wrapped(|ui| {
        ui.label(
            egui::RichText::new(if b.is_some() { "B − A:" } else { "A:" })
                .size(20.0)
                .strong(),
        );
        for (i, name) in FIGURES.iter().enumerate() {
            let Some(h) = HEADLINES.iter().find(|h| h.metric == *name) else {
                continue;
            };
            if !(h.value)(a).is_finite() {
                continue;
            }
            if i > 0 {
                ui.label(egui::RichText::new("·").size(20.0).weak());
            }
            ui.label(egui::RichText::new(short_label(name)).size(20.0));
            let text = match b {
                Some(b) => {
                    let (d, verdict) = h.compare(a, b);
                    super::charts::verdict_text(&h.format(d, true), verdict).size(22.0)
                }
                None => egui::RichText::new(h.format((h.value)(a), false))
                    .size(22.0)
                    .strong(),
            };
            ui.label(text);
        }
    });
}
