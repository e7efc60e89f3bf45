//! **Viral marketing is dead; the only valuable way to get new customers is
//! through existing customers** (seed 003): word of mouth against campaigns.
//!
//! **Models:** each step an unaware prospect is exposed by a campaign with
//! probability `reach = min(1, campaign_reach + running campaigns)` (each
//! contact costs `model.cost_campaign_contact`) or by word of mouth with
//! probability `referral_strength · x`, where `x` is the trust-weighted
//! share of its peers who refer: advocates count 1, other customers
//! `model.customer_voice`, each weighted by the prospect's trust in them
//! over neutral trust; only customers within `model.referral_window` steps
//! of adopting refer, when that window is set. The two combine as
//! independent chances (`lifecycle::exposure_to`), and the source is
//! recorded. With `model.independent_referrals = b > 0` a share `b` of the
//! strength acts peer by peer: each referring peer `j` tells each unaware
//! peer on its own with chance `b·q·wⱼ` (`wⱼ` its weight times trust over
//! neutral), and the rest pools, `(1 − b)·q·x`; the two combine as
//! independent chances, `1 − (1 − (1 − b)·q·x)·Π (1 − b·q·wⱼ)` (the
//! Independent Cascade model at `b = 1`). With a fully mixed group
//! (`ties: Mixed`) `x` is the group's share (the Bass model). An exposed
//! prospect becomes a customer at once with probability
//! `model.instant_adoption`, else aware, persuaded by the campaign
//! (`model.campaign_persuasion`) or by word of mouth: as far as it trusts
//! the most trusted of the peers who told it (pooled: of its referring
//! peers).
//!
//! **Cost:** pooled pressure is pulled: a prospect some peer refers to
//! reads its ties to referring peers (marked per tie, counted per agent,
//! kept by changes) and draws once. Independent referrals are pushed:
//! each referrer skips along its own ties by geometric draws and thins
//! ([`Simulation::tell_peers`]), so a step costs a draw per tie landed on,
//! and a prospect no one told costs nothing.
//!
//! **Knobs:** `referral_strength`, `campaign_reach`. Assumptions:
//! `model.customer_voice`, `model.referral_window`,
//! `model.independent_referrals`, `model.instant_adoption`,
//! `model.campaign_persuasion`, `model.cost_campaign_contact`.
//!
//! **Feeds:** `acquisitions_word_of_mouth`, `acquisitions_campaign`,
//! `cost_campaign`, the lifecycle counts of prospects.
//!
//! **Leaves out:** negative word of mouth from churned customers; referral
//! rewards.

use crate::agent::{Lifecycle, Source};
use crate::knob::Knob;
use crate::network::TieKind;
use crate::rng::{SkipChance, Skips};
use crate::sim::activity::ones;
use crate::sim::{Referrers, Simulation};
use crate::trust::NEUTRAL;

/// What a prospect hears from its peers in one step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct PeerVoice {
    /// Trust-weighted share of its peers who refer (in a fully mixed group,
    /// the group's share).
    pub share: f32,
    /// Its trust in the most trusted of them.
    pub best_trust: f32,
}

impl Simulation {
    /// The voice of each fully mixed group's customers, from the states at
    /// the start of the step: advocates count 1, customers
    /// `model.customer_voice`, over the group's size.
    pub(super) fn mix(&mut self) {
        if !self.mixed.contains(&true) {
            return;
        }
        let voice = self.params.customer_voice;
        for (g, group) in self.scenario.groups.iter().enumerate() {
            if !self.mixed[g] || group.size == 0 {
                continue;
            }
            let (mut advocates, mut customers) = (0u32, 0u32);
            for a in group.first..group.first + group.size {
                match self.referrer(a) {
                    Some(Lifecycle::Advocate) => advocates += 1,
                    Some(_) => customers += 1,
                    None => {}
                }
            }
            self.mixed_voice[g] = (advocates as f32 + voice * customers as f32) / group.size as f32;
            self.mixed_referrers[g] = Referrers {
                advocates,
                customers,
            };
        }
    }

