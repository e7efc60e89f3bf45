//! **Silos around each department keep trust from seeping through the
//! cracks** (seed 000).
//!
//! **Models:** ties between two departments are silo walls. Whatever crosses
//! one — a customer's need hopping toward Product, the answer coming back,
//! knowledge a staff member shares with a colleague — gets across with
//! probability `silo_permeability`, and a need or answer that crosses also
//! waits `model.wall_delay` extra steps. [`Simulation::passes_wall`] is the
//! one crossing rule, called wherever an item meets a wall. Staff share
//! with a colleague each step with probability `model.share_rate`; a share
//! inside the department always arrives, one across a wall only if it
//! passes; each arrival is mutual evidence (`model.w_share`).
//!
//! **Knob:** `silo_permeability`. Assumptions: `model.share_rate`,
//! `model.w_share`, `model.wall_delay`.
//!
//! **Feeds:** `flows_within_departments`, `flows_across_departments`, `flows_blocked`,
//! `needs_blocked`, the E-I indices of the flows (`ei_index_flow`,
//! `ei_index_department`), `trust_across_silos`.
//!
//! **Leaves out:** walls between partners or between customer segments.

use crate::flow::FlowKind;
use crate::knob::Knob;
use crate::network::TieKind;
use crate::sim::Simulation;

impl Simulation {
    /// Whether an item gets across a silo wall: with probability
    /// `silo_permeability`. Called once for every wall an item meets.
    pub(super) fn passes_wall(&mut self) -> bool {
        self.rng.chance(self.knobs.get(Knob::SiloPermeability))
    }

    /// A staff member shares what they know with a colleague
    /// (`model.share_rate`): inside the department it arrives, across a
    /// wall only if it passes.
    pub(super) fn share_with_colleague(&mut self, s: u32) {
        if self.rng.chance(self.params.share_rate)
            && let Some(t) = self.pick(self.net.ties_of_kinds(s, TieKind::Internal, TieKind::Wall))
            && self.take_time(s, self.params.time_share)
        {
            let w_share = self.params.w_share;
            let (other, back) = (self.net.target[t], self.net.reverse[t]);
            let (gs, go) = (
                self.net.group[s as usize] as usize,
                self.net.group[other as usize] as usize,
            );
            if self.net.kind_of(t) == TieKind::Internal {
                self.report.flows_internal += 1;
                self.department_flows[gs].internal += 1;
                self.mutual(t, back, w_share);
                self.flow(s, other, FlowKind::Internal, true);
            } else if self.passes_wall() {
                self.report.flows_external += 1;
                self.department_flows[gs].external += 1;
                self.department_flows[go].external += 1;
                self.mutual(t, back, w_share);
                self.flow(s, other, FlowKind::Internal, true);
            } else {
                self.report.flows_blocked += 1;
                self.flow(s, other, FlowKind::Internal, false);
            }
        }
    }
}
