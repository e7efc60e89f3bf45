//! The simulation's random numbers: a portable, seedable stream.
//!
//! Every random draw in a run comes from a [`SimRng`], a thin wrapper over
//! [`ChaCha8Rng`] (portable across platforms, unlike `StdRng`/`SmallRng`),
//! or, for the agents' starting attributes, from a [`Keyed`] stream keyed
//! by one, which gives any word without the ones before it.
//! The conversions from raw bits to floats and bounded integers are written
//! here rather than taken from `rand`'s distributions, so a golden hash can
//! only change when *this* code changes, never with a dependency bump.
//!
//! Streams: one base seed gives independent streams for independent jobs
//! (graph generation, dynamics), so that changing the dynamics never changes
//! the generated organisation.

use rand::rngs::ChaCha8Rng;
use rand::{Rng, SeedableRng};

/// Which independent stream of a run's seed a generator draws from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u64)]
pub enum Stream {
    /// Building the network from the scenario's generators.
    Network = 1,
    /// Initial agent attributes (needs, starting states).
    Agents = 2,
    /// Step-by-step dynamics.
    Dynamics = 3,
    /// Where the app draws each agent (never touches a run's results).
    Layout = 4,
    /// The points a sensitivity design evaluates, and its bootstrap (never
    /// touches a run's results).
    Design = 5,
}

/// A seeded, portable random stream.
#[derive(Debug)]
pub struct SimRng(ChaCha8Rng);

impl Clone for SimRng {
    /// A copy at the same position of the same stream (ChaCha's state is
    /// its key, stream and word position, so copying it is exact).
    fn clone(&self) -> Self {
        Self(ChaCha8Rng::deserialize_state(&self.0.serialize_state()))
    }
}

