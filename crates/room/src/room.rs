//! The room's state: the join code, who holds which seat, the round and
//! its timer, and the decisions that join the run.
//!
//! A round: the facilitator opens it with a number of steps and a timer;
//! people decide (and may change their minds) until the timer runs out,
//! everyone seated has decided, or the facilitator moves on; then the
//! round closes — a decision arriving later is refused — and its steps
//! run with each decision made for every one of them ([`Room::apply`]).
//! Seats nobody decided for, and agents nobody plays, follow the rules.
//! The facilitator may pause the timer (deciding goes on) and extend it.
//!
//! A person who drops keeps their seat: the token given on joining gets
//! it back ([`Room::rejoin`]).
//!
//! The join code (six letters and digits, no look-alikes) keeps phones of
//! other rooms out; the facilitator's token, given to the facilitator
//! alone, is what the facilitator's view must show. Both, and each
//! person's token, come from the standard library's per-process random
//! keys (SipHash of a counter): unguessable from outside, not a secret
//! against someone who can read this process's memory.

use crate::seats::{Offer, Seat, SeatKind, offers};
use round::Round;
pub use round::{Applied, Closed, RoundStatus};
use siloscope_model::agent::Lifecycle;
use siloscope_workshop::session::Session;
use std::hash::{BuildHasher, Hasher};

/// The most people a room seats.
pub const MAX_PEOPLE: usize = 500;

/// Letters and digits of a join code: no 0/O, 1/I.
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// Why the room refused something.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RoomError {
    /// The join code is not this room's.
    #[error("that is not this room's code")]
    WrongCode,
    /// No such seat.
    #[error("no seat \"{asked}\"; the seats are: {seats}")]
    NoSuchSeat {
        /// What was asked for.
        asked: String,
        /// The seats on offer.
        seats: String,
    },
    /// Someone holds it.
    #[error("{0} is taken")]
    SeatTaken(String),
    /// Every active customer of the segment is played already.
    #[error("every customer of {0} is played already")]
    NoCustomerLeft(String),
    /// The room is full.
    #[error("the room is full ({MAX_PEOPLE} people)")]
    Full,
    /// A token the room never gave.
    #[error("unknown token: join again with the room's code")]
    UnknownToken,
    /// No round is open.
    #[error("no round is open")]
    NoRound,
    /// A round is open already.
    #[error("round {0} is still open")]
    RoundOpen(u32),
    /// A decision for another round than the open one.
    #[error("round {got} is not the open round ({open})")]
    WrongRound {
        /// The round decided for.
        got: u32,
        /// The open round.
        open: u32,
    },
    /// The timer ran out.
    #[error("round {0}'s time is up")]
    TooLate(u32),
    /// A choice the seat cannot make.
    #[error("{0}")]
    NotYourChoice(String),
    /// Pausing a paused round, resuming a running one.
    #[error("the round is {0}")]
    Timer(&'static str),
    /// A round opened with the run at its last step: nothing would run.
    #[error("the run is at its end ({0}): rewind or reset it to play on")]
    AtEnd(String),
}

/// A person in the room.
#[derive(Clone, Debug, PartialEq)]
pub struct Person {
    /// The name they gave.
    pub name: String,
    /// Their seat (an index into [`Room::seats`]).
    pub seat: usize,
    /// Whether their phone is connected.
    pub connected: bool,
    token: String,
}

/// A seat as the facilitator sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct SeatStatus {
    /// Its title.
    pub title: String,
    /// Who holds it, if anyone.
    pub holder: Option<String>,
    /// Whether their phone is connected.
    pub connected: bool,
    /// Whether they decided in the open round.
    pub decided: bool,
}

/// A participatory workshop's room.
#[derive(Clone, Debug)]
pub struct Room {
    code: String,
    facilitator: String,
    offers: Vec<Offer>,
    seats: Vec<Seat>,
    holders: Vec<Option<usize>>,
    people: Vec<Person>,
    round: Option<Round>,
    rounds: u32,
    keys: std::collections::hash_map::RandomState,
    drawn: u64,
}

impl Room {
    /// A room for `session`'s scenario, with a fresh join code.
    pub fn new(session: &Session) -> Room {
        let mut room = Room {
            code: String::new(),
            facilitator: String::new(),
            offers: offers(session),
            seats: Vec::new(),
            holders: Vec::new(),
            people: Vec::new(),
            round: None,
            rounds: 0,
            keys: std::collections::hash_map::RandomState::new(),
            drawn: 0,
        };
        let r = room.random();
        room.code = (0..6)
            .map(|i| char::from(CODE_ALPHABET[(r >> (5 * i)) as usize % CODE_ALPHABET.len()]))
            .collect();
        room.facilitator = room.token();
        // Heads' seats exist from the start; customers' when taken.
        for o in room.offers.clone() {
            if let SeatKind::Head { .. } = o.kind {
                let agents = agents_of(session, o.group);
                room.add_seat(&o, agents);
            }
        }
        room
    }

    /// The join code people type.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The facilitator's token.
    pub fn facilitator_token(&self) -> &str {
        &self.facilitator
    }

    /// Whether `token` is the facilitator's.
    pub fn is_facilitator(&self, token: &str) -> bool {
        same(token.as_bytes(), self.facilitator.as_bytes())
    }

    /// The seats a person may ask for.
    pub fn offers(&self) -> &[Offer] {
        &self.offers
    }

