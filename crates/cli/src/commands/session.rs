//! `siloscope replay` and `siloscope debrief`: a saved workshop session
//! (`*.session.ron`, written by the app every few seconds) rebuilt
//! headless and checked, or turned into the debrief page to take home.
//!
//! Both read the session, check that the scenario (and its network files)
//! still have the bytes the session was saved with, rebuild every run
//! from step 0 along its edits and prove the result is the session saved
//! (its state hash); any difference is an error naming the file.

use crate::args::{DebriefArgs, ReplayArgs};
use anyhow::{Result, anyhow, bail};
use siloscope_workshop::debrief::{About, page};
use siloscope_workshop::record::{Restored, SessionFile};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::{count, shown, shown_path};

/// Read, check and restore a session.
fn restore(path: &Path) -> Result<(SessionFile, siloscope_scenario::Scenario, Restored)> {
    let file = SessionFile::read(path).map_err(|e| anyhow!("{e}"))?;
    let scenario = file.scenario().map_err(|e| anyhow!("{e}"))?;
    let restored = file.restore(&scenario).map_err(|e| anyhow!("{e}"))?;
    Ok((file, scenario, restored))
}

pub(crate) fn replay(args: ReplayArgs) -> Result<ExitCode> {
    let (file, scenario, mut s) = restore(&args.session)?;
    let mut r = file.record.clone();
    let unit = &scenario.step_unit;
    let horizon = scenario.steps;
    if let Some(to) = args.to.filter(|&to| to > horizon) {
        bail!("--to {to}: past the scenario's horizon ({horizon} steps)");
    }
    println!(
        "ok: {} restored exactly (state {})",
        shown_path(&args.session),
        r.state
    );
    if let Some(to) = args.to {
        s.runs.goto(to);
        println!("  carried on to {unit} {}", s.runs.a().step_index());
        if args.save {
            r = s.parts().record(
                &file.sources(),
                siloscope_workshop::record::rfc3339(std::time::SystemTime::now()),
                r.ended,
            );
            siloscope_workshop::record::write(&args.session, &r, Some(file.bytes_hash()))
                .map_err(|e| anyhow!("{}: {e}", shown_path(&args.session)))?;
            println!(
                "  saved to {} (state {})",
                shown_path(&args.session),
                r.state
            );
        }
    }
    println!(
        "  scenario: {} ({}, hash {}, unchanged{})",
        shown(&r.scenario.path),
        shown(&scenario.name),
        r.scenario.hash,
        match r.network.len() {
            0 => String::new(),
            n => format!(", with {}", count(n, "network file", "network files")),
        }
    );
    println!(
        "  saved {}{}",
        shown(&r.saved),
        if r.ended {
            ", closed by the facilitator"
        } else {
            ", not closed: a crash or a closed window interrupted it"
        }
    );
    for (side, run) in s.runs.shown() {
        println!(
            "  run {}: {}, seed {}, at {unit} {} of {}, {}{}",
            side.label(),
            shown(&siloscope_workshop::in_force::InForce::of(run.sim()).to_string()),
            run.seed(),
            run.step_index(),
            run.horizon(),
            count(run.edits().len(), "live edit", "live edits"),
            match run.branched_at() {
                Some(at) => format!(", branched at {unit} {at}"),
                None => String::new(),
            }
        );
    }
    if s.presenting {
        println!("  presenter mode");
    }
    if let Some(i) = s.story {
        println!("  story step {} of {}", i + 1, scenario.story.len());
    }
    println!(
        "  {}, {}",
        count(s.notes.len(), "note", "notes"),
        count(s.predictions.len(), "prediction", "predictions")
    );
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn debrief(args: DebriefArgs) -> Result<ExitCode> {
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| default_out(&args.session));
    check_out(&out, &args.session)?;
    let (file, scenario, s) = restore(&args.session)?;
    let about = About {
        session: args.session.display().to_string(),
        saved: file.record.saved.clone(),
        scenario_path: file.record.scenario.path.clone(),
        scenario_hash: file.record.scenario.hash.clone(),
    };
    let html =
        page(&scenario, &s.parts(), &about).map_err(|e| anyhow!("telling the story: {e}"))?;
    siloscope_files::write_atomic(&out, html.as_bytes())
        .map_err(|e| anyhow!("{}: {e}", shown_path(&out)))?;
    println!(
        "wrote {} ({} KB: {} charts and pictures, {} story steps); open it in any browser, offline",
        shown_path(&out),
        html.len().div_ceil(1024),
        html.matches("<svg class=\"drawn").count(),
        scenario.story.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// `x.session.ron` → `x.debrief.html`, in the current directory.
fn default_out(session: &Path) -> PathBuf {
    let name = session
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = name
        .strip_suffix(".session.ron")
        .or_else(|| name.strip_suffix(".ron"))
        .unwrap_or(&name);
    let stem = if stem.is_empty() { "session" } else { stem };
    PathBuf::from(format!("{stem}.debrief.html"))
}

/// The debrief goes to an `.html` file that is absent or a debrief
/// written before: never over the session, its scenario or any other file.
fn check_out(out: &Path, session: &Path) -> Result<()> {
    let name = out.to_string_lossy().to_lowercase();
    if !(name.ends_with(".html") || name.ends_with(".htm")) {
        bail!(
            "--out {}: the debrief is an .html file (e.g. --out debrief.html)",
            shown_path(out)
        );
    }
    if same_file(out, session) {
        bail!("--out {}: that is the session file", shown_path(out));
    }
    if out.exists() {
        let head = siloscope_files::read_regular(
            out,
            &siloscope_files::Limit {
                max_bytes: 64 << 20,
                what: "debrief pages",
                expected: "an .html file",
            },
        )
        .map_err(|e| anyhow!("--out {}: {e}", shown_path(out)))?;
        let head = String::from_utf8_lossy(&head[..head.len().min(4096)]).into_owned();
        if !head.contains(siloscope_workshop::debrief::GENERATOR) {
            bail!(
                "--out {}: the file is there and is not a debrief siloscope wrote; not replaced (choose another name, or remove it)",
                shown_path(out)
            );
        }
    }
    Ok(())
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}
