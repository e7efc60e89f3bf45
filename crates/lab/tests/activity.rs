//! Stepping whose cost follows activity: what the step keeps up to date by
//! changes (each agent's count of referring peers, the chunks of ties that
//! hold evidence) always equals a count from scratch, in every shipped
//! scenario and in the busiest lifecycles the model has.

use siloscope_model::knob::Knob;
use siloscope_model::scenario::Scenario;
use siloscope_model::sim::{RunOptions, Simulation};
use siloscope_scenario::files::read_scenario;
use std::path::Path;

fn load(name: &str) -> Scenario {
    let path = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../scenarios")).join(name);
    read_scenario(&path).unwrap_or_else(|e| panic!("{e}"))
}

/// Step `sim` `steps` times, checking after every step.
fn check_every_step(sim: &mut Simulation, steps: u32, what: &str) {
    sim.check_consistency()
        .unwrap_or_else(|e| panic!("{what}, at the start: {e}"));
    for _ in 0..steps {
        sim.step();
        sim.check_consistency()
            .unwrap_or_else(|e| panic!("{what}: {e}"));
    }
}

#[test]
fn counts_kept_by_changes_equal_counts_from_scratch_in_every_shipped_scenario() {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../scenarios"));
    for path in siloscope_scenario::files::scenario_files_in(dir).unwrap() {
        let sc = read_scenario(&path).unwrap_or_else(|e| panic!("{e}"));
        let mut sim = Simulation::new(&sc, RunOptions::default()).unwrap();
        check_every_step(&mut sim, sc.steps.min(120), &path.display().to_string());
    }
}

#[test]
fn counts_hold_through_referral_windows_churn_returns_and_market_turnover() {
    // The workshop organisation with every way of starting and stopping to
    // refer: a short referral window, fast churn and returns, lapses, the
    // market's newcomers, a competitor, and word of mouth strong enough to
    // keep prospects busy; with and without a campaign.
    let mut sc = load("workshop.scenario.ron");
    sc.model.referral_window = 3.0;
    sc.model.churn_rate = 0.2;
    sc.model.return_rate = 1.0;
    sc.model.lapse_rate = 0.2;
    sc.model.trade_offs = true;
    for g in &mut sc.groups {
        if g.part.is_customer() {
            g.arrivals = 0.02;
        }
    }
    // Pooled, mixed and independent referrals: the last keeps no counts.
    for (reach, independent) in [(0.0, 0.0), (0.05, 0.0), (0.05, 0.5), (0.0, 1.0)] {
        sc.model.independent_referrals = independent;
        let mut sim = Simulation::new(&sc, RunOptions::default()).unwrap();
        sim.set_knob(Knob::ReferralStrength, 0.9).unwrap();
        sim.set_knob(Knob::CampaignReach, reach).unwrap();
        check_every_step(
            &mut sim,
            80,
            &format!("workshop, campaign reach {reach}, independent referrals {independent}"),
        );
        let totals = &sim.report().totals;
        assert!(
            totals.churn > 50 && totals.returns > 0 && totals.acquisitions_word_of_mouth > 10,
            "the lifecycles this test is for happened: {totals:?}"
        );
        assert!(
            totals.arrivals > 10,
            "newcomers arrived: {}",
            totals.arrivals
        );
    }
}
