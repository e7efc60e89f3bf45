//! Stepping whose cost follows activity: the sets of agents a step visits.
//!
//! A step visits every staff member, but of the customer parts only those
//! with something to do. The sets below are kept up to date by changes, so
//! finding an agent costs nothing when it has nothing to do:
//!
//! - **awake**: customer-part agents not unaware; **active**: those that
//!   are customers or advocates; **in_between**: awake and not active
//!   (aware, considering, churned, returning). Kept by the lifecycle switch (O(1) per
//!   agent that changed) and by the market's newcomers. The step's changes
//!   are noted as each next state is set (`customer_lifecycle.rs`), so
//!   finding them costs O(k log k) for k changes, not a pass over every
//!   agent.
//! - **hot**: agents at least one of whose peers refers now, kept by
//!   `count_referrers` (O(degree) when an agent starts or stops
//!   referring) while pooled word of mouth is on
//!   (`model.independent_referrals` under 1; empty at 1): an unaware
//!   prospect outside it draws nothing unless the campaign reaches it or a
//!   peer tells it.
//! - **referring**: agents that referred at the last count, looked at again
//!   only when their lifecycle state changes, a newcomer takes their slot
//!   or their referral window closes; **talks**, a bit per peer tie whose
//!   far end is one of them (kept with *hot*).
//! - **told**: the unaware prospects a referring peer told on its own
//!   this step (independent referrals), found by each referrer's skips
//!   along its ties before the decisions (`word_of_mouth.rs`) and emptied
//!   word by word as the decisions pass.
//! - **always**: staff, and the members of fully mixed groups (whose word
//!   of mouth is the group's).
//! - **reached**: the unaware prospects this step's campaign reaches,
//!   found by geometric skips before the decisions (`word_of_mouth.rs`)
//!   and emptied word by word as the decisions pass.
//! - **relieved** (a peer has eased the agent's needs since it arrived) and
//!   **reperceive** (its knowledge grew since its last perception): with
//!   the network's touchpoint holders, the awake agents whose perception
//!   can change while the offering and `personalisation` hold.
//!
//! **Decisions** visit `always ∪ (awake ∖ idle) ∪ (hot ∖ active) ∪ reached
//! ∪ told` in index order, where *idle* is the active customers whose turn
//! would draw nothing and change nothing this step
//! (`Simulation::busy_customers` in `step/mod.rs` says which are not):
//! when any chance an active customer draws for besides a contact and a
//! question to a peer is above 0 (or someone plays an agent), none; else
//! those without a touchpoint unless the contact rate is 0, and without a
//! peer unless community enablement is 0 (a customer with no touchpoint
//! draws nothing for a contact, one with no peer nothing for a question),
//! so with both at 0, all. Word of mouth (*hot*) moves prospects, not
//! active customers. That is exactly the agents the full loop would have
//! drawn for: the runs are bit-identical to visiting everyone. The sets
//! the decisions read (*always*, *awake*, *in_between*, *hot*, *reached*,
//! *told*) keep a summary, a bit per word of 64 agents saying whether it
//! holds a member, so the decisions pass over 4,096 agents at a time where
//! none of them holds anyone (where no active customer is busy, *awake* is
//! not read: its agents that act are *in_between*'s).
//!
//!
//! **Word of mouth's chances** are drawn before they are worked out: a
//! prospect's chance to be pulled by its referring peers, and a churned
//! customer's to return, grow with the trust-weighted share of its peers
//! who refer, which takes a read of each of them (their state, the trust
//! in them). An upper bound of that share comes from the prospect's count
//! of referring peers alone (each at voice 1 and trust 1), so the step
//! draws the word first and reads the peers only when it falls under the
//! chance at the bound: the same word, the same outcome, and most steps
//! of a prospect whose peers refer no read of them
//! (`Simulation::draw_under_share_bound`).
//!
//! **Perception** visits every awake agent when the offering or
//! `personalisation` moved since the last perception phase, and otherwise
//! only the awake agents with a touchpoint (their trust follows the
//! evidence), relief or new knowledge: for the others every input of
//! their perception is what it was, so it would write the same bits.
//! Unaware prospects are never perceived, because nothing the model does
//! reads an unaware agent's satisfaction or trust in the organisation. One
//! that leaves the state is perceived in phase 5 from inputs that have not
//! changed since phase 2 (the offering moves after the switch, settled
//! trust only when forgetting, knobs only in phase 1), and an unaware
//! agent has no relief to decay (relief and knowledge come from being a
//! customer; a newcomer starts at zero): the same values as perceiving it
//! every step. The inspector asks for an unaware agent's perception now.
//!
//! **Measuring** reads the report's customer counts and sums from a tally
//! kept by changes (`tally.rs`), not from the agents.
//!
//! So in a step where nothing happens to them, customers cost the step
//! nothing each: what remains is a few word operations per 4,096 agents in
//! the decisions (the sets' summaries, OR-ed), and per 64 where some set
//! holds a member (the sets, OR-ed and masked word by word).

