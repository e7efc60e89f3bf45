//! The room inside the app, headless: the room's rounds step run A (and B
//! with it), the facilitator's own changes reach the room's copy, playing
//! waits for an open round, and an organisation with other agents closes
//! the room.

use super::tests::{Scratch, app, send, workshop};
use super::workshop::*;
use bevy::prelude::*;
use siloscope_model::knob::Knob;
use siloscope_model::sim::{Decision, NeedChoice};
use siloscope_room::protocol::FromFacilitator;
use siloscope_workshop::session::Edit;
use std::net::{SocketAddr, TcpStream};

fn loopback() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

fn hosting(app: &App) -> Option<&Hosting> {
    app.world().get_resource::<Hosting>()
}

fn room(app: &mut App, command: RoomControl) {
    app.world_mut().write_message(command);
    app.update();
}

#[test]
fn a_round_played_in_the_room_steps_run_a_and_the_facilitator_s_changes_reach_the_room() {
    let file = Scratch::new("room");
    let mut app = app(&file.0);
    send(&mut app, Control::Compare("connected".into()));
    room(&mut app, RoomControl::Open(loopback()));
    let h = hosting(&app).expect("the room is open");
    let addr = h.addr();
    let code = h.host.lock().room.code().to_owned();
    assert_eq!(
        h.join_url.as_deref(),
        Some(format!("http://{addr}/?code={code}").as_str())
    );
    assert!(h.qr.is_some());
    assert!(TcpStream::connect(addr).is_ok(), "listening");
    assert!(workshop(&app).notice.as_deref().unwrap().contains(&code));

    // Two people take seats, as their phones would.
    let host = h.host.clone();
    let (support, customer) = {
        let mut g = host.lock();
        let siloscope_room::server::Inner { room, session, .. } = &mut *g;
        let (s, _) = room.join(session, &code, "head:Support", "Ana").unwrap();
        let seats = room.open_seats(session, &code).unwrap();
        let id = seats
            .iter()
            .find(|(o, _)| o.id.starts_with("customer:"))
            .unwrap()
            .0
            .id
            .clone();
        let (c, _) = room.join(session, &code, &id, "Ben").unwrap();
        (s, c)
    };
    // A round of two steps; playing waits for it.
    room(
        &mut app,
        RoomControl::Round(FromFacilitator::Open {
            steps: 2,
            seconds: 60,
        }),
    );
    send(&mut app, Control::TogglePlay);
    for _ in 0..5 {
        app.update();
    }
    assert_eq!(workshop(&app).session().step_index(), 0, "the run waits");
    assert!(!app.world().resource::<Playback>().playing);
    {
        let mut g = host.lock();
        let now = host.now();
        let hold = Decision {
            needs: Some(NeedChoice::Hold),
            ..Decision::default()
        };
        g.room.decide(support, 1, hold, now).unwrap();
        let complain = Decision {
            contact: Some(true),
            complain: Some(true),
            ..Decision::default()
        };
        g.room.decide(customer, 1, complain, now).unwrap();
    }
    room(&mut app, RoomControl::Round(FromFacilitator::Close));
    app.update();
    let w = workshop(&app);
    assert_eq!(w.session().step_index(), 2, "the round's steps");
    assert_eq!(w.runs.b().unwrap().step_index(), 2, "B in lock-step");
    let decided = w
        .session()
        .edits()
        .iter()
        .filter(|e| matches!(e.edit, Edit::Decide(..)))
        .count();
    // Support's 20 staff and one customer, in each of the two steps.
    assert_eq!(decided, 2 * 21);
    assert_eq!(
        w.session().state_hash(),
        host.lock().session.state_hash(),
        "the app shows the room's run"
    );

    // The facilitator changes the policy in the app: the room's run has it.
    send(&mut app, Control::Policy("connected".into()));
    assert_eq!(host.lock().session.sim().policy(), Some("connected"));
    send(&mut app, Control::Step);
    let g = host.lock();
    assert_eq!(g.session.step_index(), 3);
    assert_eq!(
        g.session.state_hash(),
        workshop(&app).session().state_hash()
    );
    drop(g);

    room(&mut app, RoomControl::Close);
    assert!(hosting(&app).is_none());
    assert!(TcpStream::connect(addr).is_err(), "no longer listening");
    let w = workshop(&app);
    assert_eq!(
        w.session().step_index(),
        3,
        "the run keeps what the room did"
    );
}

#[test]
fn room_controls_without_a_room_or_on_a_taken_port_are_refused_with_a_notice() {
    let file = Scratch::new("room-refused");
    let mut app = app(&file.0);
    room(&mut app, RoomControl::Round(FromFacilitator::Pause));
    assert_eq!(
        workshop(&app).notice.as_deref(),
        Some("the room is not open")
    );
    let taken = std::net::TcpListener::bind(loopback()).unwrap();
    let addr = taken.local_addr().unwrap();
    room(&mut app, RoomControl::Open(addr));
    assert!(hosting(&app).is_none());
    let notice = workshop(&app).notice.clone().unwrap();
    assert!(
        notice.starts_with(&format!("the room could not be opened on {addr}")),
        "{notice}"
    );
    room(&mut app, RoomControl::Open(loopback()));
    room(&mut app, RoomControl::Round(FromFacilitator::Pause));
    let notice = workshop(&app).notice.clone().unwrap();
    assert!(notice.starts_with("the room: "), "{notice}");
    assert!(hosting(&app).is_some(), "a refused command keeps the room");
}

