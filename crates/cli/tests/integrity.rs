//! Outputs nothing can corrupt: the `siloscope` binary run against planted
//! links, damaged run files, devices, pipes, a full disk, killed and
//! concurrent processes, as a careless or hostile user would.
//!
//! Each case in [`cases`] sets up a directory, runs the binary and checks
//! both what it says and what is on disk afterwards. The second table of
//! `docs/hostile-input.md` is generated from these cases and must match
//! them; `SILOSCOPE_REGENERATE=1` rewrites it after a deliberate change.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use super::support::{ROOT, bin, siloscope, text};

/// The example organisation's agents and ties CSVs.
fn acme() -> (PathBuf, PathBuf) {
    let data = Path::new(ROOT).join("scenarios/data");
    (data.join("acme_agents.csv"), data.join("acme_ties.csv"))
}

/// A fresh directory holding the tiny scenario and two experiments on it
/// (`a` and `b`, differing in their seed).
fn workspace(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("siloscope-integrity-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    std::fs::copy(
        Path::new(ROOT).join("crates/workshop/tests/fuzz/tiny.scenario.ron"),
        d.join("tiny.scenario.ron"),
    )
    .unwrap();
    for (exp, seed) in [("a", 5), ("b", 6)] {
        std::fs::write(
            d.join(format!("{exp}.experiment.ron")),
            format!(
                "Experiment(name: \"{exp}\", scenario: \"tiny.scenario.ron\", policies: [\"inside_out\", \"connected\"], replicates: 3, steps: 12, metrics: [\"customer_trust_in_org\", \"advocates\"], seed: {seed})"
            ),
        )
        .unwrap();
    }
    d
}

fn os(parts: &[&dyn AsRef<std::ffi::OsStr>]) -> Vec<OsString> {
    parts.iter().map(|p| p.as_ref().to_owned()).collect()
}

fn batch(d: &Path, exp: &str, out: &Path) -> Vec<OsString> {
    os(&[
        &"batch",
        &d.join(format!("{exp}.experiment.ron")),
        &"--jobs",
        &"2",
        &"--out",
        &out,
    ])
}

/// Every file under `dir` (links as links), with its bytes.
fn tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries {
            let p = e.unwrap().path();
            let meta = std::fs::symlink_metadata(&p).unwrap();
            if meta.is_dir() {
                stack.push(p);
            } else if meta.is_file() {
                let bytes = std::fs::read(&p).unwrap();
                files.push((p.strip_prefix(dir).unwrap().to_owned(), bytes));
            } else {
                files.push((
                    p.strip_prefix(dir).unwrap().to_owned(),
                    b"(not a file)".to_vec(),
                ));
            }
        }
    }
    files.sort();
    files
}

/// The assembled outputs of a batch directory.
fn outputs(out: &Path) -> Vec<(String, Vec<u8>)> {
    [
        "timeseries.csv",
        "summary.csv",
        "comparison.csv",
        "summary.json",
    ]
    .iter()
    .map(|f| {
        (
            f.to_string(),
            std::fs::read(out.join(f)).unwrap_or_default(),
        )
    })
    .collect()
}

/// The outputs `exp` gives in a clean directory.
fn reference(d: &Path, exp: &str) -> Vec<(String, Vec<u8>)> {
    let out = d.join(format!("reference-{exp}"));
    let o = siloscope(&batch(d, exp, &out));
    assert!(o.status.success(), "{}", text(&o.stderr));
    outputs(&out)
}

/// Whether any file under `dir` has a temporary name.
fn temporaries(dir: &Path) -> Vec<PathBuf> {
    tree(dir)
        .into_iter()
        .map(|(p, _)| p)
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.') && n.ends_with(".tmp"))
        })
        .collect()
}

#[cfg(unix)]
fn link(target: &Path, at: &Path) {
    std::os::unix::fs::symlink(target, at).unwrap();
}

#[cfg(unix)]
fn fifo(at: &Path) {
    let c = std::ffi::CString::new(at.to_str().unwrap()).unwrap();
    // SAFETY: a NUL-terminated path; mkfifo touches nothing else.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
}

