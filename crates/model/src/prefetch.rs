//! Asking the processor to start loading memory a loop will soon read.
//!
//! A step visits agents in index order, and an agent's ties lie together
//! in the network's tie arrays, so the ties of the agents a loop reaches
//! next are known before it reads them. Which of those ties it reads is
//! drawn at random (a touchpoint to contact, a peer to ask), so the
//! processor's own prefetchers cannot see them coming; a hint for the whole
//! stretch can. A hint changes no result: it reads nothing the program
//! sees and cannot fault.

use std::ops::Range;

/// Networks with at least this many ties may have the ties of a step's
/// active customers hinted ahead of their turns (`sim/step/mod.rs`,
/// `decide`, which also asks for a word of agents that is at least half
/// active customers taking a turn, and for a turn that can read a tie):
/// about 1 MB of tie targets and reverse ties, more than a core's own
/// caches hold. Below it the ties stay in cache and a hint only costs:
/// hinting the workshop's 5,276 ties made its steps 3 % slower, while the
/// core bench's 1,056,358 ties step 4-6 % faster with them (measured on
/// 2026-11-30).
pub const HINT_TIES_FROM: usize = 1 << 17;

/// Bytes per cache line.
const LINE: usize = 64;

/// Hint that `items[range]` will be read soon: one prefetch per cache line
/// it touches, from the line of its first item to the line of its last
/// (the range is clamped to the slice). On processors other than x86-64
/// no hint is given.
#[inline]
pub fn lines<T>(items: &[T], range: Range<usize>) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        let end = range.end.min(items.len());
        if range.start >= end || std::mem::size_of::<T>() == 0 {
            return;
        }
        let first = items[range.start..end].as_ptr() as usize;
        let last = std::ptr::from_ref(&items[end - 1]) as usize;
        let mut line = first - first % LINE;
        while line <= last {
            // SAFETY: a prefetch reads nothing the program sees and cannot
            // fault, whatever the address; every line hinted holds an item
            // of the range anyway. SSE, which it needs, is part of every
            // x86-64.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(line as *const i8) };
            line += LINE;
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (items, range);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_range_is_hinted_without_reading_past_the_slice() {
        // Empty, clamped, single-item, unaligned and whole ranges: a hint
        // must never index outside the slice (the indexing panics if it
        // did), and a zero-sized type has no lines to hint.
        let items: Vec<u32> = (0..1000).collect();
        for range in [
            0..0,
            5..5,
            999..1000,
            3..19,
            15..17,
            0..1000,
            990..5000,
            2000..3000,
        ] {
            lines(&items, range);
        }
        lines::<u8>(&[], 0..10);
        lines(&[(); 8], 0..8);
    }
}