    /// Count, for every agent, the peers that refer at the start of this
    /// step. Referring changes only when a lifecycle state changes, a
    /// newcomer takes a slot, or a referral window closes, so only those
    /// agents are looked at (`recount`, `window_closes`), and only those
    /// whose referring changed touch their peers' counts (O(degree) each);
    /// the hot set follows the counts. The counts are kept only while
    /// pooled word of mouth reads them ([`Self::pools_referrals`]);
    /// independent referrals are told along the referrer's own ties
    /// ([`Self::tell_peers`]) and need only the referring set.
    pub(in crate::sim) fn count_referrers(&mut self) {
        while let Some(&(closes, a)) = self.window_closes.front() {
            if closes > self.step {
                break;
            }
            self.window_closes.pop_front();
            self.recount.push(a);
        }
        let pooled = self.pools_referrals();
        let recount = std::mem::take(&mut self.recount);
        for &a in &recount {
            let now = self.referrer(a).is_some();
            if now == self.referring.contains(a) {
                continue;
            }
            self.referring.set(a, now);
            if !pooled {
                continue;
            }
            for t in self.net.ties_of_kind(a, TieKind::Peer) {
                let c = self.net.target[t];
                // Peer ties come in pairs: c's tie to a.
                self.talks.set(self.net.reverse[t], now);
                let count = &mut self.peer_referrers[c as usize];
                if now {
                    *count += 1;
                } else {
                    *count -= 1;
                }
                let hot = *count > 0;
                self.hot.set(c, hot);
            }
        }
        self.recount = recount;
        self.recount.clear();
    }

    /// Whether word of mouth pools its peers' pressure (any share of
    /// `referral_strength` not given to independent referrals), so that
    /// each prospect's referring peers are counted and marked.
    #[inline]
    pub(in crate::sim) fn pools_referrals(&self) -> bool {
        self.params.independent_referrals < 1.0
    }

    /// This step's campaign reach: the knob and the running campaigns, at
    /// most 1.
    pub(super) fn campaign_reach(&self) -> f32 {
        let reach = self.knobs.get(Knob::CampaignReach)
            + self.campaigns.iter().map(|c| c.reach).sum::<f32>();
        reach.min(1.0)
    }

    /// An agent's lifecycle state if it refers peers now: an active
    /// customer within `model.referral_window` steps of becoming one.
    #[inline]
    pub(in crate::sim) fn referrer(&self, a: u32) -> Option<Lifecycle> {
        let state = Lifecycle::from_u8(self.state[a as usize]);
        if !state.is_active_customer() {
            return None;
        }
        let window = self.params.referral_window;
        (window <= 0.0 || ((self.step - self.adopted_at[a as usize]) as f32) < window)
            .then_some(state)
    }

    /// The chance that prospect `c` draws for word of mouth this step, and
    /// its trust in its most trusted referring peer. In a fully mixed
    /// group this is the whole chance: `q·x` pooled, or with independent
    /// referrals `1 − (1 − (1 − b)·q·x) · Π (1 − b·q·wⱼ)` over the group's
    /// referring customers. Among drawn ties it is the pooled part only,
    /// `(1 − b)·q·x`: the independent part was told along the referrers'
    /// ties ([`Self::tell_peers`]).
    fn referral_chance(&self, c: u32) -> (f32, f32) {
        let q = self.knobs.get(Knob::ReferralStrength);
        let b = self.params.independent_referrals;
        let g = self.net.group[c as usize] as usize;
        if self.mixed[g] {
            let x = self.mixed_voice[g];
            let wom = if b > 0.0 {
                let Referrers {
                    advocates,
                    customers,
                } = self.mixed_referrers[g];
                let bq = b * q;
                let none = (1.0 - bq).clamp(0.0, 1.0).powi(advocates as i32)
                    * (1.0 - bq * self.params.customer_voice)
                        .clamp(0.0, 1.0)
                        .powi(customers as i32);
                1.0 - (1.0 - (1.0 - b) * q * x) * none
            } else {
                q * x
            };
            return (wom, NEUTRAL);
        }
        if !self.pools_referrals() {
            return (0.0, 0.0);
        }
        let PeerVoice {
            share: x,
            best_trust: best,
        } = self.word_of_mouth(c);
        ((1.0 - b) * q * x, best)
    }

