//! An exclusive lock on an output directory.
//!
//! A batch, merge or run writes into its output directory only while
//! holding a [`DirLock`]: an advisory lock (`flock`, through std's
//! `File::try_lock`) on `<dir>/.siloscope.lock`. A second process asking for
//! the same directory is refused at once with a message naming the holder
//! (its command, process id and how long it has held the lock), read from
//! the lock file. The operating system releases the lock of a process that
//! dies, even by SIGKILL, so a stale lock file is simply taken over by the
//! next process. On release the holder removes the file while still
//! holding the lock; a process that locked the removed file notices that the
//! name now points elsewhere and tries again, so two processes never both
//! believe they hold the directory.
//!
//! In a directory shared between users, a lock file left by another user is
//! opened read-only: the lock works the same, only the holder's description
//! is not rewritten. A lock file with other hard links is refused (the
//! description would overwrite another file). On NFS, Linux maps `flock` to
//! NFS byte-range locks, which work across machines; on file systems
//! without locks the error says so. Without Unix inode numbers (Windows) a
//! released lock file is left in place and taken over by the next holder.

use std::fmt;
use std::fs::File;
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// The lock file's name inside the locked directory.
pub const LOCK_FILE: &str = ".siloscope.lock";

/// Largest lock file read for the holder's description.
const MAX_HOLDER_BYTES: u64 = 1024;

/// Held for as long as it lives; dropping it releases the directory.
#[derive(Debug)]
pub struct DirLock {
    file: File,
    path: PathBuf,
}

/// Why a directory could not be locked.
#[derive(Debug)]
#[non_exhaustive]
pub enum LockError {
    /// Another process holds the lock.
    Busy {
        /// The directory.
        dir: PathBuf,
        /// Who holds it, as the holder described itself.
        holder: String,
    },
    /// The lock file could not be opened, checked or locked.
    Io {
        /// The lock file.
        path: PathBuf,
        /// What went wrong.
        error: io::Error,
    },
}

impl fmt::Display for LockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LockError::Busy { dir, holder } => write!(
                f,
                "{} is in use by {holder}; wait for it to finish, or choose another directory",
                dir.display()
            ),
            LockError::Io { path, error } => {
                write!(f, "cannot lock {}: {error}", path.display())
            }
        }
    }
}

impl std::error::Error for LockError {}

/// Seconds since the Unix epoch (0 if the clock is before it).
fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The holder's own description, written into the lock file.
fn describe_self(command: &str) -> String {
    format!(
        "command={command}\npid={}\nsince={}\n",
        std::process::id(),
        now()
    )
}

/// A readable account of the lock file's text: "siloscope batch (process
/// 4242, for 12 s)". Anything unexpected in the file is left out.
fn describe_holder(text: &str) -> String {
    let field = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
            .map(str::trim)
    };
    let command = field("command")
        .filter(|c| !c.is_empty() && c.len() <= 32 && c.bytes().all(|b| b.is_ascii_lowercase()))
        .unwrap_or("");
    let pid = field("pid").and_then(|p| p.parse::<u32>().ok());
    let since = field("since").and_then(|s| s.parse::<u64>().ok());
    let mut who = String::from("another siloscope");
    if !command.is_empty() {
        who = format!("siloscope {command}");
    }
    match (pid, since) {
        (Some(pid), Some(since)) => {
            format!(
                "{who} (process {pid}, for {} s)",
                now().saturating_sub(since)
            )
        }
        (Some(pid), None) => format!("{who} (process {pid})"),
        _ => who,
    }
}

/// Open (creating it if absent) the lock file, never through a link and
/// never blocking on a FIFO; read-only if it is another user's (a lock
/// works on a read-only file: the holder's description is then not
/// written). The second value says whether it may be written.
fn open(path: &Path) -> io::Result<(File, bool)> {
    let options = |write: bool| {
        let mut options = std::fs::OpenOptions::new();
        options.read(true);
        if write {
            options.write(true).create(true).truncate(false);
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options
                .mode(0o644)
                .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
        }
        options
    };
    let explain = |e: io::Error| {
        #[cfg(unix)]
        match e.raw_os_error() {
            Some(libc::ELOOP) => {
                return io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "is a symbolic link; siloscope never follows a link to its lock file",
                );
            }
            Some(libc::ENXIO) => {
                return io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "is not a regular file (a device, a pipe or a socket)",
                );
            }
            _ => {}
        }
        e
    };
    let (file, writable) = match options(true).open(path) {
        Ok(file) => (file, true),
        Err(e) if e.kind() == io::ErrorKind::PermissionDenied => match options(false).open(path) {
            Ok(file) => (file, false),
            // No lock file to read either: the directory cannot be written.
            Err(r) if r.kind() == io::ErrorKind::NotFound => {
                return Err(io::Error::new(
                    io::ErrorKind::PermissionDenied,
                    "cannot be created: the directory is not writable (permission denied)",
                ));
            }
            Err(r) => return Err(explain(r)),
        },
        Err(e) => return Err(explain(e)),
    };
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "is not a regular file (a device, a pipe or a socket)",
        ));
    }
    // A hard link would let the holder's description overwrite another
    // file.
    #[cfg(unix)]
    if std::os::unix::fs::MetadataExt::nlink(&meta) > 1 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "has other hard links; siloscope writes its lock only into a file of its own",
        ));
    }
    Ok((file, writable))
}

