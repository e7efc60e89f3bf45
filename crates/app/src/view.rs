//! The organisation view: one node per agent, ties, part outlines, and
//! items travelling along ties.
//!
//! - Nodes are sprites of one generated disc image, so the whole
//!   organisation draws in one batch. Hue is the part; tint is trust (toward
//!   dark red below neutral, toward white above); size and opacity are the
//!   customer's lifecycle state (advocates large, prospects and churned
//!   customers small and faint).
//! - Ties are one retained line mesh with vertex colours, rebuilt only when
//!   the organisation or the picture changes; silo walls are drawn in red.
//! - Items that moved in the last step travel as particles coloured by
//!   kind; an item a silo wall stopped halts half way and leaves a red
//!   cross.
//! - Pan with a left or middle drag, zoom with the wheel around the cursor,
//!   click a node to inspect it; all of it yields to egui's panels.
//! - Comparing, run B is drawn to the right of run A, the same layout
//!   (same scenario, same seed), so the two halves of the screen line up.
//! - A story step can frame one part and highlight one mechanism: the ties
//!   and items of other mechanisms fade.

use super::workshop::{Stepped, Workshop, WorkshopSystems};
use bevy::asset::RenderAssetUsages;
use bevy::input::mouse::{AccumulatedMouseScroll, MouseScrollUnit};
use bevy::mesh::PrimitiveTopology;
use bevy::prelude::*;
use bevy::render::render_resource::{Extent3d, TextureDimension, TextureFormat};
use bevy::sprite_render::AlphaMode2d;
use bevy::window::PrimaryWindow;
use siloscope_model::agent::{Lifecycle, Part};
use siloscope_model::flow::FlowKind;
use siloscope_model::network::TieKind;
use siloscope_workshop::compare::Side;
use siloscope_workshop::layout::{Layout, Picture, layout};
use siloscope_workshop::story::Mechanism;

/// Pixels per layout unit at zoom 1.
pub const UNIT: f32 = 12.0;
/// Most items animated per step (a sample when more moved).
pub const MAX_PARTICLES: usize = 700;
/// Most ties drawn.
pub const MAX_TIES_DRAWN: usize = 120_000;

/// Colour of a part.
pub fn part_color(part: Part) -> Color {
    match part {
        Part::Department => Color::srgb_u8(0x4c, 0x8b, 0xf5),
        Part::Partner => Color::srgb_u8(0xb0, 0x6c, 0xe8),
        Part::ExistingCustomer => Color::srgb_u8(0x2b, 0xc0, 0x7a),
        Part::NewCustomer => Color::srgb_u8(0xf5, 0xa6, 0x23),
    }
}

/// Colour of an item kind.
pub fn flow_color(kind: FlowKind) -> Color {
    match kind {
        FlowKind::Need => Color::srgb_u8(0xff, 0xe0, 0x4f),
        FlowKind::Answer => Color::srgb_u8(0x4d, 0xe3, 0xf1),
        FlowKind::Push => Color::srgb_u8(0xff, 0x70, 0x43),
        FlowKind::CrossSell => Color::srgb_u8(0xf0, 0x4f, 0x9a),
        FlowKind::PeerHelp => Color::srgb_u8(0x9c, 0xff, 0x57),
        FlowKind::Internal => Color::srgb_u8(0xe8, 0xee, 0xff),
    }
}

/// What a blocked item leaves at the wall.
pub const BLOCKED: Color = Color::srgb(1.0, 0.1, 0.2);
/// Background.
pub const BACKGROUND: Color = Color::srgb(0.06, 0.07, 0.09);

/// A part's colour tinted by trust: toward dark red below neutral, toward
/// white above.
pub fn trust_tint(base: Color, trust: f32) -> Color {
    let low = Color::srgb(0.55, 0.05, 0.08);
    let t = trust.clamp(0.0, 1.0);
    if t < 0.5 {
        base.mix(&low, (0.5 - t) * 1.8)
    } else {
        base.mix(&Color::WHITE, (t - 0.5) * 1.1)
    }
}

/// Relative size and opacity of a node in a lifecycle state.
pub fn lifecycle_look(state: Option<Lifecycle>) -> (f32, f32) {
    match state {
        None => (0.95, 1.0),
        Some(Lifecycle::Unaware) => (0.55, 0.45),
        Some(Lifecycle::Aware) => (0.75, 0.8),
        Some(Lifecycle::Considering) => (0.9, 0.9),
        Some(Lifecycle::Customer) => (1.0, 1.0),
        Some(Lifecycle::Advocate) => (1.5, 1.0),
        Some(Lifecycle::Churned) => (0.7, 0.35),
        Some(Lifecycle::Returning) => (0.9, 0.8),
    }
}

