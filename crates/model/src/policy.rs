//! Policies: named sets of knob values.
//!
//! Five presets ship with siloscope, the three the seeds argue about and two
//! foils (`docs/domain.md`: "A policy is a named set of knob values"):
//!
//! | knob | inside_out | outside_in | connected | viral_campaign | all_about_you |
//! |---|---|---|---|---|---|
//! | silo_permeability | 0.15 | 0.3 | 0.8 | 0.15 | 0.3 |
//! | transparency | 0.1 | 0.1 | 0.85 | 0.1 | 0.15 |
//! | feedback_listening | 0.1 | 0.8 | 0.8 | 0.1 | 0.5 |
//! | omnichannel_consistency | 0.3 | 0.6 | 0.85 | 0.3 | 0.7 |
//! | self_service | 0.2 | 0.4 | 0.5 | 0.2 | 0.6 |
//! | community_enablement | 0.05 | 0.2 | 0.8 | 0.1 | 0.1 |
//! | cross_sell_pressure | 0.3 | 0.2 | 0.05 | 0.3 | 0.8 |
//! | marketing_push | 0.5 | 0.3 | 0.1 | 0.9 | 0.6 |
//! | campaign_reach | 0.01 | 0.01 | 0.002 | 0.04 | 0.01 |
//! | referral_strength | 0.1 | 0.2 | 0.5 | 0.1 | 0.1 |
//! | efficiency_pressure | 0.6 | 0.4 | 0.2 | 0.5 | 0.5 |
//! | personalisation | 0.1 | 0.4 | 0.8 | 0.1 | 0.2 |
//! | extranet_openness | 0.0 | 0.0 | 0.7 | 0.0 | 0.0 |
//!
//! The numbers are illustrative, not measured: each preset is a caricature
//! of the stance its seed describes, for a room to argue with. A scenario can
//! override any preset or add its own policies.

use crate::knob::{KNOB_COUNT, Knob};

/// A named set of knob values. Knobs it does not mention keep their values.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    /// The policy's name, as used on the command line and in scenarios.
    pub name: String,
    /// One line for the room.
    pub description: String,
    /// The knobs it sets, in catalogue order, each at most once.
    pub values: Vec<(Knob, f32)>,
}

/// Names of the built-in presets, in the order they are listed.
pub const PRESET_NAMES: [&str; 5] = [
    "inside_out",
    "outside_in",
    "connected",
    "viral_campaign",
    "all_about_you",
];

/// Preset values in [`Knob::ALL`] order, one row per preset.
const PRESET_TABLE: [[f32; KNOB_COUNT]; 5] = [
    // inside_out: profit first, silos closed, customers an input.
    [
        0.15, 0.1, 0.1, 0.3, 0.2, 0.05, 0.3, 0.5, 0.01, 0.1, 0.6, 0.1, 0.0,
    ],
    // outside_in: listen to customers, but one way: nothing flows back.
    [
        0.3, 0.1, 0.8, 0.6, 0.4, 0.2, 0.2, 0.3, 0.01, 0.2, 0.4, 0.4, 0.0,
    ],
    // connected: two-way, transparent, customers inside the extranet.
    [
        0.8, 0.85, 0.8, 0.85, 0.5, 0.8, 0.05, 0.1, 0.002, 0.5, 0.2, 0.8, 0.7,
    ],
    // viral_campaign: shout louder, buy reach.
    [
        0.15, 0.1, 0.1, 0.3, 0.2, 0.1, 0.3, 0.9, 0.04, 0.1, 0.5, 0.1, 0.0,
    ],
    // all_about_you: single view of the customer, used to cross-sell.
    [
        0.3, 0.15, 0.5, 0.7, 0.6, 0.1, 0.8, 0.6, 0.01, 0.1, 0.5, 0.2, 0.0,
    ],
];

const PRESET_DESCRIPTIONS: [&str; 5] = [
    "profit first: closed silos, customers as an input, little listening or answering",
    "outside looking in: listens to customers but does not answer (one-way vision)",
    "two-way and transparent: open silos, answers, community, customers inside the extranet",
    "shout louder: heavy pushes and campaigns to buy reach",
    "single view of the customer used for cross-sell and ARPU: it's all about you",
];

/// The built-in preset called `name`, if there is one.
pub fn preset(name: &str) -> Option<Policy> {
    let i = PRESET_NAMES.iter().position(|n| *n == name)?;
    Some(Policy {
        name: name.to_owned(),
        description: PRESET_DESCRIPTIONS[i].to_owned(),
        values: Knob::ALL.into_iter().zip(PRESET_TABLE[i]).collect(),
    })
}

/// All built-in presets.
pub fn presets() -> Vec<Policy> {
    PRESET_NAMES.iter().filter_map(|n| preset(n)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_set_every_knob_within_its_hard_range() {
        for p in presets() {
            assert_eq!(p.values.len(), KNOB_COUNT, "{}", p.name);
            for (k, v) in &p.values {
                let s = k.spec();
                assert!(s.min <= *v && *v <= s.max, "{} {k} = {v}", p.name);
            }
        }
    }

    #[test]
    fn the_seeds_stances_are_encoded() {
        let get = |p: &str, k: Knob| {
            preset(p)
                .unwrap()
                .values
                .iter()
                .find(|(kk, _)| *kk == k)
                .unwrap()
                .1
        };
        // Outside-in listens but does not answer; connected does both.
        assert!(get("outside_in", Knob::FeedbackListening) > 0.5);
        assert!(get("outside_in", Knob::Transparency) < 0.2);
        assert!(get("connected", Knob::Transparency) > 0.5);
        // Connected opens the silos and the extranet; inside-out does not.
        assert!(
            get("connected", Knob::SiloPermeability) > get("inside_out", Knob::SiloPermeability)
        );
        assert!(get("inside_out", Knob::ExtranetOpenness) == 0.0);
        // The viral campaign buys reach; all-about-you cross-sells.
        assert!(get("viral_campaign", Knob::CampaignReach) > get("connected", Knob::CampaignReach));
        assert!(get("all_about_you", Knob::CrossSellPressure) > 0.5);
        assert!(preset("nope").is_none());
    }
}