/// How many agents a step visited (`activity.rs`): what its cost follows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Visits {
    /// Agents perceived in phase 2 (those leaving the unaware state are
    /// perceived at the switch, and not counted).
    pub perceived: u32,
    /// Agents that took a turn in phase 4.
    pub acted: u32,
    /// Prospects and churned customers whose referring peers were read in
    /// phase 4, to work out a chance that grows with their voice (the
    /// others' draws fell above its bound; `word_of_mouth.rs`).
    pub voices: u32,
}

/// A set of agents (or ties), one bit each, iterated in index order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct BitSet {
    words: Vec<u64>,
    /// Members: kept by `set`, so that an empty set is known in O(1).
    len: usize,
    /// Bit `w`: word `w` has a member. Kept by `set` and `clear_word`, so
    /// that a pass over the words of a sparse set can pass over its empty
    /// words 64 at a time ([`Self::summary_word`]); only in a set made
    /// [`Self::summarised`] (empty otherwise, and not kept).
    summary: Vec<u64>,
}

impl BitSet {
    /// The empty set over `n` agents.
    pub fn new(n: usize) -> BitSet {
        BitSet {
            words: vec![0; n.div_ceil(64)],
            len: 0,
            summary: Vec::new(),
        }
    }

    /// The empty set over `n` agents, keeping a summary of which words hold
    /// members ([`Self::summary_word`]): for the sets the decisions read,
    /// where a pass over every word would cost more than the members.
    pub fn summarised(n: usize) -> BitSet {
        let words = n.div_ceil(64);
        BitSet {
            words: vec![0; words],
            len: 0,
            summary: vec![0; words.div_ceil(64)],
        }
    }

    #[inline]
    pub fn contains(&self, a: u32) -> bool {
        self.words[a as usize / 64] & (1 << (a % 64)) != 0
    }

    #[inline]
    pub fn set(&mut self, a: u32, member: bool) {
        let (w, bit) = (a as usize / 64, 1u64 << (a % 64));
        let was = self.words[w] & bit != 0;
        if member {
            self.words[w] |= bit;
        } else {
            self.words[w] &= !bit;
        }
        self.len = self.len + usize::from(member) - usize::from(was);
        if !self.summary.is_empty() {
            let (s, held) = (&mut self.summary[w / 64], 1u64 << (w % 64));
            *s = (*s & !held) | (u64::from(self.words[w] != 0) << (w % 64));
        }
    }

    /// Check the member count against the members (for tests).
    pub fn check(&self, name: &str) -> Result<(), String> {
        let n: usize = self.words.iter().map(|w| w.count_ones() as usize).sum();
        if n != self.len {
            return Err(format!(
                "the set {name} has {n} members, counted as {}",
                self.len
            ));
        }
        for (w, &word) in self.words.iter().enumerate() {
            if self.summary.is_empty() {
                break;
            }
            let held = self.summary[w / 64] & (1 << (w % 64)) != 0;
            if held != (word != 0) {
                return Err(format!(
                    "the set {name}'s word {w} is {word:#x}, summarised as {}",
                    if held { "holding members" } else { "empty" }
                ));
            }
        }
        Ok(())
    }

    /// Whether the set has no member.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Call `f` for each member in `range`, in ascending order (a loop of
    /// its own, not an iterator: word of mouth calls it for every prospect
    /// a peer refers to, every step).
    #[inline]
    pub fn for_each_in(&self, range: std::ops::Range<u32>, mut f: impl FnMut(u32)) {
        let (lo, hi) = (range.start as usize, range.end as usize);
        if lo >= hi {
            return;
        }
        let last = (hi - 1) / 64;
        for w in lo / 64..=last {
            let mut bits = self.words[w];
            if w == lo / 64 {
                bits &= u64::MAX << (lo % 64);
            }
            if w == last {
                bits &= u64::MAX >> (63 - (hi - 1) % 64);
            }
            while bits != 0 {
                f((w * 64) as u32 + bits.trailing_zeros());
                bits &= bits - 1;
            }
        }
    }

