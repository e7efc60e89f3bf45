//! Sparse dynamics: the Independent Cascade on a large scale-free graph.
//!
//! `cargo bench -p siloscope-lab --bench cascade` generates a
//! Barabási–Albert graph of 100,000 prospects (m = 5, about 1,000,000
//! directed ties) with the model's own generator, once, and runs the model
//! reduced to the Independent Cascade on it (see `docs/model.md`,
//! "Reductions"): a launch campaign at step 0 reaches 0.05 % of the
//! prospects (about 50 seeds), then only word of mouth, each new customer
//! getting one chance per tie with probability p = 0.05; 60 steps. Every
//! replicate runs on the same graph with its own seed
//! ([`Simulation::on_network`]). It prints, as medians over the replicates:
//! - ms per replicate (starting the run and stepping it);
//! - tie evaluations per second: the sum of the degrees of the agents that
//!   became customers (the work a cascade cannot avoid) over the time;
//! - the mean final size and the share of replicates that died out early
//!   (under 0.5 % of the agents: 500 of 100,000).
//!
//!
//! A second workload runs the same with the campaign kept running for all
//! 60 steps (reach 0.05 % a step): a campaign's cost should follow the
//! prospects it reaches, not the prospects there are.
//!
//! A third figure is the floor: a bare Independent Cascade on the same
//! graph (a flag per agent, the newly active agents' ties skipped by the
//! same geometric draws, nothing else kept), what any engine must at least
//! do for this workload on this machine, to read the model's figures
//! against.
//!
//! `SILOSCOPE_BENCH_REPLICATES` (default 40) and `SILOSCOPE_BENCH_AGENTS`
//! (default 100,000) change the workload. `cascade_numpy.py` beside this
//! file runs the same workload as a vectorised NumPy cascade and prints the
//! same figures, to compare on the same machine.

mod common;

use common::env_or;
use siloscope_model::agent::{Lifecycle, Part};
use siloscope_model::network::Network;
use siloscope_model::sim::{RunOptions, Simulation};
use siloscope_scenario::parse_str;
use std::sync::Arc;
use std::time::Instant;

fn scenario(agents: u32, campaign_steps: u32) -> siloscope_scenario::Scenario {
    let src = format!(
        r#"Scenario(
    name: "bench: independent cascade on a scale-free graph",
    seed: 1,
    steps: 60,
    limits: (max_agents: 2000000, max_ties: 30000000),
    groups: [
        (name: "Prospects", part: NewCustomer, count: {agents}, ties: ScaleFree(m: 5)),
    ],
    knobs: {{
        "campaign_reach": (value: 0.0),
        "referral_strength": (value: 0.05),
        "community_enablement": (value: 0.0),
    }},
    model: (
        trade_offs: false,
        instant_adoption: 1.0, customer_voice: 1.0, advocate_rate: 0.0,
        churn_rate: 0.0, referral_window: 1.0, independent_referrals: 1.0,
    ),
    interventions: [ (at: 0, action: Campaign(duration: {campaign_steps}, reach: 0.0005)) ],
)"#
    );
    parse_str(&src, "cascade.scenario.ron").expect("bench scenario is valid")
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let replicates = env_or::<u32>("SILOSCOPE_BENCH_REPLICATES", 40);
    let agents = env_or::<u32>("SILOSCOPE_BENCH_AGENTS", 100_000);
    let cascade = scenario(agents, 1);
    let t0 = Instant::now();
    let net = Arc::new(Network::build(&cascade, cascade.seed).expect("builds"));
    let build = t0.elapsed().as_secs_f64();
    println!("siloscope cascade benchmark (one core)");
    println!(
        "  graph             {agents} agents, {} directed ties (Barabási–Albert, m = 5), built in {build:.2} s",
        net.ties()
    );
    println!("  the cascade: a campaign at step 0, then word of mouth only");
    measure(&cascade, &net, replicates, true);
    println!("  the same with the campaign running every step");
    measure(&scenario(agents, 60), &net, replicates, false);
    println!("  the floor: a bare cascade on the same graph (a flag per agent, nothing else)");
    bare(&net, replicates);
}

