//! `siloscope run`: one simulation headless, its time series and summary
//! written atomically, and a short summary table printed.

use super::load;
use crate::args::RunArgs;
use anyhow::{Context, Result, bail};
use siloscope_lab::output::{self, Summary, TimeSeriesWriter};
use siloscope_model::agent::Part;
use siloscope_model::metrics::label;
use siloscope_model::sim::{RunOptions, Simulation};
use std::path::PathBuf;
use std::process::ExitCode;

pub(crate) fn run(args: RunArgs) -> Result<ExitCode> {
    let RunArgs {
        scenario: path,
        policy,
        seed,
        steps,
        out,
    } = args;
    let path = path.as_path();
    let scenario = load(path)?;
    let steps = steps.unwrap_or(scenario.steps);
    if steps == 0 || steps > siloscope_scenario::MAX_STEPS {
        bail!(
            "--steps {steps} is out of range; allowed 1 to {}",
            siloscope_scenario::MAX_STEPS
        );
    }
    let options = RunOptions {
        policy: policy.clone(),
        seed,
        record_flows: false,
    };
    let mut sim = Simulation::new(&scenario, options)
        .with_context(|| format!("cannot start {}", path.display()))?;
    let policy_name = sim.policy().unwrap_or("scenario").to_owned();
    let seed = sim.seed();
    let stem = path
        .file_name()
        .map(|n| {
            n.to_string_lossy()
                .trim_end_matches(".ron")
                .trim_end_matches(".scenario")
                .to_owned()
        })
        .unwrap_or_else(|| "run".to_owned());
    let out =
        out.unwrap_or_else(|| PathBuf::from("runs").join(format!("{stem}_{policy_name}_s{seed}")));
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    let _lock = siloscope_files::DirLock::acquire(&out, "run")?;
    // What a killed run left; no one else writes here while we hold the lock.
    let ours = |n: &str| n == "timeseries.csv" || n == "summary.json";
    siloscope_files::write::remove_stale_temporaries(&out, ours)
        .with_context(|| format!("cannot clean {}", out.display()))?;
    // Into a batch's directory, a run would leave a mix of the two.
    if out.join("manifest.json").exists() {
        bail!(
            "{} holds a batch's outputs (manifest.json); choose another --out for a single run",
            out.display()
        );
    }
    // Both files are checked before either is written.
    for name in ["timeseries.csv", "summary.json"] {
        let path = out.join(name);
        siloscope_files::check_replaceable(&path)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }

    // Stream the series to a temporary file, renamed into place at the end;
    // on any error it is removed.
    let series_path = out.join("timeseries.csv");
    let cannot_write = || format!("cannot write {}", series_path.display());
    let file = siloscope_files::AtomicFile::create(&series_path).with_context(cannot_write)?;
    let mut writer =
        TimeSeriesWriter::new(std::io::BufWriter::new(file)).with_context(cannot_write)?;
    let mut io_result = Ok(());
    sim.run(steps, |report| {
        if io_result.is_ok() {
            io_result = writer.write(0, &policy_name, seed, report);
        }
        if report.step == steps / 2 {
            output::stall_if_asked(&series_path, || {});
        }
    });
    io_result.with_context(cannot_write)?;
    let file = writer
        .finish()
        .and_then(|w| w.into_inner().map_err(|e| e.into_error()))
        .with_context(cannot_write)?;
    file.commit().with_context(cannot_write)?;

    let summary = Summary::of(&sim);
    let json = serde_json::to_vec_pretty(&summary)?;
    let summary_path = out.join("summary.json");
    output::write_atomic(&summary_path, &json)
        .with_context(|| format!("cannot write {}", summary_path.display()))?;
    print_summary(&summary);
    println!(
        "\nwrote {} and {}",
        super::shown_path(&series_path),
        super::shown_path(&summary_path)
    );
    Ok(ExitCode::SUCCESS)
}

fn print_summary(s: &Summary) {
    let last = |m: &str, p: &str| s.last_step.get(m).and_then(|v| v.get(p)).copied();
    let total = |m: &str| s.totals.get(m).copied().unwrap_or(0.0);
    let fmt = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |v| format!("{v:.3}"));
    println!(
        "{} — policy {}, seed {}, {} {}s, {} agents, {} ties",
        super::shown(&s.scenario),
        if s.policy.is_empty() {
            "(scenario knobs)".into()
        } else {
            super::shown(&s.policy)
        },
        s.seed,
        s.steps,
        super::shown(&s.step_unit),
        s.agents.values().sum::<u64>(),
        s.ties
    );
    // Labels come from the metrics' one list (`siloscope_model::metrics`).
    let both = |a: &str, b: &str| format!("{} / {}", label(a), label(b));
    let existing_and_new = |m: &str| {
        last(m, Part::ExistingCustomer.label()).unwrap_or(0.0)
            + last(m, Part::NewCustomer.label()).unwrap_or(0.0)
    };
    let mut rows: Vec<(String, String)> = vec![
        (
            label("customer_trust_in_org").to_owned(),
            fmt(last("customer_trust_in_org", "all")),
        ),
        (
            label("trust_across_silos").to_owned(),
            fmt(last("trust_across_silos", "all")),
        ),
        (
            format!("{} (existing customers)", label("satisfaction")),
            fmt(last("satisfaction", Part::ExistingCustomer.label())),
        ),
        (
            format!("{} (existing + new)", label("customers")),
            format!("{:.0}", existing_and_new("customers")),
        ),
        (
            format!("{} (existing + new)", label("advocates")),
            format!("{:.0}", existing_and_new("advocates")),
        ),
        (
            both("acquisitions_word_of_mouth", "acquisitions_campaign"),
            format!(
                "{:.0} / {:.0}",
                total("acquisitions_word_of_mouth"),
                total("acquisitions_campaign")
            ),
        ),
        (
            both("churn", "returns"),
            format!("{:.0} / {:.0}", total("churn"), total("returns")),
        ),
        (
            both("needs_raised", "needs_reached_product"),
            format!(
                "{:.0} / {:.0}",
                total("needs_raised"),
                total("needs_reached_product")
            ),
        ),
        (
            label("loop_closed").to_owned(),
            format!(
                "{:.0} ({} of needs)",
                total("loops_closed"),
                fmt(last("loop_closure_share", "all"))
            ),
        ),
        (
            format!("{}: flow / structure / random", label("ei_index_flow")),
            format!(
                "{} / {} / {}",
                fmt(last("ei_index_flow_cumulative", "all")),
                fmt(s.ei_index_structure),
                fmt(s.ei_index_random_baseline)
            ),
        ),
        (
            both("cost_total", "savings_self_service"),
            format!(
                "{:.1} / {:.1}",
                total("cost_total"),
                total("savings_self_service")
            ),
        ),
        (
            format!("{} / {}", label("revenue_total"), label("profit_total")),
            format!("{:.1} / {:.1}", total("revenue"), total("profit")),
        ),
        (label("npv").to_owned(), format!("{:.1}", total("npv"))),
    ];
    if s.totals.contains_key("contacts_expired") {
        rows.push((
            both("contacts_expired", "lost_to_competitor"),
            format!(
                "{:.0} / {:.0}",
                total("contacts_expired"),
                total("lost_to_competitor")
            ),
        ));
    }
    let width = rows
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    for (k, v) in rows {
        println!("  {k:<width$}  {v}");
    }
}
