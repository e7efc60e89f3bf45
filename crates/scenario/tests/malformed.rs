//! Every file in `tests/fixtures/malformed/` is a broken scenario whose
//! first line says where the first error must be reported:
//!
//! ```text
//! // expect: LINE:COLUMN: FIELD.PATH: start of the message
//! ```
//!
//! The test parses each through the same path the CLI uses and checks the
//! position, the field path and the message.

use siloscope_scenario::files::read_scenario;
use std::path::{Path, PathBuf};

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/malformed");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixture directory exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".scenario.ron"))
        .collect();
    v.sort();
    v
}

/// (line, column, field path, message start) from a fixture's header.
fn expectation(path: &Path) -> Option<(usize, usize, String, String)> {
    let text = std::fs::read_to_string(path).ok()?;
    let rest = text.lines().next()?.strip_prefix("// expect: ")?;
    let (line, rest) = rest.split_once(':')?;
    let (column, rest) = rest.split_once(": ")?;
    let (field, message) = rest.split_once(": ")?;
    Some((
        line.parse().ok()?,
        column.parse().ok()?,
        field.to_owned(),
        message.to_owned(),
    ))
}

#[test]
fn each_malformed_fixture_reports_its_exact_location_and_field() {
    let files = fixtures();
    assert!(files.len() >= 20, "fixtures missing: {}", files.len());
    let mut checked = 0;
    for path in &files {
        let errors =
            read_scenario(path).expect_err(&format!("{} should be rejected", path.display()));
        let first = errors.iter().next().expect("at least one error");
        let shown = first.to_string();
        assert!(shown.starts_with(&path.display().to_string()), "{shown}");
        let name = path.file_name().unwrap().to_string_lossy();
        match name.as_ref() {
            "empty.scenario.ron" => {
                assert_eq!((first.line, first.column), (1, 1), "{shown}");
                assert!(first.message.contains("empty"), "{shown}");
            }
            "not_utf8.scenario.ron" => {
                assert_eq!((first.line, first.column), (1, 1), "{shown}");
                assert!(first.message.contains("not UTF-8"), "{shown}");
            }
            _ => {
                let (line, column, field, message) = expectation(path)
                    .unwrap_or_else(|| panic!("{name} has no `// expect:` header"));
                assert_eq!(
                    (first.line, first.column),
                    (line, column),
                    "{name}: {shown}"
                );
                assert_eq!(first.path, field, "{name}: {shown}");
                assert!(
                    first.message.starts_with(&message),
                    "{name}: expected message starting {message:?}, got {shown}"
                );
            }
        }
        checked += 1;
    }
    assert_eq!(checked, files.len());
}

#[test]
fn validation_reports_every_error_not_just_the_first() {
    let src = r#"Scenario(
        name: "",
        steps: 0,
        groups: [ (name: "A", part: Department, count: 3, ties: SmallWorld(k: 3, rewire: 2.0)) ],
    )"#;
    let errors = siloscope_scenario::parse_str(src, "many.scenario.ron").unwrap_err();
    let paths: Vec<_> = errors.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "name",
            "steps",
            "groups[0].ties.SmallWorld.k",
            "groups[0].ties.SmallWorld.rewire"
        ],
        "{errors}"
    );
}

#[test]
fn a_directory_and_a_missing_file_are_clear_errors() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let e = read_scenario(&dir).unwrap_err().to_string();
    assert!(e.contains("is a directory"), "{e}");
    let e = read_scenario(&dir.join("no-such.scenario.ron"))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("no-such.scenario.ron: cannot read the file"),
        "{e}"
    );
}