/// What the view shows and how.
#[derive(Resource)]
pub struct View {
    /// The picture drawn.
    pub picture: Picture,
    /// Where every agent is.
    pub layout: Option<Layout>,
    /// The agent being inspected.
    pub selected: Option<u32>,
    /// The run it is in.
    pub selected_side: Side,
    /// Draw ties.
    pub show_ties: bool,
    /// Animate items.
    pub show_items: bool,
    /// Fit the camera to the organisation on the next frame.
    pub fit: bool,
    /// The screen area left for the graph by the panels (logical pixels).
    pub graph_area: Option<Rect>,
    /// Where run B is drawn, relative to run A (world units).
    pub offset_b: Vec2,
    built: Option<BuildKey>,
    painted: Option<PaintKey>,
    node_image: Handle<Image>,
}

/// What the drawn entities depend on: the organisation, the picture, the
/// comparison and the highlighted mechanism.
type BuildKey = (u64, Picture, bool, Option<Mechanism>);

/// What the nodes' colours depend on: the organisation, the step and the
/// selection.
type PaintKey = (u64, u32, Option<(Side, u32)>);

impl View {
    /// Where a side is drawn, relative to run A.
    pub fn offset(&self, side: Side) -> Vec2 {
        match side {
            Side::A => Vec2::ZERO,
            Side::B => self.offset_b,
        }
    }

    /// World position of agent `a` of run A.
    pub fn position(&self, a: u32) -> Option<Vec2> {
        self.position_on(Side::A, a)
    }

    /// World position of agent `a` on a side.
    pub fn position_on(&self, side: Side, a: u32) -> Option<Vec2> {
        let p = self.layout.as_ref()?.pos.get(a as usize)?;
        Some(Vec2::new(p[0], p[1]) * UNIT + self.offset(side))
    }
}

/// The layout's extent (layout units): the union of the part frames (of
/// one part, if given).
pub fn bounds(l: &Layout, part: Option<Part>) -> Option<(Vec2, Vec2)> {
    let (mut lo, mut hi) = (Vec2::splat(f32::MAX), Vec2::splat(f32::MIN));
    for f in l.parts.iter().filter(|f| part.is_none_or(|p| f.part == p)) {
        let c = Vec2::new(f.centre[0], f.centre[1]);
        lo = lo.min(c - f.outer);
        hi = hi.max(c + f.outer);
    }
    (lo.x <= hi.x).then_some((lo, hi))
}

/// Marks the camera that looks at the organisation.
#[derive(Component)]
pub struct GraphCamera;

#[derive(Component)]
struct Node(Side, u32);

#[derive(Component)]
struct Ties;

/// Entities the view spawns for an organisation.
type Drawn = Or<(With<Node>, With<Ties>)>;

struct Particle {
    from: Vec2,
    to: Vec2,
    kind: FlowKind,
    passed: bool,
    born: f32,
}

#[derive(Resource, Default)]
struct Particles {
    live: Vec<Particle>,
    /// Seconds a particle takes to cross its tie.
    duration: f32,
    /// The animation clock: real time, but a slow frame (a window being
    /// set up, a shader compiling) advances it by at most 1/20 s, so items
    /// are not skipped over.
    clock: f32,
}

/// Draws the organisation, starting with `picture` and `selected`.
#[derive(Default)]
pub struct ViewPlugin {
    /// The picture on opening.
    pub picture: Picture,
    /// The agent inspected on opening.
    pub selected: Option<u32>,
}

#[derive(Resource)]
struct StartView(Picture, Option<u32>);

impl Plugin for ViewPlugin {
    fn build(&self, app: &mut App) {
        app.insert_resource(ClearColor(BACKGROUND))
            .insert_resource(StartView(self.picture, self.selected))
            .init_resource::<Particles>()
            .add_systems(Startup, setup)
            .add_systems(
                Update,
                (
                    rebuild,
                    paint_nodes,
                    spawn_particles,
                    (pan_zoom_select, fit_camera).chain(),
                    draw,
                )
                    .chain()
                    .after(WorkshopSystems::Advance),
            );
    }
}

