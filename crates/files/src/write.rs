//! Atomic writes that cannot be redirected.
//!
//! An [`AtomicFile`] is a temporary file created exclusively (`O_EXCL`)
//! under an unpredictable name, `.<name>.<random>.siloscope.tmp`, in the destination's
//! own directory. A planted symbolic link at that name cannot be followed
//! (the name cannot be guessed, and an existing name is never opened), the
//! temporary file is removed when the writer is dropped on any error path,
//! and [`AtomicFile::commit`] renames it over the destination only if the
//! destination is a regular file or absent ([`check_replaceable`]). A
//! reader sees the old file or the new one, never half of one (after a
//! power cut too, except for a file committed without syncing,
//! [`AtomicFile::commit_unsynced`]); a process killed mid-write leaves at
//! most a temporary file, which the next writer holding the directory's
//! lock removes ([`remove_stale_temporaries`]).

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Refuse a destination that is not a regular file: a symbolic link (even
/// one pointing at a regular file, or at nothing), a directory, a device, a
/// pipe or a socket. An absent destination is fine.
pub fn check_replaceable(path: &Path) -> io::Result<()> {
    let refuse = |what: &str| {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("is {what}; siloscope replaces only regular files"),
        ))
    };
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
        Ok(m) if m.file_type().is_symlink() => {
            refuse("a symbolic link (siloscope never writes through a link)")
        }
        Ok(m) if m.is_dir() => refuse("a directory"),
        Ok(m) if !m.is_file() => refuse("a device, a pipe or a socket"),
        Ok(_) => Ok(()),
    }
}

/// A file being written under a temporary name, renamed into place by
/// [`commit`](AtomicFile::commit); dropped uncommitted, it is removed.
#[derive(Debug)]
pub struct AtomicFile {
    tmp: tempfile::NamedTempFile,
    path: PathBuf,
}

/// The directory a path's file lives in (`.` for a bare name).
fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

impl AtomicFile {
    /// Start writing `path`: refused at once if `path` exists and is not a
    /// regular file.
    pub fn create(path: &Path) -> io::Result<AtomicFile> {
        check_replaceable(path)?;
        let name = path.file_name().ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, "names no file (ends in `..`)")
        })?;
        let mut builder = tempfile::Builder::new();
        let prefix = temporary_prefix(&name.to_string_lossy());
        builder.prefix(&prefix).suffix(TEMPORARY_SUFFIX);
        // Created here rather than by tempfile, so that an error is the
        // system's alone (tempfile's names the random temporary path), with
        // the permissions a plain `File::create` gives (the umask applies),
        // not tempfile's private 0600: outputs are shared.
        let tmp = builder.make_in(parent_of(path), |p| {
            let mut options = std::fs::OpenOptions::new();
            options.read(true).write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o666);
            }
            options.open(p)
        })?;
        Ok(AtomicFile {
            tmp,
            path: path.to_owned(),
        })
    }

    /// Where the file will be once committed.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The temporary file (to sync, or to hand to a writer that wants a
    /// `File`).
    pub fn file(&self) -> &File {
        self.tmp.as_file()
    }

    /// Sync the data and rename it over the destination, which must still be
    /// a regular file or absent.
    pub fn commit(self) -> io::Result<()> {
        self.tmp.as_file().sync_all()?;
        let dir = parent_of(&self.path).to_owned();
        self.rename()?;
        sync_dir(&dir);
        Ok(())
    }

    /// Rename it over the destination (a regular file or absent) without
    /// waiting for the disk: for files whose every reader checks them
    /// against a record of what was written, such as a batch's run files
    /// and their checks (`siloscope-lab`). A process killed at any point
    /// leaves exactly what [`commit`](AtomicFile::commit) would (the system
    /// holds the data); a machine that loses power before the system wrote
    /// it back may leave the file short or lose it, which that check finds.
    /// A batch of a thousand runs would otherwise wait on the disk four
    /// thousand times.
    pub fn commit_unsynced(self) -> io::Result<()> {
        self.rename()
    }

    fn rename(self) -> io::Result<()> {
        check_replaceable(&self.path)?;
        self.tmp.persist(&self.path).map_err(|e| e.error)?;
        Ok(())
    }

    /// Sync the data and give it the destination's name only if nothing
    /// (not even a dangling link) has that name; otherwise an
    /// [`io::ErrorKind::AlreadyExists`] error, and the temporary file is
    /// removed.
    pub fn commit_new(self) -> io::Result<()> {
        self.tmp.as_file().sync_all()?;
        let dir = parent_of(&self.path).to_owned();
        self.tmp
            .persist_noclobber(&self.path)
            .map_err(|e| e.error)?;
        sync_dir(&dir);
        Ok(())
    }
}

