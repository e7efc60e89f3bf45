//! **The customer's life is not linear: fits and starts, loops** (seed
//! 004): the customer lifecycle, and what an active customer does.
//!
//! **Models:** every customer-part agent is in one of seven states: unaware →
//! aware → considering → customer ⇄ advocate, churned → returning →
//! customer, with lapses back (aware → unaware, considering → aware,
//! returning → churned at `model.lapse_rate`). Each step, by state:
//! - **customer / advocate**: may raise a need through the extranet
//!   (`extranet.rs`), contacts a touchpoint (`touchpoints.rs`), asks a peer
//!   (`community.rs`), hears of changes (`extranet.rs`); churns with
//!   `lifecycle::churn_chance(model.churn_rate, satisfaction, trust)`, or
//!   leaves for the competitor (`market.rs`, with the trade-offs);
//!   becomes an advocate (or stops being one) at `model.advocate_rate` when
//!   satisfaction and trust clear (or miss) `model.advocate_satisfaction`
//!   and `model.advocate_trust`;
//! - **unaware**: may hear of the organisation (`word_of_mouth.rs`);
//! - **aware**: considers at `model.consider_rate · persuasion`;
//! - **considering**: converts at `model.convert_rate · satisfaction`,
//!   counted by the source it first heard from;
//! - **churned**: returns at `model.return_rate · pull`, where the pull is
//!   1 within [`ANSWER_MEMORY`] steps of an answer closing one of its loops,
//!   else the word of mouth around it;
//! - **returning**: comes back at `model.consider_rate · satisfaction`.
//!
//! The new state is written to a buffer and switched in phase 5.
//!
//! **Knobs:** none of its own (the mechanisms it calls have theirs).
//! Assumptions: the `model.*_rate` values above.
//!
//! **Feeds:** `lifecycle` counts, `churn`, `returns`, acquisitions,
//! `advocates`, `customers`.
//!
//! **Leaves out:** contract lengths (the market's turnover and the
//! competitor are `market.rs`'s).

use crate::agent::{Lifecycle, Source};
use crate::lifecycle;
use crate::sim::{NEVER, Simulation};

/// Steps after an answer during which a churned customer is more open to
/// returning.
const ANSWER_MEMORY: u32 = 4;

impl Simulation {
    /// A customer or prospect acts according to their lifecycle state.
    pub(super) fn customer_acts(&mut self, t: u32, c: u32) {
        let ci = c as usize;
        let state = Lifecycle::from_u8(self.state[ci]);
        let sat = self.sat[ci];
        let trust_org = self.trust_org[ci];
        let next = match state {
            Lifecycle::Customer | Lifecycle::Advocate => {
                self.need_through_extranet(t, c);
                self.contact(t, c);
                self.ask_peer(c);
                self.hear_of_changes(c);
                self.refer_if_played(c);
                let rule = self.rng.chance(lifecycle::churn_chance(
                    self.params.churn_rate,
                    sat,
                    trust_org,
                )) || self.leaves_for_competitor(sat, trust_org);
                if self.chosen(c, |d| d.leave, rule) {
                    self.report.churn += 1;
                    self.report.segment_churn[self.net.group[ci] as usize] += 1;
                    Lifecycle::Churned
                } else {
                    let can_advocate = sat >= self.params.advocate_satisfaction
                        && trust_org >= self.params.advocate_trust;
                    match state {
                        Lifecycle::Customer
                            if can_advocate && self.rng.chance(self.params.advocate_rate) =>
                        {
                            Lifecycle::Advocate
                        }
                        Lifecycle::Advocate
                            if !can_advocate && self.rng.chance(self.params.advocate_rate) =>
                        {
                            Lifecycle::Customer
                        }
                        s => s,
                    }
                }
            }
            Lifecycle::Unaware => self.prospect_hears(c),
            Lifecycle::Aware => {
                if self
                    .rng
                    .chance(self.params.consider_rate * self.persuasion[ci])
                {
                    Lifecycle::Considering
                } else if self.rng.chance(self.params.lapse_rate) {
                    self.source[ci] = Source::None as u8;
                    Lifecycle::Unaware
                } else {
                    state
                }
            }
            Lifecycle::Considering => {
                if self.rng.chance(self.params.convert_rate * sat) {
                    if self.source[ci] == Source::WordOfMouth as u8 {
                        self.report.acquisitions_word_of_mouth += 1;
                    } else {
                        self.report.acquisitions_campaign += 1;
                    }
                    Lifecycle::Customer
                } else if self.rng.chance(self.params.lapse_rate) {
                    Lifecycle::Aware
                } else {
                    state
                }
            }
            Lifecycle::Churned => {
                let heard =
                    self.heard_back[ci] != NEVER && t - self.heard_back[ci] <= ANSWER_MEMORY;
                let returns = if heard {
                    self.rng.chance(self.params.return_rate)
                } else {
                    self.pulled_back(c)
                };
                if returns { Lifecycle::Returning } else { state }
            }
            Lifecycle::Returning => {
                if self.rng.chance(self.params.consider_rate * sat) {
                    self.report.returns += 1;
                    Lifecycle::Customer
                } else if self.rng.chance(self.params.lapse_rate) {
                    Lifecycle::Churned
                } else {
                    state
                }
            }
        };
        self.set_next_state(c, next as u8);
    }