/// A batch stalled in the middle of writing `file` (the crash tests' hook),
/// once it has said so.
fn stalled(d: &Path, exp: &str, out: &Path, file: &str) -> std::process::Child {
    // One thread: the runs before the stalled one are finished, in order.
    let mut args = batch(d, exp, out);
    args[3] = "1".into();
    let mut child = bin()
        .args(args)
        .env("SILOSCOPE_STALL_WRITING", file)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut err = child.stderr.take().unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 256];
    use std::io::Read;
    // The whole line: a pipe closed while the child is still writing its
    // message would end the child.
    while !text(&seen).lines().any(|l| l.contains("stalled writing")) || !seen.ends_with(b"\n") {
        let n = err.read(&mut buf).unwrap();
        assert!(n > 0, "the batch ended without stalling: {}", text(&seen));
        seen.extend_from_slice(&buf[..n]);
    }
    // Kept open until the child is killed.
    child.stderr = Some(err);
    child
}

/// What a case gives: whether the command succeeded, the line the table
/// quotes, and a complaint if what is on disk is wrong.
struct Said {
    ok: bool,
    line: String,
    wrong: Option<String>,
}

/// The first line of stderr that carries the point: an error, or a line
/// about run files.
fn said(o: &Output, wrong: Option<String>) -> Said {
    let err = text(&o.stderr);
    let line = err
        .lines()
        .find(|l| {
            l.starts_with("error")
                || l.contains(" not trusted")
                || l.contains("; computed again")
                || l.contains("; not used")
        })
        .or_else(|| err.lines().next())
        .unwrap_or("")
        .to_owned();
    Said {
        ok: o.status.success(),
        line,
        wrong,
    }
}

fn check(cond: bool, complaint: impl FnOnce() -> String) -> Option<String> {
    (!cond).then(complaint)
}

struct Case {
    name: &'static str,
    holds: &'static str,
    /// Whether the command must succeed.
    succeeds: bool,
    /// Text the quoted line must contain.
    says: &'static str,
    run: fn(&Path) -> Said,
}

