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
//! recorded. With `model.independent_referrals = b > 0` each referring peer
//! persuades independently (the Independent Cascade model at `b = 1`);
//! with a fully mixed group (`ties: Mixed`) `x` is the group's share (the
//! Bass model). An exposed prospect becomes a customer at once with
//! probability `model.instant_adoption`, else aware, persuaded by the
//! campaign (`model.campaign_persuasion`) or by its most trusted referrer.
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
use crate::rng::Skips;
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
    /// When referrals are independent, the chance that none of them
    /// persuades it (else 1).
    pub none_persuades: f32,
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
    /// step: only agents that are awake or referred at the last count are
    /// looked at, and only those whose referring changed touch their peers'
    /// counts (O(degree) each); the hot set follows the counts.
    pub(in crate::sim) fn count_referrers(&mut self) {
        for w in 0..self.awake.words() {
            let bits = self.awake.word(w) | self.referring.word(w);
            for a in ones(w, bits) {
                let now = self.referrer(a).is_some();
                if now == self.referring.contains(a) {
                    continue;
                }
                self.referring.set(a, now);
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
        }
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

    /// The chance per step that word of mouth exposes prospect `c`, and its
    /// trust in its most trusted referring peer.
    fn referral_chance(&self, c: u32) -> (f32, f32) {
        let q = self.knobs.get(Knob::ReferralStrength);
        let PeerVoice {
            share: x,
            best_trust: best,
            none_persuades: none,
        } = self.word_of_mouth(c, q);
        let b = self.params.independent_referrals;
        let wom = if b > 0.0 {
            (1.0 - b) * q * x + b * (1.0 - none)
        } else {
            q * x
        };
        (wom, best)
    }

    /// Trust-weighted share of an agent's peers who refer (customers, see
    /// [`Self::referrer`]), its trust in the most trusted of them
    /// (word-of-mouth pressure), and, when referrals are independent, the
    /// chance that none of them persuades it at strength `q`. In a fully
    /// mixed group, the group's share, heard at neutral trust.
    pub(super) fn word_of_mouth(&self, c: u32, q: f32) -> PeerVoice {
        let g = self.net.group[c as usize] as usize;
        let voice = self.params.customer_voice;
        let independent = self.params.independent_referrals > 0.0;
        if self.mixed[g] {
            let none = if independent {
                let Referrers {
                    advocates,
                    customers,
                } = self.mixed_referrers[g];
                (1.0 - q).clamp(0.0, 1.0).powi(advocates as i32)
                    * (1.0 - q * voice).clamp(0.0, 1.0).powi(customers as i32)
            } else {
                1.0
            };
            return PeerVoice {
                share: self.mixed_voice[g],
                best_trust: NEUTRAL,
                none_persuades: none,
            };
        }
        // Only the ties to referring peers, in tie order: the others would
        // add nothing.
        if self.peer_referrers[c as usize] == 0 {
            return PeerVoice {
                share: 0.0,
                best_trust: 0.0,
                none_persuades: 1.0,
            };
        }
        let ties = self.net.ties_of_kind(c, TieKind::Peer);
        let n = ties.len() as f32;
        let (mut x, mut best, mut none) = (0.0f32, 0.0f32, 1.0f32);
        let settled = self.ev.settled();
        for t in self.talks.members_in(ties.start as u32..ties.end as u32) {
            let trust = settled[t as usize];
            let w = match self.referrer(self.net.target[t as usize]) {
                Some(Lifecycle::Advocate) => 1.0,
                Some(_) => voice,
                None => continue,
            };
            let w = w * trust / NEUTRAL;
            x += w;
            best = best.max(trust);
            if independent {
                none *= (1.0 - q * w).clamp(0.0, 1.0);
            }
        }
        PeerVoice {
            share: x / n,
            best_trust: best,
            none_persuades: none,
        }
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
    /// (if [`Self::reach_by_campaign`] reached it) or by word of mouth;
    /// returns its state for the next step.
    ///
    /// The two are independent chances, so it is exposed with probability
    /// `1 − (1 − p)(1 − w)` ([`crate::lifecycle::exposure_to`]). The source is the
    /// one that reached it; when both did, the campaign with probability
    /// `w / (p + w)`, which makes the campaign's share of all exposures
    /// `p / (p + w)`, as `exposure_to` says.
    pub(super) fn prospect_hears(&mut self, c: u32) -> Lifecycle {
        let ci = c as usize;
        let reached = self.reached.contains(c);
        let (wom, best) = self.referral_chance(c);
        let wom = wom.clamp(0.0, 1.0);
        let told = self.rng.chance(wom);
        if reached || told {
            let campaign = if reached && told {
                self.rng.unit() * (self.reach + wom) < wom
            } else {
                reached
            };
            if campaign {
                self.source[ci] = Source::Campaign as u8;
                self.persuasion[ci] = self.params.campaign_persuasion;
            } else {
                self.source[ci] = Source::WordOfMouth as u8;
                self.persuasion[ci] = best;
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
            for &a in &self.changed {
                let a = a as usize;
                if Lifecycle::from_u8(self.next_state[a]).is_active_customer()
                    && !Lifecycle::from_u8(self.state[a]).is_active_customer()
                {
                    self.adopted_at[a] = next_step;
                }
            }
        }
    }
}
