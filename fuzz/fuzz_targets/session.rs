//! Workshop session files: read, check and restore on a small scenario.
#![no_main]

#[path = "../../crates/workshop/tests/fuzz/harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::session(data));
