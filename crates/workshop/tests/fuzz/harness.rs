//! What the fuzz targets do with one input, shared by `fuzz/` (cargo fuzz)
//! and the corpus regression test (`crates/workshop/tests/fuzz/mod.rs`).
//!
//! Beyond "does not panic", each input is held to what the file format
//! promises: every error names the file and, unless it is an I/O error, a
//! line and column inside the text; a scenario that validates builds, runs
//! and rewinds, its rows stay finite, and its story can be told; an
//! experiment that validates has runnable conditions; network files that
//! validate build and run.

// Each user of this file (the fuzz targets, the test) calls part of it.
#![allow(dead_code)]

use siloscope_model::sim::{RunOptions, SimError, Simulation};
use siloscope_scenario::{self as scenario, ErrorKind, ScenarioErrors};
use siloscope_workshop::compare::Runs;
use siloscope_workshop::session::Session;
use std::path::Path;

/// The file name errors must carry.
pub const SCENARIO_FILE: &str = "fuzz.scenario.ron";

/// Organisations bigger than this are validated but not built: a fuzzer's
/// `count: 150000` is a valid scenario, and building it is the benchmarks'
/// job, not the fuzzer's.
const BUILD_AGENTS: u32 = 1_500;
/// Ties allowed when building (the network refuses more, with an error).
const BUILD_TIES: u64 = 40_000;
/// Steps run per built scenario.
const STEPS: u32 = 3;

/// Parse, validate, build and run a few steps of a scenario given as bytes.
pub fn scenario(data: &[u8]) {
    let parsed = scenario::parse_bytes(data, SCENARIO_FILE);
    let mut sc = match parsed {
        Err(errors) => return check_errors(&errors, data, SCENARIO_FILE),
        Ok(sc) => sc,
    };
    assert!(u64::from(sc.agent_count()) <= sc.max_agents);
    assert!(sc.steps >= 1 && sc.steps <= scenario::MAX_STEPS);
    if sc.agent_count() > BUILD_AGENTS {
        return;
    }
    sc.max_ties = sc.max_ties.min(BUILD_TIES);

    // The start policy and up to three of the policies on offer each start
    // a run.
    let mut policies: Vec<Option<String>> = vec![None];
    policies.extend(
        sc.policy_names()
            .into_iter()
            .take(3)
            .map(|p| Some(p.to_owned())),
    );
    for policy in policies {
        let options = RunOptions {
            policy,
            record_flows: true,
            ..RunOptions::default()
        };
        let mut sim = match Simulation::new(&sc, options) {
            Ok(sim) => sim,
            // The only refusal a validated scenario may meet: the harness's
            // own tie cap.
            Err(SimError::Build(e)) => {
                assert!(e.to_string().contains("max_ties"), "{e}");
                return;
            }
            Err(e) => panic!("a validated scenario failed to build: {e}"),
        };
        for _ in 0..STEPS.min(sc.steps) {
            // A mean over nothing (no customers, say) is no row, never NaN.
            sim.step()
                .rows(|metric, part, v| assert!(v.is_finite(), "{metric} {part} = {v}"));
        }
    }

    // The workshop's paths: a session that rewinds and tells its
    // story (only for short horizons: a story may run to the last step).
    let mut session = Session::new(&sc, None, None).expect("built once above");
    for _ in 0..STEPS {
        session.step();
    }
    session.goto(1);
    assert_eq!(session.step_index(), 1.min(sc.steps));
    if !sc.story.is_empty() && sc.steps <= 64 {
        let mut runs = Runs::new(session);
        for last in 0..sc.story.len() {
            siloscope_workshop::story::perform_to(&sc.story, last, &mut runs)
                .expect("a validated story is refused nothing");
        }
    }
}

