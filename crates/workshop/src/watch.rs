//! Noticing that a scenario file, or a network file it names, changed on
//! disk.
//!
//! The app polls a [`FileWatch`] a few times a second. A poll reads the
//! file's metadata (size and modification time) and only when that moved
//! reads the contents, which must differ from the last seen contents to
//! count as a change — so `touch`, or an editor that rewrites the same
//! bytes, does not rebuild the run. Modification times are coarse (the
//! kernel's clock tick), so a file modified in the last two seconds is
//! re-read on every poll even if its metadata looks unchanged. Polling handles editors that save by
//! writing a new file and renaming it over the old one, which some native
//! watchers miss, and needs no threads.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// What the file looked like when last seen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Seen {
    len: u64,
    modified: Option<SystemTime>,
    /// Hash of the contents (`None` if it could not be read).
    contents: Option<u64>,
}

/// Watches a file (and the files it names) for changes of content.
#[derive(Clone, Debug)]
pub struct FileWatch {
    path: PathBuf,
    seen: Option<Seen>,
    /// The files the watched file names (a scenario's network files).
    also: Vec<(PathBuf, Option<Seen>)>,
}

impl FileWatch {
    /// Start watching `path` as it is now.
    pub fn new(path: impl Into<PathBuf>) -> FileWatch {
        let path = path.into();
        let seen = look(&path, None);
        FileWatch {
            path,
            seen,
            also: Vec::new(),
        }
    }

    /// Watch these files too, as they are now (a scenario's network files,
    /// from [`siloscope_scenario::files::read_scenario_watched`]); files
    /// watched already keep what was seen of them.
    pub fn also(&mut self, paths: Vec<PathBuf>) {
        let before = std::mem::take(&mut self.also);
        self.also = paths
            .into_iter()
            .map(|p| {
                let seen = match before.iter().find(|(q, _)| *q == p) {
                    Some((_, seen)) => *seen,
                    None => look(&p, None),
                };
                (p, seen)
            })
            .collect();
    }

    /// [`FileWatch::new`] and [`FileWatch::also`] at once.
    pub fn with(path: impl Into<PathBuf>, also: Vec<PathBuf>) -> FileWatch {
        let mut watch = FileWatch::new(path);
        watch.also(also);
        watch
    }

    /// The other files watched (a scenario's network files).
    pub fn also_paths(&self) -> Vec<PathBuf> {
        self.also.iter().map(|(p, _)| p.clone()).collect()
    }

    /// The watched file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `true` if the contents of any watched file changed since the last
    /// call (or since [`FileWatch::new`]); also `true` when a file appears
    /// or disappears.
    pub fn changed(&mut self) -> bool {
        self.changed_file().is_some()
    }

    /// The first watched file whose contents changed since the last call
    /// (every file is looked at, so each change is reported once).
    pub fn changed_file(&mut self) -> Option<PathBuf> {
        let mut first = None;
        let files = std::iter::once((&self.path, &mut self.seen))
            .chain(self.also.iter_mut().map(|(p, s)| (&*p, s)));
        for (path, seen) in files {
            let now = look(path, *seen);
            let changed = match (*seen, now) {
                (Some(a), Some(b)) => a.contents != b.contents,
                (None, None) => false,
                _ => true,
            };
            *seen = now;
            if changed && first.is_none() {
                first = Some(path.clone());
            }
        }
        first
    }
}

/// The file's state, reading its contents only if the metadata differs
/// from `before`.
fn look(path: &Path, before: Option<Seen>) -> Option<Seen> {
    let meta = std::fs::metadata(path).ok()?;
    let (len, modified) = (meta.len(), meta.modified().ok());
    let settled = modified
        .and_then(|m| m.elapsed().ok())
        .is_some_and(|age| age > std::time::Duration::from_secs(2));
    if let Some(b) = before
        && b.len == len
        && b.modified == modified
        && settled
    {
        return Some(b);
    }
    let contents = hash_contents(path);
    Some(Seen {
        len,
        modified,
        contents,
    })
}

/// A hash of the file's contents, read as a stream (a network file can be
/// hundreds of megabytes); `None` if it cannot be read.
fn hash_contents(path: &Path) -> Option<u64> {
    crate::record::hash_file(path).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("siloscope-watch-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir.join("x.scenario.ron")
    }

    #[test]
    fn notices_new_contents_and_ignores_rewrites_of_the_same_bytes() {
        let path = temp("contents");
        std::fs::write(&path, "one").unwrap();
        let mut w = FileWatch::new(&path);
        assert!(!w.changed());
        std::fs::write(&path, "two!").unwrap();
        assert!(w.changed());
        assert!(!w.changed(), "reported once");
        std::fs::write(&path, "two!").unwrap();
        assert!(!w.changed(), "same bytes");
        // Same length, new contents.
        std::fs::write(&path, "tw0!").unwrap();
        assert!(w.changed());
        std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }

    #[test]
    fn notices_replacement_by_rename_and_removal() {
        let path = temp("rename");
        std::fs::write(&path, "old").unwrap();
        let mut w = FileWatch::new(&path);
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, "new contents").unwrap();
        std::fs::rename(&tmp, &path).unwrap();
        assert!(w.changed());
        std::fs::remove_file(&path).unwrap();
        assert!(w.changed(), "removal is a change");
        assert!(!w.changed());
        std::fs::write(&path, "back").unwrap();
        assert!(w.changed(), "reappearing is a change");
        std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }
}

#[cfg(test)]
mod network_tests {
    use super::*;

    #[test]
    fn a_change_to_a_file_watched_too_is_reported_by_name() {
        let dir = std::env::temp_dir().join(format!("siloscope-watch-also-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (scenario, agents) = (dir.join("x.scenario.ron"), dir.join("x.agents.csv"));
        std::fs::write(&scenario, "s").unwrap();
        std::fs::write(&agents, "id,group\n").unwrap();
        let mut w = FileWatch::with(&scenario, vec![agents.clone()]);
        assert_eq!(w.changed_file(), None);
        std::fs::write(&agents, "id,group\na,Sales\n").unwrap();
        assert_eq!(w.changed_file(), Some(agents.clone()));
        assert_eq!(w.changed_file(), None, "reported once");
        // Watching the same file again keeps what was seen of it.
        w.also(vec![agents.clone()]);
        assert_eq!(w.changed_file(), None);
        std::fs::write(&scenario, "s2").unwrap();
        std::fs::write(&agents, "id,group\nb,Sales\n").unwrap();
        assert_eq!(w.changed_file(), Some(scenario.clone()), "the first of two");
        assert_eq!(w.changed_file(), None, "both were seen");
        // No longer named: no longer watched.
        w.also(Vec::new());
        std::fs::write(&agents, "id,group\n").unwrap();
        assert_eq!(w.changed_file(), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
