//! Where the app draws each agent: the organisation's four parts as
//! regions, refined by a seeded force-directed pass so ties read clearly.
//!
//! Two pictures (seed 003):
//! - [`Picture::Extranet`], the default: the parts nest. Inside (the
//!   departments, each a cluster: the silos) at the centre, then partners,
//!   existing customers and new customers as rings around it, customers
//!   living inside the organisation's extranet as "a sort of department".
//! - [`Picture::Separate`]: the traditional picture. Each part is its own
//!   circle, in a row from new customers through existing customers (the
//!   organisation's input) to Inside and its partners.
//!
//! Every group gets a region (a disc or an annular sector) sized by its
//! member count; agents start at seeded random points of their region. The
//! refinement is Fruchterman–Reingold: ties within a region attract
//! (`d²/k`), agents closer than `2k` repel (`k²/d`, found through a grid, so
//! a pass costs O(agents + ties)), moves are capped by a cooling
//! temperature, and every agent is clamped back into its region after each
//! pass, so parts and silos stay where the picture puts them.
//!
//! Units: one unit is about one agent's spacing; the app scales it to
//! pixels. Layouts never touch a run's results: they draw from their own
//! random stream ([`Stream::Layout`]).

use siloscope_model::agent::Part;
use siloscope_model::network::Network;
use siloscope_model::rng::{SimRng, Stream};
use siloscope_scenario::Scenario;
use std::f32::consts::TAU;

/// Which picture of the organisation to draw.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Picture {
    /// Parts nested: customers inside the extranet (the default).
    #[default]
    Extranet,
    /// Parts as separate circles, customers as the input.
    Separate,
}

impl Picture {
    /// A short name for buttons.
    pub fn label(self) -> &'static str {
        match self {
            Picture::Extranet => "customers inside",
            Picture::Separate => "separate circles",
        }
    }
}

/// A disc or an annular sector: all points at distance `inner..=outer` from
/// `centre` and at angles `start..=start + sweep` (radians, counter-clockwise
/// from +x).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Region {
    /// Centre.
    pub centre: [f32; 2],
    /// Inner radius (0 for a disc).
    pub inner: f32,
    /// Outer radius.
    pub outer: f32,
    /// First angle.
    pub start: f32,
    /// Angular extent (`TAU` for a full ring).
    pub sweep: f32,
}

impl Region {
    fn disc(centre: [f32; 2], radius: f32) -> Region {
        Region {
            centre,
            inner: 0.0,
            outer: radius,
            start: 0.0,
            sweep: TAU,
        }
    }

    /// A uniformly random point of the region.
    fn sample(&self, rng: &mut SimRng) -> [f32; 2] {
        let (i2, o2) = (self.inner * self.inner, self.outer * self.outer);
        let r = (i2 + rng.unit() * (o2 - i2)).sqrt();
        let a = self.start + rng.unit() * self.sweep;
        [self.centre[0] + r * a.cos(), self.centre[1] + r * a.sin()]
    }

    /// The nearest point of the region to `p`.
    pub fn clamp(&self, p: [f32; 2]) -> [f32; 2] {
        let (dx, dy) = (p[0] - self.centre[0], p[1] - self.centre[1]);
        let r = (dx * dx + dy * dy).sqrt();
        let mut a = dy.atan2(dx);
        if self.sweep < TAU {
            let d = (a - self.start).rem_euclid(TAU);
            if d > self.sweep {
                // Outside the sector: snap to the nearer edge.
                let past_end = d - self.sweep;
                let before_start = TAU - d;
                a = if past_end < before_start {
                    self.start + self.sweep
                } else {
                    self.start
                };
            }
        }
        let r = r.clamp(self.inner, self.outer);
        [self.centre[0] + r * a.cos(), self.centre[1] + r * a.sin()]
    }

    /// `true` if `p` lies in the region (with a small tolerance).
    pub fn contains(&self, p: [f32; 2]) -> bool {
        let q = self.clamp(p);
        (q[0] - p[0]).hypot(q[1] - p[1]) < 1e-3 * self.outer.max(1.0)
    }

    /// A point in the middle of the region, for its label.
    pub fn middle(&self) -> [f32; 2] {
        if self.inner == 0.0 && self.sweep >= TAU {
            return self.centre;
        }
        let r = 0.5 * (self.inner + self.outer);
        let a = self.start + 0.5 * self.sweep;
        [self.centre[0] + r * a.cos(), self.centre[1] + r * a.sin()]
    }
}

/// The ring or circle a whole part occupies, for drawing its outline.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PartFrame {
    /// The part.
    pub part: Part,
    /// Centre.
    pub centre: [f32; 2],
    /// Inner radius (0 for a circle).
    pub inner: f32,
    /// Outer radius.
    pub outer: f32,
}

