use super::*;
use crate::experiment::{parse, replicate_seed};
#[cfg(feature = "parquet")]
use crate::output::format_value;
use crate::stats::{Estimate, Paired};

fn small() -> Experiment {
    let src = r#"Experiment(
        name: "small",
        scenario: "../workshop.scenario.ron",
        policies: ["inside_out", "connected"],
        sweeps: { "silo_permeability": Values([0.2, 0.9]) },
        replicates: 3,
        steps: 12,
        metrics: ["customer_trust_in_org", "advocates", "churn"],
        at_steps: [6],
        seed: 5,
    )"#;
    let here = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .join("scenarios/experiments/small.experiment.ron");
    parse(src, &here).unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("siloscope-batch-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn outputs(dir: &Path) -> Vec<(String, Vec<u8>)> {
    [
        "timeseries.csv",
        "summary.csv",
        "comparison.csv",
        "summary.json",
        "plots/advocates.png",
        "plots/customer_trust_in_org.svg",
    ]
    .iter()
    .map(|f| (f.to_string(), std::fs::read(dir.join(f)).unwrap()))
    .collect()
}

fn go(exp: &Experiment, out: &Path, jobs: usize) -> Outcome {
    run(
        exp,
        &BatchOptions {
            out: out.to_owned(),
            jobs,
            shard: None,
        },
        |_, _| {},
    )
    .unwrap()
}

