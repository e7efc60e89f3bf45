//! Long studies as journaled jobs: `sensitivity --method sobol|morris` and
//! `calibrate` killed and resumed, split with `--shard` and joined with
//! `--merge`, always to the outputs of one uninterrupted run.

use crate::support::{kill_while_writing, refused_with, siloscope, text};
use std::path::{Path, PathBuf};

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("siloscope-study-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn owned(args: &[&str]) -> Vec<String> {
    args.iter().map(|a| (*a).to_owned()).collect()
}

/// The named files of `dir`, read.
fn files(dir: &Path, names: &[&str]) -> Vec<(String, Vec<u8>)> {
    names
        .iter()
        .map(|f| {
            let bytes = std::fs::read(dir.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
            ((*f).to_owned(), bytes)
        })
        .collect()
}

/// Run `study` (arguments without `--out`) whole; killed while journaling
/// and run again; in three shards joined by a merge (after a merge with a
/// shard missing is refused): the same outputs each time, and for 1 or 2
/// threads.
fn resumes_and_merges(name: &str, study: &[&str], journal: &str, outputs: &[&str]) {
    let dir = temp_dir(name);
    let with = |extra: &[&str]| -> Vec<String> {
        let mut a = owned(study);
        a.extend(owned(extra));
        a
    };
    let whole = dir.join("whole");
    let done = siloscope(&with(&["--jobs", "2", "--out", whole.to_str().unwrap()]));
    assert!(done.status.success(), "{}", text(&done.stderr));
    let expected = files(&whole, outputs);
    // Killed halfway through the journal's first lines, then run again.
    let cut = dir.join("cut");
    let cut_args = with(&["--jobs", "1", "--out", cut.to_str().unwrap()]);
    kill_while_writing(&cut_args, journal);
    assert!(!cut.join(outputs[0]).exists());
    let again = siloscope(&cut_args);
    assert!(again.status.success(), "{}", text(&again.stderr));
    let said = text(&again.stderr);
    assert!(
        said.contains("cut short") && said.contains("resuming from"),
        "{said}"
    );
    assert_eq!(files(&cut, outputs), expected, "resumed");
    // Three shards; a merge with one missing is refused and writes nothing.
    let shard = |i: usize| dir.join(format!("shard{i}"));
    for i in 0..3 {
        let out = siloscope(&with(&[
            "--shard",
            &format!("{i}/3"),
            "--out",
            shard(i).to_str().unwrap(),
        ]));
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(text(&out.stderr).contains(&format!("shard {i}/3 done")));
        assert!(
            !shard(i).join(outputs[0]).exists(),
            "a shard reports nothing"
        );
    }
    let merged = dir.join("merged");
    let partial = siloscope(&with(&[
        "--merge",
        shard(0).to_str().unwrap(),
        shard(2).to_str().unwrap(),
        "--out",
        merged.to_str().unwrap(),
    ]));
    refused_with(&partial, &["are in none of the 2 shard directories"]);
    assert!(!merged.join(outputs[0]).exists());
    let joined = siloscope(&with(&[
        "--merge",
        shard(0).to_str().unwrap(),
        shard(1).to_str().unwrap(),
        shard(2).to_str().unwrap(),
        "--out",
        merged.to_str().unwrap(),
    ]));
    assert!(joined.status.success(), "{}", text(&joined.stderr));
    assert_eq!(files(&merged, outputs), expected, "merged");
    // A shard of another study (another seed) is refused.
    let foreign = dir.join("foreign");
    let other = siloscope(&with(&[
        "--seed",
        "99",
        "--shard",
        "0/3",
        "--out",
        foreign.to_str().unwrap(),
    ]));
    assert!(other.status.success(), "{}", text(&other.stderr));
    let refused = siloscope(&with(&[
        "--merge",
        foreign.to_str().unwrap(),
        "--out",
        dir.join("refused").to_str().unwrap(),
    ]));
    refused_with(&refused, &["holds other work (fingerprint"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_sobol_study_resumes_and_merges_to_the_same_indices() {
    resumes_and_merges(
        "sobol",
        &[
            "sensitivity",
            "scenarios/workshop.scenario.ron",
            "--method",
            "sobol",
            "--samples",
            "32",
            "--replicates",
            "2",
            "--steps",
            "40",
            "--vary",
            "transparency=0..1",
            "--vary",
            "extranet_openness=0..1",
        ],
        "sobol.journal",
        &["sobol.csv", "sobol.svg"],
    );
}

#[test]
fn a_morris_study_resumes_and_merges_to_the_same_effects() {
    resumes_and_merges(
        "morris",
        &[
            "sensitivity",
            "scenarios/workshop.scenario.ron",
            "--method",
            "morris",
            "--trajectories",
            "24",
            "--replicates",
            "2",
            "--steps",
            "40",
            "--vary",
            "transparency=0..1",
            "--vary",
            "model.forgetting=0.95..0.99",
        ],
        "morris.journal",
        &["morris.csv", "morris.svg"],
    );
}

#[test]
fn a_calibration_resumes_and_merges_to_the_same_posterior() {
    resumes_and_merges(
        "calibrate",
        &[
            "calibrate",
            "scenarios/workshop.scenario.ron",
            "scenarios/targets/workshop.targets.ron",
            "--samples",
            "150",
            "--replicates",
            "1",
        ],
        "calibrate.journal",
        &[
            "posterior.csv",
            "predictive.csv",
            "accepted.csv",
            "calibrated.ron",
            "predictive.svg",
        ],
    );
}

#[test]
fn shard_and_merge_are_refused_where_they_mean_nothing() {
    let dir = temp_dir("refusals");
    let screen = siloscope(&[
        "sensitivity",
        "scenarios/workshop.scenario.ron",
        "--shard",
        "0/2",
        "--out",
        dir.join("a").to_str().unwrap(),
    ]);
    refused_with(&screen, &["use them with --method sobol or morris"]);
    let both = siloscope(&[
        "calibrate",
        "scenarios/workshop.scenario.ron",
        "scenarios/targets/workshop.targets.ron",
        "--shard",
        "0/2",
        "--merge",
        "x",
        "--out",
        dir.join("b").to_str().unwrap(),
    ]);
    refused_with(&both, &["cannot be used with"]);
    // More runs than any study may plan: refused before any run.
    for args in [
        vec![
            "sensitivity",
            "scenarios/workshop.scenario.ron",
            "--method",
            "sobol",
            "--samples",
            "1000000",
            "--replicates",
            "100",
        ],
        vec![
            "calibrate",
            "scenarios/workshop.scenario.ron",
            "scenarios/targets/workshop.targets.ron",
            "--samples",
            "1000000",
            "--replicates",
            "100",
        ],
    ] {
        let out = dir.join("huge");
        let mut a = args.clone();
        a.extend(["--out", out.to_str().unwrap()]);
        let refused = siloscope(&a);
        refused_with(&refused, &["runs planned; at most 1000000"]);
        assert!(!out.join("sobol.journal").exists() && !out.join("calibrate.journal").exists());
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// An experiment with a Sobol design is the sensitivity study of each of
/// its metrics, from runs made once: the same indices as the command, and
/// the same again when split with `batch --shard` and joined by `merge`.
#[test]
fn an_experiment_with_a_sobol_design_is_the_study_of_each_metric() {
    let dir = temp_dir("design");
    std::fs::create_dir_all(&dir).unwrap();
    let scenario = Path::new(crate::support::ROOT).join("scenarios/workshop.scenario.ron");
    let exp = dir.join("design.experiment.ron");
    std::fs::write(
        &exp,
        format!(
            r#"Experiment(
    name: "What trust rests on",
    scenario: {:?},
    policies: ["inside_out"],
    design: Sobol(samples: 32),
    vary: {{ "transparency": (0.0, 1.0), "extranet_openness": (0.0, 1.0) }},
    replicates: 2,
    steps: 40,
    metrics: ["customer_trust_in_org", "npv"],
)"#,
            scenario.canonicalize().unwrap().display().to_string()
        ),
    )
    .unwrap();
    let whole = dir.join("whole");
    let done = siloscope(&[
        "batch",
        exp.to_str().unwrap(),
        "--out",
        whole.to_str().unwrap(),
    ]);
    assert!(done.status.success(), "{}", text(&done.stderr));
    let outputs = [
        "sobol_customer_trust_in_org.csv",
        "sobol_customer_trust_in_org.svg",
        "sobol_npv.csv",
        "sobol_npv.svg",
    ];
    let expected = files(&whole, &outputs);
    // The command's study of the first metric gives the same table.
    let alone = dir.join("alone");
    let study = siloscope(&[
        "sensitivity",
        "scenarios/workshop.scenario.ron",
        "--method",
        "sobol",
        "--samples",
        "32",
        "--replicates",
        "2",
        "--steps",
        "40",
        "--vary",
        "transparency=0..1",
        "--vary",
        "extranet_openness=0..1",
        "--out",
        alone.to_str().unwrap(),
    ]);
    assert!(study.status.success(), "{}", text(&study.stderr));
    assert_eq!(
        std::fs::read(alone.join("sobol.csv")).unwrap(),
        expected[0].1,
        "the experiment's and the command's indices"
    );
    // Two shards joined by merge.
    let shard = |i: usize| dir.join(format!("shard{i}"));
    for i in 0..2 {
        let out = siloscope(&[
            "batch",
            exp.to_str().unwrap(),
            "--shard",
            &format!("{i}/2"),
            "--out",
            shard(i).to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    let merged = dir.join("merged");
    let joined = siloscope(&[
        "merge",
        exp.to_str().unwrap(),
        "--out",
        merged.to_str().unwrap(),
        "--",
        shard(0).to_str().unwrap(),
        shard(1).to_str().unwrap(),
    ]);
    assert!(joined.status.success(), "{}", text(&joined.stderr));
    assert_eq!(files(&merged, &outputs), expected);
    // Run again: nothing is run twice.
    let again = siloscope(&[
        "batch",
        exp.to_str().unwrap(),
        "--out",
        whole.to_str().unwrap(),
    ]);
    assert!(
        text(&again.stderr).contains("resuming from"),
        "{}",
        text(&again.stderr)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
