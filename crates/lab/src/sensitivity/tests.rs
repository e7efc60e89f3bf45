use super::*;
use siloscope_scenario::parse_str;

fn workshop() -> Scenario {
    let text = include_str!("../../../../scenarios/workshop.scenario.ron");
    parse_str(text, "workshop.scenario.ron").unwrap()
}

fn options(metric: &str, jobs: usize) -> Screen {
    Screen {
        metric: metric.into(),
        part: "all".into(),
        policy: Some("inside_out".into()),
        against: None,
        factors: Vec::new(),
        replicates: 4,
        steps: Some(30),
        seed: None,
        jobs,
    }
}

#[test]
fn the_screen_ranks_knobs_by_effect_and_does_not_depend_on_jobs() {
    let scenario = workshop();
    let one = screen(&scenario, &options("ei_index_flow_cumulative", 1)).unwrap();
    let two = screen(&scenario, &options("ei_index_flow_cumulative", 2)).unwrap();
    // Effects may hold NaN (a knob with no effect at all has d_z = NaN),
    // so the two are compared as text.
    assert_eq!(format!("{one:?}"), format!("{two:?}"));
    assert_eq!(one.len(), Knob::ALL.len());
    // How much crosses the silo walls is what silo permeability sets.
    assert_eq!(one[0].factor, Factor::Knob(Knob::SiloPermeability));
    assert!(one[0].effect.diff.lo > 0.0, "{:?}", one[0].effect);
    // Ranked by size.
    let sizes: Vec<f64> = one.iter().map(|e| e.effect.diff.mean.abs()).collect();
    assert!(sizes.windows(2).all(|w| w[0] >= w[1] || w[1].is_nan()));
    // The campaign does not touch flows between departments.
    let campaign = one
        .iter()
        .find(|e| e.factor == Factor::Knob(Knob::CampaignReach))
        .unwrap();
    assert!(campaign.effect.diff.mean.abs() < one[0].effect.diff.mean.abs() / 5.0);
}

#[test]
fn unknown_metrics_and_parts_are_clear_errors() {
    let scenario = workshop();
    let e = screen(&scenario, &options("trust_acros_silos", 1)).unwrap_err();
    assert!(
        e.to_string()
            .contains("unknown metric \"trust_acros_silos\""),
        "{e}"
    );
    let mut bad_part = options("customers", 1);
    bad_part.part = "everyone".into();
    let e = screen(&scenario, &bad_part).unwrap_err();
    assert!(e.to_string().contains("existing_customers"), "{e}");
}

#[test]
fn a_gap_between_two_policies_names_the_assumption_its_ranking_rests_on() {
    let scenario = workshop();
    let mut gap = options("profit_total", 2);
    gap.policy = Some("connected".into());
    gap.against = Some("inside_out".into());
    gap.steps = None;
    gap.replicates = 6;
    gap.factors = vec![
        Range {
            factor: Factor::parse("model.arpu_scale").unwrap(),
            low: 0.1,
            high: 1.0,
        },
        Range {
            factor: Factor::parse("model.forgetting").unwrap(),
            low: 0.95,
            high: 0.99,
        },
    ];
    let effects = screen(&scenario, &gap).unwrap();
    let arpu = &effects[0];
    assert_eq!(arpu.factor.name(), "model.arpu_scale");
    // Customers worth a tenth: connected's extra cost is not earned
    // back; worth what the scenario says: it is.
    assert!(
        arpu.at_low.mean < 0.0 && arpu.at_high.mean > 0.0,
        "{arpu:?}"
    );
    assert!(arpu.flips() && arpu.may_flip(), "{arpu:?}");
    assert!(!effects[1].flips() || effects[1].effect.diff.mean.abs() < arpu.effect.diff.mean.abs());
}

#[test]
fn factors_are_named_and_checked() {
    assert_eq!(
        Factor::parse("transparency"),
        Some(Factor::Knob(Knob::Transparency))
    );
    assert_eq!(
        Factor::parse("model.churn_rate"),
        Some(Factor::Assumption("churn_rate"))
    );
    assert_eq!(Factor::parse("model.nope"), None);
    assert_eq!(Factor::parse("churn_rate"), None, "assumptions need model.");
    let scenario = workshop();
    let mut bad = options("customers", 1);
    bad.part = "existing_customers".into();
    bad.factors = vec![Range {
        factor: Factor::parse("model.forgetting").unwrap(),
        low: 0.2,
        high: 0.9,
    }];
    let e = screen(&scenario, &bad).unwrap_err().to_string();
    assert!(
        e.contains("model.forgetting = 0.2 is out of range; allowed 0.5 to 1"),
        "{e}"
    );
    // Half to one and a half times each assumption, inside its range.
    let ranges = assumption_ranges(&scenario);
    let churn = ranges
        .iter()
        .find(|r| r.factor == Factor::Assumption("churn_rate"))
        .unwrap();
    assert!((churn.low - 0.015).abs() < 1e-6 && (churn.high - 0.045).abs() < 1e-6);
    let forgetting = ranges
        .iter()
        .find(|r| r.factor == Factor::Assumption("forgetting"))
        .unwrap();
    assert_eq!(forgetting.high, 1.0, "clipped to the allowed range");
    assert!(
        ranges
            .iter()
            .all(|r| r.factor != Factor::Assumption("instant_adoption"))
    );
}

#[test]
fn levels_that_cannot_mean_anything_are_refused_before_any_run() {
    let scenario = workshop();
    let with = |factors: Vec<(&str, f64, f64)>| {
        let mut s = options("profit_total", 1);
        s.factors = factors
            .into_iter()
            .map(|(name, low, high)| Range {
                factor: Factor::parse(name).unwrap(),
                low,
                high,
            })
            .collect();
        check(&scenario, &s).map_err(|e| e.to_string())
    };
    let e = with(vec![("model.trade_offs", 0.2, 0.8)]).unwrap_err();
    assert!(e.contains("a switch is 0 (off) or 1 (on)"), "{e}");
    let e = with(vec![("model.max_wait", 0.5, 2.5)]).unwrap_err();
    assert!(e.contains("whole numbers"), "{e}");
    let e = with(vec![("transparency", 0.30000001, 0.30000002)]).unwrap_err();
    assert!(e.contains("same value to the model"), "{e}");
    let e = with(vec![("transparency", 0.0, 1.0), ("transparency", 0.2, 0.8)]).unwrap_err();
    assert!(e.contains("screened twice"), "{e}");
    assert!(
        with(vec![
            ("model.trade_offs", 0.0, 1.0),
            ("model.max_wait", 1.0, 4.0)
        ])
        .is_ok()
    );
    let mut same = options("profit_total", 1);
    same.against = Some("inside_out".into());
    let e = check(&scenario, &same).unwrap_err().to_string();
    assert!(e.contains("is the policy screened itself"), "{e}");
    // Assumption levels read as people write them.
    for r in assumption_ranges(&scenario) {
        for v in [r.low, r.high] {
            assert!(
                format!("{}", v as f32).len() <= 8,
                "{} {v}",
                r.factor.name()
            );
        }
    }
    assert_eq!(
        unscreened_assumptions(&scenario),
        [
            "instant_adoption",
            "referral_window",
            "independent_referrals"
        ]
    );
}
