//! **Customers want holes, not drills; know me, don't just know about me**
//! (seed 004).
//!
//! **Models:** every customer has needs (a point in a four-dimensional need
//! space) and the organisation has one offering. Satisfaction is how close
//! the offering is to the customer's own needs, served better the more the
//! organisation knows *this* customer (`knowledge`, raised each time one of
//! their needs reaches Product) when personalisation is high, and eased for
//! a while by help from peers (`relief`, see `community.rs`):
//! `sat = lifecycle::satisfaction(offering, needs, knowledge,
//! personalisation, relief, model.gap_sensitivity)`. A customer's trust in
//! the organisation is the mean settled trust on their touchpoint ties.
//!
//! **Knob:** `personalisation`. Assumptions: `model.gap_sensitivity`,
//! `model.relief_decay`.
//!
//! **Feeds:** satisfaction (read by churn, conversion, advocacy and staff
//! answers), `satisfaction` rows of the report.
//!
//! **Leaves out:** needs that change over time; several offerings.

use crate::knob::Knob;
use crate::lifecycle;
use crate::network::TieKind;
use crate::sim::Simulation;
use crate::sim::activity::ones;
use crate::sim::tally::Tally;
use crate::trust::NEUTRAL;

impl Simulation {
    /// Phase 2: each awake customer's satisfaction (how well the offering meets
    /// *their* needs, better when the organisation knows them and
    /// `personalisation` is high, eased by peer help) and trust in the
    /// organisation (mean trust on their touchpoint ties), from the state at
    /// the start of the step.
    ///
    /// Only the customers whose perception can have changed are visited
    /// (`activity.rs`): every awake one when the offering or
    /// `personalisation` moved since the last perception phase, else those
    /// with touchpoints (whose trust moves with the evidence), relief (which
    /// decays) or new knowledge. For the others every input is what it was,
    /// so perceiving them would write the same bits. Likewise, of a
    /// customer visited only for its touchpoints, only the trust is
    /// perceived: its satisfaction's inputs are what they were.
    pub(super) fn perceive(&mut self) {
        let key = (self.offering, self.knobs.get(Knob::Personalisation));
        self.visits.perceived = 0;
        let everyone = self.visit_everyone || self.perceived_with != Some(key);
        self.perceived_with = Some(key);
        if everyone {
            self.perceive_everyone();
            return;
        }
        if self.relieved.is_empty()
            && self.reperceive.is_empty()
            && !self.net.has_holders(TieKind::Touchpoint)
        {
            // Nobody's perception can have changed: not even a pass over
            // the sets.
            return;
        }
        let net = std::sync::Arc::clone(&self.net);
        let touch = net.holders(TieKind::Touchpoint);
        for (w, &touch) in touch.iter().enumerate() {
            // Satisfaction as it is: nothing it rests on has moved.
            let changed = self.relieved.word(w) | self.reperceive.word(w);
            let bits = self.awake.word(w) & (touch | changed);
            let kept = bits & !changed;
            if bits != 0 {
                self.visits.perceived += bits.count_ones();
                for a in ones(w, bits) {
                    let ai = a as usize;
                    if kept & (1 << (a % 64)) != 0 {
                        self.trust_org[ai] = self.org_trust(ai);
                    } else {
                        self.perceive_one(ai);
                    }
                    self.relief[ai] *= self.params.relief_decay;
                }
            }
            self.reperceive.clear_word(w);
        }
    }

