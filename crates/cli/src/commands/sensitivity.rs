//! `siloscope sensitivity`: the one-at-a-time screen of every knob, as a
//! ranked table, a CSV and a tornado chart.

use crate::args::SensitivityArgs;
use anyhow::{Context, Result};
use std::path::PathBuf;
use std::process::ExitCode;

pub(crate) fn run(args: SensitivityArgs) -> Result<ExitCode> {
    use siloscope_lab::batch::plot;
    use siloscope_lab::sensitivity::{Screen, screen};
    let scenario = siloscope_scenario::files::read_scenario(&args.scenario)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let options = Screen {
        metric: args.metric.clone(),
        part: args.part.clone(),
        policy: args.policy.clone(),
        replicates: args.replicates,
        steps: args.steps,
        seed: args.seed,
        jobs,
    };
    let runs = siloscope_model::knob::Knob::ALL.len() * 2 * args.replicates as usize;
    let steps = args.steps.unwrap_or(scenario.steps);
    let policy = args
        .policy
        .clone()
        .or_else(|| scenario.start_policy.clone())
        .unwrap_or_else(|| "the scenario's knob values".into());
    eprintln!(
        "sensitivity: {} knobs × 2 levels × {} seeds = {runs} runs of {steps} steps from {policy}, on {} threads",
        siloscope_model::knob::Knob::ALL.len(),
        args.replicates,
        jobs
    );
    let started = std::time::Instant::now();
    let effects = screen(&scenario, &options)?;
    eprintln!(
        "sensitivity: done in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let stem = args
        .scenario
        .file_name()
        .map(|n| {
            n.to_string_lossy()
                .trim_end_matches(".scenario.ron")
                .to_owned()
        })
        .unwrap_or_else(|| "scenario".into());
    let out = args
        .out
        .unwrap_or_else(|| PathBuf::from(format!("runs/sensitivity_{stem}_{}", args.metric)));
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;

    let what = if args.part == "all" {
        args.metric.clone()
    } else {
        format!("{} ({})", args.metric, args.part)
    };
    println!(
        "\nEffect on {what} at step {steps} of moving each knob from low to high (paired over {} seeds):\n",
        args.replicates
    );
    println!(
        "  {:<4} {:<24} {:>15}  {:>10} {:>10}  {:>10} [95% CI]              {:>6}",
        "rank", "knob", "low → high", "at low", "at high", "effect", "high wins"
    );
    let mut csv = csv::Writer::from_writer(Vec::new());
    csv.write_record([
        "rank",
        "knob",
        "low",
        "high",
        "mean_at_low",
        "mean_at_high",
        "effect",
        "ci_low",
        "ci_high",
        "effect_size",
        "high_wins",
        "n",
    ])?;
    let mut rows = Vec::new();
    for (rank, e) in effects.iter().enumerate() {
        let d = &e.effect.diff;
        println!(
            "  {:<4} {:<24} {:>6} → {:<6}  {:>10.4} {:>10.4}  {:>+10.4} [{:>+9.4}, {:>+9.4}]  {:>5.0}%",
            rank + 1,
            e.knob.name(),
            e.levels.0,
            e.levels.1,
            e.at_low.mean,
            e.at_high.mean,
            d.mean,
            d.lo,
            d.hi,
            e.effect.wins * 100.0
        );
        let f = |v: f64| siloscope_lab::output::format_value(v);
        csv.write_record([
            (rank + 1).to_string(),
            e.knob.name().to_owned(),
            f(f64::from(e.levels.0)),
            f(f64::from(e.levels.1)),
            f(e.at_low.mean),
            f(e.at_high.mean),
            f(d.mean),
            f(d.lo),
            f(d.hi),
            f(e.effect.effect),
            f(e.effect.wins),
            d.n.to_string(),
        ])?;
        rows.push((e.knob.name().to_owned(), d.mean, d.lo, d.hi));
    }
    let table = out.join("sensitivity.csv");
    siloscope_lab::output::write_atomic(&table, &csv.into_inner()?)
        .with_context(|| format!("cannot write {}", table.display()))?;
    let chart = plot::Effects {
        title: format!("What moves {what}: low → high, one knob at a time"),
        axis: format!(
            "change in {what} at step {steps} (mean, 95% CI over {} seeds)",
            args.replicates
        ),
        rows,
    };
    plot::write(&out, "sensitivity", &chart)
        .with_context(|| format!("cannot write the plot into {}", out.display()))?;
    println!(
        "\nwrote {0}/sensitivity.csv, sensitivity.png, sensitivity.svg",
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}
