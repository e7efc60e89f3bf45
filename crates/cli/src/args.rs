//! The command line's arguments: one struct per command, parsed by clap.

use clap::{Parser, Subcommand};
use std::path::PathBuf;

pub(crate) mod app;

pub(crate) use app::AppArgs;

/// The scenario the app and the examples open by default.
pub(crate) const DEFAULT_SCENARIO: &str = "scenarios/workshop.scenario.ron";

#[derive(Parser)]
#[command(
    name = "siloscope",
    version,
    about = "An organisational silo-and-trust simulator",
    long_about = "Simulates how information and trust flow between an organisation's departments, \
                  partners, existing customers and new customers under different openness policies."
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Option<Command>,
}

#[derive(Subcommand)]
pub(crate) enum Command {
    /// Check scenario and experiment files; print every error with file, line, column and field.
    Validate(ValidateArgs),
    /// Run one simulation headless; write a tidy CSV time series and a JSON summary.
    Run(RunArgs),
    /// List a scenario's policies and knobs with their values.
    Policies(PoliciesArgs),
    /// Run an experiment (policies × sweeps × seeds) in parallel and compare
    /// the policies with paired statistics.
    Batch(BatchArgs),
    /// Join the output directories of `batch --shard` runs into one.
    Merge(MergeArgs),
    /// Turn an organisation's own network (a CSV of agents and a CSV of
    /// ties, or a GraphML or GEXF file) into a scenario, with the network in
    /// files beside it (or embedded in it).
    Import(ImportArgs),
    /// Which knobs and assumptions move a metric most: one at a time from
    /// low to high over paired seeds, or all at once over their ranges
    /// (Sobol indices, Morris elementary effects).
    Sensitivity(SensitivityArgs),
    /// Fit knobs and assumptions to what is observed (a *.targets.ron
    /// file), by approximate Bayesian computation: posterior ranges and a
    /// posterior predictive check.
    Calibrate(CalibrateArgs),
    /// Search the knobs for the policy that does best by an objective (a
    /// *.objective.ron file), keeping its constraints, by CMA-ES over paired
    /// seeds; check it against every policy on fresh seeds.
    Optimise(OptimiseArgs),
    /// Rebuild a saved workshop session (*.session.ron) headless and check
    /// it is exactly the session saved; say what it holds.
    Replay(ReplayArgs),
    /// Turn a saved workshop session into one self-contained HTML page to
    /// take home: the runs, charts, notes, predictions and the story.
    Debrief(DebriefArgs),
    /// Open the workshop app (what `siloscope` alone does).
    App(AppArgs),
    /// Host a participatory workshop without the app: the room's phones
    /// join a page on the local network and decide for their agents round
    /// by round; the facilitator's page runs the rounds and shows the
    /// organisation.
    Host(HostArgs),
}

#[derive(clap::Args)]
pub(crate) struct HostArgs {
    /// Scenario file.
    pub(crate) scenario: PathBuf,
    /// The address and port to listen on: 127.0.0.1 (this machine only)
    /// unless the room's network is chosen, e.g. 0.0.0.0:8737 or this
    /// machine's address on it.
    #[arg(long, default_value = "127.0.0.1:8737")]
    pub(crate) listen: std::net::SocketAddr,
    /// Policy to start under (a preset or one the scenario defines).
    #[arg(long)]
    pub(crate) policy: Option<String>,
    /// Seed (default: the scenario's).
    #[arg(long)]
    pub(crate) seed: Option<u64>,
}

#[derive(clap::Args)]
pub(crate) struct ReplayArgs {
    /// The session file (the app saves them in ~/.local/share/siloscope/sessions).
    pub(crate) session: PathBuf,
    /// Then carry the runs on headless to this step (back by rewinding),
    /// as if the room had kept playing [default: where the room left them].
    #[arg(long, value_name = "STEP")]
    pub(crate) to: Option<u32>,
    /// Save the session, carried on, back into its file (atomically), for
    /// the app or the debrief.
    #[arg(long, requires = "to")]
    pub(crate) save: bool,
}

