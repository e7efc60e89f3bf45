//! Integration tests, in one binary (see `Cargo.toml`, `autotests = false`).

mod cli;
mod fuzz;
mod grounding;
mod hostile;
mod import;
mod malformed;
mod properties;
mod scenarios;
#[cfg(feature = "app")]
mod window;
