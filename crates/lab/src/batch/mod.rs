//! Running an experiment: every condition × replicate, in parallel, with
//! nothing lost.
//!
//! - A batch (or merge) holds an exclusive lock on its output directory
//!   ([`siloscope_files::DirLock`]): a second process started on the same
//!   `--out` is refused with a message naming the first, never mixed in.
//! - Each run writes its own tidy CSV, `runs/run-<id>.csv`, atomically
//!   (a temporary file renamed into place) as soon as it finishes, then its
//!   check `runs/run-<id>.check` (rows, bytes, CRC-32). A run whose file
//!   matches its check is not run again, so a batch that was killed — even
//!   with SIGKILL — resumes where it stopped; a run file that does not
//!   match (empty, cut short, edited) is computed again, and the batch says
//!   so.
//! - `manifest.json` records a fingerprint of the experiment and its
//!   scenario; an output directory holding another experiment is refused
//!   rather than mixed.
//! - When all runs are there, the outputs are assembled in run order —
//!   `timeseries.csv`, `summary.csv`, `comparison.csv`, `summary.json` and
//!   the plots in `plots/` — so they are bit-identical whatever the number
//!   of jobs or interruptions.
//!
//! Runs are independent (each with its own seeded RNG; the conditions of a
//! replicate share only its network, read only), so they are spread over a
//! rayon pool of `jobs` threads.

mod manifest;
mod networks;
mod rows;
mod runs;
mod tables;

use crate::experiment::Experiment;
use manifest::{check_manifest, fingerprint, has_manifest};
use networks::Networks;
use rayon::prelude::*;
use runs::{Verified, run_one, run_path, verify_run, write_run};
use serde::Serialize;
use siloscope_files::DirLock;
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
    /// Runs found finished from an earlier attempt (for a merge: copied
    /// from the shards).
    pub resumed: usize,
    /// Run files found but not trusted, and why: a batch computed them
    /// again, a merge took them from another shard.
    pub distrusted: Vec<(PathBuf, String)>,
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
    #[error("{path}: {error}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error (shown in this error's message, not as its source, so
        /// it is printed once).
        error: io::Error,
    },
    /// A run could not be built.
    #[error("run {run}: {error}")]
    Sim {
        /// The run.
        run: usize,
        /// The error.
        error: SimError,
    },
    /// Shards to merge lack some runs.
    #[error(
        "the shards lack {count} {} (the first is run {first}{note}); run the missing shards first",
        if *count == 1 { "run" } else { "runs" }
    )]
    Missing {
        /// How many.
        count: usize,
        /// The first missing run.
        first: usize,
        /// Why copies of the first missing run were not trusted ("" if there
        /// were none).
        note: String,
    },
    /// Another process holds the output directory.
    #[error(transparent)]
    Locked(#[from] siloscope_files::LockError),
    /// A run file that was to be read no longer matches its check.
    #[error("{path} {reason}; run the batch again to compute it anew")]
    Untrusted {
        /// The run file.
        path: PathBuf,
        /// What does not match.
        reason: String,
    },
    /// A merge's output directory is one of its shards, inside one, or
    /// holds one.
    #[error(
        "--out {0} is one of the shard directories, inside one or around one; merge into a new directory, a merge never writes into its inputs"
    )]
    IntoShard(PathBuf),
    /// A shard ran another experiment.
    #[error(
        "{0} holds the runs of a different experiment (or of an earlier version of this one, or of a siloscope whose model gives other results); give merge the experiment file its shards ran, with the siloscope that ran them"
    )]
    ForeignShard(PathBuf),
    /// A directory given as a shard holds no batch output.
    #[error(
        "{0} holds no manifest.json: it is not the output of `siloscope batch --shard` for this experiment"
    )]
    NotAShard(PathBuf),
    /// The output directory holds another experiment.
    #[error(
        "{0} holds the outputs of a different experiment (or of an earlier version of this one, or of a siloscope whose model gives other results); choose another --out or remove it"
    )]
    Foreign(PathBuf),
}

fn io_at(path: &Path) -> impl FnOnce(io::Error) -> BatchError + '_ {
    move |error| BatchError::Io {
        path: path.to_owned(),
        error,
    }
}

/// The files a batch writes at the top of its output directory.
const OUTPUTS: [&str; 6] = [
    "manifest.json",
    "timeseries.csv",
    "timeseries.parquet",
    "summary.csv",
    "comparison.csv",
    "summary.json",
];

