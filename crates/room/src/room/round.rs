//! The round: open it, decide in it, its timer, close it and run its
//! steps (see the parent module for the rules).

use super::{Room, RoomError};
use siloscope_model::sim::Decision;
use siloscope_workshop::session::Session;
use std::time::Duration;

/// The open round.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Round {
    pub(super) number: u32,
    pub(super) steps: u32,
    /// When the time is up; `None` while paused.
    pub(super) deadline: Option<Duration>,
    /// Time left when paused.
    pub(super) left: Duration,
    /// Per seat.
    pub(super) decisions: Vec<Option<Decision>>,
}

/// A closed round: what runs.
#[derive(Clone, Debug, PartialEq)]
pub struct Closed {
    /// Its number.
    pub number: u32,
    /// Steps it runs.
    pub steps: u32,
    /// The decisions made, by seat.
    pub decisions: Vec<(usize, Decision)>,
}

/// What running a closed round did.
#[derive(Clone, Debug, PartialEq)]
pub struct Applied {
    /// Steps computed (fewer at the horizon).
    pub steps: u32,
    /// Decisions an agent could no longer make (a customer who left
    /// during the round), one line per seat.
    pub refused: Vec<String>,
}

/// The round as the facilitator sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct RoundStatus {
    /// Its number.
    pub number: u32,
    /// Steps it runs.
    pub steps: u32,
    /// Whole seconds left.
    pub seconds_left: u64,
    /// Whether the timer is stopped.
    pub paused: bool,
}

impl Room {
    /// Open a round of `steps` steps, `seconds` to decide, at `now`.
    pub fn open(&mut self, steps: u32, seconds: u32, now: Duration) -> Result<u32, RoomError> {
        if let Some(r) = &self.round {
            return Err(RoomError::RoundOpen(r.number));
        }
        self.rounds += 1;
        let left = Duration::from_secs(u64::from(seconds));
        self.round = Some(Round {
            number: self.rounds,
            steps,
            deadline: Some(now + left),
            left,
            decisions: vec![None; self.seats.len()],
        });
        Ok(self.rounds)
    }

    /// Person `p` decides `decision` for round `round` at `now`
    /// (replacing what they decided before in it).
    pub fn decide(
        &mut self,
        p: usize,
        round: u32,
        decision: Decision,
        now: Duration,
    ) -> Result<(), RoomError> {
        let seat = self.people.get(p).ok_or(RoomError::UnknownToken)?.seat;
        let r = self.round.as_mut().ok_or(RoomError::NoRound)?;
        if round != r.number {
            return Err(RoomError::WrongRound {
                got: round,
                open: r.number,
            });
        }
        if r.deadline.is_some_and(|d| now >= d) {
            return Err(RoomError::TooLate(r.number));
        }
        self.seats[seat]
            .kind
            .allows(&decision)
            .map_err(RoomError::NotYourChoice)?;
        if r.decisions.len() <= seat {
            // A customer's seat taken while the round was open.
            r.decisions.resize(seat + 1, None);
        }
        r.decisions[seat] = Some(decision);
        Ok(())
    }

    /// Stop the timer at `now`; deciding goes on.
    pub fn pause(&mut self, now: Duration) -> Result<(), RoomError> {
        let r = self.round.as_mut().ok_or(RoomError::NoRound)?;
        let d = r
            .deadline
            .take()
            .ok_or(RoomError::Timer("paused already"))?;
        r.left = d.saturating_sub(now);
        Ok(())
    }

    /// Start the timer again at `now`.
    pub fn resume(&mut self, now: Duration) -> Result<(), RoomError> {
        let r = self.round.as_mut().ok_or(RoomError::NoRound)?;
        if r.deadline.is_some() {
            return Err(RoomError::Timer("running"));
        }
        r.deadline = Some(now + r.left);
        Ok(())
    }

    /// Give the room `seconds` more (even once the time is up, until the
    /// round closes).
    pub fn extend(&mut self, seconds: u32, now: Duration) -> Result<(), RoomError> {
        let r = self.round.as_mut().ok_or(RoomError::NoRound)?;
        let more = Duration::from_secs(u64::from(seconds));
        match &mut r.deadline {
            Some(d) => *d = (*d).max(now) + more,
            None => r.left += more,
        }
        Ok(())
    }

    /// Whether the open round should close at `now`: its time is up, or
    /// everyone holding a seat has decided.
    pub fn due(&self, now: Duration) -> bool {
        let Some(r) = &self.round else { return false };
        let held: Vec<usize> = (0..self.seats.len())
            .filter(|&s| self.holders[s].is_some())
            .collect();
        let all = !held.is_empty()
            && held
                .iter()
                .all(|&s| r.decisions.get(s).is_some_and(Option::is_some));
        all || r.deadline.is_some_and(|d| now >= d)
    }

    /// Close the open round: later decisions are refused.
    pub fn close(&mut self) -> Result<Closed, RoomError> {
        let r = self.round.take().ok_or(RoomError::NoRound)?;
        Ok(Closed {
            number: r.number,
            steps: r.steps,
            decisions: r
                .decisions
                .iter()
                .enumerate()
                .filter_map(|(s, d)| d.map(|d| (s, d)))
                .collect(),
        })
    }

    /// Run a closed round's steps on `session`, each seat's decision made
    /// for each of its agents before every step (logged as the session's
    /// edits).
    pub fn apply(&self, closed: &Closed, session: &mut Session) -> Applied {
        let mut refused = Vec::new();
        let mut steps = 0;
        for _ in 0..closed.steps {
            if session.at_end() {
                break;
            }
            for &(s, decision) in &closed.decisions {
                let seat = &self.seats[s];
                for &a in &seat.agents {
                    if let Err(e) = session.decide(a, decision) {
                        let line = format!("{}: {e}", seat.title);
                        if !refused.contains(&line) {
                            refused.push(line);
                        }
                    }
                }
            }
            session.step();
            steps += 1;
        }
        Applied { steps, refused }
    }

    /// The round, if one is open, at `now`.
    pub fn round(&self, now: Duration) -> Option<RoundStatus> {
        self.round.as_ref().map(|r| RoundStatus {
            number: r.number,
            steps: r.steps,
            seconds_left: r
                .deadline
                .map_or(r.left, |d| d.saturating_sub(now))
                .as_secs(),
            paused: r.deadline.is_none(),
        })
    }

    /// What seat `s` decided in the open round.
    pub fn decided(&self, s: usize) -> Option<Decision> {
        self.round.as_ref()?.decisions.get(s).copied().flatten()
    }
}
