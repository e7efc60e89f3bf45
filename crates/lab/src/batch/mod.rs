//! Running an experiment: every condition × replicate, in parallel, with
//! nothing lost.
//!
//! - Each run writes its own tidy CSV, `runs/run-<id>.csv`, atomically
//!   (a temporary file renamed into place) as soon as it finishes. A run
//!   whose file exists is not run again, so a batch that was killed — even
//!   with SIGKILL — resumes where it stopped.
//! - `manifest.json` records a fingerprint of the experiment and its
//!   scenario; an output directory holding another experiment is refused
//!   rather than mixed.
//! - When all runs are there, the outputs are assembled in run order —
//!   `timeseries.csv`, `summary.csv`, `comparison.csv`, `summary.json` and
//!   the plots in `plots/` — so they are bit-identical whatever the number
//!   of jobs or interruptions.
//!
//! Runs are independent (no shared state, each with its own seeded RNG), so
//! they are spread over a rayon pool of `jobs` threads.

mod manifest;
mod runs;
mod tables;

use crate::experiment::Experiment;
use crate::output::write_atomic;
use manifest::check_manifest;
use rayon::prelude::*;
use runs::{run_one, run_path};
use serde::Serialize;
use siloscope_model::sim::SimError;
use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use tables::assemble;

/// How to run a batch.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BatchOptions {
    /// Output directory.
    pub out: PathBuf,
    /// Worker threads (at least 1).
    pub jobs: usize,
    /// Run only shard `i` of `n` (runs whose id is `i` modulo `n`) and
    /// leave the assembly to [`merge`].
    pub shard: Option<(usize, usize)>,
}

/// What a batch did.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// Runs computed now.
    pub ran: usize,
    /// Runs found finished from an earlier attempt.
    pub resumed: usize,
    /// Means per condition, metric, part and step.
    pub summary: Vec<SummaryRow>,
    /// Paired differences against the baseline.
    pub comparison: Vec<ComparisonRow>,
}

/// One line of `summary.csv`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SummaryRow {
    /// Condition label (policy and swept knob values).
    pub condition: String,
    /// Policy.
    pub policy: String,
    /// Metric.
    pub metric: String,
    /// Part (or `all`, or a department).
    pub part: String,
    /// Step, counted from 1.
    pub step: u32,
    /// Replicates with a value.
    pub n: usize,
    /// Mean.
    pub mean: f64,
    /// Standard deviation.
    pub sd: f64,
    /// 95% interval, low end.
    pub ci_low: f64,
    /// 95% interval, high end.
    pub ci_high: f64,
}

/// One line of `comparison.csv`: a condition against its baseline.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ComparisonRow {
    /// Condition label.
    pub condition: String,
    /// Baseline condition label.
    pub baseline: String,
    /// Metric.
    pub metric: String,
    /// Part.
    pub part: String,
    /// Step, counted from 1.
    pub step: u32,
    /// Seeds with a value in both.
    pub n: usize,
    /// Mean of (condition − baseline) over seeds.
    pub mean_diff: f64,
    /// 95% interval of the mean difference, low end.
    pub ci_low: f64,
    /// High end.
    pub ci_high: f64,
    /// Cohen's d_z.
    pub effect_size: f64,
    /// Share of seeds where the condition is higher.
    pub wins: f64,
}

/// Why a batch failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BatchError {
    /// Reading or writing outputs.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: io::Error,
    },
    /// A run could not be built.
    #[error("run {run}: {source}")]
    Sim {
        /// The run.
        run: usize,
        /// The error.
        source: SimError,
    },
    /// Shards to merge lack some runs.
    #[error(
        "the shards lack {count} runs (the first is run {first}); run the missing shards first"
    )]
    Missing {
        /// How many.
        count: usize,
        /// The first missing run.
        first: usize,
    },
    /// The output directory holds another experiment.
    #[error(
        "{0} holds the outputs of a different experiment (or of an earlier version of this one); choose another --out or remove it"
    )]
    Foreign(PathBuf),
}

fn io_at(path: &Path) -> impl FnOnce(io::Error) -> BatchError + '_ {
    move |source| BatchError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Run every planned run not yet finished in `options.out`, then assemble
/// the outputs. `progress(done, total)` is called after each run.
pub fn run(
    exp: &Experiment,
    options: &BatchOptions,
    progress: impl Fn(usize, usize) + Sync,
) -> Result<Outcome, BatchError> {
    let runs_dir = options.out.join("runs");
    std::fs::create_dir_all(&runs_dir).map_err(io_at(&runs_dir))?;
    check_manifest(exp, &options.out)?;
    let mine = |id: &usize| options.shard.is_none_or(|(i, n)| id % n.max(1) == i);
    let planned: Vec<usize> = (0..exp.runs()).filter(mine).collect();
    let total = planned.len();
    let todo: Vec<usize> = planned
        .into_iter()
        .filter(|&id| !run_path(&options.out, exp, id).exists())
        .collect();
    let resumed = total - todo.len();
    let done = AtomicUsize::new(resumed);
    progress(resumed, total);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.jobs.max(1))
        .build()
        .map_err(|e| io_at(&options.out)(io::Error::other(e)))?;
    pool.install(|| {
        todo.par_iter().try_for_each(|&id| {
            let bytes = run_one(exp, id)?;
            let path = run_path(&options.out, exp, id);
            write_atomic(&path, &bytes).map_err(io_at(&path))?;
            progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
            Ok::<(), BatchError>(())
        })
    })?;
    let (summary, comparison) = if options.shard.is_some() {
        (Vec::new(), Vec::new())
    } else {
        pool.install(|| assemble(exp, &options.out))?
    };
    Ok(Outcome {
        ran: todo.len(),
        resumed,
        summary,
        comparison,
    })
}

/// Join the run files of shard directories into `out` and assemble the
/// outputs a single batch would have written. Every shard must have run
/// the same experiment, and together they must hold every run.
pub fn merge(exp: &Experiment, shards: &[PathBuf], out: &Path) -> Result<Outcome, BatchError> {
    let runs_dir = out.join("runs");
    std::fs::create_dir_all(&runs_dir).map_err(io_at(&runs_dir))?;
    check_manifest(exp, out)?;
    for dir in shards {
        check_manifest(exp, dir)?;
    }
    let mut copied = 0;
    let mut missing = Vec::new();
    for id in 0..exp.runs() {
        let target = run_path(out, exp, id);
        if target.exists() {
            continue;
        }
        match shards
            .iter()
            .map(|d| run_path(d, exp, id))
            .find(|p| p.exists())
        {
            Some(source) => {
                let bytes = std::fs::read(&source).map_err(io_at(&source))?;
                write_atomic(&target, &bytes).map_err(io_at(&target))?;
                copied += 1;
            }
            None => missing.push(id),
        }
    }
    if !missing.is_empty() {
        return Err(BatchError::Missing {
            count: missing.len(),
            first: missing[0],
        });
    }
    let (summary, comparison) = assemble(exp, out)?;
    Ok(Outcome {
        ran: 0,
        resumed: copied,
        summary,
        comparison,
    })
}

/// One run's values of one metric and part: `(metric, part, [(step, value)])`.
type Series = (String, String, Vec<(u32, f64)>);

/// Values per (condition, metric, part, step index in at_steps), one slot
/// per replicate.
type Table = HashMap<(usize, String, String, usize), Vec<Option<f64>>>;

#[cfg(feature = "parquet")]
mod parquet;
pub mod plot;

#[cfg(test)]
mod tests;