impl SimRng {
    /// The stream `stream` of base seed `seed`.
    pub fn new(seed: u64, stream: Stream) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(stream as u64);
        Self(rng)
    }

    /// A uniform `u32`.
    #[inline]
    pub fn next_u32(&mut self) -> u32 {
        self.0.next_u32()
    }

    /// How many 32-bit words the stream has given so far.
    pub fn words_drawn(&self) -> u128 {
        self.0.get_word_pos()
    }

    /// A uniform `f32` in `[0, 1)` with 24 bits of precision.
    #[inline]
    pub fn unit(&mut self) -> f32 {
        Self::unit_of(self.next_u32())
    }

    /// The [`Self::unit`] that the word `word` gives.
    #[inline]
    pub fn unit_of(word: u32) -> f32 {
        (word >> 8) as f32 * (1.0 / (1u32 << 24) as f32)
    }

    /// Whether [`Self::chance`]`(p)` draws a word: only when the outcome is
    /// uncertain.
    #[inline]
    pub fn chance_draws(p: f32) -> bool {
        !(p <= 0.0 || p >= 1.0)
    }

    /// [`Self::chance`]`(p)` when it draws nothing
    /// (`!`[`Self::chance_draws`]`(p)`).
    #[inline]
    pub fn chance_without_draw(p: f32) -> bool {
        p >= 1.0
    }

    /// A uniform `f64` in `[0, 1)` with 53 bits of precision.
    #[inline]
    pub fn unit_f64(&mut self) -> f64 {
        (self.0.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// `true` with probability `p` (`p <= 0` never, `p >= 1` always).
    #[inline]
    pub fn chance(&mut self, p: f32) -> bool {
        // Only draw when the outcome is uncertain: knobs at 0 or 1 then cost
        // nothing, and switching a mechanism fully off leaves the stream of
        // the other mechanisms' draws as it was.
        if Self::chance_draws(p) {
            self.unit() < p
        } else {
            Self::chance_without_draw(p)
        }
    }

    /// A uniform integer in `0..n` (Lemire's multiply-shift; `n > 0`).
    ///
    /// The bias is below 2⁻³² · n, far under anything a run can observe.
    #[inline]
    pub fn below(&mut self, n: u32) -> u32 {
        debug_assert!(n > 0, "below(0) has no value to return");
        ((u64::from(self.next_u32()) * u64::from(n)) >> 32) as u32
    }

    /// A uniform `u64` in `0..n` for `n > 0` (used for index spaces larger
    /// than `u32`, such as the pairs of a big group).
    #[inline]
    pub fn below_u64(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0);
        ((u128::from(self.0.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// A draw from the geometric distribution: the number of failures before
    /// the first success of a Bernoulli(`p`) sequence, for `0 < p < 1`.
    ///
    /// Used to skip over non-ties when generating sparse random graphs in
    /// O(ties) instead of O(pairs) (Batagelj & Brandes 2005), and over the
    /// agents a per-step chance passes by (a campaign, the market's
    /// turnover). Pass `ln_q = (−p).ln_1p()`, exact for tiny `p`; a `p` so
    /// small that `ln_q` is 0 never succeeds (`u64::MAX`, drawing nothing).
    #[inline]
    pub fn geometric_skip(&mut self, ln_q: f64) -> u64 {
        if ln_q >= 0.0 || ln_q.is_nan() {
            return u64::MAX;
        }
        // ln_q = ln(1 - p) < 0. 1 - u is in (0, 1] so the log is finite.
        let u = 1.0 - self.unit_f64();
        // Not negative (a log of (0, 1] over a negative), so truncating is
        // the floor, without a call to `floor` on targets without SSE4.1.
        let k = u.ln() / ln_q;
        if k >= u64::MAX as f64 {
            u64::MAX
        } else {
            k as u64
        }
    }
}

/// A counter-based stream: word `i` is a function of the stream's key and
/// `i` alone, so any word can be read in O(1) without generating the ones
/// before it, in any order, any number of times.
///
/// Word `i` is output `i + 1` of SplitMix64 (Steele, Lea & Flood 2014)
/// started from the key, which passes BigCrush; the key is the first 64
/// bits of the [`SimRng`] stream of the same seed. A run draws each customer's
/// starting attributes this way, when they are first needed, so that a
/// large market of prospects is not visited to start a run
/// (`sim/attributes.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Keyed {
    key: u64,
}

impl Keyed {
    /// The counter-based stream `stream` of base seed `seed`.
    pub fn new(seed: u64, stream: Stream) -> Self {
        Self {
            key: SimRng::new(seed, stream).0.next_u64(),
        }
    }

    /// Word `i`: the high half of SplitMix64's output `i + 1`.
    #[inline]
    pub fn word(&self, i: u64) -> u32 {
        const GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut z = self.key.wrapping_add(i.wrapping_add(1).wrapping_mul(GAMMA));
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        ((z ^ (z >> 31)) >> 32) as u32
    }

    /// The [`SimRng::unit`] that word `i` gives.
    #[inline]
    pub fn unit(&self, i: u64) -> f32 {
        SimRng::unit_of(self.word(i))
    }
}

/// The members of a range that independent chances `p` each hit, in
/// ascending order, found by geometric skips: one draw per member hit (and
/// one past the last), none at all for `p >= 1` (every member) or `p <= 0`
/// (none).
///
/// Drawing this way instead of one [`SimRng::chance`] per member gives the
/// same distribution from other draws.
#[derive(Clone, Debug)]
pub struct Skips {
    next: u64,
    end: u64,
    ln_q: f64,
    every: bool,
}

/// A chance prepared for [`Skips`]: its log complement computed once, for
/// many ranges skipped at the same chance.
#[derive(Clone, Copy, Debug)]
pub struct SkipChance {
    p: f32,
    ln_q: f64,
}

impl SkipChance {
    /// Chance `p`.
    pub fn new(p: f32) -> Self {
        Self {
            p,
            ln_q: (-f64::from(p)).ln_1p(),
        }
    }
}

impl Skips {
    /// The hits among `members` at chance `p`.
    pub fn new(members: std::ops::Range<u32>, p: f32) -> Self {
        Self::at(members, SkipChance::new(p))
    }

    /// The hits among `members` at a prepared chance.
    #[inline]
    pub fn at(members: std::ops::Range<u32>, chance: SkipChance) -> Self {
        Self {
            next: u64::from(members.start),
            end: if chance.p > 0.0 {
                u64::from(members.end)
            } else {
                0
            },
            ln_q: chance.ln_q,
            every: chance.p >= 1.0,
        }
    }

    /// The next member hit, drawing from `rng`.
    #[inline]
    pub fn next(&mut self, rng: &mut SimRng) -> Option<u32> {
        if self.next >= self.end {
            return None;
        }
        if !self.every {
            self.next = self.next.saturating_add(rng.geometric_skip(self.ln_q));
            if self.next >= self.end {
                return None;
            }
        }
        let hit = self.next as u32;
        self.next += 1;
        Some(hit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stream_counts_the_words_it_gave() {
        let mut rng = SimRng::new(7, Stream::Network);
        assert_eq!(rng.words_drawn(), 0);
        rng.next_u32();
        let _ = rng.unit_f64();
        assert_eq!(rng.words_drawn(), 3, "a u32 and a u64");
        assert_eq!(rng.clone().words_drawn(), 3);
    }

    #[test]
    fn same_seed_same_stream_same_numbers() {
        let mut a = SimRng::new(7, Stream::Dynamics);
        let mut b = SimRng::new(7, Stream::Dynamics);
        for _ in 0..100 {
            assert_eq!(a.next_u32(), b.next_u32());
        }
    }

    #[test]
    fn a_clone_continues_the_same_sequence() {
        let mut a = SimRng::new(9, Stream::Dynamics);
        for _ in 0..37 {
            a.next_u32();
        }
        let mut b = a.clone();
        for _ in 0..100 {
            assert_eq!(a.next_u32(), b.next_u32());
        }
    }

    #[test]
    fn a_chance_draws_a_word_exactly_when_it_says_it_does() {
        let mut one = SimRng::new(9, Stream::Agents);
        for p in [-1.0, 0.0, 0.3, 1.0, 2.0, f32::NAN] {
            let drawn = SimRng::chance_draws(p);
            let before = one.clone().next_u32();
            let mut probe = one.clone();
            let outcome = probe.chance(p);
            assert_eq!(
                drawn,
                probe.clone().next_u32() != one.clone().next_u32(),
                "{p}"
            );
            if drawn {
                assert_eq!(outcome, SimRng::unit_of(before) < p, "{p}");
            } else {
                assert_eq!(outcome, SimRng::chance_without_draw(p), "{p}");
            }
            one.next_u32();
        }
    }

    #[test]
    fn keyed_words_are_splitmix64_from_the_key() {
        // SplitMix64's published outputs from state 0.
        let zero = Keyed { key: 0 };
        assert_eq!(zero.word(0), 0xe220_a839);
        assert_eq!(zero.word(1), 0x6e78_9e6a);
        // Any word, in any order, as often as asked.
        let k = Keyed::new(5, Stream::Agents);
        let forward: Vec<u32> = (0..64).map(|i| k.word(i)).collect();
        let backward: Vec<u32> = (0..64).rev().map(|i| k.word(i)).collect();
        assert!(forward.iter().eq(backward.iter().rev()));
        assert_eq!(k, Keyed::new(5, Stream::Agents));
        assert_ne!(k, Keyed::new(6, Stream::Agents));
        assert_ne!(k, Keyed::new(5, Stream::Dynamics));
        // Uniform enough to be drawn from: the mean and the share in each
        // tenth of 100,000 units.
        let n = 100_000u64;
        let mut tenths = [0u32; 10];
        let mut sum = 0.0f64;
        for i in 0..n {
            let u = k.unit(i);
            assert!((0.0..1.0).contains(&u));
            sum += f64::from(u);
            tenths[(u * 10.0) as usize] += 1;
        }
        assert!((sum / n as f64 - 0.5).abs() < 0.005, "{}", sum / n as f64);
        assert!(
            tenths.iter().all(|&c| (9_500..10_500).contains(&c)),
            "{tenths:?}"
        );
    }

    #[test]
    fn streams_differ() {
        let mut a = SimRng::new(7, Stream::Dynamics);
        let mut b = SimRng::new(7, Stream::Network);
        let same = (0..16).filter(|_| a.next_u32() == b.next_u32()).count();
        assert!(
            same < 2,
            "streams should be independent, {same} of 16 equal"
        );
    }

    #[test]
    fn unit_and_below_stay_in_range() {
        let mut r = SimRng::new(1, Stream::Agents);
        for _ in 0..10_000 {
            let u = r.unit();
            assert!((0.0..1.0).contains(&u));
            assert!(r.below(7) < 7);
        }
    }

    #[test]
    fn chance_frequency_matches_probability() {
        let mut r = SimRng::new(3, Stream::Dynamics);
        let hits = (0..100_000).filter(|_| r.chance(0.3)).count();
        // sd = sqrt(n p q) ≈ 145; 5 sd ≈ 725.
        assert!((hits as i64 - 30_000).abs() < 725, "{hits}");
        assert!(!r.chance(0.0));
        assert!(r.chance(1.0));
    }

    #[test]
    fn skips_hit_each_member_with_its_chance() {
        let mut r = SimRng::new(8, Stream::Dynamics);
        let mut count = [0u32; 10];
        let mut total = 0u32;
        for _ in 0..20_000 {
            let mut hits = Skips::new(100..110, 0.2);
            let mut last = None;
            while let Some(a) = hits.next(&mut r) {
                assert!(
                    (100..110).contains(&a) && last < Some(a),
                    "{a} after {last:?}"
                );
                last = Some(a);
                count[(a - 100) as usize] += 1;
                total += 1;
            }
        }
        // Each member: 4,000 expected, sd ≈ 57.
        for c in count {
            assert!((c as i64 - 4_000).abs() < 300, "{count:?}");
        }
        assert_eq!(total, count.iter().sum::<u32>());
        let mut all = |p| {
            let mut s = Skips::new(5..9, p);
            std::iter::from_fn(|| s.next(&mut r)).collect::<Vec<_>>()
        };
        assert_eq!(all(1.0), [5, 6, 7, 8]);
        assert_eq!(all(0.0), Vec::<u32>::new());
        assert_eq!(all(-1.0), Vec::<u32>::new());
    }

    #[test]
    fn geometric_skip_has_the_right_mean() {
        let p: f64 = 0.1;
        let ln_q = (1.0 - p).ln();
        let mut r = SimRng::new(5, Stream::Network);
        let n = 50_000;
        let mean = (0..n).map(|_| r.geometric_skip(ln_q) as f64).sum::<f64>() / n as f64;
        // E = (1-p)/p = 9, sd of one draw ≈ 9.5, of the mean ≈ 0.042.
        assert!((mean - 9.0).abs() < 0.25, "{mean}");
        // A chance too small for ln(1 − p) to leave 0 never succeeds, and
        // the smallest f32 chance skips past any agent index.
        assert_eq!(r.geometric_skip(0.0), u64::MAX);
        let tiny = (-f64::from(f32::from_bits(1))).ln_1p();
        assert!(r.geometric_skip(tiny) > u64::from(u32::MAX));
    }
}
