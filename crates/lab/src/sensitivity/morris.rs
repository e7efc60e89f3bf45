//! Morris elementary effects with trajectories: a cheap global screen.
//!
//! A trajectory starts at a random point of a grid of `p` levels in the
//! unit cube of `k` factors and moves one factor at a time, in a random
//! order, by Δ = p / (2 (p − 1)) — up where the grid allows, else down —
//! so `k + 1` evaluations give one elementary effect per factor: the
//! change in the output over the change in the factor, as a share of its
//! range (so effects of different factors compare). Over `r` trajectories
//! each factor has `r` effects, from points spread over the whole cube:
//!
//! - μ* (Campolongo et al. 2007), the mean of their sizes: how much the
//!   factor matters, interactions included;
//! - μ, their mean: its direction (μ much smaller than μ* means effects of
//!   both signs);
//! - σ, their standard deviation: how much the effect depends on where the
//!   other factors are (interactions) or on the factor's own level
//!   (non-linearity).
//!
//! μ* has a 95% interval from a bootstrap over trajectories.

use siloscope_model::rng::{SimRng, Stream};

/// Morris's measures of one factor.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Elementary {
    /// μ*: the mean size of the elementary effects.
    pub mu_star: f64,
    /// Lower end of μ*'s 95% bootstrap interval.
    pub lo: f64,
    /// Upper end of μ*'s 95% bootstrap interval.
    pub hi: f64,
    /// μ: the mean elementary effect.
    pub mu: f64,
    /// σ: the standard deviation of the elementary effects.
    pub sigma: f64,
    /// How many trajectories gave an effect.
    pub n: usize,
}

/// A Morris design: `r` trajectories of `k + 1` points.
#[derive(Clone, Debug, PartialEq)]
pub struct Trajectories {
    /// Factors.
    pub k: usize,
    /// Trajectories.
    pub r: usize,
    /// Every point, trajectory by trajectory.
    points: Vec<Vec<f64>>,
    /// For each trajectory, the factor each move changes, in order.
    moved: Vec<Vec<usize>>,
}

impl Trajectories {
    /// `r` trajectories over a grid of `levels` levels (at least 2; 4 is
    /// usual), drawn from `seed`.
    pub fn new(k: usize, r: usize, levels: u32, seed: u64) -> Trajectories {
        let p = levels.max(2);
        let step = 1.0 / f64::from(p - 1);
        let delta = f64::from(p) / (2.0 * f64::from(p - 1));
        let mut rng = SimRng::new(seed, Stream::Design);
        let mut points = Vec::with_capacity(r * (k + 1));
        let mut moved = Vec::with_capacity(r);
        for _ in 0..r {
            let mut x: Vec<f64> = (0..k).map(|_| f64::from(rng.below(p)) * step).collect();
            points.push(x.clone());
            // A random order: Fisher–Yates.
            let mut order: Vec<usize> = (0..k).collect();
            for i in (1..k).rev() {
                order.swap(i, rng.below(i as u32 + 1) as usize);
            }
            for &i in &order {
                x[i] = if x[i] + delta <= 1.0 + 1e-9 {
                    x[i] + delta
                } else {
                    x[i] - delta
                };
                x[i] = x[i].clamp(0.0, 1.0);
                points.push(x.clone());
            }
            moved.push(order);
        }
        Trajectories {
            k,
            r,
            points,
            moved,
        }
    }

    /// How many points: `r (k + 1)`.
    pub fn len(&self) -> usize {
        self.points.len()
    }

    /// Whether the design has no points.
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// Point `p`, trajectory by trajectory.
    pub fn point(&self, p: usize) -> &[f64] {
        &self.points[p]
    }

