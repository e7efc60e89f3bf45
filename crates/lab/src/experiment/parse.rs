//! Reading an experiment file: the RON as written, then every check, each
//! error at its file, line, column and field.

use super::*;
use serde::Deserialize;
use siloscope_model::knob::Knob;
use siloscope_model::metrics::METRICS;
use siloscope_scenario::format::OrderedMap;
use siloscope_scenario::{FieldPath, MAX_STEPS, ScenarioErrors, from_ron, locate::error_at};
use std::path::Path;

/// The file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "Experiment")]
struct ExperimentFile {
    name: String,
    scenario: String,
    policies: Vec<String>,
    #[serde(default)]
    baseline: Option<String>,
    #[serde(default)]
    sweeps: OrderedMap<Sweep>,
    #[serde(default)]
    design: Design,
    #[serde(default)]
    vary: Option<OrderedMap<(f64, f64)>>,
    #[serde(default = "default_replicates")]
    replicates: u32,
    #[serde(default)]
    steps: Option<u32>,
    #[serde(default)]
    metrics: Option<Vec<String>>,
    #[serde(default)]
    at_steps: Vec<u32>,
    #[serde(default)]
    seed: Option<u64>,
}

fn default_replicates() -> u32 {
    10
}

/// Check an experiment given as text; `path` locates it (its scenario is
/// read relative to it) and names it in errors.
pub fn parse(src: &str, path: &Path) -> Result<Experiment, ScenarioErrors> {
    let file = path.display().to_string();
    let raw: ExperimentFile = from_ron(src, &file)?;
    let mut errors = Vec::new();
    let mut err = |p: &FieldPath, message: String| errors.push(error_at(src, &file, p, message));
    let root = FieldPath::root();

    // The scenario, relative to the experiment file.
    let scenario_path = path.parent().unwrap_or(Path::new(".")).join(&raw.scenario);
    let scenario = match siloscope_scenario::files::read_scenario(&scenario_path) {
        Ok(s) => Some(s),
        Err(inner) => {
            let first = inner
                .iter()
                .next()
                .map(ToString::to_string)
                .unwrap_or_default();
            err(
                &root.field("scenario"),
                format!("cannot use \"{}\": {first}", raw.scenario),
            );
            None
        }
    };

    if raw.policies.is_empty() {
        err(&root.field("policies"), "list at least one policy".into());
    }
    if let Some(s) = &scenario {
        for (i, p) in raw.policies.iter().enumerate() {
            if s.policy(p).is_none() {
                err(
                    &root.field("policies").index(i),
                    format!(
                        "unknown policy \"{p}\"; the scenario offers: {}",
                        s.policy_names().join(", ")
                    ),
                );
            }
        }
    }
    for (i, p) in raw.policies.iter().enumerate() {
        if raw.policies[..i].contains(p) {
            err(
                &root.field("policies").index(i),
                format!("\"{p}\" is listed twice"),
            );
        }
    }
    let baseline = raw
        .baseline
        .clone()
        .or_else(|| raw.policies.first().cloned())
        .unwrap_or_default();
    if raw.baseline.is_some() && !raw.policies.contains(&baseline) {
        err(
            &root.field("baseline"),
            format!(
                "\"{baseline}\" is not one of the policies: {}",
                raw.policies.join(", ")
            ),
        );
    }

    // Sweeps.
    let mut sweeps: Vec<(Knob, Vec<f32>)> = Vec::new();
    for (name, sweep) in raw.sweeps.iter() {
        let here = root.field("sweeps").key(name);
        let Some(knob) = Knob::from_name(name) else {
            err(
                &root.field("sweeps").key_name(name),
                format!("unknown knob \"{name}\"; knobs are: {}", Knob::names()),
            );
            continue;
        };
        let values = match sweep {
            Sweep::Values(v) => v.clone(),
            Sweep::Range { from, to, step } => {
                let valid = *step > 0.0 && from.is_finite() && to.is_finite() && from <= to;
                if !valid {
                    err(
                        &here.variant("Range"),
                        format!(
                            "a range needs from <= to and step > 0; found from {from}, to {to}, step {step}"
                        ),
                    );
                    continue;
                }
                // Counted as a float first: a huge `to` or a tiny `step`
                // must not overflow the count.
                let gaps = ((to - from) / step + 1e-4).floor();
                if gaps >= 10_000.0 {
                    err(
                        &here.variant("Range"),
                        format!("{} values is too many (at most 10000)", gaps + 1.0),
                    );
                    continue;
                }
                let n = gaps as usize + 1;
                (0..n).map(|i| from + step * i as f32).collect()
            }
        };
        if values.is_empty() {
            err(&here, "a sweep needs at least one value".into());
            continue;
        }
        if values.len() > 10_000 {
            err(
                &here,
                format!("{} values is too many (at most 10000)", values.len()),
            );
            continue;
        }
        // Two equal values would be two conditions with the same label.
        if let Some(i) = (1..values.len()).find(|&i| values[..i].contains(&values[i])) {
            let message = match sweep {
                Sweep::Values(_) => format!("{} is listed twice", values[i]),
                Sweep::Range { .. } => format!(
                    "the step is too small for single precision: {} comes twice",
                    values[i]
                ),
            };
            err(&here, message);
            continue;
        }
        if let Some(s) = &scenario {
            let spec = s.knob_spec(knob);
            if let Some(bad) = values
                .iter()
                .find(|v| !(**v >= spec.min && **v <= spec.max))
            {
                err(
                    &here,
                    format!(
                        "{name} = {bad} is out of range; allowed {} to {}",
                        spec.min, spec.max
                    ),
                );
                continue;
            }
        }
        sweeps.push((knob, values));
    }

    if raw.replicates == 0 || raw.replicates > 100_000 {
        err(
            &root.field("replicates"),
            format!("{} is out of range; allowed 1 to 100000", raw.replicates),
        );
    }
    let steps = raw
        .steps
        .or(scenario.as_ref().map(|s| s.steps))
        .unwrap_or(1);
    if steps == 0 || steps > MAX_STEPS {
        err(
            &root.field("steps"),
            format!("{steps} is out of range; allowed 1 to {MAX_STEPS}"),
        );
    }
    let known: Vec<&'static str> = METRICS.iter().map(|m| m.name).collect();
    let metrics: Vec<&'static str> = match &raw.metrics {
        None => HEADLINE.to_vec(),
        Some(list) => {
            let mut out = Vec::new();
            for (i, m) in list.iter().enumerate() {
                match known.iter().find(|k| **k == m) {
                    Some(k) => out.push(*k),
                    None => err(
                        &root.field("metrics").index(i),
                        format!("unknown metric \"{m}\"; metrics are: {}", known.join(", ")),
                    ),
                }
            }
            out
        }
    };
    let mut at_steps = Vec::new();
    for (i, &s) in raw.at_steps.iter().enumerate() {
        if s == 0 || s > steps {
            err(
                &root.field("at_steps").index(i),
                format!("{s} is out of range; steps are counted from 1 to {steps}"),
            );
        } else {
            at_steps.push(s - 1);
        }
    }
    at_steps.push(steps.saturating_sub(1));
    at_steps.sort_unstable();
    at_steps.dedup();

    let mut metrics = metrics;
    let global = match (&scenario, raw.design) {
        (Some(s), Design::Sobol { .. } | Design::Morris { .. }) => {
            global_design(s, &raw, steps, &mut metrics, &mut err)
        }
        _ => {
            if raw.vary.is_some() {
                err(
                    &root.field("vary"),
                    "`vary` is for design: Sobol(samples: N) or Morris(trajectories: N); a grid sweeps knobs with `sweeps`".into(),
                );
            }
            None
        }
    };

    // Conditions: every policy at every sweep point. Counted before they
    // are made: a grid of a few long sweeps has more points than memory.
    let point_count: u128 = match raw.design {
        Design::Grid => sweeps
            .iter()
            .fold(1u128, |n, (_, v)| n.saturating_mul(v.len() as u128)),
        Design::OneAtATime => sweeps
            .iter()
            .map(|(_, v)| v.len() as u128)
            .sum::<u128>()
            .max(1),
        Design::Sobol { .. } | Design::Morris { .. } => 1,
    };
    let points = match &global {
        Some(g) => g.method.points(g.factors.len()) as u128,
        None => (raw.policies.len() as u128).saturating_mul(point_count),
    };
    let runs = points.saturating_mul(u128::from(raw.replicates));
    if runs > MAX_RUNS as u128 {
        let (at, fewer) = match &global {
            Some(_) => (
                root.field("design"),
                "fewer samples, trajectories or replicates",
            ),
            None => (root.clone(), "fewer sweep values or replicates"),
        };
        err(
            &at,
            format!("{runs} runs planned; at most {MAX_RUNS} ({fewer})"),
        );
    }
    if !errors.is_empty() {
        return Err(ScenarioErrors(errors));
    }
    let points = sweep_points(&sweeps, raw.design);
    let scenario = scenario.expect("no errors, so the scenario loaded");
    let mut conditions = Vec::new();
    let mut baseline_of = Vec::new();
    let base_index = raw
        .policies
        .iter()
        .position(|p| *p == baseline)
        .unwrap_or(0);
    for policy in &raw.policies {
        for (j, point) in points.iter().enumerate() {
            conditions.push(Condition {
                policy: policy.clone(),
                knobs: point.clone(),
            });
            baseline_of.push(base_index * points.len() + j);
        }
    }
    Ok(Experiment {
        file: path.to_owned(),
        name: raw.name,
        seed: raw.seed.unwrap_or(scenario.seed),
        scenario,
        conditions,
        baseline_of,
        baseline,
        replicates: raw.replicates,
        steps,
        metrics,
        at_steps,
        global,
    })
}

