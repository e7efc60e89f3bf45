//! The knobs: one per claim in `docs/domain.md`'s "Claims → mechanisms → files" table.
//!
//! A knob is a number a facilitator can turn; each drives exactly one
//! mechanism (see the module named in its docs). The catalogue below gives
//! every knob a default, a range, a slider step, a unit and a one-line
//! description; a scenario may override any of those (narrow a range,
//! reword a description) under `knobs:`, and the app builds its sliders from
//! the result.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A knob of the model. Names in scenario files are the `snake_case` form
/// given by [`Knob::name`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Knob {
    /// Probability that an item crosses a silo wall (a tie between two
    /// departments). Seed 000.
    SiloPermeability,
    /// Probability that the organisation answers a need that reached Product
    /// and shares what it did, inside and with partners. Seed 000.
    Transparency,
    /// Probability that a touchpoint passes a customer's need on toward
    /// Product. Seed 000 ("outside-in" is listening without responding).
    FeedbackListening,
    /// Probability that an answer on one channel agrees with what the
    /// customer heard on another. Seed 001.
    OmnichannelConsistency,
    /// Share of customer contacts handled by self-service. Seed 001.
    SelfService,
    /// Probability that a customer with an unmet need finds help from a
    /// peer. Seed 001.
    CommunityEnablement,
    /// Probability per step that a Sales staff member pushes an offer for
    /// the organisation's gain. Seed 002.
    CrossSellPressure,
    /// Probability per step that a Marketing staff member pushes a message.
    /// Seed 002 ("shouting louder").
    MarketingPush,
    /// Per-step probability that a campaign reaches an unaware prospect
    /// (the Bass model's p). Seed 003.
    CampaignReach,
    /// Per-step word-of-mouth strength (the Bass model's q). Seed 003.
    ReferralStrength,
    /// How much cost pressure cuts staff responsiveness. Seed 004.
    EfficiencyPressure,
    /// How far answers fit the individual rather than the segment average.
    /// Seed 004 ("know me, don't just know about me").
    Personalisation,
    /// Probability that a customer's need travels straight to Product
    /// through the extranet, and that changes are shared back to customers
    /// ("customers as a sort of department"). Seed 003.
    ExtranetOpenness,
}

/// Number of knobs.
pub const KNOB_COUNT: usize = 13;

impl Knob {
    /// Every knob, in catalogue order.
    pub const ALL: [Knob; KNOB_COUNT] = [
        Knob::SiloPermeability,
        Knob::Transparency,
        Knob::FeedbackListening,
        Knob::OmnichannelConsistency,
        Knob::SelfService,
        Knob::CommunityEnablement,
        Knob::CrossSellPressure,
        Knob::MarketingPush,
        Knob::CampaignReach,
        Knob::ReferralStrength,
        Knob::EfficiencyPressure,
        Knob::Personalisation,
        Knob::ExtranetOpenness,
    ];

