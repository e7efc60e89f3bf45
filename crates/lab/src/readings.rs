//! One run read at chosen steps: what calibration compares with its
//! targets and optimisation scores by.

use crate::seed_networks::SeedNetworks;
use siloscope_model::knob::Knob;
use siloscope_model::sim::{RunOptions, SimError, Simulation};
use siloscope_scenario::Scenario;

/// Run `scenario` from `policy` on `seed` (on the seed's network from
/// `networks`) with `knobs` set at step 0, and read each `(metric, part,
/// step)` — steps numbered as in the time series (step 0 is the first) —,
/// `None` where a metric is undefined. The run stops at the last step read.
pub fn read_run(
    scenario: &Scenario,
    networks: &SeedNetworks,
    policy: Option<&str>,
    seed: u64,
    knobs: &[(Knob, f32)],
    reads: &[(&str, &str, u32)],
) -> Result<Vec<Option<f64>>, SimError> {
    let mut sim = Simulation::on_network(
        scenario,
        networks.get(scenario, seed)?,
        RunOptions {
            policy: policy.map(str::to_owned),
            seed: Some(seed),
            record_flows: false,
        },
    )?;
    for &(k, v) in knobs {
        sim.set_knob(k, v)?;
    }
    let last = reads.iter().map(|r| r.2).max().unwrap_or(0);
    let mut out = vec![None; reads.len()];
    for _ in 0..=last {
        let report = sim.step();
        for (i, &(metric, part, step)) in reads.iter().enumerate() {
            if step == report.step {
                report.rows(|m, p, v| {
                    if m == metric && p == part {
                        out[i] = Some(v);
                    }
                });
            }
        }
    }
    Ok(out)
}
