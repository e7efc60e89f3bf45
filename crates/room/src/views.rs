//! What the room sends: to a phone, its seat, the round and what its
//! agents see, in plain words; to the facilitator's view, who has joined
//! and who has decided. JSON objects tagged by `type`, like the messages
//! received ([`crate::protocol`]).

use crate::room::{Room, RoundStatus};
use crate::seats::SeatKind;
use serde::Serialize;
use siloscope_model::agent::Lifecycle;
use siloscope_model::flow::FlowKind;
use siloscope_model::sim::Decision;
use siloscope_workshop::session::Session;

/// A message to a phone.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToPhone {
    /// Seated: keep `token` to get the seat back.
    Welcome {
        /// Gets the seat back after a dropped connection.
        token: String,
        /// The seat's title.
        seat: String,
    },
    /// The room as this seat sees it.
    State(PhoneState),
    /// A decision was taken for round `round`.
    Decided {
        /// The round.
        round: u32,
    },
    /// The seats on offer, and whether each is free.
    Seats {
        /// In the room's order: heads, then customers' segments.
        seats: Vec<SeatOffer>,
    },
    /// A message was refused.
    Error {
        /// Why, for people.
        message: String,
    },
}

/// A seat on offer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SeatOffer {
    /// The id to join with.
    pub id: String,
    /// For people.
    pub title: String,
    /// Whether it can be taken.
    pub free: bool,
}

/// The room as one seat sees it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PhoneState {
    /// The seat's title.
    pub seat: String,
    /// The choices it makes (`contact`, `needs`, …).
    pub choices: &'static [&'static str],
    /// The open round, if any.
    pub round: Option<RoundView>,
    /// What this seat decided in the open round.
    pub decided: Option<Decision>,
    /// The step the run is at, its horizon, and what a step is.
    pub step: u32,
    /// The run's last step.
    pub horizon: u32,
    /// "week", "month".
    pub step_unit: String,
    /// What the seat's agents see, one line each.
    pub sees: Vec<String>,
}

/// A round, for people.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RoundView {
    /// Its number.
    pub number: u32,
    /// Steps it will run.
    pub steps: u32,
    /// Whole seconds left to decide.
    pub seconds_left: u64,
    /// Whether the facilitator stopped the timer.
    pub paused: bool,
}

impl From<RoundStatus> for RoundView {
    fn from(r: RoundStatus) -> RoundView {
        RoundView {
            number: r.number,
            steps: r.steps,
            seconds_left: r.seconds_left,
            paused: r.paused,
        }
    }
}

/// The room as the facilitator sees it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToFacilitator {
    /// Everything on the facilitator's screen.
    State {
        /// The join code.
        code: String,
        /// The address phones join by, with the code, where the host knows
        /// it (else the page's own address serves).
        join_url: Option<String>,
        /// The step the run is at.
        step: u32,
        /// Its last step.
        horizon: u32,
        /// The open round.
        round: Option<RoundView>,
        /// Every seat.
        seats: Vec<SeatView>,
        /// What the last round could not do (a customer who left during
        /// it), one line each.
        last_round: Vec<String>,
    },
    /// A command was refused.
    Error {
        /// Why.
        message: String,
    },
}

/// A seat, for the facilitator.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SeatView {
    /// Its title.
    pub title: String,
    /// Who holds it.
    pub holder: Option<String>,
    /// Whether their phone is connected.
    pub connected: bool,
    /// Whether they decided in the open round.
    pub decided: bool,
}

/// Person `p`'s view of the room at `now`.
pub fn phone_state(
    room: &Room,
    session: &Session,
    p: usize,
    now: std::time::Duration,
) -> PhoneState {
    let person = &room.people()[p];
    let seat = &room.seats()[person.seat];
    PhoneState {
        seat: seat.title.clone(),
        choices: seat.kind.choices(),
        round: room.round(now).map(RoundView::from),
        decided: room.decided(person.seat),
        step: session.step_index(),
        horizon: session.horizon(),
        step_unit: session.scenario().step_unit.clone(),
        sees: sees(session, seat.kind, &seat.agents),
    }
}

/// The facilitator's view at `now`.
pub fn facilitator_state(
    room: &Room,
    session: &Session,
    last_round: &[String],
    join_url: Option<&str>,
    now: std::time::Duration,
) -> ToFacilitator {
    ToFacilitator::State {
        code: room.code().to_owned(),
        join_url: join_url.map(str::to_owned),
        step: session.step_index(),
        horizon: session.horizon(),
        round: room.round(now).map(RoundView::from),
        seats: room
            .status()
            .into_iter()
            .map(|s| SeatView {
                title: s.title,
                holder: s.holder,
                connected: s.connected,
                decided: s.decided,
            })
            .collect(),
        last_round: last_round.to_vec(),
    }
}

