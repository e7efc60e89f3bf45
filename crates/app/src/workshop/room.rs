//! The room inside the app: the facilitator opens run A to the room's
//! phones ([`RoomControl::Open`]), and the participants decide for their
//! seats round by round while the room watches the organisation on the
//! projector.
//!
//! The room's server ([`siloscope_room::server`]) serves the phones from
//! its own threads and keeps its own copy of the run, behind its lock; the
//! app keeps run A. They follow each other once a frame:
//! - before the controls, a run a round has stepped is taken from the room
//!   ([`Host::pull`]) and becomes run A (B is brought to its step);
//! - after the steps, a run A the facilitator changed (a policy, a knob, a
//!   step, a rewind) is handed to the room ([`Host::push`]), unless a
//!   round's steps came first: then the round's run wins and the
//!   facilitator is told to make the change again.
//!
//! While a round is open the run steps only when it closes: playing is
//! paused. A rebuilt organisation with other agents (another scenario, an
//! edit that adds people) closes the room: its seats would name agents
//! that are gone.

use super::{Control, Playback, Stepped, Workshop};
use bevy::prelude::*;
use siloscope_model::agent::{Part, Role};
use siloscope_room::protocol::FromFacilitator;
use siloscope_room::qr::Qr;
use siloscope_room::server::{Host, Server, outward_addr, serve};
use siloscope_workshop::session::Session;
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

/// The port the room listens on unless told otherwise.
pub const DEFAULT_PORT: u16 = 8737;

/// Something the facilitator asked of the room.
#[derive(Message, Clone, Debug, PartialEq)]
pub enum RoomControl {
    /// Open the room to phones, listening on this address (`127.0.0.1:…`:
    /// this computer only; `0.0.0.0:…`: every network it is on).
    Open(SocketAddr),
    /// Open, pause, resume or extend a round, or move on.
    Round(FromFacilitator),
    /// Close the room: phones are let go, the run keeps what they decided.
    Close,
}

/// The room, while it is open.
#[derive(Resource)]
pub struct Hosting {
    /// The room and its copy of the run.
    pub host: Arc<Host>,
    server: Server,
    /// The address phones open, with the room's code (`None` when this
    /// machine has no address on a network).
    pub join_url: Option<String>,
    /// Its QR code.
    pub qr: Option<Qr>,
    /// The room's [`siloscope_room::server::Inner::run_changes`] as last
    /// pulled or pushed.
    seen: u64,
    /// Run A as last pulled or pushed.
    mark: Mark,
    /// The organisation's groups when the room opened (empty once the
    /// organisation changed under it).
    agents: Vec<(String, Part, Role, u32, u32)>,
}

impl Hosting {
    /// Where the room listens.
    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// Whether a round is open.
    pub fn round_open(&self) -> bool {
        self.host.lock().room.round(self.host.now()).is_some()
    }
}

/// Why `control` is refused while the room is open, if it is: while a round
/// is open the run waits for it (the room decides on the state on their
/// phones), and the story restarts the run, which is the room's.
pub(super) fn refused(h: &Hosting, control: &Control, playing: bool) -> Option<String> {
    let moves_the_run = match control {
        Control::TogglePlay => !playing,
        Control::Step
        | Control::Reset
        | Control::NewSeed
        | Control::Goto(_)
        | Control::StepBack
        | Control::Open(_)
        | Control::RestoreSession(_) => true,
        Control::StoryNext | Control::StoryBack | Control::RestoreRuns => {
            return Some(
                "the story restarts the run, which is the room's: close the room to tell it".into(),
            );
        }
        _ => false,
    };
    (moves_the_run && h.round_open()).then(|| {
        "a round is open: the run moves when it closes (Move on now, in the room's window)".into()
    })
}

/// What tells one state of run A from another, cheaply.
#[derive(Clone, Debug, PartialEq)]
struct Mark {
    step: u32,
    edits: usize,
    /// The last edit: a rewind and a new edit keep the count.
    last_edit: Option<siloscope_workshop::session::LoggedEdit>,
    branched_at: Option<u32>,
    seed: u64,
    generation: u64,
    policy: Option<String>,
}

impl Mark {
    fn of(w: &Workshop) -> Mark {
        let a = w.session();
        Mark {
            step: a.step_index(),
            edits: a.edits().len(),
            last_edit: a.edits().last().cloned(),
            branched_at: a.branched_at(),
            seed: a.seed(),
            generation: w.generation,
            policy: a.sim().policy().map(str::to_owned),
        }
    }
}

/// The organisation's groups with their parts, roles and agents' indices:
/// seats name agents by index (and offer choices by part and role), which
/// mean the same people while these are the same.
fn agents(s: &Session) -> Vec<(String, Part, Role, u32, u32)> {
    s.scenario()
        .groups
        .iter()
        .map(|g| (g.name.clone(), g.part, g.role, g.first, g.size))
        .collect()
}

/// Open the room on `addr` for run A.
fn open(w: &Workshop, addr: SocketAddr) -> std::io::Result<Hosting> {
    let listener = TcpListener::bind(addr)?;
    let host = Host::new(w.session().clone());
    let server = serve(listener, host.clone())?;
    let join_url = outward_addr(server.addr()).map(|a| {
        host.set_join_url(&format!("http://{a}"));
        host.lock().join_url.clone().unwrap_or_default()
    });
    let seen = host.lock().run_changes;
    Ok(Hosting {
        qr: join_url.as_deref().and_then(Qr::of),
        join_url,
        seen,
        host,
        server,
        mark: Mark::of(w),
        agents: agents(w.session()),
    })
}

