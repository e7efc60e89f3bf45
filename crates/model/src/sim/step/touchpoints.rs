//! **Omnichannel** and **self-service** (seed 001), and **outside-in
//! listening** (seed 000): what happens when a customer makes contact.
//!
//! **Models:** an active customer contacts the organisation through one of
//! their touchpoint ties with probability `model.contact_rate` per step.
//! - Self-service (probability `self_service`) costs
//!   `model.cost_self_service` instead of `model.cost_contact`, serves the
//!   customer at the segment level (evidence `model.w_self_service`, good
//!   with the chance the segment is satisfied) and, with probability
//!   `model.tracking_rate`, tells Product about the *segment's* needs.
//! - Otherwise staff respond when they can (`staff_time.rs`: with the
//!   trade-offs the contact may wait for staff time; without, a stretched
//!   staff member fails to respond at random): a response
//!   is good evidence (`model.w_contact`) with probability equal to the
//!   customer's satisfaction; with probability `feedback_listening` the
//!   need is also passed on toward Product (`feedback_loop.rs`) and the
//!   staff member's trust in the customer grows (`model.w_feedback`).
//! - A customer who switches channel meets a contradicting answer with
//!   probability `1 − omnichannel_consistency`: negative evidence
//!   `model.w_inconsistency`.
//!
//! **Knobs:** `self_service`, `feedback_listening`, `omnichannel_consistency`.
//! Assumptions: `model.contact_rate`, `model.cost_contact`,
//! `model.cost_self_service`, `model.tracking_rate`, `model.w_*`.
//!
//! **Feeds:** `cost_staff`, `cost_self_service`, `savings_self_service`,
//! `inconsistent_answers`, `needs_raised`, customer trust.
//!
//! **Leaves out:** customers choosing a channel by preference (the
//! waiting, with the trade-offs, is `staff_time.rs`'s).

use crate::knob::Knob;
use crate::lifecycle;
use crate::network::{NO_TIE, TieKind};
use crate::sim::{NO_CHANNEL, Simulation};

impl Simulation {
    /// An active customer contacts the organisation through one of their
    /// touchpoints (`model.contact_rate`, times `1 − relief` with the
    /// trade-offs):
    /// - through self-service with probability `self_service`: cheap, less
    ///   personal evidence (`model.w_self_service`), served at the segment
    ///   level; tracked into segment intelligence for Product with
    ///   probability `model.tracking_rate` (seed 001);
    /// - otherwise by staff: with the trade-offs, at once if the staff
    ///   member has time left, else the contact waits (`staff_time.rs`);
    ///   without, the staff member is too stretched to respond with
    ///   probability `efficiency_pressure · model.responsiveness_cut`
    ///   (negative evidence, seed 004). A response is good evidence with
    ///   probability equal to the customer's satisfaction, and with
    ///   probability `feedback_listening` the need is passed on toward
    ///   Product;
    /// - switching channel, the answer contradicts the other channel with
    ///   probability `1 - omnichannel_consistency` (negative evidence).
    pub(super) fn contact(&mut self, t: u32, c: u32) {
        let ci = c as usize;
        let touchpoints = self.net.ties_of_kind(c, TieKind::Touchpoint);
        if touchpoints.is_empty() {
            // Nowhere to turn: nothing to draw (so a step can pass over a
            // customer without touchpoints; `step/mod.rs`).
            return;
        }
        // A customer relieved by a peer needs the organisation less (with
        // the trade-offs; `staff_time.rs`).
        let rate = if self.params.trade_offs {
            self.params.contact_rate * (1.0 - self.relief[ci])
        } else {
            self.params.contact_rate
        };
        let rule = self.rng.chance(rate);
        let complain = self.chosen(c, |d| d.complain, false);
        if !(complain || self.chosen(c, |d| d.contact, rule)) {
            return;
        }
        let Some(tie) = self.pick(touchpoints) else {
            return;
        };
        let s = self.net.target[tie];
        if complain {
            // A played customer's complaint: the need enters the
            // organisation here, whoever answers the contact
            // (`played.rs`).
            self.raise_need(t, c, s, tie as u32);
        }
        if self.rng.chance(self.knobs.get(Knob::SelfService)) {
            self.report.cost_self_service += f64::from(self.params.cost_self_service);
            self.report.savings_self_service +=
                f64::from(self.params.cost_contact - self.params.cost_self_service).max(0.0);
            let segment_level = lifecycle::satisfaction(
                &self.offering,
                &self.needs_of(c),
                0.0,
                0.0,
                self.relief[ci],
                self.params.gap_sensitivity,
            );
            if self.rng.unit() < segment_level {
                self.add_evidence(tie, self.params.w_self_service, 0.0);
            } else {
                self.add_evidence(tie, 0.0, self.params.w_self_service);
            }
            if self.rng.chance(self.params.tracking_rate) {
                // Tracking knows *about* the segment, not about this customer.
                let g = self.net.group[ci] as usize;
                self.pulls.push(self.group_needs[g]);
            }
        } else if self.params.trade_offs {
            if self.take_time(s, 1.0) {
                self.respond(t, c, s, tie, 0);
            } else {
                self.wait_for_staff(t, c, s, tie);
            }
        } else if self.rng.chance(self.busy_chance()) {
            self.add_evidence(tie, 0.0, self.params.w_contact);
        } else {
            self.respond(t, c, s, tie, 0);
        }
        let channel = self.net.channel[tie];
        let last = self.last_channel[ci];
        if last != NO_CHANNEL
            && last != channel
            && self
                .rng
                .chance(1.0 - self.knobs.get(Knob::OmnichannelConsistency))
        {
            self.report.inconsistent_answers += 1;
            self.add_evidence(tie, 0.0, self.params.w_inconsistency);
        }
        self.last_channel[ci] = channel;
    }

    /// Staff member `s` answers customer `c`'s contact through `tie`, after
    /// it waited `waited` steps: good evidence with probability equal to
    /// the customer's satisfaction; with probability `feedback_listening`
    /// (and, with the trade-offs, `model.time_listen` of staff time) the
    /// need is written up and passed on toward Product.
    pub(super) fn respond(&mut self, t: u32, c: u32, s: u32, tie: usize, waited: u32) {
        self.staff_effort(self.params.cost_contact);
        self.report.contacts_served += 1;
        self.report.wait_sum += u64::from(waited);
        if self.rng.unit() < self.sat[c as usize] {
            self.add_evidence(tie, self.params.w_contact, 0.0);
        } else {
            self.add_evidence(tie, 0.0, self.params.w_contact);
        }
        if self.rng.chance(self.knobs.get(Knob::FeedbackListening))
            && self.take_time(s, self.params.time_listen)
        {
            let back = self.net.reverse[tie];
            if back != NO_TIE {
                self.add_evidence(back as usize, self.params.w_feedback, 0.0);
            }
            self.raise_need(t, c, s, tie as u32);
        }
    }
}
