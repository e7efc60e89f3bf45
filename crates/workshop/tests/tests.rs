//! Integration tests of the workshop layer, in one binary.

mod fuzz;
