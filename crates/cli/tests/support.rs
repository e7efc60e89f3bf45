//! What the command's tests share: running the binary as a user would, and
//! reading what it printed.

use std::process::{Command, Output};

/// The repository root: the binary runs there, as from a fresh clone.
pub const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// The binary under test, in the repository root: this build's, or the one
/// `SILOSCOPE_BIN` names (to show that a case fails on an older build).
/// The crash tests' stall hook is never inherited.
pub fn bin() -> Command {
    let path =
        std::env::var_os("SILOSCOPE_BIN").unwrap_or_else(|| env!("CARGO_BIN_EXE_siloscope").into());
    let mut c = Command::new(path);
    c.current_dir(ROOT)
        .env_remove(siloscope_lab::output::STALL_ENV);
    c
}

/// Run the binary with `args` to the end.
pub fn siloscope(args: &[impl AsRef<std::ffi::OsStr>]) -> Output {
    bin().args(args).output().expect("the binary runs")
}

/// Printed bytes as text.
pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// `siloscope import` of these two CSV files to `out`, nothing else asked.
pub fn import(agents: &std::path::Path, ties: &std::path::Path, out: &std::path::Path) -> Output {
    let args: [&std::ffi::OsStr; 7] = [
        "import".as_ref(),
        "--agents".as_ref(),
        agents.as_os_str(),
        "--ties".as_ref(),
        ties.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ];
    siloscope(&args)
}