/// The factors and design of a Sobol or Morris experiment, every problem
/// reported at its field.
fn global_design(
    scenario: &Scenario,
    raw: &ExperimentFile,
    steps: u32,
    metrics: &mut Vec<&'static str>,
    err: &mut dyn FnMut(&FieldPath, String),
) -> Option<GlobalDesign> {
    use crate::sensitivity::{Factor, Method, Range, Screen, check, check_metric};
    let root = FieldPath::root();
    let method = match raw.design {
        Design::Sobol { samples } => {
            if !(2..=1_000_000).contains(&samples) {
                err(
                    &root.field("design").variant("Sobol").field("samples"),
                    format!("{samples} is out of range; allowed 2 to 1000000"),
                );
            }
            Method::Sobol { samples }
        }
        Design::Morris {
            trajectories,
            levels,
        } => {
            if !(2..=1_000_000).contains(&trajectories) {
                err(
                    &root.field("design").variant("Morris").field("trajectories"),
                    format!("{trajectories} is out of range; allowed 2 to 1000000"),
                );
            }
            if !(2..=1000).contains(&levels) {
                err(
                    &root.field("design").variant("Morris").field("levels"),
                    format!("{levels} is out of range; allowed 2 to 1000"),
                );
            }
            Method::Morris {
                trajectories,
                levels,
            }
        }
        Design::Grid | Design::OneAtATime => return None,
    };
    if raw.policies.len() > 1 {
        err(
            &root.field("policies").index(1),
            "a Sobol or Morris design varies its factors from one policy: list exactly one".into(),
        );
    }
    if !raw.sweeps.0.is_empty() {
        err(
            &root.field("sweeps"),
            "a Sobol or Morris design varies the factors of `vary` over their ranges; sweeps are for Grid and OneAtATime".into(),
        );
    }
    if !raw.at_steps.is_empty() {
        err(
            &root.field("at_steps"),
            "a Sobol or Morris design reads its metrics at the last step (set it with `steps`)"
                .into(),
        );
    }
    let screen = |metric: &str, factors: Vec<Range>| Screen {
        metric: metric.to_owned(),
        part: "all".into(),
        policy: raw
            .policies
            .first()
            .filter(|p| scenario.policy(p).is_some())
            .cloned(),
        against: None,
        factors,
        replicates: raw.replicates.max(1),
        steps: Some(steps.max(1)),
        seed: raw.seed,
        jobs: 1,
    };
    let factors = match &raw.vary {
        None => crate::sensitivity::knob_ranges(scenario),
        Some(vary) => {
            if vary.0.is_empty() {
                err(
                    &root.field("vary"),
                    "name at least one factor, or leave `vary` out to vary every knob".into(),
                );
            }
            let mut factors = Vec::new();
            for (name, &(low, high)) in vary.iter() {
                let path = root.field("vary").key(name);
                let Some(factor) = Factor::parse(name) else {
                    err(
                        &path,
                        format!(
                            "\"{name}\" is neither a knob nor a model assumption (model.<name>)"
                        ),
                    );
                    continue;
                };
                if !(low.is_finite() && high.is_finite() && low < high) {
                    err(
                        &path,
                        format!(
                            "({low}, {high}) is not a range: the low end must be below the high end"
                        ),
                    );
                    continue;
                }
                let range = Range { factor, low, high };
                match check(scenario, &screen("customer_trust_in_org", vec![range])) {
                    Ok(()) => factors.push(range),
                    Err(e) => err(&path, e.to_string()),
                }
            }
            factors
        }
    };
    if raw.replicates < 2 {
        err(
            &root.field("replicates"),
            format!(
                "{} is out of range for a Sobol or Morris design; allowed 2 to 100000 (the seed noise is measured between a point's seeds)",
                raw.replicates
            ),
        );
    }
    match &raw.metrics {
        // The headline metrics that have one value for the organisation.
        None => metrics.retain(|m| check_metric(scenario, &screen(m, Vec::new())).is_ok()),
        Some(list) => {
            if list.is_empty() {
                err(
                    &root.field("metrics"),
                    "name at least one metric, or leave `metrics` out for the headline ones".into(),
                );
            }
            // The file's own positions: an unknown metric was left out of
            // `metrics` and reported already.
            for (i, m) in list.iter().enumerate() {
                let path = root.field("metrics").index(i);
                if list[..i].contains(m) {
                    err(&path, format!("\"{m}\" is listed twice"));
                } else if metrics.iter().any(|k| k == m)
                    && let Err(e) = check_metric(scenario, &screen(m, Vec::new()))
                {
                    err(
                        &path,
                        format!("{e} (a Sobol or Morris design reads each metric's `all` part)"),
                    );
                }
            }
        }
    }
    Some(GlobalDesign { method, factors })
}
