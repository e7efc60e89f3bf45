use super::*;
use siloscope_scenario::parse_str;

fn workshop() -> Scenario {
    let text = include_str!("../../../../scenarios/workshop.scenario.ron");
    parse_str(text, "workshop.scenario.ron").unwrap()
}

fn knob(k: Knob) -> Range {
    Range {
        factor: Factor::Knob(k),
        low: 0.0,
        high: 1.0,
    }
}

/// Observations made by the model itself with known settings, on seeds
/// the calibration never uses: the mean over six.
fn observed(scenario: &Scenario, truth: &[(Knob, f32)], targets: &mut [Target]) {
    let mut sums = vec![0.0; targets.len()];
    for r in 0..6 {
        let seed = replicate_seed(4242, r);
        let networks = SeedNetworks::new(scenario, 0);
        let got = simulate(
            scenario,
            &networks,
            Some("inside_out"),
            seed,
            truth,
            targets,
        )
        .unwrap();
        for (s, v) in sums.iter_mut().zip(got) {
            *s += v.unwrap() / 6.0;
        }
    }
    for (t, v) in targets.iter_mut().zip(sums) {
        t.value = v;
    }
}

fn target(metric: &str, part: &str, step: u32, sd: f64) -> Target {
    Target {
        metric: metric.into(),
        part: part.into(),
        step,
        value: f64::NAN,
        sd,
    }
}

#[test]
fn known_settings_are_recovered_inside_their_ranges_whatever_the_jobs() {
    let scenario = workshop();
    // Trust moves with both knobs, the cost of openness with the extranet
    // alone: together they tell the two apart.
    let truth = [(Knob::Transparency, 0.6f32), (Knob::ExtranetOpenness, 0.35)];
    let mut targets = vec![
        target("customer_trust_in_org", "all", 52, 0.01),
        target("customer_trust_in_org", "all", 103, 0.01),
        target("cost_total", "all", 103, 3.0),
        target("advocates", "existing_customers", 103, 6.0),
    ];
    observed(&scenario, &truth, &mut targets);
    let mut c = Calibration {
        policy: Some("inside_out".into()),
        factors: vec![knob(Knob::Transparency), knob(Knob::ExtranetOpenness)],
        targets,
        samples: 400,
        accept: 0.06,
        replicates: 2,
        seed: Some(7),
        jobs: 1,
    };
    let posterior = calibrate(&scenario, &c).unwrap();
    c.jobs = 2;
    assert_eq!(calibrate(&scenario, &c).unwrap(), posterior, "any jobs");
    assert_eq!(posterior.accepted.len(), 24);
    assert!(posterior.accepted.windows(2).all(|w| w[0].1 <= w[1].1));
    for ((range, spread), (_, value)) in posterior.factors.iter().zip(truth) {
        let value = f64::from(value);
        assert!(
            spread.lo <= value && value <= spread.hi,
            "{:?}: {spread:?} misses {value}",
            range.factor
        );
        // The data narrowed the prior (0 to 1) down.
        assert!(
            spread.hi - spread.lo < 0.6,
            "{:?}: {spread:?}",
            range.factor
        );
    }
    // The posterior predictive holds what was observed.
    for (t, p) in c.targets.iter().zip(&posterior.predictive) {
        assert!(
            p.lo - 2.0 * t.sd <= t.value && t.value <= p.hi + 2.0 * t.sd,
            "{t:?}: {p:?}"
        );
    }
}

#[test]
fn a_target_file_is_checked_with_located_errors() {
    let scenario = workshop();
    let good = r#"Targets(
    policy: "inside_out",
    vary: { "transparency": (0.0, 1.0), "model.forgetting": (0.95, 0.99) },
    targets: [
        (metric: "customer_trust_in_org", step: 52, value: 0.61, sd: 0.02),
        (metric: "customers", part: "existing_customers", step: 104, value: 170, sd: 10),
    ],
)"#;
    let t = targets::parse_targets(good, "t.targets.ron", &scenario).unwrap();
    assert_eq!(t.factors.len(), 2);
    assert_eq!(t.targets[1].part, "existing_customers");
    let bad = r#"Targets(
    policy: "nobody",
    vary: { "transparncy": (0.0, 1.0), "model.forgetting": (0.5, 2.0), "self_service": (1.0, 0.0) },
    targets: [
        (metric: "trust", step: 52, value: 0.61, sd: 0.02),
        (metric: "customers", step: 1000000, value: 170, sd: 0),
    ],
)"#;
    let errs = targets::parse_targets(bad, "t.targets.ron", &scenario)
        .unwrap_err()
        .to_string();
    for expected in [
        "t.targets.ron:2:13: policy: unknown policy \"nobody\"",
        "t.targets.ron:3:28: vary.transparncy: \"transparncy\" is neither a knob nor a model assumption",
        "t.targets.ron:3:60: vary.model.forgetting: model.forgetting = 2 is out of range",
        "t.targets.ron:3:88: vary.self_service: (1, 0) is not a range",
        "t.targets.ron:5:18: targets[0].metric: unknown metric \"trust\"",
        "targets[1].step: 1000000 is out of range",
        "targets[1].sd: 0 is not an uncertainty",
        "targets[1].part: customers has no part \"all\"",
    ] {
        assert!(errs.contains(expected), "{expected}\n{errs}");
    }
    let syntax = targets::parse_targets(
        "Targets(vary: {}, targets: [(metric: 1)])",
        "t.targets.ron",
        &scenario,
    )
    .unwrap_err()
    .to_string();
    assert!(syntax.starts_with("t.targets.ron:1:"), "{syntax}");
}
