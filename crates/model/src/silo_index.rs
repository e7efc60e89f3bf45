//! How siloed the departments are: the E-I index of Krackhardt & Stern.
//!
//! For ties (or flows) classified as *external* E (between two groups) and
//! *internal* I (within one group),
//!
//! ```text
//! EI = (E - I) / (E + I)        in [-1, 1]
//! ```
//!
//! -1 means everything stays inside groups (perfect silos), +1 means
//! everything crosses. siloscope reports it twice: on the *drawn* staff ties
//! (structure) and on the information that *actually flowed* between staff
//! each step (behaviour), because a policy can leave the org chart as it is
//! and still change how much crosses it.
//!
//! A raw EI says little without a baseline: with groups of sizes nₖ
//! (N staff in all), random mixing of ties gives
//!
//! ```text
//! EI₀ = (N² + N - 2 Σ nₖ²) / (N (N - 1))
//! ```
//!
//! ... and "siloed" means EI below EI₀.
//!
//! Reference: D. Krackhardt, R. N. Stern, "Informal networks and
//! organizational crises: an experimental simulation", Social Psychology
//! Quarterly 51(2), 123–140 (1988).

/// The E-I index of `external` and `internal` counts, or `None` when both
/// are zero.
#[inline]
pub fn ei_index(external: f64, internal: f64) -> Option<f64> {
    let total = external + internal;
    (total > 0.0).then(|| (external - internal) / total)
}

/// The E-I index expected under random mixing, for groups of the given
/// sizes, or `None` with fewer than two members in all.
pub fn random_mixing_baseline(sizes: &[u64]) -> Option<f64> {
    let n: u64 = sizes.iter().sum();
    if n < 2 {
        return None;
    }
    let n = n as f64;
    let sq: f64 = sizes.iter().map(|&k| (k as f64) * (k as f64)).sum();
    Some((n * n + n - 2.0 * sq) / (n * (n - 1.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extremes_and_a_mixed_example() {
        assert_eq!(ei_index(0.0, 10.0), Some(-1.0));
        assert_eq!(ei_index(10.0, 0.0), Some(1.0));
        assert_eq!(ei_index(3.0, 1.0), Some(0.5));
        assert_eq!(ei_index(0.0, 0.0), None);
    }

    #[test]
    fn baseline_matches_counting_pairs() {
        // Two groups of 2: of the 6 pairs, 4 are external and 2 internal,
        // so random mixing gives (4 - 2) / 6 = 1/3.
        let b = random_mixing_baseline(&[2, 2]).unwrap();
        assert!((b - 1.0 / 3.0).abs() < 1e-12, "{b}");
        // One group: every pair is internal.
        assert_eq!(random_mixing_baseline(&[5]), Some(-1.0));
        assert_eq!(random_mixing_baseline(&[1]), None);
    }
}