/// Writes go to the file itself: its errors (a full disk) are reported
/// against the destination by the caller, without the temporary name.
impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.tmp.as_file_mut().write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.tmp.as_file_mut().write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.tmp.as_file_mut().flush()
    }
}

/// Make a rename in `dir` durable (best effort: not every platform or file
/// system can sync a directory, and the data itself is already synced).
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Write `bytes` to `path` atomically (see [`AtomicFile`]).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = AtomicFile::create(path)?;
    file.write_all(bytes)?;
    file.commit()
}

/// How every temporary name ends.
const TEMPORARY_SUFFIX: &str = ".siloscope.tmp";

/// Longest part of the destination's name kept in a temporary name, so
/// that a destination name near the file system's limit (255 bytes) still
/// has room for the random part and the suffix.
const MAX_STEM_BYTES: usize = 200;

/// `.<name>.`, with `name` cut (at a character boundary) to
/// [`MAX_STEM_BYTES`].
fn temporary_prefix(name: &str) -> String {
    let mut end = name.len().min(MAX_STEM_BYTES);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    format!(".{}.", &name[..end])
}

/// The destination a temporary name was made for, if `name` is one of
/// [`AtomicFile`]'s temporary names (`.<name>.<six or more letters and
/// digits>.siloscope.tmp`); the destination's name may have been cut.
pub fn temporary_for(name: &str) -> Option<&str> {
    let rest = name.strip_prefix('.')?.strip_suffix(TEMPORARY_SUFFIX)?;
    let (stem, random) = rest.rsplit_once('.')?;
    let random_ok = random.len() >= 6 && random.bytes().all(|b| b.is_ascii_alphanumeric());
    (!stem.is_empty() && random_ok).then_some(stem)
}

/// Whether a temporary name whose destination part is `stem` (as
/// [`temporary_for`] gives it) was made for `destination`.
pub fn made_for(stem: &str, destination: &str) -> bool {
    temporary_prefix(destination) == format!(".{stem}.")
}

/// Whether `name` is one of [`AtomicFile`]'s temporary names.
pub fn is_temporary_name(name: &str) -> bool {
    temporary_for(name).is_some()
}

