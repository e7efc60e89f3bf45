//! One file per command; each has a `run` that takes the command's
//! arguments (see `args.rs`) and returns the process's exit code.

pub(crate) mod app;
pub(crate) mod batch;
pub(crate) mod calibrate;
pub(crate) mod design;
pub(crate) mod host;
pub(crate) mod import;
pub(crate) mod journaled;
pub(crate) mod merge;
pub(crate) mod optimise;
pub(crate) mod policies;
pub(crate) mod run;
pub(crate) mod sensitivity;
pub(crate) mod session;
pub(crate) mod validate;

use crate::args::ExperimentArgs;
use anyhow::{Result, bail};
use siloscope_scenario::{Scenario, files};
use std::borrow::Cow;
use std::io::Write;
use std::path::Path;

/// Text from a file or an argument (a name, a path), fit to print: control
/// characters escaped, so it cannot drive the terminal.
pub(crate) fn shown(text: &str) -> Cow<'_, str> {
    siloscope_scenario::text::printable(text)
}

/// `n` and the noun that goes with it: "1 run", "6 runs".
pub(crate) fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A path, fit to print (see [`shown`]).
pub(crate) fn shown_path(path: &Path) -> String {
    shown(&path.to_string_lossy()).into_owned()
}

/// A scenario file's name without `.scenario.ron`, for default output
/// directories.
pub(crate) fn scenario_stem(path: &Path) -> String {
    path.file_name()
        .map(|n| {
            n.to_string_lossy()
                .trim_end_matches(".scenario.ron")
                .to_owned()
        })
        .unwrap_or_else(|| "scenario".into())
}

/// The output directory `out`, made and locked for `command` (the lock
/// holds while the guard lives), with the temporary files a killed run of
/// it left (those `ours` recognises) removed.
pub(crate) fn output_dir(
    out: &Path,
    command: &str,
    ours: impl Fn(&str) -> bool,
) -> Result<siloscope_files::DirLock> {
    use anyhow::Context;
    if out.exists() && !out.is_dir() {
        bail!("--out {}: is a file, not a directory", out.display());
    }
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let lock = siloscope_files::DirLock::acquire(out, command)?;
    if let Some((other, marker)) = held_by_another(out, command) {
        bail!(
            "--out {}: holds the outputs of siloscope {other} ({marker}); choose another directory",
            shown_path(out)
        );
    }
    siloscope_files::write::remove_stale_temporaries(out, ours)
        .with_context(|| format!("cannot clean {}", out.display()))?;
    Ok(lock)
}

/// Files that say which command's outputs a directory holds.
const MARKERS: [(&str, &str); 10] = [
    ("batch", "manifest.json"),
    ("optimise", "search.journal"),
    ("optimise", "optimum.ron"),
    ("calibrate", "calibrate.journal"),
    ("calibrate", "posterior.csv"),
    ("sensitivity", "sobol.journal"),
    ("sensitivity", "morris.journal"),
    ("sensitivity", "sobol.csv"),
    ("sensitivity", "morris.csv"),
    ("sensitivity", "sensitivity.csv"),
];

/// The other command whose outputs `dir` holds, and the file that says
/// so.
fn held_by_another(dir: &Path, command: &str) -> Option<(&'static str, &'static str)> {
    MARKERS
        .iter()
        .find(|(owner, marker)| *owner != command && dir.join(marker).is_file())
        .copied()
}

/// A scenario file, or its errors as one message.
pub(crate) fn load(path: &Path) -> Result<Scenario> {
    files::read_scenario(path).map_err(|errors| anyhow::anyhow!("{errors}"))
}

/// The experiment the arguments name.
pub(crate) fn experiment_of(
    args: &ExperimentArgs,
) -> Result<siloscope_lab::experiment::Experiment> {
    use siloscope_lab::experiment;
    if args.file.to_string_lossy().ends_with(".scenario.ron") {
        return experiment::from_scenario(
            &args.file,
            &args.policies,
            args.replicates.unwrap_or(10),
            args.steps,
            args.seed,
        )
        .map_err(|e| anyhow::anyhow!(e));
    }
    if !args.policies.is_empty() {
        bail!("--policies is for a scenario; an experiment file lists its own policies");
    }
    let mut exp = experiment::read(&args.file).map_err(|e| anyhow::anyhow!("{e}"))?;
    if let Some(r) = args.replicates {
        if r == 0 || r > 100_000 {
            bail!("--replicates: {r} is out of range; allowed 1 to 100000");
        }
        exp.replicates = r;
    }
    if let Some(s) = args.seed {
        exp.seed = s;
    }
    if let Some(steps) = args.steps {
        if steps == 0 || steps > siloscope_scenario::MAX_STEPS {
            bail!(
                "--steps: {steps} is out of range; allowed 1 to {}",
                siloscope_scenario::MAX_STEPS
            );
        }
        exp.at_steps.retain(|&s| s < steps - 1);
        exp.at_steps.push(steps - 1);
        exp.steps = steps;
    }
    Ok(exp)
}

/// Run files found but not trusted: the first few, and how many more.
pub(crate) fn print_distrusted(
    command: &str,
    outcome: &siloscope_lab::batch::Outcome,
    action: &str,
) {
    const SHOWN: usize = 5;
    for (path, reason) in outcome.distrusted.iter().take(SHOWN) {
        eprintln!(
            "{command}: {} {}; {action}",
            shown_path(path),
            shown(reason)
        );
    }
    let more = outcome.distrusted.len().saturating_sub(SHOWN);
    if more > 0 {
        eprintln!("{command}: … and {more} more run files not trusted; {action}");
    }
}

/// The paired comparison at the last step, one line per condition, metric
/// and part.
pub(crate) fn print_comparison(
    exp: &siloscope_lab::experiment::Experiment,
    outcome: &siloscope_lab::batch::Outcome,
    out: &Path,
) -> Result<()> {
    let last_step = exp.steps;
    println!(
        "\n{} against {} at step {last_step} (paired over {} seeds; mean difference, 95% CI, effect size d_z, share of seeds higher):",
        shown(&exp.name),
        shown(&exp.baseline),
        exp.replicates
    );
    let mut stdout = std::io::stdout().lock();
    for row in outcome.comparison.iter().filter(|r| r.step == last_step) {
        writeln!(
            stdout,
            "  {:<40} {:<34} {:<20} {:>+10.4} [{:>+10.4}, {:>+10.4}]  d={:>6.2}  wins {:>4.0}%",
            shown(&row.condition),
            row.metric,
            shown(&row.part),
            row.mean_diff,
            row.ci_low,
            row.ci_high,
            row.effect_size,
            row.wins * 100.0
        )?;
    }
    let parquet = if cfg!(feature = "parquet") {
        ", timeseries.parquet"
    } else {
        ""
    };
    println!(
        "\nwrote {}/timeseries.csv{parquet}, summary.csv, comparison.csv, summary.json, plots/",
        shown_path(out)
    );
    Ok(())
}