/// Positions of every agent, and the regions they were placed in.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    /// The picture drawn.
    pub picture: Picture,
    /// Position per agent.
    pub pos: Vec<[f32; 2]>,
    /// Region per group (agents are inside their group's region).
    pub groups: Vec<Region>,
    /// Outline per part present.
    pub parts: Vec<PartFrame>,
}

/// Extra area per agent beyond its own, so regions are not packed solid.
const AREA_PER_AGENT: f32 = 1.6;
/// Space between rings or circles.
const GAP: f32 = 2.5;

fn area_radius(agents: u32) -> f32 {
    (agents.max(1) as f32 * AREA_PER_AGENT / std::f32::consts::PI).sqrt()
}

/// Lay out `net` (built from `scenario`) as `picture`, seeded by `seed`.
///
/// Complexity: O(passes × (agents + ties)); passes shrink for large
/// organisations (60 up to ~3,000 agents, at least 4).
pub fn layout(scenario: &Scenario, net: &Network, picture: Picture, seed: u64) -> Layout {
    let (groups, parts) = regions(scenario, picture);
    let mut rng = SimRng::new(seed, Stream::Layout);
    let mut pos: Vec<[f32; 2]> = (0..net.agents())
        .map(|a| groups[net.group[a] as usize].sample(&mut rng))
        .collect();
    let passes = (180_000 / net.agents().max(1)).clamp(4, 60);
    refine(net, &groups, &mut pos, passes);
    Layout {
        picture,
        pos,
        groups,
        parts,
    }
}

/// Group regions and part outlines for `picture`.
fn regions(scenario: &Scenario, picture: Picture) -> (Vec<Region>, Vec<PartFrame>) {
    let mut groups = vec![Region::disc([0.0, 0.0], 1.0); scenario.groups.len()];
    let members = |part: Part| -> Vec<usize> {
        (0..scenario.groups.len())
            .filter(|&g| scenario.groups[g].part == part)
            .collect()
    };
    let size = |g: usize| scenario.groups[g].size;

    // Inside: departments as clusters on a ring (one department: a disc).
    let depts = members(Part::Department);
    let inside_radius = place_departments(&depts, &size, [0.0, 0.0], &mut groups);

    let mut parts = Vec::new();
    if !depts.is_empty() {
        parts.push(PartFrame {
            part: Part::Department,
            centre: [0.0, 0.0],
            inner: 0.0,
            outer: inside_radius,
        });
    }
    let outer_parts = [Part::Partner, Part::ExistingCustomer, Part::NewCustomer];
    match picture {
        Picture::Extranet => {
            let mut inner = if depts.is_empty() {
                0.0
            } else {
                inside_radius + GAP
            };
            for part in outer_parts {
                let gs = members(part);
                if gs.is_empty() {
                    continue;
                }
                let total: u32 = gs.iter().map(|&g| size(g)).sum();
                let area = total.max(1) as f32 * AREA_PER_AGENT;
                // Rings at least a few agents deep read as bands.
                let outer = (inner * inner + area / std::f32::consts::PI)
                    .sqrt()
                    .max(inner + 3.0);
                place_sectors(&gs, &size, [0.0, 0.0], inner, outer, &mut groups);
                parts.push(PartFrame {
                    part,
                    centre: [0.0, 0.0],
                    inner,
                    outer,
                });
                inner = outer + GAP;
            }
        }
        Picture::Separate => {
            // Left to right: new customers, existing customers, Inside,
            // partners.
            let radius = |part: Part| {
                let total: u32 = members(part).iter().map(|&g| size(g)).sum();
                area_radius(total)
            };
            let r_inside = inside_radius;
            let (r_p, r_e, r_n) = (
                radius(Part::Partner),
                radius(Part::ExistingCustomer),
                radius(Part::NewCustomer),
            );
            let gap = 3.0 * GAP;
            let x_p = r_inside + gap + r_p;
            let x_e = -(r_inside + gap + r_e);
            let x_n = x_e - r_e - gap - r_n;
            for (part, x, r) in [
                (Part::Partner, x_p, r_p),
                (Part::ExistingCustomer, x_e, r_e),
                (Part::NewCustomer, x_n, r_n),
            ] {
                let gs = members(part);
                if gs.is_empty() {
                    continue;
                }
                place_sectors(&gs, &size, [x, 0.0], 0.0, r, &mut groups);
                parts.push(PartFrame {
                    part,
                    centre: [x, 0.0],
                    inner: 0.0,
                    outer: r,
                });
            }
        }
    }
    (groups, parts)
}

