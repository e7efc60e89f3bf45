//! Integration tests of the `siloscope` command, in one binary.

mod cli;
#[cfg(unix)]
mod integrity;
mod messages;
#[cfg(feature = "app")]
mod window;
