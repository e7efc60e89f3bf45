//! Integration tests of the `siloscope` command, in one binary.

mod cli;
mod integrity;
mod messages;
#[cfg(feature = "app")]
mod window;
