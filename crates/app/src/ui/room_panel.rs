//! The room: the facilitator's window to open run A to the room's phones
//! and run its rounds (the join code, the address and its QR code, the
//! round's timer, who has joined and who has decided), and the card
//! presenter mode shows the room on the projector.

use crate::palette;
use crate::workshop::{DEFAULT_PORT, Hosting, RoomControl};
use bevy_egui::egui;
use siloscope_room::protocol::FromFacilitator;
use siloscope_room::qr::{QUIET_ZONE, Qr};
use siloscope_room::room::{RoundStatus, SeatStatus};
use std::net::{Ipv4Addr, SocketAddr};

/// Seconds "+30 s" adds to a round.
const EXTEND_SECONDS: u32 = 30;
/// Seats the projector's card lists before "and N more".
const CARD_SEATS: usize = 10;

/// The facilitator's choices before opening the room and for the next
/// round.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Draft {
    /// The window is shown.
    pub shown: bool,
    /// Listen on every network this computer is on (else only on itself).
    network: bool,
    port: u16,
    /// The next round's steps and seconds.
    steps: u32,
    seconds: u32,
}

impl Default for Draft {
    fn default() -> Self {
        Draft {
            shown: false,
            network: true,
            port: DEFAULT_PORT,
            steps: 4,
            seconds: 90,
        }
    }
}

/// The room as the screen shows it, read under the room's lock once.
struct Seen {
    code: String,
    round: Option<RoundStatus>,
    seats: Vec<SeatStatus>,
    last_round: Vec<String>,
}

impl Seen {
    fn of(h: &Hosting) -> Seen {
        let g = h.host.lock();
        Seen {
            code: g.room.code().to_owned(),
            round: g.room.round(h.host.now()),
            seats: g.room.status(),
            last_round: g.last_round.clone(),
        }
    }

    /// "3 people seated, 2 decided".
    fn count(&self) -> String {
        let held = self.seats.iter().filter(|s| s.holder.is_some()).count();
        let people = if held == 1 { "person" } else { "people" };
        match &self.round {
            Some(_) => {
                let decided = self
                    .seats
                    .iter()
                    .filter(|s| s.holder.is_some() && s.decided)
                    .count();
                format!("{held} {people} seated, {decided} decided")
            }
            None => format!("{held} {people} seated"),
        }
    }
}

fn clock(r: &RoundStatus) -> String {
    let paused = if r.paused { " paused" } else { "" };
    format!("{}:{:02}{paused}", r.seconds_left / 60, r.seconds_left % 60)
}

/// The room's window (while [`Draft::shown`]).
pub(super) fn room_window(
    ctx: &egui::Context,
    hosting: Option<&Hosting>,
    draft: &mut Draft,
    out: &mut Vec<RoomControl>,
) {
    let mut shown = draft.shown;
    egui::Window::new("The room")
        .open(&mut shown)
        .collapsible(false)
        .resizable(false)
        .default_pos([80.0, 120.0])
        .show(ctx, |ui| match hosting {
            None => closed(ui, draft, out),
            Some(h) => open(ui, h, draft, out),
        });
    draft.shown = shown;
}

fn closed(ui: &mut egui::Ui, draft: &mut Draft, out: &mut Vec<RoomControl>) {
    ui.set_max_width(460.0);
    ui.label(
        "The room plays this run on their phones: each person takes a customer's or a \
         department head's seat and decides for it, round by round. Agents nobody plays \
         keep the model's rules.",
    );
    ui.add_space(6.0);
    ui.radio_value(
        &mut draft.network,
        true,
        "Phones on this computer's network",
    )
    .on_hover_text("listens on every network this computer is on (0.0.0.0): the room's Wi-Fi");
    ui.radio_value(&mut draft.network, false, "This computer only")
        .on_hover_text("listens on 127.0.0.1: to try it in a browser here");
    ui.horizontal(|ui| {
        ui.label("Port");
        ui.add(egui::DragValue::new(&mut draft.port).range(1024..=65535));
    });
    ui.add_space(6.0);
    if ui.button("📱 Open the room").clicked() {
        let ip = if draft.network {
            Ipv4Addr::UNSPECIFIED
        } else {
            Ipv4Addr::LOCALHOST
        };
        out.push(RoomControl::Open(SocketAddr::from((ip, draft.port))));
    }
}

