//! Importing an organisation's own network: a CSV of agents and a CSV of
//! ties become a scenario file that embeds them.
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

mod render;
mod table;

use render::render;
use table::{parse_part, read_table, variant};

use crate::text::{self, normalise_line_endings, printable};
use siloscope_model::agent::{Channel, Lifecycle, Part, Role};
use std::collections::HashMap;
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

/// Every problem found, in file order.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportErrors(pub Vec<ImportError>);

impl fmt::Display for ImportErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::write_lines(f, &self.0)
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

/// The scenario text, and what went into it.
#[derive(Clone, Debug, PartialEq)]
pub struct Imported {
    /// A scenario file (RON), valid.
    pub text: String,
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
}

struct Agent {
    id: String,
    group: String,
    role: Option<Role>,
    start: Option<Lifecycle>,
    needs: Option<Vec<f32>>,
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
    let agents_table = read_table(agents_csv, &mut errors);
    let ties_table = read_table(ties_csv, &mut errors);
    let mut ignored = Vec::new();
    let mut agents: Vec<Agent> = Vec::new();
    let mut index: HashMap<String, (usize, u64)> = HashMap::new();
    let mut group_part: Vec<(String, Part, u64)> = Vec::new();

    if let Some(t) = &agents_table {
        let known = ["id", "part", "group", "role", "start", "needs"];
        let (id_col, part_col, group_col) = (
            t.column(&["id"]),
            t.column(&["part"]),
            t.column(&["group", "department"]),
        );
        for (name, col) in [("id", id_col), ("part", part_col), ("group", group_col)] {
            if col.is_none() {
                errors.push(t.error(
                    1,
                    None,
                    format!("no \"{name}\" column; the header needs id, part, group"),
                ));
            }
        }
        let extra: Vec<String> = t
            .header
            .iter()
            .filter(|h| !known.contains(&h.as_str()) && h.as_str() != "department")
            .map(|h| text::message(h.as_str()))
            .collect();
        if !extra.is_empty() {
            ignored.push((text::message(t.file), extra));
        }
        let (role_col, start_col, needs_col) = (
            t.column(&["role"]),
            t.column(&["start"]),
            t.column(&["needs"]),
        );
        if let (Some(ic), Some(pc), Some(gc)) = (id_col, part_col, group_col) {
            for (line, row) in &t.rows {
                let line = *line;
                let cell = |c: usize| row.get(c).map(String::as_str).unwrap_or("");
                let mut ok = true;
                let id = cell(ic).to_owned();
                if id.is_empty() || id.contains('#') {
                    errors.push(t.error(
                        line,
                        Some(ic),
                        format!(
                            "\"{id}\" is not a usable id: it must be non-empty and contain no '#'"
                        ),
                    ));
                    ok = false;
                } else if let Some((_, first)) = index.get(&id) {
                    errors.push(t.error(
                        line,
                        Some(ic),
                        format!("duplicate id \"{id}\" (first on line {first})"),
                    ));
                    ok = false;
                }
                let part = parse_part(cell(pc));
                if part.is_none() {
                    errors.push(t.error(
                        line,
                        Some(pc),
                        format!(
                            "unknown part \"{}\"; parts are department, partner, existing_customer, new_customer",
                            cell(pc)
                        ),
                    ));
                    ok = false;
                }
                let group = cell(gc).to_owned();
                if group.is_empty() || group.contains('#') {
                    errors.push(t.error(
                        line,
                        Some(gc),
                        "a group name must be non-empty and contain no '#'",
                    ));
                    ok = false;
                }
                if let Some(part) = part
                    && !group.is_empty()
                {
                    match group_part.iter().find(|(g, _, _)| *g == group) {
                        Some((_, p, first)) if *p != part => {
                            errors.push(t.error(
                                line,
                                Some(pc),
                                format!(
                                    "group \"{group}\" is {} on line {first}; a group is in one part",
                                    p.label()
                                ),
                            ));
                            ok = false;
                        }
                        Some(_) => {}
                        None => group_part.push((group.clone(), part, line)),
                    }
                }
                let role = match role_col.map(|c| (c, cell(c))) {
                    Some((_, "")) | None => None,
                    Some((c, text)) => match (variant::<Role>(text), part) {
                        (Some(r), Some(Part::Department)) => Some(r),
                        (Some(_), _) => {
                            errors.push(t.error(
                                line,
                                Some(c),
                                "a role applies to departments only",
                            ));
                            ok = false;
                            None
                        }
                        (None, _) => {
                            errors.push(t.error(
                                line,
                                Some(c),
                                format!("unknown role \"{text}\"; roles are Product, Marketing, Sales, Support, Operations, Communications, Leadership, Other"),
                            ));
                            ok = false;
                            None
                        }
                    },
                };
                let customer = part.is_some_and(Part::is_customer);
                let start = match start_col.map(|c| (c, cell(c))) {
                    Some((_, "")) | None => None,
                    Some((c, text)) => match variant::<Lifecycle>(text) {
                        Some(s) if customer => Some(s),
                        Some(_) => {
                            errors.push(t.error(
                                line,
                                Some(c),
                                "a starting state applies to customers and prospects only",
                            ));
                            ok = false;
                            None
                        }
                        None => {
                            errors.push(t.error(
                                line,
                                Some(c),
                                format!("unknown lifecycle state \"{text}\"; states are Unaware, Aware, Considering, Customer, Advocate, Churned, Returning"),
                            ));
                            ok = false;
                            None
                        }
                    },
                };
                let needs = match needs_col.map(|c| (c, cell(c))) {
                    Some((_, "")) | None => None,
                    Some((c, text)) => {
                        let values: Vec<Option<f32>> = text
                            .split(';')
                            .map(|v| {
                                v.trim()
                                    .parse::<f32>()
                                    .ok()
                                    .filter(|v| (0.0..=1.0).contains(v))
                            })
                            .collect();
                        if !customer {
                            errors.push(t.error(
                                line,
                                Some(c),
                                "needs apply to customers and prospects only",
                            ));
                            ok = false;
                            None
                        } else if values.len() != siloscope_model::agent::NEED_DIMS
                            || values.contains(&None)
                        {
                            errors.push(t.error(
                                line,
                                Some(c),
                                format!(
                                    "\"{text}\" is not {} numbers in 0 to 1 separated by ';'",
                                    siloscope_model::agent::NEED_DIMS
                                ),
                            ));
                            ok = false;
                            None
                        } else {
                            Some(values.into_iter().flatten().collect())
                        }
                    }
                };
                if ok && part.is_some() {
                    index.insert(id.clone(), (agents.len(), line));
                    agents.push(Agent {
                        id,
                        group,
                        role,
                        start,
                        needs,
                    });
                } else if !id.is_empty() && !index.contains_key(&id) {
                    // Known, so its ties are not reported as unknown too.
                    index.insert(id, (usize::MAX, line));
                }
            }
        }
    }

