//! Reading scenario files from disk, with errors in the same format as
//! parse errors (file, and a position where there is one).
//!
//! This is the only place siloscope reads a scenario from the file system;
//! the parsing itself lives in [`crate`] and takes text.

use crate::{ErrorKind, Scenario, ScenarioError, ScenarioErrors};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Largest scenario file read (a hostile file is refused before it is read
/// whole).
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// The scenario files (`*.scenario.ron`) in `dir`, sorted by path: what the
/// app's scenario picker offers and what the tests of the shipped scenarios
/// go through. Entries that cannot be read are left out.
pub fn scenario_files_in(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_str().is_some_and(|s| s.ends_with(".scenario.ron")))
        .collect();
    files.sort();
    Ok(files)
}

/// Read, parse and validate the scenario at `path`.
pub fn read_scenario(path: &Path) -> Result<Scenario, ScenarioErrors> {
    let bytes = read_bounded(path)?;
    crate::parse_bytes(&bytes, &path.display().to_string())
}

/// Read a file of at most [`MAX_FILE_BYTES`], refusing directories and
/// naming the file in every error.
pub fn read_bounded(path: &Path) -> Result<Vec<u8>, ScenarioError> {
    let file = path.display().to_string();
    let io = |message: String| ScenarioError {
        file: file.clone(),
        line: 0,
        column: 0,
        path: String::new(),
        message,
        kind: ErrorKind::Io,
    };
    let meta = std::fs::metadata(path).map_err(|e| io(format!("cannot read the file: {e}")))?;
    if meta.is_dir() {
        return Err(io(
            "is a directory; expected a .scenario.ron file".to_owned()
        ));
    }
    // A device such as /dev/zero reports length 0 and never ends; a FIFO
    // may never be written. Only plain files are read.
    if !meta.is_file() {
        return Err(io(
            "is not a regular file (a device, a pipe or a socket); expected a .scenario.ron file"
                .to_owned(),
        ));
    }
    let too_big = |len: u64| {
        io(format!(
            "the file is {len} bytes, over the {MAX_FILE_BYTES}-byte limit for scenario files"
        ))
    };
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_big(meta.len()));
    }
    // The file may grow between the check and the read: read one byte past
    // the limit at most.
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| io(format!("cannot read the file: {e}")))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(io(format!(
            "the file grew past the {MAX_FILE_BYTES}-byte limit for scenario files while it was read"
        )));
    }
    Ok(bytes)
}