    /// Call `f(state, trust)` for each peer of `c` that refers now, in tie
    /// order, with its state and `c`'s settled trust in it: the peers are
    /// found by their ties' marks while pooled word of mouth keeps them,
    /// else by looking at each peer.
    #[inline(always)]
    fn for_each_referring_peer(&self, c: u32, mut f: impl FnMut(Lifecycle, f32)) {
        let ties = self.net.ties_of_kind(c, TieKind::Peer);
        let peer = |t: u32| {
            let t = t as usize;
            if let Some(state) = self.referrer(self.net.target[t]) {
                f(state, self.ev.settled_at(t));
            }
        };
        let ties = ties.start as u32..ties.end as u32;
        if self.pools_referrals() {
            self.talks.for_each_in(ties, peer);
        } else {
            ties.for_each(peer);
        }
    }

    /// How much a referring peer in state `state` counts: an advocate 1, a
    /// customer `model.customer_voice`.
    #[inline]
    fn voice(&self, state: Lifecycle) -> f32 {
        if state == Lifecycle::Advocate {
            1.0
        } else {
            self.params.customer_voice
        }
    }

    /// Trust-weighted share of an agent's peers who refer (customers, see
    /// [`Self::referrer`]) and its trust in the most trusted of them
    /// (word-of-mouth pressure). In a fully mixed group, the group's
    /// share, heard at neutral trust.
    pub(super) fn word_of_mouth(&self, c: u32) -> PeerVoice {
        let g = self.net.group[c as usize] as usize;
        if self.mixed[g] {
            return PeerVoice {
                share: self.mixed_voice[g],
                best_trust: NEUTRAL,
            };
        }
        // Only the ties to referring peers, in tie order: the others would
        // add nothing.
        if self.pools_referrals() && self.peer_referrers[c as usize] == 0 {
            return PeerVoice {
                share: 0.0,
                best_trust: 0.0,
            };
        }
        let n = self.net.ties_of_kind(c, TieKind::Peer).len() as f32;
        let (mut x, mut best) = (0.0f32, 0.0f32);
        self.for_each_referring_peer(c, |state, trust| {
            x += self.voice(state) * trust / NEUTRAL;
            best = best.max(trust);
        });
        PeerVoice {
            share: if n > 0.0 { x / n } else { 0.0 },
            best_trust: best,
        }
    }

