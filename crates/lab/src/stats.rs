//! Statistics for comparing policies over seeds: means with 95% confidence
//! intervals, and paired differences against a baseline.
//!
//! Runs of different policies share their seeds (replicate `k` of every
//! policy uses the same seed), so a comparison is *paired*: the difference
//! `d_k = x_k − b_k` of each seed removes the variation the seeds share.
//!
//! - Mean and sample standard deviation `s` (n − 1 in the denominator).
//! - 95% confidence interval of a mean: `mean ± t(0.975, n−1) · s / √n`,
//!   Student's t quantile from `statrs` (a Cornish–Fisher expansion beyond
//!   1,024 degrees of freedom, where `statrs` loses accuracy).
//! - Effect size of a paired difference: Cohen's `d_z = mean(d) / sd(d)`.
//! - Wins: the share of seeds where the policy beats the baseline
//!   (`d_k > 0`; ties count half).
//!
//! Caveats: the t interval assumes the per-seed values (or differences) are
//! roughly normal; with few replicates and skewed metrics (rare events such
//! as churn in a small organisation) read it as indicative.

/// Degrees of freedom whose quantile is computed once and kept.
const KEPT: usize = 1024;

/// The 97.5% quantile of Student's t with `df` degrees of freedom (the
/// half-width factor of a 95% interval); `NaN` for `df = 0`.
///
/// Up to [`KEPT`] degrees of freedom from `statrs` (the inverse of the
/// regularised incomplete beta function), computed once and kept since
/// every interval of a batch asks for one. Beyond, a Cornish–Fisher
/// expansion around the normal quantile, which there agrees with `statrs`
/// to 10⁻⁸ and stays exact where `statrs` does not: its inverse drifts for
/// very many degrees of freedom (1.95985 at 10⁶, 1.8266 at 10⁷, against
/// 1.95996).
pub fn t975(df: usize) -> f64 {
    static TABLE: std::sync::OnceLock<Vec<f64>> = std::sync::OnceLock::new();
    match df {
        0 => f64::NAN,
        1..=KEPT => TABLE.get_or_init(|| (1..=KEPT).map(quantile).collect())[df - 1],
        _ => expansion(df),
    }
}

/// `t(0.975, df)` from `statrs`.
fn quantile(df: usize) -> f64 {
    use statrs::distribution::{ContinuousCDF, StudentsT};
    StudentsT::new(0.0, 1.0, df as f64).map_or(f64::NAN, |t| t.inverse_cdf(0.975))
}

/// `t(0.975, df)` by the Cornish–Fisher expansion around the normal
/// quantile (four terms; its error falls as `df⁻⁵`).
fn expansion(df: usize) -> f64 {
    let z: f64 = 1.959_963_984_540_054;
    let v = df as f64;
    let (z3, z5, z7, z9) = (z.powi(3), z.powi(5), z.powi(7), z.powi(9));
    z + (z3 + z) / (4.0 * v)
        + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * v * v)
        + (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / (384.0 * v.powi(3))
        + (79.0 * z9 + 776.0 * z7 + 1482.0 * z5 - 1920.0 * z3 - 945.0 * z) / (92160.0 * v.powi(4))
}

/// A mean with its spread and 95% interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    /// Number of values.
    pub n: usize,
    /// Mean (`NaN` if `n = 0`).
    pub mean: f64,
    /// Sample standard deviation (`NaN` if `n < 2`).
    pub sd: f64,
    /// Lower end of the 95% interval (`NaN` if `n < 2`).
    pub lo: f64,
    /// Upper end of the 95% interval.
    pub hi: f64,
}

