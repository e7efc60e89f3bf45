//! The workshop, without a screen: what the app (and any other front end)
//! drives.
//!
//! - [`session`]: one run with its history — live edits, replay, rewind and
//!   branches, snapshots, each agent's story;
//! - [`debrief`]: the page a workshop takes home;
//! - [`compare`]: runs A and B of the same scenario and seed, in lock-step;
//! - [`headline`]: the figures a room compares, each with its better
//!   direction;
//! - [`in_force`]: which policy a run is under, as a room reads it;
//! - [`luck`]: whether B − A is the policy's or the seed's, over paired
//!   seeds;
//! - [`story`]: performing a scenario's story on the runs;
//! - [`layout`]: where each agent sits on screen, in two pictures;
//! - [`look`]: colours, how agents are drawn, and the charts, shared by the
//!   app and the debrief;
//! - [`record`]: sessions saved to a file and restored exactly;
//! - [`watch`]: noticing that the scenario file changed.

pub mod compare;
pub mod debrief;
pub mod headline;
pub mod in_force;
pub mod layout;
pub mod look;
pub mod luck;
pub mod record;
pub mod session;
pub mod story;
pub mod watch;