    /// The chance that at least one referring peer of `c` tells it on its
    /// own this step, `1 − Π (1 − b·q·wⱼ)` ([`Self::tell_peers`]); only
    /// needed when the campaign reached `c` too, to share the exposure
    /// between the two sources.
    fn told_chance(&self, c: u32) -> f32 {
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
    /// told costs nothing. A peer in a fully mixed group is passed over:
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
        // each prepared once for skipping.
        let voices = [Lifecycle::Customer, Lifecycle::Advocate].map(|s| {
            let weight = self.voice(s);
            let bound = (strength * weight / NEUTRAL).min(1.0);
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
        let all_neutral = self.ev.all_neutral();
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

    /// Phase 4, first: the unaware prospects this step's campaign reaches,
    /// each independently with chance `reach`, and what that costs
    /// (`model.cost_campaign_contact` × reach for every unaware prospect).
    ///
    /// The prospects reached are found by skipping over the customer
    /// groups' members by geometric draws (Batagelj & Brandes 2005, as the
    /// graph generators do): one draw per member landed on instead of one
    /// per prospect, so a campaign costs what it reaches. A member landed
    /// on who is not unaware is passed over, which is the same as drawing
    /// for every member and ignoring those who are not prospects.
    pub(super) fn reach_by_campaign(&mut self) {
        let reach = self.reach;
        if reach <= 0.0 {
            return;
        }
        let members: u32 = self.part_customers.iter().sum();
        let awake: u32 = (0..self.awake.words())
            .map(|w| self.awake.word(w).count_ones())
            .sum();
        self.report.cost_campaign +=
            f64::from(reach * self.params.cost_campaign_contact) * f64::from(members - awake);
        for g in 0..self.scenario.groups.len() {
            let group = &self.scenario.groups[g];
            if !group.part.is_customer() {
                continue;
            }
            let mut hits = Skips::new(group.first..group.first + group.size, reach);
            while let Some(a) = hits.next(&mut self.rng) {
                if self.state[a as usize] == Lifecycle::Unaware as u8 {
                    self.reached.set(a, true);
                }
            }
        }
    }

    /// An unaware prospect may hear of the organisation, by the campaign
    /// (if [`Self::reach_by_campaign`] reached it) or by word of mouth:
    /// told by a peer on its own ([`Self::tell_peers`]) or persuaded by
    /// the pooled pressure of its referring peers, drawn here; returns its
    /// state for the next step.
    ///
    /// The campaign and word of mouth are independent chances, so it is
    /// exposed with probability `1 − (1 − p)(1 − w)`
    /// ([`crate::lifecycle::exposure_to`]). The source is the one that
    /// reached it; when both did, the campaign with probability
    /// `w / (p + w)`, which makes the campaign's share of all exposures
    /// `p / (p + w)`, as `exposure_to` says. Persuaded by word of mouth, it
    /// is as persuaded as it trusts the most trusted of the peers who told
    /// it (pooled pressure: of its referring peers).
    pub(super) fn prospect_hears(&mut self, c: u32) -> Lifecycle {
        let ci = c as usize;
        let reached = self.reached.contains(c);
        let pushed = self.told.contains(c);
        let (pooled, best) = self.referral_chance(c);
        let pooled = pooled.clamp(0.0, 1.0);
        let pulled = self.rng.chance(pooled);
        if reached || pushed || pulled {
            let campaign = if reached && (pushed || pulled) {
                let wom = if self.params.independent_referrals > 0.0
                    && !self.mixed[self.net.group[ci] as usize]
                {
                    1.0 - (1.0 - pooled) * (1.0 - self.told_chance(c))
                } else {
                    pooled
                };
                self.rng.unit() * (self.reach + wom) < wom
            } else {
                reached
            };
            if campaign {
                self.source[ci] = Source::Campaign as u8;
                self.persuasion[ci] = self.params.campaign_persuasion;
            } else {
                self.source[ci] = Source::WordOfMouth as u8;
                self.persuasion[ci] = match (pushed, pulled) {
                    (true, true) => best.max(self.told_trust[ci]),
                    (true, false) => self.told_trust[ci],
                    _ => best,
                };
            }
            self.exposed(campaign)
        } else {
            Lifecycle::Unaware
        }
    }

    /// Where an exposed prospect goes: a customer at once with probability
    /// `model.instant_adoption` (counted as an acquisition by its source),
    /// otherwise aware.
    pub(super) fn exposed(&mut self, by_campaign: bool) -> Lifecycle {
        if self.rng.chance(self.params.instant_adoption) {
            if by_campaign {
                self.report.acquisitions_campaign += 1;
            } else {
                self.report.acquisitions_word_of_mouth += 1;
            }
            Lifecycle::Customer
        } else {
            Lifecycle::Aware
        }
    }

    /// Phase 5: the step at which each new customer adopted, for the
    /// referral window (only kept when a window is set).
    pub(super) fn record_adoptions(&mut self) {
        if self.params.referral_window > 0.0 {
            let next_step = self.step + 1;
            let closes = crate::sim::referral_window_steps(self.params.referral_window);
            for &a in &self.changed {
                let a = a as usize;
                if Lifecycle::from_u8(self.next_state[a]).is_active_customer()
                    && !Lifecycle::from_u8(self.state[a]).is_active_customer()
                {
                    self.adopted_at[a] = next_step;
                    self.window_closes.push_back((next_step + closes, a as u32));
                }
            }
        }
    }
}
