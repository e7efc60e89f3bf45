//! Run outputs: the tidy long CSV time series, the JSON summary, and
//! atomic file writes.
//!
//! The time series has one row per (step, metric, part):
//!
//! ```text
//! run,policy,seed,step,metric,part,value
//! 0,connected,42,0,trust_from,departments,0.5012
//! ```
//!
//! which loads directly into pandas, R, Polars or a spreadsheet pivot.
//! Files are written to a temporary file beside the target and renamed into
//! place ([`siloscope_files::write`]), so a reader never sees half a file, a
//! killed run leaves either the old file or the new one, and no planted link
//! can redirect a write.

use serde::Serialize;
use siloscope_model::agent::Part;
use siloscope_model::metrics::StepReport;
use siloscope_model::network::TieKind;
use siloscope_model::silo_index;
use siloscope_model::sim::Simulation;
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::Path;

/// Column names of the time series.
pub const TIMESERIES_HEADER: [&str; 7] =
    ["run", "policy", "seed", "step", "metric", "part", "value"];

/// Streams step reports into a tidy CSV.
pub struct TimeSeriesWriter<W: Write> {
    csv: csv::Writer<W>,
}

impl<W: Write> TimeSeriesWriter<W> {
    /// A writer that has written the header.
    pub fn new(out: W) -> io::Result<Self> {
        let mut csv = csv::Writer::from_writer(out);
        csv.write_record(TIMESERIES_HEADER)
            .map_err(io::Error::other)?;
        Ok(Self { csv })
    }

    /// Write every row of `report`.
    pub fn write(
        &mut self,
        run: u64,
        policy: &str,
        seed: u64,
        report: &StepReport,
    ) -> io::Result<()> {
        let (run, seed, step) = (run.to_string(), seed.to_string(), report.step.to_string());
        let mut result = Ok(());
        report.rows(|metric, part, value| {
            if result.is_ok() {
                result = self
                    .csv
                    .write_record([
                        run.as_str(),
                        policy,
                        seed.as_str(),
                        step.as_str(),
                        metric,
                        part,
                        &format_value(value),
                    ])
                    .map_err(io::Error::other);
            }
        });
        result
    }

    /// Flush and return the underlying writer.
    pub fn finish(self) -> io::Result<W> {
        self.csv
            .into_inner()
            .map_err(|e| io::Error::other(e.to_string()))
    }
}

/// Shortest text that reads back as the same `f64` (Rust's `Display`
/// round-trips), with integers written without a fraction.
pub fn format_value(v: f64) -> String {
    let mut text = String::new();
    format_value_into(&mut text, v);
    text
}

/// [`format_value`] into `text`, replacing what it held (so that a writer
/// of millions of values reuses one buffer).
pub fn format_value_into(text: &mut String, v: f64) {
    use std::fmt::Write as _;
    text.clear();
    // Writing into a String cannot fail.
    let _ = if v.fract() == 0.0 && v.abs() < 1e15 {
        write!(text, "{}", v as i64)
    } else {
        write!(text, "{v}")
    };
}

/// What a run's `summary.json` holds.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    /// Scenario title.
    pub scenario: String,
    /// Scenario file.
    pub file: String,
    /// Policy the run started under ("" for the scenario's knob values).
    pub policy: String,
    /// Seed.
    pub seed: u64,
    /// Steps run.
    pub steps: u32,
    /// What a step stands for.
    pub step_unit: String,
    /// Agents per part.
    pub agents: BTreeMap<&'static str, u64>,
    /// Directed ties.
    pub ties: u64,
    /// Knob values at the end of the run.
    pub knobs: BTreeMap<&'static str, f32>,
    /// E-I index of the drawn staff ties (structure).
    pub ei_index_structure: Option<f64>,
    /// E-I index random mixing would give for these department sizes.
    pub ei_index_random_baseline: Option<f64>,
    /// Totals over the run.
    pub totals: BTreeMap<&'static str, f64>,
    /// The last step's metrics: metric → part → value.
    pub last_step: BTreeMap<&'static str, BTreeMap<String, f64>>,
}

