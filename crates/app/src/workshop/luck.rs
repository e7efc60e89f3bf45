//! "Is it luck?" while comparing: runs A and B replayed on
//! [`SEEDS`] paired seeds in a background thread
//! ([`siloscope_workshop::luck`]), so the B − A table can show, beside the
//! one seed on screen, each figure's 95% interval and the share of seeds
//! where B does better.
//!
//! The replay starts when comparing starts and again whenever what the runs
//! are changes — a policy, a live edit, a reload, the seed — and a replay
//! that is no longer wanted is cancelled. Moving along the timeline needs no
//! new replay: every step's values are kept.

use super::Workshop;
use bevy::prelude::*;
use siloscope_workshop::luck::{Luck, Recipe, SEEDS};
use siloscope_workshop::session::{LoggedEdit, Session};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// The replay of the runs on screen, and where it stands.
#[derive(Resource, Default)]
pub struct LuckCheck {
    key: Option<Key>,
    job: Option<Job>,
    /// The finished replay of the runs as they are now.
    pub luck: Option<Luck>,
    /// Why the replay failed, if it did.
    pub error: Option<String>,
}

impl LuckCheck {
    /// Whether a replay is running.
    pub fn pending(&self) -> bool {
        self.job.is_some()
    }
}

/// What a replay depends on.
#[derive(Clone, Debug, PartialEq)]
struct Key {
    generation: u64,
    seed: u64,
    steps: u32,
    a: (Option<String>, Vec<LoggedEdit>),
    b: (Option<String>, Vec<LoggedEdit>),
}

fn setup(s: &Session) -> (Option<String>, Vec<LoggedEdit>) {
    (s.start_policy().map(str::to_owned), s.edits().to_vec())
}

/// Where a finished replay is left for the app.
type Slot = Arc<Mutex<Option<Result<Option<Luck>, String>>>>;

/// A replay in a background thread; dropping it cancels the replay.
struct Job {
    cancel: Arc<AtomicBool>,
    slot: Slot,
}

impl Drop for Job {
    fn drop(&mut self) {
        self.cancel.store(true, Ordering::Relaxed);
    }
}

fn spawn(a: Recipe, b: Recipe, seed: u64, steps: u32) -> Job {
    let cancel = Arc::new(AtomicBool::new(false));
    let slot: Slot = Arc::default();
    let (flag, out) = (cancel.clone(), slot.clone());
    let work = move || {
        let result = Luck::compute(&a, &b, seed, SEEDS, steps, &flag).map_err(|e| e.to_string());
        if let Ok(mut slot) = out.lock() {
            *slot = Some(result);
        }
    };
    if let Err(e) = std::thread::Builder::new()
        .name("siloscope-luck".into())
        .spawn(work)
        && let Ok(mut slot) = slot.lock()
    {
        *slot = Some(Err(format!("cannot start the replay: {e}")));
    }
    Job { cancel, slot }
}

/// Start, restart or collect the replay of the runs on screen.
pub(super) fn check_luck(workshop: Res<Workshop>, mut check: ResMut<LuckCheck>) {
    let Some(b) = workshop.runs.b() else {
        if check.key.is_some() {
            *check = LuckCheck::default();
        }
        return;
    };
    let a = workshop.runs.a();
    let key = Key {
        generation: workshop.generation,
        seed: a.seed(),
        steps: a.horizon(),
        a: setup(a),
        b: setup(b),
    };
    if check.key.as_ref() != Some(&key) {
        // The old job, if any, is dropped and so cancelled.
        check.job = Some(spawn(Recipe::of(a), Recipe::of(b), key.seed, key.steps));
        check.key = Some(key);
        check.luck = None;
        check.error = None;
    }
    let done = check
        .job
        .as_ref()
        .and_then(|job| job.slot.lock().ok().and_then(|mut s| s.take()));
    if let Some(done) = done {
        check.job = None;
        match done {
            Ok(luck) => check.luck = luck,
            Err(e) => check.error = Some(e),
        }
    }
}
