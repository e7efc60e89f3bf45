//! The shipped scenarios: each validates, runs under every policy it
//! offers, and reproduces its golden hash.

use siloscope_model::sim::{RunOptions, Simulation};
use siloscope_scenario::Scenario;
use siloscope_scenario::files::read_scenario;
use std::path::{Path, PathBuf};

fn shipped() -> Vec<PathBuf> {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join("scenarios");
    siloscope_scenario::files::scenario_files_in(&dir).unwrap()
}

fn load(path: &Path) -> Scenario {
    read_scenario(path).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn at_least_five_scenarios_ship_with_a_story_header() {
    let files = shipped();
    assert!(files.len() >= 5, "{files:?}");
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        assert!(
            text.starts_with("//"),
            "{} should open with its story",
            f.display()
        );
        assert!(
            text.contains("What to watch"),
            "{} should say what to watch",
            f.display()
        );
    }
    assert!(files.iter().any(|f| f.ends_with("workshop.scenario.ron")));
}

#[test]
fn every_shipped_scenario_runs_under_every_policy() {
    for f in shipped() {
        let sc = load(&f);
        for policy in sc.policy_names() {
            let options = RunOptions {
                policy: Some(policy.to_owned()),
                ..Default::default()
            };
            let mut sim = Simulation::new(&sc, options).unwrap();
            let mut rows = 0;
            sim.run(sc.steps.min(30), |r| {
                r.rows(|m, p, v| {
                    assert!(v.is_finite(), "{}: {policy}: {m}/{p} = {v}", f.display());
                    rows += 1;
                })
            });
            assert!(
                rows > 30 * 40,
                "{}: {policy}: only {rows} rows",
                f.display()
            );
        }
    }
}

#[test]
fn the_default_workshop_scenario_has_about_500_agents_and_six_departments() {
    let sc = load(
        &Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
            .join("scenarios/workshop.scenario.ron"),
    );
    let n = sc.agent_count();
    assert!((450..=550).contains(&n), "{n} agents");
    let departments = sc
        .groups
        .iter()
        .filter(|g| g.part == siloscope_model::agent::Part::Department)
        .count();
    assert_eq!(departments, 6);
    for part in siloscope_model::agent::Part::ALL {
        assert!(sc.groups.iter().any(|g| g.part == part), "no {part:?}");
    }
}

/// The state hash of the workshop scenario after 104 steps under each
/// preset, on the scenario's own seed.
///
/// If a change to the model is *meant* to change results, update these
/// constants (the failure message prints the new values) and say why in
/// the commit. If it was not meant to, the change broke determinism or
/// changed the model by accident.
const GOLDEN: [(&str, u64); 2] = [
    ("inside_out", 0x5822_4d56_128d_c84f),
    ("connected", 0xc174_355e_c451_b63c),
];

#[test]
fn golden_determinism_hash() {
    let sc = load(
        &Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
            .join("scenarios/workshop.scenario.ron"),
    );
    let mut found = Vec::new();
    for (policy, _) in GOLDEN {
        let options = RunOptions {
            policy: Some(policy.to_owned()),
            ..Default::default()
        };
        let mut sim = Simulation::new(&sc, options).unwrap();
        sim.run(sc.steps, |_| {});
        found.push((policy, sim.state_hash()));
    }
    let expected: Vec<_> = GOLDEN.to_vec();
    assert_eq!(
        found, expected,
        "the workshop scenario's results changed; if intended, set GOLDEN in tests/scenarios.rs to {found:#x?}"
    );
}

/// The state hash of every shipped scenario (grounding ones included) after
/// all its steps under its own start policy and seed. Same rule as
/// [`GOLDEN`]: change these only for a deliberate change to the model.
const GOLDEN_PER_SCENARIO: [(&str, u64); 8] = [
    ("acme_imported.scenario.ron", 0x79de_9c83_f7bb_06e4),
    ("all_about_you.scenario.ron", 0x213e_a67b_5dd8_47f0),
    ("grounding/bass.scenario.ron", 0x8ddd_9db0_3036_25b6),
    (
        "omnichannel_self_service.scenario.ron",
        0xcc1b_d2c0_32ac_12f4,
    ),
    ("regional_2000.scenario.ron", 0xb00d_5219_e6b0_4c26),
    ("silos_and_trust.scenario.ron", 0x5efc_1217_defc_eea7),
    ("viral_vs_word_of_mouth.scenario.ron", 0x9ca4_96d7_4aac_92cc),
    ("workshop.scenario.ron", 0x5822_4d56_128d_c84f),
];