    let mut ties: Vec<(usize, usize, Option<Channel>)> = Vec::new();
    let mut seen: HashMap<(usize, usize), usize> = HashMap::new();
    let (mut merged, mut light) = (0, 0);
    if let Some(t) = &ties_table {
        let known = ["source", "target", "from", "to", "weight", "channel"];
        let (src_col, dst_col) = (t.column(&["source", "from"]), t.column(&["target", "to"]));
        for (name, col) in [("source", src_col), ("target", dst_col)] {
            if col.is_none() {
                errors.push(t.error(
                    1,
                    None,
                    format!("no \"{name}\" column; the header needs source, target"),
                ));
            }
        }
        let extra: Vec<String> = t
            .header
            .iter()
            .filter(|h| !known.contains(&h.as_str()))
            .map(|h| text::message(h.as_str()))
            .collect();
        if !extra.is_empty() {
            ignored.push((text::message(t.file), extra));
        }
        let (weight_col, channel_col) = (t.column(&["weight"]), t.column(&["channel"]));
        if let (Some(sc), Some(dc)) = (src_col, dst_col) {
            for (line, row) in &t.rows {
                let line = *line;
                let cell = |c: usize| row.get(c).map(String::as_str).unwrap_or("");
                let mut ends = [None, None];
                for (end, c) in [sc, dc].into_iter().enumerate() {
                    match index.get(cell(c)) {
                        Some(&(i, _)) => ends[end] = Some(i),
                        None => errors.push(t.error(
                            line,
                            Some(c),
                            format!("unknown agent \"{}\" (not in {})", cell(c), agents_csv.name),
                        )),
                    }
                }
                let weight = match weight_col.map(|c| (c, cell(c))) {
                    Some((_, "")) | None => None,
                    Some((c, text)) => match text.parse::<f64>() {
                        Ok(w) if w.is_finite() && w >= 0.0 => Some(w),
                        _ => {
                            errors.push(t.error(
                                line,
                                Some(c),
                                format!("\"{text}\" is not a weight (a number, 0 or more)"),
                            ));
                            ends = [None, None];
                            None
                        }
                    },
                };
                let channel = match channel_col.map(|c| (c, cell(c))) {
                    Some((_, "")) | None => None,
                    Some((c, text)) => match variant::<Channel>(text) {
                        Some(ch) => Some(ch),
                        None => {
                            errors.push(t.error(
                                line,
                                Some(c),
                                format!("unknown channel \"{text}\"; channels are Support, Sales, Retail, App, Community, Reseller"),
                            ));
                            ends = [None, None];
                            None
                        }
                    },
                };
                let (Some(a), Some(b)) = (ends[0], ends[1]) else {
                    continue;
                };
                if a == b {
                    errors.push(t.error(
                        line,
                        Some(dc),
                        format!("a tie from \"{}\" to itself", cell(sc)),
                    ));
                    continue;
                }
                if a == usize::MAX || b == usize::MAX {
                    continue; // an agent with errors of its own
                }
                if options
                    .min_weight
                    .is_some_and(|m| weight.unwrap_or(1.0) < m)
                {
                    light += 1;
                    continue;
                }
                let key = (a.min(b), a.max(b));
                if seen.contains_key(&key) {
                    merged += 1;
                    continue;
                }
                seen.insert(key, ties.len());
                ties.push((a, b, channel));
            }
        }
    }
    if agents_table.as_ref().is_some_and(|t| t.rows.is_empty()) {
        errors.push(ImportError {
            file: agents_csv.name.to_owned(),
            line: 2,
            column: 1,
            field: String::new(),
            message: "no agents: an organisation needs at least one".into(),
        });
    }
    if !errors.is_empty() {
        errors.sort_by(|a, b| {
            (a.file == ties_csv.name, a.line, a.column).cmp(&(
                b.file == ties_csv.name,
                b.line,
                b.column,
            ))
        });
        return Err(ImportErrors(errors));
    }
    let text = render(
        options,
        &agents,
        &group_part,
        &ties,
        agents_csv.name,
        ties_csv.name,
    );
    Ok(Imported {
        text,
        agents: agents.len(),
        groups: group_part.len(),
        ties: ties.len(),
        merged,
        light,
        ignored,
    })
}

#[cfg(test)]
mod tests;
