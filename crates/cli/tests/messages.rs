//! What the `siloscope` binary prints about a file: positions as an editor
//! shows them whatever the line endings, and text from the file (or its
//! name, or the command line) shown, not obeyed by the terminal, and of
//! bounded length.

use super::support::{import, siloscope, text};
use std::path::PathBuf;

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("siloscope-messages-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Whether a terminal could take something in `printed` for a command
/// (line breaks between messages are fine).
fn has_controls(printed: &str) -> bool {
    printed.chars().any(|c| c.is_control() && c != '\n')
}

/// Retitles the terminal, rings the bell and clears the screen.
const HOSTILE: &str = "\u{1b}]0;owned\u{7}\u{1b}[2J";
/// How [`HOSTILE`] must be shown.
const SHOWN: &str = "\\u{1b}]0;owned\\u{7}\\u{1b}[2J";

/// A scenario whose link names an unknown group `to` (written as a RON
/// string with escapes, so the file itself is plain), on line 4.
fn scenario_linking_to(to: &str) -> String {
    format!(
        "Scenario(\n    name: \"m\",\n    groups: [ (name: \"Product\", part: Department, role: Product, count: 3) ],\n    links: [ (from: \"Product\", to: {to:?}, ties: Density(0.5)) ],\n)\n"
    )
}

#[test]
fn validate_positions_errors_as_an_editor_does_for_crlf_and_cr_files() {
    let dir = temp_dir("endings");
    let lf = scenario_linking_to("Sales");
    let mut args = vec!["validate".to_owned()];
    for (name, ending) in [("lf", "\n"), ("crlf", "\r\n"), ("cr", "\r")] {
        let path = dir.join(format!("{name}.scenario.ron"));
        std::fs::write(&path, lf.replace('\n', ending)).unwrap();
        args.push(path.display().to_string());
    }
    let out = siloscope(&args);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    for name in ["lf", "crlf", "cr"] {
        assert!(
            err.contains(&format!(
                "{name}.scenario.ron:4:36: links[0].to: unknown group \"Sales\""
            )),
            "{name}: {err}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn validate_escapes_names_from_the_file_and_the_file_name() {
    let dir = temp_dir("validate");
    // A name quoted in an error.
    let quoted = dir.join("quoted.scenario.ron");
    std::fs::write(&quoted, scenario_linking_to(&format!("Sales{HOSTILE}"))).unwrap();
    // A file name, in an error and in the line that accepts a file, and a
    // scenario's own name.
    let evil = dir.join(format!("evil{HOSTILE}.scenario.ron"));
    std::fs::write(&evil, scenario_linking_to("Sales")).unwrap();
    let fine = dir.join(format!("fine{HOSTILE}.scenario.ron"));
    std::fs::write(
        &fine,
        format!(
            "Scenario(name: {:?}, groups: [ (name: \"Product\", part: Department, role: Product, count: 3) ])\n",
            format!("named{HOSTILE}")
        ),
    )
    .unwrap();
    let out = siloscope(&[
        std::ffi::OsStr::new("validate"),
        quoted.as_os_str(),
        evil.as_os_str(),
        fine.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let (err, said) = (text(&out.stderr), text(&out.stdout));
    assert!(!has_controls(&err), "{err:?}");
    assert!(!has_controls(&said), "{said:?}");
    assert!(
        err.contains(&format!("links[0].to: unknown group \"Sales{SHOWN}\"")),
        "{err}"
    );
    assert!(
        err.contains(&format!("evil{SHOWN}.scenario.ron:4:36: links[0].to")),
        "{err}"
    );
    assert!(
        said.contains(&format!("fine{SHOWN}.scenario.ron (named{SHOWN}:")),
        "{said}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_error_quoting_the_command_line_is_escaped() {
    let dir = temp_dir("policy");
    let out = siloscope(&[
        "run",
        "crates/workshop/tests/fuzz/tiny.scenario.ron",
        "--policy",
        &format!("connected{HOSTILE}"),
        "--out",
        dir.join("run").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(!has_controls(&err), "{err:?}");
    assert!(
        err.contains(&format!("unknown policy \"connected{SHOWN}\"")),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn import_escapes_ids_and_cuts_a_megabyte_id_short() {
    let dir = temp_dir("import");
    let (agents, ties) = (dir.join("agents.csv"), dir.join("ties.csv"));
    std::fs::write(
        &agents,
        "id,part,group\r\nana,department,Product\r\nbo,departmint,Product\r\n",
    )
    .unwrap();
    let huge = "z".repeat(1_000_000);
    std::fs::write(
        &ties,
        format!("source,target\r\nana,\"x{HOSTILE}\"\r\nana,{huge}\r\n"),
    )
    .unwrap();
    let out = import(&agents, &ties, &dir.join("out.scenario.ron"));
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(!has_controls(&err), "{err:?}");
    assert!(err.len() < 5_000, "{} bytes printed", err.len());
    let (a, t) = (agents.display(), ties.display());
    assert!(
        err.contains(&format!("{a}:3:4: part: unknown part \"departmint\"")),
        "{err}"
    );
    assert!(
        err.contains(&format!("{t}:2:5: target: unknown agent \"x{SHOWN}\"")),
        "{err}"
    );
    assert!(
        err.contains(&format!("{t}:3:5: target: unknown agent \"zzz")),
        "{err}"
    );
    assert!(err.contains("characters left out"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_line_that_accepts_a_file_or_reports_a_run_stays_one_line() {
    let dir = temp_dir("one-line");
    // A file name with a line break in it, and a step unit that would
    // retitle the terminal.
    let odd = dir.join(format!("two\nlines{HOSTILE}.scenario.ron"));
    std::fs::write(
        &odd,
        format!(
            "Scenario(name: \"n\", steps: 2, step_unit: {:?}, groups: [ (name: \"Product\", part: Department, role: Product, count: 3) ])\n",
            format!("week{HOSTILE}")
        ),
    )
    .unwrap();
    let valid = siloscope(&[std::ffi::OsStr::new("validate"), odd.as_os_str()]);
    assert!(valid.status.success(), "{}", text(&valid.stderr));
    let said = text(&valid.stdout);
    assert_eq!(said.lines().count(), 1, "{said:?}");
    assert!(
        said.contains(&format!("two\\nlines{SHOWN}.scenario.ron")),
        "{said}"
    );
    let out = dir.join("run");
    let run = siloscope(&[
        std::ffi::OsStr::new("run"),
        odd.as_os_str(),
        std::ffi::OsStr::new("--out"),
        out.as_os_str(),
    ]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let said = text(&run.stdout);
    assert!(!has_controls(&said), "{said:?}");
    assert!(said.contains(&format!("2 week{SHOWN}s")), "{said}");
    std::fs::remove_dir_all(&dir).unwrap();
}
