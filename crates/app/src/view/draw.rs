//! What is drawn anew each frame: the parts' frames, the silo walls, the
//! travelling items and the selected agent's ties.

use super::flat::{Disc, disc_mesh};
use super::items::Particles;
use super::{Dots, GraphCamera, Ties, UNIT, View};
use crate::palette;
use crate::palette::{BLOCKED, flow_color, part_color};
use crate::workshop::Workshop;
use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use siloscope_model::agent::Part;

/// World units per screen pixel for markers: they keep their size on
/// screen, twice as large in presenter mode, to be seen from the back of a
/// room.
fn marker_pixel(projection: &Projection, workshop: &Workshop) -> f32 {
    let scale = match projection {
        Projection::Orthographic(o) => o.scale,
        _ => 1.0,
    };
    scale * if workshop.presenting { 2.0 } else { 1.0 }
}

/// Part outlines, the silo walls, the selection and its ties.
pub(super) fn draw(
    mut gizmos: Gizmos,
    workshop: Res<Workshop>,
    view: Res<View>,
    mut ties: Query<&mut Visibility, With<Ties>>,
) {
    for mut v in &mut ties {
        let want = if view.ties != super::TieShow::Off {
            Visibility::Inherited
        } else {
            Visibility::Hidden
        };
        if *v != want {
            *v = want;
        }
    }
    let Some(l) = view.layout.as_ref() else {
        return;
    };
    let scenario = workshop.scenario();
    for (side, _) in workshop.runs.shown() {
        let offset = view.offset(side);
        for frame in &l.parts {
            let c = Vec2::new(frame.centre[0], frame.centre[1]) * UNIT + offset;
            let color = part_color(frame.part).with_alpha(0.35);
            gizmos
                .circle_2d(Isometry2d::from_translation(c), frame.outer * UNIT, color)
                .resolution(96);
            if frame.inner > 0.0 {
                gizmos
                    .circle_2d(Isometry2d::from_translation(c), frame.inner * UNIT, color)
                    .resolution(96);
            }
        }
        // Department clusters: the silos.
        for (g, region) in l.groups.iter().enumerate() {
            if scenario.groups[g].part == Part::Department
                && region.inner == 0.0
                && region.sweep >= std::f32::consts::TAU
            {
                let c = Vec2::new(region.centre[0], region.centre[1]) * UNIT + offset;
                gizmos
                    .circle_2d(
                        Isometry2d::from_translation(c),
                        (region.outer + 0.6) * UNIT,
                        part_color(Part::Department).with_alpha(0.5),
                    )
                    .resolution(48);
            }
        }
    }

    let side = view.selected_side;
    if let Some(a) = view.selected
        && let Some(p) = view.position_on(side, a)
        && let Some(session) = workshop.runs.side(side)
    {
        let sim = session.sim();
        let net = sim.network();
        for t in net.offsets[a as usize] as usize..net.offsets[a as usize + 1] as usize {
            let Some(q) = view.position_on(side, net.target[t]) else {
                continue;
            };
            let trust = sim.trust(t);
            let color = palette::trust_ramp(trust);
            gizmos.line_2d(p, q, color);
        }
        gizmos.circle_2d(Isometry2d::from_translation(p), 1.1 * UNIT, Color::WHITE);
    }
}

/// The travelling items: a trail each (gizmo lines), their heads as rings
/// in one mesh; a cross where a wall stopped one.
pub(super) fn draw_items(
    mut gizmos: Gizmos,
    workshop: Res<Workshop>,
    view: Res<View>,
    mut particles: ResMut<Particles>,
    time: Res<Time<Real>>,
    projection: Single<&Projection, With<GraphCamera>>,
    mut heads: ItemHeads,
) {
    if view.layout.is_none() {
        heads.show(&[]);
        return;
    }
    let px = marker_pixel(&projection, &workshop);
    particles.clock += time.delta_secs().min(0.05);
    let now = particles.clock;
    let duration = particles.duration.max(0.1);
    particles.live.retain(|p| now - p.born < duration + 0.6);
    // Item heads as rings, one mesh: a gizmo circle is 8 to 32 line
    // segments, each drawn as a quad.
    let mut dots = Vec::with_capacity(particles.live.len());
    for p in &particles.live {
        let age = (now - p.born) / duration;
        if p.passed {
            if age > 1.0 {
                continue;
            }
            let head = p.from.lerp(p.to, age);
            let tail = p.from.lerp(p.to, (age - 0.12).max(0.0));
            let color = flow_color(p.kind);
            gizmos.line_2d(tail, head, color.with_alpha(0.7));
            dots.push(Disc {
                centre: head,
                size: 7.0 * px,
                color,
            });
        } else {
            // Stopped at the wall, half way.
            let stop = p.from.lerp(p.to, 0.5);
            let head = p.from.lerp(stop, age.min(1.0));
            if age < 1.0 {
                dots.push(Disc {
                    centre: head,
                    size: 8.0 * px,
                    color: flow_color(p.kind),
                });
            } else {
                let fade = (1.0 - (age - 1.0) * duration / 0.6).clamp(0.0, 1.0);
                gizmos.cross_2d(
                    Isometry2d::from_translation(stop),
                    6.0 * px,
                    BLOCKED.with_alpha(fade),
                );
            }
        }
    }

    heads.show(&dots);
}

/// The heads' entity, its mesh once there is one, whether it shows.
type HeadsLayer = (Entity, Option<&'static Mesh2d>, &'static mut Visibility);

/// The travelling items' heads: one mesh of rings, drawn over the nodes.
#[derive(SystemParam)]
pub(super) struct ItemHeads<'w, 's> {
    layer: Single<'w, 's, HeadsLayer, With<Dots>>,
    meshes: ResMut<'w, Assets<Mesh>>,
    commands: Commands<'w, 's>,
}

impl ItemHeads<'_, '_> {
    /// Show these heads, or hide the layer when there are none (a mesh
    /// needs vertices: the first comes with the first items).
    fn show(&mut self, dots: &[Disc]) {
        let (entity, mesh, visibility) = &mut *self.layer;
        let want = if dots.is_empty() {
            Visibility::Hidden
        } else {
            match mesh {
                Some(mesh) => {
                    // A fixed id: replacing the mesh cannot fail.
                    let _ = self.meshes.insert(mesh.id(), disc_mesh(dots));
                }
                None => {
                    let mesh = self.meshes.add(disc_mesh(dots));
                    self.commands.entity(*entity).insert(Mesh2d(mesh));
                }
            }
            Visibility::Inherited
        };
        if **visibility != want {
            **visibility = want;
        }
    }
}
