//! Integration tests of the `siloscope` command, in one binary.

mod cli;
mod host;
#[cfg(unix)]
mod integrity;
mod messages;
mod optimise;
mod session;
mod studies;
mod support;
#[cfg(feature = "app")]
mod window;
