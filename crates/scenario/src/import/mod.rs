//! Importing an organisation's own network: a CSV of agents and a CSV of
//! ties (or a GraphML or GEXF file) become a scenario, written with its
//! network in files beside it or embedded in it.
//!
//! **Agents** (`id,part,group`, then optional columns):
//!
//! | column | meaning |
//! |---|---|
//! | `id` | unique, non-empty, no `#` (generated agents use `<group>#<i>`) |
//! | `part` | `department`, `partner`, `existing_customer` or `new_customer` (also the scenario spellings `Department`, … and plurals) |
//! | `group` | the department, partner group or customer segment; each distinct group becomes one group of the scenario, with no generated members and no generated ties |
//! | `role` | optional, departments: `Product`, `Marketing`, `Sales`, `Support`, `Operations`, `Communications`, `Leadership`, `Other` |
//! | `start` | optional, customers: a lifecycle state (`Unaware`, `Customer`, `Advocate`, …) |
//! | `needs` | optional, customers: four numbers in 0–1 separated by `;` |
//!
//! **Ties** (`source,target`, optional `weight` and `channel`): one row per
//! relationship; a tie listed in both directions, or twice, is one tie
//! (siloscope's ties carry trust both ways). Rows whose `weight` is below
//! `min_weight` are left out (e.g. e-mail pairs with fewer than 3
//! messages); the weight is not otherwise modelled. `channel` (`Support`,
//! `Sales`, `Retail`, `App`, `Community`, `Reseller`) marks a customer
//! touchpoint.
//!
//! Other columns are ignored and reported. Every problem is reported with
//! file, line, column and field — unknown ids, duplicate ids, self-ties,
//! malformed rows — and nothing is written unless the whole input is good.
//! Lines may end in LF, CR LF or CR (even mixed): positions are as an editor
//! shows the file, and a line break inside a quoted cell reads as LF. Ids
//! and names quoted in messages are escaped and shortened ([`crate::text`]).

mod build;
mod graph;
mod render;
mod table;
mod xml;

use build::build;
pub use render::Referenced;
pub use table::parse_part;
use table::read_table;
pub(crate) use table::{parse_needs, variant};

use crate::text::{normalise_line_endings, printable};
use siloscope_model::agent::{Lifecycle, Role};
use std::fmt;

/// One problem in the input.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportError {
    /// The file, as named by the caller.
    pub file: String,
    /// 1-based line, as an editor counts them.
    pub line: u64,
    /// 1-based column in characters (of the field, where there is one).
    pub column: u64,
    /// The column's name, where there is one (escaped and shortened).
    pub field: String,
    /// What is wrong; ids and names from the files are escaped and a huge
    /// one is cut in the middle.
    pub message: String,
}

/// One line: file, position, field and message, with any control character
/// escaped ([`printable`]) so that a file cannot drive the terminal.
impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = printable(&self.file);
        write!(f, "{file}:{}:{}: ", self.line, self.column)?;
        if !self.field.is_empty() {
            write!(f, "{}: ", printable(&self.field))?;
        }
        f.write_str(&printable(&self.message))
    }
}

/// The problems found, in file order: at most so many of each file shown,
/// and how many more there are.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportErrors {
    /// The problems shown, in file order.
    pub shown: Vec<ImportError>,
    /// Per file (in the order of `shown`), how many more problems were
    /// found and not shown.
    pub hidden: Vec<(String, usize)>,
}

impl ImportErrors {
    /// Every problem found, shown or not.
    pub fn total(&self) -> usize {
        self.shown.len() + self.hidden.iter().map(|h| h.1).sum::<usize>()
    }
}

/// A line per problem shown, and after a file's last one, how many more
/// it has (a count, not a place).
impl fmt::Display for ImportErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.shown.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
            let last_of_file = self.shown.get(i + 1).is_none_or(|next| next.file != e.file);
            if let Some((_, n)) = self.hidden.iter().find(|h| h.0 == e.file && last_of_file) {
                write!(
                    f,
                    "\n{}: and {n} more {} in this file, not shown",
                    printable(&e.file),
                    if *n == 1 { "problem" } else { "problems" }
                )?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for ImportErrors {}

/// A CSV file's name and text.
#[derive(Clone, Copy, Debug)]
pub struct Csv<'a> {
    /// Shown in errors.
    pub name: &'a str,
    /// The contents.
    pub text: &'a str,
}

