use super::*;
use siloscope_model::sim::{Decision, NeedChoice};
use std::path::Path;
use std::time::Duration;

pub(crate) fn session() -> Session {
    let path = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scenarios/workshop.scenario.ron"
    ));
    let sc = siloscope_scenario::files::read_scenario(path).unwrap();
    Session::new(&sc, None, None).unwrap()
}

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

fn complain() -> Decision {
    Decision {
        contact: Some(true),
        complain: Some(true),
        ..Decision::default()
    }
}

#[test]
fn the_room_offers_every_department_head_and_every_segment_of_customers() {
    let s = session();
    let room = Room::new(&s);
    let ids: Vec<&str> = room.offers().iter().map(|o| o.id.as_str()).collect();
    for g in &s.scenario().groups {
        let id = match g.part {
            siloscope_model::agent::Part::Department => format!("head:{}", g.name),
            siloscope_model::agent::Part::ExistingCustomer => format!("customer:{}", g.name),
            _ => {
                assert!(
                    !ids.iter().any(|i| i.ends_with(&g.name)),
                    "{} offered",
                    g.name
                );
                continue;
            }
        };
        assert!(ids.contains(&id.as_str()), "{id} not offered: {ids:?}");
    }
    // Heads decide for their whole department.
    let support = room
        .seats()
        .iter()
        .find(|x| x.id == "head:Support")
        .unwrap();
    assert_eq!(
        support.agents.len() as u32,
        s.scenario().groups[support.group].size
    );
    assert_eq!(room.code().len(), 6);
    assert!(room.code().bytes().all(|b| CODE_ALPHABET.contains(&b)));
    assert_ne!(Room::new(&s).code(), room.code(), "each room its own code");
}

#[test]
fn people_join_with_the_code_take_free_seats_and_get_them_back() {
    let s = session();
    let mut room = Room::new(&s);
    let code = room.code().to_lowercase();
    assert_eq!(
        room.join(&s, "AAAAAA", "head:Support", "Ana"),
        Err(RoomError::WrongCode)
    );
    let (ana, token) = room
        .join(&s, &format!(" {code} "), "head:Support", "Ana")
        .unwrap();
    assert_eq!(
        room.join(&s, &code, "head:Support", "Ben"),
        Err(RoomError::SeatTaken("Head of Support".into()))
    );
    assert!(matches!(
        room.join(&s, &code, "head:Nowhere", "Ben"),
        Err(RoomError::NoSuchSeat { .. })
    ));
    // Two customers of one segment play two different active customers.
    let seg = customer_seat(&room);
    let (b, _) = room.join(&s, &code, &seg, "Ben").unwrap();
    let (c, _) = room.join(&s, &code, &seg, "Cleo").unwrap();
    let (sb, sc) = (room.people()[b].seat, room.people()[c].seat);
    assert_ne!(room.seats()[sb].agents, room.seats()[sc].agents);
    for seat in [sb, sc] {
        let a = room.seats()[seat].agents[0];
        assert!(s.sim().lifecycle(a).unwrap().is_active_customer());
    }
    // Ana drops and comes back to her seat with her token; a made-up
    // token gets nothing.
    room.disconnect(ana);
    assert!(
        !room
            .status()
            .iter()
            .find(|x| x.title == "Head of Support")
            .unwrap()
            .connected
    );
    assert_eq!(room.rejoin(&token), Ok(ana));
    assert!(
        room.status()
            .iter()
            .find(|x| x.title == "Head of Support")
            .unwrap()
            .connected
    );
    assert_eq!(
        room.rejoin("0123456789abcdef0123456789abcdef"),
        Err(RoomError::UnknownToken)
    );
    assert!(!room.is_facilitator(&token));
    assert!(room.is_facilitator(room.facilitator_token()));
}

#[test]
fn a_segment_runs_out_of_customers_to_play() {
    let s = session();
    let mut room = Room::new(&s);
    let code = room.code().to_owned();
    let seg = room
        .offers()
        .iter()
        .find(|o| o.kind == SeatKind::Customer)
        .unwrap()
        .clone();
    let active = agents_of(&s, seg.group)
        .into_iter()
        .filter(|&a| s.sim().lifecycle(a).unwrap().is_active_customer())
        .count();
    for i in 0..active {
        room.join(&s, &code, &seg.id, &format!("p{i}")).unwrap();
    }
    assert!(matches!(
        room.join(&s, &code, &seg.id, "late"),
        Err(RoomError::NoCustomerLeft(_))
    ));
}