/// What a seat's agents see, in plain words.
pub fn sees(session: &Session, kind: SeatKind, agents: &[u32]) -> Vec<String> {
    let sim = session.sim();
    let sc = session.scenario();
    let unit = &sc.step_unit;
    let mut lines = Vec::new();
    match kind {
        SeatKind::Customer => {
            let Some(&a) = agents.first() else {
                return lines;
            };
            let state = sim.lifecycle(a).unwrap_or(Lifecycle::Unaware);
            let group = &sc.groups[sc.group_of(a)].name;
            lines.push(match state {
                Lifecycle::Churned => {
                    format!("You have left {}: you are no longer a customer.", sc.name)
                }
                s if s.is_active_customer() => {
                    format!("You are a customer in {group} ({}).", s.label())
                }
                s => format!("You are in {group}: {}.", s.label()),
            });
            // Satisfaction is perceived in each step: before the first
            // there is none to show.
            lines.push(if session.step_index() == 0 {
                format!("How well what they sell meets your needs: known after the first {unit}.")
            } else {
                format!(
                    "How well what they sell meets your needs: {:.0} out of 100.",
                    100.0 * sim.satisfaction(a)
                )
            });
            lines.push(format!(
                "How far you trust the organisation: {:.0} out of 100.",
                100.0 * sim.trust_in_org(a)
            ));
            let needs = sim.needs(a);
            if let Some((i, v)) = needs.iter().enumerate().max_by(|x, y| x.1.total_cmp(y.1)) {
                lines.push(format!(
                    "What you need most: {} ({:.0} out of 100).",
                    sc.need_names[i],
                    100.0 * v
                ));
            }
            if let Some(story) = session.story(a) {
                let mut recent = Vec::new();
                for item in story.items.iter().rev().take(40) {
                    let other = &sc.groups[sc.group_of(item.other)].name;
                    let what = item_words(item.kind);
                    let line = match (item.sent, item.passed) {
                        (true, true) => {
                            format!("In {} {}, you sent {what} to {other}.", unit, item.step)
                        }
                        (true, false) => format!(
                            "In {} {}, {what} you sent stopped at a silo wall.",
                            unit, item.step
                        ),
                        (false, _) => {
                            format!(
                                "In {} {}, {what} reached you from {other}.",
                                unit, item.step
                            )
                        }
                    };
                    recent.push(line);
                }
                lines.extend(counted(recent).into_iter().take(4));
            }
        }
        SeatKind::Head { .. } => {
            let Some(&first) = agents.first() else {
                return lines;
            };
            let group = &sc.groups[sc.group_of(first)].name;
            lines.push(format!("You head {group}: {} staff.", agents.len()));
            let waiting: usize = agents.iter().map(|&a| sim.contacts_waiting_for(a)).sum();
            lines.push(format!("Customers waiting for your staff: {waiting}."));
            if let Some(r) = session.history().last() {
                lines.push(format!(
                    "Last {unit}, in the whole organisation: {} needs stopped at a silo wall, {} reached Product, {} answers came back.",
                    r.needs_blocked, r.needs_reached, r.loops_closed
                ));
            }
        }
    }
    lines
}

/// The same sentence in a row said once, counted: "In week 0, you sent a
/// need to Resellers (2 times)."
fn counted(lines: Vec<String>) -> Vec<String> {
    let mut out: Vec<(String, usize)> = Vec::new();
    for line in lines {
        match out.last_mut() {
            Some((last, n)) if *last == line => *n += 1,
            _ => out.push((line, 1)),
        }
    }
    out.into_iter()
        .map(|(line, n)| match n {
            1 => line,
            n => format!("{} ({n} times).", line.trim_end_matches('.')),
        })
        .collect()
}

fn item_words(kind: FlowKind) -> &'static str {
    match kind {
        FlowKind::Need => "a need",
        FlowKind::Answer => "an answer",
        FlowKind::Push => "a marketing message",
        FlowKind::CrossSell => "an offer",
        FlowKind::PeerHelp => "help from a peer",
        FlowKind::Internal => "news passed inside",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_item_twice_in_a_row_is_said_once_counted() {
        let l = |s: &str| s.to_owned();
        assert_eq!(
            counted(vec![
                l("In week 1, you sent a need to Resellers."),
                l("In week 0, you sent a need to Resellers."),
                l("In week 0, you sent a need to Resellers."),
                l("In week 0, an answer reached you from Support."),
                l("In week 0, you sent a need to Resellers."),
            ]),
            vec![
                l("In week 1, you sent a need to Resellers."),
                l("In week 0, you sent a need to Resellers (2 times)."),
                l("In week 0, an answer reached you from Support."),
                l("In week 0, you sent a need to Resellers."),
            ]
        );
    }

    #[test]
    fn a_seat_sees_its_agents_in_plain_words() {
        let mut s = crate::room::tests::session();
        s.goto(20);
        let room = Room::new(&s);
        let support = room
            .seats()
            .iter()
            .find(|x| x.id == "head:Support")
            .unwrap();
        let head = sees(&s, support.kind, &support.agents);
        assert_eq!(
            head[0],
            format!("You head Support: {} staff.", support.agents.len())
        );
        assert!(
            head[1].starts_with("Customers waiting for your staff: "),
            "{head:?}"
        );
        assert!(
            head[2].starts_with("Last week, in the whole organisation: "),
            "{head:?}"
        );
        // A customer who has had items: who they are, how they feel, what
        // they need, and what reached them, by week.
        let c = (0..s.sim().network().agents() as u32)
            .find(|&a| {
                s.sim()
                    .lifecycle(a)
                    .is_some_and(Lifecycle::is_active_customer)
                    && s.story(a).is_some_and(|st| !st.items.is_empty())
            })
            .unwrap();
        let fresh = Session::new(s.scenario(), None, None).unwrap();
        assert_eq!(
            sees(&fresh, SeatKind::Customer, &[c])[1],
            "How well what they sell meets your needs: known after the first week."
        );
        let lines = sees(&s, SeatKind::Customer, &[c]);
        assert!(lines[0].starts_with("You are a customer in "), "{lines:?}");
        assert!(
            lines[1].starts_with("How well what they sell meets your needs: "),
            "{lines:?}"
        );
        assert!(
            lines[2].starts_with("How far you trust the organisation: "),
            "{lines:?}"
        );
        assert!(lines[3].starts_with("What you need most: "), "{lines:?}");
        assert!(lines[4].starts_with("In week "), "{lines:?}");
        for pair in lines.windows(2) {
            assert_ne!(pair[0], pair[1], "the same item is said once, counted");
        }
    }
}
