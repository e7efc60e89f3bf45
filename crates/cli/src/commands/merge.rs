//! `siloscope merge`: the output directories of `batch --shard` runs joined
//! into one, then the paired comparison.

use super::{experiment_of, print_comparison};
use crate::args::MergeArgs;
use anyhow::Result;
use std::process::ExitCode;

pub(crate) fn run(args: MergeArgs) -> Result<ExitCode> {
    let exp = experiment_of(&args.experiment)?;
    if exp.global.is_some() {
        let jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
        return super::design::run(&exp, &args.out, jobs, None, &args.shards, "merge");
    }
    let outcome = siloscope_lab::batch::merge(&exp, &args.shards, &args.out)?;
    super::print_distrusted("merge", &outcome, "not used");
    eprintln!(
        "merge: {} runs joined from {} shards into {}",
        exp.runs(),
        args.shards.len(),
        super::shown_path(&args.out)
    );
    print_comparison(&exp, &outcome, &args.out)?;
    Ok(ExitCode::SUCCESS)
}
