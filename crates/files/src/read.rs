//! Bounded reads of regular files.
//!
//! A path is read only if it names a regular file (a symbolic link to one is
//! followed) no larger than the caller's [`Limit`]. The kind is checked on
//! the path first, for a clear message, and again on the opened handle, so
//! a file swapped for a pipe between the two is still refused. Opening uses
//! `O_NONBLOCK` on Unix: opening a FIFO that no one writes returns at once
//! instead of hanging. The read stops one byte past the limit, so a file
//! that grows while it is read costs at most the limit.

use std::fmt;
use std::io::{self, Read};
use std::path::Path;

/// How much of what a reader accepts, and how it is named in messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    /// Largest file read, in bytes.
    pub max_bytes: u64,
    /// What the files are, in the plural: "scenario files", "run files".
    pub what: &'static str,
    /// What was expected, for a path of the wrong kind: "a .scenario.ron file".
    pub expected: &'static str,
}

/// Why a file was not read. The messages do not name the file: callers put
/// the path (and, where they have one, a position) in front.
#[derive(Debug)]
#[non_exhaustive]
pub enum ReadError {
    /// The file could not be opened or read (absent, no permission, …).
    Io(io::Error),
    /// The path is a directory.
    Directory {
        /// What was expected instead.
        expected: &'static str,
    },
    /// The path is a device, a pipe or a socket.
    NotRegular {
        /// What was expected instead.
        expected: &'static str,
    },
    /// The file is larger than the limit.
    TooBig {
        /// Its length.
        len: u64,
        /// The limit it is over.
        limit: Limit,
    },
    /// The file grew past the limit while it was read.
    Grew {
        /// The limit it grew past.
        limit: Limit,
    },
}

impl ReadError {
    /// Whether the file does not exist (a caller may treat that as "start
    /// afresh").
    pub fn is_not_found(&self) -> bool {
        matches!(self, ReadError::Io(e) if e.kind() == io::ErrorKind::NotFound)
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "cannot read the file: {e}"),
            ReadError::Directory { expected } => write!(f, "is a directory; expected {expected}"),
            ReadError::NotRegular { expected } => write!(
                f,
                "is not a regular file (a device, a pipe or a socket); expected {expected}"
            ),
            ReadError::TooBig { len, limit } => write!(
                f,
                "the file is {len} bytes, over the {}-byte limit for {}",
                limit.max_bytes, limit.what
            ),
            ReadError::Grew { limit } => write!(
                f,
                "the file grew past the {}-byte limit for {} while it was read",
                limit.max_bytes, limit.what
            ),
        }
    }
}

impl std::error::Error for ReadError {}

impl From<ReadError> for io::Error {
    fn from(e: ReadError) -> io::Error {
        match e {
            ReadError::Io(e) => e,
            other => io::Error::new(io::ErrorKind::InvalidInput, other.to_string()),
        }
    }
}

/// Check that `meta` describes a regular file within `limit`.
fn check_kind(meta: &std::fs::Metadata, limit: &Limit) -> Result<(), ReadError> {
    if meta.is_dir() {
        return Err(ReadError::Directory {
            expected: limit.expected,
        });
    }
    // A device such as /dev/zero reports length 0 and never ends; a FIFO
    // may never be written. Only plain files are read.
    if !meta.is_file() {
        return Err(ReadError::NotRegular {
            expected: limit.expected,
        });
    }
    if meta.len() > limit.max_bytes {
        return Err(ReadError::TooBig {
            len: meta.len(),
            limit: *limit,
        });
    }
    Ok(())
}

/// Open `path` for reading without blocking on a FIFO.
fn open(path: &Path) -> io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

/// The regular file at `path` opened for reading, with its length, if it is
/// one and within `limit` (to read as a stream; read no more than
/// `limit.max_bytes + 1` bytes of it).
pub fn open_regular(path: &Path, limit: &Limit) -> Result<(std::fs::File, u64), ReadError> {
    check_kind(&std::fs::metadata(path).map_err(ReadError::Io)?, limit)?;
    let file = open(path).map_err(ReadError::Io)?;
    // The path may have been swapped since it was looked at: the handle is
    // what is read.
    let meta = file.metadata().map_err(ReadError::Io)?;
    check_kind(&meta, limit)?;
    Ok((file, meta.len()))
}

/// The whole of the regular file at `path`, if it is one and within `limit`.
pub fn read_regular(path: &Path, limit: &Limit) -> Result<Vec<u8>, ReadError> {
    let (file, _) = open_regular(path, limit)?;
    let mut bytes = Vec::new();
    file.take(limit.max_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > limit.max_bytes {
        return Err(ReadError::Grew { limit: *limit });
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: Limit = Limit {
        max_bytes: 8,
        what: "test files",
        expected: "a test file",
    };

    fn dir(name: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("siloscope-read-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn reads_a_regular_file_and_a_link_to_one() {
        let d = dir("regular");
        std::fs::write(d.join("a"), b"12345678").unwrap();
        assert_eq!(read_regular(&d.join("a"), &SMALL).unwrap(), b"12345678");
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(d.join("a"), d.join("link")).unwrap();
            assert_eq!(read_regular(&d.join("link"), &SMALL).unwrap(), b"12345678");
        }
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn refuses_what_is_too_big_a_directory_or_missing() {
        let d = dir("refuse");
        std::fs::write(d.join("big"), b"123456789").unwrap();
        let e = read_regular(&d.join("big"), &SMALL).unwrap_err();
        assert_eq!(
            e.to_string(),
            "the file is 9 bytes, over the 8-byte limit for test files"
        );
        let e = read_regular(&d, &SMALL).unwrap_err();
        assert_eq!(e.to_string(), "is a directory; expected a test file");
        let e = read_regular(&d.join("none"), &SMALL).unwrap_err();
        assert!(e.is_not_found(), "{e}");
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn refuses_devices_and_fifos_without_blocking() {
        let d = dir("fifo");
        let e = read_regular(Path::new("/dev/zero"), &SMALL).unwrap_err();
        assert!(matches!(e, ReadError::NotRegular { .. }), "{e}");
        let fifo = d.join("fifo");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path; mkfifo touches nothing else.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let e = read_regular(&fifo, &SMALL).unwrap_err();
        assert!(matches!(e, ReadError::NotRegular { .. }), "{e}");
        // A link to a device is refused by what it points to.
        std::os::unix::fs::symlink("/dev/zero", d.join("zero")).unwrap();
        let e = read_regular(&d.join("zero"), &SMALL).unwrap_err();
        assert!(matches!(e, ReadError::NotRegular { .. }), "{e}");
        std::fs::remove_dir_all(&d).unwrap();
    }
}
