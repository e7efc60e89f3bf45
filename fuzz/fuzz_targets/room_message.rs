//! A participatory room's messages, as a phone or the facilitator's view
//! sends them: parsed, and every error says where or what.
#![no_main]

#[path = "../../crates/room/tests/fuzz/harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::message(data));
