//! The customer lifecycle and satisfaction: the rules that move a customer
//! or prospect between states (see [`crate::agent::Lifecycle`]).
//!
//! **Satisfaction** is how well the service a customer gets meets *their*
//! needs (seed 004: "holes, not drills"). The organisation has one offering
//! `O`; what customer c gets is `S = O + π·k·(n − O)` where `n` is c's
//! needs, `k` what the organisation knows about c (grows when c's needs
//! reach Product) and `π` the `personalisation` knob ("know me, don't just
//! know about me"). Then
//!
//! ```text
//! sat = clamp(1 − g·gap(n, S) + relief, 0, 1)
//! ```
//!
//! with `g` = `model.gap_sensitivity` (default 2) and `relief` the fading
//! boost of recent peer help.
//!
//! **Acquisition** is Bass-like (Bass 1969): an unaware prospect is exposed
//! each step with probability `1 − (1 − p)(1 − q·x)`, where p is the
//! campaign reach (knob plus running campaigns), q the `referral_strength`
//! knob and x the trust-weighted share of its peers who are customers
//! (advocates count fully, plain customers by `model.customer_voice`; a
//! peer's weight is the prospect's trust in them divided by the neutral 0.5,
//! so with no evidence x is the plain share). The exposure's source is
//! campaign with probability `p / (p + q·x)`, word of mouth otherwise, and
//! is recorded with the acquisition. Two assumptions can change the word of
//! mouth: `model.referral_window` limits referring to a customer's first
//! steps as one, and `model.independent_referrals = b` gives a share `b`
//! of the strength to each referring peer on its own: `q·x` becomes
//! `1 − (1 − (1 − b)·q·x)·Π (1 − b·q·wⱼ)` (at `b = 1` each peer persuades
//! on its own, the Independent Cascade form); `model.instant_adoption` makes exposure
//! adoption. `docs/model.md` lists the settings that reduce acquisition to
//! the Bass model and to the Independent Cascade.
//!
//! **Churn** per step is `model.churn_rate · (1 − sat) · (1 − trust)` for
//! an active customer, where trust is the customer's mean trust in the
//! organisation's agents it is tied to.
//!
//! Leaves out: prices and revenue, competitors, and customers who buy more
//! than one thing.

use crate::agent::{NEED_DIMS, Needs, need_gap};

/// The service customer c gets: the offering moved toward their own needs
/// by personalisation × knowledge.
#[inline]
pub fn service(offering: &Needs, needs: &Needs, knowledge: f32, personalisation: f32) -> Needs {
    let w = (personalisation * knowledge).clamp(0.0, 1.0);
    let mut s = *offering;
    for k in 0..NEED_DIMS {
        s[k] += w * (needs[k] - offering[k]);
    }
    s
}

/// Satisfaction in `[0, 1]` (see the module docs).
#[inline]
pub fn satisfaction(
    offering: &Needs,
    needs: &Needs,
    knowledge: f32,
    personalisation: f32,
    relief: f32,
    sensitivity: f32,
) -> f32 {
    let s = service(offering, needs, knowledge, personalisation);
    (1.0 - sensitivity * need_gap(needs, &s) + relief).clamp(0.0, 1.0)
}

/// Chance per step that an unaware prospect is exposed, and the share of
/// that chance due to the campaign (the rest is word of mouth).
///
/// `p`: campaign reach; `q`: referral strength; `x`: trust-weighted share
/// of customer peers.
#[inline]
pub fn exposure(p: f32, q: f32, x: f32) -> (f32, f32) {
    exposure_to(p, q * x)
}

/// [`exposure`] with the word-of-mouth chance `wom` already worked out.
#[inline]
pub fn exposure_to(p: f32, wom: f32) -> (f32, f32) {
    let wom = wom.clamp(0.0, 1.0);
    let p = p.clamp(0.0, 1.0);
    let total = 1.0 - (1.0 - p) * (1.0 - wom);
    let campaign_share = if p + wom > 0.0 { p / (p + wom) } else { 0.0 };
    (total, campaign_share)
}

/// Chance per step that an active customer churns.
#[inline]
pub fn churn_chance(rate: f32, satisfaction: f32, trust: f32) -> f32 {
    rate * (1.0 - satisfaction) * (1.0 - trust)
}

/// Chance per step that an active customer leaves for the competitor
/// (with the trade-offs): the less its satisfaction and trust hold it, the
/// likelier.
#[inline]
pub fn competitor_chance(rate: f32, satisfaction: f32, trust: f32) -> f32 {
    let hold = (0.5 * (satisfaction + trust)).clamp(0.0, 1.0);
    rate * (1.0 - hold)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personalisation_only_helps_customers_the_organisation_knows() {
        let offering = [0.5; 4];
        let needs = [0.9, 0.1, 0.5, 0.5];
        let unknown = satisfaction(&offering, &needs, 0.0, 1.0, 0.0, 2.0);
        let known = satisfaction(&offering, &needs, 1.0, 1.0, 0.0, 2.0);
        let known_not_used = satisfaction(&offering, &needs, 1.0, 0.0, 0.0, 2.0);
        assert!((unknown - 0.6).abs() < 1e-6, "{unknown}");
        assert_eq!(known, 1.0);
        assert_eq!(known_not_used, unknown);
    }

    #[test]
    fn relief_and_clamping() {
        // gap 0.5: 1 - 2 * 0.5 + 0.3 relief.
        let s = satisfaction(&[0.5; 4], &[1.0; 4], 0.0, 0.0, 0.3, 2.0);
        assert!((s - 0.3).abs() < 1e-6, "{s}");
        assert_eq!(satisfaction(&[0.0; 4], &[1.0; 4], 0.0, 0.0, 0.3, 2.0), 0.0);
        assert_eq!(satisfaction(&[0.5; 4], &[0.5; 4], 0.0, 0.0, 0.5, 2.0), 1.0);
    }

    #[test]
    fn exposure_combines_campaign_and_word_of_mouth() {
        let (total, share) = exposure(0.03, 0.38, 0.0);
        assert!((total - 0.03).abs() < 1e-7 && share == 1.0);
        let (total, share) = exposure(0.0, 0.5, 0.5);
        assert!((total - 0.25).abs() < 1e-7 && share == 0.0);
        let (total, share) = exposure(0.1, 0.2, 0.5);
        assert!((total - (1.0 - 0.9 * 0.9)).abs() < 1e-6);
        assert!((share - 0.5).abs() < 1e-6);
        assert_eq!(exposure(0.0, 0.0, 1.0), (0.0, 0.0));
    }

    #[test]
    fn churn_falls_with_satisfaction_and_trust() {
        assert_eq!(churn_chance(0.04, 0.0, 0.0), 0.04);
        assert!(churn_chance(0.04, 0.8, 0.8) < churn_chance(0.04, 0.4, 0.4));
        assert_eq!(churn_chance(0.04, 1.0, 0.2), 0.0);
    }
}
