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
use crate::trust::NEUTRAL;

impl Simulation {
    /// Phase 2: each awake customer's satisfaction (how well the offering meets
    /// *their* needs, better when the organisation knows them and
    /// `personalisation` is high, eased by peer help) and trust in the
    /// organisation (mean trust on their touchpoint ties), from the state at
    /// the start of the step.
    pub(super) fn perceive(&mut self) {
        for w in 0..self.awake.words() {
            for a in ones(w, self.awake.word(w)) {
                self.perceive_one(a as usize);
                self.relief[a as usize] *= self.params.relief_decay;
            }
        }
    }

    /// Customer `a`'s satisfaction and trust in the organisation, from the
    /// state at the start of the step.
    pub(in crate::sim) fn perceive_one(&mut self, a: usize) {
        (self.sat[a], self.trust_org[a]) = self.perception(a);
    }

    /// What customer `a` perceives now: satisfaction and mean trust over
    /// its touchpoints (neutral with none).
    pub(in crate::sim) fn perception(&self, a: usize) -> (f32, f32) {
        let p = &self.params;
        let sat = lifecycle::satisfaction(
            &self.offering,
            &self.needs[a],
            self.knowledge[a],
            self.knobs.get(Knob::Personalisation),
            self.relief[a],
            p.gap_sensitivity,
        );
        let ties = self.net.ties_of_kind(a as u32, TieKind::Touchpoint);
        let trust = if ties.is_empty() {
            NEUTRAL
        } else {
            let n = ties.len() as f32;
            self.ev.settled_in(ties).sum::<f32>() / n
        };
        (sat, trust)
    }
}
