//! Labels over the organisation: each part's and group's name where it is
//! drawn, in each run while comparing, on a dark plate over the ties; a
//! label that would cover another is left out.

use super::part_name;
use super::policy_since;
use crate::palette;
use crate::palette::{part_color, to_egui};
use crate::view::{UNIT, View};
use crate::workshop::Workshop;
use bevy::prelude::*;
use bevy_egui::egui;
use siloscope_model::agent::Part;
use siloscope_workshop::layout::Picture;

/// Part and department names over the graph.
pub(super) fn region_labels(
    ctx: &egui::Context,
    area: egui::Rect,
    w: &Workshop,
    view: &View,
    (camera, at): (&Camera, &GlobalTransform),
    zoom: f32,
) {
    let Some(l) = view.layout.as_ref() else {
        return;
    };
    let painter = ctx
        .layer_painter(egui::LayerId::background())
        .with_clip_rect(area);
    let font = egui::FontId::proportional(17.0);
    // The camera speaks the window's pixels, egui its points (`zoom` pixels
    // each).
    let to_screen = |p: Vec2| {
        camera
            .world_to_viewport(at, p.extend(0.0))
            .ok()
            .map(|s| s / zoom)
    };
    // Comparing: name each run above its organisation.
    if w.runs.comparing()
        && let Some((lo, hi)) = crate::view::bounds(l, None)
    {
        for (side, session) in w.runs.shown() {
            let bottom = Vec2::new((lo.x + hi.x) / 2.0, lo.y) * UNIT + view.offset(side);
            if let Some(s) = to_screen(bottom) {
                painter.text(
                    egui::pos2(s.x, (s.y + 6.0).min(area.max.y - 30.0)),
                    egui::Align2::CENTER_TOP,
                    format!(
                        "{}: {}",
                        side.label(),
                        policy_since(session, &w.scenario().step_unit)
                    ),
                    egui::FontId::proportional(24.0),
                    egui::Color32::WHITE,
                );
            }
        }
    }
    let mut placed = Labels {
        painter: &painter,
        area,
        placed: Vec::new(),
    };
    let scenario = w.scenario();
    for (side, _) in w.runs.shown() {
        let offset = view.offset(side);
        for f in &l.parts {
            let top = Vec2::new(f.centre[0], f.centre[1] + f.outer) * UNIT + offset;
            if let Some(s) = to_screen(top) {
                placed.put(
                    egui::pos2(s.x, s.y - 4.0),
                    part_name(f.part),
                    font.clone(),
                    to_egui(part_color(f.part)),
                );
            }
        }
    }
    for (side, _) in w.runs.shown() {
        let offset = view.offset(side);
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
            } * UNIT
                + offset;
            if let Some(s) = to_screen(p) {
                placed.put(
                    egui::pos2(s.x, s.y),
                    &group.name,
                    egui::FontId::proportional(14.0),
                    palette::LABEL_TEXT,
                );
            }
        }
    }
}

/// Labels laid over the organisation on a dark plate, so ties do not run
/// through them; a label that would cover one already placed (a small
/// screen, a zoomed-out view) is left out rather than drawn over it.
struct Labels<'a> {
    painter: &'a egui::Painter,
    /// The graph area: a label that would stick out above it, or sits just
    /// above it (the outer ring's, with the organisation fitted to the
    /// area), is moved down into it.
    area: egui::Rect,
    placed: Vec<egui::Rect>,
}

impl Labels<'_> {
    /// Put `text` centred above `bottom`, unless it would cover a label
    /// already there.
    fn put(&mut self, bottom: egui::Pos2, text: &str, font: egui::FontId, color: egui::Color32) {
        let galley = self.painter.layout_no_wrap(text.to_owned(), font, color);
        let mut rect = egui::Align2::CENTER_BOTTOM
            .anchor_size(bottom, galley.size())
            .expand2(egui::vec2(4.0, 1.0));
        if rect.min.y < self.area.min.y && rect.max.y + rect.height() > self.area.min.y {
            rect = rect.translate(egui::vec2(0.0, self.area.min.y - rect.min.y));
        }
        if self.placed.iter().any(|r| r.intersects(rect)) {
            return;
        }
        self.painter.rect_filled(rect, 3.0, palette::LABEL_PLATE);
        self.painter
            .galley(rect.min + egui::vec2(4.0, 1.0), galley, color);
        self.placed.push(rect);
    }
}
