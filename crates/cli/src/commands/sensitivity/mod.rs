//! `siloscope sensitivity`: the one-at-a-time screen of every knob (and,
//! asked for, the model's assumptions), as a ranked table, a CSV and a
//! tornado chart; with `--against`, of the gap between two policies. With
//! `--method sobol` or `morris`, the factors vary over their whole ranges
//! at once ([`global`]).

pub(crate) mod global;

use crate::args::SensitivityArgs;
use anyhow::{Context, Result};
use std::path::PathBuf;
use std::process::ExitCode;

pub(crate) fn run(args: SensitivityArgs) -> Result<ExitCode> {
    use crate::args::Method;
    use siloscope_lab::batch::plot;
    use siloscope_lab::sensitivity::{
        Method as GlobalMethod, Screen, ScreenError, assumption_ranges, check, knob_ranges, screen,
        unscreened_assumptions,
    };
    let scenario = siloscope_scenario::files::read_scenario(&args.scenario)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let factors = if args.vary.is_empty() {
        let mut all = knob_ranges(&scenario);
        if args.assumptions {
            all.extend(assumption_ranges(&scenario));
        }
        all
    } else {
        args.vary
            .iter()
            .map(|v| parse_vary(v))
            .collect::<Result<Vec<_>>>()?
    };
    let per_level = if args.against.is_some() { 2 } else { 1 };
    let method = match args.method {
        Method::Screen => None,
        Method::Sobol => Some(GlobalMethod::Sobol {
            samples: args.samples as usize,
        }),
        Method::Morris => Some(GlobalMethod::Morris {
            trajectories: args.trajectories as usize,
            levels: args.levels,
        }),
    };
    let replicates = args
        .replicates
        .unwrap_or(if method.is_none() { 10 } else { 4 });
    let runs = match &method {
        None => factors.len() * 2,
        Some(m) => m.points(factors.len()),
    } * replicates as usize
        * per_level;
    // More threads than runs would only wait.
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .min(runs.max(1));
    let options = Screen {
        metric: args.metric.clone(),
        part: args.part.clone(),
        policy: args.policy.clone(),
        against: args.against.clone(),
        factors: factors.clone(),
        replicates,
        steps: args.steps,
        seed: args.seed,
        jobs,
    };
    // Everything is checked before any run: the metric, the policies, every
    // level; and the output directory can be made.
    check(&scenario, &options).map_err(|e| match e {
        ScreenError::OutOfRange { .. }
        | ScreenError::NotWhole { .. }
        | ScreenError::LevelsEqual { .. }
        | ScreenError::Duplicate(_)
            if !args.vary.is_empty() =>
        {
            anyhow::anyhow!("--vary: {e}")
        }
        e => anyhow::anyhow!("{e}"),
    })?;
    let out = args.out.clone().unwrap_or_else(|| {
        PathBuf::from(format!(
            "runs/sensitivity_{}_{}",
            super::scenario_stem(&args.scenario),
            args.metric
        ))
    });
    let stem_of = match args.method {
        Method::Screen => "sensitivity",
        Method::Sobol => "sobol",
        Method::Morris => "morris",
    };
    if method.is_none() && (args.split.shard.is_some() || !args.split.merge.is_empty()) {
        anyhow::bail!(
            "--shard and --merge split a global study: use them with --method sobol or morris"
        );
    }
    super::journaled::check_split(args.split.shard, &args.split.merge, &out)?;
    let ours = |n: &str| n.starts_with(&format!("{stem_of}."));
    let _lock = super::output_dir(&out, "sensitivity", ours)?;
    if args.assumptions {
        let left = unscreened_assumptions(&scenario);
        if !left.is_empty() {
            eprintln!(
                "sensitivity: not screened (at 0, a mechanism switched off; use --vary model.<name>=LOW..HIGH): {}",
                left.join(", ")
            );
        }
    }
    let steps = args.steps.unwrap_or(scenario.steps);
    let policy = args
        .policy
        .clone()
        .or_else(|| scenario.start_policy.clone())
        .unwrap_or_else(|| "the scenario's knob values".into());
    let against = args
        .against
        .as_ref()
        .map(|a| format!(" and from {a}"))
        .unwrap_or_default();
    let design = match &method {
        None => "2 levels".to_owned(),
        Some(m) => format!("{} design points", m.points(factors.len())),
    };
    eprintln!(
        "sensitivity: {} factor{}, {design} × {replicates} seeds = {runs} runs of {steps} steps from {policy}{against}, on {jobs} threads",
        factors.len(),
        if factors.len() == 1 { "" } else { "s" },
    );
    if let Some(method) = method {
        let study = global::Study {
            scenario: &scenario,
            screen: &options,
            method,
            out: &out,
            steps,
            policy: &policy,
        };
        return global::run(&study, &args);
    }
    let started = std::time::Instant::now();
    let effects = screen(&scenario, &options)?;
    eprintln!(
        "sensitivity: done in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let metric = if args.part == "all" {
        args.metric.clone()
    } else {
        format!("{} ({})", args.metric, args.part)
    };
    let what = match &args.against {
        Some(other) => format!("{metric}: {policy} − {other}"),
        None => metric,
    };
    println!(
        "\nEffect on {what} at step {steps} of moving each factor from low to high (paired over {replicates} seeds):\n"
    );
    println!(
        "  {:<4} {:<28} {:>19}  {:>12} {:>12}  {:>12} [95% CI]                  {:>6}",
        "rank", "factor", "low → high", "at low", "at high", "effect", "high wins"
    );
    let mut csv = csv::Writer::from_writer(Vec::new());
    csv.write_record([
        "rank",
        "factor",
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
        "sign_flips",
    ])?;
    let mut rows = Vec::new();
    for (rank, e) in effects.iter().enumerate() {
        let d = &e.effect.diff;
        let what_flips = if args.against.is_some() {
            "ranking"
        } else {
            "sign"
        };
        let flips = if e.flips() {
            format!("  {what_flips} flips")
        } else if e.may_flip() {
            format!("  {what_flips} may flip (not clear at 95%)")
        } else {
            String::new()
        };
        println!(
            "  {:<4} {:<28} {:>8} → {:<8}  {:>12.4} {:>12.4}  {:>+12.4} [{:>+11.4}, {:>+11.4}]  {:>5.0}%{flips}",
            rank + 1,
            e.factor.name(),
            // Levels are f32 in the model: shown at that precision.
            e.levels.0 as f32,
            e.levels.1 as f32,
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
            e.factor.name(),
            (e.levels.0 as f32).to_string(),
            (e.levels.1 as f32).to_string(),
            f(e.at_low.mean),
            f(e.at_high.mean),
            f(d.mean),
            f(d.lo),
            f(d.hi),
            f(e.effect.effect),
            f(e.effect.wins),
            d.n.to_string(),
            e.flips().to_string(),
        ])?;
        rows.push((e.factor.name(), d.mean, d.lo, d.hi));
    }
    let incomplete: Vec<String> = effects
        .iter()
        .filter(|e| e.effect.diff.n < replicates as usize)
        .map(|e| format!("{} ({} of {replicates})", e.factor.name(), e.effect.diff.n))
        .collect();
    if !incomplete.is_empty() {
        println!(
            "\nnote: {what} was undefined at step {steps} in some seeds (a mean over nothing); these rows use only the seeds with a value at both levels: {}",
            incomplete.join(", ")
        );
    }
    let chart = plot::Effects {
        title: format!("What moves {what}: low -> high, one factor at a time"),
        axis: format!("change in {what} at step {steps} (mean, 95% CI over {replicates} seeds)"),
        rows,
    };
    // The plot first and the table last, so a table on disk means a
    // complete output.
    plot::write(&out, "sensitivity", &chart)
        .with_context(|| format!("cannot write the chart into {}", out.display()))?;
    let table = out.join("sensitivity.csv");
    siloscope_lab::output::write_atomic(&table, &csv.into_inner()?)
        .with_context(|| format!("cannot write {}", table.display()))?;
    println!(
        "\nwrote {0}/sensitivity.csv, sensitivity.png, sensitivity.svg",
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// `NAME=LOW..HIGH`: a knob or `model.<assumption>` and its two levels.
fn parse_vary(text: &str) -> Result<siloscope_lab::sensitivity::Range> {
    use siloscope_lab::sensitivity::{Factor, Range};
    let usage = || {
        anyhow::anyhow!(
            "--vary {text:?}: expected NAME=LOW..HIGH, a knob or model.<assumption> and two numbers, e.g. model.arpu_scale=0.25..1.5"
        )
    };
    let (name, levels) = text.split_once('=').ok_or_else(usage)?;
    let (low, high) = levels.split_once("..").ok_or_else(usage)?;
    let factor = Factor::parse(name.trim()).ok_or_else(|| {
        anyhow::anyhow!(
            "--vary {text:?}: {name:?} is neither a knob nor a model assumption (model.<name>; `siloscope policies` lists the knobs, docs/model.md the assumptions)"
        )
    })?;
    let number = |v: &str| v.trim().parse::<f64>().ok().filter(|x| x.is_finite());
    let (low, high) = (
        number(low).ok_or_else(usage)?,
        number(high).ok_or_else(usage)?,
    );
    if low >= high {
        anyhow::bail!("--vary {text:?}: the low level must be below the high level");
    }
    Ok(Range { factor, low, high })
}