#[test]
fn golden_hash_per_shipped_scenario() {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join("scenarios");
    let mut files = shipped();
    files.push(dir.join("grounding/bass.scenario.ron"));
    let mut found: Vec<(String, u64)> = files
        .iter()
        .map(|f| {
            let sc = load(f);
            let mut sim = Simulation::new(&sc, RunOptions::default()).unwrap();
            sim.run(sc.steps, |_| {});
            let name = f.strip_prefix(&dir).unwrap().display().to_string();
            (name, sim.state_hash())
        })
        .collect();
    found.sort();
    let expected: Vec<(String, u64)> = GOLDEN_PER_SCENARIO
        .iter()
        .map(|(f, h)| ((*f).to_owned(), *h))
        .collect();
    assert_eq!(
        found, expected,
        "a shipped scenario's results changed (or a scenario was added); if intended, set GOLDEN_PER_SCENARIO in tests/scenarios.rs to {found:#x?}"
    );
}

/// The README's ```ron blocks, in order.
fn readme_ron_blocks() -> Vec<String> {
    let readme = std::fs::read_to_string(
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join("README.md"),
    )
    .unwrap();
    readme
        .split("```ron\n")
        .skip(1)
        .map(|rest| rest[..rest.find("```").unwrap()].to_owned())
        .collect()
}

#[test]
fn the_readme_example_scenario_is_valid() {
    let blocks = readme_ron_blocks();
    let src = blocks
        .iter()
        .find(|b| b.trim_start().starts_with("Scenario("))
        .expect("README has a scenario example");
    let sc = siloscope_scenario::parse_str(src, "README.md").unwrap_or_else(|e| panic!("{e}"));
    let mut sim = Simulation::new(&sc, RunOptions::default()).unwrap();
    sim.run(45, |_| {});
    assert_eq!(
        sim.policy(),
        Some("connected"),
        "the Policy intervention at step 40 ran"
    );
}

#[test]
fn the_readme_example_experiment_is_valid() {
    let blocks = readme_ron_blocks();
    let src = blocks
        .iter()
        .find(|b| b.trim_start().starts_with("Experiment("))
        .expect("README has an experiment example");
    // Its scenario path is relative to scenarios/experiments/.
    let at = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .join("scenarios/experiments/readme.experiment.ron");
    let exp = siloscope_lab::experiment::parse(src, &at).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(exp.conditions.len(), 3 * 3 * 5);
    assert_eq!(exp.runs(), 45 * 20);
}

#[test]
fn docs_model_lists_every_assumption_and_knob() {
    let doc = std::fs::read_to_string(
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join("docs/model.md"),
    )
    .unwrap();
    let assumptions = &doc[doc
        .find("## Assumptions (the `model:` section)")
        .expect("docs/model.md has the assumptions table")..];
    for row in siloscope_model::assumptions::ModelParams::default().table() {
        assert!(
            assumptions.contains(&format!("| `{}` |", row.name)),
            "docs/model.md lacks the assumption `{}`",
            row.name
        );
    }
    for k in siloscope_model::knob::Knob::ALL {
        assert!(
            doc.contains(&format!("`{}`", k.name())),
            "docs/model.md lacks the knob `{k}`"
        );
    }
}

#[test]
fn the_readme_story_example_is_valid_and_matches_the_shipped_story() {
    let blocks = readme_ron_blocks();
    let story = blocks
        .iter()
        .find(|b| b.trim_start().starts_with("story: ["))
        .expect("README has a story example");
    let path = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .join("scenarios/workshop.scenario.ron");
    let workshop = std::fs::read_to_string(&path).unwrap();
    let cut = workshop
        .find("    // The story for presenter mode")
        .expect("the workshop scenario has a story");
    let src = format!("{}{story})\n", &workshop[..cut]);
    let with_readme_story =
        siloscope_scenario::parse_str(&src, "README.md").unwrap_or_else(|e| panic!("{e}"));
    let shipped = siloscope_scenario::files::read_scenario(&path).unwrap();
    // The README quotes the shipped story's steps (notes may be shortened).
    for step in &with_readme_story.story {
        let original = shipped
            .story
            .iter()
            .find(|s| s.title == step.title)
            .unwrap_or_else(|| panic!("no step {:?} in the shipped story", step.title));
        assert_eq!(original.actions, step.actions, "{}", step.title);
    }
}
