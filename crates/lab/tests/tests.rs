//! Integration tests of the model through scenario files, and of the lab,
//! in one binary.

mod activity;
mod architecture;
mod docs;
mod grounding;
mod hostile;
mod mechanisms;
mod played;
mod previous_model;
mod properties;
mod scenarios;
mod trade_offs;
