//! `siloscope import`: an organisation's agents and ties CSVs become a
//! scenario file that embeds them; every bad row is reported.

use crate::args::ImportArgs;
use anyhow::{Context, Result, bail};
use std::path::Path;
use std::process::ExitCode;

pub(crate) fn run(args: ImportArgs) -> Result<ExitCode> {
    use siloscope_scenario::import::{Csv, ImportOptions, import};
    if args.out.exists() && !args.force {
        bail!(
            "{} exists; choose another --out or pass --force to replace it",
            args.out.display()
        );
    }
    let read = |p: &Path| {
        std::fs::read(p)
            .with_context(|| format!("cannot read {}", p.display()))
            .and_then(|b| {
                String::from_utf8(b).map_err(|e| {
                    let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
                    let line = good.iter().filter(|&&c| c == b'\n').count() + 1;
                    let line_start = good.iter().rposition(|&c| c == b'\n').map_or(0, |i| i + 1);
                    let column = good.len() - line_start + 1;
                    anyhow::anyhow!(
                        "{}:{line}:{column}: not UTF-8; save the file as UTF-8",
                        p.display()
                    )
                })
            })
    };
    let (agents, ties) = (read(&args.agents)?, read(&args.ties)?);
    let (agents_name, ties_name) = (
        args.agents.display().to_string(),
        args.ties.display().to_string(),
    );
    let name = args.name.unwrap_or_else(|| {
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
        step_unit: args.step_unit,
        seed: args.seed,
        min_weight: args.min_weight,
    };
    let done = match import(
        Csv {
            name: &agents_name,
            text: &agents,
        },
        Csv {
            name: &ties_name,
            text: &ties,
        },
        &options,
    ) {
        Ok(done) => done,
        Err(errors) => {
            eprintln!("{errors}");
            eprintln!("{} problems; nothing written", errors.0.len());
            return Ok(ExitCode::FAILURE);
        }
    };
    // The result must be a valid scenario (limits, ids) before it is written.
    let out_name = args.out.display().to_string();
    if let Err(e) = siloscope_scenario::parse_str(&done.text, &out_name) {
        bail!("the imported scenario is not valid:\n{e}");
    }
    siloscope_lab::output::write_atomic(&args.out, done.text.as_bytes())
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    for (file, columns) in &done.ignored {
        eprintln!("import: ignored columns of {file}: {}", columns.join(", "));
    }
    println!(
        "wrote {}: {} agents in {} groups, {} ties ({} repeated rows merged, {} below --min-weight left out)",
        args.out.display(),
        done.agents,
        done.groups,
        done.ties,
        done.merged,
        done.light
    );
    Ok(ExitCode::SUCCESS)
}
