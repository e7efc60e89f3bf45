//! **Efficiency often comes at the expense of the customer experience**
//! (seed 004), **self-service saves money** (seed 001), and the price of
//! listening and answering: staff time is finite.
//!
//! **Models:** with `model.trade_offs`, every staff member and partner has
//! a capacity of staff time per step: their department's `capacity`, else
//! `model.staff_capacity`, in units of one staff-handled contact, cut by
//! `efficiency_pressure · model.capacity_cut`. The organisation pays for
//! the staff capacity it keeps, used or not: `cost_contact` per unit per
//! step, so efficiency pressure is less capacity for less cost (partners'
//! time is their own firms' to pay). Work takes time:
//! a contact 1, writing its need up for Product `model.time_listen`
//! (listening), handing a need on or taking it in at Product
//! `model.time_need`, answering it `model.time_answer` (transparency),
//! sharing with a colleague or a partner `model.time_share`, a push or an
//! offer `model.time_push`. Work starts when the staff member has any
//! time left this step; what it takes beyond that comes out of the next
//! step's time (so a capacity below one contact still answers one every
//! few steps). Work that finds no time left at all waits: a contact
//! joins the staff member's queue and is served, oldest first, from the
//! next step's time before new work, for up to `model.max_wait` steps;
//! after that it expires unanswered (negative evidence `model.w_contact`, as a
//! stretched staff member's silence is). An answer with no time to write
//! is not sent; a share, push or offer is not made. A need that finds no
//! time waits in the staff member's backlog
//! ([`crate::flow::Backlogs`]), costing nothing while it waits: each step
//! waited counts as a hop, and a need whose hops reach `model.max_hops` is
//! dropped. When the staff member has time again they work on the waiting
//! needs, oldest first, before needs newly arriving.
//! Self-service and peer help take load off staff: a self-service contact
//! takes no staff time, and a customer relieved by a peer contacts the
//! organisation less (`model.contact_rate · (1 − relief)`).
//!
//! Without `model.trade_offs`, staff time is unlimited and a stretched
//! staff member fails to respond at random with probability
//! `efficiency_pressure · model.responsiveness_cut` (the earlier model).
//!
//! **Knobs:** `efficiency_pressure`, and through the work they create
//! `feedback_listening`, `transparency`, `self_service`,
//! `community_enablement`, `marketing_push`, `cross_sell_pressure`.
//! Assumptions: `model.trade_offs`, `model.staff_capacity`, departments'
//! `capacity`, `model.capacity_cut`, `model.max_wait`, `model.time_*`,
//! `model.cost_contact`, `model.responsiveness_cut`.
//!
//! **Feeds:** `queue_length`, `waiting_time`, `contacts_expired`,
//! `staff_utilisation`, `cost_staff`; through them customer trust, need
//! latency and loop closure.
//!
//! **Leaves out:** staff who move between departments to help; overtime;
//! priorities between kinds of work (time goes in the step's fixed order:
//! waiting contacts first, then waiting needs (staff in index order), then
//! needs arriving, then each staff member's
//! own sharing, pushes and offers in index order, then the step's new
//! contacts).

use crate::agent::{Lifecycle, Part};
use crate::flow::{Item, WaitingNeed};
use crate::knob::Knob;
use crate::sim::played::NeedChoice;
use crate::sim::{Simulation, Waiting};

impl Simulation {
    /// Chance that a staff member is too stretched to respond this step,
    /// without the trade-offs (with them, efficiency pressure cuts
    /// capacity instead).
    pub(super) fn busy_chance(&self) -> f32 {
        if self.params.trade_offs {
            0.0
        } else {
            self.knobs.get(Knob::EfficiencyPressure) * self.params.responsiveness_cut
        }
    }

    /// Whether staff member `s` cannot do a piece of work taking `time`
    /// now: with the trade-offs, when they have no time left (else the
    /// time is taken); without, at random with [`Self::busy_chance`].
    pub(super) fn stretched(&mut self, s: u32, time: f32) -> bool {
        if self.params.trade_offs {
            !self.take_time(s, time)
        } else {
            self.rng.chance(self.busy_chance())
        }
    }

    /// Whether [`Self::take_time`] would give staff member `s` `time` now.
    fn has_time(&self, s: u32, time: f32) -> bool {
        !self.params.trade_offs || self.time_left[s as usize] > 0.0 || time <= 0.0
    }

    /// Need `item`, at staff member `item.at` at step `t` with fewer than
    /// `model.max_hops` hops, finds no time there (or is held by a person
    /// playing them): with the trade-offs it waits in their backlog until
    /// they have time or its hops run out; without, it waits a step in
    /// the queue (a hop).
    pub(super) fn wait(&mut self, t: u32, item: Item) {
        if self.params.trade_offs {
            let left = self.params.max_hops.saturating_sub(u32::from(item.hops));
            let waiting = WaitingNeed {
                item,
                since: t,
                expires: t + left.max(1),
            };
            self.backlogs.hold(item.at, waiting);
        } else {
            let next = Item {
                hops: item.hops + 1,
                ..item
            };
            self.queue.push(t, t + 1, next);
        }
    }