#[test]
fn a_round_takes_decisions_until_its_time_is_up_and_pauses_and_extends() {
    let s = session();
    let mut room = Room::new(&s);
    let code = room.code().to_owned();
    let (ana, _) = room.join(&s, &code, "head:Support", "Ana").unwrap();
    let seg = customer_seat(&room);
    let (ben, _) = room.join(&s, &code, &seg, "Ben").unwrap();
    let hold = Decision {
        needs: Some(NeedChoice::Hold),
        ..Decision::default()
    };
    assert_eq!(room.decide(ana, 1, hold, secs(0)), Err(RoomError::NoRound));
    assert_eq!(room.open(2, 60, secs(10)), Ok(1));
    assert_eq!(room.open(2, 60, secs(10)), Err(RoomError::RoundOpen(1)));
    // Only one's own choices, only for the open round.
    assert!(
        matches!(room.decide(ana, 1, complain(), secs(11)), Err(RoomError::NotYourChoice(m)) if m.contains("cannot decide contact, complain"))
    );
    assert!(matches!(
        room.decide(ben, 1, hold, secs(11)),
        Err(RoomError::NotYourChoice(_))
    ));
    assert_eq!(
        room.decide(ana, 0, hold, secs(11)),
        Err(RoomError::WrongRound { got: 0, open: 1 })
    );
    room.decide(ana, 1, hold, secs(12)).unwrap();
    assert!(!room.due(secs(20)), "Ben has not decided");
    // Paused, the clock stops (deciding goes on); extended, it runs longer.
    room.pause(secs(40)).unwrap();
    assert_eq!(
        room.pause(secs(41)),
        Err(RoomError::Timer("paused already"))
    );
    assert_eq!(room.round(secs(500)).unwrap().seconds_left, 30);
    assert!(!room.due(secs(500)));
    room.extend(15, secs(500)).unwrap();
    room.resume(secs(1000)).unwrap();
    assert_eq!(room.round(secs(1000)).unwrap().seconds_left, 45);
    assert!(!room.due(secs(1044)));
    assert!(room.due(secs(1045)), "time is up");
    assert_eq!(
        room.decide(ben, 1, complain(), secs(1045)),
        Err(RoomError::TooLate(1))
    );
    // The facilitator gives them a little more: Ben decides, and everyone
    // seated has decided.
    room.extend(10, secs(1046)).unwrap();
    room.decide(ben, 1, complain(), secs(1047)).unwrap();
    assert!(room.due(secs(1047)));
    assert!(
        room.status()
            .iter()
            .filter(|x| x.holder.is_some())
            .all(|x| x.decided)
    );
    let closed = room.close().unwrap();
    assert_eq!(closed.decisions.len(), 2);
    // After the close, a late decision is refused.
    assert_eq!(
        room.decide(ben, 1, complain(), secs(1048)),
        Err(RoomError::NoRound)
    );
}

#[test]
fn a_closed_round_runs_its_steps_with_the_decisions_and_replays_exactly() {
    let mut s = session();
    s.goto(5);
    let mut room = Room::new(&s);
    let code = room.code().to_owned();
    let seg = customer_seat(&room);
    let (ben, _) = room.join(&s, &code, &seg, "Ben").unwrap();
    let (ana, _) = room.join(&s, &code, "head:Product", "Ana").unwrap();
    let customer = room.seats()[room.people()[ben].seat].agents[0];
    room.open(3, 60, secs(0)).unwrap();
    room.decide(ben, 1, complain(), secs(1)).unwrap();
    let handle = Decision {
        needs: Some(NeedChoice::Handle),
        ..Decision::default()
    };
    room.decide(ana, 1, handle, secs(2)).unwrap();
    let closed = room.close().unwrap();
    let applied = room.apply(&closed, &mut s);
    assert_eq!(
        applied,
        Applied {
            steps: 3,
            refused: vec![]
        }
    );
    assert_eq!(s.step_index(), 8);
    // Every step of the round carries the customer's complaint and every
    // Product staff member's choice, as edits of the session.
    let product = room.seats()[room.people()[ana].seat].agents.len();
    assert_eq!(s.edits().len(), 3 * (1 + product));
    assert!(s.edits().iter().any(|e| matches!(e.edit, siloscope_workshop::session::Edit::Decide(a, d) if a == customer && d == complain())));
    // Rewind and replay: the same run.
    let here = s.sim().state_hash();
    s.goto(2);
    s.goto(8);
    assert_eq!(s.sim().state_hash(), here);
    // A customer who leaves in the round's first step cannot complain in
    // the next: said once, the run goes on.
    let mut room = Room::new(&s);
    let code = room.code().to_owned();
    let (cleo, _) = room.join(&s, &code, &seg, "Cleo").unwrap();
    room.open(2, 60, secs(0)).unwrap();
    let leave = Decision {
        leave: Some(true),
        contact: Some(true),
        ..Decision::default()
    };
    room.decide(cleo, 1, leave, secs(1)).unwrap();
    let applied = room.apply(&room.clone().close().unwrap(), &mut s);
    assert_eq!(applied.steps, 2);
    assert_eq!(applied.refused.len(), 1, "{:?}", applied.refused);
    assert!(
        applied.refused[0].contains("only an active customer decides"),
        "{:?}",
        applied.refused
    );
}

#[test]
fn a_round_stops_at_the_horizon() {
    let mut s = session();
    let horizon = s.horizon();
    s.goto(horizon - 1);
    let mut room = Room::new(&s);
    room.open(5, 30, secs(0)).unwrap();
    let closed = room.close().unwrap();
    assert_eq!(room.apply(&closed, &mut s).steps, 1);
    assert!(s.at_end());
}

/// The id of the first customer seat the room offers.
fn customer_seat(room: &Room) -> String {
    room.offers()
        .iter()
        .find(|o| o.kind == SeatKind::Customer)
        .unwrap()
        .id
        .clone()
}
