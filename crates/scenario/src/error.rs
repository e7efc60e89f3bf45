//! Errors in scenario files: where, which field, what is wrong.
//!
//! Every error a user can cause names the file, the 1-based line and column,
//! the field path and the problem, in one line:
//!
//! ```text
//! scenarios/x.scenario.ron:14:9: groups[2].count: expected an integer, found "many"
//! ```
//!
//! Syntax and type errors come from the RON parser (with the path added by
//! `serde_path_to_error`); validation errors are positioned by
//! [`super::locate`]. Text quoted from the file is escaped and shortened
//! ([`crate::text`]), so an error prints as one line of bounded length.

use crate::text::printable;
use std::fmt;

/// What kind of problem a [`ScenarioError`] reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The file could not be read.
    Io,
    /// Not valid RON, or not UTF-8.
    Syntax,
    /// Valid RON of the wrong shape: a missing or unknown field, a wrong type.
    Type,
    /// Well-formed but meaningless: out of range, unknown name, over a cap.
    Validation,
}

/// One problem in one scenario file.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub struct ScenarioError {
    /// The file, as the user named it.
    pub file: String,
    /// 1-based line (0 when the problem has no position, e.g. unreadable file).
    pub line: usize,
    /// 1-based column in characters (0 when there is no position).
    pub column: usize,
    /// The field path, like `groups[2].count` (empty when there is none);
    /// escaped and shortened like the message.
    pub path: String,
    /// What is wrong, and what is allowed; text quoted from the file has
    /// its control characters escaped and a huge one is cut in the middle.
    pub message: String,
    /// The kind of problem.
    pub kind: ErrorKind,
}

/// One line: the file, position, path and message, with any control
/// character in them escaped ([`printable`]; a file name can hold them, and
/// messages made here are escaped already).
impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", printable(&self.file))?;
        if self.line > 0 {
            write!(f, ":{}:{}", self.line, self.column)?;
        }
        if !self.path.is_empty() {
            write!(f, ": {}", printable(&self.path))?;
        }
        write!(f, ": {}", printable(&self.message))
    }
}

/// All problems found in one file (validation reports every one it finds,
/// not just the first).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub struct ScenarioErrors(pub Vec<ScenarioError>);

impl ScenarioErrors {
    /// The errors, in file order.
    pub fn iter(&self) -> impl Iterator<Item = &ScenarioError> {
        self.0.iter()
    }

    /// How many errors.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none (never true for a returned error).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for ScenarioErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_lines(f, &self.0)
    }
}

/// Positioned errors, one per line (scenario files and imported CSVs
/// print their errors alike).
fn write_lines(f: &mut fmt::Formatter<'_>, errors: &[impl fmt::Display]) -> fmt::Result {
    for (i, e) in errors.iter().enumerate() {
        if i > 0 {
            writeln!(f)?;
        }
        write!(f, "{e}")?;
    }
    Ok(())
}

impl From<ScenarioError> for ScenarioErrors {
    fn from(e: ScenarioError) -> Self {
        Self(vec![e])
    }
}
