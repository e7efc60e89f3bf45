use super::*;
use crate::seed_networks::SeedNetworks;
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

/// Three factors of the workshop, over their whole ranges at once: silo
/// permeability sets how much crosses the silo walls; the campaign and
/// how fast trust fades barely touch it.
fn three_factors(scenario: &Scenario) -> Vec<Range> {
    let knobs = knob_ranges(scenario);
    let knob = |k: Knob| *knobs.iter().find(|r| r.factor == Factor::Knob(k)).unwrap();
    vec![
        knob(Knob::CampaignReach),
        knob(Knob::SiloPermeability),
        Range {
            factor: Factor::parse("model.forgetting").unwrap(),
            low: 0.95,
            high: 0.99,
        },
    ]
}

#[test]
fn sobol_and_morris_find_the_factor_that_matters_whatever_the_jobs() {
    let scenario = workshop();
    let mut o = options("ei_index_flow_cumulative", 1);
    o.replicates = 2;
    o.factors = three_factors(&scenario);
    let sobol = Method::Sobol { samples: 32 };
    assert_eq!(sobol.points(3), 160);
    let study = global(&scenario, &o, &sobol).unwrap();
    o.jobs = 2;
    let two = global(&scenario, &o, &sobol).unwrap();
    assert_eq!(
        format!("{study:?}"),
        format!("{two:?}"),
        "the same for any jobs"
    );
    // Silo permeability's effect dwarfs the seeds' noise.
    assert!(study.noise.share < 0.05, "{:?}", study.noise);
    let one = study.effects;
    assert_eq!(one[0].factor, Factor::Knob(Knob::SiloPermeability));
    let silo = one[0].sobol.unwrap();
    assert!(silo.total.value > 0.5 && silo.first.value > 0.4, "{silo:?}");
    assert!(silo.total.lo <= silo.total.value && silo.total.value <= silo.total.hi);
    let campaign = one
        .iter()
        .find(|e| e.factor == Factor::Knob(Knob::CampaignReach))
        .unwrap();
    assert!(campaign.sobol.unwrap().total.value < 0.1, "{campaign:?}");

    let morris = Method::Morris {
        trajectories: 12,
        levels: 4,
    };
    let effects = global(&scenario, &o, &morris).unwrap().effects;
    assert_eq!(effects[0].factor, Factor::Knob(Knob::SiloPermeability));
    let (first, last) = (effects[0].morris.unwrap(), effects[2].morris.unwrap());
    assert!(first.mu_star > 5.0 * last.mu_star, "{effects:?}");
    assert_eq!(first.n, 12);
    assert!(effects.iter().all(|e| e.sobol.is_none()));
}

#[test]
fn a_global_study_checks_its_factors_like_the_screen() {
    let scenario = workshop();
    let mut o = options("customer_trust_in_org", 1);
    o.factors = vec![Range {
        factor: Factor::parse("model.forgetting").unwrap(),
        low: 0.5,
        high: 7.0,
    }];
    let e = global(&scenario, &o, &Method::Sobol { samples: 4 }).unwrap_err();
    assert!(e.to_string().contains("is out of range"), "{e}");
}

#[test]
fn seed_noise_is_measured_and_more_seeds_shrink_it() {
    // How fast trust fades hardly moves trust in the organisation over 30
    // steps: what varies between points is mostly the seeds' noise.
    let scenario = workshop();
    let mut o = options("customer_trust_in_org", 2);
    o.factors = vec![Range {
        factor: Factor::parse("model.forgetting").unwrap(),
        low: 0.97,
        high: 0.98,
    }];
    // Every point runs on the same seeds (common random numbers), so a
    // design's noise rests on as few degrees of freedom as it has seeds,
    // whatever its points: pool the variances of three designs on their
    // own seeds, with 4 and with 16 seeds a point (9 and 45 degrees of
    // freedom; the larger comes out above the smaller, instead of about a
    // quarter of it, with a chance near 1 %).
    let mut pooled = |replicates: u32| {
        o.replicates = replicates;
        let noises: Vec<_> = [11, 12, 13]
            .map(|seed| {
                o.seed = Some(seed);
                global(&scenario, &o, &Method::Sobol { samples: 4 })
                    .unwrap()
                    .noise
            })
            .into();
        assert!(noises.iter().all(|n| n.share > 0.3), "{noises:?}");
        (noises.iter().map(|n| n.sd * n.sd).sum::<f64>() / 3.0).sqrt()
    };
    let (few, many) = (pooled(4), pooled(16));
    assert!(many < few, "{few} {many}");
}

#[test]
fn the_two_runs_of_a_gap_share_their_seeds_network_and_give_what_two_runs_of_their_own_give() {
    let scenario = workshop();
    let mut gap = options("profit_total", 1);
    gap.policy = Some("connected".into());
    gap.against = Some("inside_out".into());
    let knobs = [(Knob::ReferralStrength, 0.7)];
    let own = |policy: &str, seed: u64| {
        let mut sim = Simulation::new(
            &scenario,
            RunOptions {
                policy: Some(policy.into()),
                seed: Some(seed),
                record_flows: false,
            },
        )
        .unwrap();
        for &(k, v) in &knobs {
            sim.set_knob(k, v).unwrap();
        }
        for _ in 0..30 {
            sim.step();
        }
        let mut value = None;
        sim.report().rows(|m, p, v| {
            if m == "profit_total" && p == "all" {
                value = Some(v);
            }
        });
        value.unwrap()
    };
    // A variant of the scenario (an assumption moved) at the same seeds
    // shares their networks too.
    let mut variant = scenario.clone();
    variant.model.churn_rate *= 2.0;
    let networks = SeedNetworks::new(&scenario, crate::seed_networks::DEFAULT_BUDGET);
    for seed in [3, 17] {
        for round in 0..2 {
            let shared = value(&scenario, &gap, seed, &networks, &knobs)
                .unwrap()
                .unwrap();
            let separate = own("connected", seed) - own("inside_out", seed);
            assert_eq!(
                shared.to_bits(),
                separate.to_bits(),
                "seed {seed}, round {round}"
            );
            assert!(shared != 0.0, "the two policies differ: {shared}");
        }
        value(&variant, &gap, seed, &networks, &knobs).unwrap();
    }
    assert_eq!(
        networks.built(),
        2,
        "one network per seed, for every run at it"
    );
}
