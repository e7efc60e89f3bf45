//! The step, one file per mechanism.
//!
//! A step `t` runs in six phases, each computing from the state the
//! previous phases left and writing into buffers, so the result never
//! depends on the order agents are visited in beyond the fixed index order
//! of random draws. [`Simulation::step`] below is the whole step; each
//! phase calls the mechanisms, and each mechanism lives in the file named
//! after the claim of the source debate it models:
//!
//! | file | claim it models | knobs |
//! |---|---|---|
//! | `interventions.rs` | scheduled and live changes, campaigns | any |
//! | `satisfaction.rs` | holes, not drills; know me | `personalisation` |
//! | `feedback_loop.rs` | customers in the feedback loop; outside-in is one-way | `feedback_listening`, `transparency` |
//! | `silo_walls.rs` | silos keep trust from seeping through | `silo_permeability` |
//! | `staff_time.rs` | efficiency at the expense of experience; self-service saves money; openness takes staff time | `efficiency_pressure` (and the work every knob creates) |
//! | `touchpoints.rs` | omnichannel, self-service, listening | `omnichannel_consistency`, `self_service`, `feedback_listening` |
//! | `extranet.rs` | customers inside the extranet | `extranet_openness` |
//! | `partners.rs` | inside takes responsibility for partners | `transparency` |
//! | `push_and_cross_sell.rs` | shouting louder; "it's all about you" | `marketing_push`, `cross_sell_pressure` |
//! | `campaign.rs` | viral campaigns: who a campaign reaches, at what cost | `campaign_reach` |
//! | `word_of_mouth.rs` | word of mouth beats campaigns | `referral_strength`, `campaign_reach` |
//! | `independent_referrals.rs` | word of mouth, peer by peer (the Independent Cascade) | `referral_strength` (`model.independent_referrals`) |
//! | `community.rs` | customers find solutions from peers | `community_enablement` |
//! | `customer_lifecycle.rs` | the customer's life is not linear | — |
//! | `revenue.rs` | cross-sell is done for revenue per user; customers pay | `cross_sell_pressure` |
//! | `market.rs` | a market that does not run dry: newcomers and a competitor | — |
//! | `cost_of_openness.rs` | openness is not free | `extranet_openness`, `community_enablement` |
//! | `evidence.rs` | trust is two-way, from evidence, and fades | — (`model.forgetting`) |
//! | `measure.rs` | what a workshop wants to see | — |
//!
//! Every random draw comes from the run's dynamics stream in this order, so
//! the same scenario and seed give bit-identical runs.

mod campaign;
mod community;
mod cost_of_openness;
mod customer_lifecycle;
mod evidence;
mod extranet;
mod feedback_loop;
mod independent_referrals;
mod interventions;
mod market;
mod measure;
mod partners;
mod push_and_cross_sell;
mod revenue;
mod satisfaction;
mod silo_walls;
mod staff_time;
mod touchpoints;
mod word_of_mouth;

use crate::agent::Part;
use crate::flow::{FlowEvent, FlowKind};
use crate::knob::Knob;
use crate::metrics::StepReport;
use crate::network::TieKind;
use crate::sim::Simulation;
use crate::sim::activity::ones;

