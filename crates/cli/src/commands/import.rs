//! `siloscope import`: an organisation's agents and ties CSVs, or a GraphML
//! or GEXF file, become a scenario with its network in two CSV files beside
//! it (or, with `--embed`, in the scenario file itself); every bad row is
//! reported, and nothing is written unless all is good.

use crate::args::ImportArgs;
use anyhow::{Context, Result, bail};
use siloscope_files::{AtomicFile, Limit};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// What an import's CSVs may be: regular files of at most 512 MiB (an
/// organisation of a million people and ten million ties is about 300 MB
/// as CSV).
const CSV_LIMIT: Limit = Limit {
    max_bytes: 512 << 20,
    what: "import files",
    expected: "a CSV, GraphML or GEXF file",
};

/// What a GraphML or GEXF file may be: at most 128 MiB. Reading XML takes
/// about twenty times its size in memory; networkx writes about 60 bytes
/// per edge, so this is about two million edges (larger networks import
/// from the CSV pair).
const GRAPH_LIMIT: Limit = Limit {
    max_bytes: 128 << 20,
    what: "GraphML and GEXF files",
    expected: "a CSV, GraphML or GEXF file",
};

pub(crate) fn run(args: ImportArgs) -> Result<ExitCode> {
    use siloscope_scenario::import::{Csv, GraphAttributes, ImportOptions, import, import_graph};
    // `x.scenario.ron/` would be taken as the file `x.scenario.ron`, and
    // fail only when it is given its name.
    if args
        .out
        .as_os_str()
        .to_string_lossy()
        .ends_with(std::path::is_separator)
    {
        bail!(
            "--out {}: names a directory; give the scenario file to write",
            args.out.display()
        );
    }
    // Where the files go must be there: said before the import's work,
    // not after it.
    let folder = match args.out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !folder.is_dir() {
        bail!(
            "--out {}: the folder {} does not exist; create it first",
            args.out.display(),
            folder.display()
        );
    }
    if args.name.as_deref().is_some_and(|n| n.trim().is_empty()) {
        bail!(
            "--name is empty; give the scenario a name, or leave --name out to take it from --out"
        );
    }
    let outputs = Outputs::for_scenario(&args.out, args.embed);
    for path in outputs.paths() {
        // `symlink_metadata`: a dangling link at an output exists too.
        if let Ok(meta) = std::fs::symlink_metadata(path) {
            // --force would not help: say what would.
            if meta.is_dir() && *path == args.out {
                bail!(
                    "{} is a directory; give the scenario file to write (e.g. {})",
                    path.display(),
                    path.join("org.scenario.ron").display()
                );
            }
            if meta.is_dir() {
                bail!(
                    "{} is a directory, where this import would write its network beside {}; choose another --out, or --embed the network",
                    path.display(),
                    args.out.display()
                );
            }
            if !args.force {
                bail!(
                    "{} exists; choose another --out or pass --force to replace it",
                    path.display()
                );
            }
            // --force replaces a file, never a link, device or directory.
            siloscope_files::check_replaceable(path)
                .with_context(|| format!("--force cannot replace {}", path.display()))?;
        }
    }
    // An input is never overwritten, even with --force.
    for input in [&args.agents, &args.ties, &args.graph]
        .into_iter()
        .flatten()
    {
        if let Some(path) = outputs.paths().find(|p| same_file(p, input)) {
            bail!(
                "{} is an input of this import; write the scenario somewhere else",
                path.display()
            );
        }
    }
    let read = |p: &Path, limit: &Limit| {
        siloscope_files::read_regular(p, limit)
            .map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))
            .and_then(|b| {
                String::from_utf8(b).map_err(|e| {
                    // Line and column (in characters, lines as an editor
                    // counts them) of the first byte that is not UTF-8.
                    let valid = e.utf8_error().valid_up_to();
                    let good = std::str::from_utf8(&e.as_bytes()[..valid]).unwrap_or("");
                    let at = siloscope_scenario::locate::Position::of_offset(good, valid);
                    anyhow::anyhow!(
                        "{}:{}:{}: not UTF-8; save the file as UTF-8",
                        p.display(),
                        at.line,
                        at.column
                    )
                })
            })
    };
    let name = args.name.clone().unwrap_or_else(|| {
        args.out
            .file_name()
            .map(|n| {
                n.to_string_lossy()
                    .trim_end_matches(".scenario.ron")
                    .replace('_', " ")
            })
            .unwrap_or_else(|| "Imported organisation".into())
    });
    let options = ImportOptions {
        name,
        steps: args.steps,
        step_unit: args.step_unit.clone(),
        seed: args.seed,
        min_weight: args.min_weight,
    };
    let imported = match (&args.graph, &args.agents, &args.ties) {
        (Some(graph), _, _) => {
            let text = read(graph, &GRAPH_LIMIT)?;
            let graph_name = graph.display().to_string();
            let attributes = GraphAttributes {
                group: match &args.group_attr {
                    Some(g) => vec![g.clone()],
                    None => GraphAttributes::default().group,
                },
                part: args.part_attr.clone(),
                role: args.role_attr.clone(),
                default_part: args.part,
            };
            import_graph(
                Csv {
                    name: &graph_name,
                    text: &text,
                },
                &attributes,
                &options,
            )
        }
        (None, Some(agents_path), Some(ties_path)) => {
            let (agents, ties) = (read(agents_path, &CSV_LIMIT)?, read(ties_path, &CSV_LIMIT)?);
            let (agents_name, ties_name) = (
                agents_path.display().to_string(),
                ties_path.display().to_string(),
            );
            import(
                Csv {
                    name: &agents_name,
                    text: &agents,
                },
                Csv {
                    name: &ties_name,
                    text: &ties,
                },
                &options,
            )
        }
        _ => bail!("give --agents and --ties, or --graph"),
    };
    let done = match imported {
        Ok(done) => done,
        Err(errors) => {
            eprintln!("{errors}");
            let problems = super::count(errors.total(), "problem", "problems");
            eprintln!("{problems}; nothing written");
            return Ok(ExitCode::FAILURE);
        }
    };
    let out_name = args.out.display().to_string();
    // Never write a scenario that validate, run and the app would refuse:
    // a scenario file is at most 16 MiB, its network in files or not.
    let limit = siloscope_scenario::files::MAX_FILE_BYTES;
    let too_big = |text: &str, advice: &str| {
        (text.len() as u64 > limit).then(|| {
            eprintln!(
                "{}: the imported scenario would be {:.1} MB ({} agents in {} groups, {} ties), over the {limit}-byte limit for scenario files; nothing written. {advice}",
                super::shown_path(&args.out),
                text.len() as f64 / 1e6,
                done.agents,
                done.groups,
                done.ties
            );
        })
    };
    let files: Vec<(PathBuf, Vec<u8>)> = match &outputs.network {
        None => {
            let text = done.embedded();
            if too_big(
                &text,
                "Leave out --embed to keep the network in files beside the scenario.",
            )
            .is_some()
            {
                return Ok(ExitCode::FAILURE);
            }
            if let Err(e) = siloscope_scenario::parse_str(&text, &out_name) {
                bail!("the imported scenario is not valid:\n{e}");
            }
            vec![(args.out.clone(), text.into_bytes())]
        }
        Some([agents_path, ties_path]) => {
            let names = [agents_path, ties_path].map(|p| {
                p.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            });
            let written = done.referenced(&names[0], &names[1]);
            // The groups stay in the scenario: so many that it is too big
            // is an organisation with a group per few people.
            if too_big(
                &written.scenario,
                "Each group is written into the scenario: group the agents into fewer, larger groups (the group column).",
            )
            .is_some()
            {
                return Ok(ExitCode::FAILURE);
            }
            // The scenario is checked with its files as they will be read.
            let network: std::collections::BTreeMap<String, Vec<u8>> = [
                (names[0].clone(), written.agents.into_bytes()),
                (names[1].clone(), written.ties.into_bytes()),
            ]
            .into();
            if let Err(e) =
                siloscope_scenario::parse_str_with(&written.scenario, &out_name, &network)
            {
                bail!("the imported scenario is not valid:\n{e}");
            }
            let mut network = network;
            let mut take = |name: &str| network.remove(name).unwrap_or_default();
            // The scenario last: it never names files that are not there.
            vec![
                (agents_path.clone(), take(&names[0])),
                (ties_path.clone(), take(&names[1])),
                (args.out.clone(), written.scenario.into_bytes()),
            ]
        }
    };
    // Every file is written under a temporary name first, and only then
    // are they given their names (the scenario last): a failure before
    // that (a bad --out, a full disk) leaves every destination as it was.
    let mut prepared = Vec::with_capacity(files.len());
    for (path, bytes) in &files {
        prepared.push((path, prepare(path, bytes)?));
    }
    // Replacing an import: the old scenario goes before its network files
    // are replaced, so that an import killed halfway leaves no scenario
    // beside network files it does not describe (it leaves none at all,
    // and the import is run again).
    if args.force && outputs.network.is_some() && std::fs::symlink_metadata(&args.out).is_ok() {
        std::fs::remove_file(&args.out)
            .with_context(|| format!("--force cannot replace {}", args.out.display()))?;
    }
    for (path, file) in prepared {
        // The crash tests' hook: stalls here, before this file is given its
        // name, when asked to.
        siloscope_lab::output::stall_if_asked(path, || {});
        let committed = if args.force {
            file.commit()
        } else {
            file.commit_new()
        };
        committed.with_context(|| format!("cannot write {}", path.display()))?;
    }
    for (file, columns) in &done.ignored {
        eprintln!(
            "import: ignored columns of {}: {}",
            super::shown(file),
            super::shown(&columns.join(", "))
        );
    }
    let network = match &outputs.network {
        Some([a, t]) => format!(
            " (its network in {} and {})",
            super::shown_path(a),
            super::shown_path(t)
        ),
        None => String::new(),
    };
    println!(
        "wrote {}{network}: {} agents in {} groups, {} ties ({} repeated rows merged, {} below --min-weight left out)",
        super::shown_path(&args.out),
        done.agents,
        done.groups,
        done.ties,
        done.merged,
        done.light
    );
    Ok(ExitCode::SUCCESS)
}

