//! Atomic writes that cannot be redirected.
//!
//! An [`AtomicFile`] is a temporary file created exclusively (`O_EXCL`)
//! under an unpredictable name, `.<name>.<random>.tmp`, in the destination's
//! own directory. A planted symbolic link at that name cannot be followed
//! (the name cannot be guessed, and an existing name is never opened), the
//! temporary file is removed when the writer is dropped on any error path,
//! and [`AtomicFile::commit`] renames it over the destination only if the
//! destination is a regular file or absent ([`check_replaceable`]). A
//! reader sees the old file or the new one, never half of one; a process
//! killed mid-write leaves at most a temporary file, which the next writer
//! holding the directory's lock removes ([`remove_stale_temporaries`]).

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
        let prefix = format!(".{}.", name.to_string_lossy());
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".tmp");
        // The permissions a plain `File::create` would give (the umask
        // applies), not tempfile's private 0600: outputs are shared.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o666));
        }
        let tmp = builder.tempfile_in(parent_of(path))?;
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
        check_replaceable(&self.path)?;
        let dir = parent_of(&self.path).to_owned();
        self.tmp.persist(&self.path).map_err(|e| e.error)?;
        sync_dir(&dir);
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

/// Whether `name` is one of [`AtomicFile`]'s temporary names:
/// `.<name>.<six or more letters and digits>.tmp`.
pub fn is_temporary_name(name: &str) -> bool {
    let Some(rest) = name.strip_prefix('.').and_then(|n| n.strip_suffix(".tmp")) else {
        return false;
    };
    match rest.rsplit_once('.') {
        Some((stem, random)) => {
            !stem.is_empty()
                && random.len() >= 6
                && random.bytes().all(|b| b.is_ascii_alphanumeric())
        }
        None => false,
    }
}

/// Remove the temporary files a killed writer left in `dir` (regular files
/// with [temporary names](is_temporary_name) only). Call it only while
/// holding the directory's lock, when no other siloscope writes there.
/// Returns how many were removed.
pub fn remove_stale_temporaries(dir: &Path) -> io::Result<usize> {
    let mut removed = 0;
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let is_file = entry.file_type().is_ok_and(|t| t.is_file());
        if is_file && entry.file_name().to_str().is_some_and(is_temporary_name) {
            std::fs::remove_file(entry.path())?;
            removed += 1;
        }
    }
    Ok(removed)
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
        assert!(is_temporary_name(".run-04.csv.a1B2c3.tmp"));
        assert!(!is_temporary_name(".run-04.csv.tmp"));
        assert!(!is_temporary_name("run-04.csv.a1B2c3.tmp"));
        assert!(!is_temporary_name(".notes.a-b.tmp"));
        let d = dir("stale");
        std::fs::write(d.join(".run-04.csv.a1B2c3.tmp"), b"half").unwrap();
        std::fs::write(d.join("run-04.csv"), b"whole").unwrap();
        assert_eq!(remove_stale_temporaries(&d).unwrap(), 1);
        assert_eq!(names(&d), ["run-04.csv"]);
        std::fs::remove_dir_all(&d).unwrap();
    }
}
