//! Pan, zoom and select with the mouse, and framing the organisation (or
//! one part) on screen.

use super::{GraphCamera, UNIT, View, bounds};
use crate::workshop::Workshop;
use bevy::camera::Viewport;
use bevy::input::mouse::{AccumulatedMouseScroll, MouseScrollUnit};
use bevy::prelude::*;
use bevy::window::PrimaryWindow;
use siloscope_workshop::compare::Side;

/// Drag to pan, wheel to zoom about the cursor, click to select.
#[expect(
    clippy::too_many_arguments,
    reason = "a bevy system takes each resource it reads as a parameter"
)]
pub(super) fn pan_zoom_select(
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
    // The panels are drawn on egui's background layer, where egui cannot
    // tell a panel from the space between them, and the press that starts
    // a slider's drag reaches this system before egui has seen it: only a
    // press inside the area left for the organisation pans, and never one
    // egui is using (a window, a popup, a widget being dragged).
    let in_graph = match (cursor, view.graph_area) {
        (Some(c), Some(area)) => area.contains(c),
        _ => false,
    };
    let over_ui = egui_wants.wants_any_pointer_input() || !in_graph;
    // Zoom about the cursor.
    if !over_ui && scroll.delta.y != 0.0 {
        let lines = match scroll.unit {
            MouseScrollUnit::Line => scroll.delta.y,
            MouseScrollUnit::Pixel => scroll.delta.y / 40.0,
        };
        let factor = 0.88f32.powf(lines);
        let before = cursor.and_then(|c| cam.viewport_to_world_2d(global, c).ok());
        ortho.scale = (ortho.scale * factor).clamp(0.02, 50.0);
        view.user_moved = true;
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
        if egui_wants.is_using_pointer() {
            // A widget took the drag after all: the picture stays.
            *drag = None;
        } else if buttons.pressed(MouseButton::Left) || buttons.pressed(MouseButton::Middle) {
            if moved || delta.length() > 4.0 {
                transform.translation.x -= delta.x * ortho.scale;
                view.user_moved = true;
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

/// The graph camera draws only into the area the panels leave it (its
/// viewport), so nothing of the organisation lies under a panel and the
/// panels need no fill of their own: on software rendering every panel
/// pixel egui fills costs a shader run on the CPU. Without an area yet
/// (the first frame) it draws into the whole window.
pub(super) fn fit_viewport(
    view: Res<View>,
    window: Single<&Window, With<PrimaryWindow>>,
    mut camera: Single<&mut Camera, With<GraphCamera>>,
) {
    let want = view.graph_area.and_then(|area| viewport(area, &window));
    let same = match (&camera.viewport, &want) {
        (None, None) => true,
        (Some(a), Some(b)) => {
            a.physical_position == b.physical_position && a.physical_size == b.physical_size
        }
        _ => false,
    };
    if !same {
        camera.viewport = want;
    }
}

/// `area` (logical pixels) as a viewport inside the window, or none when
/// nothing of it is on screen.
fn viewport(area: Rect, window: &Window) -> Option<Viewport> {
    let size = window.physical_size();
    let s = window.scale_factor();
    let corner = |p: Vec2| (p * s).round().max(Vec2::ZERO).as_uvec2().min(size);
    let (lo, hi) = (corner(area.min), corner(area.max));
    (hi.x > lo.x && hi.y > lo.y).then(|| Viewport {
        physical_position: lo,
        physical_size: hi - lo,
        ..default()
    })
}

/// The part of the window the graph camera draws into, in logical pixels.
fn drawn_rect(camera: &Camera, window: &Window) -> Rect {
    match &camera.viewport {
        Some(v) => {
            let s = window.scale_factor();
            Rect::from_corners(
                v.physical_position.as_vec2() / s,
                (v.physical_position + v.physical_size).as_vec2() / s,
            )
        }
        None => Rect::new(0.0, 0.0, window.width(), window.height()),
    }
}

/// Fit the camera to the organisation (both runs while comparing, the
/// story's part if it frames one) within the graph area.
pub(super) fn fit_camera(
    mut view: ResMut<View>,
    workshop: Res<Workshop>,
    window: Single<&Window, With<PrimaryWindow>>,
    camera: Single<(&Camera, &mut Transform, &mut Projection), With<GraphCamera>>,
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
    let (cam, mut transform, mut projection) = camera.into_inner();
    if let Projection::Orthographic(ortho) = &mut *projection {
        ortho.scale = scale.max(0.02);
    }
    let centre = (lo + hi) / 2.0;
    // The camera looks at the middle of what it draws into: the graph
    // area itself once the viewport follows it.
    let offset = area.center() - drawn_rect(cam, &window).center();
    transform.translation.x = centre.x - offset.x * scale;
    transform.translation.y = centre.y + offset.y * scale;
    view.fit = false;
    view.user_moved = false;
}

#[cfg(test)]
mod tests {
    use super::*;
    use bevy::input::mouse::AccumulatedMouseScroll;
    use bevy_egui::input::EguiWantsInput;

    /// The camera system alone, on a 1600×900 window whose graph area is
    /// the middle of the screen, the workshop scenario open.
    fn app() -> App {
        let path = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
            .join("scenarios/workshop.scenario.ron");
        let mut app = App::new();
        // Buttons set by hand (the input plugin would clear a press made
        // between frames before the system sees it).
        app.add_plugins(MinimalPlugins)
            .init_resource::<ButtonInput<MouseButton>>()
            .init_resource::<AccumulatedMouseScroll>()
            .init_resource::<EguiWantsInput>()
            .insert_resource(Workshop::open(&path, None, None).unwrap())
            .insert_resource(View {
                picture: Default::default(),
                layout: None,
                selected: None,
                selected_side: Side::A,
                ties: crate::view::TieShow::default(),
                show_items: true,
                fit: false,
                user_moved: false,
                graph_area: Some(Rect::new(340.0, 100.0, 1080.0, 640.0)),
                offset_b: Vec2::ZERO,
                built: None,
                painted: None,
                materials: Default::default(),
            })
            .add_systems(Update, pan_zoom_select);
        app.world_mut().spawn((Window::default(), PrimaryWindow));
        app.world_mut().spawn((
            GraphCamera,
            Camera2d,
            Transform::default(),
            GlobalTransform::default(),
            Projection::Orthographic(OrthographicProjection::default_2d()),
        ));
        app.update();
        app
    }

    fn cursor(app: &mut App, at: Vec2) {
        let mut q = app.world_mut().query::<&mut Window>();
        q.single_mut(app.world_mut())
            .unwrap()
            .set_cursor_position(Some(at));
    }

    fn mouse(app: &mut App, down: bool) {
        let mut buttons = app.world_mut().resource_mut::<ButtonInput<MouseButton>>();
        if down {
            buttons.press(MouseButton::Left);
        } else {
            buttons.release(MouseButton::Left);
        }
    }

    /// Press at `from`, move to `to` in steps, release; where the camera
    /// ends.
    fn drag(app: &mut App, from: Vec2, to: Vec2) -> Vec3 {
        let frame = |app: &mut App| {
            app.update();
            app.world_mut()
                .resource_mut::<ButtonInput<MouseButton>>()
                .clear();
        };
        cursor(app, from);
        mouse(app, true);
        frame(app);
        for i in 1..=10 {
            cursor(app, from.lerp(to, i as f32 / 10.0));
            frame(app);
        }
        mouse(app, false);
        frame(app);
        let mut q = app.world_mut().query_filtered::<&Transform, With<Camera>>();
        q.single(app.world()).unwrap().translation
    }

    #[test]
    fn a_drag_on_a_widget_leaves_the_camera_where_it_was() {
        let mut app = app();
        // A knob slider in the left panel, the timeline scrubber at the top:
        // outside the graph area, with egui none the wiser at the press.
        let slider = drag(&mut app, Vec2::new(150.0, 300.0), Vec2::new(60.0, 300.0));
        assert_eq!(slider, Vec3::ZERO);
        let scrubber = drag(&mut app, Vec2::new(700.0, 60.0), Vec2::new(300.0, 60.0));
        assert_eq!(scrubber, Vec3::ZERO);
        assert!(!app.world().resource::<View>().user_moved);
        // In the graph area: the organisation pans.
        let panned = drag(&mut app, Vec2::new(700.0, 400.0), Vec2::new(600.0, 400.0));
        assert!(panned.x > 50.0, "{panned}");
        // The user has taken the view: a panel's change of size keeps it.
        assert!(app.world().resource::<View>().user_moved);
    }

    /// The graph camera's viewport follows the graph area, clipped to the
    /// window (1280 × 720 here), and there is none while no area is known
    /// or the area is off screen.
    #[test]
    fn the_graph_draws_only_into_the_area_the_panels_leave() {
        let mut app = app();
        app.add_systems(Update, fit_viewport);
        let mut viewport_for = |area: Option<Rect>| {
            app.world_mut().resource_mut::<View>().graph_area = area;
            app.update();
            let mut q = app
                .world_mut()
                .query_filtered::<&Camera, With<GraphCamera>>();
            q.single(app.world())
                .unwrap()
                .viewport
                .as_ref()
                .map(|v| (v.physical_position, v.physical_size))
        };
        assert_eq!(
            viewport_for(Some(Rect::new(340.0, 100.0, 1080.0, 640.0))),
            Some((UVec2::new(340, 100), UVec2::new(740, 540)))
        );
        assert_eq!(
            viewport_for(Some(Rect::new(1000.0, 600.0, 1400.0, 800.0))),
            Some((UVec2::new(1000, 600), UVec2::new(280, 120)))
        );
        assert_eq!(
            viewport_for(Some(Rect::new(1300.0, 0.0, 1500.0, 100.0))),
            None
        );
        assert_eq!(viewport_for(None), None);
    }
}
