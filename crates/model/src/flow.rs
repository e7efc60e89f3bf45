//! Information items travelling along ties, and the queue that holds them
//! in flight.
//!
//! Needs travel from a customer through a touchpoint, hop by hop along the
//! shortest staff route, to Product; each hop takes `model.hop_delay`
//! steps, and crossing a silo wall succeeds with probability
//! `silo_permeability` and costs `model.wall_delay` extra steps. Answers go
//! back the same way: they cross as many walls as the need did, each with
//! the same chance. Shares between colleagues, pushes, offers and peer help
//! are single-hop and take effect within the step (see [`crate::sim`]).
//!
//! With the trade-offs, a need that reaches a staff member with no time
//! left waits in their [`Backlogs`] entry, costing nothing while it waits,
//! until they have time or its hop budget (`model.max_hops`; each step
//! waited counts as a hop) runs out. Without them, a busy staff member
//! delays an item by a step with probability `efficiency_pressure ·
//! model.responsiveness_cut`, and load does not build up.
//!
//! Leaves out: content: an item carries who it is about, not what it says.

/// What an item is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum FlowKind {
    /// A customer's need or feedback, travelling inward to Product.
    Need = 0,
    /// The organisation's answer, travelling back to the customer.
    Answer = 1,
    /// A marketing push to a customer or prospect.
    Push = 2,
    /// A cross-sell offer.
    CrossSell = 3,
    /// Help from one customer to another.
    PeerHelp = 4,
    /// Knowledge shared between staff (or with partners).
    Internal = 5,
}

impl FlowKind {
    /// All kinds.
    pub const ALL: [FlowKind; 6] = [
        FlowKind::Need,
        FlowKind::Answer,
        FlowKind::Push,
        FlowKind::CrossSell,
        FlowKind::PeerHelp,
        FlowKind::Internal,
    ];

    /// The `snake_case` label.
    pub const fn label(self) -> &'static str {
        match self {
            FlowKind::Need => "need",
            FlowKind::Answer => "answer",
            FlowKind::Push => "push",
            FlowKind::CrossSell => "cross_sell",
            FlowKind::PeerHelp => "peer_help",
            FlowKind::Internal => "internal",
        }
    }
}

/// One item moving along one tie in one step, recorded for visualisation
/// when the simulation is asked to record flows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FlowEvent {
    /// Sending agent.
    pub from: u32,
    /// Receiving agent.
    pub to: u32,
    /// What moved.
    pub kind: FlowKind,
    /// `false` when a silo wall stopped it.
    pub passed: bool,
}

/// A need or an answer in flight.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Item {
    /// Need or Answer.
    pub kind: FlowKind,
    /// The agent it arrives at.
    pub at: u32,
    /// The customer whose need it is.
    pub origin: u32,
    /// The customer's tie to the touchpoint it entered through
    /// ([`crate::network::NO_TIE`] through the extranet).
    pub entry_tie: u32,
    /// Step the need was raised.
    pub created: u32,
    /// Hops taken (waits count too, bounding an item's life).
    pub hops: u16,
    /// Silo walls crossed.
    pub walls: u16,
}

/// Items in flight, bucketed by the step they arrive: a ring of `horizon`
/// buckets, so pushing and taking are O(1) and arrival order within a step
/// is insertion order (deterministic).
///
/// An emptied bucket's allocation is kept as the one spare and handed to
/// the next bucket that fills from empty: items waiting a step at a time
/// (most of them, in a busy organisation) then live in two allocations
/// that take turns, not in one per bucket of the ring.
#[derive(Clone, Debug)]
pub struct FlightQueue {
    buckets: Vec<Vec<Item>>,
    spare: Vec<Item>,
    len: usize,
}

impl FlightQueue {
    /// A queue for delays up to `max_delay` steps.
    pub fn new(max_delay: u32) -> Self {
        let horizon = (max_delay as usize + 1).next_power_of_two();
        Self {
            buckets: vec![Vec::new(); horizon],
            spare: Vec::new(),
            len: 0,
        }
    }

