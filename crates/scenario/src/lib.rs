//! Scenario files: parse RON text, validate it, and resolve it into a
//! [`Scenario`] the simulation can build from; read files with the same
//! limits everywhere ([`files`]); turn an organisation's own CSVs into a
//! scenario ([`import`]); show user text in messages safely ([`text`]).
//!
//! One parse path serves every caller: the CLI, the batch runner and the
//! app's asset loader all call [`parse_str`] or [`parse_bytes`] with the
//! text and a file name for messages, and get the same errors. Only
//! [`files`] and [`import`] touch the file system.
//!
//! A scenario describes *an organisation and a starting point*: groups of
//! agents and how they are tied, the knob catalogue as this scenario wants
//! it, the policies on offer, scheduled interventions and the model's
//! assumptions. See `README.md` for an annotated example.
//!
//! ```
//! use siloscope_model::sim::{RunOptions, Simulation};
//! let src = r#"Scenario(
//!     name: "tiny",
//!     groups: [
//!         (name: "Product", part: Department, role: Product, count: 3, ties: Complete),
//!         (name: "Support", part: Department, role: Support, count: 3, ties: Complete),
//!         (name: "Customers", part: ExistingCustomer, count: 20, ties: Random(density: 0.2)),
//!     ],
//!     links: [
//!         (from: "Product", to: "Support", ties: Density(0.5)),
//!         (from: "Support", to: "Customers", ties: PerMember(5)),
//!     ],
//! )"#;
//! let scenario = siloscope_scenario::parse_str(src, "tiny.scenario.ron").unwrap();
//! let mut sim = Simulation::new(&scenario, RunOptions::default()).unwrap();
//! let report = sim.step();
//! assert!(report.customer_trust_in_org > 0.0 && report.customer_trust_in_org < 1.0);
//! ```

pub mod edit;
mod error;
pub mod files;
pub mod format;
pub mod import;
pub mod locate;
pub mod network;
pub mod text;
mod validate;

pub use error::{ErrorKind, ScenarioError, ScenarioErrors};
// The resolved types live with the model that is built from them.
pub use locate::{FieldPath, Position};
pub use siloscope_model::scenario::{
    Action, Generator, Group, HARD_MAX_AGENTS, HARD_MAX_TIES, Intervention, Link, LinkTies,
    MAX_STEPS, NamedAgent, NamedTie, Scenario,
};

use serde::de::DeserializeOwned;

/// Parse and validate a scenario from RON text. `file` names the source in
/// error messages. Lines may end in LF, CR LF or CR (even mixed): errors
/// are positioned as an editor shows the file.
///
/// Text on its own cannot name network files (`network:`): they are read
/// relative to the scenario's file ([`files::read_scenario`]), or from
/// wherever [`parse_str_with`] is told.
pub fn parse_str(src: &str, file: &str) -> Result<Scenario, ScenarioErrors> {
    parse_str_with(src, file, &network::NoFiles)
}

/// Parse and validate a scenario from RON text, reading the network files
/// it names (`network:`) from `files`.
pub fn parse_str_with(
    src: &str,
    file: &str,
    files: &dyn network::NetworkFiles,
) -> Result<Scenario, ScenarioErrors> {
    // Once, here: the parser and the validator read the same text.
    let src = text::normalise_line_endings(src);
    let raw: format::ScenarioFile = from_ron(&src, file)?;
    validate::validate(raw, &src, file, files)
}

/// Parse and validate a scenario from bytes, which must be UTF-8.
pub fn parse_bytes(bytes: &[u8], file: &str) -> Result<Scenario, ScenarioErrors> {
    parse_str(utf8(bytes, file)?, file)
}

/// The bytes as text, or an error at the first byte that is not UTF-8. A
/// leading byte-order mark (Windows editors write one) is dropped.
pub fn utf8<'a>(bytes: &'a [u8], file: &str) -> Result<&'a str, ScenarioError> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let valid = e.valid_up_to();
        // The valid prefix is UTF-8, so positions can be counted in it.
        let prefix = std::str::from_utf8(&bytes[..valid]).unwrap_or("");
        // Counted in the text as it is: every kind of line break counts.
        let pos = Position::of_offset(prefix, valid);
        ScenarioError {
            file: file.to_owned(),
            line: pos.line,
            column: pos.column,
            path: String::new(),
            message: format!(
                "the file is not UTF-8 text (invalid byte 0x{:02x})",
                bytes[valid]
            ),
            kind: ErrorKind::Syntax,
        }
    })
}