impl Simulation {
    /// Compute one step and return its report.
    pub fn step(&mut self) -> &StepReport {
        let t = self.step;
        self.report.reset(t);
        // 1. Interventions scheduled at `t`, then live changes; then staff
        //    get this step's time (with the trade-offs).
        self.apply_interventions(t);
        self.fill_staff_time();
        // 2. Perception, from the state at the start of the step: the
        //    voice of fully mixed groups, then each customer's satisfaction
        //    and trust in the organisation.
        self.count_referrers();
        self.mix();
        self.perceive();
        // 3. Delivery: contacts waiting for staff time are served first,
        //    then needs and answers due at `t` arrive.
        self.serve_waiting(t);
        self.deliver(t);
        // 4. Decisions: every agent that can do anything acts on the
        //    start-of-step state.
        self.decide(t);
        // 5. Apply: exposures by pushes, lifecycle switches (and with them
        //    spending; a prospect waking up perceives start-of-step
        //    trust), then the evidence, the market's turnover (which
        //    clears its newcomers' evidence), the offering.
        self.apply_pushed_exposures();
        self.find_lifecycle_changes();
        self.record_adoptions();
        self.switch_lifecycle();
        self.apply_evidence();
        self.turn_over_market(t);
        self.learn_from_needs();
        // 6. Forget, then measure.
        let sums = self.forget();
        self.measure(&sums);
        // Played agents decide step by step (`played.rs`).
        self.decisions.clear();
        self.step += 1;
        &self.report
    }

    /// Run `steps` steps, calling `on_step` after each.
    pub fn run(&mut self, steps: u32, mut on_step: impl FnMut(&StepReport)) {
        for _ in 0..steps {
            on_step(self.step());
        }
    }

    /// Phase 4: every agent that can do anything acts, in index order:
    /// staff, members of fully mixed groups, customers who are not unaware
    /// and not active, active customers who can draw or change anything
    /// this step ([`Self::busy_customers`]), prospects a peer refers to
    /// (pooled) or told (independent referrals) and prospects the campaign
    /// reaches (`sim/activity.rs`); the others would draw nothing and
    /// change nothing.
    fn decide(&mut self, t: u32) {
        self.visits.acted = 0;
        self.visits.voices = 0;
        self.reach = self.campaign_reach();
        debug_assert!(self.reach >= 0.0, "campaign reach is validated to 0..1");
        self.reach_by_campaign();
        self.tell_peers();
        let busy = self.busy_customers();
        let net = std::sync::Arc::clone(&self.net);
        let (touch, peer) = (net.holders(TieKind::Touchpoint), net.holders(TieKind::Peer));
        // Whether any active customer is busy: if not, an awake agent acts
        // only while in between (awake, not active).
        let any_busy = match busy {
            Busy::All => true,
            Busy::Holders {
                touchpoint,
                peer: p,
            } => {
                touchpoint && net.has_holders(TieKind::Touchpoint)
                    || p && net.has_holders(TieKind::Peer)
            }
        };
        // Whether an active customer's turn may read its ties (a contact,
        // a question to a peer) in tie arrays too large for the caches:
        // only then are they hinted ahead of it.
        let hint_ties = net.ties() >= crate::prefetch::HINT_TIES_FROM
            && (self.params.contact_rate > 0.0 && net.has_holders(TieKind::Touchpoint)
                || self.knobs.get(Knob::CommunityEnablement) > 0.0
                    && net.has_holders(TieKind::Peer));
        // The words that may hold an agent to visit, 64 at a time from the
        // sets' summaries: a word outside them has no member in any set
        // below, so no agent in it acts.
        for s in 0..self.awake.words().div_ceil(64) {
            let mut candidates = self.always.summary_word(s)
                | self.in_between.summary_word(s)
                | self.hot.summary_word(s)
                | self.reached.summary_word(s)
                | self.told.summary_word(s);
            if any_busy {
                candidates |= self.awake.summary_word(s);
            }
            for w in ones(s, candidates) {
                let w = w as usize;
                let busy = match busy {
                    Busy::All => u64::MAX,
                    Busy::Holders {
                        touchpoint,
                        peer: p,
                    } => (if touchpoint { touch[w] } else { 0 }) | (if p { peer[w] } else { 0 }),
                };
                let bits = self.always.word(w)
                    | self.in_between.word(w)
                    | (self.awake.word(w) & busy)
                    // Word of mouth moves prospects (and pulls the churned,
                    // who act anyway); an active customer it reaches is busy
                    // only as above.
                    | (self.hot.word(w) & !self.active.word(w))
                    | self.reached.word(w)
                    | self.told.word(w);
                if bits == 0 {
                    continue;
                }
                self.visits.acted += bits.count_ones();
                // Where most of a word's agents are active customers who act,
                // the next word's likely are too: its ties are hinted a
                // word ahead (an active customer's turn reads ties drawn
                // at random; others read theirs in order, if at all, which
                // the processor follows unaided).
                if hint_ties && (bits & self.active.word(w)).count_ones() >= 32 {
                    prefetch_word_ties(&net, w + 1);
                }
                for a in ones(w, bits) {
                    self.act(t, a);
                }
                self.reached.clear_word(w);
                self.told.clear_word(w);
            }
        }
    }