/// Put each department in its own disc on a ring around `centre`; return
/// the radius of the whole Inside.
fn place_departments(
    depts: &[usize],
    size: &impl Fn(usize) -> u32,
    centre: [f32; 2],
    groups: &mut [Region],
) -> f32 {
    match depts {
        [] => 0.0,
        [only] => {
            let r = area_radius(size(*only));
            groups[*only] = Region::disc(centre, r);
            r
        }
        _ => {
            let n = depts.len() as f32;
            let biggest = depts
                .iter()
                .map(|&g| area_radius(size(g)))
                .fold(0.0f32, f32::max);
            // Neighbouring clusters at least one gap apart.
            let ring = ((biggest + 0.5 * GAP) / (std::f32::consts::PI / n).sin()).max(biggest);
            for (i, &g) in depts.iter().enumerate() {
                let a = TAU * i as f32 / n + std::f32::consts::FRAC_PI_2;
                let c = [centre[0] + ring * a.cos(), centre[1] + ring * a.sin()];
                groups[g] = Region::disc(c, area_radius(size(g)));
            }
            ring + biggest + 0.5 * GAP
        }
    }
}

/// Split the ring `inner..outer` around `centre` into sectors, one per
/// group, proportional to size, with a small gap between them.
fn place_sectors(
    gs: &[usize],
    size: &impl Fn(usize) -> u32,
    centre: [f32; 2],
    inner: f32,
    outer: f32,
    groups: &mut [Region],
) {
    let total: u32 = gs.iter().map(|&g| size(g).max(1)).sum();
    let gap = if gs.len() > 1 { 0.04 } else { 0.0 };
    let usable = TAU - gap * gs.len() as f32;
    let mut start = std::f32::consts::FRAC_PI_2;
    for &g in gs {
        let sweep = if gs.len() == 1 {
            TAU
        } else {
            usable * size(g).max(1) as f32 / total as f32
        };
        groups[g] = Region {
            centre,
            inner,
            outer,
            start,
            sweep,
        };
        start += sweep + gap;
    }
}

/// Fruchterman–Reingold passes, each agent clamped to its group's region.
fn refine(net: &Network, groups: &[Region], pos: &mut [[f32; 2]], passes: usize) {
    let n = pos.len();
    if n < 2 {
        return;
    }
    let k = 1.1f32; // the ideal distance between neighbours
    let cell = 2.0 * k;
    let mut disp = vec![[0.0f32; 2]; n];
    let mut grid: std::collections::HashMap<(i32, i32), Vec<u32>> =
        std::collections::HashMap::new();
    let mut temperature = 2.0f32;
    let cool = (0.05f32 / temperature).powf(1.0 / passes as f32);
    let key = |p: [f32; 2]| ((p[0] / cell).floor() as i32, (p[1] / cell).floor() as i32);
    for _ in 0..passes {
        disp.fill([0.0, 0.0]);
        grid.values_mut().for_each(Vec::clear);
        for (a, p) in pos.iter().enumerate() {
            grid.entry(key(*p)).or_default().push(a as u32);
        }
        // Repulsion between agents closer than 2k.
        for a in 0..n {
            let p = pos[a];
            let (cx, cy) = key(p);
            for dx in -1..=1 {
                for dy in -1..=1 {
                    let Some(cell) = grid.get(&(cx + dx, cy + dy)) else {
                        continue;
                    };
                    for &b in cell {
                        let b = b as usize;
                        if b == a {
                            continue;
                        }
                        let d = [p[0] - pos[b][0], p[1] - pos[b][1]];
                        let dist2 = (d[0] * d[0] + d[1] * d[1]).max(1e-4);
                        if dist2 > 4.0 * k * k {
                            continue;
                        }
                        // k²/d along the unit vector d/|d|: k² d / |d|².
                        let f = k * k / dist2;
                        disp[a][0] += d[0] * f;
                        disp[a][1] += d[1] * f;
                    }
                }
            }
        }
        // Attraction along ties within a group.
        for a in 0..n {
            let range = net.offsets[a] as usize..net.offsets[a + 1] as usize;
            for t in range {
                let b = net.target[t] as usize;
                if b <= a || net.group[a] != net.group[b] {
                    continue;
                }
                let d = [pos[a][0] - pos[b][0], pos[a][1] - pos[b][1]];
                let dist = (d[0] * d[0] + d[1] * d[1]).sqrt();
                // d²/k along the unit vector: d · |d| / k.
                let f = dist / k;
                disp[a][0] -= d[0] * f;
                disp[a][1] -= d[1] * f;
                disp[b][0] += d[0] * f;
                disp[b][1] += d[1] * f;
            }
        }
        for a in 0..n {
            let d = disp[a];
            let len = (d[0] * d[0] + d[1] * d[1]).sqrt();
            if len > 0.0 && len.is_finite() {
                let step = len.min(temperature) / len;
                let moved = [pos[a][0] + d[0] * step, pos[a][1] + d[1] * step];
                pos[a] = groups[net.group[a] as usize].clamp(moved);
            }
        }
        temperature *= cool;
    }
}

#[cfg(test)]
mod tests;
