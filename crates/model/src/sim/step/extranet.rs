//! **Customers as a sort of department, living inside the extranet**
//! (seed 003): the extranet bypasses walls and touchpoints.
//!
//! **Models:** an active customer inside an open extranet raises a need
//! straight to a Product staff member, with probability
//! `extranet_openness · model.contact_rate` per step, past every silo wall
//! and touchpoint (its answer, if any, is spread over all the customer's
//! touchpoint ties, see `feedback_loop.rs`). When the offering changed in
//! the last step, such a customer hears of it ("free dissemination") with
//! probability `extranet_openness · transparency`: positive evidence
//! `model.w_share` on one of their touchpoint ties.
//!
//! **Knobs:** `extranet_openness` (with `transparency`). Assumptions:
//! `model.contact_rate`, `model.w_share`.
//!
//! **Feeds:** `needs_raised`, `needs_reached_product`, `loop_closed`, customer trust.
//!
//! **Leaves out:** the extranet's running cost (the trade-offs issue);
//! prospects inside it.

use crate::knob::Knob;
use crate::network::{NO_TIE, TieKind};
use crate::sim::Simulation;

impl Simulation {
    /// Customer `c` raises a need straight to Product through the extranet
    /// (`extranet_openness · model.contact_rate`).
    pub(super) fn need_through_extranet(&mut self, t: u32, c: u32) {
        if self
            .rng
            .chance(self.knobs.get(Knob::ExtranetOpenness) * self.params.contact_rate)
            && !self.net.product_staff.is_empty()
        {
            let staff = &self.net.product_staff;
            let target = staff[self.rng.below(staff.len() as u32) as usize];
            self.raise_need(t, c, target, NO_TIE);
        }
    }

    /// Customer `c` hears of a change to the offering through the extranet
    /// (`extranet_openness · transparency`, only after a change).
    pub(super) fn hear_of_changes(&mut self, c: u32) {
        if self.offering_changed
            && self
                .rng
                .chance(self.knobs.get(Knob::ExtranetOpenness) * self.knobs.get(Knob::Transparency))
            && let Some(tie) = self.pick(self.net.ties_of_kind(c, TieKind::Touchpoint))
        {
            // Changes are shared back with customers inside the
            // extranet (seed 003: "free dissemination").
            self.add_evidence(tie, self.params.w_share, 0.0);
        }
    }
}