    /// Each factor's measures from the outputs at every point, with
    /// `resamples` bootstrap resamples from `seed`; `None` for a factor no
    /// trajectory gave a finite effect for.
    pub fn effects(&self, outputs: &[f64], resamples: u32, seed: u64) -> Vec<Option<Elementary>> {
        assert_eq!(outputs.len(), self.len(), "one output per point");
        let k = self.k;
        // effects[i][t]: factor i's elementary effect on trajectory t.
        let mut effects: Vec<Vec<Option<f64>>> = vec![vec![None; self.r]; k];
        for (t, order) in self.moved.iter().enumerate() {
            let base = t * (k + 1);
            for (s, &i) in order.iter().enumerate() {
                let (before, after) = (base + s, base + s + 1);
                let du = self.points[after][i] - self.points[before][i];
                let ee = (outputs[after] - outputs[before]) / du;
                effects[i][t] = ee.is_finite().then_some(ee);
            }
        }
        let mut rng = SimRng::new(seed, Stream::Design);
        effects
            .into_iter()
            .map(|e| {
                let e: Vec<f64> = e.into_iter().flatten().collect();
                if e.is_empty() {
                    return None;
                }
                let n = e.len() as f64;
                let mu_star = e.iter().map(|x| x.abs()).sum::<f64>() / n;
                let mu = e.iter().sum::<f64>() / n;
                let sigma = if e.len() > 1 {
                    (e.iter().map(|x| (x - mu).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
                } else {
                    0.0
                };
                let mut means: Vec<f64> = (0..resamples)
                    .map(|_| {
                        (0..e.len())
                            .map(|_| e[rng.below(e.len() as u32) as usize].abs())
                            .sum::<f64>()
                            / n
                    })
                    .collect();
                means.sort_by(f64::total_cmp);
                let q = |p: f64| {
                    means
                        .get(((p * (means.len().max(1) - 1) as f64).round()) as usize)
                        .copied()
                        .unwrap_or(f64::NAN)
                };
                Some(Elementary {
                    mu_star,
                    lo: q(0.025),
                    hi: q(0.975),
                    mu,
                    sigma,
                    n: e.len(),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_linear_function_has_its_slopes_as_effects_and_no_spread() {
        // y = 3 x₁ − 2 x₂ + 0 x₃, in unit coordinates.
        let design = Trajectories::new(3, 30, 4, 7);
        assert_eq!(design.len(), 30 * 4);
        let outputs: Vec<f64> = (0..design.len())
            .map(|p| {
                let x = design.point(p);
                3.0 * x[0] - 2.0 * x[1]
            })
            .collect();
        let got = design.effects(&outputs, 100, 1);
        let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
        let (a, b, c) = (got[0].unwrap(), got[1].unwrap(), got[2].unwrap());
        assert!(
            close(a.mu, 3.0) && close(a.mu_star, 3.0) && close(a.sigma, 0.0),
            "{a:?}"
        );
        assert!(close(b.mu, -2.0) && close(b.mu_star, 2.0), "{b:?}");
        assert!(close(c.mu_star, 0.0), "{c:?}");
        assert_eq!(a.n, 30);
    }

    #[test]
    fn an_interaction_shows_as_spread_and_the_ranking_follows_importance() {
        // y = x₁ x₂ + 0.1 x₃: x₁ and x₂ matter together, x₃ a little.
        let design = Trajectories::new(3, 60, 4, 3);
        let outputs: Vec<f64> = (0..design.len())
            .map(|p| {
                let x = design.point(p);
                x[0] * x[1] + 0.1 * x[2]
            })
            .collect();
        let got: Vec<Elementary> = design
            .effects(&outputs, 200, 2)
            .into_iter()
            .map(Option::unwrap)
            .collect();
        assert!(got[0].sigma > 0.1 && got[1].sigma > 0.1, "{got:?}");
        assert!(got[2].sigma < 1e-9, "{got:?}");
        assert!(got[0].mu_star > 2.0 * got[2].mu_star, "{got:?}");
        for g in &got {
            assert!(g.lo <= g.mu_star && g.mu_star <= g.hi, "{g:?}");
        }
    }

    #[test]
    fn moves_stay_on_the_grid_inside_the_cube() {
        let design = Trajectories::new(5, 20, 4, 9);
        for p in 0..design.len() {
            for &u in design.point(p) {
                assert!((0.0..=1.0).contains(&u));
                let level = u * 3.0;
                assert!((level - level.round()).abs() < 1e-9, "{u} is off the grid");
            }
        }
        assert_eq!(Trajectories::new(5, 20, 4, 9), design);
    }
}
