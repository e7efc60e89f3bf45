//! The domain map (`docs/domain.md`) matches the code: each claim leads to
//! a file that exists, every mechanism file is on the map, and the knobs
//! and metrics it names are real. Each mechanism file opens the way the
//! map promises.

use siloscope_model::knob::Knob;
use siloscope_model::metrics::METRICS;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).to_path_buf()
}

/// The rows of the claims table: its cells, split on `|`.
fn claim_rows(doc: &str) -> Vec<Vec<String>> {
    let start = doc
        .find("| claim (seed) | mechanism | knob | metric that shows it | file |")
        .expect("docs/domain.md has the claims table");
    doc[start..]
        .lines()
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            l.trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().to_owned())
                .collect()
        })
        .collect()
}

/// The `code` spans of a cell.
fn spans(cell: &str) -> Vec<&str> {
    cell.split('`').skip(1).step_by(2).collect()
}

/// The target of the markdown link in a cell, relative to `docs/`.
fn link(cell: &str) -> Option<&str> {
    let open = cell.find("](")?;
    let rest = &cell[open + 2..];
    Some(&rest[..rest.find(')')?])
}

#[test]
fn every_claim_leads_to_its_file_and_names_real_knobs_and_metrics() {
    let doc = std::fs::read_to_string(root().join("docs/domain.md")).unwrap();
    let rows = claim_rows(&doc);
    assert!(rows.len() >= 14, "only {} claims", rows.len());
    for row in &rows {
        assert_eq!(row.len(), 5, "a claims row has five cells: {row:?}");
        let file = link(&row[4]).unwrap_or_else(|| panic!("no file link in {row:?}"));
        let path = root().join("docs").join(file);
        assert!(path.is_file(), "{} does not exist ({})", file, row[0]);
        for knob in spans(&row[2]) {
            assert!(
                Knob::from_name(knob).is_some() || knob.starts_with("model."),
                "{knob} is not a knob ({})",
                row[0]
            );
        }
        let metrics = spans(&row[3]);
        assert!(!metrics.is_empty(), "no metric for {}", row[0]);
        for m in metrics {
            assert!(
                METRICS.iter().any(|metric| metric.name == m),
                "{m} is not a metric ({})",
                row[0]
            );
        }
    }
    // Every knob shows up in the table.
    for k in Knob::ALL {
        assert!(
            rows.iter().any(|r| spans(&r[2]).contains(&k.name())),
            "no claim turns the knob {k}"
        );
    }
}

#[test]
fn every_mechanism_file_is_on_the_map_and_opens_with_its_contract() {
    let doc = std::fs::read_to_string(root().join("docs/domain.md")).unwrap();
    let dir = root().join("crates/model/src/sim/step");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().is_some_and(|n| n != "mod.rs"))
        .collect();
    files.sort();
    assert!(files.len() >= 12, "{files:?}");
    let index = std::fs::read_to_string(dir.join("mod.rs")).unwrap();
    for f in &files {
        let name = f.file_name().unwrap().to_str().unwrap();
        assert!(
            doc.contains(&format!("../crates/model/src/sim/step/{name})")),
            "docs/domain.md does not link {name}"
        );
        assert!(
            index.contains(&format!("`{name}`")),
            "step/mod.rs does not list {name}"
        );
        let text = std::fs::read_to_string(f).unwrap();
        let header: String = text
            .lines()
            .take_while(|l| l.starts_with("//!"))
            .collect::<Vec<_>>()
            .join("\n");
        assert!(header.starts_with("//! **"), "{name} opens with its claim");
        for part in ["**Models:**", "**Feeds:**", "**Leaves out:**"] {
            assert!(header.contains(part), "{name}'s header lacks {part}");
        }
        assert!(
            header.contains("**Knob:**") || header.contains("**Knobs:**"),
            "{name}'s header names no knob"
        );
    }
}

#[test]
fn every_relative_link_in_the_readme_and_docs_resolves() {
    let mut pages = vec![root().join("README.md")];
    for e in std::fs::read_dir(root().join("docs")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "md") {
            pages.push(p);
        }
    }
    let mut broken = Vec::new();
    for page in &pages {
        let text = std::fs::read_to_string(page).unwrap();
        for piece in text.split("](").skip(1) {
            let Some(target) = piece.split(')').next() else {
                continue;
            };
            let target = target.split('#').next().unwrap_or("");
            if target.is_empty() || target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            if !page.parent().unwrap().join(target).exists() {
                broken.push(format!("{}: {target}", page.display()));
            }
        }
    }
    assert!(broken.is_empty(), "broken links: {broken:#?}");
}