impl Estimate {
    /// Estimate the mean of `values`.
    pub fn of(values: &[f64]) -> Estimate {
        let n = values.len();
        let mean = if n == 0 {
            f64::NAN
        } else {
            values.iter().sum::<f64>() / n as f64
        };
        let sd = if n < 2 {
            f64::NAN
        } else {
            (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
        };
        Estimate::from_moments(n, mean, sd)
    }

    /// The estimate of a sample of `n` values with this mean and sample
    /// standard deviation.
    fn from_moments(n: usize, mean: f64, sd: f64) -> Estimate {
        let half = t975(n.saturating_sub(1)) * sd / (n as f64).sqrt();
        Estimate {
            n,
            mean,
            sd,
            lo: mean - half,
            hi: mean + half,
        }
    }
}

/// A mean and variance accumulated one value at a time (Welford's
/// algorithm: numerically stable, and the same result for the same values
/// in the same order).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Running {
    n: usize,
    mean: f64,
    m2: f64,
}

impl Running {
    /// Add a value.
    pub fn push(&mut self, x: f64) {
        self.n += 1;
        let delta = x - self.mean;
        self.mean += delta / self.n as f64;
        self.m2 += delta * (x - self.mean);
    }

    /// The estimate of the values pushed so far.
    pub fn estimate(&self) -> Estimate {
        let mean = if self.n == 0 { f64::NAN } else { self.mean };
        let sd = if self.n < 2 {
            f64::NAN
        } else {
            (self.m2 / (self.n - 1) as f64).sqrt()
        };
        Estimate::from_moments(self.n, mean, sd)
    }
}

/// A policy against a baseline over paired seeds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Paired {
    /// The mean difference (policy − baseline) with its interval.
    pub diff: Estimate,
    /// Cohen's `d_z`: mean difference over its standard deviation (`NaN`
    /// when the differences do not vary).
    pub effect: f64,
    /// Share of seeds where the policy is higher (ties count half).
    pub wins: f64,
}

impl Paired {
    /// Compare `policy[k]` with `baseline[k]` seed by seed. Both must have
    /// the same length (one value per shared seed).
    ///
    /// # Panics
    /// If the lengths differ: unpaired values cannot be compared this way.
    pub fn of(policy: &[f64], baseline: &[f64]) -> Paired {
        assert_eq!(policy.len(), baseline.len(), "paired values per seed");
        let d: Vec<f64> = policy.iter().zip(baseline).map(|(x, b)| x - b).collect();
        let diff = Estimate::of(&d);
        let effect = if diff.sd > 0.0 {
            diff.mean / diff.sd
        } else {
            f64::NAN
        };
        let wins = if d.is_empty() {
            f64::NAN
        } else {
            d.iter()
                .map(|&x| match x.partial_cmp(&0.0) {
                    Some(std::cmp::Ordering::Greater) => 1.0,
                    Some(std::cmp::Ordering::Equal) => 0.5,
                    _ => 0.0,
                })
                .sum::<f64>()
                / d.len() as f64
        };
        Paired { diff, effect, wins }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    /// Published four-decimal values of `t(0.975, df)` (the table this
    /// module once carried), and the normal quantile far out.
    #[test]
    fn the_t_quantile_matches_published_tables_and_tends_to_the_normal() {
        assert!(t975(0).is_nan());
        let published: [f64; 30] = [
            12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281,
            2.2010, 2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.0930, 2.0860, 2.0796,
            2.0739, 2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423,
        ];
        for (i, t) in published.into_iter().enumerate() {
            let df = i + 1;
            assert!(close(t975(df), t, 5e-5), "df {df}: {} vs {t}", t975(df));
        }
        for (df, t) in [
            (31, 2.0395),
            (40, 2.0211),
            (60, 2.0003),
            (120, 1.9799),
            (1000, 1.9623),
            (5000, 1.9604),
        ] {
            assert!(close(t975(df), t, 5e-5), "df {df}: {} vs {t}", t975(df));
        }
        // statrs and the expansion agree where they meet; it falls toward z.
        assert_eq!(t975(KEPT), quantile(KEPT));
        assert!(close(quantile(KEPT), expansion(KEPT), 1e-8));
        assert!(t975(KEPT + 1) < t975(KEPT) && t975(31) < t975(30));
        assert!(close(t975(1_000_000), 1.959964, 1e-5));
        assert!(close(t975(usize::MAX), 1.959964, 1e-5));
    }

    #[test]
    fn a_mean_and_its_interval_by_hand() {
        // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, sum of squares 32, s = √(32/7).
        let e = Estimate::of(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]);
        assert_eq!(e.n, 8);
        assert_eq!(e.mean, 5.0);
        let sd = (32.0f64 / 7.0).sqrt();
        assert!(close(e.sd, sd, 1e-12));
        // Half width t(0.975, 7) · s / √8 = 2.3646 · 2.13809 / 2.82843 = 1.78748.
        assert!(close(e.hi - e.mean, 1.787_48, 1e-4), "{}", e.hi - e.mean);
        assert!(close(e.mean - e.lo, e.hi - e.mean, 1e-12));
    }

