//! The grid the search moves on: each knob searched, over its range, in
//! thousandths — the values a policy entry is written with, so that the
//! entry pasted into a scenario is the point that was evaluated.

use crate::sensitivity::{Factor, Range};
use siloscope_model::knob::Knob;

/// The knobs searched and the grid on them: each knob's range in
/// thousandths.
#[derive(Clone, Debug, PartialEq)]
pub struct Space {
    knobs: Vec<Knob>,
    low: Vec<i64>,
    high: Vec<i64>,
}

impl Space {
    /// The grid over `ranges` (knobs only; a range must span 0.001 at
    /// least, as objective files are checked to).
    pub fn of(ranges: &[Range]) -> Space {
        let mut space = Space {
            knobs: Vec::new(),
            low: Vec::new(),
            high: Vec::new(),
        };
        for r in ranges {
            if let Factor::Knob(k) = r.factor {
                space.knobs.push(k);
                let (low, high) = grid_ends(r);
                // A range without a grid point keeps one: its low end.
                space.low.push(low);
                space.high.push(high.max(low));
            }
        }
        space
    }

    /// The knobs searched, in catalogue order.
    pub fn knobs(&self) -> &[Knob] {
        &self.knobs
    }

    /// The grid point nearest the unit point `unit`.
    pub fn point(&self, unit: &[f64]) -> Vec<i64> {
        unit.iter()
            .zip(self.low.iter().zip(&self.high))
            .map(|(&u, (&lo, &hi))| {
                (lo + (u.clamp(0.0, 1.0) * (hi - lo) as f64).round() as i64).clamp(lo, hi)
            })
            .collect()
    }

    /// The unit point of the knob values `values` (clamped to the ranges).
    pub fn unit(&self, values: &[f64]) -> Vec<f64> {
        values
            .iter()
            .zip(self.low.iter().zip(&self.high))
            .map(|(&v, (&lo, &hi))| {
                if hi > lo {
                    ((v * 1000.0 - lo as f64) / (hi - lo) as f64).clamp(0.0, 1.0)
                } else {
                    0.0
                }
            })
            .collect()
    }

    /// Whether `point` is a point of this grid.
    pub fn holds(&self, point: &[i64]) -> bool {
        point.len() == self.knobs.len()
            && point
                .iter()
                .zip(self.low.iter().zip(&self.high))
                .all(|(&p, (&lo, &hi))| lo <= p && p <= hi)
    }
}

/// The first and last thousandths inside `range` (the first may lie past
/// the last when the range holds none). Ends given as f32 (0.1f32 is
/// 0.10000000149…) are read as the thousandth they stand for.
pub fn grid_ends(range: &Range) -> (i64, i64) {
    let tolerance = |x: f64| (x.abs() * 1e-6).max(1e-3);
    let (lo, hi) = (range.low * 1000.0, range.high * 1000.0);
    (
        (lo - tolerance(lo)).ceil() as i64,
        (hi + tolerance(hi)).floor() as i64,
    )
}

/// A grid value as the text a policy entry carries (`0.125`, `1`).
pub fn knob_text(thousandths: i64) -> String {
    let sign = if thousandths < 0 { "-" } else { "" };
    let (whole, frac) = (thousandths.abs() / 1000, thousandths.abs() % 1000);
    if frac == 0 {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{frac:03}")
            .trim_end_matches('0')
            .to_owned()
    }
}

/// A grid value as the knob value the policy entry's text reads as.
pub fn knob_value(thousandths: i64) -> f32 {
    knob_text(thousandths)
        .parse()
        .expect("a decimal number is a float")
}
