//! The room over real WebSockets on loopback: many phones join and
//! decide, rounds close on time or when everyone has decided, a dropped
//! phone gets its seat back, and hostile connections and frames get an
//! error or a closed connection — never a panic or a hang.

use serde_json::{Value, json};
use siloscope_room::protocol::FromFacilitator;
use siloscope_room::server::{Host, Server, serve};
use siloscope_workshop::session::Session;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tungstenite::{Message, WebSocket};

type Ws = WebSocket<TcpStream>;

fn session() -> Session {
    let path = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scenarios/workshop.scenario.ron"
    ));
    let sc = siloscope_scenario::files::read_scenario(path).unwrap();
    Session::new(&sc, None, None).unwrap()
}

fn start() -> (Arc<Host>, Server) {
    let host = Host::new(session());
    let server = serve(TcpListener::bind("127.0.0.1:0").unwrap(), host.clone()).unwrap();
    (host, server)
}

fn connect(server: &Server, path: &str) -> Result<Ws, tungstenite::Error> {
    let stream = TcpStream::connect(server.addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    tungstenite::client(format!("ws://{}{path}", server.addr()), stream)
        .map(|(ws, _)| ws)
        .map_err(|e| match e {
            tungstenite::HandshakeError::Failure(e) => e,
            tungstenite::HandshakeError::Interrupted(_) => panic!("interrupted"),
        })
}

fn send(ws: &mut Ws, v: Value) {
    ws.send(Message::text(v.to_string())).unwrap();
}

/// The next message of type `kind` (states and others on the way are
/// skipped), within 10 s.
fn next(ws: &mut Ws, kind: &str) -> Value {
    next_where(ws, |v| v["type"] == kind)
}

fn next_where(ws: &mut Ws, want: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        match ws.read().expect("the connection stays open") {
            Message::Text(t) => {
                let v: Value = serde_json::from_str(t.as_str()).unwrap();
                if want(&v) {
                    return v;
                }
            }
            _ => continue,
        }
    }
    panic!("no such message in 10 s");
}

fn facilitator(host: &Host, server: &Server) -> Ws {
    let token = host.lock().room.facilitator_token().to_owned();
    connect(server, &format!("/ws/facilitator?token={token}")).unwrap()
}

fn join(server: &Server, code: &str, seat: &str, name: &str) -> (Ws, String) {
    let mut ws = connect(server, "/ws/phone").unwrap();
    send(
        &mut ws,
        json!({"type": "join", "code": code, "seat": seat, "name": name}),
    );
    let welcome = next_where(&mut ws, |v| v["type"] == "welcome" || v["type"] == "error");
    assert_eq!(welcome["type"], "welcome", "{welcome}");
    let token = welcome["token"].as_str().unwrap().to_owned();
    (ws, token)
}

