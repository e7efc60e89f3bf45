//! Integration tests of the scenario format, in one binary.

mod import;
mod malformed;
