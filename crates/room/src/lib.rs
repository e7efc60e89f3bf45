//! A participatory workshop: people in the room take seats — a customer
//! of a segment, the head of a department, Marketing, Sales — and, round
//! by round, decide what their agents' rules would otherwise leave to
//! chance. Agents nobody plays keep the rules.
//!
//! Every rule of the room is in modules without the network, tested
//! without a socket; [`server`] puts them on a port:
//!
//! - [`seats`]: which seats a scenario offers, what each may decide;
//! - [`room`]: the room's state — the join code, who holds which seat
//!   (and gets it back on reconnecting), the round with its timer (pause,
//!   extend, move on without late decisions), and the decisions joining
//!   the run as edits of its [`Session`], so a played run replays, rewinds
//!   and compares like any other;
//! - [`protocol`]: the messages a phone and the facilitator's view send,
//!   parsed as hostile input (size-limited, strict, with located errors);
//! - [`limit`]: how many messages a connection may send;
//! - [`views`]: what a phone and the facilitator's view are sent;
//! - [`qr`]: the QR code a phone joins by;
//! - [`server`]: all of it on a port, by WebSocket.
//!
//! The room's time is passed in (`now`, since the room opened); only the
//! server reads the clock.
//!
//! [`Session`]: siloscope_workshop::session::Session

pub mod limit;
pub mod protocol;
pub mod qr;
pub mod room;
pub mod seats;
pub mod server;
pub mod views;
