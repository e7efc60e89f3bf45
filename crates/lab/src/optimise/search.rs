//! The search itself: CMA-ES, from the kept `cmaes` crate, over the unit
//! box, each point evaluated at the nearest point of the 0.001 grid the
//! knobs are set on.
//!
//! CMA-ES samples in unbounded space; a coordinate is folded into `[0, 1]`
//! by reflection at the walls (a triangle wave), which keeps the search
//! smooth near a bound and lets it sit on one. It ranks candidates only,
//! so a constraint is kept by ranking every candidate that breaks one
//! below every one that keeps them all, the smaller breach first (a
//! penalty that never mixes with the objective's scale).
//!
//! Determinism: the crate draws each generation's points from its own
//! seeded ChaCha stream before evaluating any, evaluation is a function of
//! the point alone, and the points are ranked by a stable sort of their
//! values — so the search is the same for any number of threads, and a
//! search replayed from its cached values retraces the same path.

use super::Space;
use cmaes::{CMAESOptions, DVector, Mode, TerminationReason};

/// What ranks a candidate: larger is better.
pub type Fitness = f64;

/// The fitness of every candidate that breaks a constraint lies below
/// this (and below every candidate that keeps them all, as long as the
/// objective stays above it: objectives of this size are not met in
/// practice).
pub const INFEASIBLE: Fitness = -1e15;

/// How to search.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Settings {
    /// Candidates per generation.
    pub population: usize,
    /// Generations at most.
    pub generations: usize,
    /// The initial step size, as a share of each range.
    pub sigma: f64,
    /// The optimiser's own seed (its sampling).
    pub seed: u64,
}

/// Where a generation left the search.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Generation {
    /// 1, 2, …
    pub number: usize,
    /// The step size now, as a share of the ranges.
    pub sigma: f64,
}

/// Why the search stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stop {
    /// It used every generation allowed.
    Generations,
    /// It converged before: the optimiser's reasons.
    Converged(Vec<String>),
}

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stop::Generations => f.write_str("the generations allowed were used"),
            Stop::Converged(why) => write!(f, "converged ({})", why.join(", ")),
        }
    }
}

/// `u` folded into `[0, 1]` by reflection at 0 and 1.
pub fn fold(u: f64) -> f64 {
    let t = u.rem_euclid(2.0);
    if t > 1.0 { 2.0 - t } else { t }
}

/// Maximise `fitness` over the grid points of `space`, starting from the
/// unit point `start`. `fitness` is called from `pool`'s threads, several
/// at once (it keeps its own cache, if any). `after` runs after each
/// generation; an error from it stops the search.
pub fn maximise<E>(
    space: &Space,
    start: &[f64],
    settings: &Settings,
    fitness: &(dyn Fn(&[i64]) -> Fitness + Sync),
    pool: &rayon::ThreadPool,
    mut after: impl FnMut(&Generation) -> Result<(), E>,
) -> Result<Stop, E> {
    let value = |x: &DVector<f64>| {
        let unit: Vec<f64> = x.iter().map(|&u| fold(u)).collect();
        fitness(&space.point(&unit))
    };
    let options = CMAESOptions::new(start.to_vec(), settings.sigma)
        .mode(Mode::Maximize)
        .population_size(settings.population.max(2))
        .max_generations(settings.generations.max(1))
        .seed(settings.seed);
    let mut cmaes = options
        .build(value)
        .expect("the options are valid: a start point, a positive step, a population of 2 or more");
    loop {
        let done = pool.install(|| cmaes.next_parallel());
        after(&Generation {
            number: cmaes.generation(),
            sigma: cmaes.sigma(),
        })?;
        if let Some(data) = done {
            let reasons: Vec<String> = data
                .reasons
                .iter()
                .filter(|r| **r != TerminationReason::MaxGenerations)
                .map(|r| format!("{r:?}"))
                .collect();
            return Ok(
                if data.reasons.contains(&TerminationReason::MaxGenerations) || reasons.is_empty() {
                    Stop::Generations
                } else {
                    Stop::Converged(reasons)
                },
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_reflects_at_both_walls() {
        for (u, f) in [
            (0.25, 0.25),
            (1.25, 0.75),
            (-0.25, 0.25),
            (2.5, 0.5),
            (-1.5, 0.5),
            (1.0, 1.0),
        ] {
            assert!((fold(u) - f).abs() < 1e-12, "fold({u}) = {}", fold(u));
        }
    }
}
