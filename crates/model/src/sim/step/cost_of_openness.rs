//! **Openness is not free**: the extranet and the community the source
//! debate asks for (seeds 001, 003) have running costs, and the customers
//! who help their peers are rewarded.
//!
//! **Models:** with `model.trade_offs`, each step the organisation pays
//! `model.cost_extranet · extranet_openness` and
//! `model.cost_community · community_enablement` per active customer, and
//! `model.reward_peer_help` for each answer a customer gave a peer this
//! step. Publishing what changed goes through the extranet, so its running
//! cost covers it; the staff time that listening, answering and sharing
//! take is `staff_time.rs`'s. The money here is what the platforms and
//! rewards cost on top.
//!
//! **Knobs:** `extranet_openness`, `community_enablement`. Assumptions:
//! `model.cost_extranet`, `model.cost_community`, `model.reward_peer_help`.
//!
//! **Feeds:** `cost_openness`, `cost_total`, `profit`.
//!
//! **Leaves out:** set-up costs (the platforms are costed as running from
//! step 0); costs that fall with scale.

use crate::knob::Knob;
use crate::sim::Simulation;

impl Simulation {
    /// Phase 6, before measuring: this step's running cost of openness for
    /// `active` active customers.
    pub(super) fn pay_for_openness(&mut self, active: u32) {
        if !self.params.trade_offs {
            return;
        }
        let p = &self.params;
        let per_customer = p.cost_extranet * self.knobs.get(Knob::ExtranetOpenness)
            + p.cost_community * self.knobs.get(Knob::CommunityEnablement);
        self.report.cost_openness = f64::from(active) * f64::from(per_customer)
            + f64::from(self.report.peer_help) * f64::from(p.reward_peer_help);
    }
}
