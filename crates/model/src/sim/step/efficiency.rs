//! **Efficiency often comes at the expense of the customer experience**
//! (seed 004).
//!
//! **Models:** cost pressure stretches staff. Each time a staff member should
//! respond — a customer's contact, a need to pass on toward Product, an
//! answer to send back — they are too stretched to do it this step with
//! probability `efficiency_pressure · model.responsiveness_cut`. A contact
//! left unanswered is negative evidence (`touchpoints.rs`); a need is held
//! a step (`feedback_loop.rs`); an answer is less likely.
//!
//! **Knob:** `efficiency_pressure`. Assumption: `model.responsiveness_cut`.
//!
//! **Feeds:** customer trust, need latency, loop closure; the staff cost it
//! saves shows in `cost_staff`.
//!
//! **Leaves out:** finite staff capacity with queues (a later model).

use crate::knob::Knob;
use crate::sim::Simulation;

impl Simulation {
    /// Chance that a staff member is too stretched to respond this step.
    pub(super) fn busy_chance(&self) -> f32 {
        self.knobs.get(Knob::EfficiencyPressure) * self.params.responsiveness_cut
    }
}
