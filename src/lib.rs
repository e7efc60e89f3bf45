//! siloscope: an organisational silo-and-trust simulator.
//!
//! An organisation's four parts — departments, partners, existing customers,
//! new customers — form a graph of agents. Information (needs, answers,
//! pushes, peer help, internal knowledge) travels along its ties, trust on
//! every directed tie moves with the evidence of each interaction, and
//! customers live through a lifecycle with loops. Knobs turn the claims of
//! the "inside-out vs outside-in" debate into mechanisms; policies are named
//! sets of knob values.
//!
//! Layers, from the bottom:
//! - the **core** ([`agent`], [`knob`], [`policy`], [`model`], [`network`],
//!   [`trust`], [`flow`], [`lifecycle`], [`silo_index`], [`metrics`],
//!   [`sim`]): std, petgraph, rand and serde only; no I/O, no clock;
//! - the **scenario** format ([`scenario`]): RON text in, a validated
//!   [`scenario::Scenario`] or positioned errors out;
//! - **outputs** ([`output`], [`files`]): CSV and JSON writers and file
//!   reading for the CLI and batch runs;
//! - the **workshop** support, still without bevy: a facilitator's
//!   [`session`] (history, live edits, replay, rewind, agent stories), the
//!   A/B [`compare`]son in lock-step, the scenario's [`story`], the
//!   organisation's [`layout`] on screen, and the scenario file [`watch`];
//! - the **app** (feature `app`), which only calls the layers above.
//!
//! ```
//! use siloscope::{scenario, sim::{RunOptions, Simulation}};
//! let src = r#"Scenario(
//!     name: "tiny",
//!     groups: [
//!         (name: "Product", part: Department, role: Product, count: 3, ties: Complete),
//!         (name: "Support", part: Department, role: Support, count: 3, ties: Complete),
//!         (name: "Customers", part: ExistingCustomer, count: 20, ties: Random(density: 0.2)),
//!     ],
//!     links: [
//!         (from: "Product", to: "Support", ties: Density(0.5)),
//!         (from: "Support", to: "Customers", ties: PerMember(5)),
//!     ],
//! )"#;
//! let scenario = scenario::parse_str(src, "tiny.scenario.ron").unwrap();
//! let mut sim = Simulation::new(&scenario, RunOptions::default()).unwrap();
//! let report = sim.step();
//! assert!(report.customer_trust_in_org > 0.0 && report.customer_trust_in_org < 1.0);
//! ```

pub mod agent;
#[cfg(feature = "app")]
pub mod app;
pub mod batch;
pub mod compare;
pub mod experiment;
pub mod files;
pub mod flow;
pub mod import;
pub mod knob;
pub mod layout;
pub mod lifecycle;
pub mod metrics;
pub mod model;
pub mod network;
pub mod output;
pub mod policy;
pub mod rng;
pub mod scenario;
pub mod sensitivity;
pub mod session;
pub mod silo_index;
pub mod sim;
pub mod stats;
pub mod story;
pub mod trust;
pub mod watch;
