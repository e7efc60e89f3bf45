//! Journals: the results of long work (a search, a Sobol or Morris design,
//! a calibration), appended and synced as they come, so that work stopped
//! at any moment — even by `kill -9` halfway through a line — resumes
//! where it stood and ends exactly as uninterrupted work would; and so that
//! work split over machines (`--shard I/N`) is merged from its journals.
//!
//! The first line names the kind of work and carries a fingerprint of
//! what its results depend on; a journal of other work is refused, never
//! mixed in. Each line after it is one result — a key (whole numbers: a
//! job's number, a search's point) and its values — and carries a CRC-32
//! of itself: a line cut short or altered is named, dropped and computed
//! again (the journal is rewritten without it, atomically, before anything
//! is appended).
//!
//! ```text
//! siloscope <kind> journal 1 <fingerprint>
//! <key,…>\t<value,…>\t<crc32>
//! ```
//!
//! Values are written in Rust's shortest round-trip form, so a result read
//! back is the result computed, to the bit (`NaN` stands for "undefined").

use rayon::prelude::*;
use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The largest journal read: millions of results.
const LIMIT: siloscope_files::Limit = siloscope_files::Limit {
    max_bytes: 512 << 20,
    what: "journals",
    expected: "a .journal file siloscope writes",
};

/// One result: its key and its values.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    /// What it is the result of.
    pub key: Vec<i64>,
    /// The result.
    pub values: Vec<f64>,
}

/// What a journal holds, and how many numbers make a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    /// The kind of work: `optimise`, `sensitivity`, `calibrate`.
    pub kind: &'static str,
    /// Numbers in a key.
    pub key: usize,
    /// Numbers in a result.
    pub values: usize,
}

/// Why a journal cannot be used.
#[derive(Debug)]
pub enum JournalError {
    /// It could not be read or written.
    Io(PathBuf, io::Error),
    /// It is not a journal of this kind of work.
    NotJournal(PathBuf, &'static str),
    /// It is the journal of other work.
    Foreign {
        /// The journal.
        path: PathBuf,
        /// Its fingerprint.
        theirs: String,
        /// This work's.
        ours: String,
    },
}

impl fmt::Display for JournalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JournalError::Io(path, e) => write!(f, "{}: {e}", path.display()),
            JournalError::NotJournal(path, kind) => write!(
                f,
                "{}: is not a journal of siloscope {kind}; choose another --out, or remove the file to start afresh",
                path.display()
            ),
            JournalError::Foreign { path, theirs, ours } => write!(
                f,
                "{}: holds other work (fingerprint {theirs}; this one is {ours}: the scenario, the file, the settings or siloscope's model differ); choose another --out, or remove the directory to start afresh",
                path.display()
            ),
        }
    }
}

impl std::error::Error for JournalError {}

/// An open journal, ready to append to.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: std::fs::File,
}

/// One line, without the newline.
fn line(l: &Line) -> String {
    let key: Vec<String> = l.key.iter().map(i64::to_string).collect();
    let values: Vec<String> = l.values.iter().map(f64::to_string).collect();
    let body = format!("{}\t{}", key.join(","), values.join(","));
    let crc = crc32fast::hash(body.as_bytes());
    format!("{body}\t{crc:08x}")
}

/// The items of a comma-separated list (none in an empty one).
fn list(s: &str) -> Vec<&str> {
    if s.is_empty() {
        Vec::new()
    } else {
        s.split(',').collect()
    }
}

/// The result on a line, if it is whole, has the shape and matches its
/// check.
fn parse(text: &str, shape: &Shape) -> Option<Line> {
    let (body, crc) = text.rsplit_once('\t')?;
    if crc.len() != 8 || u32::from_str_radix(crc, 16).ok()? != crc32fast::hash(body.as_bytes()) {
        return None;
    }
    let (key, values) = body.split_once('\t')?;
    let key: Vec<i64> = list(key)
        .iter()
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let values: Vec<f64> = list(values)
        .iter()
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    (key.len() == shape.key && values.len() == shape.values).then_some(Line { key, values })
}