impl Summary {
    /// Summarise a finished run.
    pub fn of(sim: &Simulation) -> Summary {
        let sc = sim.scenario();
        let net = sim.network();
        let mut agents = BTreeMap::new();
        for p in Part::ALL {
            agents.insert(
                p.label(),
                net.part.iter().filter(|q| **q == p).count() as u64,
            );
        }
        let (ext, int) =
            net.kind
                .iter()
                .fold((0u64, 0u64), |(e, i), k| match TieKind::from_u8(*k) {
                    TieKind::Wall => (e + 1, i),
                    TieKind::Internal => (e, i + 1),
                    _ => (e, i),
                });
        let sizes: Vec<u64> = sc
            .groups
            .iter()
            .filter(|g| g.part == Part::Department)
            .map(|g| u64::from(g.size))
            .collect();
        let r = sim.report();
        let t = &r.totals;
        let mut totals = BTreeMap::from([
            ("needs_raised", t.needs_raised as f64),
            ("needs_reached_product", t.needs_reached as f64),
            ("loops_closed", t.loops_closed as f64),
            (
                "acquisitions_word_of_mouth",
                t.acquisitions_word_of_mouth as f64,
            ),
            ("acquisitions_campaign", t.acquisitions_campaign as f64),
            ("churn", t.churn as f64),
            ("returns", t.returns as f64),
            ("flows_within_departments", t.flows_internal as f64),
            ("flows_across_departments", t.flows_external as f64),
            ("cost_total", t.cost),
            ("savings_self_service", t.savings),
            ("revenue", t.revenue),
            ("profit", t.profit()),
            ("npv", t.npv),
        ]);
        if r.trade_offs {
            totals.extend([
                ("contacts_expired", t.contacts_expired as f64),
                ("lost_to_competitor", t.lost_to_competitor as f64),
                ("arrivals", t.arrivals as f64),
            ]);
        }
        let mut last_step: BTreeMap<&'static str, BTreeMap<String, f64>> = BTreeMap::new();
        r.rows(|m, p, v| {
            last_step.entry(m).or_default().insert(p.to_owned(), v);
        });
        Summary {
            scenario: sc.name.clone(),
            file: sc.file.clone(),
            policy: sim.policy().unwrap_or("").to_owned(),
            seed: sim.seed(),
            steps: sim.step_index(),
            step_unit: sc.step_unit.clone(),
            agents,
            ties: net.ties() as u64,
            knobs: sim.knobs().iter().map(|(k, v)| (k.name(), v)).collect(),
            ei_index_structure: silo_index::ei_index(ext as f64, int as f64),
            ei_index_random_baseline: silo_index::random_mixing_baseline(&sizes),
            totals,
            last_step,
        }
    }
}

/// An 8-bit RGB image (`width × height × 3` bytes, row by row) as PNG.
pub fn png_rgb(width: u32, height: u32, rgb: &[u8]) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(io::Error::other)?;
    writer.write_image_data(rgb).map_err(io::Error::other)?;
    writer.finish().map_err(io::Error::other)?;
    Ok(bytes)
}

/// Write `bytes` to `path` atomically: to an exclusively created,
/// unpredictably named temporary file in the same directory, synced, then
/// renamed over `path`, which must be a regular file or absent (see
/// [`siloscope_files::write`]). On an error the temporary file is removed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_through(path, bytes, siloscope_files::AtomicFile::commit)
}

/// [`write_atomic`] without waiting for the disk
/// ([`siloscope_files::AtomicFile::commit_unsynced`]): only for files that
/// every reader checks against a record of what was written (a batch's run
/// files and their checks, `batch/runs.rs`).
pub fn write_atomic_unsynced(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_through(path, bytes, siloscope_files::AtomicFile::commit_unsynced)
}

/// Write `bytes` to a temporary file for `path` (stalling halfway when the
/// crash tests ask), then `commit` it.
fn write_through(
    path: &Path,
    bytes: &[u8],
    commit: fn(siloscope_files::AtomicFile) -> io::Result<()>,
) -> io::Result<()> {
    let mut file = siloscope_files::AtomicFile::create(path)?;
    let (first, rest) = bytes.split_at(bytes.len() / 2);
    file.write_all(first)?;
    stall_if_asked(path, || {
        let _ = file.flush();
    });
    file.write_all(rest)?;
    commit(file)
}

/// The environment variable of the crash tests' hook: see [`stall_if_asked`].
pub const STALL_ENV: &str = "SILOSCOPE_STALL_WRITING";

/// Crash-test hook. When the environment variable [`STALL_ENV`] holds this
/// file's name (`run-07.csv`, `timeseries.csv`), the first writer to get
/// here halfway through writing it runs `flush`, says so on stderr and
/// waits forever, to be killed. The tests use it to SIGKILL a batch in the
/// middle of writing any file they choose. Unset, it costs one comparison.
pub fn stall_if_asked(path: &Path, flush: impl FnOnce()) {
    static ASKED: std::sync::OnceLock<Option<std::ffi::OsString>> = std::sync::OnceLock::new();
    let asked = ASKED.get_or_init(|| std::env::var_os(STALL_ENV));
    if asked.is_some() && path.file_name() == asked.as_deref() {
        flush();
        eprintln!("siloscope: stalled writing {}", path.display());
        loop {
            std::thread::sleep(std::time::Duration::from_secs(3600));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_and_integers_are_plain() {
        assert_eq!(format_value(3.0), "3");
        assert_eq!(format_value(-0.25), "-0.25");
        let v = 0.1f64 + 0.2;
        assert_eq!(format_value(v).parse::<f64>().unwrap(), v);
    }

    #[test]
    fn atomic_write_replaces_the_file_and_leaves_no_temporary() {
        let dir = std::env::temp_dir().join(format!("siloscope-atomic-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("out.json");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["out.json"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
