//! `siloscope app` (and `siloscope` alone): the workshop app, or, in a
//! build without it, what to run instead.

use crate::args::AppArgs;
#[cfg(not(feature = "app"))]
use crate::args::DEFAULT_SCENARIO;
#[cfg(feature = "app")]
use crate::args::{DEFAULT_SCENARIO, app::PictureArg};
use anyhow::Result;
use std::process::ExitCode;

/// The workshop app.
#[cfg(feature = "app")]
pub(crate) fn run(args: AppArgs) -> Result<ExitCode> {
    use siloscope_app::{AppOptions, capture::Unattended, run};
    run(AppOptions {
        scenario: args.scenario.unwrap_or_else(|| DEFAULT_SCENARIO.into()),
        policy: args.policy,
        seed: args.seed,
        picture: match args.picture {
            PictureArg::Inside => siloscope_workshop::layout::Picture::Extranet,
            PictureArg::Separate => siloscope_workshop::layout::Picture::Separate,
        },
        inspect: args.inspect,
        compare: args.compare,
        present: args.present,
        scale: args.scale,
        size: args.size,
        session: args.session,
        room: args.room,
        unattended: Unattended {
            steps: args.steps,
            screenshot: args.screenshot,
            frames: args.frames,
        },
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Without the app: say what to run instead.
#[cfg(not(feature = "app"))]
pub(crate) fn run(_: AppArgs) -> Result<ExitCode> {
    println!(
        "This build has no workshop app (it was built without the `app` feature).\n\n\
         Headless commands:\n  \
         siloscope run {DEFAULT_SCENARIO} --policy connected\n  \
         siloscope policies {DEFAULT_SCENARIO}\n  \
         siloscope validate scenarios/*.scenario.ron\n\nSee `siloscope --help`."
    );
    Ok(ExitCode::SUCCESS)
}
