//! **Customers as part of the feedback, development and strategy loop**
//! (seed 003), and **outside-in alone is one-way vision** (seed 000).
//!
//! **Models:** a need a customer raises (at a touchpoint, `touchpoints.rs`, or
//! through the extranet, `extranet.rs`) travels as an item, one hop per
//! `model.hop_delay` steps, along each staff member's route toward Product.
//! A staff member with no time for it (`staff_time.rs`) holds it a step;
//! a silo wall
//! stops it unless it passes (`silo_walls.rs`) and delays it
//! `model.wall_delay`; after `model.max_hops` hops it is dropped. At
//! Product the need is heard: the organisation learns about this customer
//! (`model.knowledge_gain`) and the offering moves toward the need
//! (`model.offering_learning`, in phase 5). With probability
//! `transparency` Product answers, if it has the time (`staff_time.rs`); the answer must
//! cross the same walls back, and when it arrives the loop is closed:
//! positive evidence `model.w_answer` on the tie the need came in through.
//! Listening (`feedback_listening`) without answering (`transparency`) is
//! outside-in alone: needs go in, nothing comes back.
//!
//! **Knobs:** `feedback_listening` (in), `transparency` (back),
//! `silo_permeability` (both ways). Assumptions: `model.hop_delay`,
//! `model.wall_delay`, `model.max_hops`, `model.knowledge_gain`,
//! `model.offering_learning`, `model.w_answer`, `model.cost_need_hop`.
//!
//! **Feeds:** `needs_raised`, `needs_reached_product`, `needs_blocked`,
//! `needs_dropped`, `need_latency`, `loop_closed`, `loop_time`,
//! `loop_closure`, `offering_changes`, `cost_staff`, customer trust.
//!
//! **Leaves out:** several offerings or products; needs that Product refuses.

use crate::agent::{Part, Role};
use crate::flow::{FlowKind, Item};
use crate::knob::Knob;
use crate::network::{NO_TIE, TieKind};
use crate::sim::Simulation;
use crate::sim::played::{Decision, NeedChoice};

impl Simulation {
    /// Phase 3: staff work on the needs waiting for them
    /// (`staff_time.rs`), then needs and answers due at `t` arrive.
    pub(super) fn deliver(&mut self, t: u32) {
        self.work_backlogs(t);
        let items = self.queue.take(t);
        for item in &items {
            match item.kind {
                FlowKind::Need => self.need_arrives(t, *item),
                FlowKind::Answer => self.answer_arrives(t, *item),
                _ => {}
            }
        }
        self.queue.give_back(items);
    }

    /// A need arrives at a staff member or partner: Product takes it in,
    /// anyone else passes it one hop along the route to Product. Crossing a
    /// wall succeeds with probability `silo_permeability`; a staff member
    /// with no time for it (`staff_time.rs`) keeps it waiting, each step
    /// counting as a hop.
    pub(super) fn need_arrives(&mut self, t: u32, item: Item) {
        let p = &self.params;
        let (hop_delay, wall_delay, max_hops) = (p.hop_delay, p.wall_delay, p.max_hops);
        let v = item.at;
        // A played staff member may sit on it (`played.rs`).
        let held = self.decision(v).and_then(|d| d.needs) == Some(NeedChoice::Hold);
        if self.is_product(v) {
            // With the trade-offs, taking a need in takes Product's time
            // too; without, Product always has it.
            if held || (self.params.trade_offs && !self.take_time(v, self.params.time_need)) {
                if u32::from(item.hops) >= max_hops {
                    self.report.needs_dropped += 1;
                } else {
                    self.wait(t, item);
                }
                return;
            }
            self.need_reaches_product(t, item);
            return;
        }
        if u32::from(item.hops) >= max_hops {
            self.report.needs_dropped += 1;
            return;
        }
        if held || self.stretched(v, self.params.time_need) {
            self.wait(t, item);
            return;
        }
        let r = self.net.route[v as usize];
        if r == NO_TIE {
            self.report.needs_dropped += 1;
            return;
        }
        self.staff_effort(self.params.cost_need_hop);
        let w = self.net.target[r as usize];
        let wall = self.net.kind_of(r as usize) == TieKind::Wall;
        if wall && {
            let rule = self.passes_wall();
            !self.chosen(v, handles, rule)
        } {
            self.report.needs_blocked += 1;
            self.flow(v, w, FlowKind::Need, false);
            return;
        }
        self.flow(v, w, FlowKind::Need, true);
        let due = t + hop_delay + if wall { wall_delay } else { 0 };
        let next = Item {
            at: w,
            hops: item.hops + 1,
            walls: item.walls + u16::from(wall),
            ..item
        };
        self.queue.push(t, due, next);
    }

