use super::*;

fn here() -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .join("scenarios/experiments/test.experiment.ron")
}

fn check(src: &str) -> Result<Experiment, ScenarioErrors> {
    parse(src, &here())
}

fn errors(src: &str) -> Vec<String> {
    check(src)
        .expect_err("the experiment is invalid")
        .iter()
        .map(|e| {
            let file = here().display().to_string();
            e.to_string().replacen(&file, "x", 1)
        })
        .collect()
}

#[test]
fn a_grid_makes_every_policy_at_every_point_with_paired_baselines() {
    let e = check(
        r#"Experiment(
            name: "grid",
            scenario: "../workshop.scenario.ron",
            policies: ["connected", "inside_out"],
            baseline: "inside_out",
            sweeps: {
                "silo_permeability": Values([0.2, 0.8]),
                "transparency": Range(from: 0.0, to: 1.0, step: 0.5),
            },
            replicates: 3,
            steps: 20,
            at_steps: [10, 20],
        )"#,
    )
    .unwrap();
    assert_eq!(e.conditions.len(), 2 * 2 * 3);
    assert_eq!(e.runs(), 36);
    assert_eq!(e.at_steps, [9, 19]);
    assert_eq!(e.metrics, HEADLINE);
    assert_eq!(e.seed, 1, "the scenario's seed by default");
    // Each condition's baseline is inside_out at the same sweep point.
    for (c, &b) in e.conditions.iter().zip(&e.baseline_of) {
        assert_eq!(e.conditions[b].policy, "inside_out");
        assert_eq!(e.conditions[b].knobs, c.knobs);
    }
    assert_eq!(
        e.conditions[1].label(),
        "connected silo_permeability=0.2 transparency=0.5"
    );
    assert_eq!(e.run(4), (1, 1));
}

#[test]
fn one_at_a_time_varies_a_single_knob_per_condition() {
    let e = check(
        r#"Experiment(
            name: "oat",
            scenario: "../workshop.scenario.ron",
            policies: ["connected"],
            sweeps: { "silo_permeability": Values([0.2, 0.8]), "transparency": Values([0.1, 0.5, 0.9]) },
            design: OneAtATime,
        )"#,
    )
    .unwrap();
    assert_eq!(e.conditions.len(), 5);
    assert!(e.conditions.iter().all(|c| c.knobs.len() == 1));
    assert_eq!(e.replicates, 10);
    assert_eq!(e.steps, 104, "the scenario's steps by default");
    assert_eq!(e.baseline, "connected");
}

#[test]
fn replicate_seeds_differ_and_depend_only_on_base_and_index() {
    let seeds: std::collections::HashSet<u64> = (0..1000).map(|k| replicate_seed(7, k)).collect();
    assert_eq!(seeds.len(), 1000);
    assert_eq!(replicate_seed(7, 3), replicate_seed(7, 3));
    assert_ne!(replicate_seed(7, 3), replicate_seed(8, 3));
}

#[test]
fn every_error_is_positioned_and_named() {
    let src = r#"Experiment(
    name: "bad",
    scenario: "../workshop.scenario.ron",
    policies: ["connected", "open_door"],
    sweeps: { "silo_permeability": Values([0.5, 1.5]), "transparancy": Values([0.1]) },
    replicates: 0,
    metrics: ["advocates", "happiness"],
    at_steps: [500],
)"#;
    let got = errors(src);
    let expect = [
        "x:4:29: policies[1]: unknown policy \"open_door\"",
        "x:5:36: sweeps.silo_permeability: silo_permeability = 1.5 is out of range; allowed 0 to 1",
        "x:5:56: sweeps.transparancy: unknown knob \"transparancy\"",
        "x:6:17: replicates: 0 is out of range; allowed 1 to 100000",
        "x:7:28: metrics[1]: unknown metric \"happiness\"",
        "x:8:16: at_steps[0]: 500 is out of range; steps are counted from 1 to 104",
    ];
    assert_eq!(got.len(), expect.len(), "{got:#?}");
    for (g, e) in got.iter().zip(expect) {
        assert!(g.starts_with(e), "{g}\n  does not start with\n{e}");
    }
}

#[test]
fn a_missing_scenario_and_a_wrong_type_are_clear() {
    let got = errors(
        r#"Experiment(name: "x", scenario: "nowhere.scenario.ron", policies: ["connected"])"#,
    );
    assert_eq!(got.len(), 1);
    assert!(
        got[0].starts_with("x:1:33: scenario: cannot use \"nowhere.scenario.ron\""),
        "{}",
        got[0]
    );
    let got = errors(
        r#"Experiment(name: "x", scenario: "../workshop.scenario.ron", policies: ["connected"], replicates: "many")"#,
    );
    assert!(
        got[0].contains("replicates") && got[0].contains("\"many\""),
        "{got:?}"
    );
}

