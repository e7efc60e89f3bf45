//! Noticing that a scenario file changed on disk.
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

use std::hash::{DefaultHasher, Hash, Hasher};
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

/// Watches one file for changes of content.
#[derive(Clone, Debug)]
pub struct FileWatch {
    path: PathBuf,
    seen: Option<Seen>,
}

impl FileWatch {
    /// Start watching `path` as it is now.
    pub fn new(path: impl Into<PathBuf>) -> FileWatch {
        let path = path.into();
        let seen = look(&path, None);
        FileWatch { path, seen }
    }

    /// The watched file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `true` if the contents changed since the last call (or since
    /// [`FileWatch::new`]); also `true` when the file appears or
    /// disappears.
    pub fn changed(&mut self) -> bool {
        let now = look(&self.path, self.seen);
        let changed = match (self.seen, now) {
            (Some(a), Some(b)) => a.contents != b.contents,
            (None, None) => false,
            _ => true,
        };
        self.seen = now;
        changed
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
    let contents = siloscope_scenario::files::read_bounded(path)
        .ok()
        .map(|bytes| {
            let mut h = DefaultHasher::new();
            bytes.hash(&mut h);
            h.finish()
        });
    Some(Seen {
        len,
        modified,
        contents,
    })
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
