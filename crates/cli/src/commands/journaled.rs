//! Long studies run as journaled jobs (`sensitivity --method sobol|morris`,
//! `calibrate`): resumed from their journal when run again, split over
//! machines with `--shard I/N`, joined with `--merge DIR…`. See
//! `siloscope_lab::journal`.

use super::shown_path;
use anyhow::{Result, bail};
use siloscope_lab::experiment::MAX_RUNS;
use siloscope_lab::journal::{self, Journal, Line, Shape, Shard};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// What a journaled study needs from its command.
pub(crate) struct Work<'a> {
    /// The command, for messages (`sensitivity`).
    pub(crate) command: &'static str,
    /// The journal's file in the output directory.
    pub(crate) journal: PathBuf,
    /// Its shape.
    pub(crate) shape: Shape,
    /// The fingerprint of what the values depend on.
    pub(crate) fingerprint: String,
    /// Jobs in all.
    pub(crate) total: usize,
    /// Worker threads.
    pub(crate) jobs: usize,
    /// This process's part (`--shard`), if any.
    pub(crate) shard: Option<(usize, usize)>,
    /// Shard directories to join (`--merge`).
    pub(crate) merge: &'a [PathBuf],
}

/// `--shard` and `--merge` for commands that take them: checked together.
pub(crate) fn check_split(
    shard: Option<(usize, usize)>,
    merge: &[PathBuf],
    out: &Path,
) -> Result<()> {
    if shard.is_some() && !merge.is_empty() {
        bail!("--shard and --merge: a process either computes a shard or joins them, not both");
    }
    for dir in merge {
        let (a, b) = (dir.canonicalize().ok(), out.canonicalize().ok());
        if a.is_some() && a == b {
            bail!(
                "--merge {}: is the --out directory; join the shards into a directory of its own",
                shown_path(dir)
            );
        }
    }
    Ok(())
}

/// Every job's values: from the journal, from the shards' journals
/// (`--merge`), or run now. `None` when this process is one shard of
/// several (its jobs are journaled; the others' are not here).
pub(crate) fn values(
    w: &Work<'_>,
    job: &(dyn Fn(usize) -> Result<Vec<f64>> + Sync),
) -> Result<Option<Vec<Vec<f64>>>> {
    if w.total > MAX_RUNS {
        bail!(
            "{} runs planned; at most {MAX_RUNS} (fewer samples, trajectories or replicates)",
            w.total
        );
    }
    let (mut journal, mut known, notes) = Journal::open(&w.journal, &w.shape, &w.fingerprint)?;
    // Results of runs this study does not have (a tampered journal) are
    // not counted, nor used.
    known.retain(|l| usize::try_from(l.key[0]).is_ok_and(|k| k < w.total));
    for n in journal::summarise(notes) {
        eprintln!("{}: {}: {n}", w.command, shown_path(&w.journal));
    }
    if !w.merge.is_empty() {
        let mut have: std::collections::BTreeSet<i64> = known.iter().map(|l| l.key[0]).collect();
        let mut joined: Vec<Line> = Vec::new();
        for dir in w.merge {
            let path = dir.join(w.journal.file_name().expect("a journal is a file"));
            let (lines, notes) = Journal::read_only(&path, &w.shape, &w.fingerprint)?;
            for n in journal::summarise(notes) {
                eprintln!("{}: {}: {n}", w.command, shown_path(&path));
            }
            joined.extend(lines.into_iter().filter(|l| have.insert(l.key[0])));
        }
        joined.sort_by_key(|l| l.key[0]);
        journal.append(&joined)?;
        known.extend(joined);
        let missing = w.total
            - have
                .iter()
                .filter(|&&k| k >= 0 && (k as usize) < w.total)
                .count();
        if missing > 0 {
            bail!(
                "--merge: {missing} of {} runs are in none of the {} shard directories; finish the shards (run each again: it resumes) and merge again",
                w.total,
                w.merge.len()
            );
        }
        eprintln!(
            "{}: joined {} runs from {} shards",
            w.command,
            w.total,
            w.merge.len()
        );
    } else if !known.is_empty() {
        let distinct: std::collections::BTreeSet<i64> = known.iter().map(|l| l.key[0]).collect();
        eprintln!(
            "{}: resuming from {}: {} runs already done are not run again",
            w.command,
            shown_path(&w.journal),
            distinct.len()
        );
    }
    let shard = w
        .shard
        .map_or(Shard::WHOLE, |(index, count)| Shard { index, count });
    let pool = journal::pool(w.jobs)?;
    let started = Instant::now();
    let mut last = Instant::now();
    let already = known.len();
    let mine = (0..w.total).filter(|&j| shard.has(j)).count();
    let results = journal::run_jobs(w.total, known, shard, &pool, job, |lines, done| {
        journal.append(lines)?;
        let fresh = done - already.min(done);
        if last.elapsed().as_secs_f64() >= 2.0 || done == mine {
            last = Instant::now();
            let elapsed = started.elapsed().as_secs_f64();
            let left = mine.saturating_sub(done);
            let eta = if fresh > 0 && left > 0 {
                format!(", about {:.0} s left", elapsed / fresh as f64 * left as f64)
            } else {
                String::new()
            };
            eprintln!("{}: {done} of {mine} runs{eta}", w.command);
        }
        Ok(())
    })?;
    if let Some((index, count)) = w.shard {
        let join = if w.command == "batch" {
            "siloscope merge <experiment> --out DIR -- <the shards' directories>"
        } else {
            "--merge DIR…"
        };
        eprintln!(
            "{}: shard {index}/{count} done ({mine} runs, journaled in {}); join the shards with {join} once all are done",
            w.command,
            shown_path(&w.journal)
        );
        return Ok(None);
    }
    Ok(Some(
        results
            .into_iter()
            .map(|v| v.expect("every job of a whole study is done"))
            .collect(),
    ))
}
