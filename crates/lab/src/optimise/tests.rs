use super::*;
use crate::sensitivity::{Factor, Range};
use search::INFEASIBLE;
use siloscope_model::knob::Knob;
use siloscope_scenario::parse_str;

fn workshop() -> Scenario {
    let text = include_str!("../../../../scenarios/workshop.scenario.ron");
    parse_str(text, "workshop.scenario.ron").unwrap()
}

/// The first `d` knobs, each over 0 to 1.
fn unit_space(d: usize) -> Space {
    let ranges: Vec<Range> = Knob::ALL[..d]
        .iter()
        .map(|&k| Range {
            factor: Factor::Knob(k),
            low: 0.0,
            high: 1.0,
        })
        .collect();
    Space::of(&ranges)
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
}

/// A constraint on a stand-in reading (the analytic problems compute
/// its value themselves).
fn at_most(bound: f64) -> Constraint {
    Constraint {
        reading: Reading {
            metric: "x".into(),
            part: "all".into(),
            step: 0,
        },
        at_least: None,
        at_most: Some(bound),
    }
}

/// Maximise `score` (objective and constraint values of a point in
/// `[0, 1]^d`) from the box's centre: the best grid point found (highest
/// fitness, then smallest point) and the stop.
fn solve(
    d: usize,
    constraints: &[Constraint],
    threads: usize,
    score: impl Fn(&[f64]) -> Score + Sync,
) -> (Vec<f64>, Score, Stop) {
    let space = unit_space(d);
    let best: Mutex<Option<(Fitness, Vec<i64>, Score)>> = Mutex::new(None);
    let fitness = |p: &[i64]| {
        let x: Vec<f64> = p.iter().map(|&v| v as f64 / 1000.0).collect();
        let s = score(&x);
        let f = s.fitness(Sense::Maximise, constraints, 1.0);
        let mut b = best.lock().unwrap();
        let better = match &*b {
            None => true,
            Some((bf, bp, _)) => f > *bf || (f == *bf && p < bp.as_slice()),
        };
        if better {
            *b = Some((f, p.to_vec(), s));
        }
        f
    };
    let settings = Settings {
        population: 4 + (3.0 * (d as f64).ln()).floor() as usize,
        generations: 300,
        sigma: 0.3,
        seed: 7,
    };
    let stop = search::maximise(
        &space,
        &vec![0.5; d],
        &settings,
        &fitness,
        &pool(threads),
        |_| Ok::<(), ()>(()),
    )
    .unwrap();
    let (_, p, s) = best.into_inner().unwrap().unwrap();
    (p.iter().map(|&v| v as f64 / 1000.0).collect(), s, stop)
}

fn plain(objective: f64) -> Score {
    Score {
        objective,
        constraints: Vec::new(),
    }
}

#[test]
fn the_search_finds_known_optima_inside_on_the_walls_and_under_a_constraint() {
    // Inside the box: a quadratic bowl with its top at c.
    let c = [0.3, 0.8, 0.55, 0.1];
    let (x, _, stop) = solve(4, &[], 1, |x| {
        plain(-x.iter().zip(c).map(|(a, b)| (a - b).powi(2)).sum::<f64>())
    });
    for (a, b) in x.iter().zip(c) {
        assert!((a - b).abs() <= 0.002, "{x:?} against {c:?} ({stop})");
    }
    // Rosenbrock's valley, on [-2, 2]^3 (its top at 1, 1, 1: u = 0.75).
    let (x, s, _) = solve(3, &[], 1, |u| {
        let v: Vec<f64> = u.iter().map(|u| 4.0 * u - 2.0).collect();
        plain(
            -v.windows(2)
                .map(|w| 100.0 * (w[1] - w[0] * w[0]).powi(2) + (1.0 - w[0]).powi(2))
                .sum::<f64>(),
        )
    });
    assert!(
        x.iter().all(|u| (u - 0.75).abs() <= 0.01),
        "{x:?}: {}",
        s.objective
    );
    // On the walls: the sum is largest at the far corner, which the
    // reflection lets the search reach exactly.
    let (x, _, _) = solve(3, &[], 1, |x| plain(x.iter().sum()));
    assert_eq!(x, vec![1.0; 3]);
    // Under a constraint: x + y is largest on the circle x² + y² = 0.5 at
    // (0.5, 0.5); everything outside it is refused.
    let circle = [at_most(0.5)];
    let (x, s, _) = solve(2, &circle, 1, |x| Score {
        objective: x[0] + x[1],
        constraints: vec![x[0] * x[0] + x[1] * x[1]],
    });
    assert_eq!(s.violation(&circle), 0.0, "{x:?}");
    assert!(
        (x[0] - 0.5).abs() <= 0.05 && (x[1] - 0.5).abs() <= 0.05,
        "{x:?}"
    );
    // The top is flat along the circle: the objective is what is exact.
    assert!(s.objective > 0.995, "{}", s.objective);
}

