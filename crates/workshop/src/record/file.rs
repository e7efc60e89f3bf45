//! The session file on disk: read with every problem located, written
//! atomically.

use super::restore::{Sources, restore};
use super::{MAX_NOTES, MAX_TEXT_CHARS, Record, Restored, SessionError, Source, hash_file, hex};
use serde::Deserialize;
use siloscope_scenario::locate::error_at;
use siloscope_scenario::{FieldPath, Scenario, ScenarioError, ScenarioErrors};
use std::path::{Path, PathBuf};

/// The session file format's version.
pub const VERSION: u32 = 1;

/// Largest session file read.
pub const MAX_SESSION_BYTES: u64 = 16 * 1024 * 1024;

const SESSION_LIMIT: siloscope_files::Limit = siloscope_files::Limit {
    max_bytes: MAX_SESSION_BYTES,
    what: "session files",
    expected: "a .session.ron file",
};

/// A session file read and checked, with its text (for positions).
#[derive(Clone, Debug)]
pub struct SessionFile {
    /// What it holds.
    pub record: Record,
    /// The file, as named.
    pub file: String,
    src: String,
    /// The folder the file is in, which relative paths in it are read
    /// from (`None` for bytes given without a file).
    dir: Option<PathBuf>,
    /// [`super::Fnv`] of the bytes read, to tell whether the file changed
    /// since.
    bytes_hash: u64,
}

/// Just the version, read first so that a file of another version is
/// named as such rather than as a shape error.
#[derive(Deserialize)]
#[serde(rename = "Session")]
struct Peek {
    #[serde(default)]
    version: Option<u32>,
}

impl SessionFile {
    /// Read and check the session file at `path`.
    pub fn read(path: &Path) -> Result<SessionFile, SessionError> {
        let bytes = siloscope_scenario::files::read_limited(path, &SESSION_LIMIT)?;
        let mut file = SessionFile::parse(&bytes, &path.display().to_string())?;
        file.dir = Some(
            path.parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."))
                .to_owned(),
        );
        Ok(file)
    }

    /// Check a session file's bytes; `file` names it in errors.
    pub fn parse(bytes: &[u8], file: &str) -> Result<SessionFile, SessionError> {
        let src = siloscope_scenario::text::normalise_line_endings(siloscope_scenario::utf8(
            bytes, file,
        )?)
        .into_owned();
        if let Ok(Peek { version: Some(v) }) = siloscope_scenario::from_ron::<Peek>(&src, file)
            && v != VERSION
        {
            let why = if v > VERSION {
                format!(
                    "version {v} was written by a newer siloscope; this one reads version {VERSION}"
                )
            } else {
                format!("version {v} is not one this siloscope reads (version {VERSION})")
            };
            return Err(located(&src, file, FieldPath::root().field("version"), why));
        }
        let record: Record = siloscope_scenario::from_ron(&src, file)?;
        let errors = check(&record, &src, file);
        if !errors.is_empty() {
            return Err(SessionError::File(ScenarioErrors(errors)));
        }
        let mut h = super::Fnv::new();
        h.bytes(bytes);
        Ok(SessionFile {
            record,
            file: file.to_owned(),
            src,
            dir: None,
            bytes_hash: h.finish(),
        })
    }

    /// [`super::Fnv`] of the bytes read: what [`write`] expects to find
    /// when it saves over this file.
    pub fn bytes_hash(&self) -> u64 {
        self.bytes_hash
    }

    /// Where a path the file names is: relative paths are read from the
    /// session file's folder.
    pub fn resolve(&self, path: &str) -> PathBuf {
        match &self.dir {
            Some(dir) if Path::new(path).is_relative() => dir.join(path),
            _ => PathBuf::from(path),
        }
    }

    /// The files the session depends on, as they are now: unchanged, or
    /// the error naming the file and both hashes.
    pub fn check_sources(&self) -> Result<(), SessionError> {
        for s in std::iter::once(&self.record.scenario).chain(&self.record.network) {
            let path = self.resolve(&s.path);
            let shown = path.display().to_string();
            let now = hash_file(&path).map_err(|why| SessionError::SourceMissing {
                session: self.file.clone(),
                path: shown.clone(),
                why,
            })?;
            if hex(now) != s.hash {
                return Err(SessionError::SourceChanged {
                    session: self.file.clone(),
                    path: shown,
                    recorded: s.hash.clone(),
                    now: hex(now),
                });
            }
        }
        Ok(())
    }

    /// The scenario the session names, read as it is now, after
    /// [`SessionFile::check_sources`].
    pub fn scenario(&self) -> Result<Scenario, SessionError> {
        self.check_sources()?;
        siloscope_scenario::files::read_scenario(&self.scenario_path()).map_err(|errors| {
            SessionError::Scenario {
                session: self.file.clone(),
                errors,
            }
        })
    }

    /// The sources as saved.
    pub fn sources(&self) -> Sources {
        Sources {
            scenario: self.record.scenario.clone(),
            network: self.record.network.clone(),
        }
    }

    /// Rebuild the session on `scenario` (from [`SessionFile::scenario`])
    /// and prove it is the one saved: its state hash must be the file's.
    pub fn restore(&self, scenario: &Scenario) -> Result<Restored, SessionError> {
        let restored = restore(scenario, &self.record)
            .map_err(|r| located(&self.src, &self.file, r.path, r.message))?;
        let now = hex(restored.parts().state_hash());
        if now != self.record.state {
            return Err(SessionError::NotExact {
                session: self.file.clone(),
                recorded: self.record.state.clone(),
                now,
            });
        }
        Ok(restored)
    }