    /// The seats a person may ask for, if `code` is this room's, each
    /// with whether one is free (a head's seat nobody holds; a segment
    /// with an active customer nobody plays).
    pub fn open_seats(
        &self,
        session: &Session,
        code: &str,
    ) -> Result<Vec<(Offer, bool)>, RoomError> {
        self.check_code(code)?;
        Ok(self
            .offers
            .iter()
            .map(|o| {
                let free = match o.kind {
                    SeatKind::Head { .. } => self
                        .seats
                        .iter()
                        .position(|s| s.id == o.id)
                        .is_some_and(|s| self.holders[s].is_none()),
                    SeatKind::Customer => self.free_customer(session, o.group).is_some(),
                };
                (o.clone(), free)
            })
            .collect())
    }

    /// `Ok` if `code` is this room's (as typed: spaces around and lower
    /// case allowed).
    fn check_code(&self, code: &str) -> Result<(), RoomError> {
        if same(
            code.trim().to_ascii_uppercase().as_bytes(),
            self.code.as_bytes(),
        ) {
            Ok(())
        } else {
            Err(RoomError::WrongCode)
        }
    }

    /// The first active customer of group `g` nobody plays.
    fn free_customer(&self, session: &Session, g: usize) -> Option<u32> {
        let played = |a: u32| {
            self.seats
                .iter()
                .any(|s| s.kind == SeatKind::Customer && s.agents == [a])
        };
        // The group's range, not a list of it: phones ask this for each
        // segment whenever they look for a seat.
        let group = &session.scenario().groups[g];
        (group.first..group.first + group.size).find(|&a| {
            session
                .sim()
                .lifecycle(a)
                .is_some_and(Lifecycle::is_active_customer)
                && !played(a)
        })
    }

    /// The seats taken or offered so far (heads, then customers as they
    /// were taken).
    pub fn seats(&self) -> &[Seat] {
        &self.seats
    }

    /// Everyone who joined, by person id.
    pub fn people(&self) -> &[Person] {
        &self.people
    }

    /// `name` takes seat `seat` in the room whose code is `code`; returns
    /// their person id and the token that gets the seat back.
    pub fn join(
        &mut self,
        session: &Session,
        code: &str,
        seat: &str,
        name: &str,
    ) -> Result<(usize, String), RoomError> {
        self.check_code(code)?;
        if self.people.len() >= MAX_PEOPLE {
            return Err(RoomError::Full);
        }
        let offer = self
            .offers
            .iter()
            .find(|o| o.id == seat)
            .cloned()
            .ok_or_else(|| RoomError::NoSuchSeat {
                asked: seat.chars().take(60).collect(),
                seats: self
                    .offers
                    .iter()
                    .map(|o| o.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
        let s = match offer.kind {
            SeatKind::Head { .. } => {
                let s = self
                    .seats
                    .iter()
                    .position(|s| s.id == offer.id)
                    .expect("heads are seated at start");
                if self.holders[s].is_some() {
                    return Err(RoomError::SeatTaken(offer.title));
                }
                s
            }
            SeatKind::Customer => {
                let Some(a) = self.free_customer(session, offer.group) else {
                    return Err(RoomError::NoCustomerLeft(
                        session.scenario().groups[offer.group].name.clone(),
                    ));
                };
                let id = session.scenario().agent_id(a);
                self.add_seat(
                    &Offer {
                        id: format!("customer:{id}"),
                        title: format!("{} ({id})", offer.title),
                        ..offer
                    },
                    vec![a],
                )
            }
        };
        let token = self.token();
        let person = self.people.len();
        self.people.push(Person {
            name: name.trim().to_owned(),
            seat: s,
            connected: true,
            token: token.clone(),
        });
        self.holders[s] = Some(person);
        Ok((person, token))
    }

    /// The person whose token is `token` is back (connected).
    pub fn rejoin(&mut self, token: &str) -> Result<usize, RoomError> {
        let p = self
            .people
            .iter()
            .position(|p| same(p.token.as_bytes(), token.as_bytes()))
            .ok_or(RoomError::UnknownToken)?;
        self.people[p].connected = true;
        Ok(p)
    }

    /// Person `p`'s phone dropped; they keep their seat.
    pub fn disconnect(&mut self, p: usize) {
        if let Some(person) = self.people.get_mut(p) {
            person.connected = false;
        }
    }

    /// Every seat, who holds it and whether they decided.
    pub fn status(&self) -> Vec<SeatStatus> {
        self.seats
            .iter()
            .enumerate()
            .map(|(s, seat)| {
                let holder = self.holders[s].map(|p| &self.people[p]);
                SeatStatus {
                    title: seat.title.clone(),
                    holder: holder.map(|p| p.name.clone()),
                    connected: holder.is_some_and(|p| p.connected),
                    decided: self
                        .round
                        .as_ref()
                        .is_some_and(|r| r.decisions.get(s).is_some_and(Option::is_some)),
                }
            })
            .collect()
    }

    fn add_seat(&mut self, o: &Offer, agents: Vec<u32>) -> usize {
        self.seats.push(Seat {
            id: o.id.clone(),
            title: o.title.clone(),
            kind: o.kind,
            group: o.group,
            agents,
        });
        self.holders.push(None);
        self.seats.len() - 1
    }

    /// 64 unpredictable bits.
    fn random(&mut self) -> u64 {
        self.drawn += 1;
        let mut h = self.keys.build_hasher();
        h.write_u64(self.drawn);
        h.finish()
    }

    /// 128 unpredictable bits, in hex.
    fn token(&mut self) -> String {
        format!("{:016x}{:016x}", self.random(), self.random())
    }
}

/// The agents of group `g`.
fn agents_of(session: &Session, g: usize) -> Vec<u32> {
    let group = &session.scenario().groups[g];
    (group.first..group.first + group.size).collect()
}

/// Equal, in time that does not depend on where they differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

mod round;
#[cfg(test)]
pub(crate) mod tests;
