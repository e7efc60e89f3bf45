//! Large organisations by reference: a scenario that names an agents file
//! and a ties file, read, built and stepped.
//!
//! `cargo bench -p siloscope-lab --bench network_files` writes an
//! organisation of 100,000 agents and 1,000,000 ties (relationships, rows
//! of the ties file; twice as many directed ties) as CSV files beside a
//! scenario in a temporary directory, then prints, as medians over a few
//! repetitions:
//! - load: reading, parsing and validating the scenario and its files
//!   (`files::read_scenario`), in seconds and in rows per second;
//! - build: building the network from it (`Network::build`);
//! - start and step: starting a run with every mechanism on, and a step of it;
//! - the process's peak memory (`VmHWM`, Linux) after all of it.
//!
//! `SILOSCOPE_BENCH_AGENTS` (default 100,000) and
//! `SILOSCOPE_BENCH_DEGREE` (rows of the ties file per agent, default 10)
//! change the organisation: `SILOSCOPE_BENCH_AGENTS=1000000` is a million
//! agents and ten million ties. `SILOSCOPE_BENCH_REPEATS` (default 3).

mod common;

use common::env_or;
use siloscope_model::network::Network;
use siloscope_model::sim::{RunOptions, Simulation};
use siloscope_scenario::files::read_scenario;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// The departments, then the customer segments, and the share of agents in
/// each.
const GROUPS: [(&str, &str, f64); 7] = [
    ("Product", "Department, role: Product", 0.004),
    ("Marketing", "Department, role: Marketing", 0.002),
    ("Sales", "Department, role: Sales", 0.004),
    ("Support", "Department, role: Support", 0.008),
    ("Partners", "Partner", 0.002),
    ("Customers", "ExistingCustomer", 0.58),
    ("Prospects", "NewCustomer", 0.40),
];

/// Write the organisation; returns the scenario's path and the files' size.
fn write_organisation(dir: &Path, agents: u64, degree: u64) -> (PathBuf, u64) {
    std::fs::create_dir_all(dir).unwrap();
    let mut group_of = Vec::with_capacity(agents as usize);
    let mut csv = String::from("id,group\n");
    for a in 0..agents {
        let x = (a as f64 + 0.5) / agents as f64;
        let mut acc = 0.0;
        let g = GROUPS
            .iter()
            .position(|g| {
                acc += g.2;
                x < acc
            })
            .unwrap_or(GROUPS.len() - 1);
        group_of.push(g);
        writeln!(csv, "person{a},{}", GROUPS[g].0).unwrap();
    }
    std::fs::write(dir.join("org.agents.csv"), &csv).unwrap();
    let mut size = csv.len() as u64;
    // Each agent to `degree` others drawn by a fixed generator (splitmix64):
    // a random graph, with the odd repeat (one tie).
    let mut file =
        std::io::BufWriter::new(std::fs::File::create(dir.join("org.ties.csv")).unwrap());
    file.write_all(b"from,to\n").unwrap();
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut line = String::new();
    for a in 0..agents {
        for _ in 0..degree {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^= z >> 31;
            let mut b = z % agents;
            if b == a {
                b = (b + 1) % agents;
            }
            line.clear();
            writeln!(line, "person{a},person{b}").unwrap();
            size += line.len() as u64;
            file.write_all(line.as_bytes()).unwrap();
        }
    }
    file.flush().unwrap();
    let groups: String = GROUPS
        .iter()
        .map(|(name, part, _)| {
            let extra = if part.contains("Customer") {
                ", arpu: 10.0"
            } else {
                ""
            };
            format!("        (name: \"{name}\", part: {part}, count: 0{extra}),\n")
        })
        .collect();
    let scenario = format!(
        r#"Scenario(
    name: "bench: a large organisation by reference",
    steps: 10,
    limits: (max_agents: {agents}, max_ties: {}),
    groups: [
{groups}    ],
    network: (agents: "org.agents.csv", ties: "org.ties.csv"),
)
"#,
        2 * agents * degree
    );
    let path = dir.join("org.scenario.ron");
    std::fs::write(&path, scenario).unwrap();
    (path, size)
}

/// The process's peak resident memory, in MB (Linux; 0 elsewhere).
fn peak_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() {
    let agents = env_or::<u64>("SILOSCOPE_BENCH_AGENTS", 100_000);
    let degree = env_or::<u64>("SILOSCOPE_BENCH_DEGREE", 10);
    let repeats = env_or::<u64>("SILOSCOPE_BENCH_REPEATS", 3).max(1);
    let dir = std::env::temp_dir().join(format!("siloscope-bench-network-{}", std::process::id()));
    let (path, bytes) = write_organisation(&dir, agents, degree);
    let rows = agents * (degree + 1);

    let (mut load, mut build, mut start, mut step) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut directed = 0;
    for _ in 0..repeats {
        let t = Instant::now();
        let scenario = read_scenario(&path).unwrap_or_else(|e| panic!("{e}"));
        load.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let net = std::sync::Arc::new(Network::build(&scenario, scenario.seed).expect("builds"));
        build.push(t.elapsed().as_secs_f64());
        directed = net.target.len();
        let t = Instant::now();
        let mut sim =
            Simulation::on_network(&scenario, net, RunOptions::default()).expect("starts");
        start.push(t.elapsed().as_secs_f64());
        for _ in 0..3 {
            let t = Instant::now();
            sim.step();
            step.push(t.elapsed().as_secs_f64());
        }
    }
    let load = median(&mut load);
    println!(
        "network files: {agents} agents, {} ties ({directed} directed), {:.0} MB of CSV",
        agents * degree,
        bytes as f64 / 1e6
    );
    println!(
        "  load  (read + validate): {load:.2} s median ({:.1} M rows/s, {:.0} MB/s)",
        rows as f64 / load / 1e6,
        bytes as f64 / load / 1e6
    );
    println!(
        "  build (network):         {:.2} s median",
        median(&mut build)
    );
    println!(
        "  start (a run):           {:.2} s median",
        median(&mut start)
    );
    println!(
        "  step  (every mechanism): {:.1} ms median ({:.2e} tie-steps/s)",
        median(&mut step) * 1e3,
        directed as f64 / median(&mut step)
    );
    println!("  peak memory: {:.0} MB", peak_mb());
    std::fs::remove_dir_all(&dir).unwrap();
}
