//! **Customers find solutions from their peers** (seed 001): community help.
//!
//! **Models:** an active customer with an unmet need asks a peer with
//! probability `community_enablement · (1 − satisfaction)` per step. A peer
//! who is an active customer and satisfied (at least
//! [`HELPER_SATISFACTION`]) helps: the asker's need is relieved for a while
//! (`model.peer_relief`, fading by `model.relief_decay`, see
//! `satisfaction.rs`) and both gain trust in each other (`model.w_peer`).
//!
//! **Knob:** `community_enablement`. Assumptions: `model.peer_relief`,
//! `model.w_peer`.
//!
//! **Feeds:** `peer_help`, satisfaction, trust among customers.
//!
//! **Leaves out:** rewarding helpers and what it costs (the trade-offs issue);
//! peers who give wrong answers.

use crate::agent::Lifecycle;
use crate::flow::FlowKind;
use crate::knob::Knob;
use crate::network::TieKind;
use crate::sim::Simulation;

/// A peer helps only if at least this satisfied themselves.
const HELPER_SATISFACTION: f32 = 0.5;

impl Simulation {
    /// A customer with an unmet need asks a peer (probability
    /// `community_enablement · (1 − satisfaction)`); a satisfied active peer
    /// helps, which relieves the need for a while and builds trust both ways
    /// (seed 001).
    pub(super) fn ask_peer(&mut self, c: u32) {
        let ci = c as usize;
        let peers = self.net.ties_of_kind(c, TieKind::Peer);
        if peers.is_empty() {
            // Nobody to ask: nothing to draw (so a step can pass over a
            // customer without peers; `step/mod.rs`).
            return;
        }
        let chance = self.knobs.get(Knob::CommunityEnablement) * (1.0 - self.sat[ci]);
        let rule = self.rng.chance(chance);
        if !self.chosen(c, |d| d.ask_peer, rule) {
            return;
        }
        let Some(tie) = self.pick(peers) else {
            return;
        };
        let (peer, back) = (self.net.target[tie] as usize, self.net.reverse[tie]);
        if !Lifecycle::from_u8(self.state[peer]).is_active_customer()
            || self.sat[peer] < HELPER_SATISFACTION
        {
            return;
        }
        self.relief[ci] = (self.relief[ci] + self.params.peer_relief).min(1.0);
        self.relieved.set(c, true);
        self.report.peer_help += 1;
        let w = self.params.w_peer;
        self.mutual(tie, back, w);
        self.flow(peer as u32, c, FlowKind::PeerHelp, true);
    }
}