#[test]
fn the_search_is_the_same_for_any_number_of_threads() {
    let f = |x: &[f64]| plain(-(x[0] - 0.2).powi(2) - (x[1] - 0.9).abs() + (7.0 * x[2]).sin());
    let one = solve(3, &[], 1, f);
    let three = solve(3, &[], 3, f);
    assert_eq!(one, three);
}

#[test]
fn fitness_ranks_every_breach_below_every_kept_candidate() {
    let c = [at_most(1.0)];
    let kept_bad = Score {
        objective: -1e9,
        constraints: vec![1.0],
    };
    let small_breach = Score {
        objective: 1e9,
        constraints: vec![1.1],
    };
    let big_breach = Score {
        objective: 1e9,
        constraints: vec![5.0],
    };
    let undefined = Score {
        objective: f64::NAN,
        constraints: vec![0.0],
    };
    let f = |s: &Score| s.fitness(Sense::Maximise, &c, 1.0);
    assert!(f(&kept_bad) > f(&undefined));
    assert!(f(&undefined) > f(&small_breach));
    assert!(f(&small_breach) > f(&big_breach));
    // Minimising turns the objective round, not the constraints.
    let low = plain(1.0);
    let high = plain(2.0);
    assert!(low.fitness(Sense::Minimise, &[], 1.0) > high.fitness(Sense::Minimise, &[], 1.0));
    // The scale divides, so no weight is too large to rank by.
    let huge = plain(8.0e16);
    let huger = plain(8.0001e16);
    assert!(huger.fitness(Sense::Maximise, &[], 8e16) > huge.fitness(Sense::Maximise, &[], 8e16));
    assert!(plain(-8.0e16).fitness(Sense::Maximise, &[], 8e16) > f(&undefined));
    assert_eq!(
        plain(f64::INFINITY).fitness(Sense::Maximise, &[], 1.0),
        INFEASIBLE
    );
    // An undefined constraint value counts as broken.
    assert_eq!(c[0].violation(f64::NAN), 1.0);
}

#[test]
fn grid_values_are_the_text_of_the_entry_written() {
    let space = unit_space(1);
    for t in 0..=1000 {
        let text = knob_text(t);
        assert_eq!(text.parse::<f32>().unwrap(), knob_value(t), "{t}");
        assert_eq!(space.point(&space.unit(&[t as f64 / 1000.0])), vec![t]);
    }
    assert_eq!(knob_text(500), "0.5");
    assert_eq!(knob_text(1000), "1");
    assert_eq!(knob_text(7), "0.007");
    assert_eq!(knob_text(-1250), "-1.25");
    // f32 ends read to the thousandth they stand for.
    let narrow = Space::of(&[Range {
        factor: Factor::Knob(Knob::Transparency),
        low: f64::from(0.1f32),
        high: f64::from(0.3f32),
    }]);
    assert_eq!(narrow.point(&[0.0]), vec![100]);
    assert_eq!(narrow.point(&[1.0]), vec![300]);
}

