//! The `siloscope` command line: validate scenarios, run them headless,
//! list their policies — and, built with the `app` feature, open the
//! workshop app.

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use siloscope::agent::Part;
use siloscope::files;
use siloscope::knob::Knob;
use siloscope::network::Network;
use siloscope::output::{self, Summary, TimeSeriesWriter};
use siloscope::scenario::Scenario;
use siloscope::sim::{RunOptions, Simulation};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The scenario the app and the examples open by default.
const DEFAULT_SCENARIO: &str = "scenarios/workshop.scenario.ron";

#[derive(Parser)]
#[command(
    name = "siloscope",
    version,
    about = "An organisational silo-and-trust simulator",
    long_about = "Simulates how information and trust flow between an organisation's departments, \
                  partners, existing customers and new customers under different openness policies."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Check scenario files and print every error with file, line, column and field.
    Validate {
        /// Scenario files (*.scenario.ron).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Run one simulation headless; write a tidy CSV time series and a JSON summary.
    Run {
        /// Scenario file.
        scenario: PathBuf,
        /// Policy to run under (a preset or one the scenario defines).
        #[arg(long)]
        policy: Option<String>,
        /// Seed (default: the scenario's).
        #[arg(long)]
        seed: Option<u64>,
        /// Steps (default: the scenario's).
        #[arg(long)]
        steps: Option<u32>,
        /// Output directory (default: runs/<scenario>_<policy>_s<seed>).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// List a scenario's policies and knobs with their values.
    Policies {
        /// Scenario file.
        scenario: PathBuf,
    },
    /// Open the workshop app (what `siloscope` alone does).
    App(AppArgs),
}

#[derive(Clone, Copy, Default, clap::ValueEnum)]
enum PictureArg {
    /// Customers inside the organisation's extranet.
    #[default]
    Inside,
    /// Parts as separate circles, customers as the input.
    Separate,
}

#[derive(clap::Args, Default)]
struct AppArgs {
    /// Scenario file [default: scenarios/workshop.scenario.ron].
    scenario: Option<PathBuf>,
    /// Policy to start under (a preset or one the scenario defines).
    #[arg(long)]
    policy: Option<String>,
    /// Seed (default: the scenario's).
    #[arg(long)]
    seed: Option<u64>,
    /// The picture on opening: customers inside the organisation (nested
    /// rings) or the parts as separate circles.
    #[arg(long, value_enum, default_value = "inside")]
    picture: PictureArg,
    /// Agent to inspect on opening, e.g. "Small business#3".
    #[arg(long)]
    inspect: Option<String>,
    /// Unattended: compute this many steps, save --screenshot, exit.
    #[arg(long, requires = "screenshot")]
    steps: Option<u32>,
    /// Where the unattended screenshot goes (PNG).
    #[arg(long, requires = "steps")]
    screenshot: Option<PathBuf>,
    /// Unattended: step once per frame for this many frames, print the CPU
    /// time per frame, exit.
    #[arg(long, conflicts_with = "steps")]
    frames: Option<u32>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        None => open_app(AppArgs::default()),
        Some(Command::App(args)) => open_app(args),
        Some(Command::Validate { files }) => validate(&files),
        Some(Command::Run {
            scenario,
            policy,
            seed,
            steps,
            out,
        }) => run(&scenario, policy, seed, steps, out),
        Some(Command::Policies { scenario }) => policies(&scenario),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The workshop app.
#[cfg(feature = "app")]
fn open_app(args: AppArgs) -> Result<ExitCode> {
    use siloscope::app::{AppOptions, capture::Unattended, run};
    run(AppOptions {
        scenario: args.scenario.unwrap_or_else(|| DEFAULT_SCENARIO.into()),
        policy: args.policy,
        seed: args.seed,
        picture: match args.picture {
            PictureArg::Inside => siloscope::layout::Picture::Extranet,
            PictureArg::Separate => siloscope::layout::Picture::Separate,
        },
        inspect: args.inspect,
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
fn open_app(_: AppArgs) -> Result<ExitCode> {
    println!(
        "This build has no workshop app (it was built without the `app` feature).\n\n\
         Headless commands:\n  \
         siloscope run {DEFAULT_SCENARIO} --policy connected\n  \
         siloscope policies {DEFAULT_SCENARIO}\n  \
         siloscope validate scenarios/*.scenario.ron\n\nSee `siloscope --help`."
    );
    Ok(ExitCode::SUCCESS)
}

fn load(path: &Path) -> Result<Scenario> {
    files::read_scenario(path).map_err(|errors| anyhow::anyhow!("{errors}"))
}

fn validate(paths: &[PathBuf]) -> Result<ExitCode> {
    let mut failed = 0;
    for path in paths {
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

fn run(
    path: &Path,
    policy: Option<String>,
    seed: Option<u64>,
    steps: Option<u32>,
    out: Option<PathBuf>,
) -> Result<ExitCode> {
    let scenario = load(path)?;
    let steps = steps.unwrap_or(scenario.steps);
    if steps == 0 || steps > siloscope::scenario::MAX_STEPS {
        bail!(
            "--steps {steps} is out of range; allowed 1 to {}",
            siloscope::scenario::MAX_STEPS
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

    // Stream the series to a temporary file, renamed into place at the end.
    let series_path = out.join("timeseries.csv");
    let tmp = output::temp_path(&series_path);
    let file =
        std::fs::File::create(&tmp).with_context(|| format!("cannot write {}", tmp.display()))?;
    let mut writer = TimeSeriesWriter::new(std::io::BufWriter::new(file))?;
    let mut io_result = Ok(());
    sim.run(steps, |report| {
        if io_result.is_ok() {
            io_result = writer.write(0, &policy_name, seed, report);
        }
    });
    io_result.with_context(|| format!("cannot write {}", tmp.display()))?;
    let file = writer.finish()?.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()?;
    std::fs::rename(&tmp, &series_path)?;

    let summary = Summary::of(&sim);
    let json = serde_json::to_vec_pretty(&summary)?;
    output::write_atomic(&out.join("summary.json"), &json)?;
    print_summary(&summary);
    println!(
        "\nwrote {} and {}",
        series_path.display(),
        out.join("summary.json").display()
    );
    Ok(ExitCode::SUCCESS)
}

fn print_summary(s: &Summary) {
    let last = |m: &str, p: &str| s.last_step.get(m).and_then(|v| v.get(p)).copied();
    let total = |m: &str| s.totals.get(m).copied().unwrap_or(0.0);
    let fmt = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |v| format!("{v:.3}"));
    println!(
        "{} — policy {}, seed {}, {} {}s, {} agents, {} ties",
        s.scenario,
        if s.policy.is_empty() {
            "(scenario knobs)"
        } else {
            &s.policy
        },
        s.seed,
        s.steps,
        s.step_unit,
        s.agents.values().sum::<u64>(),
        s.ties
    );
    let rows: Vec<(&str, String)> = vec![
        (
            "customer trust in the organisation",
            fmt(last("customer_trust_in_org", "all")),
        ),
        (
            "trust across silo walls",
            fmt(last("trust_across_silos", "all")),
        ),
        (
            "satisfaction (existing customers)",
            fmt(last("satisfaction", Part::ExistingCustomer.label())),
        ),
        (
            "active customers (existing + new)",
            format!(
                "{:.0}",
                last("customers", Part::ExistingCustomer.label()).unwrap_or(0.0)
                    + last("customers", Part::NewCustomer.label()).unwrap_or(0.0)
            ),
        ),
        (
            "advocates",
            format!(
                "{:.0}",
                last("advocates", Part::ExistingCustomer.label()).unwrap_or(0.0)
                    + last("advocates", Part::NewCustomer.label()).unwrap_or(0.0)
            ),
        ),
        (
            "acquisitions: word of mouth / campaign",
            format!(
                "{:.0} / {:.0}",
                total("acquisitions_word_of_mouth"),
                total("acquisitions_campaign")
            ),
        ),
        (
            "churned / returned",
            format!("{:.0} / {:.0}", total("churn"), total("returns")),
        ),
        (
            "needs raised / reached Product",
            format!(
                "{:.0} / {:.0}",
                total("needs_raised"),
                total("needs_reached_product")
            ),
        ),
        (
            "feedback loops closed",
            format!(
                "{:.0} ({} of needs)",
                total("loops_closed"),
                fmt(last("loop_closure_share", "all"))
            ),
        ),
        (
            "E-I index: flow / structure / random",
            format!(
                "{} / {} / {}",
                fmt(last("ei_index_flow_cumulative", "all")),
                fmt(s.ei_index_structure),
                fmt(s.ei_index_random_baseline)
            ),
        ),
        (
            "cost / self-service savings",
            format!(
                "{:.1} / {:.1}",
                total("cost_total"),
                total("savings_self_service")
            ),
        ),
    ];
    let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (k, v) in rows {
        println!("  {k:<width$}  {v}");
    }
}

fn policies(path: &Path) -> Result<ExitCode> {
    let scenario = load(path)?;
    let mut out = std::io::stdout().lock();
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
    Ok(ExitCode::SUCCESS)
}
