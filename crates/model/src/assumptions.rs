//! The model's assumptions: every rate, delay and weight that is not a
//! policy knob.
//!
//! Knobs (see [`crate::knob`]) are what a workshop argues about; these
//! parameters are what the model *assumes* so that the knobs mean something.
//! Each has a default, an allowed range and a one-line meaning, and a
//! scenario may change any of them under `model: (...)`. `docs/model.md`
//! lists them with the mechanism each belongs to, so an analyst can
//! disagree with one and see what changes.

use serde::{Deserialize, Serialize};

/// Declares [`ModelParams`] with defaults, ranges and docs in one table, so
/// the three can never drift apart.
macro_rules! model_params {
    ($( $(#[doc = $doc:expr])+ $name:ident : $ty:ty = $default:expr, [$min:expr, $max:expr]; )*) => {
        /// The model's assumptions (see the module docs). Every field has a
        /// default; a scenario overrides fields by name under `model:`.
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields, default)]
        pub struct ModelParams {
            $( $(#[doc = $doc])+ pub $name: $ty, )*
        }

        impl Default for ModelParams {
            fn default() -> Self {
                Self { $( $name: $default, )* }
            }
        }

        impl ModelParams {
            /// Every parameter as `(name, value, min, max, meaning)`, in
            /// declaration order.
            pub fn table(&self) -> Vec<ParamRow> {
                vec![ $( ParamRow {
                    name: stringify!($name),
                    value: Numeric::to_f64(self.$name),
                    min: $min as f64,
                    max: $max as f64,
                    meaning: concat!($($doc),+).trim(),
                    whole: <$ty as Numeric>::WHOLE,
                }, )* ]
            }

            /// The value of the assumption called `name` as a scenario
            /// file writes it (`0.97`, `3`, `true`), if there is one.
            pub fn text(&self, name: &str) -> Option<String> {
                match name {
                    $( stringify!($name) => Some(Numeric::text(self.$name)), )*
                    _ => None,
                }
            }

            /// Set the assumption called `name` to `value` (rounded for
            /// whole numbers; any value but 0 is true). `false` when there
            /// is no such assumption. The value is not range-checked: see
            /// [`ModelParams::out_of_range`].
            pub fn set(&mut self, name: &str, value: f64) -> bool {
                match name {
                    $( stringify!($name) => {
                        self.$name = Numeric::from_f64(value);
                        true
                    } )*
                    _ => false,
                }
            }
        }
    };
}

/// A parameter's value as a number, for ranges and tables (`true` is 1).
trait Numeric {
    /// Whether the parameter takes whole numbers only (counts, switches).
    const WHOLE: bool;
    fn to_f64(self) -> f64;
    fn from_f64(v: f64) -> Self;
    /// The value as a scenario file writes it.
    fn text(self) -> String;
}

impl Numeric for f32 {
    const WHOLE: bool = false;
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
    fn text(self) -> String {
        // The shortest text that reads back as this f32, always with a
        // decimal point (`1.0`, not `1`).
        format!("{self:?}")
    }
    fn from_f64(v: f64) -> Self {
        v as f32
    }
}

impl Numeric for u32 {
    const WHOLE: bool = true;
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
    fn text(self) -> String {
        self.to_string()
    }
    fn from_f64(v: f64) -> Self {
        v.round().clamp(0.0, f64::from(u32::MAX)) as u32
    }
}

impl Numeric for bool {
    const WHOLE: bool = true;
    fn to_f64(self) -> f64 {
        f64::from(u8::from(self))
    }
    fn text(self) -> String {
        self.to_string()
    }
    fn from_f64(v: f64) -> Self {
        v != 0.0
    }
}

/// One row of [`ModelParams::table`].
#[derive(Clone, Debug, PartialEq)]
pub struct ParamRow {
    /// Field name in the scenario file.
    pub name: &'static str,
    /// Current value.
    pub value: f64,
    /// Smallest allowed value.
    pub min: f64,
    /// Largest allowed value.
    pub max: f64,
    /// What it means.
    pub meaning: &'static str,
    /// Whether it takes whole numbers only (a count of steps, a switch).
    pub whole: bool,
}

model_params! {
    /// Trust: share of evidence kept from one step to the next (Beta reputation forgetting factor λ).
    forgetting: f32 = 0.97, [0.5, 1.0];
    /// Customers: chance per step that an active customer contacts the organisation.
    contact_rate: f32 = 0.2, [0.0, 1.0];
    /// Inside: chance per step that a staff member shares something with a colleague.
    share_rate: f32 = 0.3, [0.0, 1.0];
    /// Flow: steps an item takes to cross one tie.
    hop_delay: u32 = 1, [1, 4];
    /// Flow: extra steps an item waits at a silo wall before crossing.
    wall_delay: u32 = 2, [0, 8];
    /// Flow: hops after which an undelivered need is dropped.
    max_hops: u32 = 24, [1, 64];
    /// Feedback loop: how far the offering moves toward a need that reached Product.
    offering_learning: f32 = 0.02, [0.0, 1.0];
    /// Feedback loop: how much the organisation learns about one customer when their need reaches Product.
    knowledge_gain: f32 = 0.3, [0.0, 1.0];
    /// Self-service: chance a self-service contact is tracked into segment-level intelligence for Product.
    tracking_rate: f32 = 0.1, [0.0, 1.0];
    /// Satisfaction: how steeply satisfaction falls with the gap between needs and service (1 - sensitivity * gap).
    gap_sensitivity: f32 = 2.0, [0.1, 10.0];
    /// Peer help: satisfaction boost from a peer's answer.
    peer_relief: f32 = 0.3, [0.0, 1.0];
    /// Peer help: share of the boost left after each step.
    relief_decay: f32 = 0.8, [0.0, 1.0];
    /// Inside: chance that an overloaded staff member cannot respond, per unit of efficiency pressure.
    responsiveness_cut: f32 = 0.8, [0.0, 1.0];
    /// Marketing: a push is welcome when it matches the recipient's need at least this well.
    push_match: f32 = 0.75, [0.0, 1.0];
    /// Lifecycle: churn chance per step of a customer with zero satisfaction and zero trust.
    churn_rate: f32 = 0.03, [0.0, 1.0];
    /// Lifecycle: chance per step that a churned customer reconsiders after a peer's word or an answer.
    return_rate: f32 = 0.05, [0.0, 1.0];
    /// Acquisition: share of exposed prospects who become customers at once, skipping consideration (1 = the Bass model's adoption at first exposure).
    instant_adoption: f32 = 0.0, [0.0, 1.0];
    /// Lifecycle: chance per step that an aware prospect starts considering, times their persuasion.
    consider_rate: f32 = 0.3, [0.0, 1.0];
    /// Lifecycle: chance per step that a considering prospect converts, times how well the offering fits them.
    convert_rate: f32 = 0.3, [0.0, 1.0];
    /// Lifecycle: chance per step that an aware or considering prospect drifts back a stage.
    lapse_rate: f32 = 0.05, [0.0, 1.0];
    /// Lifecycle: chance per step that a satisfied, trusting customer becomes an advocate (and back).
    advocate_rate: f32 = 0.1, [0.0, 1.0];
    /// Lifecycle: satisfaction above which a customer may advocate.
    advocate_satisfaction: f32 = 0.6, [0.0, 1.0];
    /// Lifecycle: trust in the organisation above which a customer may advocate.
    advocate_trust: f32 = 0.6, [0.0, 1.0];
    /// Word of mouth: steps after becoming a customer during which a customer refers peers (0 = as long as they are a customer; 1 = the Independent Cascade's single chance).
    referral_window: f32 = 0.0, [0.0, 1000.0];
    /// Word of mouth: 0 = exposure is referral_strength times the trust-weighted share of referring peers; 1 = each referring peer persuades independently with probability referral_strength times its weight (the Independent Cascade form); between, that share of the strength acts peer by peer and the rest pooled, as independent chances.
    independent_referrals: f32 = 0.0, [0.0, 1.0];
    /// Word of mouth: weight of a plain customer's word relative to an advocate's.
    customer_voice: f32 = 0.3, [0.0, 1.0];
    /// Acquisition: how persuasive a campaign contact is, against a trusted peer's trust.
    campaign_persuasion: f32 = 0.3, [0.0, 1.0];
    /// Evidence: weight of one staff-handled contact.
    w_contact: f32 = 1.0, [0.0, 10.0];
    /// Evidence: weight of one self-service contact (less personal).
    w_self_service: f32 = 0.3, [0.0, 10.0];
    /// Evidence: weight of an answer that closes the feedback loop.
    w_answer: f32 = 2.0, [0.0, 10.0];
    /// Evidence: weight of answers that disagree across channels.
    w_inconsistency: f32 = 1.0, [0.0, 10.0];
    /// Evidence: weight of a push or offer that does not match the need.
    w_push: f32 = 0.5, [0.0, 10.0];
    /// Evidence: weight of peer help, on the tie between the two peers.
    w_peer: f32 = 1.0, [0.0, 10.0];
    /// Evidence: weight of one shared item between colleagues.
    w_share: f32 = 0.3, [0.0, 10.0];
    /// Evidence: weight of feedback given, on the organisation's trust in the customer.
    w_feedback: f32 = 0.5, [0.0, 10.0];
    /// Cost: staff effort of one staff-handled contact.
    cost_contact: f32 = 1.0, [0.0, 1000.0];
    /// Cost: one self-service contact.
    cost_self_service: f32 = 0.1, [0.0, 1000.0];
    /// Cost: staff effort of handling one need on its way to Product.
    cost_need_hop: f32 = 0.1, [0.0, 1000.0];
    /// Cost: campaign spend per prospect reached.
    cost_campaign_contact: f32 = 0.5, [0.0, 1000.0];
    /// Cost: one marketing push or cross-sell offer.
    cost_push: f32 = 0.05, [0.0, 1000.0];
    /// Trade-offs: staff time is finite (work queues, waits, expiry), newcomers keep arriving, a competitor takes customers, and openness has running costs; false = the model without them (unlimited staff time, stretched staff fail at random, a fixed market, no competitor, openness free). Revenue is counted either way.
    trade_offs: bool = true, [0, 1];
    /// Revenue: multiplies every segment's ARPU (what is a customer worth? 1 = as the scenario declares).
    arpu_scale: f32 = 1.0, [0.0, 100.0];
    /// Revenue: a cross-sell offer or a marketing push that fits raises the customer's spend by this share of their segment's ARPU (share of wallet).
    wallet_uplift: f32 = 0.1, [0.0, 10.0];
    /// Revenue: most a customer spends per step, as a multiple of their segment's ARPU.
    wallet_max: f32 = 2.0, [1.0, 100.0];
    /// Value: discount rate per step for net present value and lifetime value (0.0018 a week is about 10 % a year).
    discount_rate: f32 = 0.0018, [0.0, 1.0];
    /// Capacity: staff time per staff member or partner per step, in staff-handled contacts (a department may declare its own `capacity`); one unit costs `cost_contact`.
    staff_capacity: f32 = 1.5, [0.0, 1000.0];
    /// Capacity: share of staff time (and of its cost) that full efficiency pressure removes.
    capacity_cut: f32 = 0.5, [0.0, 1.0];
    /// Capacity: most steps a contact waits for staff time; a contact still unserved after that expires unanswered (0 = served in its own step or not at all).
    max_wait: u32 = 3, [0, 100];
    /// Capacity: staff time to handle one need on its way to Product, or to take it in at Product.
    time_need: f32 = 0.2, [0.0, 100.0];
    /// Capacity (cost of transparency): Product's staff time to answer a need.
    time_answer: f32 = 0.5, [0.0, 100.0];
    /// Capacity (cost of listening): staff time to write a contact's need up for Product.
    time_listen: f32 = 0.25, [0.0, 100.0];
    /// Capacity: staff time to share one item with a colleague or a partner.
    time_share: f32 = 0.1, [0.0, 100.0];
    /// Capacity: staff time for one marketing push or cross-sell offer.
    time_push: f32 = 0.1, [0.0, 100.0];
    /// Market: chance per step that a customer with zero satisfaction and zero trust leaves for a competitor (times 1 − the mean of satisfaction and trust).
    competitor_rate: f32 = 0.01, [0.0, 1.0];
    /// Cost of openness: running cost of the extranet per active customer per step, at full openness.
    cost_extranet: f32 = 0.2, [0.0, 1000.0];
    /// Cost of openness: running cost of the community per active customer per step, at full enablement.
    cost_community: f32 = 0.1, [0.0, 1000.0];
    /// Cost of openness: reward paid to a customer for each answer they give a peer.
    reward_peer_help: f32 = 0.2, [0.0, 1000.0];
}

impl ModelParams {
    /// Rows whose value lies outside their allowed range (NaN included).
    pub fn out_of_range(&self) -> Vec<ParamRow> {
        self.table()
            .into_iter()
            .filter(|r| !(r.value >= r.min && r.value <= r.max))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_in_range_and_documented() {
        let p = ModelParams::default();
        assert!(p.out_of_range().is_empty(), "{:?}", p.out_of_range());
        for row in p.table() {
            assert!(row.meaning.len() > 10, "{} needs a meaning", row.name);
        }
    }

    #[test]
    fn nan_and_out_of_range_values_are_caught() {
        let p = ModelParams {
            forgetting: f32::NAN,
            wall_delay: 99,
            ..ModelParams::default()
        };
        let names: Vec<_> = p.out_of_range().iter().map(|r| r.name).collect();
        assert_eq!(names, ["forgetting", "wall_delay"]);
    }

    #[test]
    fn assumptions_are_set_by_name() {
        let mut p = ModelParams::default();
        assert!(p.set("forgetting", 0.9) && p.forgetting == 0.9);
        assert!(p.set("max_wait", 2.6) && p.max_wait == 3);
        assert!(p.set("trade_offs", 0.0) && !p.trade_offs);
        assert!(!p.set("no_such_assumption", 1.0));
        for row in ModelParams::default().table() {
            let mut q = ModelParams::default();
            assert!(q.set(row.name, row.max), "{}", row.name);
            let now = q.table().into_iter().find(|r| r.name == row.name).unwrap();
            assert_eq!(now.value, row.max, "{}", row.name);
        }
    }
}
