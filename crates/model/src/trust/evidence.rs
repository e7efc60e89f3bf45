//! Evidence on every directed tie, and the forgetting pass.

use super::sums::{NeutralSums, chunk_partials};
use super::{CHUNK, NEUTRAL, TRUST_CLASSES, expectation};

/// Evidence on a set of directed ties: each tie's positive and negative
/// evidence side by side (one cache line holds both, so adding evidence to
/// a tie or reading its trust costs one miss on a large network).
///
/// Agents act on start-of-step trust: new evidence is buffered during a
/// step and added after the step's last read of trust, just before the
/// forgetting pass, so between a pass and the next evidence
/// [`settled_at`] is the trust the pass settled at. It is not stored: the
/// pass writes only the evidence, and a read divides.
///
/// The forgetting pass costs what the evidence is: a chunk of ties that has
/// never received any (all of a cascade's peer ties, say) is not visited;
/// its trust is neutral and its share of the per-class sums is kept. And
/// until the first evidence anywhere, no per-tie array is held at all (it
/// is allocated, zeroed, at the first [`Evidence::add`]): starting a run
/// writes nothing per tie, and a run in which no tie ever receives evidence
/// (a cascade's) never does.
///
/// [`settled_at`]: Evidence::settled_at
#[derive(Clone, Debug, Default)]
pub struct Evidence {
    /// How many ties.
    ties: usize,
    /// Positive and negative evidence per tie, `[r, s]`: empty until the
    /// first evidence, then one per tie.
    rs: Vec<[f32; 2]>,
    /// One bit per chunk: set once any of its ties received evidence.
    warm: Vec<u64>,
    /// Whether evidence changed since the last forgetting pass (when
    /// [`Evidence::settled_at`] would no longer be start-of-step trust).
    changed: bool,
}

impl Evidence {
    /// No evidence on `ties` ties.
    pub fn new(ties: usize) -> Self {
        Self {
            ties,
            rs: Vec::new(),
            warm: vec![0; ties.div_ceil(CHUNK).div_ceil(64)],
            changed: false,
        }
    }

    /// The first evidence: hold the per-tie array from now on.
    #[cold]
    fn hold(&mut self) {
        self.rs = vec![[0.0; 2]; self.ties];
    }

    /// Positive and negative evidence on tie `t`.
    #[inline]
    pub fn at(&self, t: usize) -> (f32, f32) {
        if self.rs.is_empty() {
            // As indexing the array would, before it exists too.
            assert!(t < self.ties, "tie {t} of {}", self.ties);
            (0.0, 0.0)
        } else {
            let [r, s] = self.rs[t];
            (r, s)
        }
    }

    /// Trust on tie `t`, from its evidence now.
    #[inline]
    pub fn trust(&self, t: usize) -> f32 {
        let (r, s) = self.at(t);
        expectation(r, s)
    }

    /// Trust on tie `t` as of the last [`forget_and_sum`] (start-of-step
    /// trust), which only a pass may follow: evidence added or cleared
    /// since is an error (it panics in debug builds). Neutral when `t`'s
    /// chunk never received evidence, without reading anything per tie then
    /// (one bit for the thousand ties of a chunk, so a lookup on a tie far
    /// away costs no cache miss on a large network that is mostly quiet).
    ///
    /// [`forget_and_sum`]: Evidence::forget_and_sum
    #[inline]
    pub fn settled_at(&self, t: usize) -> f32 {
        debug_assert!(
            !self.changed,
            "start-of-step trust read after this step's evidence"
        );
        let chunk = t / CHUNK;
        if self.warm[chunk / 64] & (1 << (chunk % 64)) == 0 {
            NEUTRAL
        } else {
            let [r, s] = self.rs[t];
            expectation(r, s)
        }
    }

    /// Whether no tie has ever received evidence: every tie's settled
    /// trust is then [`NEUTRAL`], and [`Self::settled_at`] need not be
    /// asked (nor the tie found).
    #[inline]
    pub fn all_neutral(&self) -> bool {
        self.rs.is_empty()
    }