/// The header line of a journal of this shape and fingerprint.
fn header(shape: &Shape, fingerprint: &str) -> String {
    format!("siloscope {} journal 1 {fingerprint}\n", shape.kind)
}

/// A journal's results and a note for each line dropped.
type Read = (Vec<Line>, Vec<String>);

/// Read the journal at `path` (`None` when there is none).
fn read(path: &Path, shape: &Shape, fingerprint: &str) -> Result<Option<Read>, JournalError> {
    let at = |e: io::Error| JournalError::Io(path.to_owned(), e);
    let bytes = match siloscope_files::read_regular(path, &LIMIT) {
        Ok(bytes) => bytes,
        Err(e) if e.is_not_found() => return Ok(None),
        Err(e) => return Err(at(e.into())),
    };
    let text = String::from_utf8_lossy(&bytes);
    let not_journal = || JournalError::NotJournal(path.to_owned(), shape.kind);
    let Some((first, body)) = text.split_once('\n') else {
        return Err(not_journal());
    };
    let magic = format!("siloscope {} journal 1", shape.kind);
    let Some(theirs) = first.strip_prefix(&magic).map(str::trim) else {
        return Err(not_journal());
    };
    if theirs != fingerprint {
        return Err(JournalError::Foreign {
            path: path.to_owned(),
            theirs: theirs.chars().take(64).collect(),
            ours: fingerprint.to_owned(),
        });
    }
    let whole = body.ends_with('\n') || body.is_empty();
    let lines: Vec<&str> = body.split_terminator('\n').collect();
    let mut results = Vec::new();
    let mut notes = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let number = i + 2;
        if i + 1 == lines.len() && !whole {
            notes.push(format!(
                "line {number}: cut short (the work was stopped while writing it); its result is computed again"
            ));
        } else if let Some(r) = parse(l, shape) {
            results.push(r);
        } else {
            notes.push(format!(
                "line {number}: does not match its check; its result is computed again"
            ));
        }
    }
    Ok(Some((results, notes)))
}

impl Journal {
    /// Open the journal at `path` for work with this fingerprint: its
    /// results, and a note for each line dropped; a new journal when there
    /// is none.
    pub fn open(
        path: &Path,
        shape: &Shape,
        fingerprint: &str,
    ) -> Result<(Journal, Vec<Line>, Vec<String>), JournalError> {
        let at = |e: io::Error| JournalError::Io(path.to_owned(), e);
        let head = header(shape, fingerprint);
        let (results, notes) = match read(path, shape, fingerprint)? {
            None => {
                siloscope_files::write_atomic(path, head.as_bytes()).map_err(at)?;
                (Vec::new(), Vec::new())
            }
            Some((results, notes)) => {
                if !notes.is_empty() {
                    let mut clean = head.clone();
                    for r in &results {
                        clean.push_str(&line(r));
                        clean.push('\n');
                    }
                    siloscope_files::write_atomic(path, clean.as_bytes()).map_err(at)?;
                }
                (results, notes)
            }
        };
        siloscope_files::check_replaceable(path).map_err(at)?;
        let file = std::fs::OpenOptions::new()
            .append(true)
            .open(path)
            .map_err(at)?;
        let meta = file.metadata().map_err(at)?;
        if !meta.is_file() {
            return Err(at(io::Error::other("is not a regular file")));
        }
        // Appending through a second name would change a file elsewhere.
        #[cfg(unix)]
        if std::os::unix::fs::MetadataExt::nlink(&meta) > 1 {
            return Err(at(io::Error::other(
                "has other hard links; siloscope appends only to a journal of its own (remove the link)",
            )));
        }
        Ok((
            Journal {
                path: path.to_owned(),
                file,
            },
            results,
            notes,
        ))
    }

    /// The results of a journal written by other work of the same
    /// fingerprint (a shard), read only; a journal that is not there is an
    /// error.
    pub fn read_only(path: &Path, shape: &Shape, fingerprint: &str) -> Result<Read, JournalError> {
        read(path, shape, fingerprint)?.ok_or_else(|| {
            JournalError::Io(
                path.to_owned(),
                io::Error::new(io::ErrorKind::NotFound, "no journal here"),
            )
        })
    }

