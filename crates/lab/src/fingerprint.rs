//! Fingerprints of content: FNV-1a over a value's debug text, hashed as
//! it is written (the text of an organisation of millions of ties is never
//! held whole), short and stable across platforms. Batch manifests and the
//! optimiser's journal carry them, so a resume never mixes two pieces of
//! work.

use std::fmt::{Debug, Write};

/// The fingerprint of `value`'s debug text, as 16 hexadecimal digits.
pub fn of_debug(value: &dyn Debug) -> String {
    let mut h = Fnv(0xcbf2_9ce4_8422_2325);
    write!(h, "{value:?}").expect("hashing cannot fail");
    format!("{:016x}", h.0)
}

/// Clear what in `scenario` changes no run — where its file is, its story
/// for presenter mode, the names of its need dimensions — leaving the
/// content runs depend on.
pub fn keep_run_content(scenario: &mut siloscope_scenario::Scenario) {
    scenario.file.clear();
    scenario.story.clear();
    scenario.need_names = Default::default();
}

/// FNV-1a over the bytes of text written to it.
struct Fnv(u64);

impl Write for Fnv {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        for b in s.bytes() {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
        Ok(())
    }
}
