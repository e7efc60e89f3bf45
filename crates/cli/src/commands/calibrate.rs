//! `siloscope calibrate`: fit knobs and assumptions to observed targets by
//! approximate Bayesian computation; the posterior ranges, the posterior
//! predictive check as a table and a chart, and the fitted settings as RON
//! ready to paste into the scenario.

use super::journaled::{self, Work};
use crate::args::CalibrateArgs;
use anyhow::{Context, Result};
use siloscope_lab::batch::plot;
use siloscope_lab::calibrate::{Calibration, Study, read_targets};
use siloscope_lab::journal::Shape;
use siloscope_lab::sensitivity::Factor;
use siloscope_scenario::edit::{add_policy, ron_string, set_assumptions, set_field};
use std::path::PathBuf;
use std::process::ExitCode;

pub(crate) fn run(args: CalibrateArgs) -> Result<ExitCode> {
    let scenario = super::load(&args.scenario)?;
    let targets = read_targets(&args.targets, &scenario).map_err(|e| anyhow::anyhow!("{e}"))?;
    let out = args.out.clone().unwrap_or_else(|| {
        PathBuf::from(format!(
            "runs/calibrate_{}",
            super::scenario_stem(&args.scenario)
        ))
    });
    super::journaled::check_split(args.split.shard, &args.split.merge, &out)?;
    let ours = |n: &str| {
        [
            "posterior.",
            "predictive.",
            "accepted.",
            "calibrated.",
            "calibrate.journal",
        ]
        .iter()
        .any(|p| n.starts_with(p))
    };
    let _lock = super::output_dir(&out, "calibrate", ours)?;
    let runs = args.samples as usize * args.replicates as usize;
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .min(runs.max(1));
    let c = Calibration {
        policy: targets.policy.clone(),
        factors: targets.factors.clone(),
        targets: targets.targets.clone(),
        samples: args.samples as usize,
        accept: args.accept,
        replicates: args.replicates,
        seed: args.seed,
        jobs,
    };
    let policy = c
        .policy
        .clone()
        .or_else(|| scenario.start_policy.clone())
        .unwrap_or_else(|| "the scenario's knob values".into());
    // Targets are numbered from step 0: the last one needs one step more.
    let last = c.targets.iter().map(|t| t.step).max().unwrap_or(0) + 1;
    eprintln!(
        "calibrate: {} factor{}, {} settings × {} seeds = {runs} runs of {last} steps from {policy}, on {jobs} threads",
        c.factors.len(),
        if c.factors.len() == 1 { "" } else { "s" },
        args.samples,
        args.replicates
    );
    let started = std::time::Instant::now();
    let study = Study::new(&scenario, &c);
    let work = Work {
        command: "calibrate",
        journal: out.join("calibrate.journal"),
        shape: Shape {
            kind: "calibrate",
            key: 1,
            values: c.targets.len(),
        },
        fingerprint: study.fingerprint(),
        total: study.jobs(),
        jobs,
        shard: args.split.shard,
        merge: &args.split.merge,
    };
    let job = |j: usize| -> Result<Vec<f64>> { Ok(study.run(j)?) };
    let Some(runs) = journaled::values(&work, &job)? else {
        return Ok(ExitCode::SUCCESS);
    };
    let posterior = study.posterior(&runs);
    eprintln!(
        "calibrate: done in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let f = |v: f64| siloscope_lab::output::format_value(v);
    let kept = posterior.accepted.len();

    println!(
        "\nPosterior of {} settings kept of {} (the {:.0}% nearest the targets): median and 90% range\n",
        kept,
        posterior.samples,
        args.accept * 100.0
    );
    println!(
        "  {:<28} {:>21}  {:>10} {:>10} {:>10}",
        "factor", "prior", "5%", "median", "95%"
    );
    let mut table = csv::Writer::from_writer(Vec::new());
    table.write_record(["factor", "prior_low", "prior_high", "p5", "median", "p95"])?;
    for (range, s) in &posterior.factors {
        println!(
            "  {:<28} {:>9} → {:<9}  {:>10.4} {:>10.4} {:>10.4}",
            range.factor.name(),
            range.low as f32,
            range.high as f32,
            s.lo,
            s.median,
            s.hi
        );
        table.write_record([
            range.factor.name(),
            (range.low as f32).to_string(),
            (range.high as f32).to_string(),
            f(s.lo),
            f(s.median),
            f(s.hi),
        ])?;
    }

    println!(
        "\nPosterior predictive: what the kept settings simulate for each target (90% range)\n"
    );
    println!(
        "  {:<40} {:>6}  {:>12} {:>10}  {:>12} {:>12} {:>12}",
        "target", "step", "observed", "± sd", "5%", "median", "95%"
    );
    let mut predictive = csv::Writer::from_writer(Vec::new());
    predictive.write_record([
        "metric",
        "part",
        "step",
        "observed",
        "sd",
        "p5",
        "median",
        "p95",
        "reproduced",
    ])?;
    let mut rows = Vec::new();
    let mut missed = Vec::new();
    for (t, p) in c.targets.iter().zip(&posterior.predictive) {
        let label = if t.part == "all" {
            t.metric.clone()
        } else {
            format!("{} ({})", t.metric, t.part)
        };
        // Reproduced: the observation within its uncertainty of the range.
        let reproduced = p.lo - 2.0 * t.sd <= t.value && t.value <= p.hi + 2.0 * t.sd;
        if !reproduced {
            missed.push(format!("{label} at step {}", t.step));
        }
        println!(
            "  {label:<40} {:>6}  {:>12.4} {:>10.4}  {:>12.4} {:>12.4} {:>12.4}{}",
            t.step,
            t.value,
            t.sd,
            p.lo,
            p.median,
            p.hi,
            if reproduced { "" } else { "  not reproduced" }
        );
        predictive.write_record([
            t.metric.clone(),
            t.part.clone(),
            t.step.to_string(),
            f(t.value),
            f(t.sd),
            f(p.lo),
            f(p.median),
            f(p.hi),
            reproduced.to_string(),
        ])?;
        let z = |v: f64| (v - t.value) / t.sd;
        rows.push((
            format!("{label} @ {}", t.step),
            z(p.median),
            z(p.lo),
            z(p.hi),
        ));
    }
    if !missed.is_empty() {
        println!(
            "\nnote: not reproduced by any kept setting (within 2 sd): {}; the model, the ranges or the target may be off.",
            missed.join(", ")
        );
    }

    let mut accepted = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["rank".to_owned(), "distance".to_owned()];
    header.extend(posterior.factors.iter().map(|(r, _)| r.factor.name()));
    accepted.write_record(&header)?;
    for (i, (values, d)) in posterior.accepted.iter().enumerate() {
        let mut row = vec![(i + 1).to_string(), f(*d)];
        row.extend(values.iter().map(|v| f(*v)));
        accepted.write_record(&row)?;
    }

    // The medians as RON to paste into the scenario: knobs to three
    // decimals, assumptions to four (whole numbers whole, switches true or
    // false), as the scenario's model writes them.
    let knobs: Vec<String> = posterior
        .factors
        .iter()
        .filter_map(|(r, s)| match r.factor {
            Factor::Knob(k) => Some(format!("\"{}\": {:.3}", k.name(), s.median)),
            Factor::Assumption(_) => None,
        })
        .collect();
    let mut params = scenario.model.clone();
    let model: Vec<(&str, String)> = posterior
        .factors
        .iter()
        .filter_map(|(r, s)| match r.factor {
            Factor::Assumption(a) => {
                let v: f64 = format!("{:.4}", s.median).parse().unwrap_or(s.median);
                params.set(a, v);
                Some((a, params.text(a).unwrap_or_else(|| v.to_string())))
            }
            Factor::Knob(_) => None,
        })
        .collect();
    let name = scenario.free_policy_name("calibrated");
    let base = c
        .policy
        .as_ref()
        .or(scenario.start_policy.as_ref())
        .map(|p| format!("base: {}, ", ron_string(p)))
        .unwrap_or_default();
    let body = format!(
        "({base}description: {}, knobs: {{ {} }})",
        ron_string(&format!(
            "fitted by siloscope calibrate to {}",
            super::shown_path(&args.targets)
        )),
        knobs.join(", ")
    );
    let mut ron = format!(
        "// Calibrated by `siloscope calibrate` to {}: the posterior medians.\n",
        super::shown_path(&args.targets)
    );
    if !knobs.is_empty() {
        ron.push_str(&format!(
            "// Into the scenario's `policies` (and `policy: {}` to start from it):\n{}: {body},\n",
            ron_string(&name),
            ron_string(&name),
        ));
    }
    if !model.is_empty() {
        let set: Vec<String> = model.iter().map(|(a, v)| format!("{a}: {v}")).collect();
        ron.push_str(&format!(
            "// Into the scenario's `model: (...)`:\n{},\n",
            set.join(", ")
        ));
    }
    println!("\n{ron}");

    let chart = plot::Effects {
        title: "Posterior predictive: simulated − observed, in sd of each target".into(),
        axis: format!(
            "(simulated − observed) / sd: median and 90% range of the {kept} kept settings (0 = reproduced exactly)"
        ),
        rows,
    };
    plot::write(&out, "predictive", &chart)
        .with_context(|| format!("cannot write the chart into {}", out.display()))?;
    // The whole scenario, calibrated: started from the fitted policy, with
    // the fitted assumptions.
    let whole = out.join("calibrated.scenario.ron");
    siloscope_scenario::files::write_edited(&args.scenario, &whole, |text| {
        let mut text = text.to_owned();
        if !knobs.is_empty() {
            text = add_policy(&text, &name, &body)?;
            text = set_field(&text, "policy", &ron_string(&name))?;
        }
        if !model.is_empty() {
            text = set_assumptions(&text, &model)?;
        }
        set_field(
            &text,
            "name",
            &ron_string(&format!("{} (calibrated)", scenario.name)),
        )
    })
    .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", super::shown_path(&whole)))?;
    for (name, bytes) in [
        ("calibrated.ron", ron.into_bytes()),
        ("accepted.csv", accepted.into_inner()?),
        ("predictive.csv", predictive.into_inner()?),
        // Last: a posterior on disk means a complete output.
        ("posterior.csv", table.into_inner()?),
    ] {
        let path = out.join(name);
        siloscope_lab::output::write_atomic(&path, &bytes)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    println!(
        "wrote {0}/posterior.csv, predictive.csv, predictive.png, predictive.svg, accepted.csv, calibrated.ron, calibrated.scenario.ron (the scenario, calibrated)",
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}
