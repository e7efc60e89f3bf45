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
//! Leaves out: queueing capacity (a busy staff member delays an item by a
//! step with probability `efficiency_pressure · model.responsiveness_cut`,
//! but load does not build up), and content: an item carries who it is
//! about, not what it says.

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
