//! GraphML and GEXF files: import, validate the scenario, build and run it.
#![no_main]

#[path = "../../crates/workshop/tests/fuzz/harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::graph(data));