    #[test]
    fn running_moments_agree_with_the_two_pass_estimate() {
        let values = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
        let mut r = Running::default();
        for v in values {
            r.push(v);
        }
        let (a, b) = (r.estimate(), Estimate::of(&values));
        assert_eq!(a.n, b.n);
        for (x, y) in [(a.mean, b.mean), (a.sd, b.sd), (a.lo, b.lo), (a.hi, b.hi)] {
            assert!(close(x, y, 1e-12), "{x} vs {y}");
        }
        // Large offsets do not cancel (the naive sum of squares would).
        let mut big = Running::default();
        for v in values {
            big.push(v + 1e9);
        }
        assert!(close(big.estimate().sd, b.sd, 1e-6));
        let empty = Running::default().estimate();
        assert!(empty.mean.is_nan() && empty.sd.is_nan() && empty.lo.is_nan());
    }

    #[test]
    fn degenerate_samples_give_nan_not_nonsense() {
        let none = Estimate::of(&[]);
        assert!(none.mean.is_nan() && none.sd.is_nan() && none.lo.is_nan());
        let one = Estimate::of(&[3.0]);
        assert_eq!(one.mean, 3.0);
        assert!(one.sd.is_nan() && one.lo.is_nan() && one.hi.is_nan());
    }

    #[test]
    fn a_known_paired_difference_by_hand() {
        // Differences 1, 2, 3, 0, -1: mean 1, sd √2.5, d_z = 1/√2.5,
        // wins: 3 higher, 1 tie, 1 lower → 3.5 / 5.
        let base = [10.0, 10.0, 10.0, 10.0, 10.0];
        let policy = [11.0, 12.0, 13.0, 10.0, 9.0];
        let p = Paired::of(&policy, &base);
        assert_eq!(p.diff.mean, 1.0);
        assert!(close(p.diff.sd, 2.5f64.sqrt(), 1e-12));
        // Half width t(0.975, 4) · √2.5 / √5 = 2.7764 · 0.707107 = 1.96325.
        assert!(close(p.diff.lo, 1.0 - 1.963_25, 1e-4), "{}", p.diff.lo);
        assert!(close(p.diff.hi, 1.0 + 1.963_25, 1e-4));
        assert!(close(p.effect, 1.0 / 2.5f64.sqrt(), 1e-12));
        assert_eq!(p.wins, 0.7);
    }

    #[test]
    fn pairing_removes_what_the_seeds_share() {
        // Seeds vary a lot; the policy adds exactly 0.5 to each.
        let base = [1.0, 5.0, 9.0, 3.0, 7.0];
        let policy = base.map(|b| b + 0.5);
        let p = Paired::of(&policy, &base);
        assert_eq!(p.diff.mean, 0.5);
        assert_eq!(p.diff.sd, 0.0);
        assert_eq!((p.diff.lo, p.diff.hi), (0.5, 0.5));
        assert!(p.effect.is_nan());
        assert_eq!(p.wins, 1.0);
        // Unpaired, the same data would be inconclusive.
        let a = Estimate::of(&policy);
        assert!(a.lo < Estimate::of(&base).mean);
    }
}
