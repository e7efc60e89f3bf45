//! The fuzz corpus as regression tests: every input the fuzzers kept
//! (`crates/workshop/tests/fuzz/corpus/<target>/`) goes through the same harness the fuzz
//! targets run (`harness.rs`), so a crash once found stays fixed. See the
//! README's "Fuzzing" section for how the corpus is grown and minimised.

mod harness;

use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn corpus(target: &str) -> Vec<PathBuf> {
    let dir = root()
        .join("crates/workshop/tests/fuzz/corpus")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

/// Run `f` on every corpus file, naming the file that panics or hangs.
fn replay(target: &str, min: usize, f: impl Fn(&[u8]) + Send + 'static) {
    let files = corpus(target);
    assert!(files.len() >= min, "{target}: only {} inputs", files.len());
    // A worker replays; this thread watches the clock, so an input that
    // hangs (the fuzzers found one) fails the test instead of CI's limit.
    let current = std::sync::Arc::new(std::sync::Mutex::new(PathBuf::new()));
    let (done, finished) = std::sync::mpsc::channel();
    let at = current.clone();
    std::thread::spawn(move || {
        for path in &files {
            *at.lock().unwrap() = path.clone();
            let data = std::fs::read(path).unwrap();
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&data)));
            if outcome.is_err() {
                let _ = done.send(Err(path.clone()));
                return;
            }
        }
        let _ = done.send(Ok(()));
    });
    // Generous: the whole corpus replays in about a second.
    match finished.recv_timeout(std::time::Duration::from_secs(120)) {
        Ok(Ok(())) => {}
        Ok(Err(path)) => panic!("{target} input {} fails", path.display()),
        Err(_) => panic!(
            "{target} input {} has not finished in two minutes",
            current.lock().unwrap().display()
        ),
    }
}

/// `f` on every prefix of `full` cut every `every` bytes (as a copy
/// interrupted anywhere leaves it), then on 300 copies each with three
/// bytes overwritten by bytes of `alphabet` (a format's own delimiters), at
/// places drawn by xorshift from `seed`: a fixed sequence.
fn cut_and_damage(full: &[u8], every: usize, seed: u64, alphabet: &[u8], f: impl Fn(&[u8])) {
    for end in (0..full.len()).step_by(every) {
        f(&full[..end]);
    }
    let mut state = seed;
    for _ in 0..300 {
        let mut damaged = full.to_vec();
        for _ in 0..3 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let at = (state % damaged.len() as u64) as usize;
            damaged[at] = alphabet[(state >> 32) as usize % alphabet.len()];
        }
        f(&damaged);
    }
}

#[test]
fn the_scenario_fuzz_corpus_replays_without_a_failure() {
    replay("scenario", 100, harness::scenario);
}

#[test]
fn the_experiment_fuzz_corpus_replays_without_a_failure() {
    replay("experiment", 20, |data| harness::experiment(data, root()));
}

#[test]
fn the_harness_runs_the_shipped_scenarios_and_the_tiny_one() {
    // The harness is not vacuous: valid files reach the simulation (a
    // scenario it cannot build would panic inside it).
    let tiny = std::fs::read(root().join("crates/workshop/tests/fuzz/tiny.scenario.ron")).unwrap();
    assert!(siloscope_scenario::parse_bytes(&tiny, "tiny").is_ok());
    harness::scenario(&tiny);
    let workshop = std::fs::read(root().join("scenarios/workshop.scenario.ron")).unwrap();
    harness::scenario(&workshop);
}

#[test]
fn the_session_fuzz_corpus_replays_without_a_failure() {
    replay("session", 8, harness::session);
}