/// Remove what writers killed in `out` left behind: the temporary files of
/// a batch's own outputs (see
/// [`siloscope_files::write::remove_stale_temporaries`]). Call with the
/// directory locked.
fn clean(out: &Path) -> Result<(), BatchError> {
    use siloscope_files::write::remove_stale_temporaries;
    let runs = |n: &str| n.starts_with("run-") && (n.ends_with(".csv") || n.ends_with(".check"));
    let plots = |n: &str| n.ends_with(".png") || n.ends_with(".svg");
    remove_stale_temporaries(out, |n| OUTPUTS.contains(&n)).map_err(io_at(out))?;
    let dir = out.join("runs");
    remove_stale_temporaries(&dir, runs).map_err(io_at(&dir))?;
    let dir = out.join("plots");
    remove_stale_temporaries(&dir, plots).map_err(io_at(&dir))?;
    Ok(())
}

/// `runs/` in `out`, created if absent; a real directory, never a link.
fn runs_dir(out: &Path) -> Result<PathBuf, BatchError> {
    let dir = out.join("runs");
    siloscope_files::create_real_dir(&dir).map_err(io_at(&dir))?;
    Ok(dir)
}

/// A rayon pool of `jobs` threads.
fn pool(jobs: usize, out: &Path) -> Result<rayon::ThreadPool, BatchError> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.max(1))
        .build()
        .map_err(|e| {
            io_at(out)(io::Error::other(format!(
                "cannot start {jobs} worker threads ({e}); ask for fewer with --jobs"
            )))
        })
}

/// Run every planned run not yet finished in `options.out`, then assemble
/// the outputs. `progress(done, total)` is called after each run.
pub fn run(
    exp: &Experiment,
    options: &BatchOptions,
    progress: impl Fn(usize, usize) + Sync,
) -> Result<Outcome, BatchError> {
    let out = &options.out;
    std::fs::create_dir_all(out).map_err(io_at(out))?;
    let _lock = DirLock::acquire(out, "batch")?;
    let fp = fingerprint(exp);
    check_manifest(exp, &fp, out)?;
    runs_dir(out)?;
    clean(out)?;
    let mine = |id: &usize| options.shard.is_none_or(|(i, n)| id % n.max(1) == i);
    let planned: Vec<usize> = (0..exp.runs()).filter(mine).collect();
    let total = planned.len();
    // Never more threads than runs: `--jobs` far above the work asks the
    // system for threads that would only wait.
    let pool = pool(options.jobs.max(1).min(total.max(1)), out)?;
    // Each existing run file is read and checked; only the verdict is kept.
    let found: Vec<(usize, Option<String>)> = pool.install(|| {
        planned
            .par_iter()
            .filter_map(|&id| match verify_run(out, exp, &fp, id, false) {
                Verified::Good(_) => None,
                Verified::Absent => Some((id, None)),
                Verified::Bad(reason) => Some((id, Some(reason))),
            })
            .collect()
    });
    let mut distrusted = Vec::new();
    let mut todo = Vec::with_capacity(found.len());
    for (id, reason) in found {
        if let Some(reason) = reason {
            distrusted.push((run_path(out, exp, id), reason));
        }
        todo.push(id);
    }
    // A run whose file or check cannot be replaced (a link, a directory)
    // is refused before anything is computed.
    for &id in &todo {
        for path in [run_path(out, exp, id), runs::check_path(out, exp, id)] {
            siloscope_files::check_replaceable(&path).map_err(io_at(&path))?;
        }
    }
    let resumed = total - todo.len();
    let done = AtomicUsize::new(resumed);
    progress(resumed, total);
    // The conditions of a replicate share its network (`networks.rs`).
    let networks = Networks::new(exp, &todo);
    let mut order = todo.clone();
    Networks::order(exp, &mut order);
    pool.install(|| {
        order.par_iter().try_for_each(|&id| {
            let sim_err = |error| BatchError::Sim { run: id, error };
            let bytes = run_one(exp, id, networks.get(id).map_err(sim_err)?)?;
            networks.done(id);
            write_run(out, exp, &fp, id, &bytes)?;
            progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
            Ok::<(), BatchError>(())
        })
    })?;
    let (summary, comparison) = if options.shard.is_some() {
        (Vec::new(), Vec::new())
    } else {
        pool.install(|| assemble(exp, &fp, out))?
    };
    Ok(Outcome {
        ran: todo.len(),
        resumed,
        distrusted,
        summary,
        comparison,
    })
}

