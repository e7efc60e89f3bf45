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

/// That the command was refused: it failed, and what it printed on
/// stderr holds each of `said`. Returns that text, for a further look; a
/// failing check shows it.
#[track_caller]
pub fn refused_with(out: &Output, said: &[&str]) -> String {
    let err = text(&out.stderr);
    assert!(!out.status.success(), "it was not refused; stderr: {err}");
    for s in said {
        assert!(err.contains(s), "stderr does not say {s:?}: {err}");
    }
    err
}

/// `siloscope import` of these two CSV files to `out`, nothing else asked.
pub fn import(agents: &std::path::Path, ties: &std::path::Path, out: &std::path::Path) -> Output {
    import_with(agents, ties, out, &[])
}

/// `siloscope import` of these two CSV files to `out`, with `more`
/// arguments after them.
pub fn import_with(
    agents: &std::path::Path,
    ties: &std::path::Path,
    out: &std::path::Path,
    more: &[&str],
) -> Output {
    let mut args: Vec<&std::ffi::OsStr> = vec![
        "import".as_ref(),
        "--agents".as_ref(),
        agents.as_os_str(),
        "--ties".as_ref(),
        ties.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ];
    args.extend(more.iter().map(std::ffi::OsStr::new));
    siloscope(&args)
}

/// Run siloscope with `args` until it is halfway through writing the file
/// named `point` (the stall hook), then SIGKILL it (what `Child::kill`
/// sends on Unix).
pub fn kill_while_writing(args: &[String], point: &str) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_siloscope"))
        .args(args)
        .env(siloscope_lab::output::STALL_ENV, point)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut said = String::new();
    loop {
        let mut line = String::new();
        let n = std::io::BufRead::read_line(&mut stderr, &mut line).unwrap();
        said.push_str(&line);
        assert!(n > 0, "{point}: it ended without stalling:\n{said}");
        if line.starts_with("siloscope: stalled writing") {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
}

/// Chromium, if installed: Debian's `chromium` (`.ci/run` installs it).
pub fn chromium() -> Option<std::path::PathBuf> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .map(std::path::PathBuf::from)
        .find(|p| p.is_file())
}
