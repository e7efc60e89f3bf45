//! Scenario files: parse, validate, build, run, rewind, tell the story.
#![no_main]

#[path = "../../crates/workshop/tests/fuzz/harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::scenario(data));
