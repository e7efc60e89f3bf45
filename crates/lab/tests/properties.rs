//! Property tests: invariants that hold for any organisation, any knob
//! values and any seed.

use proptest::prelude::*;
use siloscope_model::agent::Part;
use siloscope_model::knob::Knob;
use siloscope_model::sim::{RunOptions, Simulation};
use siloscope_scenario::parse_str;

/// A random but valid scenario: department, partner and customer group
/// sizes, densities and a seed.
fn scenario_text(sizes: [u32; 5], density: f64, seed: u64) -> String {
    format!(
        r#"Scenario(
    name: "generated",
    seed: {seed},
    groups: [
        (name: "Product", part: Department, role: Product, count: {p}, ties: Random(density: {density})),
        (name: "Support", part: Department, role: Support, count: {s}, ties: Random(density: {density})),
        (name: "Marketing", part: Department, role: Marketing, count: 3, ties: Complete),
        (name: "Sales", part: Department, role: Sales, count: 3, ties: Complete),
        (name: "Partners", part: Partner, count: {r}, ties: Random(density: {density})),
        (name: "Customers", part: ExistingCustomer, count: {c}, ties: Random(density: {density}), advocates: 0.2),
        (name: "Prospects", part: NewCustomer, count: {n}, ties: Random(density: {density})),
    ],
    links: [
        (from: "Support", to: "Product", ties: Density(0.3)),
        (from: "Marketing", to: "Sales", ties: Density(0.3)),
        (from: "Sales", to: "Support", ties: Density(0.3)),
        (from: "Partners", to: "Sales", ties: Density(0.3)),
        (from: "Customers", to: "Support", ties: Density(0.2)),
        (from: "Customers", to: "Partners", ties: Density(0.2)),
        (from: "Prospects", to: "Marketing", ties: Density(0.3)),
        (from: "Prospects", to: "Customers", ties: Density(0.05)),
    ],
)"#,
        p = sizes[0],
        s = sizes[1],
        r = sizes[2],
        c = sizes[3],
        n = sizes[4],
    )
}

fn arb_knobs() -> impl Strategy<Value = Vec<f32>> {
    prop::collection::vec(0.0f32..=1.0, Knob::ALL.len())
}

fn sim_for(sizes: [u32; 5], density: f64, seed: u64, knobs: &[f32]) -> Simulation {
    let sc = parse_str(
        &scenario_text(sizes, density, seed),
        "generated.scenario.ron",
    )
    .unwrap();
    let mut sim = Simulation::new(
        &sc,
        RunOptions {
            record_flows: true,
            ..Default::default()
        },
    )
    .unwrap();
    for (k, v) in Knob::ALL.iter().zip(knobs) {
        sim.set_knob(*k, *v).unwrap();
    }
    sim
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn trust_stays_in_the_unit_interval_and_nothing_is_nan(
        sizes in prop::array::uniform5(2u32..12),
        density in 0.0f64..0.6,
        seed in any::<u64>(),
        knobs in arb_knobs(),
    ) {
        let mut sim = sim_for(sizes, density, seed, &knobs);
        for _ in 0..25 {
            let r = sim.step();
            let mut bad = None;
            r.rows(|m, p, v| if !v.is_finite() { bad = Some(format!("{m}/{p} = {v}")) });
            prop_assert!(bad.is_none(), "{:?}", bad);
            for v in r.trust_from.iter().chain(&r.trust_toward) {
                prop_assert!(v.is_nan() || (*v > 0.0 && *v < 1.0), "{v}");
            }
        }
        for t in 0..sim.network().ties() {
            let e = sim.trust(t);
            prop_assert!(e > 0.0 && e < 1.0, "tie {t}: {e}");
            let (r, s) = sim.evidence(t);
            prop_assert!(r >= 0.0 && s >= 0.0 && r.is_finite() && s.is_finite());
        }
        for a in 0..sim.network().agents() as u32 {
            if sim.network().part[a as usize].is_customer() {
                let s = sim.satisfaction(a);
                prop_assert!((0.0..=1.0).contains(&s));
            }
        }
    }

    #[test]
    fn a_fully_closed_silo_passes_no_information_across_departments(
        sizes in prop::array::uniform5(2u32..12),
        density in 0.0f64..0.6,
        seed in any::<u64>(),
        mut knobs in arb_knobs(),
    ) {
        knobs[Knob::SiloPermeability.index()] = 0.0;
        let mut sim = sim_for(sizes, density, seed, &knobs);
        let net = sim.network().clone();
        for _ in 0..25 {
            let r = sim.step();
            prop_assert_eq!(r.flows_external, 0);
            for f in &r.flows {
                let (a, b) = (f.from as usize, f.to as usize);
                let across = net.part[a] == Part::Department && net.part[b] == Part::Department && net.group[a] != net.group[b];
                prop_assert!(!(across && f.passed), "{:?} crossed a closed wall", f);
            }
        }
        // No evidence ever reached a wall tie.
        for t in 0..net.ties() {
            if net.kind_of(t) == siloscope_model::network::TieKind::Wall {
                prop_assert_eq!(sim.evidence(t), (0.0, 0.0));
            }
        }
    }

    #[test]
    fn same_seed_same_output(
        sizes in prop::array::uniform5(2u32..10),
        density in 0.0f64..0.5,
        seed in any::<u64>(),
        knobs in arb_knobs(),
    ) {
        let rows = |sim: &mut Simulation| {
            let mut out = Vec::new();
            sim.run(20, |r| r.rows(|m, p, v| out.push((m, p.to_owned(), v.to_bits()))));
            (out, sim.state_hash())
        };
        let a = rows(&mut sim_for(sizes, density, seed, &knobs));
        let b = rows(&mut sim_for(sizes, density, seed, &knobs));
        prop_assert_eq!(a, b);
    }
}

