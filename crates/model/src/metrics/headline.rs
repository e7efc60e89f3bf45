//! The headline figures a room compares: what a policy gains and what it
//! pays, each with the direction that is better.
//!
//! The app's A/B table and presenter mode, and any other front end, show
//! these: run B against run A at the same step, with B − A judged better or
//! worse for the organisation. A scenario's story names them as the figures
//! a step's note talks about, so they live with the metrics the scenario
//! format is checked against. Costs count as worse when they rise; a
//! figure with no better direction (where customers came from) is shown
//! without a verdict.

use super::StepReport;
use crate::agent::{Lifecycle, Part};

/// Which way a figure is better.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Better {
    /// More is better (trust, customers, profit).
    Higher,
    /// Less is better (churned customers, cost, waiting contacts).
    Lower,
    /// Neither: a fact to read, not a score.
    Neither,
}

/// What B − A means for the organisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// B does better.
    Better,
    /// B does worse.
    Worse,
    /// No difference, no better direction, or nothing to compare.
    Even,
}

/// One headline figure: a metric of the catalogue, read off a step's
/// report.
#[derive(Clone, Copy, Debug)]
pub struct Headline {
    /// The metric's name in [`super::METRICS`] (its
    /// labels come from there).
    pub metric: &'static str,
    /// Which way is better.
    pub better: Better,
    /// Its value in a report (NaN when there is none).
    pub value: fn(&StepReport) -> f64,
    /// How it reads.
    pub kind: Kind,
}

/// How a figure reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A share or a mean: two decimals.
    Share,
    /// A count: whole.
    Count,
    /// Money: whole, thousands separated.
    Money,
}

/// The headline figures, gains first, then the price.
pub const HEADLINES: [Headline; 14] = [
    Headline {
        metric: "customer_trust_in_org",
        better: Better::Higher,
        value: |r| r.customer_trust_in_org,
        kind: Kind::Share,
    },
    Headline {
        metric: "customers",
        better: Better::Higher,
        value: |r| f64::from(r.active_customers()),
        kind: Kind::Count,
    },
    Headline {
        metric: "advocates",
        better: Better::Higher,
        value: |r| count(r, Lifecycle::Advocate),
        kind: Kind::Count,
    },
    Headline {
        metric: "churned",
        better: Better::Lower,
        value: |r| count(r, Lifecycle::Churned),
        kind: Kind::Count,
    },
    Headline {
        metric: "acquisitions_word_of_mouth_total",
        better: Better::Neither,
        value: |r| r.totals.acquisitions_word_of_mouth as f64,
        kind: Kind::Count,
    },
    Headline {
        metric: "acquisitions_campaign_total",
        better: Better::Neither,
        value: |r| r.totals.acquisitions_campaign as f64,
        kind: Kind::Count,
    },
    Headline {
        metric: "loop_closure_share",
        better: Better::Higher,
        value: |r| share(r.totals.loops_closed, r.totals.needs_raised),
        kind: Kind::Share,
    },
    Headline {
        metric: "need_reach_share",
        better: Better::Higher,
        value: |r| share(r.totals.needs_reached, r.totals.needs_raised),
        kind: Kind::Share,
    },
    Headline {
        metric: "queue_length",
        better: Better::Lower,
        value: |r| {
            if r.trade_offs {
                f64::from(r.queue_length)
            } else {
                f64::NAN
            }
        },
        kind: Kind::Count,
    },
    Headline {
        metric: "revenue_total",
        better: Better::Higher,
        value: |r| r.totals.revenue,
        kind: Kind::Money,
    },
    Headline {
        metric: "cost_cumulative",
        better: Better::Lower,
        value: |r| r.totals.cost,
        kind: Kind::Money,
    },
    Headline {
        metric: "profit_total",
        better: Better::Higher,
        value: |r| r.totals.profit(),
        kind: Kind::Money,
    },
    Headline {
        metric: "npv",
        better: Better::Higher,
        value: |r| r.totals.npv,
        kind: Kind::Money,
    },
    // Last, so that a session's predictions, which name a headline by its
    // place in the app's list, keep their metric. Busier staff are a price
    // paid in time, not a loss: neither higher nor lower is better.
    Headline {
        metric: "staff_utilisation",
        better: Better::Neither,
        value: |r| {
            r.staff_utilisation()
                .filter(|_| r.trade_offs)
                .unwrap_or(f64::NAN)
        },
        kind: Kind::Share,
    },
];

impl Headline {
    /// B − A, and what it means: a difference smaller than a part in a
    /// million of the larger value is even.
    pub fn compare(&self, a: &StepReport, b: &StepReport) -> (f64, Verdict) {
        let (x, y) = ((self.value)(a), (self.value)(b));
        let d = y - x;
        if !d.is_finite() || d.abs() <= 1e-6 * x.abs().max(y.abs()) {
            return (d, Verdict::Even);
        }
        let verdict = match (self.better, d > 0.0) {
            (Better::Neither, _) => Verdict::Even,
            (Better::Higher, true) | (Better::Lower, false) => Verdict::Better,
            _ => Verdict::Worse,
        };
        (d, verdict)
    }

    /// A value as the room reads it: money and counts whole, with
    /// thousands separated; shares and means with two decimals; "–" for
    /// none. `signed` puts a + before positive values.
    pub fn format(&self, v: f64, signed: bool) -> String {
        if !v.is_finite() {
            return "–".to_owned();
        }
        let sign = if signed && v > 0.0 { "+" } else { "" };
        match self.kind {
            Kind::Money | Kind::Count => format!("{sign}{}", thousands(v.round())),
            Kind::Share if v < 0.0 => format!("−{:.2}", -v),
            Kind::Share => format!("{sign}{v:.2}"),
        }
    }
}

/// `v` (a whole number) with thousands separated by a thin space.
fn thousands(v: f64) -> String {
    let digits = format!("{:.0}", v.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('\u{2009}');
        }
        out.push(c);
    }
    if v < 0.0 { format!("−{out}") } else { out }
}

/// Customers and prospects of both customer parts in lifecycle `state`.
pub fn count(r: &StepReport, state: Lifecycle) -> f64 {
    f64::from(
        r.lifecycle[Part::ExistingCustomer.index()][state as usize]
            + r.lifecycle[Part::NewCustomer.index()][state as usize],
    )
}

/// `a / b`, NaN when `b` is 0 (a share of nothing).
pub fn share(a: u64, b: u64) -> f64 {
    if b == 0 {
        f64::NAN
    } else {
        a as f64 / b as f64
    }
}

/// The headline figure of the metric called `name`, if it is one.
pub fn headline(name: &str) -> Option<&'static Headline> {
    HEADLINES.iter().find(|h| h.metric == name)
}
