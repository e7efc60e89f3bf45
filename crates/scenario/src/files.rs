//! Reading scenario files from disk, with errors in the same format as
//! parse errors (file, and a position where there is one).
//!
//! This is the only place siloscope reads a scenario from the file system;
//! the parsing itself lives in [`crate`] and takes text.

use crate::{ErrorKind, Scenario, ScenarioError, ScenarioErrors};
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

/// Read, parse and validate the scenario at `path`, with the network
/// files it names (relative to its directory).
pub fn read_scenario(path: &Path) -> Result<Scenario, ScenarioErrors> {
    read_scenario_watched(path).0
}

/// [`read_scenario`], and the network files the scenario names, as paths:
/// what a watcher of the scenario should watch too (given even when the
/// scenario has errors, so a missing file is noticed when it appears).
pub fn read_scenario_watched(path: &Path) -> (Result<Scenario, ScenarioErrors>, Vec<PathBuf>) {
    let files = Watched {
        beside: crate::network::Beside::scenario(path),
        opened: std::cell::RefCell::new(Vec::new()),
    };
    let result = read_bounded(path)
        .map_err(ScenarioErrors::from)
        .and_then(|bytes| {
            let file = path.display().to_string();
            crate::parse_str_with(crate::utf8(&bytes, &file)?, &file, &files)
        });
    (result, files.opened.into_inner())
}

/// Files beside a scenario, remembering which were asked for.
struct Watched {
    beside: crate::network::Beside,
    opened: std::cell::RefCell<Vec<PathBuf>>,
}

impl crate::network::NetworkFiles for Watched {
    fn open(&self, name: &str) -> Result<crate::network::Opened<'_>, String> {
        if let Some(path) = self.beside.path(name) {
            self.opened.borrow_mut().push(path);
        }
        self.beside.open(name)
    }

    fn path(&self, name: &str) -> Option<PathBuf> {
        self.beside.path(name)
    }
}

/// What scenario (and experiment) files may be: regular files of at most
/// [`MAX_FILE_BYTES`].
pub const SCENARIO_LIMIT: siloscope_files::Limit = siloscope_files::Limit {
    max_bytes: MAX_FILE_BYTES,
    what: "scenario files",
    expected: "a .scenario.ron file",
};

/// What experiment files may be: regular files of at most
/// [`MAX_FILE_BYTES`].
pub const EXPERIMENT_LIMIT: siloscope_files::Limit = siloscope_files::Limit {
    max_bytes: MAX_FILE_BYTES,
    what: "experiment files",
    expected: "a .experiment.ron file",
};

/// Read a scenario file of at most [`MAX_FILE_BYTES`], refusing
/// directories, devices, pipes and sockets, and naming the file in every
/// error.
pub fn read_bounded(path: &Path) -> Result<Vec<u8>, ScenarioError> {
    read_limited(path, &SCENARIO_LIMIT)
}

/// Read a regular file within `limit`, naming the file in every error.
pub fn read_limited(path: &Path, limit: &siloscope_files::Limit) -> Result<Vec<u8>, ScenarioError> {
    siloscope_files::read_regular(path, limit).map_err(|e| ScenarioError {
        file: path.display().to_string(),
        line: 0,
        column: 0,
        path: String::new(),
        message: e.to_string(),
        kind: ErrorKind::Io,
    })
}

/// The path that leads from directory `from` to `to` (both absolute):
/// `../data/x.csv`.
fn relative(from: &Path, to: &Path) -> PathBuf {
    let (a, b): (Vec<_>, Vec<_>) = (from.components().collect(), to.components().collect());
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut out = PathBuf::new();
    for _ in common..a.len() {
        out.push("..");
    }
    for c in &b[common..] {
        out.push(c);
    }
    out
}

/// Write the scenario at `source`, changed by `edit` (its text in, the new
/// text out), to `dest`: the rest of its text kept, the paths of its
/// network files rewritten to lead from `dest`'s directory to the same
/// files, checked as a scenario at `dest` before anything is written, and
/// written atomically. Returns the scenario as read back.
pub fn write_edited(
    source: &Path,
    dest: &Path,
    edit: impl FnOnce(&str) -> Result<String, String>,
) -> Result<Scenario, String> {
    use crate::locate::{FieldPath, span};
    let bytes = read_bounded(source).map_err(|e| e.to_string())?;
    let file = source.display().to_string();
    let text = crate::utf8(&bytes, &file).map_err(|e| e.to_string())?;
    let mut text = edit(text)?;
    let here = |p: &Path| -> Result<PathBuf, String> {
        let dir = p
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        dir.canonicalize()
            .map_err(|e| format!("{}: {e}", dir.display()))
    };
    let (from, to) = (here(source)?, here(dest)?);
    if from != to {
        for field in ["agents", "ties"] {
            let path = FieldPath::root().field("network").field(field);
            let Some(at) = span(&text, &path) else {
                continue;
            };
            let name: String = ron::from_str(&text[at.clone()])
                .map_err(|e| format!("{file}: network.{field}: {e}"))?;
            let target = from.join(&name);
            let target = target
                .canonicalize()
                .map_err(|e| format!("{}: {e}", target.display()))?;
            let moved = relative(&to, &target);
            let moved = moved
                .to_str()
                .ok_or_else(|| format!("{}: the path is not UTF-8", moved.display()))?;
            text = format!(
                "{}{}{}",
                &text[..at.start],
                crate::edit::ron_string(moved),
                &text[at.end..]
            );
        }
    }
    let shown = dest.display().to_string();
    let scenario = crate::parse_str_with(&text, &shown, &crate::network::Beside::scenario(dest))
        .map_err(|e| {
            format!("the edited scenario would not be valid, so it was not written:\n{e}")
        })?;
    siloscope_files::write_atomic(dest, text.as_bytes()).map_err(|e| format!("{shown}: {e}"))?;
    Ok(scenario)
}