#[test]
fn an_organisation_with_other_agents_closes_the_room_and_other_edits_keep_it() {
    let file = Scratch::new("room-reload");
    let mut app = app(&file.0);
    room(&mut app, RoomControl::Open(loopback()));
    let host = hosting(&app).unwrap().host.clone();
    let text = std::fs::read_to_string(&file.0).unwrap();
    // Same people, another horizon: the room stays and has the rebuilt run.
    let longer = text.replacen("steps: 104", "steps: 120", 1);
    assert_ne!(longer, text);
    std::fs::write(&file.0, &longer).unwrap();
    for _ in 0..4 {
        app.update();
    }
    assert_eq!(workshop(&app).session().horizon(), 120);
    assert!(hosting(&app).is_some());
    assert_eq!(host.lock().session.horizon(), 120);
    // Two more people in Support: the seats' agents would shift.
    let bigger = longer.replacen("role: Support, count: 20", "role: Support, count: 22", 1);
    assert_ne!(bigger, longer);
    std::fs::write(&file.0, &bigger).unwrap();
    for _ in 0..4 {
        app.update();
    }
    assert!(hosting(&app).is_none(), "{:?}", workshop(&app).notice);
    let notice = workshop(&app).notice.clone().unwrap();
    assert!(notice.contains("the room was closed"), "{notice}");
}

#[test]
fn a_knob_changed_after_a_rewind_reaches_the_room() {
    let file = Scratch::new("room-rewind");
    let mut app = app(&file.0);
    room(&mut app, RoomControl::Open(loopback()));
    let host = hosting(&app).unwrap().host.clone();
    for _ in 0..7 {
        send(&mut app, Control::Step);
    }
    send(&mut app, Control::SetKnob(Knob::Transparency, 0.9));
    for _ in 0..3 {
        send(&mut app, Control::Step);
    }
    send(&mut app, Control::Goto(5));
    // The rewound run keeps its later edit until the next one replaces it:
    // one edit before and after, at another step.
    send(&mut app, Control::SetKnob(Knob::Transparency, 0.2));
    let w = workshop(&app);
    assert_eq!(w.session().edits().len(), 1);
    let g = host.lock();
    assert_eq!(g.session.edits(), w.session().edits());
    assert_eq!(g.session.state_hash(), w.session().state_hash());
}

#[test]
fn while_a_round_is_open_the_run_waits_and_closing_the_room_runs_it_first() {
    let file = Scratch::new("room-waits");
    let mut app = app(&file.0);
    for _ in 0..3 {
        send(&mut app, Control::Faster); // 32 steps a second
    }
    room(&mut app, RoomControl::Open(loopback()));
    room(
        &mut app,
        RoomControl::Round(FromFacilitator::Open {
            steps: 3,
            seconds: 600,
        }),
    );
    for c in [
        Control::TogglePlay,
        Control::Step,
        Control::StepBack,
        Control::Reset,
        Control::NewSeed,
        Control::Goto(20),
    ] {
        send(&mut app, c.clone());
        for _ in 0..3 {
            app.update();
        }
        let w = workshop(&app);
        assert_eq!(w.session().step_index(), 0, "{c:?} waits for the round");
        assert!(
            w.notice
                .as_deref()
                .unwrap_or_default()
                .starts_with("a round is open"),
            "{c:?}: {:?}",
            w.notice
        );
    }
    // A knob may change: the round's steps run with it.
    send(&mut app, Control::SetKnob(Knob::Transparency, 0.8));
    room(&mut app, RoomControl::Close);
    let w = workshop(&app);
    assert!(hosting(&app).is_none());
    assert_eq!(w.session().step_index(), 3, "the open round ran");
    assert_eq!(w.session().edits().len(), 1, "with the knob");
    assert!(
        w.notice
            .as_deref()
            .unwrap()
            .contains("its open round ran first")
    );
}

#[test]
fn presenting_the_room_s_run_does_not_restart_it_for_the_story() {
    let file = Scratch::new("room-present");
    let mut app = app(&file.0);
    assert!(!workshop(&app).scenario().story.is_empty());
    room(&mut app, RoomControl::Open(loopback()));
    for _ in 0..4 {
        send(&mut app, Control::Step);
    }
    send(&mut app, Control::Present(true));
    let w = workshop(&app);
    assert!(w.presenting);
    assert_eq!((w.story, w.session().step_index()), (None, 4));
    send(&mut app, Control::StoryNext);
    let w = workshop(&app);
    assert_eq!((w.story, w.session().step_index()), (None, 4));
    assert!(
        w.notice
            .as_deref()
            .unwrap()
            .contains("close the room to tell it")
    );
    // Closed, the story is told again.
    room(&mut app, RoomControl::Close);
    send(&mut app, Control::StoryNext);
    assert!(workshop(&app).story.is_some());
}

#[test]
fn a_group_given_another_role_closes_the_room() {
    let file = Scratch::new("room-role");
    let mut app = app(&file.0);
    room(&mut app, RoomControl::Open(loopback()));
    let text = std::fs::read_to_string(&file.0).unwrap();
    // Same people, but Leadership's seat would offer another role's choices.
    let other = text.replacen("role: Leadership", "role: Operations", 1);
    assert_ne!(other, text);
    std::fs::write(&file.0, &other).unwrap();
    for _ in 0..4 {
        app.update();
    }
    assert!(hosting(&app).is_none(), "{:?}", workshop(&app).notice);
}
