//! A participatory workshop: people in the room take seats — a customer
//! of a segment, the head of a department, Marketing, Sales — and, round
//! by round, decide what their agents' rules would otherwise leave to
//! chance. Agents nobody plays keep the rules.
//!
//! This crate is the room without the network, so every rule of it is
//! tested without a socket:
//!
//! - [`seats`]: which seats a scenario offers, what each may decide;
//! - [`room`]: the room's state — the join code, who holds which seat
//!   (and gets it back on reconnecting), the round with its timer (pause,
//!   extend, move on without late decisions), and the decisions joining
//!   the run as edits of its [`Session`], so a played run replays, rewinds
//!   and compares like any other;
//! - [`protocol`]: the messages a phone and the facilitator's view send,
//!   parsed as hostile input (size-limited, strict, with located errors);
//! - [`limit`]: how many messages a connection may send.
//!
//! Time is passed in (`now`, since the room opened), never read here.
//!
//! [`Session`]: siloscope_workshop::session::Session

pub mod limit;
pub mod protocol;
pub mod room;
pub mod seats;
