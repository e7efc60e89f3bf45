//! What `siloscope optimise` prints and writes: the objective in words,
//! the check's table (and `comparison.csv`), every candidate
//! (`candidates.csv`) and the optimum as a policy entry.

use anyhow::Result;
use siloscope_lab::optimise::{self, Comparison, Entry, Objective, Sense, Space, knob_text};
use siloscope_lab::output::format_value;
use siloscope_scenario::edit::ron_string;

/// The objective and its constraints in words.
pub(super) fn describe(objective: &Objective) -> String {
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
pub(super) fn duration(seconds: f64) -> String {
    if seconds < 60.0 {
        format!("{seconds:.1} s")
    } else {
        let s = seconds.round() as u64;
        format!("{} min {} s", s / 60, s % 60)
    }
}

/// The optimum's policy entry: its name and the RON text of its value.
pub(super) fn entry(
    scenario: &siloscope_scenario::Scenario,
    objective: &Objective,
    space: &Space,
    best: &Entry,
    name: &str,
    description: &str,
) -> (String, String) {
    let knobs: Vec<String> = space
        .knobs()
        .iter()
        .zip(&best.point)
        .map(|(k, &p)| format!("\"{}\": {}", k.name(), knob_text(p)))
        .collect();
    let base = optimise::base_policy(scenario, objective)
        .map(|p| format!("    base: {},\n", ron_string(p)))
        .unwrap_or_default();
    let body = format!(
        "(\n{base}    description: {},\n    knobs: {{ {} }},\n)",
        ron_string(description),
        knobs.join(", "),
    );
    (name.to_owned(), body)
}

/// Numbers for people: four significant digits, and powers of ten past a
/// thousand billion (`1e305`, not three hundred digits).
pub(super) fn shown(v: f64) -> String {
    let r = round(v);
    if r != 0.0 && r.is_finite() && !(1e-4..1e15).contains(&r.abs()) {
        format!("{r:e}")
    } else {
        format_value(r)
    }
}

/// The check's table on stdout, and as CSV; and notes on what the check
/// found against the search.
pub(super) fn report(
    objective: &Objective,
    c: &Comparison,
    names: &[String],
) -> (Vec<u8>, Vec<String>) {
    let f = |v: f64| format_value(v);
    let how = match objective.sense {
        Sense::Maximise => "how much more the optimum achieves",
        Sense::Minimise => "how much less the optimum needs (the objective is minimised)",
    };
    println!(
        "\nChecked on {} fresh seeds (none of the search's), paired. Objective: {}: each policy's mean with its 95% interval; {how}, with the interval of that paired difference; and on what share of seeds the optimum does better (ties count half).",
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
    let width = c
        .policies
        .iter()
        .map(|(n, _)| super::super::shown(n).chars().count())
        .chain([c.policy.name.chars().count(), 6])
        .max()
        .unwrap_or(6);
    println!(
        "\n  {:<width$} {:>28}  {:>30}  {:>8}  {}",
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
    header.extend(names.iter().cloned());
    csv.write_record(&header).expect("writing to memory");
    let mut notes = Vec::new();
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
                    shown(v),
                    if con.violation(v) == 0.0 {
                        "kept"
                    } else {
                        "broken"
                    }
                )
            })
            .collect();
        let gain = (i > 0).then(|| c.gain_over(runs, objective.sense));
        if i == 0 && !feasible {
            notes.push("on the fresh seeds the optimum breaks a constraint it kept on the search's seeds: its margin was thin; search with more --replicates".to_owned());
        }
        if let Some(g) = gain
            && g.diff.mean < 0.0
        {
            notes.push(format!(
                "on the fresh seeds {} does better than the optimum ({} [{}, {}]): the search's seeds may have flattered the optimum (search with more --replicates or --generations), or the policy differs in knobs the search does not vary",
                super::super::shown(name),
                shown(-g.diff.mean),
                shown(-g.diff.hi),
                shown(-g.diff.lo),
            ));
        }
        let gain_text = gain.map_or(String::new(), |g| {
            format!(
                "{}{} [{}, {}]",
                if g.diff.mean >= 0.0 { "+" } else { "" },
                shown(g.diff.mean),
                shown(g.diff.lo),
                shown(g.diff.hi)
            )
        });
        println!(
            "  {:<width$} {:>28}  {:>30}  {:>8}  {}",
            super::super::shown(name),
            format!("{} [{}, {}]", shown(est.mean), shown(est.lo), shown(est.hi)),
            gain_text,
            gain.map_or(String::new(), |g| format!("{:.0}%", g.wins * 100.0)),
            cons.join(", ")
        );
        let mut record = vec![
            name.to_owned(),
            f(est.mean),
            f(est.lo),
            f(est.hi),
            gain.map_or(String::new(), |g| f(g.diff.mean)),
            gain.map_or(String::new(), |g| f(g.diff.lo)),
            gain.map_or(String::new(), |g| f(g.diff.hi)),
            gain.map_or(String::new(), |g| f(g.wins)),
            feasible.to_string(),
        ];
        record.extend(score.constraints.iter().map(|&v| f(v)));
        csv.write_record(&record).expect("writing to memory");
    }
    (csv.into_inner().expect("writing to memory"), notes)
}

/// Four significant digits, for tables people read.
pub(super) fn round(v: f64) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let scale = 10f64.powi(3 - v.abs().log10().floor() as i32);
    let r = (v * scale).round() / scale;
    if r.is_finite() { r } else { v }
}

/// The constraints' columns in the CSVs: `customer_trust_in_org@103>=0.5`.
pub(super) fn constraint_columns(objective: &Objective) -> Vec<String> {
    objective
        .constraints
        .iter()
        .map(|c| {
            let part = if c.reading.part == "all" {
                String::new()
            } else {
                format!("[{}]", c.reading.part)
            };
            let bounds = match (c.at_least, c.at_most) {
                (Some(lo), Some(hi)) => format!(">={lo}<={hi}"),
                (Some(lo), None) => format!(">={lo}"),
                (None, Some(hi)) => format!("<={hi}"),
                (None, None) => String::new(),
            };
            format!("{}{part}@{}{bounds}", c.reading.metric, c.reading.step)
        })
        .collect()
}

/// Every candidate scored, in the order drawn; generation 0's named by
/// the policy they are.
pub(super) fn candidates_csv(
    objective: &Objective,
    space: &Space,
    entries: &[Entry],
    starts: &[(String, Vec<i64>)],
) -> Result<Vec<u8>> {
    let mut csv = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = ["generation", "policy", "objective", "feasible"]
        .map(String::from)
        .to_vec();
    header.extend(constraint_columns(objective));
    header.extend(space.knobs().iter().map(|k| k.name().to_owned()));
    csv.write_record(&header)?;
    for e in entries {
        let policy = if e.generation == 0 {
            starts
                .iter()
                .find(|(_, p)| *p == e.point)
                .map_or("", |(n, _)| n.as_str())
        } else {
            ""
        };
        let mut record = vec![
            e.generation.to_string(),
            policy.to_owned(),
            format_value(e.score.objective),
            (e.score.violation(&objective.constraints) == 0.0).to_string(),
        ];
        record.extend(e.score.constraints.iter().map(|&v| format_value(v)));
        record.extend(e.point.iter().map(|&p| knob_text(p)));
        csv.write_record(&record)?;
    }
    Ok(csv.into_inner()?)
}