/// Parse and check an experiment given as bytes, as if it were the file
/// `crates/workshop/tests/fuzz/fuzz.experiment.ron` under `root` (its scenario is read
/// relative to that: `tiny.scenario.ron` is the one the seeds use).
pub fn experiment(data: &[u8], root: &Path) {
    let path = root.join("crates/workshop/tests/fuzz/fuzz.experiment.ron");
    let file = path.display().to_string();
    let src = match scenario::utf8(data, &file) {
        Ok(src) => src,
        Err(e) => return check_errors(&ScenarioErrors::from(e), data, &file),
    };
    let exp = match siloscope_lab::experiment::parse(src, &path) {
        Err(errors) => return check_errors(&errors, data, &file),
        Ok(exp) => exp,
    };
    assert!(exp.runs() >= 1 && exp.runs() <= siloscope_lab::experiment::MAX_RUNS);
    assert!(exp.steps >= 1 && exp.steps <= scenario::MAX_STEPS);
    // Step indices (0-based) to summarise, the last step among them.
    assert!(exp.at_steps.iter().all(|&s| s < exp.steps));
    assert_eq!(exp.at_steps.last(), Some(&(exp.steps - 1)));
    assert!(exp.baseline_of.iter().all(|&b| b < exp.conditions.len()));
    if exp.scenario.agent_count() > BUILD_AGENTS {
        return;
    }
    for cond in exp.conditions.iter().take(4) {
        let options = RunOptions {
            policy: Some(cond.policy.clone()),
            ..RunOptions::default()
        };
        let Ok(mut sim) = Simulation::new(&exp.scenario, options) else {
            continue; // a scenario over the tie cap: not this harness's business
        };
        for &(knob, v) in &cond.knobs {
            sim.set_knob(knob, v)
                .expect("a validated sweep value is in range");
        }
        sim.step();
    }
    // Conditions are told apart by their labels in every output table.
    let labels: std::collections::HashSet<String> =
        exp.conditions.iter().map(|c| c.label()).collect();
    assert_eq!(
        labels.len(),
        exp.conditions.len(),
        "two conditions share a label"
    );
}

/// The file name GraphML and GEXF import errors must carry.
pub const GRAPH_FILE: &str = "fuzz.graphml";

/// Import a GraphML or GEXF file given as bytes: either located errors
/// inside the text, or a scenario that validates and builds.
pub fn graph(data: &[u8]) {
    use siloscope_scenario::import::{Csv, GraphAttributes, ImportOptions, import_graph};
    let Ok(text) = std::str::from_utf8(data) else {
        return; // the command refuses non-UTF-8 before importing
    };
    let attributes = GraphAttributes {
        default_part: Some(siloscope_model::agent::Part::Department),
        ..GraphAttributes::default()
    };
    let options = ImportOptions {
        name: "fuzz".into(),
        steps: 3,
        step_unit: "week".into(),
        seed: 1,
        min_weight: None,
    };
    let file = Csv {
        name: GRAPH_FILE,
        text,
    };
    match import_graph(file, &attributes, &options) {
        Err(errors) => {
            let lines = text.split('\n').count().max(text.split('\r').count());
            assert!(!errors.shown.is_empty(), "an empty error list");
            for e in &errors.shown {
                let shown = e.to_string();
                assert!(shown.starts_with(GRAPH_FILE), "{shown}");
                assert!(!e.message.is_empty(), "{shown}");
                assert!(
                    e.line >= 1 && e.line as usize <= lines,
                    "line {} of {lines}: {shown}",
                    e.line
                );
                assert!(e.column >= 1, "{shown}");
            }
        }
        Ok(done) => {
            let sc = scenario::parse_str(&done.embedded(), SCENARIO_FILE)
                .unwrap_or_else(|e| panic!("an import that does not validate: {e}"));
            assert_eq!(sc.named_agents.len(), done.agents);
            if sc.agent_count() <= BUILD_AGENTS {
                let mut sim = Simulation::new(&sc, RunOptions::default()).expect("builds");
                sim.run(STEPS, |_| {});
            }
        }
    }
}

