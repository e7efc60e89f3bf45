//! siloscope's model: an organisation's four parts — departments,
//! partners, existing customers, new customers — as a graph of agents.
//! Information travels along its ties, trust on every directed tie moves
//! with the evidence of each interaction, and customers live through a
//! lifecycle with loops. Std, petgraph, rand and serde only: no I/O, no
//! clock.

pub mod agent;
pub mod assumptions;
pub mod flow;
pub mod knob;
pub mod lifecycle;
pub mod metrics;
pub mod network;
pub mod policy;
pub mod rng;
pub mod scenario;
pub mod silo_index;
pub mod sim;
pub mod story;
pub mod trust;