    /// [`Self::settled_at`] for each tie of `ties`, in order.
    #[inline]
    pub fn settled_in(&self, ties: std::ops::Range<usize>) -> impl Iterator<Item = f32> + '_ {
        ties.map(|t| self.settled_at(t))
    }

    /// Add evidence `dr` (positive) and `ds` (negative) to tie `t`.
    #[inline]
    pub fn add(&mut self, t: usize, dr: f32, ds: f32) {
        if self.rs.is_empty() {
            self.hold();
        }
        let [r, s] = &mut self.rs[t];
        *r += dr;
        *s += ds;
        let chunk = t / CHUNK;
        self.warm[chunk / 64] |= 1 << (chunk % 64);
        self.changed = true;
    }

    /// Remove all evidence from tie `t` (its trust becomes neutral at the
    /// next [`forget_and_sum`]).
    ///
    /// [`forget_and_sum`]: Evidence::forget_and_sum
    #[inline]
    pub fn clear(&mut self, t: usize) {
        if !self.rs.is_empty() {
            self.rs[t] = [0.0; 2];
            self.changed = true;
        }
    }

    /// Forget: multiply all evidence by `lambda`, settle each tie's trust,
    /// and add it into `sums[class[t]]` (trust *after* forgetting); chunks
    /// without evidence are passed over with the same result. One pass over
    /// the chunks of ties that hold evidence, the hot loop of a
    /// busy step; `class` must be the same slice at every call and `cold`
    /// its [`NeutralSums`].
    ///
    /// Complexity: O(ties with evidence nearby + chunks from the first
    /// with evidence); with no evidence anywhere, one look at a bit per
    /// chunk (64 to a word).
    pub fn forget_and_sum(
        &mut self,
        lambda: f32,
        class: &[u8],
        cold: &NeutralSums,
        sums: &mut [f64; TRUST_CLASSES],
    ) {
        // Per-chunk f32 partial sums keep the inner loop cheap; the f64
        // totals keep a million-tie sum accurate. A chunk without evidence
        // adds the partial sums of neutral trust it always has (adding a
        // zero changes no sum, so those are left out).
        debug_assert_eq!(class.len(), self.ties);
        debug_assert!(self.rs.is_empty() || self.rs.len() == self.ties);
        self.changed = false;
        debug_assert_eq!(cold.start.len(), self.ties.div_ceil(CHUNK) + 1);
        // The chunks before the first with evidence add what they always
        // add: start there (from zero sums only, which is how the step
        // calls it).
        let first = if sums.iter().all(|x| x.to_bits() == 0) {
            let first = self
                .warm
                .iter()
                .position(|&w| w != 0)
                .map_or(cold.prefix.len() - 1, |w| {
                    64 * w + self.warm[w].trailing_zeros() as usize
                })
                .min(cold.prefix.len() - 1);
            *sums = cold.prefix[first];
            first
        } else {
            0
        };
        if self.rs.is_empty() {
            // No evidence yet anywhere: every chunk adds its neutral sums.
            for bounds in cold.start[first..].windows(2) {
                for &(k, v) in &cold.entries[bounds[0] as usize..bounds[1] as usize] {
                    sums[usize::from(k)] += f64::from(v);
                }
            }
            return;
        }
        let from = (first * CHUNK).min(self.rs.len());
        let mut settled = [0.0f32; CHUNK];
        for (chunk, ((rs, c), bounds)) in self.rs[from..]
            .chunks_mut(CHUNK)
            .zip(class[from..].chunks(CHUNK))
            .zip(cold.start[first..].windows(2))
            .enumerate()
        {
            let chunk = first + chunk;
            if self.warm[chunk / 64] & (1 << (chunk % 64)) == 0 {
                for &(k, v) in &cold.entries[bounds[0] as usize..bounds[1] as usize] {
                    sums[usize::from(k)] += f64::from(v);
                }
                continue;
            }
            // No dependency between ties: this loop vectorises.
            let e = &mut settled[..rs.len()];
            for ([r, s], e) in rs.iter_mut().zip(e.iter_mut()) {
                *r *= lambda;
                *s *= lambda;
                *e = expectation(*r, *s);
            }
            for lane in chunk_partials(e, c) {
                for (sum, part) in sums.iter_mut().zip(lane) {
                    *sum += f64::from(part);
                }
            }
        }
    }

    /// Check that every chunk the forgetting pass passes over holds no
    /// evidence (for tests).
    pub fn check(&self) -> Result<(), String> {
        for (t, [r, s]) in self.rs.iter().enumerate() {
            let chunk = t / CHUNK;
            let warm = self.warm[chunk / 64] & (1 << (chunk % 64)) != 0;
            if !warm && (*r != 0.0 || *s != 0.0) {
                return Err(format!(
                    "tie {t} holds evidence ({r}, {s}) in a chunk marked empty"
                ));
            }
        }
        Ok(())
    }

    /// Bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.rs.capacity() * std::mem::size_of::<[f32; 2]>()
            + self.warm.capacity() * std::mem::size_of::<u64>()
    }
}
#[cfg(test)]
mod tests {
    use super::super::{WALL_CLASS, steady_state};
    use super::*;