    fn is_product(&self, a: u32) -> bool {
        self.net.part[a as usize] == Part::Department && self.net.role_of(a) == Role::Product
    }

    /// The feedback loop, inward half: the offering moves toward the need,
    /// the organisation learns about this customer, and with probability
    /// `transparency` it answers, if it has the time (less often when
    /// stretched, without the trade-offs). The answer must
    /// cross the same walls back.
    fn need_reaches_product(&mut self, t: u32, item: Item) {
        let c = item.origin as usize;
        self.report.needs_reached += 1;
        self.report.need_latency_sum += u64::from(t - item.created);
        if item.created < self.arrival(c) {
            // Whoever raised it has left the market (`market.rs`): it says
            // nothing about the newcomer in their place, and nobody is
            // there to answer.
            return;
        }
        self.pulls.push(self.needs_of(c as u32));
        self.knowledge[c] += self.params.knowledge_gain * (1.0 - self.knowledge[c]);
        self.reperceive.set(item.origin, true);
        let answer = self.knobs.get(Knob::Transparency) * (1.0 - self.busy_chance());
        let rule = self.rng.chance(answer);
        if !self.chosen(item.at, handles, rule) || !self.take_time(item.at, self.params.time_answer)
        {
            return;
        }
        for _ in 0..item.walls {
            if !self.passes_wall() {
                self.report.flows_blocked += 1;
                return;
            }
        }
        let p = &self.params;
        let delay =
            (u32::from(item.hops) * p.hop_delay + u32::from(item.walls) * p.wall_delay).max(1);
        let back = Item {
            kind: FlowKind::Answer,
            at: item.origin,
            ..item
        };
        self.queue.push(t, t + delay, back);
    }

    /// The feedback loop closes: positive evidence on the customer's tie to
    /// the touchpoint the need entered through (or spread over all its
    /// touchpoints when it came through the extranet).
    fn answer_arrives(&mut self, t: u32, item: Item) {
        let c = item.origin;
        if item.created < self.arrival(c as usize) {
            // The customer who asked has left the market; a newcomer holds
            // the place (`market.rs`).
            return;
        }
        self.report.loops_closed += 1;
        self.report.loop_time_sum += u64::from(t - item.created);
        self.heard_back[c as usize] = t;
        let w = self.params.w_answer;
        if item.entry_tie != NO_TIE {
            self.add_evidence(item.entry_tie as usize, w, 0.0);
            let from = self.net.target[item.entry_tie as usize];
            self.flow(from, c, FlowKind::Answer, true);
        } else {
            let ties = self.net.ties_of_kind(c, TieKind::Touchpoint);
            let share = w / ties.len().max(1) as f32;
            for tie in ties {
                self.add_evidence(tie, share, 0.0);
            }
        }
    }

    /// A need starts travelling from customer `c`, arriving at `at` after
    /// one hop.
    pub(super) fn raise_need(&mut self, t: u32, c: u32, at: u32, entry_tie: u32) {
        self.report.needs_raised += 1;
        self.flow(c, at, FlowKind::Need, true);
        let item = Item {
            kind: FlowKind::Need,
            at,
            origin: c,
            entry_tie,
            created: t,
            hops: 1,
            walls: 0,
        };
        self.queue.push(t, t + self.params.hop_delay, item);
    }

    /// Phase 5, last: the offering moves toward each need that reached
    /// Product this step (`model.offering_learning`).
    pub(super) fn learn_from_needs(&mut self) {
        let rate = self.params.offering_learning;
        for target in &self.pulls {
            for (o, t) in self.offering.iter_mut().zip(target) {
                *o += rate * (t - *o);
            }
        }
        self.report.offering_changes = self.pulls.len() as u32;
        self.offering_changed = !self.pulls.is_empty();
        self.pulls.clear();
    }
}

/// A played staff member's choice to handle the needs reaching them, as
/// the outcome of a decision point (`played.rs`).
fn handles(d: &Decision) -> Option<bool> {
    d.needs.map(|n| n == NeedChoice::Handle)
}
