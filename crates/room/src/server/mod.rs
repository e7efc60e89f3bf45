//! The room on the network: one port, on the interface the facilitator
//! chooses, where phones and the facilitator's view connect by WebSocket.
//!
//! - `GET /ws/phone`: a phone. Its first message joins (with the room's
//!   code) or rejoins (with its token); then it decides. It is sent its
//!   seat's state whenever the room changes and every second while a
//!   round is open.
//! - `GET /ws/facilitator?token=…`: the facilitator's view, refused (403)
//!   without the facilitator's token; it opens, pauses, extends and
//!   closes rounds, and is sent who has joined and who has decided.
//! - `GET /`: the phone's page (`/?code=K7QX2M` fills in the code);
//!   `GET /facilitator?token=…`: the facilitator's page; `GET
//!   /view?token=…`: the organisation and its charts now, as HTML with
//!   inline SVG, for the facilitator's page; `GET /qr.svg?token=…`: the
//!   QR code of the join address (403 without the token).
//! - Anything else: 404.
//!
//! Every connection is hostile until it has shown otherwise: its request
//! head must arrive within 5 seconds and 8 KiB; a message over 4 KiB
//! closes the connection (a WebSocket "message too big"); a binary
//! message, malformed JSON, a message of the other side's protocol or one
//! the room refuses gets an error back and the connection stays; more
//! than [`crate::limit::Limit`] allows gets "slow down", and a connection
//! that keeps flooding is closed. At most [`MAX_CONNECTIONS`] at once.
//! A phone that drops keeps its seat for its token.
//!
//! One thread per connection (a room is tens of phones, not thousands)
//! and one ticker that closes a round when its time is up or everyone has
//! decided, and runs its steps.

mod host;
mod http;

pub use host::{Host, Inner};

use crate::limit::Limit;
use crate::protocol::{FromPhone, MAX_MESSAGE_BYTES, parse_facilitator, parse_phone};
use crate::views::{SeatOffer, ToFacilitator, ToPhone, facilitator_state, phone_state};
use http::{HeadError, Replay, answer, answer_as, query, read_head};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;
use tungstenite::protocol::WebSocketConfig;
use tungstenite::{Message, WebSocket};

/// The page a phone opens (`/`, `/?code=K7QX2M`).
const PHONE_PAGE: &str = include_str!("../pages/phone.html");
/// The facilitator's page (`/facilitator?token=…`).
const FACILITATOR_PAGE: &str = include_str!("../pages/facilitator.html");

/// Connections served at once.
pub const MAX_CONNECTIONS: usize = 600;
/// How often a connection looks for news and the ticker for a due round.
const POLL: Duration = Duration::from_millis(100);

/// A running server; dropping it stops it.
pub struct Server {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

impl Server {
    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Wake the accept loop: listening on every interface, through the
        // loopback one (not every system connects to 0.0.0.0).
        let mut wake = self.addr;
        if wake.ip().is_unspecified() {
            wake.set_ip(match wake {
                SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
                SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
            });
        }
        let _ = TcpStream::connect_timeout(&wake, Duration::from_secs(2));
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

/// The address to give people for a server listening on `addr`: itself,
/// or when listening on every interface the machine's address on its
/// network (found by asking the system which address it would reach the
/// network from; nothing is sent). `None` if the machine has none.
pub fn outward_addr(addr: SocketAddr) -> Option<SocketAddr> {
    if !addr.ip().is_unspecified() {
        return Some(addr);
    }
    let ip = std::net::UdpSocket::bind("0.0.0.0:0")
        .and_then(|s| s.connect("192.0.2.1:9").map(|()| s))
        .and_then(|s| s.local_addr())
        .map(|a| a.ip())
        .ok()
        .filter(|ip| !ip.is_unspecified())?;
    Some(SocketAddr::new(ip, addr.port()))
}

/// Serve `host` on `listener` until the [`Server`] is dropped.
pub fn serve(listener: TcpListener, host: Arc<Host>) -> std::io::Result<Server> {
    let addr = listener.local_addr()?;
    let stop = Arc::new(AtomicBool::new(false));
    let open = Arc::new(AtomicUsize::new(0));
    let accept = {
        let (host, stop) = (host.clone(), stop.clone());
        std::thread::Builder::new()
            .name("room accept".into())
            .spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let Ok(mut stream) = stream else { continue };
                    if open.load(Ordering::Relaxed) >= MAX_CONNECTIONS {
                        answer(&mut stream, "503 Service Unavailable", "the room is full");
                        continue;
                    }
                    open.fetch_add(1, Ordering::Relaxed);
                    let (host, stop, counted) = (host.clone(), stop.clone(), open.clone());
                    let spawned = std::thread::Builder::new()
                        .name("room connection".into())
                        .spawn(move || {
                            connection(stream, &host, &stop);
                            counted.fetch_sub(1, Ordering::Relaxed);
                        });
                    if spawned.is_err() {
                        // Out of threads: the connection was dropped with
                        // the closure, uncounted.
                        open.fetch_sub(1, Ordering::Relaxed);
                    }
                }
            })?
    };
    let ticker = {
        let (host, stop) = (host, stop.clone());
        std::thread::Builder::new()
            .name("room ticker".into())
            .spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    host.tick();
                    std::thread::sleep(POLL);
                }
            })?
    };
    Ok(Server {
        addr,
        stop,
        threads: vec![accept, ticker],
    })
}

