//! **Shouting louder** (seed 002) and **"it's all about you"** cross-sell
//! (seed 002): messages and offers pushed for the organisation's gain.
//!
//! **Models:** each step a Marketing staff member pushes a message through one
//! of their touchpoint ties with probability `marketing_push`; a Sales
//! staff member makes an offer to an active customer with probability
//! `cross_sell_pressure`. A push promotes the offering; a cross-sell offer
//! is whatever else the organisation wants to sell (a random point of the
//! need space). If it fits the customer's needs (`1 − gap ≥
//! model.push_match`) it is welcome (positive evidence `0.5 · model.w_push`
//! on the customer's tie back); if not, it is noise (negative evidence
//! `model.w_push`). A push that reaches an unaware prospect exposes them
//! as a campaign would (applied in phase 5). An offer or a push that fits
//! an active customer raises their spend (`revenue.rs`); one that does not
//! earns nothing.
//! Each costs `model.cost_push` and, with the trade-offs, `model.time_push`
//! of the staff member's time (`staff_time.rs`).
//!
//! **Knobs:** `marketing_push`, `cross_sell_pressure`. Assumptions:
//! `model.push_match`, `model.w_push`, `model.cost_push`.
//!
//! **Feeds:** `pushes`, `cross_sells`, `cost_push`, customer trust,
//! campaign acquisitions, `revenue` (offers and pushes that fit).
//!
//! **Leaves out:** offers timed to a customer's need (every offer is a
//! random draw of what the organisation sells); pushes that sell directly.

use crate::agent::{Lifecycle, Role, Source};
use crate::flow::FlowKind;
use crate::knob::Knob;
use crate::network::{NO_TIE, TieKind};
use crate::sim::Simulation;

impl Simulation {
    /// Marketing pushes a message (`marketing_push`), Sales makes an offer
    /// (`cross_sell_pressure`); other roles push nothing.
    pub(super) fn push_or_offer(&mut self, s: u32) {
        let (knob, kind) = match self.net.role_of(s) {
            Role::Marketing => (Knob::MarketingPush, FlowKind::Push),
            Role::Sales => (Knob::CrossSellPressure, FlowKind::CrossSell),
            _ => return,
        };
        let rule = self.rng.chance(self.knobs.get(knob));
        if !self.chosen(s, |d| d.offer, rule) {
            return;
        }
        let Some(t) = self.pick(self.net.ties_of_kind(s, TieKind::Touchpoint)) else {
            return;
        };
        let c = self.net.target[t];
        let state = Lifecycle::from_u8(self.state[c as usize]);
        if (kind == FlowKind::CrossSell && !state.is_active_customer())
            || !self.take_time(s, self.params.time_push)
        {
            return;
        }
        let (w_push, push_match) = (self.params.w_push, self.params.push_match);
        self.report.cost_push += f64::from(self.params.cost_push);
        if kind == FlowKind::Push {
            self.report.pushes += 1;
            if state == Lifecycle::Unaware {
                self.exposures.push(c);
            }
        } else {
            self.report.cross_sells += 1;
        }
        // A push or offer that matches the need is welcome; one that does
        // not is noise for the organisation's gain (seed 002). A push
        // promotes the offering; a cross-sell offer is whatever else the
        // organisation wants to sell: a random point of the need space.
        let pitch = if kind == FlowKind::Push {
            self.offering
        } else {
            std::array::from_fn(|_| self.rng.unit())
        };
        let fit = 1.0 - crate::agent::need_gap(&self.needs_of(c), &pitch);
        // An offer or a push that fits an active customer's need sells:
        // their spend rises (share of wallet, `revenue.rs`).
        if fit >= push_match && state.is_active_customer() {
            self.upsell(c);
        }
        let back = self.net.reverse[t];
        if back != NO_TIE {
            if fit >= push_match {
                self.add_evidence(back as usize, 0.5 * w_push, 0.0);
            } else {
                self.add_evidence(back as usize, 0.0, w_push);
            }
        }
        self.flow(s, c, kind, true);
    }

    /// Phase 5: prospects a push reached this step and who are still
    /// unaware are exposed, by the campaign.
    pub(super) fn apply_pushed_exposures(&mut self) {
        let mut exposures = std::mem::take(&mut self.exposures);
        for &c in &exposures {
            let ci = c as usize;
            if self.next_state[ci] == Lifecycle::Unaware as u8 {
                let next = self.exposed(true) as u8;
                self.set_next_state(c, next);
                self.source[ci] = Source::Campaign as u8;
                self.persuasion[ci] = self.params.campaign_persuasion;
            }
        }
        exposures.clear();
        self.exposures = exposures;
        // Prospects a played customer told (`played.rs`), by word of
        // mouth.
        let mut referred = std::mem::take(&mut self.referred);
        for &(c, persuasion) in &referred {
            let ci = c as usize;
            if self.next_state[ci] == Lifecycle::Unaware as u8 {
                let next = self.exposed(false) as u8;
                self.set_next_state(c, next);
                self.source[ci] = Source::WordOfMouth as u8;
                self.persuasion[ci] = persuasion;
            }
        }
        referred.clear();
        self.referred = referred;
    }
}
