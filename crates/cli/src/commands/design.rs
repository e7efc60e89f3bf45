//! An experiment with a Sobol or Morris design (`design: Sobol(samples:
//! N)`): its runs journaled like a sensitivity study's — resumed when run
//! again, split with `batch --shard I/N`, joined with `merge` — and one
//! report per metric, `sobol_<metric>.csv` with its chart.

use super::journaled::{self, Work};
use super::sensitivity::global::write_report;
use anyhow::{Context, Result};
use siloscope_lab::experiment::Experiment;
use siloscope_lab::journal::Shape;
use siloscope_lab::sensitivity::{GlobalStudy, Method};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub(crate) fn run(
    exp: &Experiment,
    out: &Path,
    jobs: usize,
    shard: Option<(usize, usize)>,
    merge: &[PathBuf],
    command: &'static str,
) -> Result<ExitCode> {
    let design = exp
        .global
        .as_ref()
        .context("the experiment has no Sobol or Morris design")?;
    let stem = match design.method {
        Method::Sobol { .. } => "sobol",
        Method::Morris { .. } => "morris",
    };
    super::journaled::check_split(shard, merge, out)?;
    let ours = |n: &str| n.starts_with(stem);
    // The same family of outputs as `sensitivity --method …`.
    let _lock = super::output_dir(out, "sensitivity", ours)?;
    let screen = design.screen(exp, jobs);
    let more: Vec<(String, String)> = exp
        .metrics
        .iter()
        .skip(1)
        .map(|m| ((*m).to_owned(), "all".to_owned()))
        .collect();
    let study = GlobalStudy::new(&exp.scenario, &screen, &design.method)?.reading(more)?;
    let readings = study.readings();
    eprintln!(
        "{command}: {} — {} factors, {} design points × {} = {} runs of {} steps from {}, {} metrics read from each, into {}",
        super::shown(&exp.name),
        design.factors.len(),
        design.method.points(design.factors.len()),
        super::count(exp.replicates as usize, "seed", "seeds"),
        study.jobs(),
        exp.steps,
        screen
            .policy
            .as_deref()
            .unwrap_or("the scenario's knob values"),
        readings.len(),
        super::shown_path(out)
    );
    let work = Work {
        command,
        journal: out.join(format!("{stem}.journal")),
        shape: Shape {
            kind: "sensitivity",
            key: 1,
            values: readings.len(),
        },
        fingerprint: study.fingerprint(),
        total: study.jobs(),
        jobs,
        shard,
        merge,
    };
    let job = |j: usize| -> Result<Vec<f64>> { Ok(study.run(j)?) };
    let Some(values) = journaled::values(&work, &job)? else {
        return Ok(ExitCode::SUCCESS);
    };
    for ((metric, _), found) in readings.iter().zip(study.analyse_all(&values)) {
        write_report(
            out,
            &format!("{stem}_{metric}"),
            metric,
            &found,
            design.method,
            exp.steps,
            exp.replicates,
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
