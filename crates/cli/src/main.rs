//! The `siloscope` command line: validate scenarios, run them headless,
//! batch experiments, import an organisation, screen knobs — and, built
//! with the `app` feature (the default), open the workshop app.
//!
//! A thin `main`: the arguments are in `args.rs`, each command in its own
//! file under `commands/`.

mod args;
mod commands;

use args::{AppArgs, Cli, Command};
use clap::Parser;
use siloscope_scenario::text::terminal;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    if !matches!(cli.command, None | Some(Command::App(_) | Command::Host(_))) {
        end_quietly_on_a_closed_pipe();
    }
    let result = match cli.command {
        None => commands::app::run(AppArgs::default()),
        Some(Command::App(args)) => commands::app::run(args),
        Some(Command::Batch(args)) => commands::batch::run(args),
        Some(Command::Merge(args)) => commands::merge::run(args),
        Some(Command::Sensitivity(args)) => commands::sensitivity::run(args),
        Some(Command::Calibrate(args)) => commands::calibrate::run(args),
        Some(Command::Optimise(args)) => commands::optimise::run(args),
        Some(Command::Import(args)) => commands::import::run(args),
        Some(Command::Validate(args)) => commands::validate::run(args),
        Some(Command::Run(args)) => commands::run::run(args),
        Some(Command::Policies(args)) => commands::policies::run(args),
        Some(Command::Replay(args)) => commands::session::replay(args),
        Some(Command::Debrief(args)) => commands::session::debrief(args),
        Some(Command::Host(args)) => commands::host::run(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            // Errors quote paths, names and ids from files: escaped, so a
            // file cannot drive the terminal, and each line of bounded length.
            eprintln!("error: {}", terminal(&format!("{e:#}")));
            ExitCode::FAILURE
        }
    }
}

/// Output cut short (`siloscope run … | head`) ends the command there, as it
/// ends `cat` or `grep`, instead of a panic on the closed pipe: the signal
/// is given its default action back (Rust's runtime ignores it). Not for
/// the app and the host: they write to sockets, where a phone that goes
/// away is an error to handle, not the end of the room. Files a command
/// writes are crash-safe already (written aside, then renamed).
fn end_quietly_on_a_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: called before any other thread starts; SIG_DFL is a valid
    // disposition for SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
