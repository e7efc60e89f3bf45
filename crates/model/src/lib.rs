//! siloscope's model: an organisation's four parts — departments,
//! partners, existing customers, new customers — as a graph of agents.
//! Information travels along its ties, trust on every directed tie moves
//! with the evidence of each interaction, and customers live through a
//! lifecycle with loops. Each claim of the inside-out / outside-in debate
//! is a mechanism with a knob. Std, petgraph, rand and serde only: no I/O,
//! no clock, no file formats (those are `siloscope-scenario`'s).
//!
//! # Contents
//!
//! | module | what it holds |
//! |---|---|
//! | [`agent`] | parts, roles, channels, lifecycle states, needs |
//! | [`network`] | the organisation's graph: ties, their kinds (internal, wall, partner, touchpoint, peer), routes to Product; its generators |
//! | [`knob`], [`policy`] | the knobs with their ranges; policies as named knob values, the presets |
//! | [`assumptions`] | the model's assumptions (`model:` in a scenario), with defaults |
//! | [`scenario`], [`story`] | the resolved scenario a simulation is built from, and its story for the room |
//! | [`trust`] | trust from evidence with forgetting (Beta reputation) |
//! | [`flow`] | items in flight (needs, answers, pushes…) and their queue |
//! | [`lifecycle`] | satisfaction, churn and exposure formulas |
//! | [`metrics`] | the step report; every metric's name and meaning, once ([`metrics::METRICS`]) |
//! | [`silo_index`] | the E-I index of Krackhardt & Stern |
//! | [`rng`] | the portable random streams that make runs reproducible |
//! | [`sim`] | [`sim::Simulation`]: state, controls, and the step, one file per mechanism |
//!
//! # Claims and the files that model them
//!
//! The same map as `docs/domain.md`, from the code's side. The step's
//! files are in `sim/step/`; each opens with what it models, its knob and
//! equation, the metrics it feeds and what it leaves out.
//!
//! | claim (seed) | file | knob | metric that shows it |
//! |---|---|---|---|
//! | Silos keep trust from seeping through (000) | `silo_walls.rs` | `silo_permeability` | `trust_across_silos`, `ei_index_flow` |
//! | Trust is two-way, from evidence, and fades (000) | `evidence.rs` | — | `customer_trust_in_org` |
//! | Outside-in alone is one-way vision (000); customers in the loop (003) | `feedback_loop.rs` | `feedback_listening`, `transparency` | `loop_closure_share` |
//! | Customers inside the extranet (003) | `extranet.rs` | `extranet_openness` | `needs_reached_product` |
//! | Inside is responsible for partners (003) | `partners.rs` | `transparency` | `trust_toward` |
//! | Omnichannel; self-service (001) | `touchpoints.rs` | `omnichannel_consistency`, `self_service` | `inconsistent_answers`, `savings_self_service` |
//! | Efficiency at the expense of experience (004); staff time is finite | `staff_time.rs` | `efficiency_pressure` | `queue_length`, `contacts_expired` |
//! | Peers solve each other's problems (001) | `community.rs` | `community_enablement` | `peer_help` |
//! | "All about you" cross-sell; shouting louder (002) | `push_and_cross_sell.rs` | `cross_sell_pressure`, `marketing_push` | `cross_sells`, `pushes` |
//! | Word of mouth beats campaigns (003) | `word_of_mouth.rs` | `referral_strength`, `campaign_reach` | `acquisitions_word_of_mouth` |
//! | Life is not linear (004) | `customer_lifecycle.rs` | — | `lifecycle`, `churn` |
//! | Holes, not drills; know me (004) | `satisfaction.rs` | `personalisation` | `satisfaction` |
//! | Cross-sell for revenue per user (002) | `revenue.rs` | `cross_sell_pressure` | `revenue`, `profit`, `npv`, `clv` |
//! | A market that does not run dry | `market.rs` | — | `arrivals`, `lost_to_competitor` |
//! | Openness is not free (001, 003) | `cost_of_openness.rs` | `extranet_openness`, `community_enablement` | `cost_openness` |
//! | Policy changes and campaigns over time | `interventions.rs` | any | every chart's knob marks |
//! | What a workshop wants to see | `measure.rs` | — | all |
//!
//! # Layers
//!
//! This crate is the bottom layer. `siloscope-scenario` reads scenario files
//! into a [`scenario::Scenario`]; `siloscope-lab` runs experiments;
//! `siloscope-workshop` keeps a facilitator's session; `siloscope-app` draws
//! it; the `siloscope` command line ties them together. The model's
//! behaviour is tested through scenario files in `crates/lab/tests/`
//! (`mechanisms.rs`: one test per mechanism; `grounding.rs`: the published
//! models it reduces to; `scenarios.rs`: the golden hashes), so that this
//! crate needs no scenario parser, not even to test.

pub mod agent;
pub mod assumptions;
pub mod flow;
pub mod knob;
pub mod lifecycle;
pub mod metrics;
pub mod network;
pub mod policy;
pub mod prefetch;
pub mod rng;
pub mod scenario;
pub mod silo_index;
pub mod sim;
pub mod story;
pub mod trust;