#[derive(clap::Args)]
pub(crate) struct DebriefArgs {
    /// The session file (the app saves them in ~/.local/share/siloscope/sessions).
    pub(crate) session: PathBuf,
    /// The page to write [default: <session>.debrief.html in the current directory].
    #[arg(long)]
    pub(crate) out: Option<PathBuf>,
}

#[derive(clap::Args)]
pub(crate) struct ValidateArgs {
    /// Scenario files (*.scenario.ron).
    #[arg(required = true)]
    pub(crate) files: Vec<PathBuf>,
}

#[derive(clap::Args)]
pub(crate) struct RunArgs {
    /// Scenario file.
    pub(crate) scenario: PathBuf,
    /// Policy to run under (a preset or one the scenario defines).
    #[arg(long)]
    pub(crate) policy: Option<String>,
    /// Seed (default: the scenario's).
    #[arg(long)]
    pub(crate) seed: Option<u64>,
    /// Steps (default: the scenario's).
    #[arg(long)]
    pub(crate) steps: Option<u32>,
    /// Output directory (default: runs/<scenario>_<policy>_s<seed>).
    #[arg(long)]
    pub(crate) out: Option<PathBuf>,
}

#[derive(clap::Args)]
pub(crate) struct PoliciesArgs {
    /// Scenario file.
    pub(crate) scenario: PathBuf,
}

#[derive(clap::Args)]
pub(crate) struct ImportArgs {
    /// Agents: id,part,group[,role,start,needs].
    #[arg(long, required_unless_present = "graph", requires = "ties")]
    pub(crate) agents: Option<PathBuf>,
    /// Ties: source,target[,weight,channel].
    #[arg(long, required_unless_present = "graph", requires = "agents")]
    pub(crate) ties: Option<PathBuf>,
    /// A GraphML or GEXF file instead of the two CSVs: nodes are agents,
    /// edges ties (what Gephi, networkx and igraph write).
    #[arg(long, conflicts_with_all = ["agents", "ties"])]
    pub(crate) graph: Option<PathBuf>,
    /// With --graph: the node attribute naming each agent's group
    /// [default: group, else department].
    #[arg(long, requires = "graph")]
    pub(crate) group_attr: Option<String>,
    /// With --graph: the node attribute naming each agent's part.
    #[arg(long, requires = "graph", default_value = "part")]
    pub(crate) part_attr: String,
    /// With --graph: the node attribute naming a department's role.
    #[arg(long, requires = "graph", default_value = "role")]
    pub(crate) role_attr: String,
    /// With --graph: the part of nodes without a part attribute
    /// (department, partner, existing_customer, new_customer).
    #[arg(long, requires = "graph", value_parser = parse_part)]
    pub(crate) part: Option<siloscope_model::agent::Part>,
    /// The scenario file to write (*.scenario.ron); the network goes beside
    /// it, in <name>.agents.csv and <name>.ties.csv.
    #[arg(long)]
    pub(crate) out: PathBuf,
    /// Write every agent and tie into the scenario file itself (one file,
    /// for small organisations: a scenario file is at most 16 MiB).
    #[arg(long)]
    pub(crate) embed: bool,
    /// The scenario's title [default: from the output file name].
    #[arg(long)]
    pub(crate) name: Option<String>,
    /// Steps in a run.
    #[arg(long, default_value_t = 104, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub(crate) steps: u32,
    /// What one step stands for.
    #[arg(long, default_value = "week")]
    pub(crate) step_unit: String,
    /// Base seed.
    #[arg(long, default_value_t = 1)]
    pub(crate) seed: u64,
    /// Leave out ties whose weight is below this (a finite number).
    #[arg(long, value_parser = parse_finite)]
    pub(crate) min_weight: Option<f64>,
    /// Overwrite --out (and its network files) if they exist.
    #[arg(long)]
    pub(crate) force: bool,
}

