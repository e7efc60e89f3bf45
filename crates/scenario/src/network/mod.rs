//! Networks by reference: a scenario that names an agents file and a ties
//! file (CSV, beside it) instead of embedding its organisation.
//!
//! ```ron
//! network: (agents: "acme.agents.csv", ties: "acme.ties.csv"),
//! ```
//!
//! **Agents** (`id,group`, then optional columns): one row per agent, who
//! joins the scenario's group of that name after its generated members and
//! the agents the scenario names itself, in file order.
//!
//! | column | meaning |
//! |---|---|
//! | `id` | unique, non-empty, no `#` (generated agents are `<group>#<i>`) |
//! | `group` | a group of the scenario (also spelled `department`) |
//! | `part` | optional: must be the group's part (a check, for files shared with `import`) |
//! | `role` | optional: must be the group's role (departments) |
//! | `start` | optional, customers: a lifecycle state (`Unaware`, `Customer`, …) |
//! | `needs` | optional, customers: four numbers in 0–1 separated by `;` |
//!
//! **Ties** (`from,to`, also spelled `source,target`; optional `channel`):
//! one row per relationship, between agents of the agents file, agents the
//! scenario names, or generated agents (`Sales#3`). A tie listed twice is
//! one tie, as in the scenario's own `ties`.
//!
//! **Parquet** (with the `parquet` feature): a file whose name ends in
//! `.parquet` holds the same columns (strings, or integers for ids; `needs`
//! a string or a list of numbers). Its problems are located by row (the
//! first is 1) and column (its position); a problem with the columns
//! themselves is at row 1.
//!
//! Reading is one pass over each file ([`records`]), linear in its size;
//! ids are found in hash maps. A column the reader does not know is an
//! error (a misspelt `neds` would otherwise be lost). Every problem is
//! reported with the file, line, column and column name, like a scenario's
//! errors, up to [`MAX_ERRORS`] per file.

#[cfg(feature = "parquet")]
mod parquet;
mod read;
pub(crate) mod records;

pub(crate) use read::{FileAgent, read_agents, read_ties};
pub(crate) use records::Source;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// Largest network file read: an organisation of a million agents and ten
/// million ties with long ids is under a gigabyte of CSV.
pub const MAX_NETWORK_FILE_BYTES: u64 = 2 << 30;

/// What network files may be: regular files of at most
/// [`MAX_NETWORK_FILE_BYTES`].
pub const NETWORK_LIMIT: siloscope_files::Limit = siloscope_files::Limit {
    max_bytes: MAX_NETWORK_FILE_BYTES,
    what: "network files",
    expected: "a CSV file of agents or ties",
};

/// Most problems reported per network file; reading stops after them.
pub const MAX_ERRORS: usize = 100;

/// A network file, open for reading.
pub struct Opened<'a> {
    /// The file as messages name it (e.g. `scenarios/acme.agents.csv`).
    pub shown: String,
    /// Its contents.
    pub reader: Box<dyn BufRead + 'a>,
}

/// Where the files a scenario names are read from.
pub trait NetworkFiles {
    /// Open the file the scenario calls `name`; the error says why not
    /// (without naming the file: the caller does).
    fn open(&self, name: &str) -> Result<Opened<'_>, String>;

    /// The path of the file the scenario calls `name`, where it is on
    /// disk (what a watcher of the scenario should watch too).
    fn path(&self, name: &str) -> Option<PathBuf> {
        let _ = name;
        None
    }
}

/// No files: scenario text parsed on its own cannot name network files.
pub struct NoFiles;

impl NetworkFiles for NoFiles {
    fn open(&self, _name: &str) -> Result<Opened<'_>, String> {
        Err("network files are named relative to the scenario file; this scenario text was given without a file (read it from its file, e.g. `siloscope validate <file>`)".into())
    }
}

/// Files beside a scenario file: names are relative to its directory (an
/// absolute name is taken as it is).
pub struct Beside {
    dir: PathBuf,
}

impl Beside {
    /// The files beside `scenario` (a path to a scenario file).
    pub fn scenario(scenario: &Path) -> Beside {
        Beside {
            dir: scenario.parent().map(Path::to_path_buf).unwrap_or_default(),
        }
    }
}

impl NetworkFiles for Beside {
    fn open(&self, name: &str) -> Result<Opened<'_>, String> {
        let path = self.dir.join(name);
        let (file, _) =
            siloscope_files::open_regular(&path, &NETWORK_LIMIT).map_err(|e| e.to_string())?;
        // One byte past the limit: a file that grows while it is read is
        // refused (see `read`), not read without end.
        Ok(Opened {
            shown: path.display().to_string(),
            reader: Box::new(BufReader::with_capacity(
                1 << 16,
                file.take(MAX_NETWORK_FILE_BYTES + 1),
            )),
        })
    }

    fn path(&self, name: &str) -> Option<PathBuf> {
        Some(self.dir.join(name))
    }
}

/// Files held in memory, by name: for tests, fuzzing, and callers that
/// have the contents already.
impl NetworkFiles for BTreeMap<String, Vec<u8>> {
    fn open(&self, name: &str) -> Result<Opened<'_>, String> {
        match self.get(name) {
            Some(bytes) => Ok(Opened {
                shown: name.to_owned(),
                reader: Box::new(bytes.as_slice()),
            }),
            None => Err("no such file".into()),
        }
    }
}

/// The records of an opened file: CSV, or Parquet when its name ends in
/// `.parquet`.
pub(crate) fn records<'a>(opened: Opened<'a>, name: &str) -> Result<Box<dyn Source + 'a>, String> {
    let is_parquet = name
        .rsplit('.')
        .next()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("parquet"));
    if !is_parquet {
        return Ok(Box::new(records::Records::new(opened.reader)));
    }
    #[cfg(feature = "parquet")]
    {
        parquet::ParquetRows::read(opened.reader).map(|rows| Box::new(rows) as Box<dyn Source>)
    }
    #[cfg(not(feature = "parquet"))]
    {
        Err("this siloscope was built without Parquet (build it with `--features parquet`), or give the file as CSV".into())
    }
}