    /// Dense index `0..KNOB_COUNT`.
    #[inline]
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The name used in scenario files and outputs.
    pub const fn name(self) -> &'static str {
        match self {
            Knob::SiloPermeability => "silo_permeability",
            Knob::Transparency => "transparency",
            Knob::FeedbackListening => "feedback_listening",
            Knob::OmnichannelConsistency => "omnichannel_consistency",
            Knob::SelfService => "self_service",
            Knob::CommunityEnablement => "community_enablement",
            Knob::CrossSellPressure => "cross_sell_pressure",
            Knob::MarketingPush => "marketing_push",
            Knob::CampaignReach => "campaign_reach",
            Knob::ReferralStrength => "referral_strength",
            Knob::EfficiencyPressure => "efficiency_pressure",
            Knob::Personalisation => "personalisation",
            Knob::ExtranetOpenness => "extranet_openness",
        }
    }

    /// Look a knob up by its scenario name.
    pub fn from_name(name: &str) -> Option<Knob> {
        Knob::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Every knob name, comma-separated, for error messages.
    pub fn names() -> String {
        Knob::ALL.map(Knob::name).join(", ")
    }

    /// The catalogue entry: default value, hard range, slider step, unit and
    /// description. Every knob is a probability or a share, so the hard range
    /// is `[0, 1]`; a scenario may only narrow it.
    pub fn spec(self) -> KnobSpec {
        let (value, step, unit, description) = match self {
            Knob::SiloPermeability => (
                0.3,
                0.05,
                "probability",
                "chance an item crosses a wall between two departments",
            ),
            Knob::Transparency => (
                0.3,
                0.05,
                "probability",
                "chance the organisation answers a need that reached Product and shares what it did",
            ),
            Knob::FeedbackListening => (
                0.3,
                0.05,
                "probability",
                "chance a touchpoint passes a customer's need on toward Product",
            ),
            Knob::OmnichannelConsistency => (
                0.5,
                0.05,
                "probability",
                "chance an answer agrees with what the customer heard on another channel",
            ),
            Knob::SelfService => (
                0.3,
                0.05,
                "share",
                "share of customer contacts handled by self-service (cheap, impersonal, tracked)",
            ),
            Knob::CommunityEnablement => (
                0.2,
                0.05,
                "probability",
                "chance a customer with an unmet need gets help from a peer",
            ),
            Knob::CrossSellPressure => (
                0.2,
                0.05,
                "per step",
                "chance per step that a Sales staff member pushes an offer for the organisation's gain",
            ),
            Knob::MarketingPush => (
                0.3,
                0.05,
                "per step",
                "chance per step that a Marketing staff member pushes a message",
            ),
            Knob::CampaignReach => (
                0.005,
                0.001,
                "per step",
                "chance per step that a campaign reaches an unaware prospect (Bass p)",
            ),
            Knob::ReferralStrength => (
                0.2,
                0.01,
                "per step",
                "word-of-mouth strength: chance per step of exposure from trusted customer peers (Bass q)",
            ),
            Knob::EfficiencyPressure => (
                0.3,
                0.05,
                "share",
                "cost pressure: how much staff responsiveness is cut",
            ),
            Knob::Personalisation => (
                0.3,
                0.05,
                "share",
                "how far answers fit the individual's needs rather than the segment average",
            ),
            Knob::ExtranetOpenness => (
                0.0,
                0.05,
                "probability",
                "chance a need travels straight to Product through the extranet, and changes are shared back",
            ),
        };
        KnobSpec {
            value,
            min: 0.0,
            max: 1.0,
            step,
            unit: unit.to_owned(),
            description: description.to_owned(),
        }
    }
}

impl fmt::Display for Knob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A knob's value and how a slider for it looks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KnobSpec {
    /// The starting value (before the starting policy is applied).
    pub value: f32,
    /// Smallest allowed value.
    pub min: f32,
    /// Largest allowed value.
    pub max: f32,
    /// Slider step.
    pub step: f32,
    /// Unit shown beside the value.
    pub unit: String,
    /// One line shown under the slider.
    pub description: String,
}

/// The current value of every knob, indexed by [`Knob::index`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct KnobValues([f32; KNOB_COUNT]);

impl KnobValues {
    /// The catalogue defaults.
    pub fn defaults() -> Self {
        Self(Knob::ALL.map(|k| k.spec().value))
    }

    /// The value of `knob`.
    #[inline]
    pub fn get(&self, knob: Knob) -> f32 {
        self.0[knob.index()]
    }

    /// Set `knob` to `value` (callers validate against the knob's range).
    #[inline]
    pub fn set(&mut self, knob: Knob, value: f32) {
        self.0[knob.index()] = value;
    }

    /// Iterate `(knob, value)` in catalogue order.
    pub fn iter(&self) -> impl Iterator<Item = (Knob, f32)> + '_ {
        Knob::ALL.into_iter().map(|k| (k, self.get(k)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        for k in Knob::ALL {
            assert_eq!(Knob::from_name(k.name()), Some(k));
        }
        let mut names: Vec<_> = Knob::ALL.iter().map(|k| k.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), KNOB_COUNT);
        assert_eq!(Knob::from_name("silo"), None);
    }

    #[test]
    fn catalogue_defaults_lie_in_their_ranges() {
        for k in Knob::ALL {
            let s = k.spec();
            assert!(s.min <= s.value && s.value <= s.max, "{k}");
            assert!(s.step > 0.0 && s.step <= s.max - s.min, "{k}");
            assert!(!s.description.is_empty() && !s.unit.is_empty(), "{k}");
        }
    }
}
