//! How siloscope touches the file system, in one place, so that no input can
//! hang it and no output can be corrupted or redirected.
//!
//! - [`read`]: every file siloscope reads (scenarios, experiments, import
//!   CSVs, manifests, run files) is read only if it is a regular file, and
//!   only up to a size limit: a device, a pipe, a socket or a directory is
//!   refused by its kind before a byte is read, and opening never blocks.
//! - [`write`]: every file siloscope writes goes to a temporary file created
//!   exclusively, under an unpredictable name, in the destination's own
//!   directory, then renamed over the destination. A temporary file is
//!   removed on every error path, and the destination is replaced only if
//!   it is a regular file or absent: never through a symbolic link, never a
//!   device.
//! - [`lock`]: a batch, merge or run holds an exclusive lock on its output
//!   directory; a second process is refused with a message naming the
//!   first, and the lock of a process that died is taken over.
//!
//! The crate depends on std, `tempfile` and (on Unix) `libc` only.

pub mod lock;
pub mod read;
pub mod write;

pub use lock::{DirLock, LockError};
pub use read::{Limit, ReadError, open_regular, read_regular};
pub use write::{AtomicFile, check_replaceable, create_real_dir, write_atomic};
