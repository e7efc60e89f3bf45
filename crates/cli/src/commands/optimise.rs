//! `siloscope optimise`: search the knobs for the policy that does best by
//! an objective, keeping its constraints; check the optimum against every
//! policy of the scenario on fresh paired seeds; write it as a policy entry
//! to paste into the scenario. A search stopped (even by `kill -9`) resumes
//! from its journal when run again with the same `--out`.

use crate::args::OptimiseArgs;
use anyhow::{Context, Result, anyhow};
use siloscope_lab::journal::Journal;
use siloscope_lab::optimise::{
    self, Comparison, Entry, Objective, Options, Progress, Sense, Space, knob_text, read_objective,
};
use siloscope_lab::output::format_value;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

pub(crate) fn run(args: OptimiseArgs) -> Result<ExitCode> {
    let scenario = super::load(&args.scenario)?;
    let objective = read_objective(&args.objective, &scenario).map_err(|e| anyhow!("{e}"))?;
    let out = args.out.clone().unwrap_or_else(|| {
        PathBuf::from(format!(
            "runs/optimise_{}",
            super::scenario_stem(&args.scenario)
        ))
    });
    let ours = |n: &str| {
        ["search.journal", "candidates.", "comparison.", "optimum."]
            .iter()
            .any(|p| n.starts_with(p))
    };
    let _lock = super::output_dir(&out, "optimise", ours)?;
    let options = Options {
        population: args.population.map(|p| p as usize),
        generations: args.generations as usize,
        replicates: args.replicates,
        seed: args.seed,
        jobs: args
            .jobs
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
    };
    let space = Space::of(&objective.space);
    let fingerprint = optimise::fingerprint(&scenario, &objective, &options);
    let (mut journal, lines, notes) = Journal::open(
        &out.join("search.journal"),
        &Entry::shape(&objective),
        &fingerprint,
    )?;
    let known: Vec<Entry> = lines.into_iter().filter_map(Entry::of_line).collect();
    for n in &notes {
        eprintln!("optimise: {}: {n}", journal.path().display());
    }
    let population = optimise::population(&options, &objective);
    eprintln!("optimise: {}", describe(&objective));
    eprintln!(
        "optimise: {} knob{} searched, {population} candidates a generation × {} seeds, up to {} generations, from the best of the scenario's {} policies; {} thread{}",
        space.knobs().len(),
        if space.knobs().len() == 1 { "" } else { "s" },
        options.replicates,
        options.generations,
        scenario.policies.len(),
        options.jobs,
        if options.jobs == 1 { "" } else { "s" },
    );
    if !known.is_empty() {
        let last = known.iter().map(|e| e.generation).max().unwrap_or(0);
        eprintln!(
            "optimise: resuming from {}: {} candidates already scored (generations 0 to {last}) are not run again",
            journal.path().display(),
            known.len()
        );
    }
    let started = Instant::now();
    let mut fresh_runs = 0usize;
    let per_generation = population * options.replicates as usize;
    let found = optimise::optimise(&scenario, &objective, &options, known, |p: &Progress| {
        journal.append(&p.fresh.iter().map(Entry::line).collect::<Vec<_>>())?;
        fresh_runs += p.fresh.len() * options.replicates as usize;
        let elapsed = started.elapsed().as_secs_f64();
        let left = options.generations.saturating_sub(p.generation);
        let eta = if fresh_runs > 0 && left > 0 {
            format!(
                " · about {} left",
                duration(elapsed / fresh_runs as f64 * (left * per_generation) as f64)
            )
        } else {
            String::new()
        };
        let which = if p.generation == 0 {
            "generation  0 (the scenario's policies)".to_owned()
        } else {
            format!("generation {:>2}/{}", p.generation, options.generations)
        };
        eprintln!(
            "optimise: {which}: best {}{} · σ {:.3} · {fresh_runs} runs in {}{eta}",
            format_value(round(p.best.score.objective)),
            if p.feasible {
                ""
            } else {
                " (breaks a constraint)"
            },
            p.sigma,
            duration(elapsed),
        );
        Ok::<(), anyhow::Error>(())
    })?;
    eprintln!(
        "optimise: stopped after {} generations: {}; {} runs in {}",
        found.generations,
        found.stop,
        found.runs,
        duration(started.elapsed().as_secs_f64())
    );

    let base = options.seed.unwrap_or(scenario.seed);
    let description = format!("found by siloscope optimise: {}", describe(&objective));
    eprintln!(
        "optimise: checking the optimum and {} policies on {} fresh seeds",
        scenario.policies.len(),
        args.check
    );
    let comparison = optimise::compare(
        &scenario,
        &objective,
        &found.best.point,
        &description,
        base,
        options.replicates,
        args.check,
        options.jobs,
    )?;
    let ron = entry_ron(
        &scenario,
        &objective,
        &space,
        &found.best,
        &comparison,
        &description,
    );
    println!(
        "\nThe optimum (first drawn in generation {}; on the {} search seeds: {}{}):\n\n{ron}",
        found.best.generation,
        options.replicates,
        format_value(round(found.best.score.objective)),
        if found.feasible {
            ""
        } else {
            ", breaking a constraint"
        }
    );
    let table = report(&objective, &comparison);
    if !found.feasible {
        println!(
            "\nnote: no candidate kept every constraint; the one shown breaks them least. Widen the knobs' ranges, loosen a bound, or run more generations."
        );
    }
    let candidates = candidates_csv(&objective, &space, &found.entries)?;
    for (name, bytes) in [
        ("candidates.csv", candidates),
        ("comparison.csv", table),
        // Last: an optimum on disk means a complete output.
        ("optimum.ron", ron.into_bytes()),
    ] {
        let path = out.join(name);
        siloscope_lab::output::write_atomic(&path, &bytes)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    println!(
        "wrote {0}/optimum.ron, comparison.csv, candidates.csv (the search's journal: search.journal)",
        out.display()
    );
    Ok(if found.feasible {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The objective and its constraints in words.
fn describe(objective: &Objective) -> String {
    let mut text = objective.describe();
    if !objective.constraints.is_empty() {
        let c: Vec<String> = objective
            .constraints
            .iter()
            .map(|c| format!("{} {}", c.reading.label(), c.bounds()))
            .collect();
        text.push_str(&format!(", keeping {}", c.join(" and ")));
    }
    text
}

/// Seconds for people: `42 s`, `3 min 5 s`.
fn duration(seconds: f64) -> String {
    if seconds < 60.0 {
        format!("{seconds:.1} s")
    } else {
        let s = seconds.round() as u64;
        format!("{} min {} s", s / 60, s % 60)
    }
}

/// The optimum as RON to paste into the scenario's `policies`.
fn entry_ron(
    scenario: &siloscope_scenario::Scenario,
    objective: &Objective,
    space: &Space,
    best: &Entry,
    comparison: &Comparison,
    description: &str,
) -> String {
    let knobs: Vec<String> = space
        .knobs()
        .iter()
        .zip(&best.point)
        .map(|(k, &p)| format!("\"{}\": {}", k.name(), knob_text(p)))
        .collect();
    let base = optimise::base_policy(scenario, objective)
        .map(|p| format!("    base: \"{p}\",\n"))
        .unwrap_or_default();
    format!(
        "// Into the scenario's `policies` (and `policy: \"{name}\"` to start from it).\n\"{name}\": (\n{base}    description: \"{}\",\n    knobs: {{ {} }},\n),\n",
        description.replace('\\', "\\\\").replace('"', "\\\""),
        knobs.join(", "),
        name = comparison.policy.name,
    )
}

/// The check's table on stdout, and as CSV.
fn report(objective: &Objective, c: &Comparison) -> Vec<u8> {
    let f = |v: f64| format_value(v);
    let better = match objective.sense {
        Sense::Maximise => "higher",
        Sense::Minimise => "lower",
    };
    println!(
        "\nChecked on {} fresh seeds (none of the search's), paired. Objective: {}; its mean and 95% interval, and how much better the optimum does ({better} is better).",
        c.seeds.len(),
        objective.describe(),
    );
    for (i, con) in objective.constraints.iter().enumerate() {
        println!(
            "Constraint ({}): {} {}.",
            i + 1,
            con.reading.label(),
            con.bounds()
        );
    }
    println!(
        "\n  {:<22} {:>28}  {:>30}  {:>8}  {}",
        "policy",
        "objective",
        "optimum better by",
        "ahead on",
        if objective.constraints.is_empty() {
            ""
        } else {
            "constraints"
        }
    );
    let mut csv = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = [
        "policy",
        "objective",
        "objective_lo",
        "objective_hi",
        "gain",
        "gain_lo",
        "gain_hi",
        "optimum_ahead_share",
        "feasible",
    ]
    .map(String::from)
    .to_vec();
    for (i, _) in objective.constraints.iter().enumerate() {
        header.push(format!("constraint_{}", i + 1));
    }
    csv.write_record(&header).expect("writing to memory");
    let mut rows: Vec<(&str, &optimise::Runs)> = vec![(c.policy.name.as_str(), &c.optimum)];
    rows.extend(c.policies.iter().map(|(n, r)| (n.as_str(), r)));
    for (i, (name, runs)) in rows.into_iter().enumerate() {
        let est = runs.objective();
        let score = runs.score();
        let feasible = score.violation(&objective.constraints) == 0.0;
        let cons: Vec<String> = objective
            .constraints
            .iter()
            .enumerate()
            .map(|(k, con)| {
                let v = score.constraints[k];
                format!(
                    "({}) {} {}",
                    k + 1,
                    format_value(round(v)),
                    if con.violation(v) == 0.0 {
                        "kept"
                    } else {
                        "broken"
                    }
                )
            })
            .collect();
        let (gain, lo, hi, ahead) = if i == 0 {
            (String::new(), f64::NAN, f64::NAN, String::new())
        } else {
            let g = c.gain_over(runs, objective.sense);
            (
                format!(
                    "{:+} [{:+}, {:+}]",
                    round(g.diff.mean),
                    round(g.diff.lo),
                    round(g.diff.hi)
                ),
                g.diff.lo,
                g.diff.hi,
                format!("{:.0}%", g.wins * 100.0),
            )
        };
        println!(
            "  {:<22} {:>28}  {:>30}  {:>8}  {}",
            super::shown(name),
            format!("{} [{}, {}]", round(est.mean), round(est.lo), round(est.hi)),
            gain,
            ahead,
            cons.join(", ")
        );
        let g = (i > 0).then(|| c.gain_over(runs, objective.sense));
        let mut record = vec![
            name.to_owned(),
            f(est.mean),
            f(est.lo),
            f(est.hi),
            g.map_or(String::new(), |g| f(g.diff.mean)),
            if i == 0 { String::new() } else { f(lo) },
            if i == 0 { String::new() } else { f(hi) },
            g.map_or(String::new(), |g| f(g.wins)),
            feasible.to_string(),
        ];
        record.extend(score.constraints.iter().map(|&v| f(v)));
        csv.write_record(&record).expect("writing to memory");
    }
    csv.into_inner().expect("writing to memory")
}

/// Four significant digits, for tables people read.
fn round(v: f64) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let scale = 10f64.powi(3 - v.abs().log10().floor() as i32);
    (v * scale).round() / scale
}

/// Every candidate scored, in the order drawn.
fn candidates_csv(objective: &Objective, space: &Space, entries: &[Entry]) -> Result<Vec<u8>> {
    let mut csv = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = ["generation", "objective", "feasible"]
        .map(String::from)
        .to_vec();
    header.extend(
        objective
            .constraints
            .iter()
            .enumerate()
            .map(|(i, _)| format!("constraint_{}", i + 1)),
    );
    header.extend(space.knobs().iter().map(|k| k.name().to_owned()));
    csv.write_record(&header)?;
    for e in entries {
        let mut record = vec![
            e.generation.to_string(),
            format_value(e.score.objective),
            (e.score.violation(&objective.constraints) == 0.0).to_string(),
        ];
        record.extend(e.score.constraints.iter().map(|&v| format_value(v)));
        record.extend(e.point.iter().map(|&p| knob_text(p)));
        csv.write_record(&record)?;
    }
    Ok(csv.into_inner()?)
}
