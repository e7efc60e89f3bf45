//! The room over loopback WebSockets (`server.rs`), and the `room_message`
//! fuzz corpus as regression tests
//! (`crates/room/tests/fuzz/corpus/message/`): every input the fuzzer kept,
//! every prefix of a real message and damaged copies go through the
//! harness the fuzz target runs.

#[path = "fuzz/harness.rs"]
mod harness;
mod server;

use std::path::Path;

fn corpus() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz/corpus/message");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (p.display().to_string(), std::fs::read(&p).unwrap())
        })
        .collect();
    files.sort();
    files
}

#[test]
fn the_message_corpus_replays_without_a_failure() {
    let files = corpus();
    assert!(files.len() >= 10, "only {} inputs", files.len());
    for (name, data) in files {
        let ok = std::panic::catch_unwind(|| harness::message(&data));
        assert!(ok.is_ok(), "{name} fails");
    }
}

#[test]
fn cut_and_damaged_messages_parse_or_get_located_errors() {
    let full = br#"{"type":"decide","round":3,"choices":{"contact":true,"complain":false,"needs":"Handle","offer":true}}"#;
    for cut in 0..full.len() {
        harness::message(&full[..cut]);
    }
    // A small generator with a fixed seed: the same damage every run.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let alphabet = b"{}[]\":,-0123456789.etfnu\\ \xff";
    for _ in 0..2000 {
        let mut m = full.to_vec();
        for _ in 0..3 {
            let i = next() as usize % m.len();
            m[i] = alphabet[next() as usize % alphabet.len()];
        }
        harness::message(&m);
    }
    // Not vacuous: the whole message parses.
    assert!(siloscope_room::protocol::parse_phone(full).is_ok());
}