fn setup(
    mut commands: Commands,
    mut images: ResMut<Assets<Image>>,
    mut gizmo_store: ResMut<GizmoConfigStore>,
    start: Res<StartView>,
) {
    commands.spawn((Camera2d, GraphCamera));
    let (config, _) = gizmo_store.config_mut::<DefaultGizmoConfigGroup>();
    config.line.width = 2.0;
    commands.insert_resource(View {
        picture: start.0,
        layout: None,
        selected: start.1,
        selected_side: Side::A,
        show_ties: true,
        show_items: true,
        fit: true,
        graph_area: None,
        offset_b: Vec2::ZERO,
        built: None,
        painted: None,
        node_image: images.add(disc_image(64)),
    });
}

/// A white disc with a soft edge and a faint dark rim, so touching nodes
/// stay distinct.
fn disc_image(size: u32) -> Image {
    let mut data = Vec::with_capacity((size * size * 4) as usize);
    let c = (size as f32 - 1.0) / 2.0;
    for y in 0..size {
        for x in 0..size {
            let d = ((x as f32 - c).powi(2) + (y as f32 - c).powi(2)).sqrt() / c;
            let alpha = ((1.0 - d) * c).clamp(0.0, 1.0);
            let shade = if d > 0.82 { 0.55 } else { 1.0 };
            let v = (shade * 255.0) as u8;
            data.extend_from_slice(&[v, v, v, (alpha * 255.0) as u8]);
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
fn rebuild(
    mut commands: Commands,
    workshop: Res<Workshop>,
    mut view: ResMut<View>,
    mut particles: ResMut<Particles>,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<ColorMaterial>>,
    old: Query<Entity, Drawn>,
) {
    let highlight = workshop.staging().highlight;
    let key = (
        workshop.generation,
        view.picture,
        workshop.runs.comparing(),
        highlight,
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
    let mesh = meshes.add(tie_mesh(sim, &l, highlight));
    for (side, _) in workshop.runs.shown() {
        let offset = view.offset(side);
        for a in 0..net.agents() {
            let p = Vec2::new(l.pos[a][0], l.pos[a][1]) * UNIT + offset;
            commands.spawn((
                Node(side, a as u32),
                Sprite {
                    image: view.node_image.clone(),
                    color: part_color(net.part[a]),
                    custom_size: Some(Vec2::splat(UNIT)),
                    ..default()
                },
                Transform::from_translation(p.extend(1.0)),
            ));
        }
        commands.spawn((
            Ties,
            Mesh2d(mesh.clone()),
            MeshMaterial2d(materials.add(ColorMaterial {
                color: Color::WHITE,
                alpha_mode: AlphaMode2d::Blend,
                ..default()
            })),
            Transform::from_translation(offset.extend(0.0)),
            if view.show_ties {
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

/// Each undirected tie once, coloured by kind; walls stand out, and so do
/// the ties of a highlighted mechanism (the others fade).
fn tie_mesh(
    sim: &siloscope_model::sim::Simulation,
    l: &Layout,
    highlight: Option<Mechanism>,
) -> Mesh {
    let net = sim.network();
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
            let mut rgba: [f32; 4] = match kind {
                TieKind::Internal => [0.35, 0.55, 1.0, 0.16],
                TieKind::Wall => [1.0, 0.25, 0.3, 0.30],
                TieKind::Partner => [0.7, 0.45, 0.95, 0.16],
                TieKind::Touchpoint => [0.8, 0.8, 0.85, 0.05],
                TieKind::Peer => [0.4, 0.85, 0.6, 0.07],
            };
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

/// Trust each agent shows: a customer's trust in the organisation; for
/// staff and partners, their mean trust in the agents they are tied to.
pub fn agent_trust(sim: &siloscope_model::sim::Simulation, a: u32) -> f32 {
    let net = sim.network();
    if net.part[a as usize].is_customer() {
        return sim.trust_in_org(a);
    }
    let ties = net.offsets[a as usize] as usize..net.offsets[a as usize + 1] as usize;
    if ties.is_empty() {
        return siloscope_model::trust::NEUTRAL;
    }
    let n = ties.len() as f32;
    ties.map(|t| sim.trust(t)).sum::<f32>() / n
}

/// Recolour and resize nodes after a step, a rebuild or a new selection.
fn paint_nodes(
    workshop: Res<Workshop>,
    mut view: ResMut<View>,
    mut nodes: Query<(&Node, &mut Sprite)>,
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
    for (node, mut sprite) in &mut nodes {
        let Some(session) = workshop.runs.side(node.0) else {
            continue;
        };
        let sim = session.sim();
        let a = node.1;
        let part = sim.network().part[a as usize];
        let (size, alpha) = lifecycle_look(sim.lifecycle(a));
        let color = trust_tint(part_color(part), agent_trust(sim, a)).with_alpha(alpha);
        sprite.color = color;
        let grow = if selected == Some((node.0, a)) {
            1.4
        } else {
            1.0
        };
        sprite.custom_size = Some(Vec2::splat(UNIT * size * grow));
    }
    view.painted = Some(key);
}

/// Item kinds a highlighted mechanism is made of.
fn kinds_of(m: Mechanism) -> &'static [FlowKind] {
    match m {
        Mechanism::SiloWalls => &[FlowKind::Internal, FlowKind::Need],
        Mechanism::FeedbackLoop => &[FlowKind::Need, FlowKind::Answer],
        Mechanism::Campaign => &[FlowKind::Push, FlowKind::CrossSell],
        Mechanism::WordOfMouth => &[FlowKind::PeerHelp],
    }
}

fn spawn_particles(
    mut stepped: MessageReader<Stepped>,
    workshop: Res<Workshop>,
    view: Res<View>,
    mut particles: ResMut<Particles>,
    playback: Res<super::workshop::Playback>,
) {
    if stepped.read().count() == 0 || !view.show_items {
        return;
    }
    let Some(l) = view.layout.as_ref() else {
        return;
    };
    particles.duration = if playback.playing {
        (0.9 / playback.steps_per_second).clamp(0.12, 1.2)
    } else {
        0.9
    };
    let now = particles.clock;
    particles.live.retain(|p| now - p.born < 0.3);
    let highlight = workshop.staging().highlight;
    for (side, session) in workshop.runs.shown() {
        let offset = view.offset(side);
        let flows = session.last_flows();
        // An even sample when more moved than can be shown.
        let stride = flows.len().div_ceil(MAX_PARTICLES).max(1);
        for f in flows.iter().step_by(stride) {
            let (Some(a), Some(b)) = (l.pos.get(f.from as usize), l.pos.get(f.to as usize)) else {
                continue;
            };
            if highlight.is_some_and(|m| !kinds_of(m).contains(&f.kind)) {
                continue;
            }
            particles.live.push(Particle {
                from: Vec2::new(a[0], a[1]) * UNIT + offset,
                to: Vec2::new(b[0], b[1]) * UNIT + offset,
                kind: f.kind,
                passed: f.passed,
                born: now,
            });
        }
    }
}

/// Part outlines, travelling items, the selection and its ties.
fn draw(
    mut gizmos: Gizmos,
    workshop: Res<Workshop>,
    view: Res<View>,
    mut particles: ResMut<Particles>,
    time: Res<Time<Real>>,
    mut ties: Query<&mut Visibility, With<Ties>>,
    projection: Single<&Projection, With<GraphCamera>>,
) {
    // World units per screen pixel: markers keep their size on screen.
    let px = match *projection {
        Projection::Orthographic(o) => o.scale,
        _ => 1.0,
    };
    for mut v in &mut ties {
        let want = if view.show_ties {
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

    particles.clock += time.delta_secs().min(0.05);
    let now = particles.clock;
    let duration = particles.duration.max(0.1);
    particles.live.retain(|p| now - p.born < duration + 0.6);
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
            gizmos
                .circle_2d(Isometry2d::from_translation(head), 2.5 * px, color)
                .resolution(8);
        } else {
            // Stopped at the wall, half way.
            let stop = p.from.lerp(p.to, 0.5);
            let head = p.from.lerp(stop, age.min(1.0));
            if age < 1.0 {
                gizmos.circle_2d(
                    Isometry2d::from_translation(head),
                    3.0 * px,
                    flow_color(p.kind),
                );
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
            let color = Color::srgb(1.0 - trust, 0.35 + 0.65 * trust, 0.35);
            gizmos.line_2d(p, q, color);
        }
        gizmos.circle_2d(Isometry2d::from_translation(p), 1.1 * UNIT, Color::WHITE);
    }
}

/// Drag to pan, wheel to zoom about the cursor, click to select.
#[allow(clippy::too_many_arguments)]
fn pan_zoom_select(
    buttons: Res<ButtonInput<MouseButton>>,
    scroll: Res<AccumulatedMouseScroll>,
    window: Single<&Window, With<PrimaryWindow>>,
    camera: Single<(&Camera, &GlobalTransform, &mut Transform, &mut Projection), With<GraphCamera>>,
    mut view: ResMut<View>,
    mut drag: Local<Option<(Vec2, bool)>>,
    egui_wants: Res<bevy_egui::input::EguiWantsInput>,
    workshop: Res<Workshop>,
) {
    let (cam, global, mut transform, mut projection) = camera.into_inner();
    let Projection::Orthographic(ortho) = &mut *projection else {
        return;
    };
    let cursor = window.cursor_position();
    let over_ui = egui_wants.wants_any_pointer_input();
    // Zoom about the cursor.
    if !over_ui && scroll.delta.y != 0.0 {
        let lines = match scroll.unit {
            MouseScrollUnit::Line => scroll.delta.y,
            MouseScrollUnit::Pixel => scroll.delta.y / 40.0,
        };
        let factor = 0.88f32.powf(lines);
        let before = cursor.and_then(|c| cam.viewport_to_world_2d(global, c).ok());
        ortho.scale = (ortho.scale * factor).clamp(0.02, 50.0);
        if let Some(before) = before {
            // Keep the point under the cursor where it is.
            let centre = transform.translation.truncate();
            let after = centre + (before - centre) * factor;
            transform.translation += (before - after).extend(0.0);
        }
    }
    let pressed =
        buttons.just_pressed(MouseButton::Left) || buttons.just_pressed(MouseButton::Middle);
    if pressed
        && !over_ui
        && let Some(c) = cursor
    {
        *drag = Some((c, false));
    }
    if let Some((last, moved)) = *drag
        && let Some(c) = cursor
    {
        let delta = c - last;
        if buttons.pressed(MouseButton::Left) || buttons.pressed(MouseButton::Middle) {
            if moved || delta.length() > 4.0 {
                transform.translation.x -= delta.x * ortho.scale;
                transform.translation.y += delta.y * ortho.scale;
                *drag = Some((c, true));
            }
        } else {
            // Released: a click without a drag selects.
            if !moved && let Ok(world) = cam.viewport_to_world_2d(global, c) {
                let hit = [Side::A, Side::B]
                    .into_iter()
                    .filter(|&s| workshop.runs.side(s).is_some())
                    .find_map(|s| Some((s, nearest(&view, world - view.offset(s), 1.2 * UNIT)?)));
                view.selected = hit.map(|(_, a)| a);
                if let Some((side, _)) = hit {
                    view.selected_side = side;
                }
            }
            *drag = None;
        }
    }
    if !buttons.pressed(MouseButton::Left) && !buttons.pressed(MouseButton::Middle) {
        *drag = None;
    }
}

/// The agent nearest to `world` (relative to run A) within `radius`.
fn nearest(view: &View, world: Vec2, radius: f32) -> Option<u32> {
    let l = view.layout.as_ref()?;
    let mut best = None;
    let mut best_d = radius * radius;
    for (a, p) in l.pos.iter().enumerate() {
        let d = (Vec2::new(p[0], p[1]) * UNIT).distance_squared(world);
        if d < best_d {
            best_d = d;
            best = Some(a as u32);
        }
    }
    best
}

/// Fit the camera to the organisation (both runs while comparing, the
/// story's part if it frames one) within the graph area.
fn fit_camera(
    mut view: ResMut<View>,
    workshop: Res<Workshop>,
    window: Single<&Window, With<PrimaryWindow>>,
    camera: Single<(&mut Transform, &mut Projection), With<GraphCamera>>,
) {
    if !view.fit {
        return;
    }
    let (Some(l), Some(area)) = (view.layout.as_ref(), view.graph_area) else {
        return;
    };
    if area.width() < 10.0 || area.height() < 10.0 {
        return;
    }
    let part = workshop.staging().focus.part();
    let Some((lo, hi)) = bounds(l, part).or_else(|| bounds(l, None)) else {
        return;
    };
    let (lo, mut hi) = (lo * UNIT, hi * UNIT);
    if workshop.runs.comparing() {
        hi += view.offset_b;
    }
    let size = hi - lo;
    let scale = (size.x / area.width()).max(size.y / area.height()) * 1.06;
    let (mut transform, mut projection) = camera.into_inner();
    if let Projection::Orthographic(ortho) = &mut *projection {
        ortho.scale = scale.max(0.02);
    }
    let centre = (lo + hi) / 2.0;
    let win = Vec2::new(window.width(), window.height());
    let offset = area.center() - win / 2.0;
    transform.translation.x = centre.x - offset.x * scale;
    transform.translation.y = centre.y + offset.y * scale;
    view.fit = false;
}