    /// Phase 3, first (with the trade-offs): the needs whose hops ran out
    /// while waiting are dropped; then each staff member with needs
    /// waiting, in index order, takes them up, oldest first, while their
    /// time lasts, unless the person playing them holds needs this step. A
    /// staff member with no time left costs one look.
    pub(super) fn work_backlogs(&mut self, t: u32) {
        self.report.needs_dropped += self.backlogs.expire(t);
        let time = self.params.time_need;
        let mut from = 0;
        while let Some(s) = self.backlogs.next_staff(from, t) {
            from = s + 1;
            if self.decision(s).and_then(|d| d.needs) == Some(NeedChoice::Hold) {
                continue;
            }
            while self.has_time(s, time) {
                let Some(waiting) = self.backlogs.take(s, t) else {
                    break;
                };
                self.need_arrives(t, waiting.at(t));
            }
        }
    }

    /// Take `time` of staff member `s`'s time if they have any left this
    /// step: work starts when there is time to start it, and what it takes
    /// beyond this step's time comes out of the next step's. Always true
    /// without the trade-offs.
    pub(super) fn take_time(&mut self, s: u32, time: f32) -> bool {
        if !self.params.trade_offs {
            return true;
        }
        let left = &mut self.time_left[s as usize];
        if *left > 0.0 || time <= 0.0 {
            // Time used this step; an overrun is used next step
            // (`fill_staff_time`).
            self.report.staff_time_used += f64::from(time.min(left.max(0.0)));
            *left -= time;
            true
        } else {
            false
        }
    }

    /// Staff effort for work done, in money, without the trade-offs (with
    /// them, staff cost is the capacity paid for, [`Self::fill_staff_time`]).
    pub(super) fn staff_effort(&mut self, cost: f32) {
        if !self.params.trade_offs {
            self.report.cost_staff += f64::from(cost);
        }
    }

    /// Phase 1, with the trade-offs: each staff member and partner gets
    /// this step's time, and the organisation pays for its staff's (its
    /// partners are paid by their own firms).
    pub(super) fn fill_staff_time(&mut self) {
        if !self.params.trade_offs {
            return;
        }
        let cut = 1.0 - self.knobs.get(Knob::EfficiencyPressure) * self.params.capacity_cut;
        let (mut total, mut paid, mut carried) = (0.0f64, 0.0f64, 0.0f64);
        // Staff and partners only: customers have no capacity and never
        // take time, so they would add only zeros.
        for (g, group) in self.scenario.groups.iter().enumerate() {
            if group.part.is_customer() {
                continue;
            }
            let capacity = self.group_capacity[g] * cut;
            let members = group.first as usize..(group.first + group.size) as usize;
            for left in &mut self.time_left[members] {
                // Unused time does not keep; work that overran the last
                // step comes out of this one.
                let overrun = (-*left).max(0.0);
                carried += f64::from(overrun.min(capacity));
                *left = capacity - overrun;
                total += f64::from(capacity);
                if group.part == Part::Department {
                    paid += f64::from(capacity);
                }
            }
        }
        self.report.staff_time = total;
        self.report.staff_time_used = carried;
        self.report.cost_staff = paid * f64::from(self.params.cost_contact);
    }

    /// A customer's contact finds staff member `s` with no time left: it
    /// waits.
    pub(super) fn wait_for_staff(&mut self, t: u32, c: u32, s: u32, tie: usize) {
        self.waiting.push(Waiting {
            staff: s,
            customer: c,
            tie: tie as u32,
            since: t,
        });
    }

    /// Phase 3, first: waiting contacts are served from this step's time,
    /// oldest first. One that has already waited `model.max_wait` steps
    /// expires unanswered (the customer gives up); one whose customer is no
    /// longer active lapses.
    pub(super) fn serve_waiting(&mut self, t: u32) {
        let mut waiting = std::mem::take(&mut self.waiting);
        let max_wait = self.params.max_wait;
        waiting.retain(|w| {
            if !Lifecycle::from_u8(self.state[w.customer as usize]).is_active_customer() {
                return false;
            }
            if t - w.since > max_wait {
                self.report.contacts_expired += 1;
                self.add_evidence(w.tie as usize, 0.0, self.params.w_contact);
                return false;
            }
            if self.take_time(w.staff, 1.0) {
                self.respond(t, w.customer, w.staff, w.tie as usize, t - w.since);
                return false;
            }
            true
        });
        self.waiting = waiting;
    }
}
