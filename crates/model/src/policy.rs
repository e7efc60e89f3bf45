//! Policies: named sets of knob values.
//!
//! Five presets ship with siloscope, the three the seeds argue about and two
//! foils (`docs/domain.md`: "A policy is a named set of knob values"). Each
//! differs from one shared baseline, [`BASELINE`] (the organisation as it
//! is: inside-out), only in the knobs its claim is about, so comparing a
//! preset with `inside_out` isolates that claim:
//!
//! | knob | baseline = inside_out | outside_in | connected | viral_campaign | all_about_you |
//! |---|---|---|---|---|---|
//! | silo_permeability | 0.15 | | 0.8 | | |
//! | transparency | 0.1 | | 0.85 | | |
//! | feedback_listening | 0.1 | 0.8 | 0.8 | | |
//! | omnichannel_consistency | 0.3 | | | | |
//! | self_service | 0.2 | | | | |
//! | community_enablement | 0.05 | | 0.8 | | |
//! | cross_sell_pressure | 0.3 | | | | 0.8 |
//! | marketing_push | 0.5 | | | 0.9 | |
//! | campaign_reach | 0.01 | | | 0.04 | |
//! | referral_strength | 0.1 | | | | |
//! | efficiency_pressure | 0.5 | | | | |
//! | personalisation | 0.1 | | | | |
//! | extranet_openness | 0.0 | | 0.7 | | |
//!
//! (an empty cell is the baseline's value). `docs/domain.md` says which
//! claim each change stands for. The numbers are illustrative, not
//! measured: each preset is a caricature of the stance its seed describes,
//! for a room to argue with. A scenario can override any preset or add its
//! own policies (e.g. `connected` with more staff: a lower
//! `efficiency_pressure`).

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

/// The shared baseline in [`Knob::ALL`] order: the organisation as it is,
/// inside-out (profit first, silos closed, customers an input).
pub const BASELINE: [f32; KNOB_COUNT] = [
    0.15, 0.1, 0.1, 0.3, 0.2, 0.05, 0.3, 0.5, 0.01, 0.1, 0.5, 0.1, 0.0,
];

/// What each preset changes from [`BASELINE`], in [`PRESET_NAMES`] order:
/// only the knobs its claim is about.
const PRESET_CHANGES: [&[(Knob, f32)]; 5] = [
    // inside_out: the baseline itself.
    &[],
    // outside_in: listen to customers, but one way: nothing flows back.
    &[(Knob::FeedbackListening, 0.8)],
    // connected: silos open, listening and answering, peers and the
    // extranet: two-way and transparent.
    &[
        (Knob::SiloPermeability, 0.8),
        (Knob::Transparency, 0.85),
        (Knob::FeedbackListening, 0.8),
        (Knob::CommunityEnablement, 0.8),
        (Knob::ExtranetOpenness, 0.7),
    ],
    // viral_campaign: shout louder, buy reach.
    &[(Knob::MarketingPush, 0.9), (Knob::CampaignReach, 0.04)],
    // all_about_you: the single view of the customer, used to cross-sell.
    &[(Knob::CrossSellPressure, 0.8)],
];

const PRESET_DESCRIPTIONS: [&str; 5] = [
    "the baseline: profit first, closed silos, little listening or answering",
    "the baseline, listening to customers without answering them (one-way vision)",
    "the baseline opened up: open silos, listening and answering, a community, customers inside the extranet",
    "the baseline shouting louder: heavy pushes and campaigns to buy reach",
    "the baseline using its single view of the customer to cross-sell: it's all about you",
];

/// What preset `name` changes from [`BASELINE`] (empty for `inside_out`),
/// if there is such a preset.
pub fn preset_changes(name: &str) -> Option<&'static [(Knob, f32)]> {
    let i = PRESET_NAMES.iter().position(|n| *n == name)?;
    Some(PRESET_CHANGES[i])
}

/// The built-in preset called `name`, if there is one.
pub fn preset(name: &str) -> Option<Policy> {
    let i = PRESET_NAMES.iter().position(|n| *n == name)?;
    Some(Policy {
        name: name.to_owned(),
        description: PRESET_DESCRIPTIONS[i].to_owned(),
        values: Knob::ALL
            .into_iter()
            .map(|k| {
                let changed = PRESET_CHANGES[i].iter().find(|(c, _)| *c == k);
                (k, changed.map_or(BASELINE[k.index()], |&(_, v)| v))
            })
            .collect(),
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

    #[test]
    fn each_preset_differs_from_the_baseline_only_in_its_claims_knobs() {
        for p in presets() {
            let changes = preset_changes(&p.name).unwrap();
            for (k, v) in &p.values {
                match changes.iter().find(|(c, _)| c == k) {
                    Some((_, changed)) => {
                        assert_eq!(v, changed);
                        assert_ne!(*v, BASELINE[k.index()], "{} {k} changes nothing", p.name);
                    }
                    None => assert_eq!(*v, BASELINE[k.index()], "{} {k}", p.name),
                }
            }
        }
        assert!(preset_changes("inside_out").unwrap().is_empty());
    }

    /// The module docs' table shows the baseline and every change.
    #[test]
    fn the_docs_table_shows_the_baseline_and_the_changes() {
        let doc = include_str!("policy.rs");
        for k in Knob::ALL {
            let row = doc
                .lines()
                .find(|l| l.starts_with(&format!("//! | {} |", k.name())))
                .unwrap_or_else(|| panic!("no row for {k}"));
            let cells: Vec<&str> = row
                .trim_start_matches("//! |")
                .split('|')
                .map(str::trim)
                .collect();
            assert_eq!(cells[1].parse::<f32>().unwrap(), BASELINE[k.index()], "{k}");
            for (i, name) in PRESET_NAMES.iter().enumerate().skip(1) {
                let changed = PRESET_CHANGES[i].iter().find(|(c, _)| *c == k);
                match changed {
                    Some((_, v)) => {
                        assert_eq!(cells[i + 1].parse::<f32>().ok(), Some(*v), "{name} {k}")
                    }
                    None => assert_eq!(cells[i + 1], "", "{name} {k}"),
                }
            }
        }
    }
}