/// Whether the name `path` still points at the open `file`.
#[cfg(unix)]
fn still_named(file: &File, path: &Path) -> io::Result<bool> {
    use std::os::unix::fs::MetadataExt;
    let held = file.metadata()?;
    Ok(match std::fs::symlink_metadata(path) {
        Ok(named) => named.dev() == held.dev() && named.ino() == held.ino(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => false,
        Err(e) => return Err(e),
    })
}

/// Without inode numbers the name cannot be checked; the file is then
/// left in place on release (and taken over by the next holder).
#[cfg(not(unix))]
fn still_named(_: &File, _: &Path) -> io::Result<bool> {
    Ok(false)
}

impl DirLock {
    /// Lock `dir` (which must exist) for `command` ("batch", "merge",
    /// "run"), or say who holds it.
    pub fn acquire(dir: &Path, command: &str) -> Result<DirLock, LockError> {
        let path = dir.join(LOCK_FILE);
        let io_err = |error| LockError::Io {
            path: path.clone(),
            error,
        };
        // A holder releasing between our open and our lock makes us retry;
        // that can only happen a few times in a row.
        for _ in 0..100 {
            let (mut file, writable) = open(&path).map_err(io_err)?;
            match file.try_lock() {
                Ok(()) => {}
                Err(std::fs::TryLockError::WouldBlock) => {
                    // A holder that has just taken the lock describes
                    // itself a moment later: wait for that, briefly.
                    let mut text = String::new();
                    for _ in 0..20 {
                        text.clear();
                        let _ = (&file).seek(io::SeekFrom::Start(0));
                        let _ = (&file).take(MAX_HOLDER_BYTES).read_to_string(&mut text);
                        if text.contains("since=") {
                            break;
                        }
                        std::thread::sleep(std::time::Duration::from_millis(10));
                    }
                    return Err(LockError::Busy {
                        dir: dir.to_owned(),
                        holder: describe_holder(&text),
                    });
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(io_err(e)),
            }
            if !still_named(&file, &path).map_err(io_err)? {
                continue;
            }
            if writable {
                file.set_len(0).map_err(io_err)?;
                file.write_all(describe_self(command).as_bytes())
                    .map_err(io_err)?;
            }
            return Ok(DirLock { file, path });
        }
        Err(io_err(io::Error::other(
            "the lock file kept changing; is another program removing it?",
        )))
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for DirLock {
    fn drop(&mut self) {
        // Removed while still held (see the module comment), and only if
        // the name is still this lock's.
        if still_named(&self.file, &self.path).unwrap_or(false) {
            let _ = std::fs::remove_file(&self.path);
        }
        let _ = self.file.unlock();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("siloscope-lock-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[cfg(unix)]
    #[test]
    fn a_second_holder_is_refused_and_told_who_holds_it() {
        let d = dir("busy");
        let first = DirLock::acquire(&d, "batch").unwrap();
        let e = DirLock::acquire(&d, "merge").unwrap_err();
        let said = e.to_string();
        assert!(matches!(e, LockError::Busy { .. }), "{said}");
        assert!(
            said.contains(&format!("siloscope batch (process {}", std::process::id())),
            "{said}"
        );
        drop(first);
        assert!(!d.join(LOCK_FILE).exists(), "released locks leave no file");
        let again = DirLock::acquire(&d, "run").unwrap();
        drop(again);
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_stale_lock_file_is_taken_over() {
        // What a killed holder leaves: the file, with no lock on it.
        let d = dir("stale");
        std::fs::write(d.join(LOCK_FILE), "command=batch\npid=999999\nsince=0\n").unwrap();
        let lock = DirLock::acquire(&d, "batch").unwrap();
        let text = std::fs::read_to_string(lock.path()).unwrap();
        assert!(
            text.contains(&format!("pid={}", std::process::id())),
            "{text}"
        );
        drop(lock);
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_link_at_the_lock_file_is_not_followed() {
        let d = dir("link");
        std::fs::write(d.join("victim"), b"precious").unwrap();
        std::os::unix::fs::symlink(d.join("victim"), d.join(LOCK_FILE)).unwrap();
        let e = DirLock::acquire(&d, "batch").unwrap_err();
        assert!(e.to_string().contains("symbolic link"), "{e}");
        assert_eq!(std::fs::read(d.join("victim")).unwrap(), b"precious");
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_hard_link_at_the_lock_file_is_not_written() {
        let d = dir("hard");
        std::fs::write(d.join("victim"), b"precious").unwrap();
        std::fs::hard_link(d.join("victim"), d.join(LOCK_FILE)).unwrap();
        let e = DirLock::acquire(&d, "batch").unwrap_err();
        assert!(e.to_string().contains("hard links"), "{e}");
        assert_eq!(std::fs::read(d.join("victim")).unwrap(), b"precious");
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn odd_holder_text_is_not_repeated() {
        assert_eq!(describe_holder(""), "another siloscope");
        assert_eq!(
            describe_holder("command=\u{1b}[2J\npid=12\n"),
            "another siloscope (process 12)"
        );
    }
}