/// Deserialize any RON document with this project's conventions
/// (`implicit_some`, recursion limit) and positioned, path-named errors.
/// Lines may end in LF, CR LF or CR: errors are positioned as an editor
/// shows the file, and a line break inside a string reads as LF. Messages
/// and paths quote the file's text escaped and shortened ([`text::message`]).
pub fn from_ron<T: DeserializeOwned>(src: &str, file: &str) -> Result<T, ScenarioError> {
    // ron counts only LF as a line break, and a `//` comment ends only at
    // one: give it the text with every break an LF (a copy only when the
    // text holds a CR). Positions in it are the editor's positions in `src`.
    let normalised = text::normalise_line_endings(src);
    let src: &str = &normalised;
    let options = ron::Options::default()
        .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
        .with_recursion_limit(64);
    let error = |e: ron::error::SpannedError, path: String| {
        let kind = match e.code {
            ron::Error::InvalidValueForType { .. }
            | ron::Error::MissingStructField { .. }
            | ron::Error::NoSuchStructField { .. }
            | ron::Error::NoSuchEnumVariant { .. }
            | ron::Error::DuplicateStructField { .. }
            | ron::Error::ExpectedDifferentStructName { .. }
            | ron::Error::ExpectedDifferentLength { .. }
            | ron::Error::Message(_) => ErrorKind::Type,
            _ => ErrorKind::Syntax,
        };
        let mut message = describe_ron_error(&e.code);
        // A control character is invisible in an editor: name it.
        let at = Position {
            line: e.span.start.line,
            column: e.span.start.col,
        };
        let here = src[locate::offset_of(src, at).min(src.len())..]
            .chars()
            .next();
        if kind == ErrorKind::Syntax
            && let Some(c) = here.filter(|c| c.is_control() && !c.is_whitespace())
        {
            message.push_str(&format!(
                ", found the control character U+{:04X}",
                u32::from(c)
            ));
        }
        ScenarioError {
            file: file.to_owned(),
            line: at.line,
            column: at.column,
            path: text::message(path),
            message: text::message(message),
            kind,
        }
    };
    if locate::is_blank(src) {
        return Err(ScenarioError {
            file: file.to_owned(),
            line: 1,
            column: 1,
            path: String::new(),
            message: "the file is empty (or only comments); expected a RON document such as `Scenario(name: \"…\", groups: [...])`".to_owned(),
            kind: ErrorKind::Syntax,
        });
    }
    let mut de = ron::Deserializer::from_str_with_options(src, &options)
        .map_err(|e| error(e, String::new()))?;
    match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Ok(value) => {
            de.end()
                .map_err(|e| error(de.span_error(e), String::new()))?;
            Ok(value)
        }
        Err(err) => {
            let path = err.path().to_string();
            // `?` stands for a field whose name was not read yet (a syntax
            // error where a field belongs): name its parent instead.
            let path = path.strip_suffix('?').unwrap_or(&path);
            let path = path.strip_suffix('.').unwrap_or(path);
            let path = path.to_owned();
            let code = err.into_inner();
            let relocate = is_value_type_error(&code);
            let mut e = error(de.span_error(code), path.clone());
            // ron reports a wrongly typed value where it stopped reading,
            // often past its end; point at the value itself and show it.
            if relocate
                && !path.is_empty()
                && let Some(pos) = locate::locate(src, &FieldPath::parse(&path))
            {
                e.line = pos.line;
                e.column = pos.column;
                let found = locate::token_at(src, locate::offset_of(src, pos));
                if !found.is_empty() && !e.message.contains("found") {
                    e.message = text::message(format!("{}, found {found}", e.message));
                }
            }
            Err(e)
        }
    }
}

/// Whether a ron error says a whole value had the wrong type (rather than
/// a character being out of place).
fn is_value_type_error(code: &ron::Error) -> bool {
    use ron::Error as E;
    matches!(
        code,
        E::ExpectedInteger
            | E::ExpectedFloat
            | E::ExpectedString
            | E::ExpectedBoolean
            | E::ExpectedChar
            | E::ExpectedArray
            | E::ExpectedMap
            | E::ExpectedOption
            | E::ExpectedUnit
            | E::ExpectedStructLike
            | E::ExpectedNamedStructLike(_)
            | E::ExpectedIdentifier
            | E::IntegerOutOfBounds
            | E::InvalidValueForType { .. }
            | E::ExpectedDifferentLength { .. }
    )
}

/// ron's message for an error, lower-cased at the start to read as the tail
/// of `file:line:col: path: message`.
fn describe_ron_error(code: &ron::Error) -> String {
    // Rust type names (`GroupSpec`) mean nothing to an analyst: say what
    // is missing or unknown, and what is allowed.
    let one_of = |names: &[&str]| {
        names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let text = match code {
        ron::Error::InvalidValueForType { expected, found } => {
            format!("expected {expected}, found {found}")
        }
        ron::Error::MissingStructField { field, .. } => format!("missing field `{field}`"),
        ron::Error::NoSuchStructField {
            expected, found, ..
        } => {
            format!(
                "unknown field `{found}`; expected one of {}",
                one_of(expected)
            )
        }
        ron::Error::NoSuchEnumVariant {
            expected, found, ..
        } => {
            format!(
                "unknown variant `{found}`; expected one of {}",
                one_of(expected)
            )
        }
        other => other.to_string(),
    };
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => text,
    }
}
