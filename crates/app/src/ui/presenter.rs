//! Presenter mode: the organisation full screen, and the story step (or
//! the run's state) in large type at the bottom.

use super::policy_of;
use crate::palette;
use crate::workshop::{Playback, Workshop};
use bevy::prelude::*;
use bevy_egui::egui;

/// Presenter mode: the organisation full screen, and the story step (or
/// the run's state) in large type at the bottom.
pub(super) fn presenter(root: &mut egui::Ui, w: &Workshop, playback: &Playback) {
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
            if playback.playing {
                ui.label(egui::RichText::new("playing").size(14.0).italics());
            }
        });
}
