//! The search's journal (`search.journal` in the output directory): every
//! candidate's score, appended and synced after each generation, so a
//! search stopped at any moment — even by `kill -9` halfway through a line
//! — resumes where it stood and ends exactly as an uninterrupted one.
//!
//! The first line names the search (a fingerprint of the scenario, the
//! objective and the settings that shape the path); a journal of another
//! search is refused, never mixed in. Each entry line carries a CRC-32 of
//! itself: a line cut short or altered is named, dropped and run again
//! (the journal is rewritten without it, atomically, before anything is
//! appended).
//!
//! ```text
//! siloscope optimise journal 1 <fingerprint>
//! <generation>\t<thousandths,…>\t<objective>\t<constraint,…>\t<crc32>
//! ```

use super::{Entry, Score};
use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

const MAGIC: &str = "siloscope optimise journal 1";

/// The largest journal read: about two million candidates.
const LIMIT: siloscope_files::Limit = siloscope_files::Limit {
    max_bytes: 256 << 20,
    what: "journals",
    expected: "the search.journal siloscope optimise writes",
};

/// Why a journal cannot be used.
#[derive(Debug)]
pub enum JournalError {
    /// It could not be read or written.
    Io(PathBuf, io::Error),
    /// It is not a journal of `siloscope optimise`.
    NotJournal(PathBuf),
    /// It is the journal of another search.
    Foreign {
        /// The journal.
        path: PathBuf,
        /// Its fingerprint.
        theirs: String,
        /// This search's.
        ours: String,
    },
}

impl fmt::Display for JournalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JournalError::Io(path, e) => write!(f, "{}: {e}", path.display()),
            JournalError::NotJournal(path) => write!(
                f,
                "{}: is not a journal of siloscope optimise; choose another --out",
                path.display()
            ),
            JournalError::Foreign { path, theirs, ours } => write!(
                f,
                "{}: holds another search (fingerprint {theirs}; this one is {ours}: the scenario, the objective or the settings differ); choose another --out, or remove the directory to start afresh",
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

/// One entry as its line, without the newline.
fn line(e: &Entry) -> String {
    let join = |v: Vec<String>| v.join(",");
    let body = format!(
        "{}\t{}\t{}\t{}",
        e.generation,
        join(e.point.iter().map(i64::to_string).collect()),
        e.score.objective,
        join(e.score.constraints.iter().map(f64::to_string).collect()),
    );
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

/// The entry of a line, if it is whole and matches its check.
fn parse(text: &str, dims: usize, constraints: usize) -> Option<Entry> {
    let (body, crc) = text.rsplit_once('\t')?;
    if u32::from_str_radix(crc, 16).ok()? != crc32fast::hash(body.as_bytes()) || crc.len() != 8 {
        return None;
    }
    let mut fields = body.split('\t');
    let generation = fields.next()?.parse().ok()?;
    let point: Vec<i64> = list(fields.next()?)
        .iter()
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let objective: f64 = fields.next()?.parse().ok()?;
    let cons: Vec<f64> = list(fields.next()?)
        .iter()
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    (fields.next().is_none() && point.len() == dims && cons.len() == constraints).then_some(Entry {
        generation,
        point,
        score: Score {
            objective,
            constraints: cons,
        },
    })
}

impl Journal {
    /// Open the journal at `path` for the search with this fingerprint:
    /// its entries, and a note for each line dropped; a new journal when
    /// there is none.
    pub fn open(
        path: &Path,
        fingerprint: &str,
        dims: usize,
        constraints: usize,
    ) -> Result<(Journal, Vec<Entry>, Vec<String>), JournalError> {
        let at = |e: io::Error| JournalError::Io(path.to_owned(), e);
        let header = format!("{MAGIC} {fingerprint}\n");
        let mut entries = Vec::new();
        let mut notes = Vec::new();
        match siloscope_files::read_regular(path, &LIMIT) {
            Err(e) if e.is_not_found() => {
                siloscope_files::write_atomic(path, header.as_bytes()).map_err(at)?;
            }
            Err(e) => return Err(at(e.into())),
            Ok(bytes) => {
                let text = String::from_utf8_lossy(&bytes);
                let Some(first) = text.split('\n').next().filter(|_| text.contains('\n')) else {
                    return Err(JournalError::NotJournal(path.to_owned()));
                };
                let Some(theirs) = first.strip_prefix(MAGIC).map(str::trim) else {
                    return Err(JournalError::NotJournal(path.to_owned()));
                };
                if theirs != fingerprint {
                    return Err(JournalError::Foreign {
                        path: path.to_owned(),
                        theirs: theirs.chars().take(64).collect(),
                        ours: fingerprint.to_owned(),
                    });
                }
                let body = &text[first.len() + 1..];
                let whole = body.ends_with('\n') || body.is_empty();
                let lines: Vec<&str> = body.split_terminator('\n').collect();
                for (i, l) in lines.iter().enumerate() {
                    let number = i + 2;
                    if i + 1 == lines.len() && !whole {
                        notes.push(format!(
                            "line {number}: cut short (the search was stopped while writing it); its candidate runs again"
                        ));
                    } else if let Some(e) = parse(l, dims, constraints) {
                        entries.push(e);
                    } else {
                        notes.push(format!(
                            "line {number}: does not match its check; its candidate runs again"
                        ));
                    }
                }
                if !notes.is_empty() {
                    let mut clean = header.clone();
                    for e in &entries {
                        clean.push_str(&line(e));
                        clean.push('\n');
                    }
                    siloscope_files::write_atomic(path, clean.as_bytes()).map_err(at)?;
                }
            }
        }
        siloscope_files::check_replaceable(path).map_err(at)?;
        let file = std::fs::OpenOptions::new()
            .append(true)
            .open(path)
            .map_err(at)?;
        if !file.metadata().map_err(at)?.is_file() {
            return Err(at(io::Error::other("is not a regular file")));
        }
        Ok((
            Journal {
                path: path.to_owned(),
                file,
            },
            entries,
            notes,
        ))
    }

    /// Append `entries` and sync them to the disk.
    pub fn append(&mut self, entries: &[Entry]) -> Result<(), JournalError> {
        if entries.is_empty() {
            return Ok(());
        }
        let at = |e: io::Error| JournalError::Io(self.path.clone(), e);
        let mut text = String::new();
        for e in entries {
            text.push_str(&line(e));
            text.push('\n');
        }
        let (first, rest) = text.as_bytes().split_at(text.len() / 2);
        self.file.write_all(first).map_err(at)?;
        // The crash tests stop here, halfway through a generation's lines.
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