/// `path` made absolute with its links resolved as far as it exists; the
/// rest (a directory yet to be created) is taken as written, `..` going up
/// a level, as creating it would.
fn resolved(path: &Path) -> Option<PathBuf> {
    use std::path::Component;
    let absolute = std::env::current_dir().ok()?.join(path);
    let mut out = PathBuf::new();
    for part in absolute.components() {
        match part {
            Component::Prefix(_) | Component::RootDir => out.push(part),
            Component::CurDir => {}
            // `out` is resolved wherever it exists, so its parent is the
            // real one.
            Component::ParentDir => {
                out.pop();
            }
            Component::Normal(name) => {
                out.push(name);
                if let Ok(real) = std::fs::canonicalize(&out) {
                    out = real;
                }
            }
        }
    }
    Some(out)
}

/// Join the run files of shard directories into `out` and assemble the
/// outputs a single batch would have written. Every shard must have run
/// the same experiment, and together they must hold every run, each
/// matching its check. Nothing is ever written into a shard, and a merge
/// that fails before it has every run writes nothing into `out`.
pub fn merge(exp: &Experiment, shards: &[PathBuf], out: &Path) -> Result<Outcome, BatchError> {
    let fp = fingerprint(exp);
    let target = resolved(out);
    for dir in shards {
        if let (Some(t), Some(d)) = (&target, resolved(dir))
            && (t.starts_with(&d) || d.starts_with(t))
        {
            return Err(BatchError::IntoShard(out.to_owned()));
        }
        match has_manifest(&fp, dir) {
            Ok(true) => {}
            Ok(false) => return Err(BatchError::NotAShard(dir.clone())),
            Err(BatchError::Foreign(d)) => return Err(BatchError::ForeignShard(d)),
            Err(e) => return Err(e),
        }
    }
    let created = !out.exists();
    std::fs::create_dir_all(out).map_err(io_at(out))?;
    let lock = DirLock::acquire(out, "merge")?;
    let result = merge_locked(exp, &fp, shards, out);
    if result.is_err() && created {
        // Leave nothing behind a merge that failed in a directory it made.
        let _ = std::fs::remove_dir_all(out);
        drop(lock);
    }
    result
}

fn merge_locked(
    exp: &Experiment,
    fp: &str,
    shards: &[PathBuf],
    out: &Path,
) -> Result<Outcome, BatchError> {
    has_manifest(fp, out)?;
    clean(out)?;
    // Plan first: which shard each missing run comes from.
    let mut plan = Vec::new();
    let mut missing = Vec::new();
    let mut distrusted = Vec::new();
    let mut note = String::new();
    for id in 0..exp.runs() {
        match verify_run(out, exp, fp, id, false) {
            Verified::Good(_) => continue,
            Verified::Absent => {}
            Verified::Bad(reason) => distrusted.push((run_path(out, exp, id), reason)),
        }
        let before = distrusted.len();
        let source = shards
            .iter()
            .find(|dir| match verify_run(dir, exp, fp, id, false) {
                Verified::Good(_) => true,
                Verified::Absent => false,
                Verified::Bad(reason) => {
                    distrusted.push((run_path(dir, exp, id), reason));
                    false
                }
            });
        match source {
            Some(dir) => plan.push((id, dir)),
            None => {
                if missing.is_empty()
                    && let Some((path, reason)) = distrusted[before..].first()
                {
                    note = format!("; {} {reason}", path.display());
                }
                missing.push(id);
            }
        }
    }
    if let Some(&first) = missing.first() {
        return Err(BatchError::Missing {
            count: missing.len(),
            first,
            note,
        });
    }
    check_manifest(exp, fp, out)?;
    runs_dir(out)?;
    for &(id, dir) in &plan {
        let path = run_path(dir, exp, id);
        match verify_run(dir, exp, fp, id, true) {
            Verified::Good(bytes) => write_run(out, exp, fp, id, &bytes.unwrap_or_default())?,
            Verified::Absent => {
                return Err(io_at(&path)(io::Error::other(
                    "disappeared during the merge; merge again once the shards are finished",
                )));
            }
            Verified::Bad(reason) => {
                return Err(io_at(&path)(io::Error::other(format!(
                    "{reason} (it changed during the merge); merge again once the shards are finished"
                ))));
            }
        }
    }
    let (summary, comparison) = assemble(exp, fp, out)?;
    Ok(Outcome {
        ran: 0,
        resumed: plan.len(),
        distrusted,
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