/// The workshop's objective for the tests: NPV, keeping customer trust.
fn npv_keeping_trust(scenario: &Scenario) -> Objective {
    parse_objective(
        r#"Objective(maximise: [(metric: "npv")], constraints: [(metric: "customer_trust_in_org", at_least: 0.5)])"#,
        "t.objective.ron",
        scenario,
    )
    .unwrap()
}

fn small(jobs: usize) -> Options {
    Options {
        population: Some(6),
        generations: 3,
        replicates: 2,
        seed: Some(11),
        jobs,
    }
}

/// Run a search, keeping every generation's fresh entries.
fn run(
    scenario: &Scenario,
    objective: &Objective,
    options: &Options,
    known: Vec<Entry>,
) -> (Found, Vec<Entry>) {
    let mut journal = Vec::new();
    let found = optimise(scenario, objective, options, known, |p: &Progress| {
        journal.extend(p.fresh.iter().cloned());
        Ok::<(), ScreenError>(())
    })
    .unwrap();
    (found, journal)
}

#[test]
fn a_search_is_the_same_for_any_jobs_and_resumes_to_the_same_end() {
    let scenario = workshop();
    let objective = npv_keeping_trust(&scenario);
    let (one, journal) = run(&scenario, &objective, &small(1), Vec::new());
    let (two, _) = run(&scenario, &objective, &small(2), Vec::new());
    assert_eq!(one, two);
    // Generation 0 is the scenario's five presets, then 3 × 6 candidates.
    assert_eq!(one.entries.iter().filter(|e| e.generation == 0).count(), 5);
    assert_eq!(one.generations, 3);
    assert_eq!(
        journal, one.entries,
        "every entry is journaled once, in order"
    );
    assert_eq!(one.runs, one.entries.len() * 2);
    // Stopped after generation 1: resumed, it runs only what is missing
    // and ends where the uninterrupted search ended.
    let kept: Vec<Entry> = journal
        .iter()
        .filter(|e| e.generation <= 1)
        .cloned()
        .collect();
    let (resumed, fresh) = run(&scenario, &objective, &small(2), kept.clone());
    assert_eq!(resumed.entries, one.entries);
    assert_eq!(resumed.best, one.best);
    assert_eq!(resumed.runs, (one.entries.len() - kept.len()) * 2);
    assert!(fresh.iter().all(|e| e.generation >= 2));
    // Given more generations, it goes on from where it stopped.
    let more = Options {
        generations: 5,
        ..small(2)
    };
    let (longer, _) = run(&scenario, &objective, &more, journal.clone());
    assert_eq!(longer.entries[..one.entries.len()], one.entries[..]);
    assert_eq!(longer.generations, 5);
    // The best of a search is at least the best of the policies.
    let best_start = one
        .entries
        .iter()
        .filter(|e| e.generation == 0)
        .map(|e| {
            e.score
                .fitness(objective.sense, &objective.constraints, 1.0)
        })
        .fold(f64::NEG_INFINITY, f64::max);
    assert!(
        one.best
            .score
            .fitness(objective.sense, &objective.constraints, 1.0)
            >= best_start
    );
}

#[test]
fn the_optimum_beats_every_preset_on_fresh_paired_seeds_as_the_entry_pasted() {
    let scenario = workshop();
    let objective = npv_keeping_trust(&scenario);
    let options = Options {
        population: None,
        generations: 6,
        replicates: 4,
        seed: Some(3),
        jobs: 2,
    };
    let (found, _) = run(&scenario, &objective, &options, Vec::new());
    assert!(found.feasible);
    let c = compare(
        &scenario,
        &objective,
        &found.best.point,
        "test",
        3,
        4,
        12,
        2,
    )
    .unwrap();
    assert_eq!(c.policy.name, "optimised");
    assert_eq!(c.policies.len(), scenario.policies.len());
    // No check seed is a search seed.
    let search = search_seeds(3, 4);
    assert!(c.seeds.iter().all(|s| !search.contains(s)));
    for (name, runs) in &c.policies {
        let gain = c.gain_over(runs, objective.sense);
        assert!(
            gain.diff.lo > 0.0,
            "{name}: the optimum is better by {} [{}, {}]",
            gain.diff.mean,
            gain.diff.lo,
            gain.diff.hi
        );
    }
    assert_eq!(c.optimum.score().violation(&objective.constraints), 0.0);
    // The entry, run as a policy of the scenario, is the point the search
    // scored: the same mean on the search's seeds, to the bit.
    let mut with = scenario.clone();
    with.policies.push(c.policy.clone());
    let networks = crate::seed_networks::SeedNetworks::new(&with, 0);
    let again: Vec<f64> = search
        .iter()
        .map(|&s| {
            run_once(&with, &networks, &objective, Some("optimised"), &[], s)
                .unwrap()
                .objective
        })
        .collect();
    assert_eq!(
        again.iter().sum::<f64>() / again.len() as f64,
        found.best.score.objective
    );
}