    /// Schedule `item` to arrive at step `due`, which must be after `now`
    /// and within the horizon (longer delays are clamped to it).
    pub fn push(&mut self, now: u32, due: u32, item: Item) {
        let horizon = self.buckets.len() as u32;
        let due = due.clamp(now + 1, now + horizon - 1);
        let bucket = &mut self.buckets[(due % horizon) as usize];
        if bucket.capacity() == 0 {
            *bucket = std::mem::take(&mut self.spare);
        }
        bucket.push(item);
        self.len += 1;
    }

    /// Take the items arriving at step `now`, leaving their bucket empty
    /// (its allocation is handed back through [`FlightQueue::give_back`]).
    pub fn take(&mut self, now: u32) -> Vec<Item> {
        let horizon = self.buckets.len() as u32;
        let items = std::mem::take(&mut self.buckets[(now % horizon) as usize]);
        self.len -= items.len();
        items
    }

    /// Return an emptied bucket's allocation for reuse: it becomes the
    /// spare if larger than the one kept.
    pub fn give_back(&mut self, mut items: Vec<Item>) {
        items.clear();
        if items.capacity() > self.spare.capacity() {
            self.spare = items;
        }
    }

    /// Items in flight.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing is in flight.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.buckets
            .iter()
            .map(|b| b.capacity() * std::mem::size_of::<Item>())
            .sum::<usize>()
            + self.spare.capacity() * std::mem::size_of::<Item>()
            + self.buckets.capacity() * std::mem::size_of::<Vec<Item>>()
    }
}

/// A need waiting in a staff member's backlog.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WaitingNeed {
    /// The need, with the hops it had taken when it began to wait.
    pub item: Item,
    /// The step it began to wait.
    pub since: u32,
    /// The first step its hops (one per step waited) reach
    /// `model.max_hops`: it is dropped then if still waiting.
    pub expires: u32,
}

impl WaitingNeed {
    /// The need as it is at step `now`: each step waited counts as a hop.
    pub fn at(&self, now: u32) -> Item {
        let waited = u16::try_from(now - self.since).unwrap_or(u16::MAX);
        Item {
            hops: self.item.hops.saturating_add(waited),
            ..self.item
        }
    }
}

/// Needs waiting for staff time, per staff member (with the trade-offs),
/// oldest first. Holding a need and taking it out cost O(1), and a staff
/// member's backlog costs nothing in a step they have no time for it: a
/// need whose hops run out is counted as dropped at its step from a count
/// kept per step of expiry, and removed when its staff member next reaches
/// it (or sooner, from the front), never looked at before.
#[derive(Clone, Debug)]
pub struct Backlogs {
    /// Per agent, where its backlog is in `queues` ([`NO_QUEUE`]: none
    /// yet). A backlog, once made, keeps its allocation.
    slot: Vec<u32>,
    queues: Vec<std::collections::VecDeque<WaitingNeed>>,
    /// Agents with needs held, a bit each, so they are visited in index
    /// order.
    holding: Vec<u64>,
    /// Needs held, expired ones not yet removed included.
    held: usize,
    /// Needs that expired but are still held.
    expired: usize,
    /// Per step of expiry (modulo the ring's length), how many needs held
    /// expire then.
    expiring: Vec<u32>,
}

/// No backlog made yet for an agent.
const NO_QUEUE: u32 = u32::MAX;

impl Backlogs {
    /// Backlogs for `agents` agents, for needs that expire at most
    /// `max_wait` steps after they begin to wait.
    pub fn new(agents: usize, max_wait: u32) -> Self {
        Self {
            slot: vec![NO_QUEUE; agents],
            queues: Vec::new(),
            holding: vec![0; agents.div_ceil(64)],
            held: 0,
            expired: 0,
            expiring: vec![0; max_wait as usize + 1],
        }
    }

    fn slot(&self, step: u32) -> usize {
        step as usize % self.expiring.len()
    }

    fn mark(&mut self, staff: u32, holding: bool) {
        let (w, bit) = (staff as usize / 64, 1u64 << (staff % 64));
        if holding {
            self.holding[w] |= bit;
        } else {
            self.holding[w] &= !bit;
        }
    }