#[test]
fn replicates_share_seeds_across_conditions() {
    let exp = small();
    let out = scratch("seeds");
    go(&exp, &out, 2);
    let text = std::fs::read_to_string(out.join("timeseries.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("run,condition,policy,silo_permeability,seed,step,metric,part,value")
    );
    // seed by run
    let mut seed_of = std::collections::BTreeMap::new();
    for l in lines {
        let f: Vec<&str> = l.split(',').collect();
        seed_of.insert(f[0].parse::<usize>().unwrap(), f[4].to_owned());
    }
    assert_eq!(seed_of.len(), exp.runs());
    for (&id, seed) in &seed_of {
        let (_, k) = exp.run(id);
        assert_eq!(*seed, replicate_seed(5, k).to_string());
    }
    let distinct: std::collections::HashSet<&String> = seed_of.values().collect();
    assert_eq!(distinct.len(), 3, "one seed per replicate");
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn the_recorded_headline_metrics_are_plotted() {
    let exp = small();
    let out = scratch("plots");
    go(&exp, &out, 1);
    let mut names: Vec<String> = std::fs::read_dir(out.join("plots"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    // `churn` is recorded but not a headline metric, so it is not plotted.
    assert_eq!(
        names,
        [
            "advocates.png",
            "advocates.svg",
            "customer_trust_in_org.png",
            "customer_trust_in_org.svg"
        ]
    );
    // One band per condition, labelled with the condition, in the legend.
    let svg = std::fs::read_to_string(out.join("plots/advocates.svg")).unwrap();
    for c in &exp.conditions {
        assert!(svg.contains(&c.label()), "no {:?} in the legend", c.label());
    }
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn recording_profit_and_trust_draws_the_trade_off_frontier() {
    let mut exp = small();
    exp.metrics = vec!["customer_trust_in_org", "profit_total"];
    let out = scratch("frontier");
    go(&exp, &out, 1);
    let svg = std::fs::read_to_string(out.join("plots/frontier.svg")).unwrap();
    // Every condition is a labelled point with its intervals.
    for c in &exp.conditions {
        assert!(
            svg.contains(&c.label()),
            "no {:?} on the frontier",
            c.label()
        );
    }
    assert!(svg.contains("profit since the start") && svg.contains("customer trust"));
    let png = std::fs::read(out.join("plots/frontier.png")).unwrap();
    assert_eq!(&png[1..4], b"PNG");
    std::fs::remove_dir_all(&out).unwrap();
    // Without profit there is no frontier (the other test's plots).
    let out = scratch("no-frontier");
    go(&small(), &out, 1);
    assert!(!out.join("plots/frontier.png").exists());
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn outputs_are_identical_for_one_and_two_jobs() {
    let exp = small();
    let (a, b) = (scratch("jobs1"), scratch("jobs2"));
    let one = go(&exp, &a, 1);
    let two = go(&exp, &b, 2);
    assert_eq!(one.ran, exp.runs());
    assert_eq!(outputs(&a), outputs(&b));
    assert_eq!(one.summary, two.summary);
    std::fs::remove_dir_all(&a).unwrap();
    std::fs::remove_dir_all(&b).unwrap();
}

#[test]
fn an_interrupted_batch_resumes_to_the_same_outputs() {
    let exp = small();
    let (whole, cut) = (scratch("whole"), scratch("cut"));
    go(&exp, &whole, 2);
    go(&exp, &cut, 2);
    // What a kill leaves: some runs finished, some never written, and a
    // half-written temporary file.
    for id in [1, 4, 7, 10] {
        std::fs::remove_file(run_path(&cut, &exp, id)).unwrap();
    }
    let partial = cut.join("runs").join(".run-04.csv.x7Yq2Z.siloscope.tmp");
    std::fs::write(&partial, "0,half a line").unwrap();
    for f in ["summary.csv", "timeseries.csv"] {
        std::fs::remove_file(cut.join(f)).unwrap();
    }
    let again = go(&exp, &cut, 2);
    assert_eq!((again.ran, again.resumed), (4, exp.runs() - 4));
    assert!(again.distrusted.is_empty(), "{:?}", again.distrusted);
    assert_eq!(outputs(&whole), outputs(&cut));
    assert!(
        !partial.exists(),
        "the killed writer's temporary file is cleaned up"
    );
    std::fs::remove_dir_all(&whole).unwrap();
    std::fs::remove_dir_all(&cut).unwrap();
}

#[test]
fn another_experiment_is_not_mixed_into_an_output_directory() {
    let exp = small();
    let out = scratch("foreign");
    go(&exp, &out, 1);
    let mut other = small();
    other.steps = 11;
    let err = run(
        &other,
        &BatchOptions {
            out: out.clone(),
            jobs: 1,
            shard: None,
        },
        |_, _| {},
    )
    .unwrap_err();
    assert!(matches!(err, BatchError::Foreign(_)), "{err}");
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn summaries_and_comparisons_follow_from_the_runs() {
    let exp = small();
    let out = scratch("summary");
    let o = go(&exp, &out, 2);
    // Recompute one summary and one comparison from the time series.
    let text = std::fs::read_to_string(out.join("timeseries.csv")).unwrap();
    let value = |cond: &str, k: u32| -> f64 {
        let seed = replicate_seed(5, k).to_string();
        text.lines()
            .map(|l| l.split(',').collect::<Vec<_>>())
            .find(|f| {
                f[1] == cond
                    && f[4] == seed
                    && f[5] == "12"
                    && f[6] == "advocates"
                    && f[7] == "existing_customers"
            })
            .map(|f| f[8].parse().unwrap())
            .unwrap()
    };
    let c = "connected silo_permeability=0.9";
    let b = "inside_out silo_permeability=0.9";
    let xs: Vec<f64> = (0..3).map(|k| value(c, k)).collect();
    let bs: Vec<f64> = (0..3).map(|k| value(b, k)).collect();
    let row = o
        .summary
        .iter()
        .find(|r| {
            r.condition == c
                && r.metric == "advocates"
                && r.part == "existing_customers"
                && r.step == 12
        })
        .unwrap();
    let e = Estimate::of(&xs);
    assert_eq!((row.n, row.mean, row.ci_low), (3, e.mean, e.lo));
    let cmp = o
        .comparison
        .iter()
        .find(|r| {
            r.condition == c
                && r.metric == "advocates"
                && r.part == "existing_customers"
                && r.step == 12
        })
        .unwrap();
    assert_eq!(cmp.baseline, b);
    let p = Paired::of(&xs, &bs);
    assert_eq!(
        (cmp.mean_diff, cmp.ci_high, cmp.wins),
        (p.diff.mean, p.diff.hi, p.wins)
    );
    // Steps summarised: the chosen one and the last.
    let steps: std::collections::BTreeSet<u32> = o.summary.iter().map(|r| r.step).collect();
    assert_eq!(steps.into_iter().collect::<Vec<_>>(), [6, 12]);
    // The baseline is not compared with itself.
    assert!(
        o.comparison
            .iter()
            .all(|r| !r.condition.starts_with("inside_out"))
    );
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn shards_merged_equal_the_unsharded_batch() {
    let exp = small();
    let whole = scratch("unsharded");
    go(&exp, &whole, 2);
    let shards: Vec<PathBuf> = (0..3).map(|i| scratch(&format!("shard{i}"))).collect();
    for (i, dir) in shards.iter().enumerate() {
        let o = run(
            &exp,
            &BatchOptions {
                out: dir.clone(),
                jobs: 1,
                shard: Some((i, 3)),
            },
            |_, _| {},
        )
        .unwrap();
        assert_eq!(o.ran, exp.runs() / 3);
        assert!(
            !dir.join("timeseries.csv").exists(),
            "a shard does not assemble"
        );
    }
    let merged = scratch("merged");
    // Two shards are not enough.
    let err = merge(&exp, &shards[..2], &merged).unwrap_err();
    assert!(matches!(err, BatchError::Missing { count: 4, .. }), "{err}");
    assert!(
        !merged.exists(),
        "a failed merge leaves nothing to block the next"
    );
    let o = merge(&exp, &shards, &merged).unwrap();
    assert_eq!(o.resumed, exp.runs());
    assert_eq!(outputs(&whole), outputs(&merged));
    for d in shards.iter().chain([&whole, &merged]) {
        std::fs::remove_dir_all(d).unwrap();
    }
}

/// Every file under `dir`, with its bytes.
fn tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let bytes = std::fs::read(&p).unwrap();
                files.push((p, bytes));
            }
        }
    }
    files.sort();
    files
}

#[test]
fn a_run_file_that_does_not_match_its_check_is_computed_again() {
    let exp = small();
    let (whole, damaged) = (scratch("verify-whole"), scratch("verify-damaged"));
    go(&exp, &whole, 2);
    go(&exp, &damaged, 2);
    // Empty; cut at a line boundary; edited in place; no check at all.
    std::fs::write(run_path(&damaged, &exp, 4), "").unwrap();
    let five = std::fs::read_to_string(run_path(&damaged, &exp, 5)).unwrap();
    let cut = five.lines().count() / 2;
    let kept: String = five.split_inclusive('\n').take(cut).collect();
    std::fs::write(run_path(&damaged, &exp, 5), kept).unwrap();
    let six = std::fs::read_to_string(run_path(&damaged, &exp, 6)).unwrap();
    std::fs::write(run_path(&damaged, &exp, 6), six.replacen(",0.", ",1.", 1)).unwrap();
    std::fs::remove_file(runs::check_path(&damaged, &exp, 7)).unwrap();
    std::fs::remove_file(damaged.join("timeseries.csv")).unwrap();
    let again = go(&exp, &damaged, 2);
    assert_eq!((again.ran, again.resumed), (4, exp.runs() - 4));
    let reasons: Vec<String> = again
        .distrusted
        .iter()
        .map(|(p, r)| format!("{} {r}", p.file_name().unwrap().to_string_lossy()))
        .collect();
    assert_eq!(reasons.len(), 4, "{reasons:?}");
    assert!(
        reasons[0].contains("has 0 rows (0 bytes), but"),
        "{reasons:?}"
    );
    assert!(
        reasons[1].contains(&format!("has {cut} rows")),
        "{reasons:?}"
    );
    assert!(
        reasons[2].contains("changed after it was written"),
        "{reasons:?}"
    );
    assert!(reasons[3].contains("has no check"), "{reasons:?}");
    assert_eq!(outputs(&whole), outputs(&damaged));
    std::fs::remove_dir_all(&whole).unwrap();
    std::fs::remove_dir_all(&damaged).unwrap();
}

#[test]
fn an_output_directory_in_use_is_refused_naming_its_holder() {
    let exp = small();
    let out = scratch("locked");
    std::fs::create_dir_all(&out).unwrap();
    let held = siloscope_files::DirLock::acquire(&out, "run").unwrap();
    let options = BatchOptions {
        out: out.clone(),
        jobs: 1,
        shard: None,
    };
    let err = run(&exp, &options, |_, _| {}).unwrap_err();
    assert!(matches!(err, BatchError::Locked(_)), "{err}");
    assert!(
        err.to_string().contains("in use by siloscope run (process"),
        "{err}"
    );
    assert!(!out.join("manifest.json").exists(), "nothing written");
    drop(held);
    run(&exp, &options, |_, _| {}).unwrap();
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn a_merge_never_writes_into_its_shards() {
    let exp = small();
    let shards: Vec<PathBuf> = (0..2).map(|i| scratch(&format!("ro-shard{i}"))).collect();
    for (i, dir) in shards.iter().enumerate() {
        let options = BatchOptions {
            out: dir.clone(),
            jobs: 1,
            shard: Some((i, 2)),
        };
        run(&exp, &options, |_, _| {}).unwrap();
    }
    // A shard's damaged run is not copied (below): damaged first, so that
    // every byte of both shards can be compared afterwards.
    std::fs::write(run_path(&shards[1], &exp, 3), "").unwrap();
    let before: Vec<_> = shards.iter().map(|d| tree(d)).collect();
    // Into one of the shards, a directory inside one (however spelt), or
    // around one.
    let around = scratch("ro-around");
    let nested = around.join("inner");
    std::fs::create_dir_all(&around).unwrap();
    let spellings = [
        shards[0].clone(),
        shards[1].join("merged"),
        shards[0].join("no-such-dir").join(".."),
        shards[0].join("runs"),
    ];
    for out in spellings {
        let err = merge(&exp, &shards, &out).unwrap_err();
        assert!(matches!(err, BatchError::IntoShard(_)), "{err}");
    }
    // An empty directory is not a shard, and stays empty.
    let empty = scratch("ro-empty");
    std::fs::create_dir_all(&empty).unwrap();
    let merged = scratch("ro-merged");
    let err = merge(&exp, &[shards[0].clone(), empty.clone()], &merged).unwrap_err();
    assert!(matches!(err, BatchError::NotAShard(_)), "{err}");
    assert!(tree(&empty).is_empty() && !merged.exists());
    let inside = run(
        &exp,
        &BatchOptions {
            out: nested.clone(),
            jobs: 1,
            shard: Some((0, 2)),
        },
        |_, _| {},
    );
    inside.unwrap();
    let err = merge(&exp, &[nested.clone(), shards[1].clone()], &around).unwrap_err();
    assert!(matches!(err, BatchError::IntoShard(_)), "{err}");
    // The damaged run: the merge says which and why.
    let err = merge(&exp, &shards, &merged).unwrap_err();
    let said = err.to_string();
    assert!(said.contains("lack 1 run (the first is run 3;"), "{said}");
    assert!(said.contains("has 0 rows"), "{said}");
    assert!(!merged.exists());
    let after: Vec<_> = shards.iter().map(|d| tree(d)).collect();
    assert!(before == after, "a merge wrote into a shard");
    assert!(!shards[0].join("no-such-dir").exists());
    for d in shards.iter().chain([&empty, &around]) {
        std::fs::remove_dir_all(d).unwrap();
    }
}

#[cfg(feature = "parquet")]
#[test]
fn the_parquet_series_holds_the_csv_rows_with_nulls_for_unset_knobs() {
    use ::parquet::file::reader::{FileReader, SerializedFileReader};
    use ::parquet::record::Field;
    let mut exp = small();
    // One condition without the swept knob: its knob cells are empty.
    exp.conditions[0].knobs.clear();
    let out = scratch("parquet");
    go(&exp, &out, 2);
    let csv_text = std::fs::read_to_string(out.join("timeseries.csv")).unwrap();
    let file = std::fs::File::open(out.join("timeseries.parquet")).unwrap();
    let reader = SerializedFileReader::new(file).unwrap();
    let names: Vec<String> = reader
        .metadata()
        .file_metadata()
        .schema_descr()
        .columns()
        .iter()
        .map(|c| c.name().to_owned())
        .collect();
    let mut lines = csv_text.lines();
    assert_eq!(lines.next().unwrap(), names.join(","));
    let mut rows = 0;
    let mut nulls = 0;
    for (row, line) in reader.get_row_iter(None).unwrap().zip(lines.by_ref()) {
        let cells: Vec<String> = row
            .unwrap()
            .get_column_iter()
            .map(|(_, field)| match field {
                Field::ULong(v) => v.to_string(),
                Field::UInt(v) => v.to_string(),
                Field::Str(s) => s.clone(),
                Field::Double(v) => format_value(*v),
                Field::Null => {
                    nulls += 1;
                    String::new()
                }
                other => panic!("unexpected field {other:?}"),
            })
            .collect();
        assert_eq!(cells.join(","), line);
        rows += 1;
    }
    assert_eq!(lines.next(), None, "the Parquet file has fewer rows");
    assert_eq!(rows, csv_text.lines().count() - 1);
    assert!(nulls > 0, "the condition without the knob has null cells");
    std::fs::remove_dir_all(&out).unwrap();
}

/// A batch's fingerprint covers what changes its runs, not what only people
/// read: a new story or new need names leave it alone (a batch can be
/// resumed after the presenter's notes were edited), a model change does
/// not.
#[test]
fn the_fingerprint_ignores_the_story_and_the_names_of_needs() {
    let exp = small();
    assert!(!exp.scenario.story.is_empty(), "the workshop has a story");
    let fp = manifest::fingerprint(&exp);
    let mut told = exp.clone();
    told.scenario.story.clear();
    told.scenario.need_names[0] = "speed".into();
    assert_eq!(manifest::fingerprint(&told), fp);
    let mut changed = exp.clone();
    changed.scenario.model.churn_rate += 0.01;
    assert_ne!(manifest::fingerprint(&changed), fp);
}
