//! **Independent referrals** (seed 003, with `word_of_mouth.rs`): each
//! referring customer tells each of its unaware peers on its own, the
//! Independent Cascade model at `model.independent_referrals = 1`.
//!
//! **Models:** with `model.independent_referrals = b > 0`, a share `b` of
//! `referral_strength` acts peer by peer: each referring peer `j` tells
//! each unaware peer on its own with chance `b·q·wⱼ·trust/0.5` (at most 1),
//! `wⱼ` its voice (an advocate 1, a customer `model.customer_voice`) and
//! `trust` the peer's start-of-step trust in `j`. The rest of the strength
//! pools (`word_of_mouth.rs`), and the two combine as independent chances.
//!
//! **Cost:** pushed, not pulled: each referrer skips along its own ties by
//! geometric draws, so a step costs a draw per tie landed on, and a
//! prospect no one told costs nothing.
//!
//! **Knob:** `referral_strength`. Assumptions:
//! `model.independent_referrals`, `model.customer_voice`.
//!
//! **Feeds:** `acquisitions_word_of_mouth`, the lifecycle counts of
//! prospects.
//!
//! **Leaves out:** a referrer telling the same peer twice in a step.

use crate::agent::Lifecycle;
use crate::knob::Knob;
use crate::network::TieKind;
use crate::rng::{SkipChance, Skips};
use crate::sim::Simulation;
use crate::sim::activity::ones;
use crate::trust::NEUTRAL;

impl Simulation {
    /// The chance that at least one referring peer of `c` tells it on its
    /// own this step, `1 − Π (1 − b·q·wⱼ)` ([`Self::tell_peers`]); only
    /// needed when the campaign reached `c` too, to share the exposure
    /// between the two sources.
    pub(super) fn told_chance(&self, c: u32) -> f32 {
        let strength = self.params.independent_referrals * self.knobs.get(Knob::ReferralStrength);
        let mut none = 1.0f32;
        self.for_each_referring_peer(c, |state, trust| {
            none *= 1.0 - (strength * self.voice(state) * trust / NEUTRAL).clamp(0.0, 1.0);
        });
        1.0 - none
    }

    /// Phase 4, second: independent referrals (`model.independent_referrals
    /// = b > 0`, the Independent Cascade at `b = 1`). Each referring peer
    /// `j` tells each of its unaware peers on its own with chance
    /// `b·q·wⱼ·trust/0.5` (at most 1), `wⱼ` its voice and `trust` the
    /// peer's trust in `j` at the start of the step.
    ///
    /// The chances are pushed along `j`'s own ties, which lie in a row:
    /// the ties are skipped by geometric draws at the largest chance `j`
    /// can have, `b·q·wⱼ/0.5` (trust is at most 1), and a tie landed on is
    /// kept with the ratio of its chance to that bound (thinning, as
    /// Lewis & Shedler 1979 thin a Poisson process), so a referrer costs
    /// one draw per tie landed on, not one per tie, and a prospect no one
    /// told costs nothing. While no tie holds evidence (a cascade's), every
    /// trust is neutral, the bound is the chance itself, `b·q·wⱼ`, and a
    /// tie landed on is kept without a draw. A peer in a fully mixed group is passed over:
    /// the group hears its own share ([`Self::referral_chance`]).
    ///
    /// In two passes, so that the draws keep a fixed order and the far
    /// ends of the ties landed on are read together: first the skips,
    /// referrers in index order and their ties in tie order; then, in the
    /// same order, each tie landed on is read and thinned. A tie landed on
    /// is a cache miss on its far end; read in a row of independent reads,
    /// the misses overlap instead of waiting on the next draw.
    pub(super) fn tell_peers(&mut self) {
        let strength = self.params.independent_referrals * self.knobs.get(Knob::ReferralStrength);
        if strength <= 0.0 || self.referring.is_empty() {
            return;
        }
        let (mut tellers, mut landed) = (
            std::mem::take(&mut self.tellers),
            std::mem::take(&mut self.landed),
        );
        tellers.clear();
        landed.clear();
        // Each referrer's peer ties and whether it is an advocate, read in
        // a row of independent reads.
        for w in 0..self.referring.words() {
            for r in ones(w, self.referring.word(w)) {
                let ties = self.net.ties_of_kind(r, TieKind::Peer);
                let advocate = self.state[r as usize] == Lifecycle::Advocate as u8;
                tellers.push((ties.start as u32, ties.end as u32, advocate));
            }
        }
        // A referrer's voice is an advocate's or a customer's: two bounds,
        // each prepared once for skipping. With no evidence on any tie (a
        // cascade's), every peer's trust is neutral and the bound is the
        // chance itself: nothing is thinned.
        let all_neutral = self.ev.all_neutral();
        let top = if all_neutral { NEUTRAL } else { 1.0 };
        let voices = [Lifecycle::Customer, Lifecycle::Advocate].map(|s| {
            let weight = self.voice(s);
            let bound = (strength * weight * top / NEUTRAL).min(1.0);
            (weight, bound, SkipChance::new(bound))
        });
        for &(start, end, advocate) in &tellers {
            let mut hits = Skips::at(start..end, voices[usize::from(advocate)].2);
            while let Some(t) = hits.next(&mut self.rng) {
                landed.push((t, advocate));
            }
        }
        // With no fully mixed group to pass over and no evidence on any
        // tie (a cascade's), the far end's group and the tie back are not
        // read.
        let any_mixed = self.mixed.contains(&true);
        for &(t, advocate) in &landed {
            let (weight, bound, _) = voices[usize::from(advocate)];
            let v = self.net.target[t as usize];
            // A fully mixed group hears its own share only, as in
            // pooled word of mouth, even over a tie from outside.
            if !self.unaware_customer(v)
                || any_mixed && self.mixed[self.net.group[v as usize] as usize]
            {
                continue;
            }
            // The peer's trust in j: its tie back to j.
            let trust = if all_neutral {
                NEUTRAL
            } else {
                self.ev.settled_at(self.net.reverse[t as usize] as usize)
            };
            let chance = (strength * weight * trust / NEUTRAL).min(1.0);
            if !self.rng.chance(chance / bound) {
                continue;
            }
            let vi = v as usize;
            self.told_trust[vi] = if self.told.contains(v) {
                self.told_trust[vi].max(trust)
            } else {
                trust
            };
            self.told.set(v, true);
        }
        (self.tellers, self.landed) = (tellers, landed);
    }
}
