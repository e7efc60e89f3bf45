//! The room and its run behind one lock, shared by every connection, the
//! ticker and the app: the facilitator's commands, and the run handed to
//! and from a program that also changes it (the app).

use crate::protocol::FromFacilitator;
use crate::room::{Room, RoomError};
use siloscope_workshop::session::Session;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// A room and its run, shared by every connection.
pub struct Host {
    inner: Mutex<Inner>,
    started: Instant,
    /// Bumped on every change a view shows.
    version: AtomicU64,
}

/// What the lock guards.
pub struct Inner {
    /// The room.
    pub room: Room,
    /// The run the room plays.
    pub session: Session,
    /// What the last round could not do.
    pub last_round: Vec<String>,
    /// The address phones join by, with the room's code (for its QR code).
    pub join_url: Option<String>,
    /// Bumped whenever the run changes: by a round's steps and by
    /// [`Host::push`].
    pub run_changes: u64,
}

impl Host {
    /// A room for `session`.
    pub fn new(session: Session) -> Arc<Host> {
        Arc::new(Host {
            inner: Mutex::new(Inner {
                room: Room::new(&session),
                session,
                last_round: Vec::new(),
                join_url: None,
                run_changes: 0,
            }),
            started: Instant::now(),
            version: AtomicU64::new(0),
        })
    }

    /// The room and its run (a poisoned lock is taken over: the room's
    /// state is whole between operations).
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Time since the room opened.
    pub fn now(&self) -> Duration {
        self.started.elapsed()
    }

    pub(super) fn changed(&self) {
        self.version.fetch_add(1, Ordering::Relaxed);
    }

    /// Bumped on every change a view shows (a join, a decision, a round).
    pub fn version(&self) -> u64 {
        self.version.load(Ordering::Relaxed)
    }

    /// Tell phones to join at `base` (`http://192.168.1.20:8737`): the
    /// facilitator's views show it with the room's code, and its QR code.
    pub fn set_join_url(&self, base: &str) {
        let mut g = self.lock();
        let url = format!("{}/?code={}", base.trim_end_matches('/'), g.room.code());
        g.join_url = Some(url);
        drop(g);
        self.changed();
    }

    /// The run, if it changed since `seen` (a [`Inner::run_changes`]),
    /// with the count to remember: how the app follows a room's rounds.
    pub fn pull(&self, seen: u64) -> Option<(Session, u64)> {
        let g = self.lock();
        (g.run_changes != seen).then(|| (g.session.clone(), g.run_changes))
    }

    /// Replace the run with `session` (the facilitator changed it: a
    /// policy, a knob, a step) if it has not changed since `seen` (a
    /// [`Inner::run_changes`]), or whatever happened with `seen` `None`
    /// (the run was rebuilt); the new count, or `None` when a round's steps
    /// came first (pull them, and make the change again).
    pub fn push(&self, session: &Session, seen: Option<u64>) -> Option<u64> {
        let mut g = self.lock();
        if seen.is_some_and(|seen| g.run_changes != seen) {
            return None;
        }
        g.session = session.clone();
        g.run_changes += 1;
        let changes = g.run_changes;
        drop(g);
        self.changed();
        Some(changes)
    }

    /// Carry out the facilitator's `command` now.
    pub fn command(&self, command: FromFacilitator) -> Result<(), RoomError> {
        let now = self.now();
        let mut g = self.lock();
        let done = match command {
            FromFacilitator::Open { .. } if g.session.at_end() => Err(RoomError::AtEnd(format!(
                "{} {}",
                g.session.scenario().step_unit,
                g.session.step_index()
            ))),
            FromFacilitator::Open { steps, seconds } => {
                g.room.open(steps, seconds, now).map(|_| ())
            }
            FromFacilitator::Pause => g.room.pause(now),
            FromFacilitator::Resume => g.room.resume(now),
            FromFacilitator::Extend { seconds } => g.room.extend(seconds, now),
            FromFacilitator::Close => {
                if g.room.round(now).is_some() {
                    close(&mut g);
                    Ok(())
                } else {
                    Err(RoomError::NoRound)
                }
            }
        };
        drop(g);
        if done.is_ok() {
            self.changed();
        }
        done
    }

    /// Close the open round if it is due, and run its steps.
    pub fn tick(&self) {
        let now = self.now();
        let mut g = self.lock();
        if g.room.due(now) {
            close(&mut g);
            drop(g);
            self.changed();
        }
    }
}

fn close(g: &mut Inner) {
    if let Ok(closed) = g.room.close() {
        let Inner {
            room,
            session,
            last_round,
            run_changes,
            ..
        } = g;
        *last_round = room.apply(&closed, session).refused;
        *run_changes += 1;
    }
}
