//! Integration tests of the `siloscope` command, in one binary.

mod cli;
#[cfg(feature = "app")]
mod window;
