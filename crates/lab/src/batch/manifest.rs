//! The manifest an output directory carries: which experiment its runs
//! belong to, so a resume never mixes two experiments.

use super::{BatchError, io_at};
use crate::experiment::Experiment;
use crate::output::write_atomic;
use serde::Serialize;
use std::io::{self};
use std::path::Path;

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

pub(super) fn check_manifest(exp: &Experiment, out: &Path) -> Result<(), BatchError> {
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
