//! The lab: what an analyst or a batch user runs headless.
//!
//! - [`output`]: one run's records, the tidy time series and the summary,
//!   written atomically;
//! - [`experiment`]: experiment files (policies × seeds × sweeps);
//! - [`batch`]: running an experiment's conditions in parallel, sharded and
//!   resumable, with paired statistics and plots ([`batch::plot`]);
//! - [`sensitivity`]: which factors move a metric: the one-at-a-time
//!   screen, Sobol indices and Morris effects;
//! - [`calibrate`]: which settings reproduce what is observed;
//! - [`optimise`]: the policy that does best by an objective, within
//!   constraints;
//! - [`journal`]: results of long work kept as they come, so it resumes
//!   and merges;
//! - [`readings`]: one run read at chosen steps;
//! - [`seed`]: the replicate seeds they all share;
//! - [`stats`]: the statistics they share.
//!
//! It builds on the model (`siloscope-model`) and the scenario format
//! (`siloscope-scenario`), and knows nothing of a screen.

pub mod batch;
pub mod calibrate;
pub mod experiment;
pub mod fingerprint;
pub mod journal;
pub mod optimise;
pub mod output;
pub mod readings;
pub mod seed;
pub mod seed_networks;
pub mod sensitivity;
pub mod stats;