fn cases() -> Vec<Case> {
    vec![
        #[cfg(unix)]
        Case {
            name: "temp_links_batch",
            holds: "links to a file outside `--out` planted at the old temporary names (`.manifest.json.tmp`, `.timeseries.csv.tmp`, `runs/.run-0.csv.tmp`)",
            succeeds: true,
            says: "runs computed",
            run: |d| {
                let out = d.join("out");
                std::fs::create_dir_all(out.join("runs")).unwrap();
                std::fs::write(d.join("victim"), "precious").unwrap();
                for t in [
                    ".manifest.json.tmp",
                    ".timeseries.csv.tmp",
                    "runs/.run-0.csv.tmp",
                ] {
                    link(&d.join("victim"), &out.join(t));
                }
                let o = siloscope(&batch(d, "a", &out));
                let wrong = check(
                    std::fs::read(d.join("victim")).unwrap() == b"precious",
                    || "victim overwritten".into(),
                )
                .or_else(|| {
                    check(
                        std::fs::symlink_metadata(out.join("manifest.json"))
                            .unwrap()
                            .is_file(),
                        || "manifest.json is not a file".into(),
                    )
                })
                .or_else(|| {
                    check(outputs(&out) == reference(d, "a"), || {
                        "outputs differ from a clean run".into()
                    })
                });
                Said {
                    line: text(&o.stderr)
                        .lines()
                        .find(|l| l.contains("runs computed"))
                        .unwrap_or("")
                        .to_owned(),
                    ..said(&o, wrong)
                }
            },
        },
        #[cfg(unix)]
        Case {
            name: "temp_links_run_import",
            holds: "the same for `run` (`.summary.json.tmp`, `.timeseries.csv.tmp`) and `import` (`.<out>.tmp`)",
            succeeds: true,
            says: "wrote",
            run: |d| {
                let out = d.join("run");
                std::fs::create_dir_all(&out).unwrap();
                std::fs::write(d.join("victim"), "precious").unwrap();
                for t in [".summary.json.tmp", ".timeseries.csv.tmp"] {
                    link(&d.join("victim"), &out.join(t));
                }
                let o = siloscope(&os(&[&"run", &d.join("tiny.scenario.ron"), &"--out", &out]));
                let (agents, ties) = acme();
                link(&d.join("victim"), &d.join(".org.scenario.ron.tmp"));
                let i = siloscope(&os(&[
                    &"import",
                    &"--agents",
                    &agents,
                    &"--ties",
                    &ties,
                    &"--out",
                    &d.join("org.scenario.ron"),
                ]));
                let wrong = check(o.status.success(), || text(&o.stderr))
                    .or_else(|| check(i.status.success(), || text(&i.stderr)))
                    .or_else(|| {
                        check(
                            std::fs::read(d.join("victim")).unwrap() == b"precious",
                            || "victim overwritten".into(),
                        )
                    });
                let line = text(&i.stdout).lines().next().unwrap_or("").to_owned();
                Said {
                    ok: o.status.success() && i.status.success(),
                    line,
                    wrong,
                }
            },
        },
        #[cfg(unix)]
        Case {
            name: "link_at_output",
            holds: "`summary.csv` in `--out` is a link to a file outside it",
            succeeds: false,
            says: "is a symbolic link (siloscope never writes through a link)",
            run: |d| {
                let out = d.join("out");
                std::fs::create_dir_all(&out).unwrap();
                std::fs::write(d.join("victim"), "precious").unwrap();
                link(&d.join("victim"), &out.join("summary.csv"));
                let o = siloscope(&batch(d, "a", &out));
                let wrong = check(
                    std::fs::read(d.join("victim")).unwrap() == b"precious",
                    || "victim overwritten".into(),
                )
                .or_else(|| {
                    check(temporaries(&out).is_empty(), || {
                        format!("left {:?}", temporaries(&out))
                    })
                });
                said(&o, wrong)
            },
        },
        Case {
            name: "resume_empty_run",
            holds: "a finished batch whose `runs/run-4.csv` was emptied",
            succeeds: true,
            says: "has 0 rows (0 bytes), but",
            run: |d| {
                let out = d.join("out");
                siloscope(&batch(d, "a", &out));
                std::fs::write(out.join("runs/run-4.csv"), "").unwrap();
                let o = siloscope(&batch(d, "a", &out));
                let wrong = check(outputs(&out) == reference(d, "a"), || {
                    "outputs differ from a clean run".into()
                });
                said(&o, wrong)
            },
        },
        Case {
            name: "resume_cut_run",
            holds: "a finished batch whose `runs/run-5.csv` was cut at a line boundary",
            succeeds: true,
            says: "were written; computed again",
            run: |d| {
                let out = d.join("out");
                siloscope(&batch(d, "a", &out));
                let path = out.join("runs/run-5.csv");
                let whole = std::fs::read_to_string(&path).unwrap();
                let half: String = whole
                    .split_inclusive('\n')
                    .take(whole.lines().count() / 2)
                    .collect();
                std::fs::write(&path, half).unwrap();
                std::fs::remove_file(out.join("timeseries.csv")).unwrap();
                let o = siloscope(&batch(d, "a", &out));
                let wrong = check(outputs(&out) == reference(d, "a"), || {
                    "outputs differ from a clean run".into()
                });
                said(&o, wrong)
            },
        },
        #[cfg(unix)]
        Case {
            name: "full_disk",
            holds: "a disk that fills while `timeseries.csv` is written (a 16 KiB file-size limit), then room again",
            succeeds: false,
            says: "timeseries.csv: File too large",
            run: |d| {
                let out = d.join("out");
                let args: Vec<String> = batch(d, "a", &out)
                    .iter()
                    .map(|a| format!("'{}'", a.to_string_lossy()))
                    .collect();
                // Ignoring SIGXFSZ makes a write past the limit fail with
                // EFBIG, as a full disk fails with ENOSPC.
                let o = Command::new("bash")
                    .arg("-c")
                    .arg(format!(
                        "ulimit -f 16; trap '' XFSZ; exec '{}' {}",
                        bin().get_program().to_string_lossy(),
                        args.join(" ")
                    ))
                    .current_dir(ROOT)
                    .output()
                    .unwrap();
                let left = temporaries(&out);
                let again = siloscope(&batch(d, "a", &out));
                let wrong = check(left.is_empty(), || format!("left {left:?}")).or_else(|| {
                    check(
                        again.status.success() && outputs(&out) == reference(d, "a"),
                        || "the resumed outputs differ".into(),
                    )
                });
                said(&o, wrong)
            },
        },
        Case {
            name: "import_device",
            holds: "`import --agents /dev/zero` (endless)",
            succeeds: false,
            says: "/dev/zero: is not a regular file",
            run: |d| {
                let o = siloscope(&os(&[
                    &"import",
                    &"--agents",
                    &"/dev/zero",
                    &"--ties",
                    &"/dev/zero",
                    &"--out",
                    &d.join("org.scenario.ron"),
                ]));
                said(&o, None)
            },
        },
        Case {
            name: "network_device",
            holds: "a scenario whose `network` names `/dev/zero` as its agents file",
            succeeds: false,
            says: "network.agents: cannot read \"/dev/zero\": is not a regular file",
            run: |d| {
                let scenario = d.join("org.scenario.ron");
                std::fs::write(
                    &scenario,
                    "Scenario(name: \"x\", groups: [(name: \"A\", part: Department, count: 0)], network: (agents: \"/dev/zero\"))",
                )
                .unwrap();
                said(&siloscope(&os(&[&"validate", &scenario])), None)
            },
        },
        #[cfg(unix)]
        Case {
            name: "network_fifo",
            holds: "a scenario whose `network` names a FIFO no one writes as its ties file",
            succeeds: false,
            says: "network.ties: cannot read \"ties.csv\": is not a regular file (a device, a pipe or a socket); expected a CSV file of agents or ties",
            run: |d| {
                fifo(&d.join("ties.csv"));
                let scenario = d.join("org.scenario.ron");
                std::fs::write(
                    &scenario,
                    "Scenario(name: \"x\", groups: [(name: \"A\", part: Department, count: 2)], network: (ties: \"ties.csv\"))",
                )
                .unwrap();
                said(&siloscope(&os(&[&"validate", &scenario])), None)
            },
        },
        #[cfg(unix)]
        Case {
            name: "import_fifo",
            holds: "`import --ties` naming a FIFO no one writes",
            succeeds: false,
            says: "is not a regular file (a device, a pipe or a socket); expected a CSV, GraphML or GEXF file",
            run: |d| {
                fifo(&d.join("ties.csv"));
                let (agents, _) = acme();
                let o = siloscope(&os(&[
                    &"import",
                    &"--agents",
                    &agents,
                    &"--ties",
                    &d.join("ties.csv"),
                    &"--out",
                    &d.join("org.scenario.ron"),
                ]));
                said(&o, None)
            },
        },
        #[cfg(unix)]
        Case {
            name: "run_file_link_to_device",
            holds: "a finished batch whose `runs/run-3.csv` was replaced by a link to `/dev/zero`",
            succeeds: false,
            says: "is a symbolic link",
            run: |d| {
                let out = d.join("out");
                siloscope(&batch(d, "a", &out));
                std::fs::remove_file(out.join("runs/run-3.csv")).unwrap();
                link(Path::new("/dev/zero"), &out.join("runs/run-3.csv"));
                let o = siloscope(&batch(d, "a", &out));
                let still_a_link = std::fs::symlink_metadata(out.join("runs/run-3.csv"))
                    .is_ok_and(|m| m.file_type().is_symlink());
                let wrong = check(still_a_link, || "the link was replaced".into());
                said(&o, wrong)
            },
        },
        #[cfg(unix)]
        Case {
            name: "fifo_manifest",
            holds: "a FIFO where `--out`'s `manifest.json` belongs",
            succeeds: false,
            says: "manifest.json: is not a regular file",
            run: |d| {
                let out = d.join("out");
                std::fs::create_dir_all(&out).unwrap();
                fifo(&out.join("manifest.json"));
                let o = siloscope(&batch(d, "a", &out));
                said(&o, None)
            },
        },
        #[cfg(unix)]
        Case {
            name: "merge_device_run",
            holds: "a shard whose run file is a link to `/dev/zero`, merged",
            succeeds: false,
            says: "is not a regular file",
            run: |d| {
                let shard = d.join("shard0");
                let mut args = batch(d, "a", &shard);
                args.extend(os(&[&"--shard", &"0/1"]));
                siloscope(&args);
                std::fs::remove_file(shard.join("runs/run-2.csv")).unwrap();
                link(Path::new("/dev/zero"), &shard.join("runs/run-2.csv"));
                let merged = d.join("merged");
                let o = siloscope(&os(&[
                    &"merge",
                    &d.join("a.experiment.ron"),
                    &"--out",
                    &merged,
                    &"--",
                    &shard,
                ]));
                let wrong = check(!merged.exists(), || {
                    "the failed merge left its output".into()
                });
                said(&o, wrong)
            },
        },
        #[cfg(unix)]
        Case {
            name: "import_force_special",
            holds: "`import --out X --force` where X is a FIFO (a device, such as `/dev/null` as root, is refused the same way; the test never touches a real device)",
            succeeds: false,
            says: "special.scenario.ron: is a device, a pipe or a socket",
            run: |d| {
                let (agents, ties) = acme();
                let special = d.join("special.scenario.ron");
                fifo(&special);
                let o = siloscope(&os(&[
                    &"import",
                    &"--agents",
                    &agents,
                    &"--ties",
                    &ties,
                    &"--out",
                    &special,
                    &"--force",
                ]));
                let kept = std::fs::symlink_metadata(&special).is_ok_and(|m| !m.is_file());
                said(&o, check(kept, || "the FIFO was replaced".into()))
            },
        },
        #[cfg(unix)]
        Case {
            name: "import_dangling_link",
            holds: "`import --out` naming a dangling link, without `--force`",
            succeeds: false,
            says: "exists; choose another --out or pass --force",
            run: |d| {
                link(&d.join("nowhere.scenario.ron"), &d.join("org.scenario.ron"));
                let (agents, ties) = acme();
                let o = siloscope(&os(&[
                    &"import",
                    &"--agents",
                    &agents,
                    &"--ties",
                    &ties,
                    &"--out",
                    &d.join("org.scenario.ron"),
                ]));
                let wrong = check(!d.join("nowhere.scenario.ron").exists(), || {
                    "wrote through the link".into()
                });
                said(&o, wrong)
            },
        },
        Case {
            name: "merge_empty_shard",
            holds: "`merge` given an empty directory as a shard",
            succeeds: false,
            says: "holds no manifest.json",
            run: |d| {
                let empty = d.join("empty");
                std::fs::create_dir_all(&empty).unwrap();
                let o = siloscope(&os(&[
                    &"merge",
                    &d.join("a.experiment.ron"),
                    &"--out",
                    &d.join("merged"),
                    &"--",
                    &empty,
                ]));
                let wrong = check(tree(&empty).is_empty(), || {
                    format!("wrote into the shard: {:?}", tree(&empty))
                })
                .or_else(|| check(!d.join("merged").exists(), || "left its output".into()));
                said(&o, wrong)
            },
        },
        Case {
            name: "merge_failed_then_correct",
            holds: "`merge` naming the wrong experiment, then with a shard missing, then done right",
            succeeds: true,
            says: "runs joined",
            run: |d| {
                let shards: Vec<PathBuf> = (0..2).map(|i| d.join(format!("shard{i}"))).collect();
                for (i, s) in shards.iter().enumerate() {
                    let mut args = batch(d, "a", s);
                    args.extend(os(&[&"--shard", &format!("{i}/2")]));
                    siloscope(&args);
                }
                let merged = d.join("merged");
                let merge = |exp: &str, shards: &[PathBuf]| {
                    let mut args = os(&[
                        &"merge",
                        &d.join(format!("{exp}.experiment.ron")),
                        &"--out",
                        &merged,
                        &"--",
                    ]);
                    args.extend(shards.iter().map(OsString::from));
                    siloscope(&args)
                };
                let wrong_experiment = merge("b", &shards);
                let failed = merge("a", &shards[..1]);
                let o = merge("a", &shards);
                let wrong = check(
                    !wrong_experiment.status.success()
                        && text(&wrong_experiment.stderr).contains("a different experiment"),
                    || text(&wrong_experiment.stderr),
                )
                .or_else(|| {
                    check(
                        !failed.status.success()
                            && text(&failed.stderr).contains("the shards lack 3 runs"),
                        || text(&failed.stderr),
                    )
                })
                .or_else(|| {
                    check(outputs(&merged) == reference(d, "a"), || {
                        "merged outputs differ".into()
                    })
                });
                Said {
                    line: text(&o.stderr)
                        .lines()
                        .find(|l| l.contains("runs joined"))
                        .unwrap_or("")
                        .to_owned(),
                    ..said(&o, wrong)
                }
            },
        },
        Case {
            name: "locked",
            holds: "a second batch on an `--out` a first batch is writing",
            succeeds: false,
            says: "is in use by siloscope batch (process",
            run: |d| {
                let out = d.join("out");
                let mut first = stalled(d, "a", &out, "run-2.csv");
                let o = siloscope(&batch(d, "b", &out));
                first.kill().unwrap();
                first.wait().unwrap();
                said(&o, None)
            },
        },
        Case {
            name: "killed_holder",
            holds: "a batch killed (SIGKILL) while writing a run file, then run again",
            succeeds: true,
            says: "resumed from",
            run: |d| {
                let out = d.join("out");
                let mut first = stalled(d, "a", &out, "run-2.csv");
                first.kill().unwrap();
                first.wait().unwrap();
                let o = siloscope(&batch(d, "a", &out));
                let wrong = check(outputs(&out) == reference(d, "a"), || {
                    "outputs differ from a clean run".into()
                })
                .or_else(|| {
                    check(temporaries(&out).is_empty(), || {
                        format!("left {:?}", temporaries(&out))
                    })
                });
                Said {
                    line: text(&o.stderr)
                        .lines()
                        .find(|l| l.contains("resumed from"))
                        .unwrap_or("")
                        .to_owned(),
                    ..said(&o, wrong)
                }
            },
        },
        Case {
            name: "merge_into_shard_by_dotdot",
            holds: "`merge --out s0/x/..` (a shard, spelt through a directory that does not exist)",
            succeeds: false,
            says: "is one of the shard directories",
            run: |d| {
                let shard = d.join("s0");
                let mut args = batch(d, "a", &shard);
                args.extend(os(&[&"--shard", &"0/1"]));
                siloscope(&args);
                let before = tree(&shard);
                let out = shard.join("x").join("..");
                let o = siloscope(&os(&[
                    &"merge",
                    &d.join("a.experiment.ron"),
                    &"--out",
                    &out,
                    &"--",
                    &shard,
                ]));
                let wrong = check(tree(&shard) == before && !shard.join("x").exists(), || {
                    "the merge wrote into its shard".into()
                });
                said(&o, wrong)
            },
        },
        #[cfg(unix)]
        Case {
            name: "runs_dir_link",
            holds: "`--out`'s `runs/` is a link to a directory elsewhere",
            succeeds: false,
            says: "runs: is a symbolic link; siloscope writes only into real directories",
            run: |d| {
                let out = d.join("out");
                std::fs::create_dir_all(&out).unwrap();
                std::fs::create_dir_all(d.join("elsewhere")).unwrap();
                link(&d.join("elsewhere"), &out.join("runs"));
                let o = siloscope(&batch(d, "a", &out));
                let wrong = check(tree(&d.join("elsewhere")).is_empty(), || {
                    "wrote through the link".into()
                });
                said(&o, wrong)
            },
        },
        #[cfg(unix)]
        Case {
            name: "lock_hard_link",
            holds: "`--out/.siloscope.lock` is a hard link to a file elsewhere",
            succeeds: false,
            says: "has other hard links",
            run: |d| {
                let out = d.join("out");
                std::fs::create_dir_all(&out).unwrap();
                std::fs::write(d.join("victim"), "precious").unwrap();
                std::fs::hard_link(d.join("victim"), out.join(".siloscope.lock")).unwrap();
                let o = siloscope(&batch(d, "a", &out));
                let kept = std::fs::read(d.join("victim")).unwrap() == b"precious";
                said(&o, check(kept, || "victim overwritten".into()))
            },
        },
        Case {
            name: "others_temporaries",
            holds: "files in `--out` that look like temporaries but are not temporaries of siloscope's outputs (`.backup.Zq81xy.tmp`, `.notes.txt.Ab12Cd.siloscope.tmp`)",
            succeeds: true,
            says: "runs computed",
            run: |d| {
                let out = d.join("out");
                std::fs::create_dir_all(&out).unwrap();
                let theirs = [".backup.Zq81xy.tmp", ".notes.txt.Ab12Cd.siloscope.tmp"];
                for t in theirs {
                    std::fs::write(out.join(t), "theirs").unwrap();
                }
                let o = siloscope(&batch(d, "a", &out));
                let kept = theirs.iter().all(|t| out.join(t).exists());
                Said {
                    line: text(&o.stderr)
                        .lines()
                        .find(|l| l.contains("runs computed"))
                        .unwrap_or("")
                        .to_owned(),
                    ..said(&o, check(kept, || "removed someone else's file".into()))
                }
            },
        },
        Case {
            name: "path_spelling",
            holds: "a batch resumed with the experiment file named another way (`a.experiment.ron` from its folder, then by its absolute path)",
            succeeds: true,
            says: "0 runs computed, 6 resumed",
            run: |d| {
                let out = d.join("out");
                let first = bin()
                    .current_dir(d)
                    .args(["batch", "a.experiment.ron", "--out", "out"])
                    .output()
                    .unwrap();
                let o = siloscope(&batch(d, "a", &out));
                Said {
                    line: text(&o.stderr)
                        .lines()
                        .find(|l| l.contains("resumed from"))
                        .unwrap_or("")
                        .to_owned(),
                    ..said(&o, check(first.status.success(), || text(&first.stderr)))
                }
            },
        },
        Case {
            name: "run_into_batch_dir",
            holds: "`run --out` naming a batch's output directory",
            succeeds: false,
            says: "holds a batch's outputs (manifest.json)",
            run: |d| {
                let out = d.join("out");
                siloscope(&batch(d, "a", &out));
                let before = tree(&out);
                let o = siloscope(&os(&[&"run", &d.join("tiny.scenario.ron"), &"--out", &out]));
                said(
                    &o,
                    check(tree(&out) == before, || {
                        "the batch's outputs changed".into()
                    }),
                )
            },
        },
        Case {
            name: "escaped_names",
            holds: "an experiment named `n ESC[31m X BEL` (terminal escape sequences)",
            succeeds: true,
            says: "batch: n\\u{1b}[31mX\\u{7} —",
            run: |d| {
                std::fs::write(
                    d.join("esc.experiment.ron"),
                    "Experiment(name: \"n\\u{1b}[31mX\\u{7}\", scenario: \"tiny.scenario.ron\", policies: [\"inside_out\", \"connected\"], replicates: 2, steps: 5, metrics: [\"advocates\"], seed: 5)",
                )
                .unwrap();
                let o = siloscope(&batch(d, "esc", &d.join("out")));
                let all = format!("{}{}", text(&o.stdout), text(&o.stderr));
                let raw = all.contains('\u{1b}') || all.contains('\u{7}');
                Said {
                    line: text(&o.stderr).lines().next().unwrap_or("").to_owned(),
                    ..said(
                        &o,
                        check(!raw, || "a control character reached the terminal".into()),
                    )
                }
            },
        },
        Case {
            name: "duplicate_policies",
            holds: "`batch <scenario> --policies connected,connected`",
            succeeds: false,
            says: "\"connected\" is listed twice",
            run: |d| {
                said(
                    &siloscope(&os(&[
                        &"batch",
                        &d.join("tiny.scenario.ron"),
                        &"--policies",
                        &"connected,connected",
                        &"--out",
                        &d.join("out"),
                    ])),
                    None,
                )
            },
        },
        Case {
            name: "min_weight_nan",
            holds: "`import --min-weight NaN`",
            succeeds: false,
            says: "NaN is not a finite number",
            run: |d| {
                said(
                    &siloscope(&os(&[
                        &"import",
                        &"--agents",
                        &"a.csv",
                        &"--ties",
                        &"t.csv",
                        &"--min-weight",
                        &"NaN",
                        &"--out",
                        &d.join("o.scenario.ron"),
                    ])),
                    None,
                )
            },
        },
        Case {
            name: "jobs_huge",
            holds: "`batch --jobs 1000000`",
            succeeds: false,
            says: "1000000 is out of range; allowed 1 to 1024 threads",
            run: |d| {
                let mut args = batch(d, "a", &d.join("out"));
                args[3] = "1000000".into();
                said(&siloscope(&args), None)
            },
        },
        Case {
            name: "jobs_zero",
            holds: "`batch --jobs 0`",
            succeeds: false,
            says: "0 is out of range; allowed 1 to 1024 threads",
            run: |d| {
                let mut args = batch(d, "a", &d.join("out"));
                args[3] = "0".into();
                said(&siloscope(&args), None)
            },
        },
        Case {
            name: "os_error_once",
            holds: "`batch --out` naming an existing file",
            succeeds: false,
            says: "File exists (os error 17)",
            run: |d| {
                std::fs::write(d.join("taken"), "").unwrap();
                let o = siloscope(&batch(d, "a", &d.join("taken")));
                let err = text(&o.stderr);
                let wrong = check(err.matches("os error").count() == 1, || err.clone());
                said(&o, wrong)
            },
        },
        Case {
            name: "one_problem",
            holds: "an import whose agents CSV has one bad row",
            succeeds: false,
            says: "1 problem; nothing written",
            run: |d| {
                std::fs::write(
                    d.join("agents.csv"),
                    "id,part,group\nann,department,Sales\nbob,planet,Sales\n",
                )
                .unwrap();
                std::fs::write(d.join("ties.csv"), "source,target\nann,bob\n").unwrap();
                let o = siloscope(&os(&[
                    &"import",
                    &"--agents",
                    &d.join("agents.csv"),
                    &"--ties",
                    &d.join("ties.csv"),
                    &"--out",
                    &d.join("o.scenario.ron"),
                ]));
                let err = text(&o.stderr);
                Said {
                    line: err.lines().last().unwrap_or("").to_owned(),
                    ..said(&o, None)
                }
            },
        },
    ]
}