#[test]
fn an_objective_file_is_checked_with_located_errors() {
    let scenario = workshop();
    let good = r#"Objective(
    policy: "connected",
    vary: { "transparency": (0.2, 0.9), "silo_permeability": (0.0, 1.0) },
    minimise: [(metric: "churned", part: "existing_customers", step: 52, weight: 2)],
    constraints: [(metric: "customer_trust_in_org", at_least: 0.5, at_most: 0.9)],
)"#;
    let o = parse_objective(good, "t.objective.ron", &scenario).unwrap();
    assert_eq!(o.sense, Sense::Minimise);
    // Catalogue order, whatever the file's.
    assert_eq!(o.space[0].factor, Factor::Knob(Knob::SiloPermeability));
    assert_eq!(o.terms[0].reading.step, 52);
    assert_eq!(o.terms[0].weight, 2.0);
    // Without a step: the last of the run.
    assert_eq!(o.constraints[0].reading.step, scenario.steps - 1);
    assert_eq!(
        o.describe(),
        "minimise 2 × churned (existing_customers) at step 52"
    );
    let all = npv_keeping_trust(&scenario);
    assert_eq!(all.space.len(), Knob::ALL.len());
    let bad = r#"Objective(
    policy: "nobody",
    vary: { "transparncy": (0.0, 1.0), "model.forgetting": (0.5, 0.9), "self_service": (1.0, 0.0), "marketing_push": (0.0, 7.0) },
    maximise: [(metric: "trust"), (metric: "npv", weight: 0), (metric: "customers", step: 1000000)],
    minimise: [(metric: "churned")],
    constraints: [(metric: "npv"), (metric: "npv", at_least: 5, at_most: 1)],
)"#;
    let errs = parse_objective(bad, "t.objective.ron", &scenario)
        .unwrap_err()
        .to_string();
    for expected in [
        "t.objective.ron:2:13: policy: unknown policy \"nobody\"",
        "t.objective.ron:3:28: vary.transparncy: \"transparncy\" is not a knob",
        "vary.model.forgetting: \"model.forgetting\" is a model assumption",
        "vary.self_service: (1, 0) is not a range",
        "vary.marketing_push: (0, 7) leaves the knob's declared range",
        "t.objective.ron:4:25: maximise[0].metric: unknown metric \"trust\"",
        "maximise[1].weight: 0 is not a weight",
        "maximise[2].step: 1000000 is out of range",
        "minimise: an objective either maximises or minimises",
        "constraints[0]: a constraint needs `at_least`, `at_most` or both",
        "constraints[1].at_most: 1 is below at_least 5",
    ] {
        assert!(errs.contains(expected), "{expected}\n{errs}");
    }
    let none = parse_objective("Objective()", "t.objective.ron", &scenario)
        .unwrap_err()
        .to_string();
    assert!(none.contains("no objective"), "{none}");
    let syntax = parse_objective("Objective(maximise: 3)", "t.objective.ron", &scenario)
        .unwrap_err()
        .to_string();
    assert!(syntax.starts_with("t.objective.ron:1:"), "{syntax}");
}

