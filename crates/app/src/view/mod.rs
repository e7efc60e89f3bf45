//! The organisation view: one node per agent, ties, part outlines, and
//! items travelling along ties.
//!
//! - Nodes are discs of one generated image, a mesh per run repainted
//!   after each step, so the whole organisation draws in one call. Hue is
//!   the part; tint is trust (toward dark red below neutral, toward white
//!   above); size and opacity are the customer's lifecycle state
//!   (advocates large, prospects and churned customers small and faint).
//! - Ties are one retained line mesh with vertex colours, rebuilt only when
//!   the organisation, the picture or the choice of ties changes; silo
//!   walls are drawn in red. By default ([`TieShow::Structure`]) the view
//!   draws the organisation's structure, not every tie: ties inside
//!   departments, silo walls and partner ties all, customer touchpoints
//!   thinned to an even sample, and customers' peer ties only while word
//!   of mouth is highlighted. The outer rings then stay readable at 2,000
//!   agents, and software rendering draws a fraction of the lines; `T`
//!   switches to every tie, or none.
//! - Items that moved in the last step travel as particles coloured by
//!   kind, a ring and a trail each; an item a silo wall stopped halts half
//!   way and leaves a red cross.
//! - Ties, nodes and items' rings use plain materials ([`flat`]) that skip
//!   bevy's per-pixel colour grading, which software rendering pays for on
//!   the CPU.
//! - Pan with a left or middle drag, zoom with the wheel around the cursor,
//!   click a node to inspect it; all of it yields to egui's panels.
//! - Comparing, run B is drawn to the right of run A, the same layout
//!   (same scenario, same seed), so the two halves of the screen line up.
//! - A story step can frame one part and highlight one mechanism: the ties
//!   and items of other mechanisms fade.

mod camera;
mod draw;
mod flat;
mod items;
mod nodes;

use super::workshop::WorkshopSystems;
use crate::palette::BACKGROUND;
use bevy::prelude::*;
use camera::{fit_camera, fit_viewport, pan_zoom_select};
use draw::{draw, draw_items};
use items::{Particles, spawn_particles};
pub use nodes::agent_trust;
use nodes::{disc_image, paint_nodes, rebuild};
use siloscope_model::agent::Part;
use siloscope_workshop::compare::Side;
use siloscope_workshop::layout::{Layout, Picture};
use siloscope_workshop::story::Mechanism;

/// Pixels per layout unit at zoom 1.
pub const UNIT: f32 = 12.0;
/// Most items animated per step (a sample when more moved).
pub const MAX_PARTICLES: usize = 700;
/// Most ties drawn.
pub const MAX_TIES_DRAWN: usize = 120_000;
/// Most customer ties of one kind (touchpoints, peer ties) the structure
/// view draws per organisation: an even sample beyond that.
pub const STRUCTURE_SAMPLE: usize = 400;

/// Which ties the view draws.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum TieShow {
    /// The structure: every tie inside and between departments and to
    /// partners, a sample of customer touchpoints, peer ties only while
    /// word of mouth is highlighted.
    #[default]
    Structure,
    /// Every tie.
    All,
    /// None.
    Off,
}

impl TieShow {
    /// The next choice, for the `T` key.
    pub fn next(self) -> TieShow {
        match self {
            TieShow::Structure => TieShow::All,
            TieShow::All => TieShow::Off,
            TieShow::Off => TieShow::Structure,
        }
    }

    /// Its name in the top bar.
    pub fn label(self) -> &'static str {
        match self {
            TieShow::Structure => "structure",
            TieShow::All => "all ties",
            TieShow::Off => "no ties",
        }
    }
}

pub use siloscope_workshop::look::lifecycle_look;

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
    /// Which ties to draw.
    pub ties: TieShow,
    /// Animate items.
    pub show_items: bool,
    /// Fit the camera to the organisation on the next frame.
    pub fit: bool,
    /// Whether the user has panned or zoomed since the last fit: the
    /// picture is then framed again on its own only when the window changes
    /// size, not when a panel does.
    pub user_moved: bool,
    /// The screen area left for the graph by the panels (logical pixels).
    pub graph_area: Option<Rect>,
    /// Where run B is drawn, relative to run A (world units).
    pub offset_b: Vec2,
    built: Option<BuildKey>,
    painted: Option<PaintKey>,
    /// The ties' and nodes' materials.
    materials: flat::Materials,
}

/// What the drawn entities depend on: the organisation, the picture, the
/// comparison, the highlighted mechanism and the ties shown.
type BuildKey = (u64, Picture, bool, Option<Mechanism>, TieShow);

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

/// Marks the camera that looks at the organisation. It draws into the
/// graph area only (its viewport) and leaves the window to
/// [`PanelsCamera`].
#[derive(Component)]
pub struct GraphCamera;

/// Marks the camera egui draws the panels with: the whole window, over
/// what the graph camera drew (it clears nothing and draws no entity of
/// its own), and the one that writes the frame to the window.
#[derive(Component)]
pub struct PanelsCamera;

/// The graph camera and the panels camera.
type BothCameras = Or<(With<GraphCamera>, With<PanelsCamera>)>;

