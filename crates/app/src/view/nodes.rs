//! The organisation's nodes and ties: built when a run or picture changes;
//! the nodes repainted after each step or a new selection (colour by part,
//! tint by trust, size and opacity by lifecycle).

use super::flat::{Disc, disc_mesh};
use super::items::Particles;
use super::{
    Drawn, MAX_TIES_DRAWN, Nodes, STRUCTURE_SAMPLE, TieShow, Ties, UNIT, View, bounds,
    lifecycle_look,
};
use crate::palette::{part_color, trust_tint};
use crate::workshop::Workshop;
use bevy::asset::RenderAssetUsages;
use bevy::camera::visibility::NoFrustumCulling;
use bevy::mesh::PrimitiveTopology;
use bevy::prelude::*;
use bevy::render::render_resource::{Extent3d, TextureDimension, TextureFormat};
use siloscope_model::network::TieKind;
use siloscope_workshop::compare::Side;
use siloscope_workshop::layout::{Layout, layout};
use siloscope_workshop::story::Mechanism;

/// A white disc with a soft edge and a faint dark rim, so touching nodes
/// stay distinct.
pub(super) fn disc_image(size: u32) -> Image {
    round_image(size, |d| if d > 0.82 { 0.55 } else { 1.0 }, 0.0)
}

/// A white ring with soft edges, its hole `inner` of its radius: a
/// travelling item, told apart from the (filled) nodes.
pub(super) fn ring_image(size: u32, inner: f32) -> Image {
    round_image(size, |_| 1.0, inner)
}

/// A round image: grey level `shade(d)` at `d` radii from the centre,
/// opaque from `inner` to 1, each edge one texel soft.
fn round_image(size: u32, shade: impl Fn(f32) -> f32, inner: f32) -> Image {
    let mut data = Vec::with_capacity((size * size * 4) as usize);
    let c = (size as f32 - 1.0) / 2.0;
    for y in 0..size {
        for x in 0..size {
            let d = ((x as f32 - c).powi(2) + (y as f32 - c).powi(2)).sqrt() / c;
            let outside = ((1.0 - d) * c).clamp(0.0, 1.0);
            let hole = if inner > 0.0 {
                ((d - inner) * c).clamp(0.0, 1.0)
            } else {
                1.0
            };
            let v = (shade(d) * 255.0) as u8;
            data.extend_from_slice(&[v, v, v, (outside * hole * 255.0) as u8]);
        }
    }
    Image::new(
        Extent3d {
            width: size,
            height: size,
            depth_or_array_layers: 1,
        },
        TextureDimension::D2,
        data,
        TextureFormat::Rgba8UnormSrgb,
        RenderAssetUsages::RENDER_WORLD,
    )
}

/// Lay the organisation out again when it or the picture changed.
pub(super) fn rebuild(
    mut commands: Commands,
    workshop: Res<Workshop>,
    mut view: ResMut<View>,
    mut particles: ResMut<Particles>,
    mut meshes: ResMut<Assets<Mesh>>,
    old: Query<Entity, Drawn>,
) {
    let highlight = workshop.staging().highlight;
    let key = (
        workshop.generation,
        view.picture,
        workshop.runs.comparing(),
        highlight,
        view.ties,
    );
    if view.built == Some(key) {
        return;
    }
    for e in &old {
        commands.entity(e).despawn();
    }
    particles.live.clear();
    let sim = workshop.session().sim();
    let net = sim.network();
    let l = layout(sim.scenario(), net, view.picture, sim.seed());
    view.offset_b = bounds(&l, None)
        .map(|(lo, hi)| Vec2::new((hi.x - lo.x) * 1.12 * UNIT, 0.0))
        .unwrap_or(Vec2::ZERO);
    // A mesh needs vertices: with no ties to draw there is none.
    let ties = Some(tie_mesh(sim, &l, highlight, view.ties))
        .filter(|m| m.count_vertices() > 0)
        .map(|m| meshes.add(m));
    for (side, _) in workshop.runs.shown() {
        let offset = view.offset(side);
        let discs = node_discs(
            workshop.runs.side(side).map_or(sim, |s| s.sim()),
            &l,
            offset,
            None,
        );
        // A mesh needs vertices: an organisation of no agents draws none.
        if !discs.is_empty() {
            commands.spawn((
                Nodes(side),
                // Repainted by `paint_nodes` after every step.
                Mesh2d(meshes.add(disc_mesh(&discs))),
                MeshMaterial2d(view.materials.nodes.clone()),
                Transform::from_xyz(0.0, 0.0, 1.0),
                // The mesh changes with every step; its bounds are not kept.
                NoFrustumCulling,
            ));
        }
        let Some(mesh) = &ties else {
            continue;
        };
        commands.spawn((
            Ties,
            Mesh2d(mesh.clone()),
            MeshMaterial2d(view.materials.ties.clone()),
            Transform::from_translation(offset.extend(0.0)),
            if view.ties != TieShow::Off {
                Visibility::Inherited
            } else {
                Visibility::Hidden
            },
        ));
    }
    if view.selected.is_some_and(|a| a as usize >= net.agents()) {
        view.selected = None;
    }
    if !workshop.runs.comparing() {
        view.selected_side = Side::A;
    }
    view.layout = Some(l);
    view.built = Some(key);
    view.painted = None;
    view.fit = true;
}