/// Every prefix of a good objective file, and each with one byte
/// damaged, is an objective or located errors: never a panic.
#[test]
fn a_cut_or_damaged_objective_file_gets_errors_never_a_panic() {
    let scenario = workshop();
    let good = include_str!("../../../../scenarios/objectives/workshop.objective.ron");
    let bytes = good.as_bytes();
    for cut in (0..bytes.len()).step_by(3) {
        let prefix = String::from_utf8_lossy(&bytes[..cut]);
        if let Err(e) = parse_objective(&prefix, "cut.objective.ron", &scenario) {
            assert!(e.to_string().starts_with("cut.objective.ron:"), "{e}");
        }
        let mut damaged = bytes.to_vec();
        damaged[cut] = b"\")(,:[]{}0x\\"[cut % 12];
        let damaged = String::from_utf8_lossy(&damaged);
        if let Err(e) = parse_objective(&damaged, "damaged.objective.ron", &scenario) {
            assert!(e.to_string().starts_with("damaged.objective.ron:"), "{e}");
        }
    }
}

/// Weights of any size find the same optimum: the search ranks by the
/// objective divided by its size among the policies.
#[test]
fn the_weights_size_does_not_change_the_search() {
    let scenario = workshop();
    let with = |weight: &str| {
        parse_objective(
            &format!(r#"Objective(minimise: [(metric: "churned", part: "existing_customers", weight: {weight})], vary: {{ "transparency": (0.0, 1.0), "cross_sell_pressure": (0.0, 1.0) }})"#),
            "t.objective.ron",
            &scenario,
        )
        .unwrap()
    };
    let (one, _) = run(&scenario, &with("1"), &small(2), Vec::new());
    let (huge, _) = run(&scenario, &with("1e12"), &small(2), Vec::new());
    let points = |f: &Found| {
        f.entries
            .iter()
            .map(|e| e.point.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(points(&huge), points(&one));
    assert_eq!(huge.best.point, one.best.point);
    // A sum that overflows everywhere is refused, not reported.
    let err = optimise(&scenario, &with("1e308"), &small(1), Vec::new(), |_| {
        Ok::<(), ScreenError>(())
    })
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("is not a finite number for any policy"),
        "{err}"
    );
}

/// A knob whose declared range holds no two values of the 0.001 grid is
/// left out of a search of every knob, and a grid over it never panics.
#[test]
fn a_fixed_knob_is_not_searched() {
    let mut scenario = workshop();
    let spec = &mut scenario.knobs[Knob::Transparency.index()];
    spec.min = 0.1001;
    spec.max = 0.1009;
    let o = parse_objective(
        r#"Objective(maximise: [(metric: "npv")])"#,
        "t.objective.ron",
        &scenario,
    )
    .unwrap();
    assert_eq!(o.space.len(), Knob::ALL.len() - 1);
    assert!(
        o.space
            .iter()
            .all(|r| r.factor != Factor::Knob(Knob::Transparency))
    );
    let narrow = Space::of(&[Range {
        factor: Factor::Knob(Knob::Transparency),
        low: 0.1001,
        high: 0.1009,
    }]);
    assert_eq!(narrow.point(&[0.0]), narrow.point(&[1.0]));
    // Two thousandths wide is three grid points: searched.
    let spec = &mut scenario.knobs[Knob::Transparency.index()];
    spec.min = 0.1;
    spec.max = 0.102;
    let o = parse_objective(
        r#"Objective(maximise: [(metric: "npv")])"#,
        "t.objective.ron",
        &scenario,
    )
    .unwrap();
    assert_eq!(o.space.len(), Knob::ALL.len());
}

#[test]
fn an_entry_is_its_journal_line() {
    let e = Entry {
        generation: 7,
        point: vec![100, 0, 1000],
        score: Score {
            objective: -12.5,
            constraints: vec![0.25],
        },
    };
    assert_eq!(Entry::of_line(e.line()), Some(e));
    let mut bad = Entry::of_line(
        Entry {
            generation: 1,
            point: vec![1],
            score: plain(1.0),
        }
        .line(),
    )
    .unwrap()
    .line();
    bad.values[0] = 1.5;
    assert_eq!(Entry::of_line(bad), None, "a generation is a whole number");
}
