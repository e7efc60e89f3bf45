//! Integration tests of the scenario format, in one binary.

mod import;
mod line_endings;
mod malformed;
mod messages;