    /// Append `lines` and sync them to the disk.
    pub fn append(&mut self, lines: &[Line]) -> Result<(), JournalError> {
        if lines.is_empty() {
            return Ok(());
        }
        let at = |e: io::Error| JournalError::Io(self.path.clone(), e);
        let mut text = String::new();
        for l in lines {
            text.push_str(&line(l));
            text.push('\n');
        }
        let (first, rest) = text.as_bytes().split_at(text.len() / 2);
        self.file.write_all(first).map_err(at)?;
        // The crash tests stop here, halfway through a batch of lines.
        crate::output::stall_if_asked(&self.path, || {
            let _ = self.file.sync_data();
        });
        self.file.write_all(rest).map_err(at)?;
        self.file.sync_data().map_err(at)
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Part `index` of `count` of some work (`--shard I/N`): the jobs
/// numbered `index` modulo `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// 0 to `count − 1`.
    pub index: usize,
    /// Parts in all, at least 1.
    pub count: usize,
}

impl Shard {
    /// All the work in one part.
    pub const WHOLE: Shard = Shard { index: 0, count: 1 };

    /// Whether job `job` is this part's.
    pub fn has(&self, job: usize) -> bool {
        job % self.count.max(1) == self.index
    }
}

/// At most ten notes of a journal's dropped lines, then how many more: a
/// journal of garbage is one message, not a million.
pub fn summarise(notes: Vec<String>) -> Vec<String> {
    let more = notes.len().saturating_sub(10);
    let mut shown: Vec<String> = notes.into_iter().take(10).collect();
    if more > 0 {
        shown.push(format!(
            "and {more} more lines dropped, to be computed again"
        ));
    }
    shown
}

/// A pool of `threads` worker threads (at least one) for [`run_jobs`].
pub fn pool(threads: usize) -> io::Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .map_err(io::Error::other)
}

/// Jobs journaled at once: a kill loses at most this many results.
const CHUNK: usize = 64;

/// Run this shard's jobs of `0..total` that `known` lacks (keys `[job]`),
/// `CHUNK` at a time on `pool`, each chunk journaled through `save` (in job
/// order) before the next starts; `save` also hears the jobs done so far.
/// Returns every job's values — known, run, or `None` for another shard's
/// jobs. The values do not depend on the number of threads or on how the
/// work was stopped and resumed.
pub fn run_jobs<E: Send>(
    total: usize,
    known: Vec<Line>,
    shard: Shard,
    pool: &rayon::ThreadPool,
    job: &(dyn Fn(usize) -> Result<Vec<f64>, E> + Sync),
    mut save: impl FnMut(&[Line], usize) -> Result<(), E>,
) -> Result<Vec<Option<Vec<f64>>>, E> {
    let mut results: Vec<Option<Vec<f64>>> = vec![None; total];
    for l in known {
        if let [k] = l.key[..]
            && let Ok(k) = usize::try_from(k)
            && k < total
            && shard.has(k)
        {
            results[k] = Some(l.values);
        }
    }
    let todo: Vec<usize> = (0..total)
        .filter(|&j| shard.has(j) && results[j].is_none())
        .collect();
    let mut done = (0..total).filter(|&j| results[j].is_some()).count();
    for chunk in todo.chunks(CHUNK) {
        let values: Vec<Vec<f64>> =
            pool.install(|| chunk.par_iter().map(|&j| job(j)).collect::<Result<_, E>>())?;
        let lines: Vec<Line> = chunk
            .iter()
            .zip(values)
            .map(|(&j, v)| Line {
                key: vec![j as i64],
                values: v,
            })
            .collect();
        done += lines.len();
        save(&lines, done)?;
        for l in lines {
            results[l.key[0] as usize] = Some(l.values);
        }
    }
    Ok(results)
}

#[cfg(test)]
mod tests;
