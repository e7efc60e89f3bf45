//! A scenario's network files (agents and ties CSVs): validate, build, run.
#![no_main]

#[path = "../../crates/workshop/tests/fuzz/harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::network(data));
