//! The legend: what the colours, sizes and travelling items mean.

use super::{part_name, pretty};
use crate::palette;
use crate::palette::{flow_color, part_color, to_egui, trust_tint};
use bevy_egui::egui;
use siloscope_model::agent::Part;
use siloscope_model::flow::FlowKind;

/// A filled circle of `color` and `radius`, then `text`.
fn swatch(ui: &mut egui::Ui, color: egui::Color32, radius: f32, text: &str) {
    ui.horizontal(|ui| {
        let (rect, _) = ui.allocate_exact_size(egui::vec2(18.0, 16.0), egui::Sense::hover());
        ui.painter().circle_filled(rect.center(), radius, color);
        ui.label(text);
    });
}

/// What the colours, sizes and particles mean; only the parts `scenario`
/// has are listed.
pub(super) fn legend(ui: &mut egui::Ui, scenario: &siloscope_model::scenario::Scenario) {
    ui.spacing_mut().item_spacing.y = 1.0;
    for part in Part::ALL {
        if scenario.groups.iter().any(|g| g.part == part && g.size > 0) {
            swatch(ui, to_egui(part_color(part)), 6.0, part_name(part));
        }
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
    let grey = palette::MUTED;
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
        ui.colored_label(to_egui(palette::BLOCKED), "✖");
        ui.label("stopped at a silo wall (red ties)");
    });
}
