//! `siloscope batch`: an experiment's runs in parallel, with a progress bar
//! on a terminal, then the paired comparison.

use super::{experiment_of, print_comparison};
use crate::args::BatchArgs;
use anyhow::Result;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

pub(crate) fn run(args: BatchArgs) -> Result<ExitCode> {
    use siloscope_lab::batch::{self, BatchOptions};
    let exp = experiment_of(&args.experiment)?;
    let stem = args
        .experiment
        .file
        .file_name()
        .and_then(|n| n.to_str())
        .map(|n| n.split('.').next().unwrap_or(n).to_owned())
        .unwrap_or_else(|| "batch".into());
    let out = args
        .out
        .unwrap_or_else(|| PathBuf::from("runs").join(&stem));
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    if exp.global.is_some() {
        return super::design::run(&exp, &out, jobs, args.shard, &[], "batch");
    }
    eprintln!(
        "batch: {} — {} conditions × {} replicates = {} runs of {} steps on {}, into {}",
        super::shown(&exp.name),
        exp.conditions.len(),
        exp.replicates,
        exp.runs(),
        exp.steps,
        // The batch never starts more threads than runs.
        super::count(jobs.min(exp.runs().max(1)), "thread", "threads"),
        super::shown_path(&out)
    );
    let started = std::time::Instant::now();
    let last = std::sync::atomic::AtomicUsize::new(usize::MAX);
    let options = BatchOptions {
        out: out.clone(),
        jobs,
        shard: args.shard,
    };
    // A bar with an ETA on a terminal; a plain line per tenth otherwise.
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "batch: [{bar:40}] {pos}/{len} runs, {elapsed} elapsed, ETA {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar
    });
    let outcome = batch::run(&exp, &options, |done, total| {
        if let Some(bar) = &bar {
            let first = bar.length() == Some(0);
            bar.set_length(total as u64);
            bar.set_position(done as u64);
            if first {
                // Runs resumed from disk do not count toward the rate.
                bar.reset_eta();
            }
            return;
        }
        let tenth = done * 10 / total.max(1);
        if last.swap(tenth, std::sync::atomic::Ordering::Relaxed) != tenth {
            let secs = started.elapsed().as_secs_f64();
            eprintln!("batch: {done}/{total} runs ({}%), {secs:.1} s", tenth * 10);
        }
    })?;
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    super::print_distrusted("batch", &outcome, "computed again");
    eprintln!(
        "batch: {} computed, {} resumed from {}, in {:.1} s",
        super::count(outcome.ran, "run", "runs"),
        outcome.resumed,
        super::shown_path(&out),
        started.elapsed().as_secs_f64()
    );
    if let Some((i, n)) = args.shard {
        eprintln!(
            "batch: shard {i}/{n} done; join the shards with `siloscope merge {} --out DIR -- <shard dirs>`",
            super::shown_path(&args.experiment.file)
        );
        return Ok(ExitCode::SUCCESS);
    }
    print_comparison(&exp, &outcome, &out)?;
    Ok(ExitCode::SUCCESS)
}