    /// Empty word `w` of the set (agents `64w..64w + 64`).
    #[inline]
    pub fn clear_word(&mut self, w: usize) {
        if self.words[w] != 0 {
            self.len -= self.words[w].count_ones() as usize;
            self.words[w] = 0;
            if let Some(s) = self.summary.get_mut(w / 64) {
                *s &= !(1 << (w % 64));
            }
        }
    }

    /// Word `s` of the summary of a [`Self::summarised`] set: bit `i` says
    /// whether word `64s + i` has a member.
    #[inline]
    pub fn summary_word(&self, s: usize) -> u64 {
        debug_assert!(!self.summary.is_empty(), "a set kept without a summary");
        self.summary[s]
    }

    /// Word `w` of the set (agents `64w..64w + 64`).
    #[inline]
    pub fn word(&self, w: usize) -> u64 {
        self.words[w]
    }

    /// Number of words.
    #[inline]
    pub fn words(&self) -> usize {
        self.words.len()
    }

    /// Bytes held.
    pub fn heap_bytes(&self) -> usize {
        (self.words.capacity() + self.summary.capacity()) * std::mem::size_of::<u64>()
    }
}

/// The members in word `bits` of a set (word index `w`), in index order.
#[inline]
pub(crate) fn ones(w: usize, mut bits: u64) -> impl Iterator<Item = u32> {
    std::iter::from_fn(move || {
        (bits != 0).then(|| {
            let a = (w * 64) as u32 + bits.trailing_zeros();
            bits &= bits - 1;
            a
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_iterate_in_index_order() {
        let mut s = BitSet::summarised(130);
        for a in [129, 0, 64, 63, 7] {
            s.set(a, true);
        }
        s.set(7, false);
        let all: Vec<u32> = (0..s.words()).flat_map(|w| ones(w, s.word(w))).collect();
        assert_eq!(all, [0, 63, 64, 129]);
        assert!(s.contains(63) && !s.contains(7));
        let members_in = |s: &BitSet, range: std::ops::Range<u32>| {
            let mut v = Vec::new();
            s.for_each_in(range, |a| v.push(a));
            v
        };
        for (range, expect) in [
            (0..130, vec![0, 63, 64, 129]),
            (1..129, vec![63, 64]),
            (63..65, vec![63, 64]),
            (64..64, vec![]),
            // Reversed: empty.
            (std::ops::Range { start: 65, end: 64 }, vec![]),
            (100..130, vec![129]),
            (0..64, vec![0, 63]),
            (0..63, vec![0]),
            (64..65, vec![64]),
            (129..130, vec![129]),
        ] {
            assert_eq!(members_in(&s, range.clone()), expect, "{range:?}");
        }

        s.check("s").unwrap();
        assert_eq!(s.summary_word(0), 0b111, "words 0, 1 and 2 hold members");

        s.set(63, true);
        assert!(!s.is_empty());
        s.clear_word(1);
        assert_eq!(members_in(&s, 0..130), [0, 63, 129]);
        for a in [0, 63, 129, 129] {
            s.set(a, false);
        }
        assert!(s.is_empty());
        assert_eq!(s.summary_word(0), 0, "every word empty");
        s.check("s").unwrap();
    }

    #[test]
    fn the_summary_says_which_words_hold_members() {
        // 70 words: two summary words.
        let mut s = BitSet::summarised(64 * 70);
        for a in [5, 6, 64 * 3, 64 * 69 + 63] {
            s.set(a, true);
        }
        assert_eq!(s.summary_word(0), 1 | 1 << 3);
        assert_eq!(s.summary_word(1), 1 << 5, "word 69");
        s.set(5, false);
        assert_eq!(s.summary_word(0), 1 | 1 << 3, "word 0 still holds 6");
        s.set(6, false);
        assert_eq!(s.summary_word(0), 1 << 3, "word 0 emptied by set");
        s.clear_word(69);
        assert_eq!(s.summary_word(1), 0, "word 69 emptied by clear_word");
        s.check("s").unwrap();
        // A summary that disagrees with its words is reported.
        s.summary[1] = 1;
        assert!(s.check("s").unwrap_err().contains("word 64"));
    }
}
