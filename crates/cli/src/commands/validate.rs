//! `siloscope validate`: check scenario and experiment files, every error
//! with its file, line, column and field.

use crate::args::ValidateArgs;
use anyhow::Result;
use siloscope_model::network::Network;
use siloscope_scenario::files;
use std::process::ExitCode;

pub(crate) fn run(args: ValidateArgs) -> Result<ExitCode> {
    let paths = &args.files;
    let mut failed = 0;
    for path in paths {
        if path.to_string_lossy().ends_with(".experiment.ron") {
            match siloscope_lab::experiment::read(path) {
                Err(errors) => {
                    failed += 1;
                    for e in errors.iter() {
                        eprintln!("{e}");
                    }
                }
                Ok(exp) => println!(
                    "ok: {} ({}: {} conditions × {} replicates = {} runs)",
                    path.display(),
                    exp.name,
                    exp.conditions.len(),
                    exp.replicates,
                    exp.runs()
                ),
            }
            continue;
        }
        match files::read_scenario(path) {
            Err(errors) => {
                failed += 1;
                for e in errors.iter() {
                    eprintln!("{e}");
                }
            }
            Ok(scenario) => match Network::build(&scenario, scenario.seed) {
                Err(e) => {
                    failed += 1;
                    eprintln!("{e}");
                }
                Ok(net) => println!(
                    "ok: {} ({}: {} agents, {} ties, {} policies)",
                    path.display(),
                    scenario.name,
                    net.agents(),
                    net.ties(),
                    scenario.policies.len()
                ),
            },
        }
    }
    if failed > 0 {
        eprintln!("{failed} of {} files have errors", paths.len());
        Ok(ExitCode::FAILURE)
    } else {
        Ok(ExitCode::SUCCESS)
    }
}
