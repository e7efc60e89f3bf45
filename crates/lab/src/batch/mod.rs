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

use crate::experiment::{Experiment, replicate_seed};
use crate::output::{format_value, write_atomic};
use crate::stats::{Estimate, Paired};
use rayon::prelude::*;
use serde::Serialize;
use siloscope_model::sim::{RunOptions, SimError, Simulation};
use std::collections::HashMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

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

fn run_path(out: &Path, exp: &Experiment, id: usize) -> PathBuf {
    let width = exp.runs().saturating_sub(1).to_string().len();
    out.join("runs").join(format!("run-{id:0width$}.csv"))
}

/// A fingerprint of what the runs depend on.
fn fingerprint(exp: &Experiment) -> String {
    // The resolved experiment's debug text covers the scenario, conditions,
    // seeds and steps; FNV-1a keeps it short and stable across platforms.
    let text = format!("{exp:?}");
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

#[derive(Serialize, serde::Deserialize)]
struct Manifest {
    experiment: String,
    fingerprint: String,
    runs: usize,
}

fn check_manifest(exp: &Experiment, out: &Path) -> Result<(), BatchError> {
    let path = out.join("manifest.json");
    let mine = Manifest {
        experiment: exp.name.clone(),
        fingerprint: fingerprint(exp),
        runs: exp.runs(),
    };
    match std::fs::read(&path) {
        Ok(bytes) => {
            let theirs: Option<Manifest> = serde_json::from_slice(&bytes).ok();
            match theirs {
                Some(m) if m.fingerprint == mine.fingerprint => Ok(()),
                _ => Err(BatchError::Foreign(out.to_owned())),
            }
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let json = serde_json::to_vec_pretty(&mine).map_err(io::Error::other);
            write_atomic(&path, &json.map_err(io_at(&path))?).map_err(io_at(&path))
        }
        Err(e) => Err(io_at(&path)(e)),
    }
}

/// Columns of the time series: run, condition, policy, one per swept knob,
/// seed, step, metric, part, value.
fn header(exp: &Experiment) -> Vec<String> {
    let mut h: Vec<String> = vec!["run".into(), "condition".into(), "policy".into()];
    h.extend(swept_knobs(exp).iter().map(|k| k.name().to_owned()));
    h.extend(["seed", "step", "metric", "part", "value"].map(String::from));
    h
}

fn swept_knobs(exp: &Experiment) -> Vec<siloscope_model::knob::Knob> {
    let mut knobs = Vec::new();
    for c in &exp.conditions {
        for (k, _) in &c.knobs {
            if !knobs.contains(k) {
                knobs.push(*k);
            }
        }
    }
    knobs
}

/// One run's rows (the experiment's metrics, every step) as CSV without a
/// header.
fn run_one(exp: &Experiment, id: usize) -> Result<Vec<u8>, BatchError> {
    let (c, k) = exp.run(id);
    let cond = &exp.conditions[c];
    let seed = replicate_seed(exp.seed, k);
    let sim_err = |source| BatchError::Sim { run: id, source };
    let mut sim = Simulation::new(
        &exp.scenario,
        RunOptions {
            policy: Some(cond.policy.clone()),
            seed: Some(seed),
            record_flows: false,
        },
    )
    .map_err(sim_err)?;
    for &(knob, v) in &cond.knobs {
        sim.set_knob(knob, v).map_err(sim_err)?;
    }
    let knob_values: Vec<String> = swept_knobs(exp)
        .iter()
        .map(|k| {
            cond.knobs
                .iter()
                .find(|(kk, _)| kk == k)
                .map(|(_, v)| format_value(f64::from(*v)))
                .unwrap_or_default()
        })
        .collect();
    let label = cond.label();
    let (id_s, seed_s) = (id.to_string(), seed.to_string());
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    let mut failed = None;
    for _ in 0..exp.steps {
        let report = sim.step();
        let step = (report.step + 1).to_string();
        report.rows(|metric, part, value| {
            if failed.is_some() || !exp.metrics.contains(&metric) {
                return;
            }
            let v = format_value(value);
            let mut record: Vec<&str> = vec![&id_s, &label, &cond.policy];
            record.extend(knob_values.iter().map(String::as_str));
            record.extend([seed_s.as_str(), step.as_str(), metric, part, v.as_str()]);
            if let Err(e) = w.write_record(&record) {
                failed = Some(e);
            }
        });
    }
    let memory = |e: String| BatchError::Io {
        path: PathBuf::from(format!("run {id}")),
        source: io::Error::other(e),
    };
    if let Some(e) = failed {
        return Err(memory(e.to_string()));
    }
    w.into_inner().map_err(|e| memory(e.to_string()))
}

/// The metrics the batch plots: the recorded headline metrics, or every
/// recorded metric when none of them is a headline one.
fn plotted(exp: &Experiment) -> Vec<&'static str> {
    let headline: Vec<&'static str> = exp
        .metrics
        .iter()
        .copied()
        .filter(|m| crate::experiment::HEADLINE.contains(m))
        .collect();
    if headline.is_empty() {
        exp.metrics.clone()
    } else {
        headline
    }
}