/// Every file under `dir`: its path relative to `dir`, its length and a
/// hash of its bytes.
fn files_under(dir: &std::path::Path) -> Vec<(String, usize, u64)> {
    use std::hash::{Hash, Hasher};
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let name = path.strip_prefix(dir).unwrap().display().to_string();
                let bytes = std::fs::read(&path).unwrap();
                let mut h = std::collections::hash_map::DefaultHasher::new();
                bytes.hash(&mut h);
                out.push((name, bytes.len(), h.finish()));
            }
        }
    }
    out.sort();
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4, ..ProptestConfig::default() })]

    /// A batch of any organisation, sweep and seed writes the same bytes
    /// (every run file, table, plot and the manifest) with 1, 2 or 4
    /// worker threads, and again when repeated.
    #[test]
    fn batch_outputs_are_identical_for_1_2_and_4_jobs(
        sizes in prop::array::uniform5(2u32..10),
        density in 0.0f64..0.5,
        seed in any::<u64>(),
        sweep in prop::sample::select(vec!["transparency", "silo_permeability", "feedback_listening"]),
        replicates in 2u32..5,
    ) {
        let dir = std::env::temp_dir().join(format!(
            "siloscope-jobs-{}-{seed:x}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("g.scenario.ron"), scenario_text(sizes, density, seed)).unwrap();
        let exp_path = dir.join("g.experiment.ron");
        std::fs::write(&exp_path, format!(
            r#"Experiment(
    name: "jobs",
    scenario: "g.scenario.ron",
    policies: ["inside_out", "connected"],
    sweeps: {{ "{sweep}": Values([0.2, 0.8]) }},
    replicates: {replicates},
    steps: 12,
    at_steps: [6],
)"#
        )).unwrap();
        let exp = siloscope_lab::experiment::read(&exp_path).unwrap();
        let mut outputs = Vec::new();
        for (jobs, name) in [(1, "j1"), (2, "j2"), (4, "j4"), (4, "j4-again")] {
            let options = siloscope_lab::batch::BatchOptions {
                out: dir.join(name),
                jobs,
                shard: None,
            };
            let outcome = siloscope_lab::batch::run(&exp, &options, |_, _| {}).unwrap();
            prop_assert_eq!(outcome.ran, exp.runs());
            outputs.push(files_under(&options.out));
        }
        std::fs::remove_dir_all(&dir).unwrap();
        // Runs, tables, plots: at least 4 conditions × replicates run files.
        prop_assert!(outputs[0].len() > 4 * replicates as usize, "{}", outputs[0].len());
        for other in &outputs[1..] {
            prop_assert_eq!(&outputs[0], other);
        }
    }
}
