//! `siloscope validate`: check scenario and experiment files, every error
//! with its file, line, column and field. Everything printed that comes
//! from a file or its name is escaped ([`terminal`]): a name holding escape
//! sequences is shown, not obeyed.

use crate::args::ValidateArgs;
use anyhow::Result;
use siloscope_model::network::Network;
use siloscope_scenario::files;
use siloscope_scenario::text::terminal;
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
                        eprintln!("{}", terminal(&e.to_string()));
                    }
                }
                Ok(exp) => println!(
                    "ok: {} ({}: {} conditions × {} replicates = {} runs)",
                    super::shown_path(path),
                    super::shown(&exp.name),
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
                    eprintln!("{}", terminal(&e.to_string()));
                }
            }
            Ok(scenario) => match Network::build(&scenario, scenario.seed) {
                Err(e) => {
                    failed += 1;
                    eprintln!("{}", terminal(&e.to_string()));
                }
                Ok(net) => println!(
                    "ok: {} ({}: {} agents, {} ties, {} policies)",
                    super::shown_path(path),
                    super::shown(&scenario.name),
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