/// One run file, read: its bytes, its values at the summarised steps as
/// `(metric, part, index in at_steps, value)`, and the whole series of the
/// plotted metrics as `(metric, part, [(step, value)])`.
struct ParsedRun {
    bytes: Vec<u8>,
    values: Vec<(String, String, usize, Option<f64>)>,
    series: Vec<Series>,
}

/// One run's values of one metric and part: `(metric, part, [(step, value)])`.
type Series = (String, String, Vec<(u32, f64)>);

fn parse_run(
    exp: &Experiment,
    out: &Path,
    id: usize,
    knobs: usize,
    plotted: &[&str],
) -> Result<ParsedRun, BatchError> {
    let path = run_path(out, exp, id);
    let bytes = std::fs::read(&path).map_err(io_at(&path))?;
    let mut values = Vec::new();
    let mut series: Vec<Series> = Vec::new();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes.as_slice());
    for record in reader.records() {
        let record = record.map_err(|e| io_at(&path)(io::Error::other(e)))?;
        let field = |i: usize| record.get(i).unwrap_or("");
        let step: u32 = field(4 + knobs).parse().unwrap_or(0);
        let (metric, part) = (field(5 + knobs), field(6 + knobs));
        let value: f64 = field(7 + knobs).parse().unwrap_or(f64::NAN);
        if value.is_finite() && plotted.contains(&metric) {
            // A run lists the same few (metric, part) pairs every step.
            match series.iter_mut().find(|(m, p, _)| m == metric && p == part) {
                Some((_, _, points)) => points.push((step, value)),
                None => series.push((metric.to_owned(), part.to_owned(), vec![(step, value)])),
            }
        }
        let Some(at) = exp.at_steps.iter().position(|&s| s + 1 == step) else {
            continue;
        };
        values.push((
            metric.to_owned(),
            part.to_owned(),
            at,
            value.is_finite().then_some(value),
        ));
    }
    Ok(ParsedRun {
        bytes,
        values,
        series,
    })
}

/// Values per (condition, metric, part, step index in at_steps), one slot
/// per replicate.
type Table = HashMap<(usize, String, String, usize), Vec<Option<f64>>>;