fn connection(mut stream: TcpStream, host: &Host, stop: &AtomicBool) {
    let _ = stream.set_nodelay(true);
    let head = match read_head(&mut stream) {
        Ok(h) => h,
        Err(HeadError::TooLarge) => {
            return answer(
                &mut stream,
                "431 Request Header Fields Too Large",
                "request head over 8 KiB",
            );
        }
        Err(HeadError::Malformed) => {
            return answer(&mut stream, "400 Bad Request", "not an HTTP request");
        }
        Err(HeadError::Gone) => return,
    };
    let route = head.path.split('?').next().unwrap_or_default();
    let facilitator = match (head.method.as_str(), route) {
        ("GET", "/" | "/index.html") => {
            return answer_as(&mut stream, "200 OK", "text/html", PHONE_PAGE);
        }
        ("GET", "/facilitator") => {
            return answer_as(&mut stream, "200 OK", "text/html", FACILITATOR_PAGE);
        }
        // The facilitator's: refused without the facilitator's token.
        ("GET", "/view" | "/qr.svg" | "/ws/facilitator")
            if !host
                .lock()
                .room
                .is_facilitator(query(&head.path, "token").unwrap_or_default()) =>
        {
            return answer(
                &mut stream,
                "403 Forbidden",
                "the facilitator's token is needed",
            );
        }
        ("GET", "/view") => {
            let view = siloscope_workshop::debrief::live(
                &host.lock().session,
                siloscope_workshop::layout::Picture::default(),
            );
            return answer_as(&mut stream, "200 OK", "text/html", &view);
        }
        ("GET", "/qr.svg") => {
            let svg = host.lock().join_url.as_deref().and_then(crate::qr::Qr::of);
            return match svg {
                Some(qr) => answer_as(&mut stream, "200 OK", "image/svg+xml", &qr.svg()),
                None => answer(&mut stream, "404 Not Found", "no address to join by"),
            };
        }
        ("GET", "/ws/phone") => false,
        ("GET", "/ws/facilitator") => true,
        _ => return answer(&mut stream, "404 Not Found", "no such page"),
    };
    let config = WebSocketConfig::default()
        .max_message_size(Some(MAX_MESSAGE_BYTES))
        .max_frame_size(Some(MAX_MESSAGE_BYTES))
        .max_write_buffer_size(1 << 20);
    let Ok(reading) = stream.try_clone() else {
        return;
    };
    let Ok(mut ws) =
        tungstenite::accept_with_config(Replay::new(head.bytes, reading), Some(config))
    else {
        return;
    };
    // Reads wake the loop every POLL; a phone that stops reading cannot
    // hold its thread in a write for long.
    if stream.set_read_timeout(Some(POLL)).is_err()
        || stream
            .set_write_timeout(Some(Duration::from_secs(5)))
            .is_err()
    {
        return;
    }
    if facilitator {
        facilitator_loop(&mut ws, host, stop);
    } else {
        phone_loop(&mut ws, host, stop);
    }
    let _ = ws.close(None);
    let _ = ws.flush();
}

/// What a connection read: a text message, nothing yet, or the end.
enum Read {
    Text(String),
    Refused(String),
    Nothing,
    End,
}

fn read(ws: &mut WebSocket<Replay>, limit: &mut Limit, now: Duration) -> Read {
    match ws.read() {
        Ok(Message::Text(t)) if limit.allow(now) => Read::Text(t.as_str().to_owned()),
        Ok(Message::Binary(_)) if limit.allow(now) => {
            Read::Refused("binary messages are not understood: send JSON text".into())
        }
        Ok(Message::Text(_) | Message::Binary(_)) if limit.exhausted() => Read::End,
        Ok(Message::Text(_) | Message::Binary(_)) => {
            Read::Refused("slow down: too many messages".into())
        }
        Ok(Message::Close(_)) => Read::End,
        Ok(_) => Read::Nothing,
        Err(tungstenite::Error::Io(e))
            if matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ) =>
        {
            Read::Nothing
        }
        Err(_) => Read::End,
    }
}

fn send<T: serde::Serialize>(ws: &mut WebSocket<Replay>, msg: &T) -> bool {
    let Ok(text) = serde_json::to_string(msg) else {
        return false;
    };
    ws.send(Message::text(text)).is_ok()
}