/// The render layer of [`PanelsCamera`], where no entity lives.
const PANELS_LAYER: usize = 31;

/// The travelling items' heads, a ring each, in one mesh (both runs').
#[derive(Component)]
struct Dots;

/// A run's agents, one disc each, in one mesh.
#[derive(Component)]
struct Nodes(Side);

#[derive(Component)]
struct Ties;

/// Entities the view spawns for an organisation.
type Drawn = Or<(With<Nodes>, With<Ties>)>;

/// Draws the organisation, starting with `picture` and `selected`.
#[derive(Default)]
pub struct ViewPlugin {
    /// The picture on opening.
    pub picture: Picture,
    /// The agent inspected on opening, and its run.
    pub selected: Option<(Side, u32)>,
}

#[derive(Resource)]
struct StartView(Picture, Option<(Side, u32)>);

impl Plugin for ViewPlugin {
    fn build(&self, app: &mut App) {
        // egui draws with the panels camera, not the first camera made.
        if let Some(mut egui) = app
            .world_mut()
            .get_resource_mut::<bevy_egui::EguiGlobalSettings>()
        {
            egui.auto_create_primary_context = false;
        }
        app.insert_resource(ClearColor(BACKGROUND))
            .insert_resource(StartView(self.picture, self.selected))
            .init_resource::<Particles>()
            .add_plugins(flat::FlatPlugin)
            .add_systems(Startup, setup)
            .add_systems(
                Update,
                (
                    rebuild,
                    paint_nodes,
                    spawn_particles,
                    (pan_zoom_select, fit_viewport, fit_camera).chain(),
                    draw_items,
                    draw,
                )
                    .chain()
                    .after(WorkshopSystems::Advance),
            )
            .add_systems(Update, antialiasing);
    }
}

/// Rendering runs on the CPU (Mesa's llvmpipe, a VM without a graphics
/// driver): inserted once the renderer says so; the view and the panels
/// draw less then.
#[derive(Resource, Clone, Copy, Debug, PartialEq, Eq)]
pub struct SoftwareRendering;

/// Smooth edges (4× multisampling) on a graphics card; none on software
/// rendering (Mesa's llvmpipe, a VM), where multisampling every tie and
/// node costs more than a third of each frame. Decided once, when the
/// renderer says what it runs on.
fn antialiasing(
    info: Option<Res<bevy::render::renderer::RenderAdapterInfo>>,
    // Both cameras alike: they share the window's textures only so.
    mut camera: Query<&mut Msaa, BothCameras>,
    mut decided: Local<bool>,
    mut commands: Commands,
) {
    let Some(info) = info else {
        return;
    };
    if *decided || camera.is_empty() {
        return;
    }
    *decided = true;
    let software = info.device_type == wgpu_types::DeviceType::Cpu;
    info!("renderer: {} ({:?})", info.name, info.device_type);
    for mut msaa in &mut camera {
        *msaa = if software { Msaa::Off } else { Msaa::Sample4 };
    }
    if software {
        info!("software rendering: no multisampling, no soft edges on the panels");
        commands.insert_resource(SoftwareRendering);
    }
}

fn setup(
    mut commands: Commands,
    mut images: ResMut<Assets<Image>>,
    mut discs: ResMut<Assets<flat::DiscMaterial>>,
    mut ties: ResMut<Assets<flat::TieMaterial>>,
    mut gizmo_store: ResMut<GizmoConfigStore>,
    start: Res<StartView>,
) {
    commands.spawn((
        Camera2d,
        GraphCamera,
        Camera {
            order: 0,
            // The panels camera writes the whole frame to the window.
            output_mode: bevy::camera::CameraOutputMode::Skip,
            ..default()
        },
    ));
    commands.spawn((
        Camera2d,
        PanelsCamera,
        Camera {
            order: 1,
            clear_color: ClearColorConfig::None,
            ..default()
        },
        bevy::camera::visibility::RenderLayers::layer(PANELS_LAYER),
        bevy_egui::PrimaryEguiContext,
    ));
    let materials = flat::Materials {
        ties: ties.add(flat::TieMaterial {}),
        nodes: discs.add(flat::DiscMaterial {
            image: images.add(disc_image(64)),
        }),
    };
    commands.spawn((
        Dots,
        // Its mesh comes with the first items.
        MeshMaterial2d(discs.add(flat::DiscMaterial {
            image: images.add(nodes::ring_image(32, 0.45)),
        })),
        Transform::from_xyz(0.0, 0.0, 2.0),
        Visibility::Hidden,
        bevy::camera::visibility::NoFrustumCulling,
    ));
    let (config, _) = gizmo_store.config_mut::<DefaultGizmoConfigGroup>();
    config.line.width = 2.0;
    commands.insert_resource(View {
        picture: start.0,
        layout: None,
        selected: start.1.map(|(_, a)| a),
        selected_side: start.1.map_or(Side::A, |(side, _)| side),
        ties: TieShow::default(),
        show_items: true,
        fit: true,
        user_moved: false,
        graph_area: None,
        offset_b: Vec2::ZERO,
        built: None,
        painted: None,
        materials,
    });
}
