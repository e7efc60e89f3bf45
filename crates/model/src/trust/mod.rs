//! Directed trust from evidence, with forgetting: the Beta reputation
//! system.
//!
//! Each directed tie a→b holds a's evidence about b: `r` (positive) and `s`
//! (negative), weighted counts of interactions that went well or badly. a's
//! trust in b is the expected value of a Beta(r+1, s+1) distribution,
//!
//! ```text
//! E = (r + 1) / (r + s + 2)
//! ```
//!
//! so a tie with no evidence sits at 0.5. Each step all evidence decays by
//! the forgetting factor λ (`model.forgetting`, default 0.97): r ← λ·r,
//! s ← λ·s, so old interactions count for less and trust can recover or
//! erode. With constant positive evidence w per step, r tends to w/(1-λ)
//! and E to (w/(1-λ) + 1)/(w/(1-λ) + 2).
//!
//! Trust is mutual but not symmetric (seed 000: "two-way, mutual"): most
//! events add evidence to both a→b and b→a, with their own signs.
//!
//! Reference: A. Jøsang, R. Ismail, "The Beta Reputation System", 15th Bled
//! Electronic Commerce Conference (2002).
//!
//! Leaves out: confidence (the Beta variance), transitive trust through
//! third parties, and any difference between trust in a person and in the
//! organisation beyond averaging over the organisation's ties.

/// Trust with no evidence.
pub const NEUTRAL: f32 = 0.5;

/// Number of classes trust is summed over each step: the 16
/// `(from part, to part)` pairs, plus silo walls.
pub const TRUST_CLASSES: usize = 17;

/// The class of ties between staff of different departments.
pub const WALL_CLASS: usize = 16;

/// Expected trust from evidence: `(r + 1) / (r + s + 2)`, in `(0, 1)` for
/// non-negative finite evidence.
#[inline]
pub fn expectation(r: f32, s: f32) -> f32 {
    (r + 1.0) / (r + s + 2.0)
}

/// The steady-state trust of a tie that receives positive evidence `w` and
/// negative evidence `v` every step, with forgetting `lambda < 1`.
///
/// Returns `(w/(1-λ) + 1) / ((w+v)/(1-λ) + 2)`.
pub fn steady_state(w: f32, v: f32, lambda: f32) -> f32 {
    let k = 1.0 / (1.0 - lambda);
    expectation(w * k, v * k)
}

/// Ties per chunk of the forgetting pass: a chunk's arrays stay in L1.
const CHUNK: usize = 1024;

mod evidence;
mod sums;

pub use evidence::Evidence;
pub use sums::NeutralSums;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_evidence_is_neutral_and_evidence_moves_trust() {
        assert_eq!(expectation(0.0, 0.0), NEUTRAL);
        assert!(expectation(3.0, 0.0) > 0.75);
        assert!(expectation(0.0, 3.0) < 0.25);
        assert_eq!(expectation(8.0, 0.0), 0.9);
    }
}