/// Which of each kind of tie to draw: every one, every `n`th, or none.
fn strides(
    net: &siloscope_model::network::Network,
    highlight: Option<Mechanism>,
    show: TieShow,
) -> [usize; 5] {
    let mut count = [0usize; 5];
    for a in 0..net.agents() {
        for t in net.offsets[a] as usize..net.offsets[a + 1] as usize {
            if net.target[t] as usize > a {
                count[net.kind_of(t) as usize] += 1;
            }
        }
    }
    let sample = |n: usize| n.div_ceil(STRUCTURE_SAMPLE).max(1);
    let mut stride = [1; 5];
    if show == TieShow::Structure {
        stride[TieKind::Touchpoint as usize] = sample(count[TieKind::Touchpoint as usize]);
        stride[TieKind::Peer as usize] = if highlight == Some(Mechanism::WordOfMouth) {
            sample(count[TieKind::Peer as usize])
        } else {
            0
        };
    }
    stride
}

/// Each undirected tie once (of those `show` asks for), coloured by kind;
/// walls stand out, and so do the ties of a highlighted mechanism (the
/// others fade).
fn tie_mesh(
    sim: &siloscope_model::sim::Simulation,
    l: &Layout,
    highlight: Option<Mechanism>,
    show: TieShow,
) -> Mesh {
    let net = sim.network();
    let stride = strides(net, highlight, show);
    let mut seen = [0usize; 5];
    let mut positions: Vec<[f32; 3]> = Vec::new();
    let mut colors: Vec<[f32; 4]> = Vec::new();
    'agents: for a in 0..net.agents() {
        for t in net.offsets[a] as usize..net.offsets[a + 1] as usize {
            let b = net.target[t] as usize;
            if b < a {
                continue;
            }
            if positions.len() / 2 >= MAX_TIES_DRAWN {
                break 'agents;
            }
            let kind = net.kind_of(t);
            let k = kind as usize;
            seen[k] += 1;
            if stride[k] == 0 || (seen[k] - 1) % stride[k] != 0 {
                continue;
            }
            let mut rgba = siloscope_workshop::look::tie_rgba(kind);
            if let Some(m) = highlight {
                let stands_out = matches!(
                    (m, kind),
                    (Mechanism::SiloWalls, TieKind::Wall)
                        | (
                            Mechanism::FeedbackLoop | Mechanism::Campaign,
                            TieKind::Touchpoint
                        )
                        | (Mechanism::WordOfMouth, TieKind::Peer)
                );
                rgba[3] = if stands_out {
                    (rgba[3] * 3.0).min(0.75)
                } else {
                    rgba[3] * 0.3
                };
            }
            for p in [l.pos[a], l.pos[b]] {
                positions.push([p[0] * UNIT, p[1] * UNIT, 0.0]);
                colors.push(rgba);
            }
        }
    }
    Mesh::new(PrimitiveTopology::LineList, RenderAssetUsages::RENDER_WORLD)
        .with_inserted_attribute(Mesh::ATTRIBUTE_POSITION, positions)
        .with_inserted_attribute(Mesh::ATTRIBUTE_COLOR, colors)
}

pub use siloscope_workshop::look::agent_trust;