#[derive(clap::Args)]
pub(crate) struct SensitivityArgs {
    /// Scenario file.
    pub(crate) scenario: PathBuf,
    /// The metric, as in the time series.
    #[arg(long, default_value = "customer_trust_in_org")]
    pub(crate) metric: String,
    /// The metric's part (`all`, a part such as `new_customers`, ...).
    #[arg(long, default_value = "all")]
    pub(crate) part: String,
    /// Policy the knobs start from [default: the scenario's].
    #[arg(long)]
    pub(crate) policy: Option<String>,
    /// Screen the gap to this policy instead: the metric under --policy minus under this one, seed by seed; a factor whose levels put a different policy ahead is flagged.
    #[arg(long, value_name = "POLICY")]
    pub(crate) against: Option<String>,
    /// Also screen the model's assumptions, each from half to one and a half times its value.
    #[arg(long, conflicts_with = "vary")]
    pub(crate) assumptions: bool,
    /// Screen only these factors, over these levels: a knob or model.<assumption> (repeatable), e.g. --vary model.arpu_scale=0.25..1.5.
    #[arg(long = "vary", value_name = "NAME=LOW..HIGH")]
    pub(crate) vary: Vec<String>,
    /// How: `screen` (one factor at a time, low → high), `sobol` (first-order
    /// and total indices over the whole ranges at once) or `morris`
    /// (elementary effects along trajectories).
    #[arg(long, value_enum, default_value_t = Method::Screen)]
    pub(crate) method: Method,
    /// With --method sobol: base samples (the design runs samples × (factors + 2) points).
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u64).range(4..=1_000_000))]
    pub(crate) samples: u64,
    /// With --method morris: trajectories (the design runs trajectories × (factors + 1) points).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(2..=100_000))]
    pub(crate) trajectories: u64,
    /// With --method morris: grid levels per factor.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(2..=100))]
    pub(crate) levels: u32,
    /// Seeds per level (screen) or per point of the design (sobol, morris),
    /// the same seeds everywhere (at least 2) [default: 10 for screen, 4 otherwise].
    #[arg(long, value_parser = clap::value_parser!(u32).range(2..=10_000))]
    pub(crate) replicates: Option<u32>,
    /// Steps per run [default: the scenario's].
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub(crate) steps: Option<u32>,
    /// Base seed [default: the scenario's].
    #[arg(long)]
    pub(crate) seed: Option<u64>,
    /// Worker threads, 1 to 1024 [default: all cores].
    #[arg(long, value_parser = parse_jobs)]
    pub(crate) jobs: Option<usize>,
    #[command(flatten)]
    pub(crate) split: SplitArgs,
    /// Output directory [default: runs/sensitivity_<scenario>_<metric>].
    #[arg(long)]
    pub(crate) out: Option<PathBuf>,
}

#[derive(clap::Args)]
pub(crate) struct CalibrateArgs {
    /// Scenario file.
    pub(crate) scenario: PathBuf,
    /// Targets file (*.targets.ron): the factors to fit, with their ranges, and the observations.
    pub(crate) targets: PathBuf,
    /// Settings drawn from the ranges (a Latin hypercube).
    #[arg(long, default_value_t = 400, value_parser = clap::value_parser!(u64).range(10..=1_000_000))]
    pub(crate) samples: u64,
    /// The share of settings kept, those nearest the observations (0 to 1).
    #[arg(long, default_value_t = 0.05, value_parser = parse_share)]
    pub(crate) accept: f64,
    /// Seeds per setting, the same for every setting.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub(crate) replicates: u32,
    /// Base seed [default: the scenario's].
    #[arg(long)]
    pub(crate) seed: Option<u64>,
    /// Worker threads, 1 to 1024 [default: all cores].
    #[arg(long, value_parser = parse_jobs)]
    pub(crate) jobs: Option<usize>,
    #[command(flatten)]
    pub(crate) split: SplitArgs,
    /// Output directory [default: runs/calibrate_<scenario>].
    #[arg(long)]
    pub(crate) out: Option<PathBuf>,
}

