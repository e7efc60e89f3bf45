//! One run of an experiment: computed into its CSV rows, written under
//! `runs/` with a check beside it, and read back (to resume, or to merge
//! shards) only if it matches its check.
//!
//! The check, `runs/run-<id>.check`, is written after the run file, when
//! the run has finished: the experiment's fingerprint, the run's number,
//! and the file's rows, bytes and CRC-32. A run file without a check, or
//! that does not match it (empty, cut short, edited, from another
//! experiment), is never trusted: a batch computes it again and says so; a
//! merge takes it from another shard or reports it missing.

use super::rows::Rows;
use super::{BatchError, Series, io_at};
use crate::experiment::{Experiment, replicate_seed};
use crate::output::{format_value, format_value_into, write_atomic_unsynced};
use serde::{Deserialize, Serialize};
use siloscope_files::Limit;
use siloscope_model::network::Network;
use siloscope_model::sim::{RunOptions, Simulation};
use std::io::{self};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What run files may be: regular files of at most 1 GiB (a run of a
/// million steps of the default metrics is about 60 MB).
pub const RUN_FILE_LIMIT: Limit = Limit {
    max_bytes: 1 << 30,
    what: "run files",
    expected: "a run file written by siloscope batch",
};

/// What a run's check file may be.
const CHECK_LIMIT: Limit = Limit {
    max_bytes: 4096,
    what: "run checks",
    expected: "a run check written by siloscope batch",
};

pub(super) fn run_path(out: &Path, exp: &Experiment, id: usize) -> PathBuf {
    out.join("runs").join(format!("{}.csv", run_stem(exp, id)))
}

/// Where a run file's check is.
pub(super) fn check_path(out: &Path, exp: &Experiment, id: usize) -> PathBuf {
    out.join("runs")
        .join(format!("{}.check", run_stem(exp, id)))
}

fn run_stem(exp: &Experiment, id: usize) -> String {
    let width = exp.runs().saturating_sub(1).to_string().len();
    format!("run-{id:0width$}")
}

/// What a finished run file held, recorded beside it.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RunCheck {
    /// The experiment's fingerprint (as in `manifest.json`).
    experiment: String,
    /// The run's number.
    run: usize,
    /// Lines (rows) in the file.
    rows: u64,
    /// Bytes in the file.
    bytes: u64,
    /// CRC-32 (IEEE) of the file, in hexadecimal.
    crc32: String,
}

impl RunCheck {
    fn of(fingerprint: &str, id: usize, bytes: &[u8]) -> RunCheck {
        RunCheck {
            experiment: fingerprint.to_owned(),
            run: id,
            rows: bytes.iter().filter(|&&b| b == b'\n').count() as u64,
            bytes: bytes.len() as u64,
            crc32: format!("{:08x}", crc32fast::hash(bytes)),
        }
    }
}

/// Write a finished run's file, then its check. `fingerprint` is the
/// experiment's ([`super::manifest::fingerprint`]).
pub(super) fn write_run(
    out: &Path,
    exp: &Experiment,
    fingerprint: &str,
    id: usize,
    bytes: &[u8],
) -> Result<(), BatchError> {
    let path = run_path(out, exp, id);
    if bytes.len() as u64 > RUN_FILE_LIMIT.max_bytes {
        // It could be written, but never read back to resume or assemble.
        return Err(io_at(&path)(io::Error::other(format!(
            "run {id} came to {} bytes, over the {}-byte limit for run files; record fewer metrics, steps or parts",
            bytes.len(),
            RUN_FILE_LIMIT.max_bytes
        ))));
    }
    // Neither is synced: every reader verifies the run file against its
    // check (`verify_run`), so a file that a power cut left short, or a
    // check it lost, is found and the run computed again. Syncing would
    // make a batch wait on the disk four times a run.
    write_atomic_unsynced(&path, bytes).map_err(io_at(&path))?;
    let check = check_path(out, exp, id);
    let json = serde_json::to_vec(&RunCheck::of(fingerprint, id, bytes)).map_err(io::Error::other);
    write_atomic_unsynced(&check, &json.map_err(io_at(&check))?).map_err(io_at(&check))
}

/// What is on disk for one run.
pub(super) enum Verified {
    /// Nothing: the run was never finished here.
    Absent,
    /// The run file matches its check (its bytes, if they were asked for).
    Good(Option<Vec<u8>>),
    /// A run file that must not be trusted, and why.
    Bad(String),
}

/// Rows, CRC-32 and (if `keep`) the bytes of a stream, read to at most
/// `limit` bytes.
fn digest(file: std::fs::File, limit: u64, keep: bool) -> io::Result<(u64, u64, u32, Vec<u8>)> {
    use std::io::Read;
    let mut reader = file.take(limit);
    let mut hasher = crc32fast::Hasher::new();
    let (mut rows, mut len) = (0u64, 0u64);
    let mut kept = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let chunk = &buf[..n];
        hasher.update(chunk);
        rows += chunk.iter().filter(|&&b| b == b'\n').count() as u64;
        len += n as u64;
        if keep {
            kept.extend_from_slice(chunk);
        }
    }
    Ok((rows, len, hasher.finalize(), kept))
}

