//! The headline figures a room compares: what a policy gains and what it
//! pays, each with the direction that is better.
//!
//! The app's A/B table and presenter mode, and any other front end, show
//! these: run B against run A at the same step, with B − A judged better or
//! worse for the organisation. Costs count as worse when they rise; a
//! figure with no better direction (where customers came from) is shown
//! without a verdict.

use siloscope_model::agent::{Lifecycle, Part};
use siloscope_model::metrics::StepReport;

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
    /// The metric's name in [`siloscope_model::metrics::METRICS`] (its
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
pub const HEADLINES: [Headline; 12] = [
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::Runs;
    use crate::session::Session;
    use siloscope_model::metrics::metric;

    fn headline(name: &str) -> Headline {
        *HEADLINES.iter().find(|h| h.metric == name).unwrap()
    }

    #[test]
    fn every_headline_is_a_catalogued_metric() {
        for h in HEADLINES {
            assert!(metric(h.metric).is_some(), "{}", h.metric);
        }
    }

    #[test]
    fn connected_against_inside_out_shows_what_it_gains_and_what_it_pays() {
        let text = include_str!("../../../scenarios/workshop.scenario.ron");
        let scenario = siloscope_scenario::parse_str(text, "workshop.scenario.ron").unwrap();
        let mut runs =
            Runs::new(Session::new(&scenario, Some("inside_out".to_owned()), None).unwrap());
        runs.compare("connected").unwrap();
        runs.goto(52);
        let a = runs.a().history().last().unwrap();
        let b = runs.b().unwrap().history().last().unwrap();
        let verdict = |name: &str| headline(name).compare(a, b).1;
        assert_eq!(verdict("customer_trust_in_org"), Verdict::Better);
        assert_eq!(verdict("loop_closure_share"), Verdict::Better);
        assert_eq!(verdict("cost_cumulative"), Verdict::Worse, "openness costs");
        assert_eq!(verdict("acquisitions_campaign_total"), Verdict::Even);
        let (cost, _) = headline("cost_cumulative").compare(a, b);
        assert!(cost > 0.0 && (cost - (b.totals.cost - a.totals.cost)).abs() < 1e-9);
        // A figure compared with itself is even.
        assert_eq!(headline("profit_total").compare(a, a).1, Verdict::Even);
    }

    #[test]
    fn figures_read_as_a_room_reads_them() {
        let money = headline("profit_total");
        assert_eq!(money.format(1_234_567.4, false), "1\u{2009}234\u{2009}567");
        assert_eq!(money.format(-2_500.0, true), "−2\u{2009}500");
        assert_eq!(money.format(830.0, true), "+830");
        let share = headline("loop_closure_share");
        assert_eq!(share.format(0.2861, false), "0.29");
        assert_eq!(share.format(f64::NAN, false), "–");
        assert_eq!(headline("customers").format(12.0, true), "+12");
        assert_eq!(headline("customers").format(0.0, false), "0");
        assert_eq!(share.format(-0.05, true), "−0.05");
    }
}