/// One connection's loop until it ends or the server stops: read a message
/// (within the connection's limit) and send `answer`'s reply, or an error
/// made by `refused`; then send `view` whenever the room changed or a
/// round's timer ticked a second.
fn pump<T: serde::Serialize>(
    ws: &mut WebSocket<Replay>,
    host: &Host,
    stop: &AtomicBool,
    mut answer: impl FnMut(&str, Duration) -> Option<T>,
    refused: impl Fn(String) -> T,
    view: impl Fn(&Inner, Duration) -> Option<T>,
) {
    let mut limit = Limit::new(host.now());
    let mut shown = (u64::MAX, 0u64);
    while !stop.load(Ordering::Relaxed) {
        let now = host.now();
        let reply = match read(ws, &mut limit, now) {
            Read::End => break,
            Read::Nothing => None,
            Read::Refused(message) => Some(refused(message)),
            Read::Text(text) => answer(&text, now),
        };
        if let Some(reply) = reply
            && !send(ws, &reply)
        {
            break;
        }
        let g = host.lock();
        let version = host.version();
        let second = g.room.round(now).map_or(0, |r| r.seconds_left);
        if (version, second) == shown {
            continue;
        }
        let Some(state) = view(&g, now) else { continue };
        drop(g);
        shown = (version, second);
        if !send(ws, &state) {
            break;
        }
    }
}

fn phone_loop(ws: &mut WebSocket<Replay>, host: &Host, stop: &AtomicBool) {
    let person = std::cell::Cell::new(None);
    pump(
        ws,
        host,
        stop,
        |text, now| {
            let mut p = person.get();
            let reply = phone_message(text, host, &mut p, now);
            person.set(p);
            Some(reply)
        },
        |message| ToPhone::Error { message },
        // A seated phone sees its seat.
        |g, now| {
            person
                .get()
                .map(|p| ToPhone::State(phone_state(&g.room, &g.session, p, now)))
        },
    );
    if let Some(p) = person.get() {
        host.lock().room.disconnect(p);
        host.changed();
    }
}

fn phone_message(text: &str, host: &Host, person: &mut Option<usize>, now: Duration) -> ToPhone {
    let msg = match parse_phone(text.as_bytes()) {
        Ok(m) => m,
        Err(e) => {
            return ToPhone::Error {
                message: e.to_string(),
            };
        }
    };
    let mut g = host.lock();
    let Inner { room, session, .. } = &mut *g;
    let reply = match (msg, *person) {
        (FromPhone::Join { code, seat, name }, None) => {
            match room.join(session, &code, &seat, &name) {
                Ok((p, token)) => {
                    *person = Some(p);
                    let seat = room.seats()[room.people()[p].seat].title.clone();
                    ToPhone::Welcome { token, seat }
                }
                Err(e) => ToPhone::Error {
                    message: e.to_string(),
                },
            }
        }
        (FromPhone::Rejoin { token }, None) => match room.rejoin(&token) {
            Ok(p) => {
                *person = Some(p);
                let seat = room.seats()[room.people()[p].seat].title.clone();
                ToPhone::Welcome { token, seat }
            }
            Err(e) => ToPhone::Error {
                message: e.to_string(),
            },
        },
        (FromPhone::Seats { code }, _) => match room.open_seats(session, &code) {
            Ok(seats) => ToPhone::Seats {
                seats: seats
                    .into_iter()
                    .map(|(o, free)| SeatOffer {
                        id: o.id,
                        title: o.title,
                        free,
                    })
                    .collect(),
            },
            Err(e) => ToPhone::Error {
                message: e.to_string(),
            },
        },
        (FromPhone::Join { .. } | FromPhone::Rejoin { .. }, Some(_)) => ToPhone::Error {
            message: "this phone has a seat already".into(),
        },
        (FromPhone::Decide { .. }, None) => ToPhone::Error {
            message: "join first, with the room's code".into(),
        },
        (FromPhone::Decide { round, choices }, Some(p)) => {
            match room.decide(p, round, choices, now) {
                Ok(()) => ToPhone::Decided { round },
                Err(e) => ToPhone::Error {
                    message: e.to_string(),
                },
            }
        }
    };
    drop(g);
    // Only a change shows elsewhere: a refused message costs the others
    // nothing.
    if !matches!(reply, ToPhone::Error { .. } | ToPhone::Seats { .. }) {
        host.changed();
    }
    reply
}

fn facilitator_loop(ws: &mut WebSocket<Replay>, host: &Host, stop: &AtomicBool) {
    pump(
        ws,
        host,
        stop,
        |text, _| {
            facilitator_message(text, host)
                .err()
                .map(|message| ToFacilitator::Error { message })
        },
        |message| ToFacilitator::Error { message },
        |g, now| {
            Some(facilitator_state(
                &g.room,
                &g.session,
                &g.last_round,
                g.join_url.as_deref(),
                now,
            ))
        },
    );
}

fn facilitator_message(text: &str, host: &Host) -> Result<(), String> {
    let msg = parse_facilitator(text.as_bytes()).map_err(|e| e.to_string())?;
    host.command(msg).map_err(|e| e.to_string())
}