/// Check run `id`'s file in `dir` against its check, reading it as a
/// stream (and keeping its bytes only if `keep`). The check is read first
/// and the lengths compared before the file is, so a run file of the wrong
/// size costs almost nothing.
pub(super) fn verify_run(
    dir: &Path,
    exp: &Experiment,
    fingerprint: &str,
    id: usize,
    keep: bool,
) -> Verified {
    let path = run_path(dir, exp, id);
    let (file, len) = match siloscope_files::open_regular(&path, &RUN_FILE_LIMIT) {
        Ok(opened) => opened,
        Err(e) if e.is_not_found() => return Verified::Absent,
        Err(e) => return Verified::Bad(e.to_string()),
    };
    let check = check_path(dir, exp, id);
    let name = check
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let recorded: RunCheck = match siloscope_files::read_regular(&check, &CHECK_LIMIT) {
        Ok(text) => match serde_json::from_slice(&text) {
            Ok(c) => c,
            Err(e) => return Verified::Bad(format!("has a damaged check, {name} ({e})")),
        },
        Err(e) if e.is_not_found() => {
            return Verified::Bad(format!(
                "has no check ({name}): the run did not finish (or a power cut lost its check), or was written by an older siloscope"
            ));
        }
        Err(e) => return Verified::Bad(format!("has a check {name} that cannot be used: {e}")),
    };
    if recorded.experiment != fingerprint || recorded.run != id {
        return Verified::Bad(format!(
            "has a check, {name}, that belongs to another experiment or run"
        ));
    }
    let written = format!(
        "{} rows ({} bytes) were written",
        recorded.rows, recorded.bytes
    );
    if len > recorded.bytes {
        return Verified::Bad(format!("has {len} bytes, but {written}"));
    }
    let (rows, read, crc, bytes) = match digest(file, recorded.bytes + 1, keep) {
        Ok(d) => d,
        Err(e) => return Verified::Bad(format!("cannot be read: {e}")),
    };
    if read != recorded.bytes || rows != recorded.rows {
        return Verified::Bad(format!("has {rows} rows ({read} bytes), but {written}"));
    }
    let crc = format!("{crc:08x}");
    if crc != recorded.crc32 {
        return Verified::Bad(format!(
            "changed after it was written (CRC-32 {crc}, recorded {})",
            recorded.crc32
        ));
    }
    Verified::Good(keep.then_some(bytes))
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
/// header, run on `net`, the network of its replicate's seed
/// (`networks.rs`).
pub(super) fn run_one(
    exp: &Experiment,
    id: usize,
    net: Arc<Network>,
) -> Result<Vec<u8>, BatchError> {
    let (c, k) = exp.run(id);
    let cond = &exp.conditions[c];
    let seed = replicate_seed(exp.seed, k);
    let sim_err = |error| BatchError::Sim { run: id, error };
    let mut sim = Simulation::on_network(
        &exp.scenario,
        net,
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
    let memory = |e: io::Error| BatchError::Io {
        path: PathBuf::from(format!("run {id}")),
        error: e,
    };
    let mut shared = vec![id.to_string(), cond.label(), cond.policy.clone()];
    shared.extend(knob_values);
    shared.push(seed.to_string());
    let mut rows = Rows::new(shared).map_err(memory)?;
    let mut failed = None;
    let (mut step, mut v) = (String::new(), String::new());
    for _ in 0..exp.steps {
        let report = sim.step();
        format_value_into(&mut step, f64::from(report.step + 1));
        report.rows(|metric, part, value| {
            if failed.is_some() || !exp.metrics.contains(&metric) {
                return;
            }
            format_value_into(&mut v, value);
            if let Err(e) = rows.push(&step, metric, part, &v) {
                failed = Some(e);
            }
        });
    }
    match failed {
        Some(e) => Err(memory(e)),
        None => Ok(rows.into_bytes()),
    }
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
    fingerprint: &str,
    out: &Path,
    id: usize,
    knobs: usize,
    plotted: &[&str],
) -> Result<ParsedRun, BatchError> {
    let path = run_path(out, exp, id);
    let bytes = match verify_run(out, exp, fingerprint, id, true) {
        Verified::Good(bytes) => bytes.unwrap_or_default(),
        Verified::Absent => {
            return Err(io_at(&path)(io::Error::from(io::ErrorKind::NotFound)));
        }
        Verified::Bad(reason) => return Err(BatchError::Untrusted { path, reason }),
    };
    let mut values = Vec::new();
    let mut series: Vec<Series> = Vec::new();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes.as_slice());
    // One record, read into again and again: a run has tens of thousands.
    let mut record = csv::StringRecord::new();
    while reader
        .read_record(&mut record)
        .map_err(|e| io_at(&path)(io::Error::other(e)))?
    {
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