/// Assemble `timeseries.csv`, `summary.csv`, `comparison.csv`,
/// `summary.json` and `plots/` from the run files, in run order.
fn assemble(
    exp: &Experiment,
    out: &Path,
) -> Result<(Vec<SummaryRow>, Vec<ComparisonRow>), BatchError> {
    let series_path = out.join("timeseries.csv");
    let tmp = crate::output::temp_path(&series_path);
    let mut series = io::BufWriter::new(std::fs::File::create(&tmp).map_err(io_at(&tmp))?);
    writeln!(series, "{}", header(exp).join(",")).map_err(io_at(&tmp))?;
    let mut table: Table = HashMap::new();
    let mut keys: Vec<(usize, String, String, usize)> = Vec::new();
    let knobs = swept_knobs(exp).len();
    let replicates = exp.replicates as usize;
    let plotted = plotted(exp);
    #[cfg(feature = "parquet")]
    let mut table_file = {
        let path = out.join("timeseries.parquet");
        let knobs: Vec<String> = swept_knobs(exp)
            .iter()
            .map(|k| k.name().to_owned())
            .collect();
        parquet::TimeSeriesParquet::create(&path, &knobs).map_err(io_at(&path))?
    };
    let mut curves = plot::Curves::new(plotted.clone(), exp.conditions.len(), exp.steps as usize);
    // Runs are read and parsed in parallel, a chunk at a time (bounded
    // memory), and joined in run order (deterministic output). Joining a
    // chunk (serial: one output file) overlaps with parsing the next.
    const CHUNK: usize = 64;
    let ids: Vec<usize> = (0..exp.runs()).collect();
    let mut join = |chunk: &[usize], parsed: Vec<ParsedRun>| -> Result<(), BatchError> {
        #[cfg(feature = "parquet")]
        {
            let bytes: Vec<&[u8]> = parsed.iter().map(|r| r.bytes.as_slice()).collect();
            let path = out.join("timeseries.parquet");
            table_file.append(&bytes).map_err(io_at(&path))?;
        }
        for (&id, run) in chunk.iter().zip(parsed) {
            series.write_all(&run.bytes).map_err(io_at(&tmp))?;
            let (c, k) = exp.run(id);
            for (metric, part, at, value) in run.values {
                let key = (c, metric, part, at);
                let slot = table.entry(key.clone()).or_insert_with(|| {
                    keys.push(key);
                    vec![None; replicates]
                });
                slot[k as usize] = value;
            }
            for (metric, part, points) in run.series {
                curves.add(c, &metric, &part, &points);
            }
        }
        crate::output::stall_if_asked(&series_path, || {
            let _ = series.flush();
        });
        Ok(())
    };
    let mut pending: Option<(&[usize], Vec<ParsedRun>)> = None;
    for chunk in ids.chunks(CHUNK) {
        let (parsed, joined) = rayon::join(
            || {
                chunk
                    .par_iter()
                    .map(|&id| parse_run(exp, out, id, knobs, &plotted))
                    .collect::<Result<Vec<ParsedRun>, BatchError>>()
            },
            || match pending.take() {
                Some((ids, runs)) => join(ids, runs),
                None => Ok(()),
            },
        );
        joined?;
        pending = Some((chunk, parsed?));
    }
    if let Some((ids, runs)) = pending.take() {
        join(ids, runs)?;
    }
    #[cfg(feature = "parquet")]
    {
        let path = out.join("timeseries.parquet");
        table_file.finish().map_err(io_at(&path))?;
    }
    let series = series
        .into_inner()
        .map_err(|e| io_at(&tmp)(e.into_error()))?;
    // The time series reaches the disk while the summaries are computed.
    std::thread::scope(|scope| {
        let synced = scope.spawn(|| {
            series.sync_all().map_err(io_at(&tmp))?;
            std::fs::rename(&tmp, &series_path).map_err(io_at(&series_path))
        });
        let summarised = summarise(exp, out, &table, keys, curves);
        let synced = synced
            .join()
            .unwrap_or_else(|_| Err(io_at(&series_path)(io::Error::other("sync failed"))));
        synced?;
        summarised
    })
}