    /// [`Self::perceive`] when every awake customer is perceived (the
    /// offering or `personalisation` moved): one pass in index order, and
    /// the tally's satisfaction sums taken anew on the way instead of
    /// moved customer by customer (every active customer is awake, so each
    /// is summed; the sums are integers, so the bits are those the moves
    /// would give).
    fn perceive_everyone(&mut self) {
        let net = std::sync::Arc::clone(&self.net);
        let decay = self.params.relief_decay;
        let mut sums = [0i64; 4];
        for w in 0..self.awake.words() {
            let bits = self.awake.word(w);
            self.reperceive.clear_word(w);
            if bits == 0 {
                continue;
            }
            self.visits.perceived += bits.count_ones();
            // Perceived every step it is visited: keep its needs.
            self.needs.keep_word(w, bits, &net.group);
            let active = self.active.word(w);
            debug_assert_eq!(active & !bits, 0, "an active customer is awake");
            for a in ones(w, bits) {
                let ai = a as usize;
                let sat =
                    self.satisfaction_of(self.needs.value(a), self.knowledge[ai], self.relief[ai]);
                Tally::add_satisfaction(&mut sums, net.part[ai], sat, active >> (a % 64) & 1 != 0);
                (self.sat[ai], self.trust_org[ai]) = (sat, self.org_trust(ai));
                self.relief[ai] *= decay;
            }
        }
        self.tally.set_satisfaction(sums);
    }

    /// Customer `a`'s satisfaction and trust in the organisation, from the
    /// state at the start of the step (and the tally with them, when it is
    /// an active customer).
    pub(in crate::sim) fn perceive_one(&mut self, a: usize) {
        // Perceived every step it is visited: keep its needs.
        self.needs.keep(a as u32, self.net.group[a]);
        let (sat, trust) = self.perception(a);
        self.tally.satisfaction_moves(
            self.active.contains(a as u32),
            self.net.part[a],
            self.sat[a],
            sat,
        );
        (self.sat[a], self.trust_org[a]) = (sat, trust);
    }

    /// What customer `a` perceives now: satisfaction and mean trust over
    /// its touchpoints (neutral with none).
    pub(in crate::sim) fn perception(&self, a: usize) -> (f32, f32) {
        (
            self.satisfaction_with(a, self.knowledge[a], self.relief[a]),
            self.org_trust(a),
        )
    }

    /// Customer `a`'s satisfaction with the offering now, knowing it
    /// `knowledge` and eased by `relief`.
    #[inline]
    fn satisfaction_with(&self, a: usize, knowledge: f32, relief: f32) -> f32 {
        self.satisfaction_of(&self.needs_of(a as u32), knowledge, relief)
    }

    /// The satisfaction with the offering now of a customer with `needs`,
    /// knowing it `knowledge` and eased by `relief`.
    #[inline]
    fn satisfaction_of(&self, needs: &crate::agent::Needs, knowledge: f32, relief: f32) -> f32 {
        lifecycle::satisfaction(
            &self.offering,
            needs,
            knowledge,
            self.knobs.get(Knob::Personalisation),
            relief,
            self.params.gap_sensitivity,
        )
    }

    /// What customer `a`, leaving the unaware state, perceives: what
    /// [`Self::perception`] gives, without reading what an unaware agent
    /// cannot hold (knowledge and relief, both 0: `activity.rs`) or, where
    /// no agent has a touchpoint (a market of prospects alone), its ties.
    /// Each of those reads is a cache miss on a large network, at every
    /// prospect word of mouth or a campaign wins.
    pub(in crate::sim) fn perception_on_waking(&self, a: usize) -> (f32, f32) {
        debug_assert!(self.knowledge[a] == 0.0 && self.relief[a] == 0.0);
        let sat = self.satisfaction_with(a, 0.0, 0.0);
        let trust = if self.net.has_holders(TieKind::Touchpoint) {
            self.org_trust(a)
        } else {
            NEUTRAL
        };
        (sat, trust)
    }

    /// Customer `a`'s mean start-of-step trust over its touchpoints
    /// (neutral with none).
    fn org_trust(&self, a: usize) -> f32 {
        let ties = self.net.ties_of_kind(a as u32, TieKind::Touchpoint);
        if ties.is_empty() {
            NEUTRAL
        } else {
            let n = ties.len() as f32;
            self.ev.settled_in(ties).sum::<f32>() / n
        }
    }
}