    /// `staff` holds `waiting`, which must expire after its `since` and
    /// within the ring.
    pub fn hold(&mut self, staff: u32, waiting: WaitingNeed) {
        debug_assert!(
            waiting.expires > waiting.since
                && ((waiting.expires - waiting.since) as usize) < self.expiring.len()
        );
        let slot = self.slot(waiting.expires);
        self.expiring[slot] += 1;
        let mut q = self.slot[staff as usize];
        if q == NO_QUEUE {
            q = self.queues.len() as u32;
            self.slot[staff as usize] = q;
            self.queues.push(std::collections::VecDeque::new());
        }
        self.queues[q as usize].push_back(waiting);
        self.mark(staff, true);
        self.held += 1;
    }

    /// The needs whose hops run out at `now`: counted as dropped now, once.
    /// Call once per step, before taking anything at `now`.
    pub fn expire(&mut self, now: u32) -> u32 {
        let slot = self.slot(now);
        let n = std::mem::take(&mut self.expiring[slot]);
        self.expired += n as usize;
        n
    }

    /// Check the count of needs held against the backlogs, and that every
    /// staff member with needs held is marked (for tests).
    pub fn check(&self) -> Result<(), String> {
        let held: usize = self
            .queues
            .iter()
            .map(std::collections::VecDeque::len)
            .sum();
        if held != self.held {
            return Err(format!(
                "backlogs hold {held} needs, counted as {}",
                self.held
            ));
        }
        for (a, &q) in self.slot.iter().enumerate() {
            let marked = self.holding[a / 64] & (1 << (a % 64)) != 0;
            if q != NO_QUEUE && !self.queues[q as usize].is_empty() && !marked {
                return Err(format!("agent {a} holds needs but is not marked"));
            }
        }
        Ok(())
    }

    /// The first staff member from `from` on (in index order) with needs
    /// held, after removing the expired needs at the front of their
    /// backlog (so a backlog nobody works on stays bounded).
    pub fn next_staff(&mut self, from: u32, now: u32) -> Option<u32> {
        if self.held == 0 {
            // Every backlog is empty (a bit left set for one is cleared
            // when a later look meets it).
            return None;
        }
        let mut w = from as usize / 64;
        let mut bits = self.holding.get(w)? & (u64::MAX << (from % 64));
        loop {
            while bits == 0 {
                w += 1;
                bits = *self.holding.get(w)?;
            }
            let staff = (w * 64) as u32 + bits.trailing_zeros();
            bits &= bits - 1;
            let queue = &mut self.queues[self.slot[staff as usize] as usize];
            while queue.front().is_some_and(|n| n.expires <= now) {
                queue.pop_front();
                self.held -= 1;
                self.expired -= 1;
            }
            if !queue.is_empty() {
                return Some(staff);
            }
            self.mark(staff, false);
        }
    }

    /// `staff`'s oldest need still waiting at `now`, taken out of the
    /// backlog (expired ones met on the way are removed).
    pub fn take(&mut self, staff: u32, now: u32) -> Option<WaitingNeed> {
        let q = *self.slot.get(staff as usize)?;
        if q == NO_QUEUE {
            return None;
        }
        let ring = self.expiring.len();
        let queue = &mut self.queues[q as usize];
        let mut found = None;
        while let Some(w) = queue.pop_front() {
            self.held -= 1;
            if w.expires <= now {
                self.expired -= 1;
            } else {
                self.expiring[w.expires as usize % ring] -= 1;
                found = Some(w);
                break;
            }
        }
        if queue.is_empty() {
            self.mark(staff, false);
        }
        found
    }

    /// Needs waiting (expired ones excluded).
    pub fn len(&self) -> usize {
        self.held - self.expired
    }