/// `summary.csv`, `comparison.csv`, `summary.json` and `plots/` from the
/// values gathered at the summarised steps and the per-step curves.
fn summarise(
    exp: &Experiment,
    out: &Path,
    table: &Table,
    mut keys: Vec<(usize, String, String, usize)>,
    curves: plot::Curves,
) -> Result<(Vec<SummaryRow>, Vec<ComparisonRow>), BatchError> {
    // Keys in a stable order: condition, then metric order, then first
    // appearance of the part, then step.
    let metric_rank = |m: &str| {
        exp.metrics
            .iter()
            .position(|x| *x == m)
            .unwrap_or(usize::MAX)
    };
    let part_rank: HashMap<(String, String), usize> = keys
        .iter()
        .enumerate()
        .map(|(i, (_, m, p, _))| ((m.clone(), p.clone()), i))
        .rev()
        .collect();
    keys.sort_by_key(|(c, m, p, at)| (*c, metric_rank(m), part_rank[&(m.clone(), p.clone())], *at));
    let mut summary = Vec::new();
    let mut comparison = Vec::new();
    for key in &keys {
        let (c, metric, part, at) = key;
        let values: Vec<f64> = table[key].iter().flatten().copied().collect();
        let e = Estimate::of(&values);
        let cond = &exp.conditions[*c];
        summary.push(SummaryRow {
            condition: cond.label(),
            policy: cond.policy.clone(),
            metric: metric.clone(),
            part: part.clone(),
            step: exp.at_steps[*at] + 1,
            n: e.n,
            mean: e.mean,
            sd: e.sd,
            ci_low: e.lo,
            ci_high: e.hi,
        });
        let b = exp.baseline_of[*c];
        if b == *c {
            continue;
        }
        let base_key = (b, metric.clone(), part.clone(), *at);
        let Some(base) = table.get(&base_key) else {
            continue;
        };
        let (xs, bs): (Vec<f64>, Vec<f64>) = table[key]
            .iter()
            .zip(base)
            .filter_map(|(x, b)| Some(((*x)?, (*b)?)))
            .unzip();
        let p = Paired::of(&xs, &bs);
        comparison.push(ComparisonRow {
            condition: cond.label(),
            baseline: exp.conditions[b].label(),
            metric: metric.clone(),
            part: part.clone(),
            step: exp.at_steps[*at] + 1,
            n: p.diff.n,
            mean_diff: p.diff.mean,
            ci_low: p.diff.lo,
            ci_high: p.diff.hi,
            effect_size: p.effect,
            wins: p.wins,
        });
    }
    write_rows(&out.join("summary.csv"), &summary)?;
    write_rows(&out.join("comparison.csv"), &comparison)?;
    let json = serde_json::json!({
        "experiment": exp.name,
        "scenario": exp.scenario.file,
        "runs": exp.runs(),
        "replicates": exp.replicates,
        "steps": exp.steps,
        "seed": exp.seed,
        "baseline": exp.baseline,
        "summary": summary.iter().map(json_row).collect::<Vec<_>>(),
        "comparison": comparison.iter().map(json_row).collect::<Vec<_>>(),
    });
    let path = out.join("summary.json");
    let text = serde_json::to_vec_pretty(&json).map_err(|e| io_at(&path)(io::Error::other(e)))?;
    write_atomic(&path, &text).map_err(io_at(&path))?;
    let labels: Vec<String> = exp.conditions.iter().map(|c| c.label()).collect();
    let plots = out.join("plots");
    curves
        .figures(&labels, exp.replicates)
        .par_iter()
        .try_for_each(|figure| {
            plot::write(&plots, &figure.metric, figure).map_err(io_at(&plots))
        })?;
    Ok((summary, comparison))
}

/// A row as JSON, with non-finite numbers as `null`.
fn json_row(row: &impl Serialize) -> serde_json::Value {
    serde_json::to_value(row).unwrap_or(serde_json::Value::Null)
}

/// Rows as CSV with a header (non-finite numbers as `NaN`), written
/// atomically.
fn write_rows<T: Serialize>(path: &Path, rows: &[T]) -> Result<(), BatchError> {
    let fail = |e: String| io_at(path)(io::Error::other(e));
    let mut w = csv::Writer::from_writer(Vec::new());
    for row in rows {
        w.serialize(row).map_err(|e| fail(e.to_string()))?;
    }
    let bytes = w.into_inner().map_err(|e| fail(e.to_string()))?;
    write_atomic(path, &bytes).map_err(io_at(path))
}

#[cfg(feature = "parquet")]
mod parquet;
pub mod plot;

#[cfg(test)]
mod tests;