#[test]
fn a_sobol_or_morris_design_varies_its_factors_from_one_policy() {
    let e = check(
        r#"Experiment(
            name: "global",
            scenario: "../workshop.scenario.ron",
            policies: ["connected"],
            design: Sobol(samples: 16),
            vary: { "transparency": (0.0, 1.0), "model.forgetting": (0.95, 0.99) },
            replicates: 2,
            steps: 30,
            metrics: ["customer_trust_in_org", "npv"],
        )"#,
    )
    .unwrap();
    let g = e.global.as_ref().unwrap();
    assert_eq!(g.method, crate::sensitivity::Method::Sobol { samples: 16 });
    assert_eq!(g.factors.len(), 2);
    assert_eq!(g.factors[1].factor.name(), "model.forgetting");
    assert_eq!(e.conditions.len(), 1);
    let screen = g.screen(&e, 3);
    assert_eq!(screen.policy.as_deref(), Some("connected"));
    assert_eq!((screen.steps, screen.replicates), (Some(30), 2));
    // Without `vary`, every knob; Morris's levels default to 4.
    let m = check(
        r#"Experiment(name: "m", scenario: "../workshop.scenario.ron", policies: ["inside_out"], design: Morris(trajectories: 5))"#,
    )
    .unwrap();
    let g = m.global.unwrap();
    assert_eq!(g.factors.len(), Knob::ALL.len());
    assert_eq!(
        g.method,
        crate::sensitivity::Method::Morris {
            trajectories: 5,
            levels: 4
        }
    );
    let errs = errors(
        r#"Experiment(
            name: "bad",
            scenario: "../workshop.scenario.ron",
            policies: ["connected", "inside_out"],
            design: Sobol(samples: 1),
            sweeps: { "transparency": Values([0.5]) },
            vary: { "transparncy": (0.0, 1.0), "extranet_openness": (1.0, 0.0) },
            at_steps: [10],
            metrics: ["customers"],
        )"#,
    );
    for expected in [
        "x:5:36: design.Sobol.samples: 1 is out of range; allowed 2 to 1000000",
        "x:4:37: policies[1]: a Sobol or Morris design varies its factors from one policy",
        "sweeps: a Sobol or Morris design varies the factors of `vary`",
        "vary.transparncy: \"transparncy\" is neither a knob nor a model assumption",
        "vary.extranet_openness: (1, 0) is not a range",
        "at_steps: a Sobol or Morris design reads its metrics at the last step",
        "metrics[0]: customers has no part \"all\"",
    ] {
        assert!(
            errs.iter().any(|e| e.contains(expected)),
            "{expected}\n{errs:#?}"
        );
    }
    // Runs are the design's points × replicates.
    assert_eq!(e.runs(), 16 * (2 + 2) * 2);
    let more = errors(
        r#"Experiment(
            name: "more",
            scenario: "../workshop.scenario.ron",
            policies: ["inside_out"],
            design: Morris(trajectories: 4, level: 8),
        )"#,
    );
    assert!(more[0].contains("level"), "{more:?}");
    let listed = errors(
        r#"Experiment(
            name: "listed",
            scenario: "../workshop.scenario.ron",
            policies: ["inside_out"],
            design: Sobol(samples: 4),
            replicates: 1,
            metrics: ["bogus", "npv", "customers", "npv"],
        )"#,
    );
    for expected in [
        "replicates: 1 is out of range for a Sobol or Morris design",
        "metrics[0]: unknown metric \"bogus\"",
        "metrics[2]: customers has no part \"all\"",
        "metrics[3]: \"npv\" is listed twice",
    ] {
        assert!(
            listed.iter().any(|e| e.contains(expected)),
            "{expected}\n{listed:#?}"
        );
    }
    let empty = errors(
        r#"Experiment(name: "e", scenario: "../workshop.scenario.ron", policies: ["inside_out"], design: Sobol(samples: 4), metrics: [])"#,
    );
    assert!(
        empty[0].contains("metrics: name at least one metric"),
        "{empty:?}"
    );
    let huge = errors(
        r#"Experiment(name: "h", scenario: "../workshop.scenario.ron", policies: ["inside_out"], design: Sobol(samples: 1000000), replicates: 100)"#,
    );
    assert!(huge[0].contains("design: 1500000000 runs planned; at most 1000000 (fewer samples, trajectories or replicates)"), "{huge:?}");
    let grid = errors(
        r#"Experiment(name: "g", scenario: "../workshop.scenario.ron", policies: ["inside_out"], vary: { "transparency": (0.0, 1.0) })"#,
    );
    assert!(
        grid[0].contains("vary: `vary` is for design: Sobol"),
        "{grid:?}"
    );
}
