//! One run of an experiment: computed into its CSV rows, written under
//! `runs/`, and read back (to resume, or to merge shards).

use super::{BatchError, Series, io_at};
use crate::experiment::{Experiment, replicate_seed};
use crate::output::format_value;
use siloscope_model::sim::{RunOptions, Simulation};
use std::io::{self};
use std::path::{Path, PathBuf};

pub(super) fn run_path(out: &Path, exp: &Experiment, id: usize) -> PathBuf {
    let width = exp.runs().saturating_sub(1).to_string().len();
    out.join("runs").join(format!("run-{id:0width$}.csv"))
}

/// Columns of the time series: run, condition, policy, one per swept knob,
/// seed, step, metric, part, value.
pub(super) fn header(exp: &Experiment) -> Vec<String> {
    let mut h: Vec<String> = vec!["run".into(), "condition".into(), "policy".into()];
    h.extend(swept_knobs(exp).iter().map(|k| k.name().to_owned()));
    h.extend(["seed", "step", "metric", "part", "value"].map(String::from));
    h
}

pub(super) fn swept_knobs(exp: &Experiment) -> Vec<siloscope_model::knob::Knob> {
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
pub(super) fn run_one(exp: &Experiment, id: usize) -> Result<Vec<u8>, BatchError> {
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

/// One run file, read: its bytes, its values at the summarised steps as
/// `(metric, part, index in at_steps, value)`, and the whole series of the
/// plotted metrics as `(metric, part, [(step, value)])`.
pub(super) struct ParsedRun {
    pub(super) bytes: Vec<u8>,
    pub(super) values: Vec<(String, String, usize, Option<f64>)>,
    pub(super) series: Vec<Series>,
}

pub(super) fn parse_run(
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
