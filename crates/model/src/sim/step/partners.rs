//! **Inside takes responsibility for the partners after it** (seed 003),
//! as far as the organisation is transparent with them (seed 000).
//!
//! **Models:** a staff member shares with a partner they are tied to with
//! probability `model.share_rate · transparency`; each share is mutual
//! evidence (`model.w_share`). An inside-out organisation keeps its
//! partners as much in the dark as its customers.
//!
//! **Knob:** `transparency`. Assumptions: `model.share_rate`, `model.w_share`.
//!
//! **Feeds:** trust between departments and partners (`trust_from` and
//! `trust_toward` the partners).
//!
//! **Leaves out:** partners acting on their own (passing needs on, serving
//! customers beyond a touchpoint tie).

use crate::flow::FlowKind;
use crate::knob::Knob;
use crate::network::TieKind;
use crate::sim::Simulation;

impl Simulation {
    /// A staff member shares with a partner (`share_rate · transparency`).
    pub(super) fn share_with_partner(&mut self, s: u32) {
        if self
            .rng
            .chance(self.params.share_rate * self.knobs.get(Knob::Transparency))
            && let Some(t) = self.pick(self.net.ties_of_kind(s, TieKind::Partner))
            && self.take_time(s, self.params.time_share)
        {
            let (other, back) = (self.net.target[t], self.net.reverse[t]);
            self.mutual(t, back, self.params.w_share);
            self.flow(s, other, FlowKind::Internal, true);
        }
    }
}