/// A real session of the tiny scenario, and every prefix of it and damaged
/// copies, get located errors or restore exactly.
#[test]
fn cut_and_damaged_session_files_get_located_errors_or_restore() {
    use siloscope_workshop::compare::{Runs, Side};
    use siloscope_workshop::record::{Restored, Sources, to_text};
    use siloscope_workshop::session::Session;
    let tiny = siloscope_scenario::parse_str(harness::TINY, "tiny").unwrap();
    let mut runs = Runs::new(Session::new(&tiny, None, None).unwrap());
    runs.goto(6);
    runs.a_mut().apply_policy("open").unwrap();
    // A played customer's complaint too (`played.rs`).
    let sim = runs.a().sim();
    let customer = (0..sim.network().agents() as u32)
        .find(|&a| sim.lifecycle(a).is_some_and(|l| l.is_active_customer()))
        .expect("the tiny organisation has customers");
    let complain = siloscope_model::sim::Decision {
        contact: Some(true),
        complain: Some(true),
        ..Default::default()
    };
    runs.a_mut().decide(customer, complain).unwrap();
    runs.goto(9);
    runs.goto(4);
    runs.compare("connected").unwrap();
    let restored = Restored {
        editing: Side::B,
        ..Restored::new(runs)
    };
    let here = root().join("crates/workshop/tests/fuzz/tiny.scenario.ron");
    let sources = Sources::of(&here, &[]).unwrap();
    let full = to_text(
        &restored
            .parts()
            .record(&sources, "2026-11-29T00:00:00Z".into(), false),
    );
    assert!(full.contains("complain: Some(true)"), "{full}");
    let file = siloscope_workshop::record::SessionFile::parse(full.as_bytes(), "x").unwrap();
    // Not vacuous: the whole file restores.
    assert!(file.restore(&tiny).is_ok());
    harness::session(full.as_bytes());
    cut_and_damage(
        full.as_bytes(),
        7,
        0x4f1b_bcdc_bfa5_3e0b,
        b"(),:\"9-\xff[]S",
        harness::session,
    );
}

#[test]
fn the_graph_fuzz_corpus_replays_without_a_failure() {
    replay("graph", 4, harness::graph);
}

/// Every prefix of a real GraphML and GEXF file (cut every few bytes, as a
/// copy interrupted anywhere leaves it), and each with bytes overwritten by
/// XML's own delimiters, gets located errors or a valid scenario.
#[test]
fn cut_and_damaged_graph_files_get_located_errors_or_import() {
    for name in ["karate.graphml", "karate.gexf"] {
        let path = root().join("scenarios/data").join(name);
        let full = std::fs::read(&path).unwrap();
        cut_and_damage(
            &full,
            37,
            0x9e37_79b9_7f4a_7c15,
            b"<>\"'&=/ \n#x0",
            harness::graph,
        );
    }
}

#[test]
fn the_network_fuzz_corpus_replays_without_a_failure() {
    replay("network", 4, harness::network);
}

/// Every prefix of the shipped imported network's files (cut every few
/// bytes), and each with bytes overwritten by CSV's own delimiters, gets
/// located errors or a scenario that runs.
#[test]
fn cut_and_damaged_network_files_get_located_errors_or_run() {
    let read = |name: &str| std::fs::read(root().join("scenarios").join(name)).unwrap();
    // The shipped files name groups the harness's scenario has.
    let agents = String::from_utf8(read("acme_imported.agents.csv")).unwrap();
    let known = [
        "group",
        "Sales",
        "Support",
        "Partners",
        "Customers",
        "Prospects",
    ];
    let agents: String = agents
        .lines()
        .step_by(4)
        .map(|l| {
            let mut cells: Vec<&str> = l.split(',').collect();
            if !known.contains(&cells[1]) {
                cells[1] = "Sales";
            }
            format!("{}\n", cells.join(","))
        })
        .collect();
    let ids: std::collections::HashSet<&str> = agents
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').next())
        .collect();
    let ties = String::from_utf8(read("acme_imported.ties.csv")).unwrap();
    let ties: String = ties
        .lines()
        .filter(|l| l.starts_with("from") || l.split(',').take(2).all(|id| ids.contains(id)))
        .map(|l| format!("{l}\n"))
        .collect();
    let full = [agents.as_bytes(), b"\0", ties.as_bytes()].concat();
    // Not vacuous: the whole input is a valid organisation.
    let files = std::collections::BTreeMap::from([
        ("fuzz.agents.csv".to_owned(), agents.clone().into_bytes()),
        ("fuzz.ties.csv".to_owned(), ties.clone().into_bytes()),
    ]);
    let sc =
        siloscope_scenario::parse_str_with(harness::NETWORK_SCENARIO, "fuzz.scenario.ron", &files)
            .unwrap_or_else(|e| panic!("{e}"));
    assert!(sc.named_ties.len() > 20, "{} ties", sc.named_ties.len());
    cut_and_damage(
        &full,
        29,
        0x2545_f491_4f6c_dd1d,
        b",\"\r\n#;\xff a\0",
        harness::network,
    );
}
