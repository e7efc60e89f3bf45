//! The `siloscope` command line: validate scenarios, run them headless,
//! list their policies — and, built with the `app` feature, open the
//! workshop app.

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use siloscope_lab::output::{self, Summary, TimeSeriesWriter};
use siloscope_model::agent::Part;
use siloscope_model::knob::Knob;
use siloscope_model::network::Network;
use siloscope_model::sim::{RunOptions, Simulation};
use siloscope_scenario::Scenario;
use siloscope_scenario::files;
use std::io::{IsTerminal, Write};
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
    /// Check scenario and experiment files; print every error with file, line, column and field.
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
    /// Run an experiment (policies × sweeps × seeds) in parallel and compare
    /// the policies with paired statistics.
    Batch(BatchArgs),
    /// Join the output directories of `batch --shard` runs into one.
    Merge(MergeArgs),
    /// Turn an organisation's own network (a CSV of agents and a CSV of
    /// ties) into a scenario file that embeds it.
    Import(ImportArgs),
    /// Screen which knobs move a metric most: each knob from the low to the
    /// high end of its range, one at a time, over paired seeds.
    Sensitivity(SensitivityArgs),
    /// Open the workshop app (what `siloscope` alone does).
    App(AppArgs),
}

#[derive(clap::Args)]
struct ImportArgs {
    /// Agents: id,part,group[,role,start,needs].
    #[arg(long)]
    agents: PathBuf,
    /// Ties: source,target[,weight,channel].
    #[arg(long)]
    ties: PathBuf,
    /// The scenario file to write (*.scenario.ron).
    #[arg(long)]
    out: PathBuf,
    /// The scenario's title [default: from the output file name].
    #[arg(long)]
    name: Option<String>,
    /// Steps in a run.
    #[arg(long, default_value_t = 104, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    steps: u32,
    /// What one step stands for.
    #[arg(long, default_value = "week")]
    step_unit: String,
    /// Base seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Leave out ties whose weight is below this.
    #[arg(long)]
    min_weight: Option<f64>,
    /// Overwrite --out if it exists.
    #[arg(long)]
    force: bool,
}

