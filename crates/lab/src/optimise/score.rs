//! A candidate's score — its objective and constraints over the seeds —,
//! how it ranks ([`Score::fitness`]), and its line in the search's
//! journal ([`Entry::line`]).

use super::search::{Fitness, INFEASIBLE};
use super::{Constraint, Objective, Sense};
use crate::journal::{Line, Shape};

/// A candidate's score: means over the seeds.
#[derive(Clone, Debug, PartialEq)]
pub struct Score {
    /// The objective's weighted sum (`NaN` where a metric is undefined).
    pub objective: f64,
    /// Each constraint's metric, in the objective's order.
    pub constraints: Vec<f64>,
}

impl Score {
    /// The constraints' total breach (0: all kept).
    pub fn violation(&self, constraints: &[Constraint]) -> f64 {
        constraints
            .iter()
            .zip(&self.constraints)
            .map(|(c, &v)| c.violation(v))
            .sum()
    }

    /// What ranks it (larger is better): the objective turned to be
    /// maximised and divided by `scale` (the search's: the largest size of
    /// the objective among the scenario's policies, so that the weights'
    /// size never matters); below [`INFEASIBLE`] when a constraint is
    /// broken, by the size of the breach; just at it when the objective is
    /// undefined or infinite.
    pub fn fitness(&self, sense: Sense, constraints: &[Constraint], scale: f64) -> Fitness {
        let breach = self.violation(constraints);
        if breach > 0.0 {
            return INFEASIBLE * (1.0 + breach.min(1e6));
        }
        let value = match sense {
            Sense::Maximise => self.objective,
            Sense::Minimise => -self.objective,
        } / scale;
        if value.is_finite() {
            value.clamp(-1e12, 1e12)
        } else {
            INFEASIBLE
        }
    }
}

/// One candidate evaluated: where, when first, and how it scored.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The generation it was first drawn in (0: the scenario's policies).
    pub generation: u32,
    /// Its knob values in thousandths, in the space's order.
    pub point: Vec<i64>,
    /// Its score.
    pub score: Score,
}

impl Entry {
    /// The journal's shape for a search of `objective`: the point, then
    /// the generation, the objective and the constraints' values.
    pub fn shape(objective: &Objective) -> Shape {
        Shape {
            kind: "optimise",
            key: objective.space.len(),
            values: 2 + objective.constraints.len(),
        }
    }

    /// Its journal line.
    pub fn line(&self) -> Line {
        let mut values = vec![f64::from(self.generation), self.score.objective];
        values.extend(&self.score.constraints);
        Line {
            key: self.point.clone(),
            values,
        }
    }

    /// The entry of a journal line (of [`Entry::shape`]), if its
    /// generation is one.
    pub fn of_line(line: Line) -> Option<Entry> {
        let (&g, rest) = line.values.split_first()?;
        let (&objective, constraints) = rest.split_first()?;
        (g >= 0.0 && g.fract() == 0.0 && g <= f64::from(u32::MAX)).then(|| Entry {
            generation: g as u32,
            point: line.key,
            score: Score {
                objective,
                constraints: constraints.to_vec(),
            },
        })
    }
}
