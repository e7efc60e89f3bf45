//! The headline figures a room compares (what a policy gains and what it
//! pays), defined with the metrics in [`siloscope_model::metrics::headline`]
//! so that a scenario's story can name them; tested here on real runs.

pub use siloscope_model::metrics::headline::*;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::Runs;
    use crate::session::Session;
    use siloscope_model::metrics::metric;

    fn headline(name: &str) -> Headline {
        *super::headline(name).unwrap()
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