/// Remove the temporary files a killed writer left in `dir` for the
/// destinations `ours` accepts (it is given the destination's name):
/// regular files with [temporary names](is_temporary_name) only. Call it
/// only while holding the directory's lock, for the files the lock holder
/// writes. A temporary file that cannot be removed (another user's, in a
/// shared directory) is left. Returns how many were removed.
pub fn remove_stale_temporaries(dir: &Path, ours: impl Fn(&str) -> bool) -> io::Result<usize> {
    let mut removed = 0;
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let is_file = entry.file_type().is_ok_and(|t| t.is_file());
        let name = entry.file_name();
        let Some(target) = name.to_str().and_then(temporary_for) else {
            continue;
        };
        if is_file && ours(target) {
            match std::fs::remove_file(entry.path()) {
                Ok(()) => removed += 1,
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::PermissionDenied | io::ErrorKind::NotFound
                    ) => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(removed)
}

/// Create `dir` (and what leads to it) if absent, and check that it is a
/// real directory: a symbolic link there (even to a directory) is refused,
/// so that what siloscope writes inside its output cannot be sent
/// elsewhere.
pub fn create_real_dir(dir: &Path) -> io::Result<()> {
    let check = || match std::fs::symlink_metadata(dir) {
        Ok(m) if m.file_type().is_symlink() => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "is a symbolic link; siloscope writes only into real directories",
        )),
        Ok(m) if !m.is_dir() => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "is not a directory",
        )),
        other => other.map(drop),
    };
    match check() {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir)?;
            check()
        }
        done => done,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("siloscope-write-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn names(d: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn replaces_a_file_and_leaves_no_temporary() {
        let d = dir("replace");
        let path = d.join("out.json");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert_eq!(names(&d), ["out.json"]);
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn a_dropped_writer_removes_its_temporary() {
        let d = dir("drop");
        let mut f = AtomicFile::create(&d.join("out.csv")).unwrap();
        f.write_all(b"half").unwrap();
        assert_eq!(names(&d).len(), 1);
        assert!(is_temporary_name(&names(&d)[0]), "{:?}", names(&d));
        drop(f);
        assert!(names(&d).is_empty(), "{:?}", names(&d));
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn never_writes_through_a_link_or_over_a_device() {
        let d = dir("links");
        std::fs::write(d.join("victim"), b"precious").unwrap();
        // A link planted at the old predictable temporary name is ignored.
        std::os::unix::fs::symlink(d.join("victim"), d.join(".out.json.tmp")).unwrap();
        write_atomic(&d.join("out.json"), b"new").unwrap();
        assert_eq!(std::fs::read(d.join("victim")).unwrap(), b"precious");
        assert!(
            std::fs::symlink_metadata(d.join("out.json"))
                .unwrap()
                .is_file()
        );
        // A link at the destination is refused, dangling or not.
        std::os::unix::fs::symlink(d.join("victim"), d.join("linked")).unwrap();
        let e = write_atomic(&d.join("linked"), b"x").unwrap_err();
        assert!(e.to_string().contains("symbolic link"), "{e}");
        std::os::unix::fs::symlink(d.join("nothing"), d.join("dangling")).unwrap();
        assert!(write_atomic(&d.join("dangling"), b"x").is_err());
        assert!(!d.join("nothing").exists());
        assert_eq!(std::fs::read(d.join("victim")).unwrap(), b"precious");
        // A device is refused before anything is created.
        let e = check_replaceable(Path::new("/dev/null")).unwrap_err();
        assert!(e.to_string().contains("a device"), "{e}");
        // No temporary was left by the refusals.
        assert!(
            !names(&d).iter().any(|n| is_temporary_name(n)),
            "{:?}",
            names(&d)
        );
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn a_name_near_the_limit_still_gets_a_temporary() {
        let d = dir("long");
        let path = d.join(format!("{}.scenario.ron", "o".repeat(241)));
        write_atomic(&path, b"long").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"long");
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn real_directories_only() {
        let d = dir("real");
        create_real_dir(&d.join("runs")).unwrap();
        create_real_dir(&d.join("runs")).unwrap();
        std::os::unix::fs::symlink(d.join("runs"), d.join("plots")).unwrap();
        let e = create_real_dir(&d.join("plots")).unwrap_err();
        assert!(e.to_string().contains("symbolic link"), "{e}");
        std::fs::write(d.join("file"), b"").unwrap();
        assert!(create_real_dir(&d.join("file")).is_err());
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn an_unsynced_commit_is_the_same_rename() {
        let d = dir("unsynced");
        let path = d.join("run-1.csv");
        for text in [&b"one"[..], b"two"] {
            let mut f = AtomicFile::create(&path).unwrap();
            f.write_all(text).unwrap();
            f.commit_unsynced().unwrap();
            assert_eq!(std::fs::read(&path).unwrap(), text);
        }
        assert_eq!(names(&d), ["run-1.csv"]);
        #[cfg(unix)]
        {
            // The destination is checked as for a synced commit.
            let mut f = AtomicFile::create(&d.join("run-3.csv")).unwrap();
            f.write_all(b"x").unwrap();
            std::os::unix::fs::symlink(d.join("run-1.csv"), d.join("run-3.csv")).unwrap();
            let e = f.commit_unsynced().unwrap_err();
            assert!(e.to_string().contains("symbolic link"), "{e}");
            assert_eq!(std::fs::read(&path).unwrap(), b"two");
            assert!(!names(&d).iter().any(|n| is_temporary_name(n)));
        }
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn commit_new_never_replaces() {
        let d = dir("new");
        let path = d.join("scenario.ron");
        let mut f = AtomicFile::create(&path).unwrap();
        f.write_all(b"first").unwrap();
        f.commit_new().unwrap();
        let mut f = AtomicFile::create(&path).unwrap();
        f.write_all(b"second").unwrap();
        let e = f.commit_new().unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(&path).unwrap(), b"first");
        assert_eq!(names(&d), ["scenario.ron"]);
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn stale_temporaries_are_recognised_and_removed() {
        assert_eq!(
            temporary_for(".run-04.csv.a1B2c3.siloscope.tmp"),
            Some("run-04.csv")
        );
        assert!(made_for("run-04.csv", "run-04.csv") && !made_for("run", "run-04.csv"));
        let long = "o".repeat(250);
        assert!(made_for(&long[..MAX_STEM_BYTES], &long));
        assert!(!is_temporary_name(".run-04.csv.a1B2c3.tmp"));
        assert!(!is_temporary_name(".run-04.csv.siloscope.tmp"));
        assert!(!is_temporary_name("run-04.csv.a1B2c3.siloscope.tmp"));
        assert!(!is_temporary_name(".notes.a-b.siloscope.tmp"));
        let d = dir("stale");
        std::fs::write(d.join(".run-04.csv.a1B2c3.siloscope.tmp"), b"half").unwrap();
        std::fs::write(d.join(".notes.txt.a1B2c3.siloscope.tmp"), b"not ours").unwrap();
        std::fs::write(d.join(".backup.Zq81xy.tmp"), b"someone else's").unwrap();
        std::fs::write(d.join("run-04.csv"), b"whole").unwrap();
        let removed = remove_stale_temporaries(&d, |n| n.starts_with("run-")).unwrap();
        assert_eq!(removed, 1);
        assert_eq!(
            names(&d),
            [
                ".backup.Zq81xy.tmp",
                ".notes.txt.a1B2c3.siloscope.tmp",
                "run-04.csv"
            ]
        );
        std::fs::remove_dir_all(&d).unwrap();
    }
}
