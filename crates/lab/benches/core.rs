//! Stepping throughput and memory on a large generated organisation.
//!
//! `cargo bench --bench core` builds a scenario of 100,000 agents and about
//! 1,000,000 directed ties with every mechanism switched on (all knobs at
//! mid values, a running campaign, prospects, partners, channels), steps it
//! on one core and prints:
//! - tie-steps per second (ties × steps ÷ seconds spent stepping), median
//!   of several timed runs;
//! - bytes per tie: the simulation's heap at steady state ÷ ties, counted by
//!   a global allocator that tracks live and peak bytes.
//!
//! Set `SILOSCOPE_BENCH_STEPS` and `SILOSCOPE_BENCH_REPEATS` to change the
//! run length; the defaults take about a minute here. The model runs with
//! its trade-offs (finite staff time, the market, the cost of openness);
//! `SILOSCOPE_BENCH_TRADE_OFFS=0` measures it without them.

mod common;

use common::env_or;
use siloscope_model::knob::Knob;
use siloscope_model::sim::{RunOptions, Simulation};
use siloscope_scenario::parse_str;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// 100,000 agents: 5,000 staff in six departments, 1,000 partners, 54,000
/// existing customers in two segments, 40,000 prospects.
const BIG: &str = r#"Scenario(
    name: "bench: 100k agents, ~1M ties",
    seed: 2024,
    steps: 100,
    limits: (max_agents: 200000, max_ties: 3000000),
    groups: [
        (name: "Product", part: Department, role: Product, count: 800, ties: SmallWorld(k: 10, rewire: 0.1)),
        (name: "Marketing", part: Department, role: Marketing, count: 700, ties: SmallWorld(k: 10, rewire: 0.1)),
        (name: "Sales", part: Department, role: Sales, count: 900, ties: SmallWorld(k: 10, rewire: 0.1)),
        (name: "Support", part: Department, role: Support, count: 1200, ties: SmallWorld(k: 10, rewire: 0.1)),
        (name: "Operations", part: Department, role: Operations, count: 1000, ties: SmallWorld(k: 10, rewire: 0.1)),
        (name: "Leadership", part: Department, role: Leadership, count: 400, ties: SmallWorld(k: 10, rewire: 0.1)),
        (name: "Resellers", part: Partner, count: 1000, ties: SmallWorld(k: 6, rewire: 0.1)),
        (name: "Small business", part: ExistingCustomer, count: 30000, ties: ScaleFree(m: 2),
         needs: [0.8, 0.3, 0.6, 0.4], advocates: 0.1),
        (name: "Enterprise", part: ExistingCustomer, count: 24000, ties: SmallWorld(k: 4, rewire: 0.1),
         needs: [0.3, 0.8, 0.4, 0.7], advocates: 0.1),
        (name: "Prospects", part: NewCustomer, count: 40000, ties: SmallWorld(k: 4, rewire: 0.1)),
    ],
    links: [
        (from: "Leadership", to: "Product", ties: PerMember(3)),
        (from: "Leadership", to: "Operations", ties: PerMember(3)),
        (from: "Product", to: "Marketing", ties: PerMember(2)),
        (from: "Product", to: "Support", ties: PerMember(2)),
        (from: "Sales", to: "Marketing", ties: PerMember(2)),
        (from: "Sales", to: "Support", ties: PerMember(2)),
        (from: "Operations", to: "Support", ties: PerMember(2)),
        (from: "Resellers", to: "Sales", ties: PerMember(3)),
        (from: "Small business", to: "Support", ties: PerMember(1), channel: Support),
        (from: "Small business", to: "Resellers", ties: PerMember(1)),
        (from: "Small business", to: "Marketing", ties: PerMember(1), channel: App),
        (from: "Enterprise", to: "Sales", ties: PerMember(1)),
        (from: "Enterprise", to: "Support", ties: PerMember(1)),
        (from: "Prospects", to: "Marketing", ties: PerMember(1), channel: App),
        (from: "Prospects", to: "Small business", ties: PerMember(2)),
        (from: "Prospects", to: "Enterprise", ties: PerMember(1)),
    ],
    interventions: [ (at: 0, action: Campaign(duration: 1000, reach: 0.01)) ],
)"#;

fn main() {
    let steps = env_or::<u32>("SILOSCOPE_BENCH_STEPS", 100);
    let repeats = env_or::<u32>("SILOSCOPE_BENCH_REPEATS", 5);
    // SILOSCOPE_BENCH_TRADE_OFFS=0 measures the model without the
    // trade-offs (unlimited staff time, no market turnover or competitor).
    let trade_offs = env_or::<u32>("SILOSCOPE_BENCH_TRADE_OFFS", 1) != 0;
    let source = BIG.replace(
        "    seed: 2024,",
        &format!("    seed: 2024,\n    model: (trade_offs: {trade_offs}),"),
    );
    let scenario = parse_str(&source, "bench.scenario.ron").expect("bench scenario is valid");

    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let t0 = Instant::now();
    let mut sim = Simulation::new(&scenario, RunOptions::default()).expect("builds");
    let build = t0.elapsed().as_secs_f64();
    let build_peak = PEAK.load(Ordering::Relaxed) - before;
    // Every mechanism on: all knobs at mid values (campaign reach lower, as
    // a per-step chance).
    for k in Knob::ALL {
        let v = if k == Knob::CampaignReach { 0.01 } else { 0.5 };
        sim.set_knob(k, v).unwrap();
    }
    let agents = sim.network().agents();
    let ties = sim.network().ties();
    // Warm up: queues and buffers reach their working size.
    sim.run(10, |_| {});
    PEAK.store(LIVE.load(Ordering::Relaxed), Ordering::Relaxed);

    let mut rates = Vec::new();
    let mut step_peak = 0usize;
    for _ in 0..repeats {
        let mut run = sim.clone();
        let t = Instant::now();
        run.run(steps, |_| {});
        let secs = t.elapsed().as_secs_f64();
        rates.push(ties as f64 * f64::from(steps) / secs);
        step_peak = step_peak.max(PEAK.load(Ordering::Relaxed) - before);
    }
    rates.sort_by(f64::total_cmp);
    let median = rates[rates.len() / 2];
    let live = sim.heap_bytes();

    println!("siloscope core benchmark (one core)");
    println!("  organisation      {agents} agents, {ties} directed ties");
    println!(
        "  build             {build:.2} s, peak {:.1} MB ({:.0} B/tie)",
        build_peak as f64 / 1e6,
        build_peak as f64 / ties as f64
    );
    println!("  stepping          {steps} steps × {repeats} runs");
    println!(
        "  tie-steps/s       median {:.3e}  (min {:.3e}, max {:.3e})  target ≥ 1.2e8",
        median,
        rates[0],
        rates[rates.len() - 1]
    );
    println!(
        "  ms per step       median {:.2}",
        ties as f64 / median * 1e3
    );
    println!(
        "  memory per tie    {:.1} B held by one simulation  target ≤ 40",
        live as f64 / ties as f64
    );
    let parts: Vec<String> = sim
        .heap_breakdown()
        .iter()
        .filter(|(_, b)| *b as f64 / ties as f64 >= 0.5)
        .map(|(name, b)| format!("{name} {:.1}", *b as f64 / ties as f64))
        .collect();
    println!("    of which (B/tie) {}", parts.join(", "));
    println!(
        "  process peak      {:.1} MB while stepping (includes the cloned run)",
        step_peak as f64 / 1e6
    );
}
