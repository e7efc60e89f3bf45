//! The architecture holds: in every crate, no source file outside tests is
//! much over 500 lines, and no module imports another that imports it back
//! (through any chain), parents and children aside. What the crates may
//! depend on is checked by `.ci/run` with `cargo tree`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Longest a non-test source file may be.
const MAX_LINES: usize = 520;

fn crates() -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/..")).to_path_buf()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// A module path (`["ui", "charts"]`) for a file under `src/`; `None` for
/// test files.
fn module_of(src: &Path, file: &Path) -> Option<Vec<String>> {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut path: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(
        path.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        path.pop();
    }
    (path.last().map(String::as_str) != Some("tests")).then_some(path)
}

/// The text without `//` comments (doc links are not imports).
fn code(text: &str) -> String {
    text.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The paths that follow `prefix::` in the code, as segments.
fn paths_after<'a>(code: &'a str, prefix: &str) -> Vec<Vec<&'a str>> {
    let mut out = Vec::new();
    let pat = format!("{prefix}::");
    let mut rest = code;
    while let Some(at) = rest.find(&pat) {
        let before = rest[..at].chars().last();
        rest = &rest[at + pat.len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
            .unwrap_or(rest.len());
        out.push(rest[..end].split("::").filter(|s| !s.is_empty()).collect());
    }
    out
}

#[test]
fn no_source_file_is_much_over_500_lines() {
    let mut long = Vec::new();
    for krate in std::fs::read_dir(crates()).unwrap() {
        let src = krate.unwrap().path().join("src");
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        for f in files {
            if module_of(&src, &f).is_none() {
                continue;
            }
            let text = std::fs::read_to_string(&f).unwrap();
            // Inline unit tests do not count.
            let lines = text
                .split("#[cfg(test)]\nmod tests {")
                .next()
                .unwrap()
                .lines()
                .count();
            if lines > MAX_LINES {
                long.push(format!("{} ({lines} lines)", f.display()));
            }
        }
    }
    assert!(long.is_empty(), "split these by concern: {long:?}");
}

#[test]
fn no_module_imports_its_importers() {
    let mut cycles = Vec::new();
    for krate in std::fs::read_dir(crates()).unwrap() {
        let src = krate.unwrap().path().join("src");
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        let mods: BTreeMap<Vec<String>, String> = files
            .iter()
            .filter_map(|f| Some((module_of(&src, f)?, code(&std::fs::read_to_string(f).ok()?))))
            .collect();
        // The longest prefix of `path` that is a module of this crate.
        let resolve = |path: Vec<String>| {
            (1..=path.len())
                .rev()
                .map(|k| path[..k].to_vec())
                .find(|p| mods.contains_key(p))
        };
        let related = |a: &[String], b: &[String]| a.starts_with(b) || b.starts_with(a);
        let mut edges: BTreeMap<&Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
        for (m, text) in &mods {
            let mut to = BTreeSet::new();
            for p in paths_after(text, "crate") {
                to.extend(resolve(p.iter().map(|s| s.to_string()).collect()));
            }
            for p in paths_after(text, "super") {
                let mut full: Vec<String> = m[..m.len().saturating_sub(1)].to_vec();
                full.extend(p.iter().map(|s| s.to_string()));
                to.extend(resolve(full));
            }
            to.retain(|n| !related(m, n));
            edges.insert(m, to);
        }
        // Depth-first search for a path back to the start.
        for start in edges.keys() {
            let mut stack = vec![((*start).clone(), vec![(*start).clone()])];
            let mut seen = BTreeSet::new();
            while let Some((at, trail)) = stack.pop() {
                for next in edges.get(&at).into_iter().flatten() {
                    if next == *start {
                        cycles.push(
                            trail
                                .iter()
                                .chain([next])
                                .map(|m| m.join("::"))
                                .collect::<Vec<_>>()
                                .join(" -> "),
                        );
                    } else if seen.insert(next.clone()) {
                        let mut t = trail.clone();
                        t.push(next.clone());
                        stack.push((next.clone(), t));
                    }
                }
            }
        }
    }
    assert!(cycles.is_empty(), "import cycles: {cycles:#?}");
}