    /// Which active customers may draw or change anything if they act this
    /// step; the others are passed over. An active customer's turn
    /// (`customer_lifecycle.rs`) draws only for: a need through the
    /// extranet (`extranet_openness · model.contact_rate`), a contact
    /// (`model.contact_rate`, and only with a touchpoint), asking a peer
    /// (`community_enablement`, and only with a peer), hearing of a change
    /// (after one, at `extranet_openness · transparency`), churning
    /// (`model.churn_rate`), leaving for the competitor (with the
    /// trade-offs, `model.competitor_rate`), advocacy
    /// (`model.advocate_rate`), and a played agent's decisions.
    fn busy_customers(&self) -> Busy {
        let p = &self.params;
        let k = |knob| self.knobs.get(knob);
        let everyone = self.visit_everyone
            || !self.decisions.is_empty()
            || k(Knob::ExtranetOpenness) * p.contact_rate > 0.0
            || self.offering_changed && k(Knob::ExtranetOpenness) * k(Knob::Transparency) > 0.0
            || p.churn_rate > 0.0
            || p.trade_offs && p.competitor_rate > 0.0
            || p.advocate_rate > 0.0;
        if everyone {
            Busy::All
        } else {
            Busy::Holders {
                touchpoint: p.contact_rate > 0.0,
                peer: k(Knob::CommunityEnablement) > 0.0,
            }
        }
    }

    /// Agent `a` acts.
    #[inline]
    fn act(&mut self, t: u32, a: u32) {
        match self.net.part[a as usize] {
            Part::Department => {
                self.share_with_colleague(a);
                self.share_with_partner(a);
                self.push_or_offer(a);
            }
            Part::Partner => {}
            Part::ExistingCustomer | Part::NewCustomer => self.customer_acts(t, a),
        }
    }

    /// Record an item's movement for the app (when asked to).
    pub(super) fn flow(&mut self, from: u32, to: u32, kind: FlowKind, passed: bool) {
        if self.record_flows {
            self.report.flows.push(FlowEvent {
                from,
                to,
                kind,
                passed,
            });
        }
    }

    /// A random tie from a range, if it is not empty.
    #[inline]
    pub(super) fn pick(&mut self, ties: std::ops::Range<usize>) -> Option<usize> {
        (!ties.is_empty()).then(|| ties.start + self.rng.below(ties.len() as u32) as usize)
    }
}

/// Which active customers a step visits ([`Simulation::busy_customers`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Busy {
    /// Every one.
    All,
    /// Those with a touchpoint (when `touchpoint`), and those with a peer
    /// (when `peer`); none when both are false.
    Holders { touchpoint: bool, peer: bool },
}

/// Hint that the ties of the agents in bitset word `w` will be read soon:
/// their targets and reverse ties, read by a contact or a question to a
/// peer (`prefetch.rs`).
#[inline]
fn prefetch_word_ties(net: &crate::network::Network, w: usize) {
    let n = net.agents();
    let (lo, hi) = ((64 * w).min(n), (64 * w + 64).min(n));
    let ties = net.offsets[lo] as usize..net.offsets[hi] as usize;
    crate::prefetch::lines(&net.target, ties.clone());
    crate::prefetch::lines(&net.reverse, ties);
}