    #[test]
    fn all_neutral_until_the_first_evidence() {
        let mut ev = Evidence::new(3 * CHUNK);
        assert!(ev.all_neutral());
        assert!((0..3 * CHUNK).all(|t| ev.settled_at(t) == NEUTRAL));
        ev.add(CHUNK + 5, 0.0, 0.0);
        assert!(!ev.all_neutral(), "evidence added, even of nothing");
    }

    #[test]
    fn forgetting_converges_to_the_closed_form_limit() {
        let lambda = 0.9;
        let mut ev = Evidence::new(1);
        let mut sums = [0.0; TRUST_CLASSES];
        for _ in 0..500 {
            ev.forget_and_sum(lambda, &[0], &NeutralSums::new(&[0]), &mut sums);
            ev.add(0, 1.0, 0.0);
        }
        // r → w/(1-λ) = 10 (after the add), E → 11/12.
        let limit = steady_state(1.0, 0.0, lambda);
        assert!(
            (ev.trust(0) - limit).abs() < 1e-4,
            "{} vs {limit}",
            ev.trust(0)
        );
        assert!((limit - 11.0 / 12.0).abs() < 1e-6);
    }

    /// The bits of tie `t`'s trust from its evidence.
    fn settled(ev: &Evidence, t: usize) -> u32 {
        let (r, s) = ev.at(t);
        expectation(r, s).to_bits()
    }

    /// The forgetting pass that visits every chunk, as it was before chunks
    /// without evidence were passed over.
    fn forget_every_chunk(
        ev: &mut Evidence,
        lambda: f32,
        class: &[u8],
        sums: &mut [f64; TRUST_CLASSES],
    ) {
        if ev.rs.is_empty() {
            // Every tie, evidence or not.
            ev.hold();
        }
        ev.changed = false;
        for (rs, c) in ev.rs.chunks_mut(CHUNK).zip(class.chunks(CHUNK)) {
            let mut e = vec![0.0; rs.len()];
            for ([r, s], e) in rs.iter_mut().zip(e.iter_mut()) {
                *r *= lambda;
                *s *= lambda;
                *e = expectation(*r, *s);
            }
            for lane in chunk_partials(&e, c) {
                for (sum, part) in sums.iter_mut().zip(lane) {
                    *sum += f64::from(part);
                }
            }
        }
    }

    /// The trust a pass settles at is read until the next evidence: the
    /// tie that received some, at its expectation, the others neutral,
    /// whether their chunk holds evidence or not.
    #[test]
    fn trust_settles_at_the_pass() {
        let ties = 3 * CHUNK;
        let class = vec![0u8; ties];
        let cold = NeutralSums::new(&class);
        let mut ev = Evidence::new(ties);
        ev.add(CHUNK + 5, 3.0, 0.0);
        let mut sums = [0.0; TRUST_CLASSES];
        ev.forget_and_sum(1.0, &class, &cold, &mut sums);
        assert_eq!(ev.settled_at(CHUNK + 5), expectation(3.0, 0.0));
        for t in [0, CHUNK, CHUNK + 6, 2 * CHUNK - 1, 2 * CHUNK] {
            assert_eq!(ev.settled_at(t), NEUTRAL, "tie {t}");
        }
        let expect = 0.5 * (ties - 1) as f64 + f64::from(expectation(3.0, 0.0));
        assert!(
            (sums[0] - expect).abs() < 1e-4,
            "{} against {expect}",
            sums[0]
        );
        ev.check().unwrap();
    }

    /// Start-of-step trust read after this step's evidence (added or
    /// cleared) is a mistake of the step's order, caught in debug builds.
    #[cfg(debug_assertions)]
    #[test]
    fn start_of_step_trust_is_not_read_after_the_evidence() {
        let class = vec![0u8; 8];
        let cold = NeutralSums::new(&class);
        let mut ev = Evidence::new(8);
        ev.add(3, 1.0, 0.0);
        let mut sums = [0.0; TRUST_CLASSES];
        ev.forget_and_sum(0.9, &class, &cold, &mut sums);
        assert!(ev.settled_at(3) > NEUTRAL);
        for change in [
            (|ev: &mut Evidence| ev.add(5, 0.0, 1.0)) as fn(&mut Evidence),
            |ev| ev.clear(3),
        ] {
            let mut ev = ev.clone();
            change(&mut ev);
            let read = std::panic::catch_unwind(|| ev.settled_at(3));
            assert!(read.is_err(), "a read after the evidence passed");
        }
    }

