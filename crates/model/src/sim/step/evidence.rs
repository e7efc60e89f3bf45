//! **Trust is gained through transparency; it is two-way, mutual**
//! (seed 000) — trust as evidence, with forgetting.
//!
//! **Models:** trust on every directed tie is the expectation of a Beta
//! reputation (Jøsang & Ismail 2002): `E = (r + 1) / (r + s + 2)` over the
//! positive and negative evidence `r`, `s` the tie has seen. Every
//! mechanism adds evidence through [`Simulation::add_evidence`] (or
//! [`Simulation::mutual`] for a relationship, both directions); it waits in
//! a buffer until phase 5, so every decision of a step reads trust as it
//! was at the start of the step. In phase 6 all evidence decays:
//! `r ← λ·r`, `s ← λ·s`, so old interactions fade and trust settles where
//! recent evidence puts it (the closed form is in `trust/mod.rs`).
//!
//! **Knob:** none; the assumption `model.forgetting` (λ). The weights of
//! each kind of evidence (`model.w_*`) belong to the mechanisms that add
//! it.
//!
//! **Feeds:** every trust metric (`trust_from`, `trust_toward`,
//! `customer_trust_in_org`, `trust_across_silos`).
//!
//! **Leaves out:** trust that transfers along paths (A trusts B because C
//! trusts B); distrust that outlasts forgetting.

use crate::network::NO_TIE;
use crate::sim::{PendingEvidence, Simulation};
use crate::trust::TRUST_CLASSES;

impl Simulation {
    /// Add evidence to a tie (buffered until phase 5).
    #[inline]
    pub(super) fn add_evidence(&mut self, tie: usize, positive: f32, negative: f32) {
        self.pending.push(PendingEvidence {
            tie: tie as u32,
            positive,
            negative,
        });
    }

    /// Both directions of a relationship get the same evidence: `tie` and
    /// `back`, its reverse (`net.reverse[tie]`). Callers read `back` as
    /// soon as they have picked the tie, beside its target, so the two
    /// loads (each a cache miss on a large network) overlap.
    #[inline]
    pub(super) fn mutual(&mut self, tie: usize, back: u32, positive: f32) {
        debug_assert_eq!(back, self.net.reverse[tie]);
        self.add_evidence(tie, positive, 0.0);
        if back != NO_TIE {
            self.add_evidence(back as usize, positive, 0.0);
        }
    }

    /// Phase 5, after the lifecycle switch (the step's last read of
    /// start-of-step trust): the step's buffered evidence lands on its
    /// ties.
    pub(super) fn apply_evidence(&mut self) {
        for e in &self.pending {
            self.ev.add(e.tie as usize, e.positive, e.negative);
        }
        self.pending.clear();
    }

    /// Phase 6, first: all evidence decays by `model.forgetting`; returns
    /// the sum of settled trust per trust class, for the report.
    pub(super) fn forget(&mut self) -> [f64; TRUST_CLASSES] {
        let mut sums = [0.0f64; TRUST_CLASSES];
        self.ev.forget_and_sum(
            self.params.forgetting,
            &self.net.trust_class,
            self.net.neutral_sums(),
            &mut sums,
        );
        sums
    }
}
