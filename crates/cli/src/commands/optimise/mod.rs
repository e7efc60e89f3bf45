//! `siloscope optimise`: search the knobs for the policy that does best by
//! an objective, keeping its constraints; check the optimum against every
//! policy of the scenario on fresh paired seeds; write it as a policy entry
//! to paste, and as the whole scenario with the optimum added. A search
//! stopped (even by `kill -9`) resumes from its journal when run again
//! with the same `--out`.

mod report;

use crate::args::OptimiseArgs;
use anyhow::{Context, Result, anyhow};
use report::{describe, duration, shown};
use siloscope_lab::journal::{self, Journal};
use siloscope_lab::optimise::{self, Entry, Options, Progress, Space, read_objective};
use siloscope_scenario::edit::{add_policy, ron_string, set_field};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

pub(crate) fn run(args: OptimiseArgs) -> Result<ExitCode> {
    let scenario = super::load(&args.scenario)?;
    let objective = read_objective(&args.objective, &scenario).map_err(|e| anyhow!("{e}"))?;
    let out = args.out.clone().unwrap_or_else(|| {
        let stem = args.objective.file_name().map_or_else(
            || "objective".to_owned(),
            |n| {
                n.to_string_lossy()
                    .trim_end_matches(".objective.ron")
                    .to_owned()
            },
        );
        PathBuf::from(format!(
            "runs/optimise_{}_{stem}",
            super::scenario_stem(&args.scenario)
        ))
    });
    let ours = |n: &str| {
        [
            "search.journal",
            "candidates.",
            "comparison.",
            "optimum.",
            "optimised.",
        ]
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
    let starts = optimise::starts(&scenario, &space);
    let fingerprint = optimise::fingerprint(&scenario, &objective, &options);
    let (mut journal, lines, notes) = Journal::open(
        &out.join("search.journal"),
        &Entry::shape(&objective),
        &fingerprint,
    )?;
    let known: Vec<Entry> = lines.into_iter().filter_map(Entry::of_line).collect();
    for n in journal::summarise(notes) {
        eprintln!("optimise: {}: {n}", super::shown_path(journal.path()));
    }
    let population = optimise::population(&options, &objective);
    let knobs = space.knobs().len();
    eprintln!("optimise: {}", describe(&objective));
    eprintln!(
        "optimise: {} searched, {population} candidates a generation × {}, up to {}, from the best of {} ({}); {}",
        super::count(knobs, "knob", "knobs"),
        super::count(options.replicates as usize, "seed", "seeds"),
        super::count(options.generations, "generation", "generations"),
        super::count(starts.len(), "start", "starts"),
        if knobs == siloscope_model::knob::KNOB_COUNT {
            "the scenario's policies"
        } else {
            "the scenario's policies, on the knobs searched"
        },
        super::count(options.jobs, "thread", "threads"),
    );
    if !known.is_empty() {
        let distinct: std::collections::BTreeSet<&Vec<i64>> =
            known.iter().map(|e| &e.point).collect();
        let last = known.iter().map(|e| e.generation).max().unwrap_or(0);
        eprintln!(
            "optimise: resuming from {}: {} candidates already scored (generations 0 to {last}) are not run again",
            super::shown_path(journal.path()),
            distinct.len()
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
            let name = starts
                .iter()
                .find(|(_, q)| *q == p.best.point)
                .map_or(String::new(), |(n, _)| format!(" {}", super::shown(n)));
            format!("generation  0 (the starts): best{name}")
        } else {
            format!(
                "generation {:>2}/{}: best",
                p.generation, options.generations
            )
        };
        eprintln!(
            "optimise: {which} {}{} · σ {:.3} · {fresh_runs} runs in {}{eta}",
            shown(p.best.score.objective),
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
        "optimise: stopped after {}: {}; {} in {}",
        super::count(found.generations, "generation", "generations"),
        found.stop,
        super::count(found.runs, "run", "runs"),
        duration(started.elapsed().as_secs_f64())
    );

    let base = options.seed.unwrap_or(scenario.seed);
    let description = format!("found by siloscope optimise: {}", describe(&objective));
    eprintln!(
        "optimise: checking the optimum and {} on {} fresh seeds",
        super::count(scenario.policies.len(), "policy", "policies"),
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
    let name = comparison.policy.name.clone();
    let (_, body) = report::entry(
        &scenario,
        &objective,
        &space,
        &found.best,
        &name,
        &description,
    );
    let below = optimise::base_policy(&scenario, &objective)
        .filter(|b| !siloscope_model::policy::PRESET_NAMES.contains(b))
        .map(|b| format!(", below {}", super::shown(b)))
        .unwrap_or_default();
    let ron = format!(
        "// Into the scenario's `policies`{below} (and `policy: {}` to start from it).\n{}: {body},\n",
        ron_string(&name),
        ron_string(&name),
    );
    println!(
        "\nThe optimum (first drawn in generation {}; on the {} search seeds: {}{}):\n\n{ron}",
        found.best.generation,
        options.replicates,
        shown(found.best.score.objective),
        if found.feasible {
            ""
        } else {
            ", breaking a constraint"
        }
    );
    let columns = report::constraint_columns(&objective);
    let (table, notes) = report::report(&objective, &comparison, &columns);
    for n in notes {
        println!("\nnote: {n}.");
    }
    if !found.feasible {
        println!(
            "\nnote: no candidate searched kept every constraint; the one shown breaks them least of those searched. Widen the knobs' ranges, loosen a bound, or run more generations."
        );
    }
    let candidates = report::candidates_csv(&objective, &space, &found.entries, &starts)?;
    // The whole scenario with the optimum added and started from.
    let whole = out.join("optimised.scenario.ron");
    siloscope_scenario::files::write_edited(&args.scenario, &whole, |text| {
        let text = add_policy(text, &name, &body)?;
        let text = set_field(&text, "policy", &ron_string(&name))?;
        set_field(
            &text,
            "name",
            &ron_string(&format!("{} (optimised)", scenario.name)),
        )
    })
    .map_err(|e| anyhow!("cannot write {}: {e}", super::shown_path(&whole)))?;
    for (file, bytes) in [
        ("candidates.csv", candidates),
        ("comparison.csv", table),
        // Last: an optimum on disk means a complete output.
        ("optimum.ron", ron.into_bytes()),
    ] {
        let path = out.join(file);
        siloscope_lab::output::write_atomic(&path, &bytes)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    println!(
        "wrote {0}/optimum.ron, optimised.scenario.ron (the scenario, starting from the optimum), comparison.csv, candidates.csv (the search's journal: search.journal)",
        super::shown_path(&out)
    );
    Ok(if found.feasible {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