    /// Customer `c`'s state after this step's switch is `next`: noted among
    /// the step's changes whenever it moves (`find_lifecycle_changes`
    /// keeps those that end up differing from the state now).
    #[inline]
    pub(super) fn set_next_state(&mut self, c: u32, next: u8) {
        let ci = c as usize;
        if next != self.next_state[ci] {
            self.next_state[ci] = next;
            self.changed.push(c);
        }
    }

    /// Phase 5, after the pushed exposures: the agents whose lifecycle state changes, in index
    /// order. They were noted as their next state was set (in index order
    /// by the decisions, then by the exposures after them), so this costs
    /// O(k log k) for k changes, not a pass over every agent; an agent
    /// whose next state was set back to its state is dropped.
    pub(super) fn find_lifecycle_changes(&mut self) {
        let (state, next) = (&self.state, &self.next_state);
        self.changed.sort_unstable();
        self.changed.dedup();
        self.changed
            .retain(|&a| state[a as usize] != next[a as usize]);
    }

    /// Phase 5: every customer's new lifecycle state takes effect, with its
    /// spend (`revenue.rs`) and the tally (`tally.rs`). One leaving the
    /// unaware state is perceived as the step's perception would have
    /// perceived it (it was passed over then).
    pub(super) fn switch_lifecycle(&mut self) {
        for i in 0..self.changed.len() {
            let a = self.changed[i];
            let ai = a as usize;
            self.tally.remove(self.share(ai));
            let (was, is) = (self.state[ai], self.next_state[ai]);
            self.settle_spend(ai);
            self.state[ai] = is;
            let (awake, active) = (
                is != Lifecycle::Unaware as u8,
                Lifecycle::from_u8(is).is_active_customer(),
            );
            self.awake.set(a, awake);
            self.active.set(a, active);
            self.in_between.set(a, awake && !active);
            self.recount.push(a);
            if was == Lifecycle::Unaware as u8 {
                (self.sat[ai], self.trust_org[ai]) = self.perception_on_waking(ai);
            }
            self.tally.add(self.share(ai));
        }
        self.changed.clear();
    }
}

impl Simulation {
    /// A played customer who chose to refer tells one unaware peer, chosen
    /// at random among them; the peer is exposed by word of mouth in phase
    /// 5, persuaded as far as the teller trusts the organisation
    /// (`played.rs`). Draws nothing unless the customer chose to.
    fn refer_if_played(&mut self, c: u32) {
        if !self.chosen(c, |d| d.refer, false) {
            return;
        }
        let unaware = |sim: &Simulation, t: usize| {
            sim.state[sim.net.target[t] as usize] == Lifecycle::Unaware as u8
        };
        let ties = self.net.ties_of_kind(c, crate::network::TieKind::Peer);
        let n = ties.clone().filter(|&t| unaware(self, t)).count();
        if n == 0 {
            return;
        }
        let k = self.rng.below(n as u32) as usize;
        let Some(t) = ties.filter(|&t| unaware(self, t)).nth(k) else {
            return;
        };
        let prospect = self.net.target[t];
        self.referred.push((prospect, self.trust_org[c as usize]));
    }
}
