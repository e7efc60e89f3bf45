//! Hashes a session file holds: of the bytes of the files it depends on,
//! and of the session's whole state; and where those files are.
//!
//! FNV-1a, 64 bits: stable across builds, platforms and Rust versions
//! (unlike std's `DefaultHasher`), which a file kept for years needs. It is
//! a check against accidents (a scenario edited since), not against an
//! adversary.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

/// An FNV-1a hasher over bytes, and over anything's `Debug` text.
#[derive(Clone, Copy, Debug)]
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv::new()
    }
}

impl Fnv {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;

    /// A hasher of nothing yet.
    pub fn new() -> Fnv {
        Fnv(Fnv::OFFSET)
    }

    /// Hash these bytes.
    pub fn bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(Fnv::PRIME);
        }
    }

    /// Hash a number.
    pub fn u64(&mut self, x: u64) {
        self.bytes(&x.to_le_bytes());
    }

    /// Hash `value`'s `Debug` text, streamed (no string is built): floats
    /// print their shortest exact form, so equal text is equal bits.
    pub fn debug(&mut self, value: &dyn fmt::Debug) {
        use fmt::Write;
        // Writing into a hasher cannot fail.
        let _ = write!(self, "{value:?}");
        // A separator, so that ("ab", "c") and ("a", "bc") differ.
        self.bytes(&[0xff]);
    }

    /// The hash.
    pub fn finish(&self) -> u64 {
        self.0
    }
}

impl fmt::Write for Fnv {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.bytes(s.as_bytes());
        Ok(())
    }
}

/// Largest file hashed: a network file may be large.
const HASH_LIMIT: siloscope_files::Limit = siloscope_files::Limit {
    max_bytes: 4 << 30,
    what: "files a session depends on",
    expected: "a regular file",
};

/// [`Fnv`] of a file's bytes, read as a stream; the error says why it
/// could not be read.
pub fn hash_file(path: &Path) -> Result<u64, String> {
    let (file, _) = siloscope_files::open_regular(path, &HASH_LIMIT).map_err(|e| e.to_string())?;
    let mut reader = file.take(HASH_LIMIT.max_bytes);
    let mut h = Fnv::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        match reader.read(&mut buf) {
            Ok(0) => return Ok(h.finish()),
            Ok(n) => h.bytes(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e.to_string()),
        }
    }
}

/// `path` made absolute, with links and `..` resolved where it exists.
pub(super) fn absolute(path: &Path) -> PathBuf {
    path.canonicalize()
        .or_else(|_| std::path::absolute(path))
        .unwrap_or_else(|_| path.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_is_the_published_function() {
        // FNV-1a 64 test vectors.
        let of = |s: &str| {
            let mut h = Fnv::new();
            h.bytes(s.as_bytes());
            h.finish()
        };
        assert_eq!(of(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(of("a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(of("foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn debug_text_is_separated() {
        let mut a = Fnv::new();
        a.debug(&"ab");
        a.debug(&"c");
        let mut b = Fnv::new();
        b.debug(&"a");
        b.debug(&"bc");
        assert_ne!(a.finish(), b.finish());
    }
}
