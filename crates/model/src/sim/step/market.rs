//! **A market that does not run dry**: newcomers keep arriving, and a
//! competitor takes customers who are not held by satisfaction and trust.
//!
//! **Models:** with `model.trade_offs`,
//! - each step, each member of a customer group with `arrivals` leaves the
//!   market with that chance and an unaware newcomer takes their place
//!   (phase 5, after the lifecycle switch): same ties and segment, fresh
//!   needs drawn around the segment's, no history — no evidence on their
//!   ties either way, nothing known about them, no spend. A leaving
//!   customer's revenue ends (and counts against their segment's
//!   retention); a need or answer of theirs still on its way is theirs,
//!   not the newcomer's: the answer is lost, and the need teaches the
//!   organisation nothing about the newcomer. The pool of prospects is refilled at the rate the group
//!   declares, so acquisitions measure the policy rather than the size of
//!   the first pool;
//! - each step, an active customer who did not churn leaves for the
//!   competitor with probability `model.competitor_rate · (1 − (s + τ)/2)`,
//!   `s` their satisfaction and `τ` their trust in the organisation:
//!   counted in `churn` and in `lost_to_competitor`; they may return like
//!   any churned customer.
//!
//! **Knobs:** none of its own: what holds customers is every policy's
//! satisfaction and trust. Assumptions: each customer group's `arrivals`,
//! `model.competitor_rate`, `model.trade_offs`.
//!
//! **Feeds:** `arrivals`, `lost_to_competitor`, `churn`, `customers`,
//! `lifecycle` counts, acquisitions.
//!
//! **Leaves out:** a competitor that reacts to the organisation's policy;
//! prices; newcomers who know the organisation already.

use crate::agent::{Lifecycle, Source};
use crate::lifecycle;
use crate::rng::Skips;
use crate::sim::{NEVER, NO_CHANNEL, Simulation};
use crate::trust::NEUTRAL;

impl Simulation {
    /// Whether an active customer with satisfaction `sat` and trust
    /// `trust` leaves for the competitor this step (with the trade-offs).
    pub(super) fn leaves_for_competitor(&mut self, sat: f32, trust: f32) -> bool {
        if !self.params.trade_offs {
            return false;
        }
        if self.rng.chance(lifecycle::competitor_chance(
            self.params.competitor_rate,
            sat,
            trust,
        )) {
            self.report.lost_to_competitor += 1;
            true
        } else {
            false
        }
    }

    /// The step a newcomer took agent slot `a` (0 for one there from the
    /// start, and for every agent without the trade-offs, whose market
    /// has no newcomers and holds no arrival steps).
    #[inline]
    pub(in crate::sim) fn arrival(&self, a: usize) -> u32 {
        if self.arrived_at.is_empty() {
            debug_assert!(!self.params.trade_offs && a < self.net.agents());
            0
        } else {
            self.arrived_at[a]
        }
    }

    /// Phase 5, after the lifecycle switch: members of customer groups with
    /// `arrivals` leave the market and newcomers take their places. The
    /// members who leave are found by geometric skips (one draw per
    /// newcomer, not one per member; see [`Skips`]).
    pub(super) fn turn_over_market(&mut self, t: u32) {
        if !self.params.trade_offs {
            return;
        }
        for g in 0..self.group_arrivals.len() {
            let rate = self.group_arrivals[g];
            if rate <= 0.0 {
                continue;
            }
            let (first, size) = {
                let group = &self.scenario.groups[g];
                (group.first, group.size)
            };
            let mut leaving = Skips::new(first..first + size, rate);
            while let Some(a) = leaving.next(&mut self.rng) {
                self.newcomer(t, g, a);
            }
        }
    }

    /// A newcomer takes agent slot `a` of group `g`.
    fn newcomer(&mut self, t: u32, g: usize, a: u32) {
        let ai = a as usize;
        self.report.arrivals += 1;
        if Lifecycle::from_u8(self.state[ai]).is_active_customer() {
            // A customer lost to the market: attrition for the segment's
            // retention (lifetime value), though not churn.
            self.report.segment_churn[g] += 1;
        }
        self.tally.remove(self.share(ai));
        let group = &self.scenario.groups[g];
        let (mean, spread) = (group.needs, group.need_spread);
        let needs = mean.map(|m| (m + spread * (2.0 * self.rng.unit() - 1.0)).clamp(0.0, 1.0));
        self.needs.set(a, needs);
        self.state[ai] = Lifecycle::Unaware as u8;
        self.next_state[ai] = Lifecycle::Unaware as u8;
        self.awake.set(a, false);
        self.active.set(a, false);
        self.in_between.set(a, false);
        self.relieved.set(a, false);
        self.reperceive.set(a, false);
        self.recount.push(a);
        self.source[ai] = Source::None as u8;
        self.persuasion[ai] = 0.0;
        self.knowledge[ai] = 0.0;
        self.relief[ai] = 0.0;
        self.heard_back[ai] = NEVER;
        self.last_channel[ai] = NO_CHANNEL;
        self.sat[ai] = 0.0;
        self.trust_org[ai] = NEUTRAL;
        self.spend[ai] = 0.0;
        self.arrived_at[ai] = t + 1;
        self.tally.add(self.share(ai));
        for tie in self.net.ties_of(a) {
            self.ev.clear(tie);
            let back = self.net.reverse[tie];
            if back != crate::network::NO_TIE {
                self.ev.clear(back as usize);
            }
        }
    }
}
