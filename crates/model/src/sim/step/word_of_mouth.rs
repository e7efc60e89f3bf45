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
//! strength acts peer by peer (`independent_referrals.rs`) and the rest
//! pools, `(1 − b)·q·x`. With a fully mixed group (`ties: Mixed`) `x` is
//! the group's share (the Bass model). An exposed prospect becomes a
//! customer at once with probability `model.instant_adoption`, else aware,
//! persuaded by the campaign (`model.campaign_persuasion`) or by word of
//! mouth: as far as it trusts the most trusted of the peers who told it
//! (pooled: of its referring peers).
//!
//! **Cost:** pooled pressure is pulled: a prospect some peer refers to
//! draws once, and reads its ties to referring peers (marked per tie,
//! counted per agent, kept by changes) only when the draw falls under the
//! chance at an upper bound of `x` from the count alone
//! ([`Simulation::draw_under_share_bound`]); so does a churned customer's
//! chance to return.
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

    /// How many of `c`'s peers refer now, as counted for pooled word of
    /// mouth (0 when it is off, and the counts are not held).
    pub(in crate::sim) fn referring_peers(&self, c: u32) -> u32 {
        self.peer_referrers.get(c as usize).copied().unwrap_or(0)
    }

    /// Whether word of mouth pools its peers' pressure (any share of
    /// `referral_strength` not given to independent referrals), so that
    /// each prospect's referring peers are counted and marked.
    #[inline]
    pub(in crate::sim) fn pools_referrals(&self) -> bool {
        // As `Simulation::start` decides whether to hold the counts.
        self.params.independent_referrals < 1.0
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
        (Self::pooled_of(self.pooled_strength(), x), best)
    }

    /// The strength of pooled word of mouth among drawn ties,
    /// `(1 − b)·q`.
    #[inline]
    fn pooled_strength(&self) -> f32 {
        (1.0 - self.params.independent_referrals) * self.knobs.get(Knob::ReferralStrength)
    }

    /// The pooled chance at strength `strength` ([`Self::pooled_strength`])
    /// and share `x`, before clamping.
    #[inline]
    fn pooled_of(strength: f32, x: f32) -> f32 {
        strength * x
    }

    /// Call `f(state, trust)` for each peer of `c` that refers now, in tie
    /// order, with its state and `c`'s settled trust in it: the peers are
    /// found by their ties' marks while pooled word of mouth keeps them,
    /// else by looking at each peer.
    #[inline(always)]
    pub(super) fn for_each_referring_peer(&self, c: u32, mut f: impl FnMut(Lifecycle, f32)) {
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
    pub(super) fn voice(&self, state: Lifecycle) -> f32 {
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

    /// An upper bound of [`Self::word_of_mouth`]'s share for `c`, read from
    /// its count of referring peers alone: each heard at voice 1 and trust
    /// 1, with room for the rounding of the sum, so that `x ≤ bound` in
    /// floating point. `None` where there is no count to read (referrals
    /// not pooled; a fully mixed group, whose share is read at once), when
    /// a chance `factor · x` could round to 0 while the bound's is not
    /// (`factor · model.customer_voice` under 10⁻⁶: the least a referring
    /// peer's trust can be, about 3 × 10⁻⁹ with evidence weights of at
    /// most 10, keeps such a chance above 10⁻²⁴), and when visiting
    /// everyone (the tests' reference).
    #[inline]
    fn share_bound(&self, c: u32, factor: f32) -> Option<f32> {
        let g = self.net.group[c as usize] as usize;
        if self.visit_everyone
            || !self.pools_referrals()
            || self.mixed[g]
            || factor * self.params.customer_voice < 1e-6
        {
            return None;
        }
        let count = self.peer_referrers[c as usize];
        if count == 0 {
            // `word_of_mouth` reads no peer: the share is 0.
            return Some(0.0);
        }
        let (count, n) = (
            count as f32,
            self.net.ties_of_kind(c, TieKind::Peer).len() as f32,
        );
        // A sum of `count` terms of at most 2 (voice ≤ 1 times trust ≤ 1
        // over NEUTRAL) is at most 2·count·(1 + count·2⁻²⁴) in single
        // precision, and the share that sum over `n`; the bound's own
        // roundings (each a factor of at most 1 + 2⁻²⁴) are covered by
        // the room of 2⁻¹⁸ more.
        const ROOM: f32 = 1.0 + 1.0 / (1u32 << 18) as f32;
        const PER_TERM: f32 = 1.0 / (1u32 << 22) as f32;
        Some(2.0 * count * (ROOM + count * PER_TERM) / n)
    }

    /// Draw for a chance `p(x)` of `c`'s share `x` of referring peers
    /// ([`Self::word_of_mouth`]) before working `x` out: `Some(hit, voice)`
    /// with the same word drawn and the same outcome as
    /// `rng.chance(p(x))`, the voice read only when the word falls under
    /// `p` at [`Self::share_bound`] (most steps of a prospect whose peers
    /// refer, it does not); `None` when there is no bound to draw under,
    /// and nothing drawn (the caller works the chance out).
    ///
    /// `p` must not fall as `x` grows (in floating point too: products and
    /// sums by non-negative numbers, `min`, `clamp`), and be `factor · x`
    /// or less and above 0 for `x > 0` when `factor` is.
    fn draw_under_share_bound(
        &mut self,
        c: u32,
        factor: f32,
        p: impl Fn(f32) -> f32,
    ) -> Option<(bool, Option<PeerVoice>)> {
        let bound = p(self.share_bound(c, factor)?);
        if bound >= 1.0 {
            // Whether `p(x)` draws depends on `x`.
            return None;
        }
        if bound <= 0.0 {
            // `p(x)` is 0: no draw, no hit.
            return Some((false, None));
        }
        let u = self.rng.unit();
        if u >= bound {
            return Some((false, None));
        }
        self.visits.voices += 1;
        let voice = self.word_of_mouth(c);
        let exact = p(voice.share);
        debug_assert!(
            0.0 < exact && exact <= bound,
            "the chance {exact} is not within (0, {bound}]"
        );
        Some((u < exact, Some(voice)))
    }

    /// Whether [`Self::word_of_mouth`] reads `c`'s peers: outside a fully
    /// mixed group, when some peer refers (pooled) or always (not pooled).
    fn reads_peers(&self, c: u32) -> bool {
        !self.mixed[self.net.group[c as usize] as usize]
            && (!self.pools_referrals() || self.peer_referrers[c as usize] > 0)
    }

    /// [`Self::referral_chance`], clamped to a chance.
    fn pooled_chance(&mut self, c: u32) -> (f32, f32) {
        if self.pools_referrals() && self.reads_peers(c) {
            self.visits.voices += 1;
        }
        let (pooled, best) = self.referral_chance(c);
        (pooled.clamp(0.0, 1.0), best)
    }

    /// Whether prospect `c`'s referring peers pull it this step (the
    /// pooled chance, [`Self::referral_chance`]), and the pooled chance and
    /// trust in its most trusted referring peer when they were worked out.
    fn pulled(&mut self, c: u32) -> (bool, Option<(f32, f32)>) {
        // The chance as `referral_chance` works it out, clamped.
        let strength = self.pooled_strength();
        let p = |x: f32| Self::pooled_of(strength, x).clamp(0.0, 1.0);
        if let Some((hit, voice)) = self.draw_under_share_bound(c, strength, p) {
            return (hit, voice.map(|v| (p(v.share), v.best_trust)));
        }
        let (pooled, best) = self.pooled_chance(c);
        (self.rng.chance(pooled), Some((pooled, best)))
    }

    /// Whether churned customer `c`, not answered lately, returns this
    /// step: `model.return_rate` times the share of its peers who refer (at
    /// most 1).
    pub(super) fn pulled_back(&mut self, c: u32) -> bool {
        let rate = self.params.return_rate;
        let p = |x: f32| rate * x.min(1.0);
        if let Some((hit, _)) = self.draw_under_share_bound(c, rate, p) {
            return hit;
        }
        if self.reads_peers(c) {
            self.visits.voices += 1;
        }
        let x = self.word_of_mouth(c).share;
        self.rng.chance(p(x))
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
        // Drawn as `rng.chance(pooled)` draws; the chance itself and the
        // trust in the most trusted referring peer are worked out only
        // when needed (`draw_under_share_bound`), except to share an
        // exposure by both sources.
        let (pulled, voice) = if reached && pushed {
            let (pooled, best) = self.pooled_chance(c);
            (self.rng.chance(pooled), Some((pooled, best)))
        } else {
            self.pulled(c)
        };
        if reached || pushed || pulled {
            let campaign = if reached && (pushed || pulled) {
                // Worked out above whenever this is reached (pulled, or
                // reached and told); working it out again gives the same.
                let (pooled, _) = match voice {
                    Some(voice) => voice,
                    None => self.pooled_chance(c),
                };
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
                self.persuasion[ci] = if pushed && !pulled {
                    self.told_trust[ci]
                } else {
                    // Pulled: the voice was worked out when drawn.
                    let best = match voice {
                        Some((_, best)) => best,
                        None => self.pooled_chance(c).1,
                    };
                    if pushed {
                        best.max(self.told_trust[ci])
                    } else {
                        best
                    }
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