/// The scenario the network target's files belong to: generated staff and
/// customers beside the organisation the files hold.
pub const NETWORK_SCENARIO: &str = r#"Scenario(
    name: "fuzz network",
    steps: 3,
    limits: (max_agents: 5000, max_ties: 100000),
    groups: [
        (name: "Sales", part: Department, role: Sales, count: 2, ties: Complete),
        (name: "Support", part: Department, role: Support, count: 0),
        (name: "Partners", part: Partner, count: 0),
        (name: "Customers", part: ExistingCustomer, count: 3, ties: Random(density: 0.5)),
        (name: "Prospects", part: NewCustomer, count: 0, ties: Mixed),
    ],
    network: (agents: "fuzz.agents.csv", ties: "fuzz.ties.csv"),
)"#;

/// A scenario's network files given as bytes: the agents file, a NUL, the
/// ties file (no NUL: all agents, no ties). Either located errors inside
/// the file they name, or a scenario that builds and runs.
pub fn network(data: &[u8]) {
    let (agents, ties) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &b"from,to\n"[..]),
    };
    let files = std::collections::BTreeMap::from([
        ("fuzz.agents.csv".to_owned(), agents.to_vec()),
        ("fuzz.ties.csv".to_owned(), ties.to_vec()),
    ]);
    match scenario::parse_str_with(NETWORK_SCENARIO, SCENARIO_FILE, &files) {
        Err(errors) => {
            for e in errors.iter() {
                let data = match e.file.as_str() {
                    "fuzz.agents.csv" => agents,
                    "fuzz.ties.csv" => ties,
                    other => panic!("an error in {other}: {e}"),
                };
                check_errors(&ScenarioErrors(vec![e.clone()]), data, &e.file);
            }
        }
        Ok(sc) => {
            assert!(u64::from(sc.agent_count()) <= sc.max_agents);
            if sc.agent_count() <= BUILD_AGENTS {
                let mut sim = Simulation::new(&sc, RunOptions::default()).expect("builds");
                sim.run(STEPS, |_| {});
            }
        }
    }
}

/// Errors must be non-empty, name the file and point inside the text.
fn check_errors(errors: &ScenarioErrors, data: &[u8], file: &str) {
    // Lines as an editor counts them: LF, CR LF and a lone CR each end one.
    let breaks = data
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && data.get(i + 1) != Some(&b'\n')))
        .count();
    let lines = breaks + 1;
    let mut any = false;
    for e in errors.iter() {
        any = true;
        assert!(!e.message.is_empty(), "{e}");
        let shown = e.to_string();
        assert!(shown.starts_with(file), "{shown}");
        if e.kind != ErrorKind::Io && e.file == file {
            assert!(
                e.line >= 1 && e.line <= lines,
                "line {} of {lines}: {shown}",
                e.line
            );
            assert!(e.column >= 1, "{shown}");
        }
    }
    assert!(any, "an empty error list");
}

/// The small scenario session files are restored on.
pub const TINY: &str = include_str!("tiny.scenario.ron");

/// The file name session errors must carry.
pub const SESSION_FILE: &str = "fuzz.session.ron";

/// Read a session file given as bytes and restore it on the tiny
/// scenario (its sources are not checked: they name files of another
/// machine): located errors, or a session that is exactly the one its
/// hash says and that steps on.
pub fn session(data: &[u8]) {
    use siloscope_workshop::record::{SessionError, SessionFile};
    let file = match SessionFile::parse(data, SESSION_FILE) {
        Err(SessionError::File(errors)) => return check_errors(&errors, data, SESSION_FILE),
        Err(e) => panic!("reading gave an error that is not about the file: {e}"),
        Ok(file) => file,
    };
    let tiny = scenario::parse_str(TINY, "tiny.scenario.ron").expect("the tiny scenario is valid");
    match file.restore(&tiny) {
        Err(SessionError::File(errors)) => check_errors(&errors, data, SESSION_FILE),
        Err(SessionError::NotExact { .. }) => {}
        Err(e) => panic!("restoring gave an error that is not about the file: {e}"),
        Ok(mut restored) => {
            let h = restored.parts().state_hash();
            assert_eq!(siloscope_workshop::record::hex(h), file.record.state);
            restored.runs.goto(tiny.steps);
            restored.runs.goto(1);
        }
    }
}
