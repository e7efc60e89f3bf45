//! `siloscope optimise` as an analyst runs it: the shipped objective, the
//! optimum pasted into the scenario, a search killed and resumed, another
//! search refused, a mistake located, constraints no policy keeps.

use crate::support::{ROOT, kill_while_writing, refused_with, siloscope, text};
use std::path::{Path, PathBuf};

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("siloscope-opt-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// A small search of the shipped objective into `out` (four generations
/// unless `extra` says otherwise).
fn args(out: &Path, extra: &[&str]) -> Vec<String> {
    let generations = if extra.contains(&"--generations") {
        &[][..]
    } else {
        &["--generations", "4"][..]
    };
    [
        "optimise",
        "scenarios/workshop.scenario.ron",
        "scenarios/objectives/workshop.objective.ron",
        "--replicates",
        "3",
        "--check",
        "10",
        "--jobs",
        "2",
        "--out",
    ]
    .iter()
    .map(|a| (*a).to_owned())
    .chain([out.display().to_string()])
    .chain(extra.iter().chain(generations).map(|a| (*a).to_owned()))
    .collect()
}

fn outputs(dir: &Path) -> Vec<(String, Vec<u8>)> {
    [
        "optimum.ron",
        "comparison.csv",
        "candidates.csv",
        "search.journal",
    ]
    .iter()
    .map(|f| ((*f).to_owned(), std::fs::read(dir.join(f)).unwrap()))
    .collect()
}

#[test]
fn the_optimum_beats_every_preset_on_fresh_seeds_and_pastes_into_the_scenario() {
    let dir = temp_dir("paste");
    let out = siloscope(&args(&dir, &[]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(said.contains("Checked on 10 fresh seeds"), "{said}");
    let err = text(&out.stderr);
    for progress in [
        "generation  0 (the starts): best connected",
        "generation  4/4",
        "left",
        "from the best of 5 starts (the scenario's policies)",
    ] {
        assert!(err.contains(progress), "{progress}\n{err}");
    }
    // comparison.csv: the optimum first, then every preset, each beaten
    // (the interval of the paired gain above 0).
    let table = std::fs::read_to_string(dir.join("comparison.csv")).unwrap();
    let rows: Vec<Vec<&str>> = table.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(
        rows[0][..7],
        [
            "policy",
            "objective",
            "objective_lo",
            "objective_hi",
            "gain",
            "gain_lo",
            "gain_hi"
        ]
    );
    assert_eq!(rows[1][0], "optimised");
    assert_eq!(rows[1][8], "true", "the optimum keeps the constraint");
    assert_eq!(rows.len(), 2 + 5, "{table}");
    for row in &rows[2..] {
        let lo: f64 = row[5].parse().unwrap();
        assert!(lo > 0.0, "{}: {table}", row[0]);
    }
    // The entry, pasted into the scenario's policies, is accepted and runs.
    let entry = std::fs::read_to_string(dir.join("optimum.ron")).unwrap();
    assert!(
        entry.contains("\"optimised\": (\n    base: \"inside_out\""),
        "{entry}"
    );
    let scenario =
        std::fs::read_to_string(Path::new(ROOT).join("scenarios/workshop.scenario.ron")).unwrap();
    let end = scenario.trim_end().rfind(')').unwrap();
    let pasted = format!("{}    policies: {{\n{entry}    }},\n)\n", &scenario[..end]);
    let file = dir.join("pasted.scenario.ron");
    std::fs::write(&file, pasted).unwrap();
    let validated = siloscope(&["validate", file.to_str().unwrap()]);
    assert!(validated.status.success(), "{}", text(&validated.stderr));
    let listed = siloscope(&["policies", file.to_str().unwrap()]);
    assert!(
        text(&listed.stdout).contains("optimised"),
        "{}",
        text(&listed.stdout)
    );
    let ran = siloscope(&[
        "run",
        file.to_str().unwrap(),
        "--policy",
        "optimised",
        "--steps",
        "5",
        "--out",
        dir.join("ran").to_str().unwrap(),
    ]);
    assert!(ran.status.success(), "{}", text(&ran.stderr));
    // Every candidate, generation 0 being the five presets.
    let candidates = std::fs::read_to_string(dir.join("candidates.csv")).unwrap();
    assert_eq!(
        candidates.lines().filter(|l| l.starts_with("0,")).count(),
        5
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_search_killed_while_journaling_resumes_to_the_same_outputs() {
    let dir = temp_dir("kill");
    let whole = dir.join("whole");
    let done = siloscope(&args(&whole, &[]));
    assert!(done.status.success(), "{}", text(&done.stderr));
    // Killed halfway through the journal's first lines.
    let cut = dir.join("cut");
    kill_while_writing(&args(&cut, &[]), "search.journal");
    assert!(!cut.join("optimum.ron").exists());
    let journal = std::fs::read_to_string(cut.join("search.journal")).unwrap();
    assert!(!journal.ends_with('\n'), "the kill left a line cut short");
    // Run again: the cut line is named and run again; the outputs are the
    // uninterrupted search's, byte for byte.
    let again = siloscope(&args(&cut, &[]));
    assert!(again.status.success(), "{}", text(&again.stderr));
    let err = text(&again.stderr);
    assert!(err.contains("cut short"), "{err}");
    assert!(err.contains("resuming from"), "{err}");
    assert_eq!(outputs(&cut), outputs(&whole));
    // Run once more with more generations: nothing done is run again.
    let longer = siloscope(&args(&cut, &["--generations", "5"]));
    assert!(longer.status.success(), "{}", text(&longer.stderr));
    assert!(
        text(&longer.stderr).contains("generation  4/5: best")
            && text(&longer.stderr).contains("resuming from"),
        "{}",
        text(&longer.stderr)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn another_search_in_the_directory_is_refused_and_left_alone() {
    let dir = temp_dir("foreign");
    let done = siloscope(&args(&dir, &[]));
    assert!(done.status.success(), "{}", text(&done.stderr));
    let before = outputs(&dir);
    let other = siloscope(&args(&dir, &["--seed", "5"]));
    refused_with(&other, &["search.journal: holds other work (fingerprint"]);
    assert_eq!(outputs(&dir), before);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn another_commands_directory_is_refused() {
    let dir = temp_dir("batchdir");
    let batch = siloscope(&[
        "batch",
        "scenarios/workshop.scenario.ron",
        "--policies",
        "inside_out,connected",
        "--replicates",
        "2",
        "--steps",
        "5",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(batch.status.success(), "{}", text(&batch.stderr));
    let before = std::fs::read(dir.join("comparison.csv")).unwrap();
    let refused = siloscope(&args(&dir, &[]));
    refused_with(
        &refused,
        &["holds the outputs of siloscope batch (manifest.json)"],
    );
    assert_eq!(std::fs::read(dir.join("comparison.csv")).unwrap(), before);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_mistake_is_located_and_an_impossible_constraint_is_said() {
    let dir = temp_dir("mistakes");
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.objective.ron");
    std::fs::write(
        &bad,
        "Objective(\n    maximise: [(metric: \"npv\", weight: 0)],\n    vary: { \"model.forgetting\": (0.9, 0.99) },\n    constraints: [(metric: \"churned\", step: 104, at_most: 5)],\n)\n",
    )
    .unwrap();
    let refused = siloscope(&[
        "optimise",
        "scenarios/workshop.scenario.ron",
        bad.to_str().unwrap(),
        "--out",
        dir.join("out").to_str().unwrap(),
    ]);
    let err = refused_with(&refused, &[]);
    for expected in [
        "bad.objective.ron:2:40: maximise[0].weight: 0 is not a weight",
        "bad.objective.ron:3:33: vary.model.forgetting: \"model.forgetting\" is a model assumption",
        "constraints[0].step: 104 is out of range; this scenario's steps are 0 to 103",
        "constraints[0].metric: churned has a value per part: name one with `part:`",
    ] {
        assert!(err.contains(expected), "{expected}\n{err}");
    }
    assert!(
        !dir.join("out").exists(),
        "nothing is made for a refused file"
    );
    // Trust of 0.99 is out of every policy's reach: the least bad is
    // written, said to break it, and the exit status says so.
    let impossible = dir.join("impossible.objective.ron");
    std::fs::write(
        &impossible,
        "Objective(maximise: [(metric: \"npv\")], vary: { \"transparency\": (0.0, 1.0) }, constraints: [(metric: \"customer_trust_in_org\", at_least: 0.99)])\n",
    )
    .unwrap();
    let out = dir.join("impossible");
    let ran = siloscope(&[
        "optimise",
        "scenarios/workshop.scenario.ron",
        impossible.to_str().unwrap(),
        "--generations",
        "2",
        "--replicates",
        "2",
        "--check",
        "3",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(ran.status.code(), Some(1), "{}", text(&ran.stderr));
    assert!(
        text(&ran.stdout).contains("no candidate searched kept every constraint"),
        "{}",
        text(&ran.stdout)
    );
    assert!(out.join("optimum.ron").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}
