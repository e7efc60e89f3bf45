//! Experiment files: parse and validate against a small scenario, then
//! start a run of each condition.
#![no_main]

#[path = "../../crates/workshop/tests/fuzz/harness.rs"]
mod harness;

use std::path::Path;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    // fuzz/ is one level below the repository root.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    harness::experiment(data, &root)
});