/// Every case's quoted line, checked against what the case expects.
fn table() -> String {
    let mut rows =
        String::from("| case | what siloscope meets | siloscope says |\n|---|---|---|\n");
    let mut wrong = Vec::new();
    for case in cases() {
        let d = workspace(case.name);
        let started = std::time::Instant::now();
        let said = (case.run)(&d);
        let name = case.name;
        assert!(
            started.elapsed().as_secs() < 120,
            "{name} took {:?}",
            started.elapsed()
        );
        if said.ok != case.succeeds || !said.line.contains(case.says) {
            wrong.push(format!("{name}: ok = {}, said {:?}", said.ok, said.line));
        }
        if let Some(w) = said.wrong {
            wrong.push(format!("{name}: {w}"));
        }
        // Paths, process ids and durations vary from run to run.
        let mut line = said.line.replace(&format!("{}/", d.display()), "");
        line = mask_numbers_after(&line, "process ");
        line = mask_numbers_after(&line, ", for ");
        line = mask_numbers_after(&line, ", in ");
        let line = line.replace('|', "\\|");
        rows.push_str(&format!("| {name} | {} | `` {line} `` |\n", case.holds));
        let _ = std::fs::remove_dir_all(&d);
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    rows
}

/// `text` with the number after each `marker` replaced by `N`.
fn mask_numbers_after(text: &str, marker: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find(marker) {
        out.push_str(&rest[..i + marker.len()]);
        rest = &rest[i + marker.len()..];
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if digits > 0 {
            out.push('N');
        }
        rest = &rest[digits..];
    }
    out.push_str(rest);
    out
}

#[test]
fn outputs_survive_hostile_files_and_processes_and_the_docs_table_matches() {
    let rows = table();
    let doc = Path::new(ROOT).join("docs/hostile-input.md");
    let text = std::fs::read_to_string(&doc).unwrap();
    let (start, end) = ("<!-- outputs: start -->\n", "<!-- outputs: end -->");
    let (Some(a), Some(b)) = (text.find(start), text.find(end)) else {
        panic!("docs/hostile-input.md lacks the outputs table markers");
    };
    let committed = &text[a + start.len()..b];
    if committed != rows && std::env::var_os("SILOSCOPE_REGENERATE").is_some() {
        let updated = format!("{}{rows}{}", &text[..a + start.len()], &text[b..]);
        std::fs::write(&doc, updated).unwrap();
        return;
    }
    assert!(
        committed == rows,
        "docs/hostile-input.md is out of date; regenerate with SILOSCOPE_REGENERATE=1 cargo test -p siloscope --test tests integrity\n{rows}"
    );
}

/// N processes started at once on one `--out`, running the same or
/// different experiments: every process either completes or is refused
/// with a clear message, and what is left is exactly the complete output
/// of one experiment, never a mix.
#[test]
fn concurrent_batches_on_one_output_never_mix() {
    let d = workspace("concurrent");
    let references = [("a", reference(&d, "a")), ("b", reference(&d, "b"))];
    // Mixes of experiments, in start order.
    let mixes: [&[&str]; 5] = [
        &["a", "a"],
        &["a", "b"],
        &["b", "a", "a"],
        &["a", "b", "a", "b"],
        &["a", "a", "a", "a", "b"],
    ];
    for (round, mix) in mixes.iter().enumerate() {
        let out = d.join(format!("out{round}"));
        let children: Vec<_> = mix
            .iter()
            .map(|exp| {
                bin()
                    .args(batch(&d, exp, &out))
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let mut completed = Vec::new();
        for (exp, child) in mix.iter().zip(children) {
            let o = child.wait_with_output().unwrap();
            let err = text(&o.stderr);
            if o.status.success() {
                completed.push(*exp);
            } else {
                assert!(
                    err.contains("is in use by")
                        || err.contains("holds the outputs of a different experiment"),
                    "round {round}: {exp} failed unclearly: {err}"
                );
            }
        }
        assert!(!completed.is_empty(), "round {round}: nobody completed");
        let left = outputs(&out);
        let whose: Vec<&str> = references
            .iter()
            .filter(|(_, r)| *r == left)
            .map(|(e, _)| *e)
            .collect();
        assert_eq!(
            whose.len(),
            1,
            "round {round}: the output is no experiment's complete output"
        );
        assert!(
            completed.iter().all(|e| *e == whose[0]),
            "round {round}: {completed:?} completed but the output is {}'s",
            whose[0]
        );
        assert!(temporaries(&out).is_empty() && !out.join(".siloscope.lock").exists());
    }
    std::fs::remove_dir_all(&d).unwrap();
}

/// Output cut short ends the command as it ends other Unix tools (by the
/// pipe's signal), never with a panic: its reader is gone before it writes.
#[test]
fn output_cut_short_ends_the_command_quietly() {
    use std::os::unix::process::ExitStatusExt;
    let dir = workspace("closed-pipe");
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = bin()
        .args([
            "run",
            "scenarios/workshop.scenario.ron",
            "--steps",
            "3",
            "--out",
        ])
        .arg(dir.join("run"))
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let said = text(&out.stderr);
    assert!(!said.contains("panicked"), "{said}");
    assert_eq!(out.status.signal(), Some(libc::SIGPIPE), "{said}");
    let _ = std::fs::remove_dir_all(&dir);
}
