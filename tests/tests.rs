//! Integration tests, in one binary (see `Cargo.toml`, `autotests = false`).

mod cli;
mod grounding;
mod import;
mod malformed;
mod properties;
mod scenarios;
#[cfg(feature = "app")]
mod window;