#[derive(clap::Args)]
struct SensitivityArgs {
    /// Scenario file.
    scenario: PathBuf,
    /// The metric, as in the time series.
    #[arg(long, default_value = "customer_trust_in_org")]
    metric: String,
    /// The metric's part (`all`, a part such as `new_customers`, ...).
    #[arg(long, default_value = "all")]
    part: String,
    /// Policy the knobs start from [default: the scenario's].
    #[arg(long)]
    policy: Option<String>,
    /// Seeds per level (at least 2).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(2..=10_000))]
    replicates: u32,
    /// Steps per run [default: the scenario's].
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    steps: Option<u32>,
    /// Base seed [default: the scenario's].
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads [default: all cores].
    #[arg(long)]
    jobs: Option<usize>,
    /// Output directory [default: runs/sensitivity_<scenario>_<metric>].
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Which experiment: a file, or a scenario with policies.
#[derive(clap::Args)]
struct ExperimentArgs {
    /// An experiment (*.experiment.ron), or a scenario (*.scenario.ron) with --policies.
    file: PathBuf,
    /// With a scenario: the policies to compare, the first being the baseline.
    #[arg(long, value_delimiter = ',')]
    policies: Vec<String>,
    /// Replicates (seeds) per condition [default: the experiment's, or 10].
    #[arg(long)]
    replicates: Option<u32>,
    /// Steps per run [default: the experiment's or scenario's].
    #[arg(long)]
    steps: Option<u32>,
    /// Base seed [default: the experiment's or scenario's].
    #[arg(long)]
    seed: Option<u64>,
}

#[derive(clap::Args)]
struct BatchArgs {
    #[command(flatten)]
    experiment: ExperimentArgs,
    /// Worker threads [default: all cores].
    #[arg(long)]
    jobs: Option<usize>,
    /// Output directory [default: runs/<name>].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Run one deterministic slice, e.g. 2/8 (runs whose number is 2 modulo
    /// 8, counting shards from 0); join the slices with `siloscope merge`.
    #[arg(long, value_parser = parse_shard)]
    shard: Option<(usize, usize)>,
}

#[derive(clap::Args)]
struct MergeArgs {
    #[command(flatten)]
    experiment: ExperimentArgs,
    /// Output directory for the joined outputs.
    #[arg(long)]
    out: PathBuf,
    /// The shards' output directories.
    #[arg(required = true, last = true)]
    shards: Vec<PathBuf>,
}

fn parse_shard(text: &str) -> Result<(usize, usize), String> {
    let (i, n) = text
        .split_once('/')
        .ok_or_else(|| format!("expected I/N such as 0/4, found \"{text}\""))?;
    let i: usize = i
        .trim()
        .parse()
        .map_err(|_| format!("shard index \"{i}\" is not a number"))?;
    let n: usize = n
        .trim()
        .parse()
        .map_err(|_| format!("shard count \"{n}\" is not a number"))?;
    if n == 0 || i >= n {
        return Err(format!("shard {i}/{n}: need 0 <= I < N"));
    }
    Ok((i, n))
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
    /// Open comparing with run B under this policy (same scenario and seed).
    #[arg(long)]
    compare: Option<String>,
    /// Open in presenter mode (full screen, the scenario's story), at story
    /// step N (default 1).
    #[arg(long, value_name = "N", num_args = 0..=1, require_equals = true, default_missing_value = "1")]
    present: Option<usize>,
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
        Some(Command::Batch(args)) => batch(args),
        Some(Command::Merge(args)) => merge(args),
        Some(Command::Sensitivity(args)) => sensitivity(args),
        Some(Command::Import(args)) => import(args),
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

/// The experiment the arguments name.
fn experiment_of(args: &ExperimentArgs) -> Result<siloscope_lab::experiment::Experiment> {
    use siloscope_lab::experiment;
    if args.file.to_string_lossy().ends_with(".scenario.ron") {
        return experiment::from_scenario(
            &args.file,
            &args.policies,
            args.replicates.unwrap_or(10),
            args.steps,
            args.seed,
        )
        .map_err(|e| anyhow::anyhow!(e));
    }
    if !args.policies.is_empty() {
        bail!("--policies is for a scenario; an experiment file lists its own policies");
    }
    let mut exp = experiment::read(&args.file).map_err(|e| anyhow::anyhow!("{e}"))?;
    if let Some(r) = args.replicates {
        if r == 0 || r > 100_000 {
            bail!("--replicates: {r} is out of range; allowed 1 to 100000");
        }
        exp.replicates = r;
    }
    if let Some(s) = args.seed {
        exp.seed = s;
    }
    if let Some(steps) = args.steps {
        if steps == 0 || steps > siloscope_scenario::MAX_STEPS {
            bail!(
                "--steps: {steps} is out of range; allowed 1 to {}",
                siloscope_scenario::MAX_STEPS
            );
        }
        exp.at_steps.retain(|&s| s < steps - 1);
        exp.at_steps.push(steps - 1);
        exp.steps = steps;
    }
    Ok(exp)
}

/// The paired comparison at the last step, one line per condition, metric
/// and part.
fn print_comparison(
    exp: &siloscope_lab::experiment::Experiment,
    outcome: &siloscope_lab::batch::Outcome,
    out: &Path,
) -> Result<()> {
    let last_step = exp.steps;
    println!(
        "\n{} against {} at step {last_step} (paired over {} seeds; mean difference, 95% CI, effect size d_z, share of seeds higher):",
        exp.name, exp.baseline, exp.replicates
    );
    let mut stdout = std::io::stdout().lock();
    for row in outcome.comparison.iter().filter(|r| r.step == last_step) {
        writeln!(
            stdout,
            "  {:<40} {:<34} {:<20} {:>+10.4} [{:>+10.4}, {:>+10.4}]  d={:>6.2}  wins {:>4.0}%",
            row.condition,
            row.metric,
            row.part,
            row.mean_diff,
            row.ci_low,
            row.ci_high,
            row.effect_size,
            row.wins * 100.0
        )?;
    }
    let parquet = if cfg!(feature = "parquet") {
        ", timeseries.parquet"
    } else {
        ""
    };
    println!(
        "\nwrote {}/timeseries.csv{parquet}, summary.csv, comparison.csv, summary.json, plots/",
        out.display()
    );
    Ok(())
}

fn merge(args: MergeArgs) -> Result<ExitCode> {
    let exp = experiment_of(&args.experiment)?;
    let outcome = siloscope_lab::batch::merge(&exp, &args.shards, &args.out)?;
    eprintln!(
        "merge: {} runs joined from {} shards into {}",
        exp.runs(),
        args.shards.len(),
        args.out.display()
    );
    print_comparison(&exp, &outcome, &args.out)?;
    Ok(ExitCode::SUCCESS)
}

fn import(args: ImportArgs) -> Result<ExitCode> {
    use siloscope_scenario::import::{Csv, ImportOptions, import};
    if args.out.exists() && !args.force {
        bail!(
            "{} exists; choose another --out or pass --force to replace it",
            args.out.display()
        );
    }
    let read = |p: &Path| {
        std::fs::read(p)
            .with_context(|| format!("cannot read {}", p.display()))
            .and_then(|b| {
                String::from_utf8(b).map_err(|e| {
                    let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
                    let line = good.iter().filter(|&&c| c == b'\n').count() + 1;
                    let line_start = good.iter().rposition(|&c| c == b'\n').map_or(0, |i| i + 1);
                    let column = good.len() - line_start + 1;
                    anyhow::anyhow!(
                        "{}:{line}:{column}: not UTF-8; save the file as UTF-8",
                        p.display()
                    )
                })
            })
    };
    let (agents, ties) = (read(&args.agents)?, read(&args.ties)?);
    let (agents_name, ties_name) = (
        args.agents.display().to_string(),
        args.ties.display().to_string(),
    );
    let name = args.name.unwrap_or_else(|| {
        args.out
            .file_name()
            .map(|n| {
                n.to_string_lossy()
                    .trim_end_matches(".scenario.ron")
                    .replace('_', " ")
            })
            .unwrap_or_else(|| "Imported organisation".into())
    });
    let options = ImportOptions {
        name,
        steps: args.steps,
        step_unit: args.step_unit,
        seed: args.seed,
        min_weight: args.min_weight,
    };
    let done = match import(
        Csv {
            name: &agents_name,
            text: &agents,
        },
        Csv {
            name: &ties_name,
            text: &ties,
        },
        &options,
    ) {
        Ok(done) => done,
        Err(errors) => {
            eprintln!("{errors}");
            eprintln!("{} problems; nothing written", errors.0.len());
            return Ok(ExitCode::FAILURE);
        }
    };
    // The result must be a valid scenario (limits, ids) before it is written.
    let out_name = args.out.display().to_string();
    if let Err(e) = siloscope_scenario::parse_str(&done.text, &out_name) {
        bail!("the imported scenario is not valid:\n{e}");
    }
    siloscope_lab::output::write_atomic(&args.out, done.text.as_bytes())
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    for (file, columns) in &done.ignored {
        eprintln!("import: ignored columns of {file}: {}", columns.join(", "));
    }
    println!(
        "wrote {}: {} agents in {} groups, {} ties ({} repeated rows merged, {} below --min-weight left out)",
        args.out.display(),
        done.agents,
        done.groups,
        done.ties,
        done.merged,
        done.light
    );
    Ok(ExitCode::SUCCESS)
}

fn sensitivity(args: SensitivityArgs) -> Result<ExitCode> {
    use siloscope_lab::batch::plot;
    use siloscope_lab::sensitivity::{Screen, screen};
    let scenario = siloscope_scenario::files::read_scenario(&args.scenario)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let options = Screen {
        metric: args.metric.clone(),
        part: args.part.clone(),
        policy: args.policy.clone(),
        replicates: args.replicates,
        steps: args.steps,
        seed: args.seed,
        jobs,
    };
    let runs = siloscope_model::knob::Knob::ALL.len() * 2 * args.replicates as usize;
    let steps = args.steps.unwrap_or(scenario.steps);
    let policy = args
        .policy
        .clone()
        .or_else(|| scenario.start_policy.clone())
        .unwrap_or_else(|| "the scenario's knob values".into());
    eprintln!(
        "sensitivity: {} knobs × 2 levels × {} seeds = {runs} runs of {steps} steps from {policy}, on {} threads",
        siloscope_model::knob::Knob::ALL.len(),
        args.replicates,
        jobs
    );
    let started = std::time::Instant::now();
    let effects = screen(&scenario, &options)?;
    eprintln!(
        "sensitivity: done in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let stem = args
        .scenario
        .file_name()
        .map(|n| {
            n.to_string_lossy()
                .trim_end_matches(".scenario.ron")
                .to_owned()
        })
        .unwrap_or_else(|| "scenario".into());
    let out = args
        .out
        .unwrap_or_else(|| PathBuf::from(format!("runs/sensitivity_{stem}_{}", args.metric)));
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;

    let what = if args.part == "all" {
        args.metric.clone()
    } else {
        format!("{} ({})", args.metric, args.part)
    };
    println!(
        "\nEffect on {what} at step {steps} of moving each knob from low to high (paired over {} seeds):\n",
        args.replicates
    );
    println!(
        "  {:<4} {:<24} {:>15}  {:>10} {:>10}  {:>10} [95% CI]              {:>6}",
        "rank", "knob", "low → high", "at low", "at high", "effect", "high wins"
    );
    let mut csv = csv::Writer::from_writer(Vec::new());
    csv.write_record([
        "rank",
        "knob",
        "low",
        "high",
        "mean_at_low",
        "mean_at_high",
        "effect",
        "ci_low",
        "ci_high",
        "effect_size",
        "high_wins",
        "n",
    ])?;
    let mut rows = Vec::new();
    for (rank, e) in effects.iter().enumerate() {
        let d = &e.effect.diff;
        println!(
            "  {:<4} {:<24} {:>6} → {:<6}  {:>10.4} {:>10.4}  {:>+10.4} [{:>+9.4}, {:>+9.4}]  {:>5.0}%",
            rank + 1,
            e.knob.name(),
            e.levels.0,
            e.levels.1,
            e.at_low.mean,
            e.at_high.mean,
            d.mean,
            d.lo,
            d.hi,
            e.effect.wins * 100.0
        );
        let f = |v: f64| siloscope_lab::output::format_value(v);
        csv.write_record([
            (rank + 1).to_string(),
            e.knob.name().to_owned(),
            f(f64::from(e.levels.0)),
            f(f64::from(e.levels.1)),
            f(e.at_low.mean),
            f(e.at_high.mean),
            f(d.mean),
            f(d.lo),
            f(d.hi),
            f(e.effect.effect),
            f(e.effect.wins),
            d.n.to_string(),
        ])?;
        rows.push((e.knob.name().to_owned(), d.mean, d.lo, d.hi));
    }
    let table = out.join("sensitivity.csv");
    siloscope_lab::output::write_atomic(&table, &csv.into_inner()?)
        .with_context(|| format!("cannot write {}", table.display()))?;
    let chart = plot::Effects {
        title: format!("What moves {what}: low → high, one knob at a time"),
        axis: format!(
            "change in {what} at step {steps} (mean, 95% CI over {} seeds)",
            args.replicates
        ),
        rows,
    };
    plot::write(&out, "sensitivity", &chart)
        .with_context(|| format!("cannot write the plot into {}", out.display()))?;
    println!(
        "\nwrote {0}/sensitivity.csv, sensitivity.png, sensitivity.svg",
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn batch(args: BatchArgs) -> Result<ExitCode> {
    use siloscope_lab::batch::{self, BatchOptions};
    let exp = experiment_of(&args.experiment)?;
    let stem = args
        .experiment
        .file
        .file_name()
        .and_then(|n| n.to_str())
        .map(|n| n.split('.').next().unwrap_or(n).to_owned())
        .unwrap_or_else(|| "batch".into());
    let out = args
        .out
        .unwrap_or_else(|| PathBuf::from("runs").join(&stem));
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    eprintln!(
        "batch: {} — {} conditions × {} replicates = {} runs of {} steps on {jobs} threads, into {}",
        exp.name,
        exp.conditions.len(),
        exp.replicates,
        exp.runs(),
        exp.steps,
        out.display()
    );
    let started = std::time::Instant::now();
    let last = std::sync::atomic::AtomicUsize::new(usize::MAX);
    let options = BatchOptions {
        out: out.clone(),
        jobs,
        shard: args.shard,
    };
    // A bar with an ETA on a terminal; a plain line per tenth otherwise.
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "batch: [{bar:40}] {pos}/{len} runs, {elapsed} elapsed, ETA {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar
    });
    let outcome = batch::run(&exp, &options, |done, total| {
        if let Some(bar) = &bar {
            let first = bar.length() == Some(0);
            bar.set_length(total as u64);
            bar.set_position(done as u64);
            if first {
                // Runs resumed from disk do not count toward the rate.
                bar.reset_eta();
            }
            return;
        }
        let tenth = done * 10 / total.max(1);
        if last.swap(tenth, std::sync::atomic::Ordering::Relaxed) != tenth {
            let secs = started.elapsed().as_secs_f64();
            eprintln!("batch: {done}/{total} runs ({}%), {secs:.1} s", tenth * 10);
        }
    })?;
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    eprintln!(
        "batch: {} runs computed, {} resumed from {}, in {:.1} s",
        outcome.ran,
        outcome.resumed,
        out.display(),
        started.elapsed().as_secs_f64()
    );
    if let Some((i, n)) = args.shard {
        eprintln!(
            "batch: shard {i}/{n} done; join the shards with `siloscope merge {} --out DIR -- <shard dirs>`",
            args.experiment.file.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    print_comparison(&exp, &outcome, &out)?;
    Ok(ExitCode::SUCCESS)
}

fn load(path: &Path) -> Result<Scenario> {
    files::read_scenario(path).map_err(|errors| anyhow::anyhow!("{errors}"))
}

fn validate(paths: &[PathBuf]) -> Result<ExitCode> {
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

fn run(
    path: &Path,
    policy: Option<String>,
    seed: Option<u64>,
    steps: Option<u32>,
    out: Option<PathBuf>,
) -> Result<ExitCode> {
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
        if report.step == steps / 2 {
            output::stall_if_asked(&series_path, || {});
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