    #[test]
    fn a_pass_that_starts_at_the_first_chunk_with_evidence_sums_the_same_bits() {
        let ties = 40 * CHUNK + 11;
        let class: Vec<u8> = (0..ties)
            .map(|t| ((t / 700 + t % 3) % TRUST_CLASSES) as u8)
            .collect();
        let (mut fast, mut every) = (Evidence::new(ties), Evidence::new(ties));
        let cold = NeutralSums::new(&class);
        // No evidence anywhere, then only far in, then also near the start.
        for step in 0..9usize {
            let at = match step {
                0..=2 => None,
                3..=5 => Some(ties - 5 - step * 300),
                _ => Some(CHUNK + step),
            };
            if let Some(t) = at {
                fast.add(t, 0.5, 0.2 * step as f32);
                every.add(t, 0.5, 0.2 * step as f32);
            }
            if at.is_none() {
                // Before any evidence nothing is held per tie.
                assert!(fast.heap_bytes() < ties / 100, "{}", fast.heap_bytes());
            }
            let (mut a, mut b) = ([0.0; TRUST_CLASSES], [0.0; TRUST_CLASSES]);
            fast.forget_and_sum(0.8, &class, &cold, &mut a);
            forget_every_chunk(&mut every, 0.8, &class, &mut b);
            assert_eq!(a.map(f64::to_bits), b.map(f64::to_bits), "step {step}");
            assert!(
                (0..ties).all(|t| fast.settled_at(t).to_bits() == settled(&every, t)),
                "step {step}"
            );
        }
    }

    #[test]
    fn passing_over_chunks_without_evidence_changes_no_bit() {
        // 10 chunks and a ragged end; classes in runs, as agents' ties are.
        let ties = 10 * CHUNK + 37;
        let class: Vec<u8> = (0..ties)
            .map(|t| ((t / 300) % TRUST_CLASSES) as u8)
            .collect();
        let (mut fast, mut every) = (Evidence::new(ties), Evidence::new(ties));
        let cold = NeutralSums::new(&class);
        for step in 0..12usize {
            // Evidence reaches a few chunks, more of them as steps go on
            // (never chunk 3, and the last only at step 11).
            for k in 0..=step.min(6) {
                let t = (k * 1_531 + step * 97) % ties;
                if t / CHUNK != 3 {
                    fast.add(t, 0.3 * k as f32, 0.1);
                    every.add(t, 0.3 * k as f32, 0.1);
                }
            }
            if step == 11 {
                fast.add(ties - 1, 0.0, 2.0);
                every.add(ties - 1, 0.0, 2.0);
            }
            let (mut a, mut b) = ([0.0; TRUST_CLASSES], [0.0; TRUST_CLASSES]);
            fast.forget_and_sum(0.9, &class, &cold, &mut a);
            forget_every_chunk(&mut every, 0.9, &class, &mut b);
            assert_eq!(a.map(f64::to_bits), b.map(f64::to_bits), "step {step}");
            assert!((0..ties).all(|t| fast.settled_at(t).to_bits() == settled(&every, t)));
            fast.check().unwrap();
        }
        assert!(
            fast.warm[0] & (1 << 3) == 0,
            "chunk 3 never received evidence"
        );
        // Evidence written behind the pass's back is caught by the check.
        fast.rs[3 * CHUNK + 5][0] = 1.0;
        assert!(fast.check().is_err());
    }

    #[test]
    fn forget_and_sum_aggregates_by_pair() {
        let mut ev = Evidence::new(3);
        ev.add(0, 8.0, 0.0);
        ev.add(2, 0.0, 8.0);
        let mut sums = [0.0; TRUST_CLASSES];
        let class = [5, 5, WALL_CLASS as u8];
        ev.forget_and_sum(1.0, &class, &NeutralSums::new(&class), &mut sums);
        assert!((sums[5] - 1.4).abs() < 1e-6, "{}", sums[5]);
        assert!((sums[WALL_CLASS] - 0.1).abs() < 1e-6);
        assert_eq!(sums.iter().filter(|s| **s != 0.0).count(), 2);
    }
}
