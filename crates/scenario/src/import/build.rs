//! Building the scenario from the two tables, wherever they came from
//! (the CSV pair, or the nodes and edges of a GraphML or GEXF file):
//! every row checked, every problem located, nothing built unless all is
//! good.

use super::render::Organisation;
use super::table::{Table, parse_needs, parse_part, variant};
use super::{Agent, ImportError, ImportErrors, ImportOptions, Imported};
use crate::text;
use siloscope_model::agent::{Channel, Lifecycle, Part, Role};
use std::collections::HashMap;

/// Most problems shown per file (the rest are counted).
/// The columns of the agents' CSV the import reads (`department` names
/// the group where there is no `group` column).
pub(super) const AGENT_COLUMNS: [&str; 7] = [
    "id",
    "part",
    "group",
    "department",
    "role",
    "start",
    "needs",
];

/// The columns of the ties' CSV the import reads.
pub(super) const TIE_COLUMNS: [&str; 6] = ["source", "target", "from", "to", "weight", "channel"];

/// The columns of `t` outside `read`, each named once (an empty name as
/// such), at most [`MAX_IGNORED_NAMED`] and then how many more.
fn ignored_columns(t: &Table<'_>, read: &[&str]) -> Vec<String> {
    let mut extra: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut more = 0;
    for h in &t.header {
        let shown = if h.is_empty() {
            "(a column with no name)".to_owned()
        } else {
            text::message(h.as_str())
        };
        if read.contains(&h.as_str()) || !seen.insert(shown.clone()) {
            continue;
        }
        if extra.len() < MAX_IGNORED_NAMED {
            extra.push(shown);
        } else {
            more += 1;
        }
    }
    if more > 0 {
        extra.push(format!("and {more} more"));
    }
    extra
}

/// Ignored columns named one by one.
const MAX_IGNORED_NAMED: usize = 20;

const MAX_SHOWN: usize = 100;