/// Until the facilitator's view shows `name`'s phone connected or not.
fn shown_connected(boss: &mut Ws, name: &str, connected: bool) {
    next_where(boss, |v| {
        v["type"] == "state"
            && v["seats"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["holder"] == name && s["connected"] == connected)
    });
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while !done() {
        assert!(Instant::now() < deadline, "waited 15 s for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn many_phones_join_decide_and_the_round_runs_when_everyone_has_decided() {
    let (host, server) = start();
    let (code, offers) = {
        let g = host.lock();
        (g.room.code().to_owned(), g.room.offers().to_vec())
    };
    let mut boss = facilitator(&host, &server);
    next(&mut boss, "state");
    // Every head, and 24 customers spread over the segments.
    let heads: Vec<_> = offers
        .iter()
        .filter(|o| o.id.starts_with("head:"))
        .collect();
    let segments: Vec<_> = offers
        .iter()
        .filter(|o| o.id.starts_with("customer:"))
        .collect();
    let mut phones = Vec::new();
    for (i, o) in heads.iter().enumerate() {
        phones.push((
            join(&server, &code, &o.id, &format!("head {i}")).0,
            json!({"needs": "Handle"}),
        ));
    }
    for i in 0..24 {
        let o = segments[i % segments.len()];
        phones.push((
            join(&server, &code, &o.id, &format!("customer {i}")).0,
            json!({"contact": true, "complain": true}),
        ));
    }
    send(
        &mut boss,
        json!({"type": "open", "steps": 2, "seconds": 120}),
    );
    for (ws, choices) in &mut phones {
        let state = next_where(ws, |v| v["type"] == "state" && v["round"]["number"] == 1);
        assert!(!state["sees"].as_array().unwrap().is_empty(), "{state}");
        send(
            ws,
            json!({"type": "decide", "round": 1, "choices": choices}),
        );
        assert_eq!(next(ws, "decided")["round"], 1);
    }
    // Everyone has decided: the ticker closes the round and runs it.
    wait_for("the round to run", || host.lock().session.step_index() == 2);
    let s = next_where(&mut boss, |v| v["type"] == "state" && v["step"] == 2);
    assert!(s["round"].is_null(), "{s}");
    assert_eq!(s["seats"].as_array().unwrap().len(), heads.len() + 24);
    for (ws, _) in &mut phones {
        next_where(ws, |v| {
            v["type"] == "state" && v["step"] == 2 && v["round"].is_null()
        });
    }
    // The room's decisions are the run's edits: the session replays from
    // its saved form to the same state.
    let g = host.lock();
    assert!(g.session.edits().len() >= 2 * (24 + heads.len()));
    let record = g.session.record();
    let again = Session::restore(
        g.session.scenario(),
        &record,
        &siloscope_scenario::FieldPath::root(),
    )
    .unwrap();
    assert_eq!(again.state_hash(), g.session.state_hash());
}

#[test]
fn a_round_closes_on_time_without_late_decisions_and_a_dropped_phone_gets_its_seat_back() {
    let (host, server) = start();
    let code = host.lock().room.code().to_owned();
    let mut boss = facilitator(&host, &server);
    let (mut ana, token) = join(&server, &code, "head:Support", "Ana");
    // Ana's phone drops: the seat is kept, shown as not connected.
    drop(ana);
    shown_connected(&mut boss, "Ana", false);
    ana = connect(&server, "/ws/phone").unwrap();
    send(&mut ana, json!({"type": "rejoin", "token": token}));
    assert_eq!(next(&mut ana, "welcome")["seat"], "Head of Support");
    shown_connected(&mut boss, "Ana", true);
    // A five-second round nobody decides in runs its step when time is up.
    send(&mut boss, json!({"type": "open", "steps": 1, "seconds": 5}));
    next_where(&mut ana, |v| {
        v["type"] == "state" && v["round"]["number"] == 1
    });
    wait_for("the timer", || host.lock().session.step_index() == 1);
    send(
        &mut ana,
        json!({"type": "decide", "round": 1, "choices": {"needs": "Hold"}}),
    );
    assert_eq!(next(&mut ana, "error")["message"], "no round is open");
    // The facilitator moves on at once: round 2 closes with what it has.
    send(
        &mut boss,
        json!({"type": "open", "steps": 3, "seconds": 600}),
    );
    next_where(&mut ana, |v| {
        v["type"] == "state" && v["round"]["number"] == 2
    });
    send(&mut boss, json!({"type": "pause"}));
    next_where(&mut boss, |v| {
        v["type"] == "state" && v["round"]["paused"] == true
    });
    send(&mut boss, json!({"type": "close"}));
    wait_for("round 2 to run", || host.lock().session.step_index() == 4);
    send(&mut boss, json!({"type": "close"}));
    assert_eq!(next(&mut boss, "error")["message"], "no round is open");
}

#[test]
fn hostile_connections_and_frames_get_an_error_or_are_closed() {
    let (host, server) = start();
    let code = host.lock().room.code().to_owned();
    // Plain HTTP: not found, a head too large, not HTTP at all.
    let raw = |bytes: &[u8]| {
        let mut s = TcpStream::connect(server.addr()).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let _ = s.write_all(bytes);
        let mut out = String::new();
        let _ = s.read_to_string(&mut out);
        out
    };
    assert!(raw(b"GET /secrets HTTP/1.1\r\nhost: x\r\n\r\n").starts_with("HTTP/1.1 404"));
    let big = format!("GET /ws/phone HTTP/1.1\r\nx: {}\r\n\r\n", "a".repeat(9000));
    assert!(raw(big.as_bytes()).starts_with("HTTP/1.1 431"));
    assert!(raw(b"\x16\x03\x01\x02\x00\r\n\r\n").starts_with("HTTP/1.1 400"));
    // The facilitator's view without the token.
    let e = connect(&server, "/ws/facilitator?token=0000").unwrap_err();
    assert!(
        matches!(e, tungstenite::Error::Http(ref r) if r.status() == 403),
        "{e:?}"
    );
    assert!(connect(&server, "/ws/facilitator").is_err());

    let mut ws = connect(&server, "/ws/phone").unwrap();
    let refused = |ws: &mut Ws, msg: Message| {
        ws.send(msg).unwrap();
        next(ws, "error")["message"].as_str().unwrap().to_owned()
    };
    assert!(refused(&mut ws, Message::binary(vec![1, 2, 3])).contains("binary"));
    assert!(refused(&mut ws, Message::text("{not json")).starts_with("line 1, column 2"));
    assert!(
        refused(
            &mut ws,
            Message::text(r#"{"type":"open","steps":1,"seconds":60}"#)
        )
        .contains("unknown variant `open`")
    );
    assert!(
        refused(
            &mut ws,
            Message::text(r#"{"type":"decide","round":1,"choices":{}}"#)
        )
        .contains("join first")
    );
    let wrong =
        json!({"type": "join", "code": "AAAAAA", "seat": "head:Support", "name": "X"}).to_string();
    assert!(refused(&mut ws, Message::text(wrong)).contains("not this room's code"));
    let nowhere =
        json!({"type": "join", "code": code, "seat": "head:Nowhere", "name": "X"}).to_string();
    assert!(refused(&mut ws, Message::text(nowhere)).contains("no seat \"head:Nowhere\""));
    // A flood is slowed down; the connection stays.
    for _ in 0..60 {
        ws.send(Message::text("{}")).unwrap();
    }
    next_where(&mut ws, |v| {
        v["type"] == "error" && v["message"] == "slow down: too many messages"
    });
    // A message over 4 KiB closes the connection.
    ws.send(Message::text("x".repeat(5000))).unwrap();
    let closed = (0..200).any(|_| match ws.read() {
        Ok(Message::Close(_)) | Err(_) => true,
        Ok(_) => false,
    });
    assert!(closed, "the connection is closed");
    // The room is still there for everyone else.
    let (mut ok, _) = join(&server, &code, "head:Support", "Ana");
    next(&mut ok, "state");
}

/// The facilitator's page shows the QR code of the address phones join
/// by (only with the facilitator's token), and the app follows the run a
/// round changed and hands back its own changes.
#[test]
fn the_join_address_has_a_qr_code_and_the_run_goes_to_and_from_the_app() {
    let (host, server) = start();
    let token = host.lock().room.facilitator_token().to_owned();
    let get = |path: &str| {
        let mut s = TcpStream::connect(server.addr()).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        write!(s, "GET {path} HTTP/1.1\r\nhost: x\r\n\r\n").unwrap();
        let mut out = String::new();
        let _ = s.read_to_string(&mut out);
        out
    };
    // No address to join by yet.
    assert!(get(&format!("/qr.svg?token={token}")).starts_with("HTTP/1.1 404"));
    host.set_join_url(&format!("http://{}/", server.addr()));
    let url = format!("http://{}/?code={}", server.addr(), host.lock().room.code());
    assert_eq!(host.lock().join_url.as_deref(), Some(url.as_str()));
    assert!(get("/qr.svg?token=0000").starts_with("HTTP/1.1 403"));
    let svg = get(&format!("/qr.svg?token={token}"));
    assert!(svg.starts_with("HTTP/1.1 200"), "{svg}");
    assert!(svg.contains("content-type: image/svg+xml"), "{svg}");
    let qr = siloscope_room::qr::Qr::of(&url).unwrap();
    assert!(svg.ends_with(&qr.svg()), "the code of the join address");
    let mut f = facilitator(&host, &server);
    let state = next(&mut f, "state");
    assert_eq!(state["join_url"], url.as_str());

    // The app's side: nothing new, then a round's two steps.
    let (app, seen) = host.pull(u64::MAX).expect("the first pull takes the run");
    assert_eq!((app.step_index(), host.pull(seen).is_some()), (0, false));
    send(&mut f, json!({"type": "open", "steps": 2, "seconds": 60}));
    send(&mut f, json!({"type": "close"}));
    wait_for("the round's steps", || host.pull(seen).is_some());
    let (stepped, seen2) = host.pull(seen).unwrap();
    assert_eq!(stepped.step_index(), 2);
    // A change made on the run the app had before the round is refused
    // (the round came first); one made on the run it pulled is taken.
    assert_eq!(host.push(&app, Some(seen)), None);
    assert_eq!(host.lock().session.step_index(), 2);
    let mut changed = stepped.clone();
    changed.step();
    let seen3 = host.push(&changed, Some(seen2)).expect("taken");
    assert_eq!(host.lock().session.step_index(), 3);
    assert!(
        host.pull(seen3).is_none(),
        "the app's own change is not pulled back"
    );
    next_where(&mut f, |v| v["type"] == "state" && v["step"] == 3);
    // At the run's end a round would run nothing: refused, with what to do.
    let mut ended = changed;
    ended.goto(ended.horizon());
    host.push(&ended, Some(seen3)).expect("taken");
    let e = host
        .command(FromFacilitator::Open {
            steps: 1,
            seconds: 30,
        })
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "the run is at its end (week 104): rewind or reset it to play on"
    );
    // A rebuilt run replaces the room's whatever it saw last.
    assert!(host.push(&app, None).is_some());
    assert_eq!(host.lock().session.step_index(), 0);
}