    /// The scenario file's path (a relative one from the session file's
    /// folder).
    pub fn scenario_path(&self) -> PathBuf {
        self.resolve(&self.record.scenario.path)
    }
}

/// A record as the file's text.
pub fn to_text(record: &Record) -> String {
    let pretty = ron::ser::PrettyConfig::default()
        .depth_limit(4)
        .indentor("    ".to_owned())
        .separate_tuple_members(false)
        .struct_names(false);
    let body = ron::ser::to_string_pretty(record, pretty)
        .unwrap_or_else(|e| unreachable!("a session record always serialises: {e}"));
    format!(
        "// A siloscope workshop session (`siloscope replay` checks it, `siloscope debrief` turns it into a page).\nSession{body}\n"
    )
}

/// Why a save was refused: the file was changed by another program (or
/// another siloscope) since this one read or wrote it, and saving would
/// lose that.
#[derive(Debug, thiserror::Error)]
#[error("{0} was changed by another program since siloscope read or wrote it; not saved over it")]
pub struct ChangedElsewhere(pub String);

/// Write `record` to `path` atomically: the file is whole or untouched.
///
/// - `expected` is the hash of the bytes the caller last read or wrote
///   there ([`SessionFile::bytes_hash`]); if the file now holds other bytes
///   the save is refused ([`ChangedElsewhere`]) rather than lose them.
/// - A session over [`MAX_SESSION_BYTES`] is refused, so a save never
///   makes a file the reader would refuse.
/// - An existing file keeps its permissions; a new one is private (0600 on
///   Unix): it holds the room's notes.
/// - The crash tests' stall hook ([`siloscope_lab::output::stall_if_asked`])
///   can stop it halfway.
///
/// Returns the hash of the bytes written, to expect next time.
pub fn write(path: &Path, record: &Record, expected: Option<u64>) -> std::io::Result<u64> {
    use std::io::Write;
    let text = to_text(record);
    if text.len() as u64 > MAX_SESSION_BYTES {
        return Err(std::io::Error::other(format!(
            "the session would take {} bytes, over the {MAX_SESSION_BYTES}-byte limit for session files: not saved",
            text.len()
        )));
    }
    if let Some(expected) = expected
        && hash_file(path).is_ok_and(|now| now != expected)
    {
        return Err(std::io::Error::other(ChangedElsewhere(
            path.display().to_string(),
        )));
    }
    let permissions = std::fs::metadata(path).ok().map(|m| m.permissions());
    let mut file = siloscope_files::AtomicFile::create(path)?;
    let (first, rest) = text.as_bytes().split_at(text.len() / 2);
    file.write_all(first)?;
    siloscope_lab::output::stall_if_asked(path, || {
        let _ = file.flush();
    });
    file.write_all(rest)?;
    match permissions {
        Some(p) => file.file().set_permissions(p)?,
        #[cfg(unix)]
        None => {
            use std::os::unix::fs::PermissionsExt;
            file.file()
                .set_permissions(std::fs::Permissions::from_mode(0o600))?;
        }
        #[cfg(not(unix))]
        None => {}
    }
    file.commit()?;
    let mut h = super::Fnv::new();
    h.bytes(text.as_bytes());
    Ok(h.finish())
}

fn located(src: &str, file: &str, path: FieldPath, message: impl Into<String>) -> SessionError {
    SessionError::File(error_at(src, file, &path, message).into())
}

/// What the file says that cannot be right whatever the scenario.
fn check(r: &Record, src: &str, file: &str) -> Vec<ScenarioError> {
    let root = FieldPath::root();
    let mut errors = Vec::new();
    let mut err = |path: FieldPath, m: String| errors.push(error_at(src, file, &path, m));
    let is_hash = |h: &str| {
        h.len() == 16
            && h.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    };
    let sources = std::iter::once((root.field("scenario"), &r.scenario)).chain(
        r.network
            .iter()
            .enumerate()
            .map(|(i, s)| (root.field("network").index(i), s)),
    );
    for (at, Source { path, hash }) in sources {
        if path.is_empty() {
            err(at.field("path"), "the path is empty".to_owned());
        }
        if !is_hash(hash) {
            err(
                at.field("hash"),
                "a hash is 16 lowercase hex digits".to_owned(),
            );
        }
    }
    if !is_hash(&r.state) {
        err(
            root.field("state"),
            "a hash is 16 lowercase hex digits".to_owned(),
        );
    }
    for (field, n) in [
        ("notes", r.notes.len()),
        ("predictions", r.predictions.len()),
    ] {
        if n > MAX_NOTES {
            err(
                root.field(field),
                format!("{n} entries; at most {MAX_NOTES}"),
            );
        }
    }
    let long = |t: &str| t.chars().count() > MAX_TEXT_CHARS;
    for (i, n) in r.notes.iter().enumerate() {
        if long(&n.text) {
            err(
                root.field("notes").index(i).field("text"),
                format!("longer than {MAX_TEXT_CHARS} characters"),
            );
        }
    }
    for (i, p) in r.predictions.iter().enumerate() {
        for (field, problem) in p.problems() {
            err(root.field("predictions").index(i).field(field), problem);
        }
    }
    errors
}