/// Carry out the facilitator's room controls.
pub(super) fn apply_room_controls(
    mut controls: MessageReader<RoomControl>,
    mut commands: Commands,
    mut workshop: ResMut<Workshop>,
    mut playback: ResMut<Playback>,
    mut hosting: Option<ResMut<Hosting>>,
) {
    for c in controls.read() {
        match (c, hosting.as_deref_mut()) {
            (RoomControl::Open(addr), None) => match open(&workshop, *addr) {
                Ok(h) => {
                    let notice = match &h.join_url {
                        Some(url) => format!("the room is open: phones go to {url}"),
                        None => format!(
                            "the room is open on {}, but this computer has no address on a network phones can reach",
                            h.addr()
                        ),
                    };
                    info!("{notice}");
                    workshop.notice = Some(notice);
                    commands.insert_resource(h);
                    // Inserted at the end of this system: later controls
                    // of this frame wait for the next.
                    break;
                }
                Err(e) => {
                    workshop.notice = Some(format!("the room could not be opened on {addr}: {e}"));
                }
            },
            (RoomControl::Open(_), Some(h)) => {
                workshop.notice = Some(format!("the room is open already, on {}", h.addr()));
            }
            (RoomControl::Round(command), Some(h)) => {
                if matches!(command, FromFacilitator::Open { .. }) {
                    // Hand over the run as it is before the round starts.
                    hand_over(&mut workshop, h);
                }
                match h.host.command(command.clone()) {
                    Ok(()) if matches!(command, FromFacilitator::Open { .. }) => {
                        playback.playing = false;
                    }
                    Ok(()) => {}
                    Err(e) => workshop.notice = Some(format!("the room: {e}")),
                }
            }
            (RoomControl::Close, Some(h)) => {
                // What the room decided stays: an open round is closed (its
                // steps run), and the run as the room has it becomes run A.
                let open = h.round_open();
                if open {
                    let _ = h.host.command(FromFacilitator::Close);
                }
                if let Some((run, _)) = h.host.pull(h.seen) {
                    workshop.runs.set_a(run);
                }
                commands.remove_resource::<Hosting>();
                workshop.notice = Some(if open {
                    "the room is closed; its open round ran first: the run keeps what the room decided".into()
                } else {
                    "the room is closed: the run keeps what the room decided".into()
                });
            }
            (RoomControl::Round(_) | RoomControl::Close, None) => {
                workshop.notice = Some("the room is not open".into());
            }
        }
    }
    if hosting.is_some_and(|h| h.agents.is_empty()) {
        commands.remove_resource::<Hosting>();
    }
}

/// Before the controls: take the run a round has stepped, and keep the run
/// still while a round is open.
pub(super) fn follow_room(
    hosting: Option<ResMut<Hosting>>,
    mut workshop: ResMut<Workshop>,
    mut playback: ResMut<Playback>,
    mut stepped: MessageWriter<Stepped>,
) {
    let Some(mut h) = hosting else { return };
    if let Some((run, seen)) = h.host.pull(h.seen) {
        let step = run.step_index();
        let moved = step != workshop.session().step_index();
        workshop.runs.set_a(run);
        h.seen = seen;
        h.mark = Mark::of(&workshop);
        if moved && step > 0 {
            // The step last computed, as after a step of one's own.
            stepped.write(Stepped(step - 1));
        }
    }
    if playback.playing && h.round_open() {
        playback.playing = false;
        workshop.notice = Some("a round is open: the run steps when it closes".into());
    }
}

/// After the steps: hand a run A the facilitator changed to the room.
pub(super) fn hand_to_room(
    hosting: Option<ResMut<Hosting>>,
    mut workshop: ResMut<Workshop>,
    mut commands: Commands,
) {
    let Some(mut h) = hosting else { return };
    if !workshop.is_changed() {
        return;
    }
    hand_over(&mut workshop, &mut h);
    if h.agents.is_empty() {
        commands.remove_resource::<Hosting>();
    }
}

/// Hand run A to the room if it changed since the room last had it.
fn hand_over(workshop: &mut Workshop, h: &mut Hosting) {
    let mark = Mark::of(workshop);
    if mark == h.mark {
        return;
    }
    let rebuilt = mark.generation != h.mark.generation;
    if rebuilt && agents(workshop.session()) != h.agents {
        // Seats name agents by index: another organisation cannot keep
        // them. Marked here, closed by the caller.
        h.agents.clear();
        workshop.notice = Some(
            "the organisation changed (other agents): the room was closed; open it again for the new one"
                .into(),
        );
        return;
    }
    // A rebuilt run (a reload, a new seed, another file with the same
    // people) replaces the room's whatever a round did to the old one:
    // its steps were on an organisation that is gone.
    let seen = if rebuilt { None } else { Some(h.seen) };
    match h.host.push(workshop.session(), seen) {
        Some(seen) => {
            h.seen = seen;
            h.mark = mark;
        }
        None => {
            workshop.notice = Some(
                "a round's steps arrived as you changed the run: the room's run is shown; make the change again"
                    .into(),
            );
        }
    }
}