/// The bare Independent Cascade on `net` (see the module): about 0.05 % of
/// the agents seeded at step 0, then each new agent's ties skipped at p =
/// 0.05 for 59 more steps; prints what [`measure`] prints.
fn bare(net: &Network, replicates: u32) {
    /// wyrand: a small generator, enough for a floor.
    struct Rng(u64);
    impl Rng {
        fn unit(&mut self) -> f64 {
            self.0 = self.0.wrapping_add(0xa076_1d64_78bd_642f);
            let t = u128::from(self.0) * u128::from(self.0 ^ 0xe703_7ed1_a0b4_28db);
            (((t >> 64) as u64 ^ t as u64) >> 11) as f64 / (1u64 << 53) as f64
        }
        /// The gap to the next hit at chance `p` (`ln_miss` = ln(1 − p)),
        /// from a uniform in (0, 1] (ln 0 would be infinite).
        fn skip(&mut self, ln_miss: f64) -> usize {
            ((1.0 - self.unit()).ln() / ln_miss) as usize
        }
    }
    let n = net.agents();
    let off = &net.offsets;
    let degree = |a: usize| u64::from(off[a + 1] - off[a]);
    let (seed_miss, tie_miss) = ((1.0f64 - 0.0005).ln(), (1.0f64 - 0.05).ln());
    let (mut ms, mut rates, mut sizes) = (Vec::new(), Vec::new(), 0u64);
    let mut active = vec![false; n];
    let (mut frontier, mut next) = (Vec::<u32>::new(), Vec::<u32>::new());
    for r in 0..replicates {
        let mut rng = Rng(1000 + u64::from(r));
        let t = Instant::now();
        active.fill(false);
        frontier.clear();
        let mut a = rng.skip(seed_miss);
        while a < n {
            active[a] = true;
            frontier.push(a as u32);
            a += 1 + rng.skip(seed_miss);
        }
        let mut evaluations: u64 = frontier.iter().map(|&a| degree(a as usize)).sum();
        let mut size = frontier.len() as u64;
        for _ in 1..60 {
            next.clear();
            for &v in &frontier {
                let (lo, hi) = (off[v as usize] as usize, off[v as usize + 1] as usize);
                let mut k = lo + rng.skip(tie_miss);
                while k < hi {
                    let u = net.target[k] as usize;
                    if !active[u] {
                        active[u] = true;
                        next.push(u as u32);
                        evaluations += degree(u);
                    }
                    k += 1 + rng.skip(tie_miss);
                }
            }
            size += next.len() as u64;
            std::mem::swap(&mut frontier, &mut next);
        }
        let secs = t.elapsed().as_secs_f64();
        ms.push(secs * 1e3);
        rates.push(evaluations as f64 / secs);
        sizes += size;
    }
    println!("    ms per replicate  median {:.3}", median(&mut ms));
    println!("    tie evaluations/s median {:.3e}", median(&mut rates));
    println!(
        "    final size        mean {:.0} agents",
        sizes as f64 / f64::from(replicates)
    );
}

/// Run `replicates` replicates of `scenario` on `net` and print the
/// medians; `target` prints the cascade's target beside its rate.
fn measure(
    scenario: &siloscope_scenario::Scenario,
    net: &Arc<Network>,
    replicates: u32,
    target: bool,
) {
    let agents = net.agents() as u32;
    let degree = |a: u32| (net.offsets[a as usize + 1] - net.offsets[a as usize]) as u64;
    let (mut ms, mut rates, mut start_ms) = (Vec::new(), Vec::new(), Vec::new());
    let (mut sizes, mut seeds, mut died) = (0u64, 0u64, 0u32);
    for r in 0..replicates {
        let options = RunOptions {
            seed: Some(1000 + u64::from(r)),
            ..RunOptions::default()
        };
        let t = Instant::now();
        let mut sim = Simulation::on_network(scenario, Arc::clone(net), options).expect("starts");
        let started = t.elapsed().as_secs_f64();
        let mut first = 0u64;
        sim.run(scenario.steps, |report| {
            if report.step == 0 {
                first = u64::from(report.acquisitions_campaign);
            }
        });
        let secs = t.elapsed().as_secs_f64();
        let mut size = 0u64;
        let mut evaluations = 0u64;
        for a in 0..agents {
            if sim.lifecycle(a) == Some(Lifecycle::Customer) {
                size += 1;
                evaluations += degree(a);
            }
        }
        debug_assert_eq!(
            size,
            u64::from(
                sim.report().lifecycle[Part::NewCustomer.index()][Lifecycle::Customer as usize]
            )
        );
        ms.push(secs * 1e3);
        start_ms.push(started * 1e3);
        rates.push(evaluations as f64 / secs);
        sizes += size;
        seeds += first;
        died += u32::from(size < u64::from(agents) / 200);
    }
    let n = f64::from(replicates);
    println!(
        "    workload          p = 0.05, 60 steps, {:.1} reached at step 0 on average, {replicates} replicates",
        seeds as f64 / n
    );
    println!(
        "    ms per replicate  median {:.2}  (of which starting the run {:.2})",
        median(&mut ms),
        median(&mut start_ms)
    );
    println!(
        "    tie evaluations/s median {:.3e}{}",
        median(&mut rates),
        if target { "  target ≥ 3e8" } else { "" }
    );
    println!(
        "    final size        mean {:.0} customers; {:.0} % of replicates died out early (under 0.5 % of the agents)",
        sizes as f64 / n,
        100.0 * f64::from(died) / n
    );
}
