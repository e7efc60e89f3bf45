//! The manifest an output directory carries: which experiment its runs
//! belong to, so a resume never mixes two experiments.

use super::{BatchError, io_at};
use crate::experiment::Experiment;
use crate::output::write_atomic;
use serde::Serialize;
use siloscope_files::Limit;
use std::io::{self};
use std::path::Path;

/// What a manifest may be: a regular file of at most 1 MiB.
const MANIFEST_LIMIT: Limit = Limit {
    max_bytes: 1 << 20,
    what: "manifests",
    expected: "the manifest.json siloscope batch writes",
};

/// A fingerprint of what the runs depend on: the experiment's content, not
/// where its files are (`exp.ron`, `./exp.ron` and `/abs/exp.ron` are the
/// same experiment, on any machine of a cluster). Computed once per batch
/// or merge: the text of a large imported scenario is long.
pub(super) fn fingerprint(exp: &Experiment) -> String {
    // The resolved experiment's debug text covers the scenario, conditions,
    // seeds and steps; FNV-1a keeps it short and stable across platforms.
    // What only people read (the story for presenter mode, the names of
    // the need dimensions) changes no run, so it is left out.
    let mut content = exp.clone();
    content.file = std::path::PathBuf::new();
    crate::fingerprint::keep_run_content(&mut content.scenario);
    // Hashed as it is written: the text of an organisation of millions of
    // ties is never held whole.
    crate::fingerprint::of_debug(&content)
}

#[derive(Serialize, serde::Deserialize)]
struct Manifest {
    experiment: String,
    fingerprint: String,
    runs: usize,
}

/// Whether `dir` holds a manifest of the experiment with this fingerprint
/// (`Ok(true)`), none at all
/// (`Ok(false)`), or another experiment's (an error). Nothing is written.
pub(super) fn has_manifest(fingerprint: &str, dir: &Path) -> Result<bool, BatchError> {
    let path = dir.join("manifest.json");
    let bytes = match siloscope_files::read_regular(&path, &MANIFEST_LIMIT) {
        Ok(bytes) => bytes,
        Err(e) if e.is_not_found() => return Ok(false),
        Err(e) => return Err(io_at(&path)(e.into())),
    };
    let theirs: Manifest = serde_json::from_slice(&bytes).map_err(|e| {
        io_at(&path)(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("is not a siloscope manifest ({e})"),
        ))
    })?;
    if theirs.fingerprint == fingerprint {
        Ok(true)
    } else {
        Err(BatchError::Foreign(dir.to_owned()))
    }
}

/// Check `out`'s manifest against `exp`, writing one if there is none.
pub(super) fn check_manifest(
    exp: &Experiment,
    fingerprint: &str,
    out: &Path,
) -> Result<(), BatchError> {
    if has_manifest(fingerprint, out)? {
        return Ok(());
    }
    let path = out.join("manifest.json");
    let mine = Manifest {
        experiment: exp.name.clone(),
        fingerprint: fingerprint.to_owned(),
        runs: exp.runs(),
    };
    let json = serde_json::to_vec_pretty(&mine).map_err(io::Error::other);
    write_atomic(&path, &json.map_err(io_at(&path))?).map_err(io_at(&path))
}