/// What an import writes: the scenario, and unless it is embedded, the
/// agents and ties files beside it (`acme.scenario.ron` names
/// `acme.agents.csv` and `acme.ties.csv`).
struct Outputs {
    scenario: PathBuf,
    network: Option<[PathBuf; 2]>,
}

impl Outputs {
    fn for_scenario(out: &Path, embed: bool) -> Outputs {
        let name = out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let stem = name
            .strip_suffix(".scenario.ron")
            .or_else(|| name.strip_suffix(".ron"))
            .unwrap_or(&name);
        let beside = |suffix: &str| out.with_file_name(format!("{stem}.{suffix}.csv"));
        Outputs {
            scenario: out.to_path_buf(),
            network: (!embed).then(|| [beside("agents"), beside("ties")]),
        }
    }

    fn paths(&self) -> impl Iterator<Item = &PathBuf> {
        std::iter::once(&self.scenario).chain(self.network.iter().flatten())
    }
}

/// Whether two paths name the same file (both exist and resolve alike).
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// `bytes` written to a temporary file beside `path`, not yet given its
/// name.
fn prepare(path: &Path, bytes: &[u8]) -> Result<AtomicFile> {
    let cannot_write = || format!("cannot write {}", path.display());
    // A killed import left its temporary file; import takes no lock, so only
    // those of this very destination are removed.
    if let (Some(dir), Some(name)) = (path.parent(), path.file_name()) {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        let name = name.to_string_lossy();
        let ours = |n: &str| siloscope_files::write::made_for(n, &name);
        siloscope_files::write::remove_stale_temporaries(dir, ours).with_context(cannot_write)?;
    }
    let mut file = AtomicFile::create(path).with_context(cannot_write)?;
    file.write_all(bytes).with_context(cannot_write)?;
    Ok(file)
}