#[derive(clap::Args)]
pub(crate) struct OptimiseArgs {
    /// Scenario file.
    pub(crate) scenario: PathBuf,
    /// Objective file (*.objective.ron): what to maximise or minimise, the
    /// constraints, and the knobs to search.
    pub(crate) objective: PathBuf,
    /// Generations of the search at most (a search resumed with more goes on where it stopped).
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub(crate) generations: u64,
    /// Candidates per generation [default: 4 + 3 ln(knobs searched)].
    #[arg(long, value_parser = clap::value_parser!(u64).range(2..=10_000))]
    pub(crate) population: Option<u64>,
    /// Seeds each candidate runs on, the same for every candidate.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub(crate) replicates: u32,
    /// Fresh seeds the optimum and every policy are checked on, paired.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(2..=100_000))]
    pub(crate) check: u32,
    /// Base seed [default: the scenario's].
    #[arg(long)]
    pub(crate) seed: Option<u64>,
    /// Worker threads, 1 to 1024 [default: all cores].
    #[arg(long, value_parser = parse_jobs)]
    pub(crate) jobs: Option<usize>,
    /// Output directory [default: runs/optimise_<scenario>]; a search stopped there resumes.
    #[arg(long)]
    pub(crate) out: Option<PathBuf>,
}

/// How a long study is split over machines: `--shard` and `--merge`.
#[derive(clap::Args)]
pub(crate) struct SplitArgs {
    /// Compute only the runs numbered I modulo N (e.g. 3/8, from 0), into
    /// this --out's journal; join the shards with --merge.
    #[arg(long, value_parser = parse_shard, conflicts_with = "merge")]
    pub(crate) shard: Option<(usize, usize)>,
    /// Join the journals of these shards' --out directories, then report
    /// as one study (the same arguments as the shards, another --out).
    #[arg(long, num_args = 1.., value_name = "DIR")]
    pub(crate) merge: Vec<PathBuf>,
}

/// A share: a number above 0 and at most 1.
fn parse_share(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(v) if v > 0.0 && v <= 1.0 => Ok(v),
        _ => Err(format!("{text} is out of range; allowed above 0 up to 1")),
    }
}

/// How `sensitivity` varies the factors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Method {
    /// One factor at a time, from low to high.
    Screen,
    /// Sobol indices from a Saltelli design.
    Sobol,
    /// Morris elementary effects along trajectories.
    Morris,
}

/// Which experiment: a file, or a scenario with policies.
#[derive(clap::Args)]
pub(crate) struct ExperimentArgs {
    /// An experiment (*.experiment.ron), or a scenario (*.scenario.ron) with --policies.
    pub(crate) file: PathBuf,
    /// With a scenario: the policies to compare, the first being the baseline.
    #[arg(long, value_delimiter = ',')]
    pub(crate) policies: Vec<String>,
    /// Replicates (seeds) per condition [default: the experiment's, or 10].
    #[arg(long)]
    pub(crate) replicates: Option<u32>,
    /// Steps per run [default: the experiment's or scenario's].
    #[arg(long)]
    pub(crate) steps: Option<u32>,
    /// Base seed [default: the experiment's or scenario's].
    #[arg(long)]
    pub(crate) seed: Option<u64>,
}

#[derive(clap::Args)]
pub(crate) struct BatchArgs {
    #[command(flatten)]
    pub(crate) experiment: ExperimentArgs,
    /// Worker threads, 1 to 1024 [default: all cores].
    #[arg(long, value_parser = parse_jobs)]
    pub(crate) jobs: Option<usize>,
    /// Output directory [default: runs/<name>].
    #[arg(long)]
    pub(crate) out: Option<PathBuf>,
    /// Run one deterministic slice, e.g. 2/8 (runs whose number is 2 modulo
    /// 8, counting shards from 0); join the slices with `siloscope merge`.
    #[arg(long, value_parser = parse_shard)]
    pub(crate) shard: Option<(usize, usize)>,
}