fn open(ui: &mut egui::Ui, h: &Hosting, draft: &mut Draft, out: &mut Vec<RoomControl>) {
    let seen = Seen::of(h);
    ui.set_max_width(560.0);
    ui.horizontal(|ui| {
        if let Some(qr) = &h.qr {
            qr_code(ui, qr, 180.0);
        }
        ui.vertical(|ui| {
            ui.label("Room code");
            ui.label(egui::RichText::new(&seen.code).monospace().size(40.0).strong());
            match &h.join_url {
                Some(url) => {
                    ui.label("Phones open");
                    ui.add(egui::Label::new(egui::RichText::new(url).strong()).selectable(true));
                }
                None => {
                    ui.colored_label(
                        palette::ERROR_TEXT,
                        "this computer has no address on a network phones can reach",
                    );
                }
            }
            if h.addr().ip().is_loopback() {
                ui.colored_label(
                    palette::ERROR_TEXT,
                    "Only this computer can join: close the room and open it for the network to let phones in.",
                );
            }
        });
    });
    ui.separator();
    match &seen.round {
        Some(r) => {
            ui.label(format!("Round {} — {} steps", r.number, r.steps));
            ui.label(egui::RichText::new(clock(r)).size(34.0).monospace());
            ui.horizontal(|ui| {
                let (label, command) = if r.paused {
                    ("▶ Resume", FromFacilitator::Resume)
                } else {
                    ("⏸ Pause", FromFacilitator::Pause)
                };
                if ui.button(label).clicked() {
                    out.push(RoomControl::Round(command));
                }
                if ui.button(format!("+{EXTEND_SECONDS} s")).clicked() {
                    out.push(RoomControl::Round(FromFacilitator::Extend {
                        seconds: EXTEND_SECONDS,
                    }));
                }
                if ui
                    .button("⏭ Move on now")
                    .on_hover_text("close the round without late decisions and run its steps")
                    .clicked()
                {
                    out.push(RoomControl::Round(FromFacilitator::Close));
                }
            });
        }
        None => {
            ui.horizontal(|ui| {
                ui.label("Next round:");
                ui.add(
                    egui::DragValue::new(&mut draft.steps)
                        .range(1..=52)
                        .suffix(" steps"),
                );
                ui.add(
                    egui::DragValue::new(&mut draft.seconds)
                        .range(5..=3600)
                        .suffix(" s"),
                );
                if ui.button("Open a round").clicked() {
                    out.push(RoomControl::Round(FromFacilitator::Open {
                        steps: draft.steps,
                        seconds: draft.seconds,
                    }));
                }
            });
        }
    }
    if !seen.last_round.is_empty() {
        ui.label(
            egui::RichText::new(format!("Last round: {}", seen.last_round.join("; ")))
                .color(palette::MUTED),
        );
    }
    ui.separator();
    ui.label(seen.count());
    egui::ScrollArea::vertical()
        .max_height(260.0)
        .show(ui, |ui| {
            egui::Grid::new("room seats").striped(true).show(ui, |ui| {
                ui.strong("Seat");
                ui.strong("Who");
                ui.strong("Decided");
                ui.end_row();
                for s in &seen.seats {
                    ui.label(&s.title);
                    match &s.holder {
                        Some(name) if s.connected => ui.label(name),
                        Some(name) => {
                            ui.colored_label(palette::ERROR_TEXT, format!("{name} (away)"))
                        }
                        None => ui.weak("—"),
                    };
                    decided(ui, s, seen.round.is_some());
                    ui.end_row();
                }
            });
        });
    ui.add_space(4.0);
    if ui
        .button("Close the room")
        .on_hover_text("phones are let go; the run keeps what the room decided")
        .clicked()
    {
        out.push(RoomControl::Close);
    }
}

