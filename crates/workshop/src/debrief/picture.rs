//! The organisation as an SVG picture, as the app draws it: each agent a
//! dot at its place in the layout ([`crate::layout`]), in its part's
//! colour tinted by the trust it shows, sized and faded by its lifecycle
//! state ([`crate::look`]); the ties inside and between departments and
//! to partners (the walls red), each part's outline, each group's name.
//! Ties to and between customers, by far the most, are left out: drawn,
//! they hide the structure.

use super::html::{css, esc};
use crate::layout::Layout;
use crate::look::{agent_rgb, bytes, lifecycle_look, part_rgb, tie_rgba};
use siloscope_model::network::TieKind;
use siloscope_model::sim::Simulation;
use std::fmt::Write;

/// Width of a picture, in pixels.
const SIZE: f64 = 360.0;

/// The organisation of `sim` laid out by `layout`, titled `title`.
pub fn picture(sim: &Simulation, layout: &Layout, title: &str) -> String {
    let (mut x0, mut x1, mut y0, mut y1) = (f32::MAX, f32::MIN, f32::MAX, f32::MIN);
    for f in &layout.parts {
        x0 = x0.min(f.centre[0] - f.outer);
        x1 = x1.max(f.centre[0] + f.outer);
        y0 = y0.min(f.centre[1] - f.outer);
        y1 = y1.max(f.centre[1] + f.outer);
    }
    for p in &layout.pos {
        x0 = x0.min(p[0]);
        x1 = x1.max(p[0]);
        y0 = y0.min(p[1]);
        y1 = y1.max(p[1]);
    }
    if x0 > x1 {
        (x0, x1, y0, y1) = (-1.0, 1.0, -1.0, 1.0);
    }
    let margin = 0.04 * (x1 - x0).max(y1 - y0);
    let (x0, y0) = (x0 - margin, y0 - margin);
    let span = f64::from((x1 - x0 + margin).max(y1 - y0 + margin));
    let scale = SIZE / span;
    let height = (f64::from(y1 - y0 + margin) * scale).ceil();
    // World y grows upward, the picture's downward.
    let at = |p: [f32; 2]| {
        (
            f64::from(p[0] - x0) * scale,
            f64::from(y1 + margin - p[1]) * scale,
        )
    };
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg class="drawn picture" xmlns="http://www.w3.org/2000/svg" width="{SIZE}" height="{height:.0}" viewBox="0 0 {SIZE} {height:.0}" role="img" aria-label="{}"><style>.group{{font:600 11px system-ui,sans-serif;fill:#e6e9ee;paint-order:stroke;stroke:#101218;stroke-width:3px}}</style>"#,
        esc(title)
    );
    for f in &layout.parts {
        let (cx, cy) = at(f.centre);
        let colour = css(part_rgb(f.part));
        for r in [f.inner, f.outer].into_iter().filter(|r| *r > 0.0) {
            let _ = write!(
                out,
                r#"<circle cx="{cx:.1}" cy="{cy:.1}" r="{:.1}" fill="none" stroke="{colour}" stroke-opacity="0.35"/>"#,
                f64::from(r) * scale
            );
        }
    }
    let net = sim.network();
    for kind in [TieKind::Internal, TieKind::Partner, TieKind::Wall] {
        let [r, g, b, alpha] = tie_rgba(kind);
        let mut d = String::new();
        for a in 0..net.agents() {
            for t in net.offsets[a] as usize..net.offsets[a + 1] as usize {
                let to = net.target[t] as usize;
                if to <= a || net.kind_of(t) != kind {
                    continue;
                }
                let ((x0, y0), (x1, y1)) = (at(layout.pos[a]), at(layout.pos[to]));
                let _ = write!(d, "M{x0:.1} {y0:.1}L{x1:.1} {y1:.1}");
            }
        }
        if !d.is_empty() {
            let _ = write!(
                out,
                r#"<path d="{d}" stroke="{}" stroke-opacity="{:.2}" stroke-width="0.8" fill="none"/>"#,
                css(bytes([r, g, b])),
                (alpha * 1.6).min(1.0)
            );
        }
    }
    let unit = (scale * 0.55).clamp(1.2, 6.0);
    for (a, &p) in layout.pos.iter().enumerate() {
        let a = a as u32;
        let (size, alpha) = lifecycle_look(sim.lifecycle(a));
        let (x, y) = at(p);
        let _ = write!(
            out,
            r#"<circle cx="{x:.1}" cy="{y:.1}" r="{:.2}" fill="{}" fill-opacity="{alpha:.2}"/>"#,
            unit * f64::from(size),
            css(bytes(agent_rgb(sim, a)))
        );
    }
    let scenario = sim.scenario();
    for (g, region) in layout.groups.iter().enumerate() {
        let Some(group) = scenario.groups.get(g).filter(|g| g.size > 0) else {
            continue;
        };
        let (x, y) = at(region.middle());
        let _ = write!(
            out,
            r#"<text x="{x:.1}" y="{y:.1}" text-anchor="middle" class="group">{}</text>"#,
            esc(&group.name)
        );
    }
    out.push_str("</svg>");
    out
}