/// How to build the scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportOptions {
    /// The scenario's title.
    pub name: String,
    /// Steps in a run.
    pub steps: u32,
    /// What a step stands for.
    pub step_unit: String,
    /// Base seed.
    pub seed: u64,
    /// Leave out ties lighter than this.
    pub min_weight: Option<f64>,
}

/// The imported organisation, and what went into it. Written as one
/// scenario file that embeds it ([`Imported::embedded`]), or as a scenario
/// that names an agents file and a ties file ([`Imported::referenced`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Imported {
    /// Agents.
    pub agents: usize,
    /// Groups.
    pub groups: usize,
    /// Ties kept.
    pub ties: usize,
    /// Rows that repeated a tie (either direction).
    pub merged: usize,
    /// Rows left out for their weight.
    pub light: usize,
    /// Columns ignored, per file; file and column names are escaped and
    /// shortened ([`crate::text::message`]), ready to be shown.
    pub ignored: Vec<(String, Vec<String>)>,
    organisation: render::Organisation,
}

impl Imported {
    /// A scenario file (RON) with every agent and tie in it.
    pub fn embedded(&self) -> String {
        self.organisation.embedded()
    }

    /// A scenario file naming `agents_file` and `ties_file` (paths
    /// relative to the scenario file), and those files' contents (CSV).
    pub fn referenced(&self, agents_file: &str, ties_file: &str) -> Referenced {
        self.organisation.referenced(agents_file, ties_file)
    }
}

#[derive(Clone, Debug, PartialEq)]
struct Agent {
    id: String,
    group: String,
    role: Option<Role>,
    start: Option<Lifecycle>,
    needs: Option<Vec<f32>>,
}

/// Which node attributes of a GraphML or GEXF file name what.
#[derive(Clone, Debug, PartialEq)]
pub struct GraphAttributes {
    /// The attribute naming each node's group, tried in order (the first
    /// that any node has): by default `group`, then `department`.
    pub group: Vec<String>,
    /// The attribute naming each node's part (default `part`).
    pub part: String,
    /// The attribute naming a department's role (default `role`).
    pub role: String,
    /// The part of a node without a part attribute (none: an error).
    pub default_part: Option<siloscope_model::agent::Part>,
}

impl Default for GraphAttributes {
    fn default() -> Self {
        GraphAttributes {
            group: vec!["group".into(), "department".into()],
            part: "part".into(),
            role: "role".into(),
            default_part: None,
        }
    }
}

/// Read a GraphML or GEXF file (told apart by its root element) and build
/// the scenario: its nodes are the agents, its edges the ties, checked
/// and located like the CSV pair's rows.
pub fn import_graph(
    file: Csv<'_>,
    attributes: &GraphAttributes,
    options: &ImportOptions,
) -> Result<Imported, ImportErrors> {
    let text = normalise_line_endings(file.text);
    let mut errors = Vec::new();
    let (agents, ties) = graph::read(file.name, &text, attributes, &mut errors);
    build(
        agents.as_ref(),
        ties.as_ref(),
        errors,
        options,
        file.name,
        file.name,
    )
}

/// Read both files and build the scenario; every problem is reported.
pub fn import(
    agents_csv: Csv<'_>,
    ties_csv: Csv<'_>,
    options: &ImportOptions,
) -> Result<Imported, ImportErrors> {
    // Every line break an LF, once, here: the CSV reader counts lines by
    // LF, and the error columns are read from the same text.
    let (agents_text, ties_text) = (
        normalise_line_endings(agents_csv.text),
        normalise_line_endings(ties_csv.text),
    );
    let agents_csv = Csv {
        name: agents_csv.name,
        text: &agents_text,
    };
    let ties_csv = Csv {
        name: ties_csv.name,
        text: &ties_text,
    };
    let mut errors = Vec::new();
    let agents_table = read_table(agents_csv, &build::AGENT_COLUMNS, &mut errors);
    let ties_table = read_table(ties_csv, &build::TIE_COLUMNS, &mut errors);
    build(
        agents_table.as_ref(),
        ties_table.as_ref(),
        errors,
        options,
        agents_csv.name,
        ties_csv.name,
    )
}

#[cfg(test)]
mod tests;