/// Check the agents' and the ties' rows and build the scenario; `errors`
/// holds what reading the tables found.
pub(super) fn build(
    agents_table: Option<&Table<'_>>,
    ties_table: Option<&Table<'_>>,
    mut errors: Vec<ImportError>,
    options: &ImportOptions,
    agents_name: &str,
    ties_name: &str,
) -> Result<Imported, ImportErrors> {
    let mut ignored = Vec::new();
    let mut agents: Vec<Agent> = Vec::new();
    let mut index: HashMap<String, (usize, u64)> = HashMap::new();
    let mut group_part: Vec<(String, Part, u64)> = Vec::new();
    // Groups by name: looked up once per agent, so many groups cost no more.
    let mut group_at: HashMap<String, usize> = HashMap::new();

    if let Some(t) = agents_table {
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
        let extra = ignored_columns(t, &AGENT_COLUMNS);
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
                        format!(
                            "duplicate id \"{id}\" (first on line {})",
                            t.line_of(*first)
                        ),
                    ));
                    ok = false;
                }
                let part = parse_part(cell(pc));
                if cell(pc).is_empty() {
                    errors.push(t.error(
                        line,
                        Some(pc),
                        "no part: each agent is in one (department, partner, existing_customer or new_customer)",
                    ));
                    ok = false;
                } else if part.is_none() {
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
                        if group.is_empty() {
                            "no group: each agent needs its department, partner group or customer segment"
                        } else {
                            "a group name must contain no '#'"
                        },
                    ));
                    ok = false;
                }
                if let Some(part) = part
                    && !group.is_empty()
                {
                    match group_at.get(&group).map(|&i| &group_part[i]) {
                        Some((_, p, first)) if *p != part => {
                            errors.push(t.error(
                                line,
                                Some(pc),
                                format!(
                                    "group \"{group}\" is {} on line {}; a group is in one part",
                                    p.label(),
                                    t.line_of(*first)
                                ),
                            ));
                            ok = false;
                        }
                        Some(_) => {}
                        None => {
                            group_at.insert(group.clone(), group_part.len());
                            group_part.push((group.clone(), part, line));
                        }
                    }
                }
                let role = match role_col.map(|c| (c, cell(c))) {
                    Some((_, "")) | None => None,
                    Some((c, text)) => match (variant::<Role>(text), part) {
                        (Some(r), Some(Part::Department)) => Some(r),
                        // Without a known part, its own error says enough.
                        (Some(_), None) => None,
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
                        Some(s) if customer || part.is_none() => Some(s),
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
                        let needs = parse_needs(text);
                        if !customer && part.is_some() {
                            errors.push(t.error(
                                line,
                                Some(c),
                                "needs apply to customers and prospects only",
                            ));
                            ok = false;
                            None
                        } else if needs.is_none() {
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
                            needs.map(|n| n.to_vec())
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
    if let Some(t) = ties_table {
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
        let extra = ignored_columns(t, &TIE_COLUMNS);
        if !extra.is_empty() {
            ignored.push((text::message(t.file), extra));
        }
        let (weight_col, channel_col) = (t.column(&["weight"]), t.column(&["channel"]));
        // Whether the agents read are all the agents' file holds: if it
        // could not be read, or not to its end, or has no id column, a tie's
        // agent not found among them says nothing of the tie.
        let agents_known =
            agents_table.is_some_and(|a| a.stop.is_none() && a.column(&["id"]).is_some());
        if let (Some(sc), Some(dc)) = (src_col, dst_col) {
            for (line, row) in &t.rows {
                let line = *line;
                let cell = |c: usize| row.get(c).map(String::as_str).unwrap_or("");
                let mut ends = [None, None];
                for (end, c) in [sc, dc].into_iter().enumerate() {
                    match index.get(cell(c)) {
                        Some(&(i, _)) => ends[end] = Some(i),
                        None if !agents_known => {}
                        None => errors.push(t.error(
                            line,
                            Some(c),
                            format!("unknown agent \"{}\" (not in {})", cell(c), agents_name),
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
                if a == usize::MAX || b == usize::MAX {
                    continue; // an agent with errors of its own
                }
                if a == b {
                    errors.push(t.error(
                        line,
                        Some(dc),
                        format!("a tie from \"{}\" to itself", cell(sc)),
                    ));
                    continue;
                }
                let part_of = |i: usize| {
                    group_at
                        .get(&agents[i].group)
                        .map(|&g| group_part[g].1.is_org())
                };
                if channel.is_some() && part_of(a) == part_of(b) {
                    errors.push(t.error(
                        line,
                        channel_col,
                        "a channel applies only to ties between the organisation (departments, partners) and customers",
                    ));
                    continue;
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
    // Said only where nothing else is wrong with the agents' file: a file
    // cut short or with no usable column says why itself.
    if let Some(t) = agents_table.filter(|t| t.rows.is_empty() && t.stop.is_none())
        && errors.iter().all(|e| e.file != agents_name)
    {
        // Where the first agent would be: the line after the header, if
        // the file has one (a header alone without a line break has not).
        let after_header =
            t.text.trim_end_matches([' ', '\t']).ends_with('\n') || t.lines.len() > 1;
        errors.push(ImportError {
            file: agents_name.to_owned(),
            line: if after_header { 2 } else { 1 },
            column: 1,
            field: String::new(),
            message: "no agents: an organisation needs at least one".into(),
        });
    }
    // Why a file was not read to its end is always shown, after its other
    // problems (it is the last thing read).
    let stops: Vec<ImportError> = [agents_table, ties_table]
        .into_iter()
        .flatten()
        .filter_map(|t| t.stop.clone())
        .collect();
    if !errors.is_empty() || !stops.is_empty() {
        errors.sort_by(|a, b| {
            (a.file == ties_name, a.line, a.column).cmp(&(b.file == ties_name, b.line, b.column))
        });
        // At most so many per file, then how many more there are.
        let mut shown: Vec<ImportError> = Vec::new();
        let mut hidden: Vec<(String, usize)> = Vec::new();
        let mut of_file = 0;
        for e in errors {
            if shown.last().is_some_and(|s| s.file != e.file) {
                of_file = 0;
            }
            if of_file < MAX_SHOWN {
                shown.push(e);
                of_file += 1;
            } else if let Some(h) = hidden.iter_mut().find(|h| h.0 == e.file) {
                h.1 += 1;
            } else {
                hidden.push((e.file.clone(), 1));
            }
        }
        shown.extend(stops);
        // Stable: each file's stop after its other problems.
        shown.sort_by_key(|e| e.file == ties_name);
        return Err(ImportErrors { shown, hidden });
    }
    Ok(Imported {
        agents: agents.len(),
        groups: group_part.len(),
        ties: ties.len(),
        merged,
        light,
        ignored,
        organisation: Organisation {
            options: options.clone(),
            agents,
            groups: group_part,
            ties,
            agents_file: agents_name.to_owned(),
            ties_file: ties_name.to_owned(),
        },
    })
}