    /// Whether no need is waiting.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.queues
            .iter()
            .map(|q| q.capacity() * std::mem::size_of::<WaitingNeed>())
            .sum::<usize>()
            + self.queues.capacity()
                * std::mem::size_of::<std::collections::VecDeque<WaitingNeed>>()
            + self.slot.capacity() * 4
            + self.holding.capacity() * 8
            + self.expiring.capacity() * 4
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(origin: u32) -> Item {
        Item {
            kind: FlowKind::Need,
            at: 0,
            origin,
            entry_tie: 0,
            created: 0,
            hops: 0,
            walls: 0,
        }
    }

    #[test]
    fn items_arrive_at_their_step_in_insertion_order() {
        let mut q = FlightQueue::new(10);
        q.push(0, 3, item(1));
        q.push(0, 1, item(2));
        q.push(0, 3, item(3));
        assert_eq!(q.len(), 3);
        assert!(q.take(1).iter().map(|i| i.origin).eq([2]));
        assert!(q.take(2).is_empty());
        assert!(q.take(3).iter().map(|i| i.origin).eq([1, 3]));
        assert!(q.is_empty());
    }

    #[test]
    fn backlogs_keep_the_oldest_first_and_count_what_expires_once() {
        let mut b = Backlogs::new(10, 6);
        let wait = |origin, since, expires| WaitingNeed {
            item: Item {
                hops: 2,
                ..item(origin)
            },
            since,
            expires,
        };
        b.hold(7, wait(1, 0, 5));
        b.hold(7, wait(2, 0, 3));
        b.hold(7, wait(3, 1, 5));
        b.hold(2, wait(4, 1, 4));
        assert_eq!(b.len(), 4);
        for now in 1..3 {
            assert_eq!(b.expire(now), 0);
        }
        assert_eq!(b.next_staff(0, 2), Some(2));
        assert_eq!(b.next_staff(3, 2), Some(7));
        assert_eq!(b.next_staff(8, 2), None);
        // Step 3: need 2 expires, counted once, though still held behind 1.
        assert_eq!(b.expire(3), 1);
        assert_eq!(b.len(), 3);
        let w = b.take(7, 3).unwrap();
        assert_eq!((w.item.origin, w.at(3).hops), (1, 5));
        // Taking on, the expired need is removed, not returned.
        assert_eq!(b.take(7, 3).unwrap().item.origin, 3);
        assert_eq!(b.take(7, 3), None);
        assert_eq!(b.next_staff(3, 3), None, "an emptied backlog is gone");
        // Step 4: need 4 expires; nobody takes it, and the front is swept.
        assert_eq!(b.expire(4), 1);
        assert_eq!(b.len(), 0);
        assert_eq!(b.next_staff(0, 4), None);
        assert!(b.is_empty() && b.holding.iter().all(|&w| w == 0));
        // Needs taken before they expire are not counted when their step
        // comes.
        b.hold(1, wait(5, 4, 9));
        assert!(b.take(1, 5).is_some());
        assert_eq!(b.expire(9), 0);
    }

    #[test]
    fn delays_are_clamped_into_the_horizon() {
        let mut q = FlightQueue::new(3); // horizon 4
        q.push(10, 10, item(1)); // not before next step
        q.push(10, 100, item(2)); // not beyond the horizon
        assert_eq!(q.take(11).len(), 1);
        assert_eq!(q.take(13).len(), 1);
    }

    #[test]
    fn items_waiting_a_step_at_a_time_live_in_two_allocations_not_one_per_bucket() {
        let mut q = FlightQueue::new(7); // horizon 8
        let n = 10_000;
        for i in 0..n {
            q.push(0, 1, item(i));
        }
        for t in 1..40 {
            let items = q.take(t);
            assert_eq!(items.len(), n as usize);
            for it in &items {
                q.push(t, t + 1, *it);
            }
            q.give_back(items);
        }
        let item_bytes = std::mem::size_of::<Item>();
        let held = q.heap_bytes() - 8 * std::mem::size_of::<Vec<Item>>();
        // Two allocations, each under twice the items (grown by doubling);
        // one per bucket would be eight.
        assert!(
            held <= 4 * n as usize * item_bytes,
            "{held} bytes for {n} items of {item_bytes}"
        );
        assert!(q.take(40).iter().map(|i| i.origin).eq(0..n), "in order");
    }
}
