//! The forgetting pass's sums of settled trust per trust class: per chunk
//! of ties, in interleaved lanes, and what a chunk without evidence always
//! adds ([`NeutralSums`]).

use super::{CHUNK, NEUTRAL, TRUST_CLASSES, WALL_CLASS};

/// Interleaved accumulators per chunk (see [`super::Evidence::forget_and_sum`]).
const LANES: usize = 4;

/// What the forgetting pass adds for each chunk of ties without evidence:
/// per chunk, the non-zero per-lane, per-class partial sums of neutral
/// trust, in the order the pass adds them. It depends only on the ties'
/// classes, so a network builds it once ([`crate::network::Network::neutral_sums`])
/// and every run on it shares it.
#[derive(Clone, Debug, Default)]
pub struct NeutralSums {
    /// Chunk `c`'s entries are `entries[start[c]..start[c + 1]]`.
    pub(super) start: Vec<u32>,
    /// (class, partial sum).
    pub(super) entries: Vec<(u8, f32)>,
    /// `prefix[c]`: the per-class sums of chunks `0..c` all cold, added
    /// from zero in the pass's order, so a pass can start at its first
    /// chunk with evidence with the same bits.
    pub(super) prefix: Vec<[f64; TRUST_CLASSES]>,
}

impl NeutralSums {
    /// The sums for ties of classes `class` (one per tie).
    pub fn new(class: &[u8]) -> NeutralSums {
        let mut cold = NeutralSums {
            start: vec![0],
            entries: Vec::new(),
            prefix: vec![[0.0; TRUST_CLASSES]],
        };
        let neutral = [NEUTRAL; CHUNK];
        let mut sums = [0.0f64; TRUST_CLASSES];
        for c in class.chunks(CHUNK) {
            for partial in chunk_partials(&neutral[..c.len()], c) {
                for (k, v) in partial.into_iter().enumerate() {
                    if v != 0.0 {
                        cold.entries.push((k as u8, v));
                        sums[k] += f64::from(v);
                    }
                }
            }
            cold.start.push(cold.entries.len() as u32);
            cold.prefix.push(sums);
        }
        cold
    }

    /// Bytes held on the heap.
    pub fn heap_bytes(&self) -> usize {
        self.start.capacity() * std::mem::size_of::<u32>()
            + self.entries.capacity() * std::mem::size_of::<(u8, f32)>()
            + self.prefix.capacity() * std::mem::size_of::<[f64; TRUST_CLASSES]>()
    }
}

/// One chunk's per-lane, per-class sums of settled trust `e`: neighbouring
/// ties mostly share a class, and interleaved accumulators keep them from
/// waiting on each other's adds.
#[inline]
pub(super) fn chunk_partials(e: &[f32], c: &[u8]) -> [[f32; TRUST_CLASSES]; LANES] {
    let mut partial = [[0.0f32; TRUST_CLASSES]; LANES];
    let (e4, e_rest) = e.as_chunks::<LANES>();
    let (c4, c_rest) = c.as_chunks::<LANES>();
    for (e4, c4) in e4.iter().zip(c4) {
        for lane in 0..LANES {
            partial[lane][usize::from(c4[lane]).min(WALL_CLASS)] += e4[lane];
        }
    }
    for (e, c) in e_rest.iter().zip(c_rest) {
        partial[0][usize::from(*c).min(WALL_CLASS)] += e;
    }
    partial
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The interleaved lanes add what adding each tie into its lane's
    /// class adds, in the same order (a guard for any faster way of
    /// summing: the report's trust sums depend on these bits).
    #[test]
    fn partial_sums_keep_every_bit_of_adding_tie_by_tie() {
        fn by_tie(e: &[f32], c: &[u8]) -> [[f32; TRUST_CLASSES]; LANES] {
            let mut partial = [[0.0f32; TRUST_CLASSES]; LANES];
            let whole = e.len() / LANES * LANES;
            for (t, (x, c)) in e.iter().zip(c).enumerate() {
                let lane = if t < whole { t % LANES } else { 0 };
                partial[lane][usize::from(*c).min(WALL_CLASS)] += x;
            }
            partial
        }
        let mut x = 0x2545_f491_u32;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x
        };
        for len in [0, 3, 4, 37, 1024, 1023] {
            // Long runs of one class, a mixed stretch, classes past the
            // wall class, and trust values of every size.
            let c: Vec<u8> = (0..len)
                .map(|t| match t / 100 {
                    3 => (next() % 20) as u8,
                    k => (k % 4) as u8 * 5 + u8::from(t % 97 == 0),
                })
                .collect();
            let e: Vec<f32> = (0..len)
                .map(|_| f32::from_bits(0x3000_0000 + next() % 0x1000_0000))
                .collect();
            let (fast, slow) = (chunk_partials(&e, &c), by_tie(&e, &c));
            for lane in 0..LANES {
                assert_eq!(
                    fast[lane].map(f32::to_bits),
                    slow[lane].map(f32::to_bits),
                    "length {len}, lane {lane}"
                );
            }
        }
    }
}
