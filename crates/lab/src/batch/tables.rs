//! From the runs to the tables: the time series joined, the summary per
//! condition and step, the paired comparison against the baseline, and the
//! plots.

use super::Table;
#[cfg(feature = "parquet")]
use super::parquet;
use super::plot;
use super::runs::{ParsedRun, header, parse_run, swept_knobs};
use super::{BatchError, ComparisonRow, SummaryRow, io_at};
use crate::experiment::Experiment;
use crate::output::write_atomic;
use crate::stats::{Estimate, Paired};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::HashMap;
use std::io::{self, Write};
use std::path::Path;

/// The metrics the batch plots: the recorded headline metrics, or every
/// recorded metric when none of them is a headline one.
pub(super) fn plotted(exp: &Experiment) -> Vec<&'static str> {
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

/// Assemble `timeseries.csv`, `summary.csv`, `comparison.csv`,
/// `summary.json` and `plots/` from the run files, in run order.
pub(super) fn assemble(
    exp: &Experiment,
    fingerprint: &str,
    out: &Path,
) -> Result<(Vec<SummaryRow>, Vec<ComparisonRow>), BatchError> {
    let series_path = out.join("timeseries.csv");
    // Dropped on an error (a full disk, say), the temporary file goes too.
    let mut series = io::BufWriter::new(
        siloscope_files::AtomicFile::create(&series_path).map_err(io_at(&series_path))?,
    );
    writeln!(series, "{}", header(exp).join(",")).map_err(io_at(&series_path))?;
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
            series.write_all(&run.bytes).map_err(io_at(&series_path))?;
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
                    .map(|&id| parse_run(exp, fingerprint, out, id, knobs, &plotted))
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
        .map_err(|e| io_at(&series_path)(e.into_error()))?;
    // The time series reaches the disk while the summaries are computed.
    std::thread::scope(|scope| {
        let synced = scope.spawn(|| series.commit().map_err(io_at(&series_path)));
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
    siloscope_files::create_real_dir(&plots).map_err(io_at(&plots))?;
    curves
        .figures(&labels, exp.replicates)
        .par_iter()
        .try_for_each(|figure| {
            plot::write(&plots, &figure.metric, figure).map_err(io_at(&plots))
        })?;
    if let Some(frontier) = frontier(exp, &summary) {
        plot::write(&plots, "frontier", &frontier).map_err(io_at(&plots))?;
    }
    Ok((summary, comparison))
}

/// The trade-off view, when the experiment records both profit and
/// customer trust: each condition's means at the last step with their 95%
/// intervals.
fn frontier(exp: &Experiment, summary: &[SummaryRow]) -> Option<plot::Frontier> {
    let at = |condition: &str, metric: &str| {
        summary
            .iter()
            .find(|r| {
                r.condition == condition
                    && r.metric == metric
                    && r.part == "all"
                    && r.step == exp.steps
            })
            .map(|r| crate::stats::Estimate {
                n: r.n,
                mean: r.mean,
                sd: r.sd,
                lo: r.ci_low,
                hi: r.ci_high,
            })
    };
    let points = exp
        .conditions
        .iter()
        .map(|c| {
            let label = c.label();
            Some(plot::Point {
                x: at(&label, "customer_trust_in_org")?,
                y: at(&label, "profit_total")?,
                label,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    Some(plot::Frontier {
        title: format!(
            "Profit against customer trust at step {}: mean and 95% CI over {} replicate{}",
            exp.steps,
            exp.replicates,
            if exp.replicates == 1 { "" } else { "s" }
        ),
        x_axis: siloscope_model::metrics::label("customer_trust_in_org").to_owned(),
        y_axis: siloscope_model::metrics::label("profit_total").to_owned(),
        points,
    })
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
