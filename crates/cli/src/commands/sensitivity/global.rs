//! `siloscope sensitivity --method sobol|morris`: every factor over its
//! whole range at once; a ranked table, a CSV and a chart (Sobol: first
//! order and total indices with their intervals; Morris: μ* with its
//! interval).

use super::super::journaled::{self, Work};
use crate::args::SensitivityArgs;
use anyhow::{Context, Result};
use siloscope_lab::batch::plot;
use siloscope_lab::journal::Shape;
use siloscope_lab::sensitivity::morris::Elementary;
use siloscope_lab::sensitivity::sobol::{Index, Indices};
use siloscope_lab::sensitivity::{Global, GlobalStudy, Method, Screen};
use siloscope_scenario::Scenario;
use std::path::Path;
use std::process::ExitCode;

/// A noise share above which the indices are called blurred.
const NOISY: f64 = 0.1;

/// What the study runs and where it writes.
pub(super) struct Study<'a> {
    pub(super) scenario: &'a Scenario,
    pub(super) screen: &'a Screen,
    pub(super) method: Method,
    pub(super) out: &'a Path,
    pub(super) steps: u32,
    pub(super) policy: &'a str,
}

pub(super) fn run(study: &Study<'_>, args: &SensitivityArgs) -> Result<ExitCode> {
    let started = std::time::Instant::now();
    let planned = GlobalStudy::new(study.scenario, study.screen, &study.method)?;
    let stem = match study.method {
        Method::Sobol { .. } => "sobol",
        Method::Morris { .. } => "morris",
    };
    let work = Work {
        command: "sensitivity",
        journal: study.out.join(format!("{stem}.journal")),
        shape: Shape {
            kind: "sensitivity",
            key: 1,
            values: 1,
        },
        fingerprint: planned.fingerprint(),
        total: planned.jobs(),
        jobs: study.screen.jobs,
        shard: args.split.shard,
        merge: &args.split.merge,
    };
    let job = |j: usize| -> Result<Vec<f64>> { Ok(planned.run(j)?) };
    let Some(values) = journaled::values(&work, &job)? else {
        return Ok(ExitCode::SUCCESS);
    };
    let values: Vec<f64> = values.into_iter().map(|v| v[0]).collect();
    let found = planned.analyse(&values);
    eprintln!(
        "sensitivity: done in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let metric = if args.part == "all" {
        args.metric.clone()
    } else {
        format!("{} ({})", args.metric, args.part)
    };
    let what = match &args.against {
        Some(other) => format!("{metric}: {} − {other}", study.policy),
        None => metric,
    };
    write_report(
        study.out,
        stem,
        &what,
        &found,
        study.method,
        study.steps,
        study.screen.replicates,
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Print the measures of `found` on `what` and write them into `out`:
/// `<stem>.csv` and a chart, `<stem>.png` and `.svg`.
pub(crate) fn write_report(
    out: &Path,
    stem: &str,
    what: &str,
    found: &Global,
    method: Method,
    steps: u32,
    seeds: u32,
) -> Result<()> {
    let effects = &found.effects;
    let f = |v: f64| siloscope_lab::output::format_value(v);
    let mut csv = csv::Writer::from_writer(Vec::new());
    let undefined: Vec<String> = effects
        .iter()
        .filter(|e| e.sobol.is_none() && e.morris.is_none())
        .map(|e| e.factor.name())
        .collect();
    match method {
        Method::Sobol { samples } => {
            println!(
                "\nSobol indices of {what} at step {steps}: the share of its variance each factor explains alone (first order) and with its interactions (total); {samples} samples ({} points), {seeds} seeds each, 95% bootstrap intervals:\n",
                method.points(effects.len())
            );
            println!(
                "  {:<4} {:<28} {:>19}  {:>7} [95% CI]          {:>7} [95% CI]",
                "rank", "factor", "low → high", "first", "total"
            );
            csv.write_record([
                "rank", "factor", "low", "high", "first", "first_lo", "first_hi", "total",
                "total_lo", "total_hi",
            ])?;
            let mut rows = Vec::new();
            for (rank, e) in effects.iter().enumerate() {
                let (low, high) = (e.levels.0 as f32, e.levels.1 as f32);
                let index = |pick: fn(&Indices) -> Index| {
                    e.sobol
                        .as_ref()
                        .map_or((f64::NAN, f64::NAN, f64::NAN), |s| {
                            let i = pick(s);
                            (i.value, i.lo, i.hi)
                        })
                };
                let (first, total) = (index(|s| s.first), index(|s| s.total));
                println!(
                    "  {:<4} {:<28} {low:>8} → {high:<8}  {:>7.3} [{:>6.3}, {:>6.3}]  {:>7.3} [{:>6.3}, {:>6.3}]",
                    rank + 1,
                    e.factor.name(),
                    first.0,
                    first.1,
                    first.2,
                    total.0,
                    total.1,
                    total.2
                );
                csv.write_record([
                    (rank + 1).to_string(),
                    e.factor.name(),
                    low.to_string(),
                    high.to_string(),
                    f(first.0),
                    f(first.1),
                    f(first.2),
                    f(total.0),
                    f(total.1),
                    f(total.2),
                ])?;
                rows.push((e.factor.name(), [first, total]));
            }
            let chart = plot::IndexBars {
                title: format!("What {what} at step {steps} rests on: Sobol indices"),
                axis: format!(
                    "share of the variance of {what} ({samples} samples, 95% bootstrap CI)"
                ),
                rows,
            };
            plot::write(out, stem, &chart)
                .with_context(|| format!("cannot write the chart into {}", out.display()))?;
        }
        Method::Morris {
            trajectories,
            levels,
        } => {
            println!(
                "\nMorris elementary effects on {what} at step {steps}: the change over each factor's whole range, from {trajectories} trajectories on a {levels}-level grid, {seeds} seeds per point; μ* how much it matters, μ its direction, σ how much it depends on the other factors or its own level:\n"
            );
            println!(
                "  {:<4} {:<28} {:>19}  {:>10} [95% CI]              {:>10} {:>10}",
                "rank", "factor", "low → high", "μ*", "μ", "σ"
            );
            csv.write_record([
                "rank",
                "factor",
                "low",
                "high",
                "mu_star",
                "mu_star_lo",
                "mu_star_hi",
                "mu",
                "sigma",
                "n",
            ])?;
            let mut rows = Vec::new();
            for (rank, e) in effects.iter().enumerate() {
                let (low, high) = (e.levels.0 as f32, e.levels.1 as f32);
                let m = e.morris;
                let get = |pick: fn(&Elementary) -> f64| m.as_ref().map_or(f64::NAN, pick);
                let (star, lo, hi) = (get(|m| m.mu_star), get(|m| m.lo), get(|m| m.hi));
                let (mu, sigma) = (get(|m| m.mu), get(|m| m.sigma));
                println!(
                    "  {:<4} {:<28} {low:>8} → {high:<8}  {star:>10.4} [{lo:>10.4}, {hi:>10.4}]  {mu:>+10.4} {sigma:>10.4}",
                    rank + 1,
                    e.factor.name(),
                );
                csv.write_record([
                    (rank + 1).to_string(),
                    e.factor.name(),
                    low.to_string(),
                    high.to_string(),
                    f(star),
                    f(lo),
                    f(hi),
                    f(mu),
                    f(sigma),
                    m.map_or(0, |m| m.n).to_string(),
                ])?;
                rows.push((e.factor.name(), star, lo, hi));
            }
            let chart = plot::Effects {
                title: format!("What moves {what} at step {steps}: Morris μ*"),
                axis: format!(
                    "mean size of the change over each factor's range ({trajectories} trajectories, 95% bootstrap CI)"
                ),
                rows,
            };
            plot::write(out, stem, &chart)
                .with_context(|| format!("cannot write the chart into {}", out.display()))?;
        }
    }
    let noise = found.noise;
    if noise.sd.is_finite() {
        let share = if noise.share.is_finite() {
            format!(
                ", {:.0}% of the variance over the design",
                noise.share * 100.0
            )
        } else {
            String::new()
        };
        println!(
            "\nseed noise: a point's mean over {seeds} seeds varies by ± {} (sd) from the seeds alone{share}.",
            if noise.sd >= 1e-3 || noise.sd == 0.0 {
                format!("{:.4}", noise.sd)
            } else {
                format!("{:.2e}", noise.sd)
            }
        );
        if noise.share > NOISY {
            println!(
                "note: that is over {:.0}%: noise differs from point to point like an effect of every factor, so it inflates the total indices (and Morris's σ) and blurs the ranking; raise --replicates (noise shrinks as 1/seeds) or drop the factors that barely matter.",
                NOISY * 100.0
            );
        }
    }
    if !undefined.is_empty() {
        println!(
            "\nnote: no value for {} ({what} did not vary over the design, or was undefined at step {steps} at some point)",
            undefined.join(", ")
        );
    }
    // The chart first and the table last, so a table on disk means a
    // complete output.
    let table = out.join(format!("{stem}.csv"));
    siloscope_lab::output::write_atomic(&table, &csv.into_inner()?)
        .with_context(|| format!("cannot write {}", table.display()))?;
    println!(
        "\nwrote {0}/{stem}.csv, {stem}.png, {stem}.svg",
        out.display()
    );
    Ok(())
}