fn decided(ui: &mut egui::Ui, s: &SeatStatus, round: bool) {
    match (round && s.holder.is_some(), s.decided) {
        (false, _) => ui.label(""),
        (true, true) => ui.colored_label(palette::BETTER, "✔ yes"),
        (true, false) => ui.weak("not yet"),
    };
}

/// The room on the projector, beside the organisation: the QR code and
/// code to join by, the round's timer and who has decided.
pub(super) fn room_card(ui: &mut egui::Ui, h: &Hosting) {
    let seen = Seen::of(h);
    ui.add_space(8.0);
    if let Some(qr) = &h.qr {
        qr_code(ui, qr, ui.available_width().min(220.0));
    }
    ui.label(egui::RichText::new("Join with code").size(18.0));
    ui.label(
        egui::RichText::new(&seen.code)
            .monospace()
            .size(40.0)
            .strong(),
    );
    if let Some(url) = &h.join_url {
        ui.label(egui::RichText::new(url).size(15.0).color(palette::MUTED));
    }
    ui.add_space(8.0);
    match &seen.round {
        Some(r) => {
            ui.label(egui::RichText::new(format!("Round {}", r.number)).size(22.0));
            ui.label(egui::RichText::new(clock(r)).size(40.0).monospace());
        }
        None => {
            ui.label(egui::RichText::new("No round open").size(20.0));
        }
    }
    ui.label(egui::RichText::new(seen.count()).size(18.0));
    ui.add_space(4.0);
    let held: Vec<&SeatStatus> = seen.seats.iter().filter(|s| s.holder.is_some()).collect();
    for s in held.iter().take(CARD_SEATS) {
        let (mark, colour) = match (seen.round.is_some(), s.decided) {
            (true, true) => ("✔", palette::BETTER),
            (true, false) => ("…", palette::MUTED),
            (false, _) => ("·", palette::MUTED),
        };
        let mut line = egui::text::LayoutJob::default();
        let font = |size| egui::FontId::proportional(size);
        let format = |size, color| egui::TextFormat::simple(font(size), color);
        line.append(mark, 0.0, format(18.0, colour));
        line.append(
            s.holder.as_deref().unwrap_or_default(),
            6.0,
            format(18.0, palette::STORY_TEXT),
        );
        line.append(
            &format!(" — {}", s.title),
            0.0,
            format(14.0, palette::MUTED),
        );
        ui.add(egui::Label::new(line).wrap());
    }
    if held.len() > CARD_SEATS {
        ui.label(format!("and {} more", held.len() - CARD_SEATS));
    }
}

/// `qr` painted `side` points wide, black on white with its quiet zone,
/// each module a whole number of pixels (a blurred edge is what makes a
/// phone's camera fail).
fn qr_code(ui: &mut egui::Ui, qr: &Qr, side: f32) {
    let modules = (qr.size() + 2 * QUIET_ZONE) as f32;
    let ppp = ui.ctx().pixels_per_point();
    let module = ((side * ppp / modules).floor().max(1.0)) / ppp;
    let (rect, _) = ui.allocate_exact_size(
        egui::vec2(module * modules, module * modules),
        egui::Sense::hover(),
    );
    // Whole pixels from the top left.
    let origin = (rect.min.to_vec2() * ppp).round() / ppp;
    let painter = ui.painter();
    painter.rect_filled(
        egui::Rect::from_min_size(origin.to_pos2(), rect.size()),
        0.0,
        egui::Color32::WHITE,
    );
    let q = QUIET_ZONE as f32;
    for (x, y, n) in qr.runs() {
        let min = origin + egui::vec2((x as f32 + q) * module, (y as f32 + q) * module);
        painter.rect_filled(
            egui::Rect::from_min_size(min.to_pos2(), egui::vec2(n as f32 * module, module)),
            0.0,
            egui::Color32::BLACK,
        );
    }
}
