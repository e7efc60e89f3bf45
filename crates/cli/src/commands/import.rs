//! `siloscope import`: an organisation's agents and ties CSVs, or a GraphML
//! or GEXF file, become a scenario file that embeds them; every bad row is
//! reported.

use crate::args::ImportArgs;
use anyhow::{Context, Result, bail};
use siloscope_files::{AtomicFile, Limit};
use std::io::Write;
use std::path::Path;
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
/// about twenty times its size in memory, and what a scenario can hold
/// (16 MiB, about 350,000 ties) is written in far less: networkx writes
/// about 60 bytes per edge.
const GRAPH_LIMIT: Limit = Limit {
    max_bytes: 128 << 20,
    what: "GraphML and GEXF files",
    expected: "a CSV, GraphML or GEXF file",
};

pub(crate) fn run(args: ImportArgs) -> Result<ExitCode> {
    use siloscope_scenario::import::{Csv, GraphAttributes, ImportOptions, import, import_graph};
    // `symlink_metadata`: a dangling link at --out exists too.
    if std::fs::symlink_metadata(&args.out).is_ok() {
        if !args.force {
            bail!(
                "{} exists; choose another --out or pass --force to replace it",
                args.out.display()
            );
        }
        // --force replaces a scenario file, never a link, device or directory.
        siloscope_files::check_replaceable(&args.out)
            .with_context(|| format!("--force cannot replace {}", args.out.display()))?;
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
            let problems = super::count(errors.0.len(), "problem", "problems");
            eprintln!("{problems}; nothing written");
            return Ok(ExitCode::FAILURE);
        }
    };
    // Never write a file that validate, run and the app would refuse: a
    // scenario is at most 16 MiB.
    let limit = siloscope_scenario::files::MAX_FILE_BYTES;
    if done.text.len() as u64 > limit {
        eprintln!(
            "{}: the imported scenario would be {:.1} MB ({} agents, {} ties), over the {limit}-byte limit for scenario files; nothing written. Leave out light ties with --min-weight, or import part of the organisation.",
            super::shown_path(&args.out),
            done.text.len() as f64 / 1e6,
            done.agents,
            done.ties
        );
        return Ok(ExitCode::FAILURE);
    }
    // The result must be a valid scenario (limits, ids) before it is written.
    let out_name = args.out.display().to_string();
    if let Err(e) = siloscope_scenario::parse_str(&done.text, &out_name) {
        bail!("the imported scenario is not valid:\n{e}");
    }
    let cannot_write = || format!("cannot write {}", args.out.display());
    // A killed import left its temporary file; import takes no lock, so only
    // those of this very destination are removed.
    if let (Some(dir), Some(name)) = (args.out.parent(), args.out.file_name()) {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        let name = name.to_string_lossy();
        let ours = |n: &str| siloscope_files::write::made_for(n, &name);
        siloscope_files::write::remove_stale_temporaries(dir, ours).with_context(cannot_write)?;
    }
    let mut file = AtomicFile::create(&args.out).with_context(cannot_write)?;
    file.write_all(done.text.as_bytes())
        .with_context(cannot_write)?;
    // Without --force, something that appeared at --out meanwhile is kept.
    if args.force {
        file.commit()
    } else {
        file.commit_new()
    }
    .with_context(cannot_write)?;
    for (file, columns) in &done.ignored {
        eprintln!(
            "import: ignored columns of {}: {}",
            super::shown(file),
            super::shown(&columns.join(", "))
        );
    }
    println!(
        "wrote {}: {} agents in {} groups, {} ties ({} repeated rows merged, {} below --min-weight left out)",
        super::shown_path(&args.out),
        done.agents,
        done.groups,
        done.ties,
        done.merged,
        done.light
    );
    Ok(ExitCode::SUCCESS)
}
