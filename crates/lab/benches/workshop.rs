//! The workshop model's stepping alone, without any output.
//!
//! `cargo bench -p siloscope-lab --bench workshop` runs the default
//! workshop scenario (498 agents) under the five presets,
//! `SILOSCOPE_BENCH_SEEDS` seeds each (default 40), 200 steps a run: the
//! model part of the batch bench
//! (`batch.rs`), which runs the same organisation 1,000 times and writes
//! everything. It prints µs per step (the median of
//! `SILOSCOPE_BENCH_REPEATS` rounds, default 3) and what a step visits on
//! average: the agents that took a turn, the customers perceived, and the
//! prospects and churned customers whose referring peers were read
//! (`Visits`). A sum of the runs' revenue is printed too: two builds that
//! print different sums do not run the same model.

mod common;

use common::env_or;
use siloscope_model::policy::PRESET_NAMES;
use siloscope_model::sim::{RunOptions, Simulation};
use std::path::Path;
use std::time::Instant;

fn main() {
    const STEPS: u32 = 200;
    let seeds = env_or::<u32>("SILOSCOPE_BENCH_SEEDS", 40);
    let repeats = env_or::<u32>("SILOSCOPE_BENCH_REPEATS", 3).max(1);
    let path = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .join("scenarios/workshop.scenario.ron");
    let scenario =
        siloscope_scenario::files::read_scenario(&path).expect("the workshop scenario loads");
    println!("siloscope workshop model benchmark (one core, no output)");
    println!(
        "  runs              {} presets × {seeds} seeds × {STEPS} steps, {} agents",
        PRESET_NAMES.len(),
        scenario.agent_count()
    );
    let mut times = Vec::new();
    let mut visited = [0u64; 3];
    let mut revenue = 0.0;
    for round in 1..=repeats {
        let (mut steps, mut sum) = (0u64, 0.0f64);
        let mut seen = [0u64; 3];
        let t = Instant::now();
        for policy in PRESET_NAMES {
            for seed in 0..u64::from(seeds) {
                let mut sim = Simulation::new(
                    &scenario,
                    RunOptions {
                        policy: Some(policy.to_owned()),
                        seed: Some(seed),
                        record_flows: false,
                    },
                )
                .expect("the presets run");
                for _ in 0..STEPS {
                    sum += sim.step().revenue.iter().sum::<f64>();
                    let v = sim.visits();
                    for (s, n) in seen.iter_mut().zip([v.acted, v.perceived, v.voices]) {
                        *s += u64::from(n);
                    }
                    steps += 1;
                }
            }
        }
        let us = t.elapsed().as_secs_f64() * 1e6 / steps as f64;
        println!("  round {round}           {us:.1} µs per step");
        times.push(us);
        visited = seen.map(|s| s / steps.max(1));
        revenue = sum;
    }
    times.sort_by(f64::total_cmp);
    println!(
        "  µs per step       median {:.1}  (min {:.1}, max {:.1})",
        times[times.len() / 2],
        times[0],
        times[times.len() - 1]
    );
    println!(
        "  a step visits     {} agents acting, {} perceived, {} voices read",
        visited[0], visited[1], visited[2]
    );
    println!("  revenue, summed   {revenue:.3}");
}
