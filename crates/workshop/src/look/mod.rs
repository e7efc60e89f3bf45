//! How the organisation and its figures look, for every front end: the
//! app draws with these, and so does the debrief a workshop takes home
//! ([`crate::debrief`]), so a colour or a chart means the same in both.
//!
//! - colours of the parts, the kinds of travelling items and trust, as
//!   sRGB bytes (the app converts them to its own colour type);
//! - how big and how solid an agent is drawn in each lifecycle state, and
//!   the trust it shows;
//! - the charts ([`charts`]): their titles, curves and ranges.

pub mod charts;

use siloscope_model::agent::{Lifecycle, Part};
use siloscope_model::flow::FlowKind;
use siloscope_model::network::TieKind;
use siloscope_model::sim::Simulation;

/// An sRGB colour, one byte per channel.
pub type Rgb = [u8; 3];

/// Colour of a part.
pub fn part_rgb(part: Part) -> Rgb {
    match part {
        Part::Department => [0x4c, 0x8b, 0xf5],
        Part::Partner => [0xb0, 0x6c, 0xe8],
        Part::ExistingCustomer => [0x2b, 0xc0, 0x7a],
        Part::NewCustomer => [0xf5, 0xa6, 0x23],
    }
}

/// Colour of an item kind.
pub fn flow_rgb(kind: FlowKind) -> Rgb {
    match kind {
        FlowKind::Need => [0xff, 0xe0, 0x4f],
        FlowKind::Answer => [0x4d, 0xe3, 0xf1],
        FlowKind::Push => [0xff, 0x70, 0x43],
        FlowKind::CrossSell => [0xf0, 0x4f, 0x9a],
        FlowKind::PeerHelp => [0x9c, 0xff, 0x57],
        FlowKind::Internal => [0xe8, 0xee, 0xff],
    }
}

/// Colour and opacity of a tie of `kind` (sRGB channels from 0 to 1):
/// walls between departments stand out in red, peer and touchpoint ties,
/// by far the most numerous, are faint.
pub fn tie_rgba(kind: TieKind) -> [f32; 4] {
    match kind {
        TieKind::Internal => [0.35, 0.55, 1.0, 0.16],
        TieKind::Wall => [1.0, 0.25, 0.3, 0.30],
        TieKind::Partner => [0.7, 0.45, 0.95, 0.16],
        TieKind::Touchpoint => [0.8, 0.8, 0.85, 0.05],
        TieKind::Peer => [0.4, 0.85, 0.6, 0.07],
    }
}

/// Churned customers on the charts (and cost beside revenue).
pub const CHURNED: [f32; 3] = [0.9, 0.3, 0.3];

/// Where a run branched, on the timeline and the charts.
pub const BRANCH: Rgb = [255, 200, 80];

/// B − A that is better for the organisation (blue-green, told apart from
/// worse by colour-blind viewers too, and by the ⏶/⏷ beside it).
pub const BETTER: Rgb = [90, 200, 230];

/// B − A that is worse for the organisation.
pub const WORSE: Rgb = [255, 150, 60];

/// `rgb` as channels from 0 to 1.
pub fn unit(rgb: Rgb) -> [f32; 3] {
    rgb.map(|c| f32::from(c) / 255.0)
}

/// `rgb` (channels from 0 to 1) as bytes, rounded and clamped.
pub fn bytes(rgb: [f32; 3]) -> Rgb {
    rgb.map(|c| (c.clamp(0.0, 1.0) * 255.0).round() as u8)
}

/// A colour tinted by trust: toward dark red below neutral, toward white
/// above (mixed channel by channel in sRGB, as the app's colours mix).
pub fn trust_tint(base: [f32; 3], trust: f32) -> [f32; 3] {
    const LOW: [f32; 3] = [0.55, 0.05, 0.08];
    const HIGH: [f32; 3] = [1.0, 1.0, 1.0];
    let t = trust.clamp(0.0, 1.0);
    let (toward, by) = if t < 0.5 {
        (LOW, (0.5 - t) * 1.8)
    } else {
        (HIGH, (t - 0.5) * 1.1)
    };
    std::array::from_fn(|i| base[i] * (1.0 - by) + toward[i] * by)
}

/// How an agent in `state` is drawn: its size relative to a customer's and
/// its opacity (`None`: staff and partners, who have no lifecycle).
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

/// Trust each agent shows: a customer's trust in the organisation; for
/// staff and partners, their mean trust in the agents they are tied to.
pub fn agent_trust(sim: &Simulation, a: u32) -> f32 {
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

/// An agent's colour: its part's, tinted by the trust it shows.
pub fn agent_rgb(sim: &Simulation, a: u32) -> [f32; 3] {
    let part = sim.network().part[a as usize];
    trust_tint(unit(part_rgb(part)), agent_trust(sim, a))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trust_tints_toward_red_below_neutral_and_white_above() {
        let base = unit(part_rgb(Part::ExistingCustomer));
        assert_eq!(trust_tint(base, 0.5), base);
        let low = trust_tint(base, 0.0);
        assert!(low[0] > base[0] && low[1] < base[1], "{low:?}");
        let high = trust_tint(base, 1.0);
        assert!(high.iter().zip(base).all(|(h, b)| *h > b), "{high:?}");
        assert_eq!(bytes(unit([1, 128, 255])), [1, 128, 255]);
    }

    #[test]
    fn customers_are_drawn_bigger_as_they_come_closer() {
        let size = |s| lifecycle_look(Some(s)).0;
        assert!(size(Lifecycle::Unaware) < size(Lifecycle::Aware));
        assert!(size(Lifecycle::Customer) < size(Lifecycle::Advocate));
        assert!(lifecycle_look(Some(Lifecycle::Churned)).1 < 0.5);
    }
}
