//! `siloscope policies`: a scenario's knobs and policies, as a table.

use super::load;
use crate::args::PoliciesArgs;
use anyhow::Result;
use siloscope_model::knob::Knob;
use std::io::Write;
use std::process::ExitCode;

pub(crate) fn run(args: PoliciesArgs) -> Result<ExitCode> {
    let scenario = load(&args.scenario)?;
    // Names and descriptions come from the file: the table is printed with
    // their control characters escaped.
    let mut out = Vec::new();
    writeln!(out, "{} — {}", scenario.name, scenario.file)?;
    if let Some(p) = &scenario.start_policy {
        writeln!(out, "starting policy: {p}")?;
    }
    writeln!(out, "\nknobs (value, range, step, unit):")?;
    for k in Knob::ALL {
        let s = scenario.knob_spec(k);
        writeln!(
            out,
            "  {:<24} {:>6}  [{} .. {}] step {}  {:<11}  {}",
            k.name(),
            s.value,
            s.min,
            s.max,
            s.step,
            s.unit,
            s.description
        )?;
    }
    writeln!(out, "\npolicies:")?;
    let names: Vec<&str> = scenario.policy_names();
    write!(out, "  {:<24}", "knob")?;
    for n in &names {
        write!(out, " {:>14}", n)?;
    }
    writeln!(out)?;
    for k in Knob::ALL {
        write!(out, "  {:<24}", k.name())?;
        for p in &scenario.policies {
            match p.values.iter().find(|(kk, _)| *kk == k) {
                Some((_, v)) => write!(out, " {:>14}", v)?,
                None => write!(out, " {:>14}", "·")?,
            }
        }
        writeln!(out)?;
    }
    writeln!(out)?;
    for p in &scenario.policies {
        writeln!(out, "  {:<16} {}", p.name, p.description)?;
    }
    let text = String::from_utf8_lossy(&out);
    print!("{}", siloscope_scenario::text::terminal(&text));
    Ok(ExitCode::SUCCESS)
}
