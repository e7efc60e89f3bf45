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

/// Networks with at least this many ties have the ties of a step's active
/// customers hinted ahead of their turns (`sim/step/mod.rs`, `decide`):
/// about 1 MB of tie targets and reverse ties, more than a core's own
/// caches hold. Below it the ties stay in cache and a hint only costs:
/// hinting the workshop's 5,276 ties made its steps 3 % slower, while the
/// core bench's 1,056,358 ties step 4-6 % faster with them (measured on
/// 2026-11-30).
pub const HINT_TIES_FROM: usize = 1 << 17;

/// Bytes per cache line.
const LINE: usize = 64;

/// Hint that `items[range]` will be read soon: one prefetch per cache line
/// (the range is clamped to the slice).
#[inline]
pub fn lines<T>(items: &[T], range: Range<usize>) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        let end = range.end.min(items.len());
        if range.start >= end {
            return;
        }
        let step = (LINE / std::mem::size_of::<T>().max(1)).max(1);
        let base = items.as_ptr();
        let mut i = range.start;
        while i < end {
            // SAFETY: a prefetch reads nothing the program sees and cannot
            // fault, whatever the address; the address is inside `items`
            // anyway. SSE, which it needs, is part of every x86-64.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(base.wrapping_add(i).cast()) };
            i += step;
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (items, range);
}