#[derive(clap::Args)]
pub(crate) struct MergeArgs {
    #[command(flatten)]
    pub(crate) experiment: ExperimentArgs,
    /// Output directory for the joined outputs.
    #[arg(long)]
    pub(crate) out: PathBuf,
    /// The shards' output directories.
    #[arg(required = true, last = true)]
    pub(crate) shards: Vec<PathBuf>,
}

/// Most worker threads `--jobs` asks for: more would only wait (runs are
/// bound by the cores) and can exhaust the system's threads.
pub(crate) const MAX_JOBS: usize = 1024;

/// `--jobs`: a whole number of threads from 1 to [`MAX_JOBS`].
pub(crate) fn parse_jobs(text: &str) -> Result<usize, String> {
    let digits = text.trim();
    let out_of_range = || format!("{digits} is out of range; allowed 1 to {MAX_JOBS} threads");
    match digits.parse::<usize>() {
        Ok(n) if (1..=MAX_JOBS).contains(&n) => Ok(n),
        Ok(_) => Err(out_of_range()),
        // Too many digits for a number is still a number, too large.
        Err(_) if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => {
            Err(out_of_range())
        }
        Err(_) => Err(format!("\"{text}\" is not a whole number of threads")),
    }
}

/// `--scale`: a number from 0.5 to 3.
pub(crate) fn parse_scale(text: &str) -> Result<f32, String> {
    match text.trim().parse::<f32>() {
        Ok(v) if (0.5..=3.0).contains(&v) => Ok(v),
        Ok(_) => Err(format!("{text} is out of range; allowed 0.5 to 3")),
        Err(_) => Err(format!("\"{text}\" is not a number")),
    }
}

/// `--size`: a window size `WxH`, 320 to 7680 pixels wide and 240 to 4320
/// high.
pub(crate) fn parse_size(text: &str) -> Result<(u32, u32), String> {
    let bad = || format!("\"{text}\" is not a size; write WIDTHxHEIGHT, e.g. 1280x720");
    let (w, h) = text.trim().split_once(['x', 'X', '×']).ok_or_else(bad)?;
    let side = |v: &str| v.trim().parse::<u32>().map_err(|_| bad());
    let (w, h) = (side(w)?, side(h)?);
    if !(320..=7680).contains(&w) || !(240..=4320).contains(&h) {
        return Err(format!(
            "{w}x{h} is out of range; allowed 320 to 7680 wide and 240 to 4320 high"
        ));
    }
    Ok((w, h))
}

/// A finite number (`--min-weight`): NaN and infinities are refused.
pub(crate) fn parse_part(text: &str) -> Result<siloscope_model::agent::Part, String> {
    siloscope_scenario::import::parse_part(text).ok_or_else(|| {
        format!("unknown part \"{text}\"; parts are department, partner, existing_customer, new_customer")
    })
}

pub(crate) fn parse_finite(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(format!("{text} is not a finite number")),
        Err(_) => Err(format!("\"{text}\" is not a number")),
    }
}

pub(crate) fn parse_shard(text: &str) -> Result<(usize, usize), String> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_size_is_width_x_height_within_reason() {
        assert_eq!(parse_size("1280x720"), Ok((1280, 720)));
        assert_eq!(parse_size(" 1920X1080 "), Ok((1920, 1080)));
        assert_eq!(parse_size("800×600"), Ok((800, 600)));
        let e = parse_size("1280").unwrap_err();
        assert!(e.contains("WIDTHxHEIGHT"), "{e}");
        let e = parse_size("100x100").unwrap_err();
        assert!(e.contains("out of range"), "{e}");
        assert!(parse_size("99999999999x720").is_err());
    }
}