/// Each agent of a run as a disc: coloured by part, tinted by trust, sized
/// and faded by lifecycle; the selected one larger and drawn last, on top.
fn node_discs(
    sim: &siloscope_model::sim::Simulation,
    l: &Layout,
    offset: Vec2,
    selected: Option<u32>,
) -> Vec<Disc> {
    let net = sim.network();
    let mut discs = Vec::with_capacity(net.agents());
    let mut on_top = None;
    for (a, p) in l.pos.iter().enumerate().take(net.agents()) {
        let a = a as u32;
        let centre = Vec2::new(p[0], p[1]) * UNIT + offset;
        let (size, alpha) = lifecycle_look(sim.lifecycle(a));
        let color =
            trust_tint(part_color(net.part[a as usize]), agent_trust(sim, a)).with_alpha(alpha);
        let disc = Disc {
            centre,
            size: UNIT * size,
            color,
        };
        if selected == Some(a) {
            on_top = Some(Disc {
                size: disc.size * 1.4,
                ..disc
            });
        } else {
            discs.push(disc);
        }
    }
    discs.extend(on_top);
    discs
}

/// Recolour and resize nodes after a step, a rebuild or a new selection.
pub(super) fn paint_nodes(
    workshop: Res<Workshop>,
    mut view: ResMut<View>,
    nodes: Query<(&Nodes, &Mesh2d)>,
    mut meshes: ResMut<Assets<Mesh>>,
) {
    let selected = view.selected.map(|a| (view.selected_side, a));
    let key = (
        workshop.generation,
        workshop.session().step_index(),
        selected,
    );
    if view.painted == Some(key) || view.built.is_none() {
        return;
    }
    for (&Nodes(side), mesh) in &nodes {
        let Some(session) = workshop.runs.side(side) else {
            continue;
        };
        let Some(l) = view.layout.as_ref() else {
            continue;
        };
        let discs = node_discs(
            session.sim(),
            l,
            view.offset(side),
            selected.and_then(|(s, a)| (s == side).then_some(a)),
        );
        // A fixed id: replacing the mesh cannot fail.
        let _ = meshes.insert(mesh.id(), disc_mesh(&discs));
    }
    view.painted = Some(key);
}

#[cfg(test)]
mod tests {
    use super::*;
    use siloscope_workshop::layout::Picture;

    /// Lines in a tie mesh.
    fn lines(mesh: &Mesh) -> usize {
        mesh.attribute(Mesh::ATTRIBUTE_POSITION).unwrap().len() / 2
    }

    /// The structure view draws every tie inside and between departments
    /// and to partners, at most a sample of touchpoints, and peer ties
    /// only while word of mouth is highlighted; "all" draws every tie.
    #[test]
    fn the_structure_view_keeps_the_walls_and_thins_the_customer_ties() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../scenarios/regional_2000.scenario.ron"
        );
        let w = crate::workshop::Workshop::open(std::path::Path::new(path), None, None).unwrap();
        let sim = w.session().sim();
        let net = sim.network();
        let l = layout(sim.scenario(), net, Picture::default(), sim.seed());
        let mut count = [0usize; 5];
        for a in 0..net.agents() {
            for t in net.offsets[a] as usize..net.offsets[a + 1] as usize {
                if net.target[t] as usize > a {
                    count[net.kind_of(t) as usize] += 1;
                }
            }
        }
        let structural = count[TieKind::Internal as usize]
            + count[TieKind::Wall as usize]
            + count[TieKind::Partner as usize];
        let (touch, peer) = (
            count[TieKind::Touchpoint as usize],
            count[TieKind::Peer as usize],
        );
        assert!(
            touch > 2 * STRUCTURE_SAMPLE && peer > 2 * STRUCTURE_SAMPLE,
            "{count:?}"
        );

        let all = lines(&tie_mesh(sim, &l, None, TieShow::All));
        assert_eq!(all, count.iter().sum::<usize>());

        let structure = lines(&tie_mesh(sim, &l, None, TieShow::Structure));
        let sampled = structure - structural;
        assert!(
            (STRUCTURE_SAMPLE / 2..=STRUCTURE_SAMPLE).contains(&sampled),
            "{sampled} touchpoints drawn of {touch}"
        );

        let word_of_mouth = lines(&tie_mesh(
            sim,
            &l,
            Some(Mechanism::WordOfMouth),
            TieShow::Structure,
        ));
        let peers = word_of_mouth - structure;
        assert!(
            (STRUCTURE_SAMPLE / 2..=STRUCTURE_SAMPLE).contains(&peers),
            "{peers} peer ties drawn of {peer}"
        );
    }
}
