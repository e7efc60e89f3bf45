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

use siloscope_model::agent::{Channel, Lifecycle, Part, Role};
use std::collections::HashMap;
use std::fmt;

/// One problem in the input.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportError {
    /// The file, as named by the caller.
    pub file: String,
    /// 1-based line.
    pub line: u64,
    /// 1-based column (of the field, where there is one).
    pub column: u64,
    /// The column's name, where there is one.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.file, self.line, self.column)?;
        if !self.field.is_empty() {
            write!(f, "{}: ", self.field)?;
        }
        f.write_str(&self.message)
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
    /// Columns ignored, per file.
    pub ignored: Vec<(String, Vec<String>)>,
}

/// 1-based columns where each field of a raw CSV line starts (quotes
/// respected), for error positions.
fn field_columns(line: &str) -> Vec<u64> {
    let mut starts = vec![1];
    let mut quoted = false;
    for (i, ch) in line.char_indices() {
        match ch {
            '"' => quoted = !quoted,
            ',' if !quoted => starts.push(line[..=i].chars().count() as u64 + 1),
            _ => {}
        }
    }
    starts
}

/// A parsed CSV: its header (lower-cased) and rows with their lines.
struct Table<'a> {
    file: &'a str,
    lines: Vec<&'a str>,
    header: Vec<String>,
    rows: Vec<(u64, Vec<String>)>,
}

impl Table<'_> {
    fn column(&self, names: &[&str]) -> Option<usize> {
        self.header.iter().position(|h| names.contains(&h.as_str()))
    }

    fn error(&self, line: u64, col: Option<usize>, message: impl Into<String>) -> ImportError {
        let column = col
            .and_then(|c| {
                let text = self.lines.get(line.saturating_sub(1) as usize)?;
                field_columns(text).get(c).copied()
            })
            .unwrap_or(1);
        ImportError {
            file: self.file.to_owned(),
            line,
            column,
            field: col
                .and_then(|c| self.header.get(c).cloned())
                .unwrap_or_default(),
            message: message.into(),
        }
    }
}

fn read_table<'a>(csv_file: Csv<'a>, errors: &mut Vec<ImportError>) -> Option<Table<'a>> {
    let at = |line: u64, message: String| ImportError {
        file: csv_file.name.to_owned(),
        line,
        column: 1,
        field: String::new(),
        message,
    };
    if csv_file.text.trim().is_empty() {
        errors.push(at(1, "the file is empty; it needs a header row".into()));
        return None;
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::All)
        .from_reader(csv_file.text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|s| s.to_ascii_lowercase()).collect(),
        Err(e) => {
            errors.push(at(1, format!("unreadable header: {e}")));
            return None;
        }
    };
    let mut rows = Vec::new();
    for record in reader.records() {
        match record {
            Ok(r) => {
                let line = r.position().map_or(0, |p| p.line());
                if r.iter().all(str::is_empty) {
                    continue;
                }
                rows.push((line, r.iter().map(str::to_owned).collect()));
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                let message = match e.kind() {
                    csv::ErrorKind::UnequalLengths {
                        expected_len, len, ..
                    } => format!("{len} fields, but the header has {expected_len}"),
                    _ => e.to_string(),
                };
                errors.push(at(line, message));
            }
        }
    }
    Some(Table {
        file: csv_file.name,
        lines: csv_file.text.lines().collect(),
        header,
        rows,
    })
}

fn parse_part(text: &str) -> Option<Part> {
    let t: String = text
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    match t.trim_end_matches('s') {
        "department" | "inside" | "staff" => Some(Part::Department),
        "partner" => Some(Part::Partner),
        "existingcustomer" | "customer" => Some(Part::ExistingCustomer),
        "newcustomer" | "prospect" => Some(Part::NewCustomer),
        _ => None,
    }
}

/// A unit variant of one of the scenario's enums, by its scenario name.
fn variant<T: serde::de::DeserializeOwned>(text: &str) -> Option<T> {
    if !text.chars().all(|c| c.is_ascii_alphanumeric()) || text.is_empty() {
        return None;
    }
    ron::from_str(text).ok()
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
            .cloned()
            .collect();
        if !extra.is_empty() {
            ignored.push((t.file.to_owned(), extra));
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
            .cloned()
            .collect();
        if !extra.is_empty() {
            ignored.push((t.file.to_owned(), extra));
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

fn quoted(s: &str) -> String {
    ron::to_string(s).unwrap_or_else(|_| format!("{s:?}"))
}

fn render(
    options: &ImportOptions,
    agents: &[Agent],
    groups: &[(String, Part, u64)],
    ties: &[(usize, usize, Option<Channel>)],
    agents_file: &str,
    ties_file: &str,
) -> String {
    let part_name = |p: Part| match p {
        Part::Department => "Department",
        Part::Partner => "Partner",
        Part::ExistingCustomer => "ExistingCustomer",
        Part::NewCustomer => "NewCustomer",
    };
    let mut s = String::new();
    s.push_str(&format!(
        "// Imported by `siloscope import` from {agents_file} and {ties_file}:\n// {} agents in {} groups, {} ties. Edit knobs, policies, interventions\n// and the model below as for any scenario.\n//\n// What to watch: how siloed your departments are (the E-I index of the\n// drawn ties beside its random-mixing baseline, in `siloscope run`'s\n// summary, and of the flows over time), and how trust and customers move\n// under each policy on *your* network.\n",
        agents.len(),
        groups.len(),
        ties.len()
    ));
    s.push_str("Scenario(\n");
    s.push_str(&format!("    name: {},\n", quoted(&options.name)));
    s.push_str(&format!(
        "    seed: {},\n    steps: {},\n    step_unit: {},\n",
        options.seed,
        options.steps,
        quoted(&options.step_unit)
    ));
    s.push_str(&format!(
        "    limits: (max_agents: {}, max_ties: {}),\n",
        (agents.len() as u64).max(1),
        (2 * ties.len() as u64).max(1)
    ));
    s.push_str("    groups: [\n");
    for (name, part, _) in groups {
        let role = agents
            .iter()
            .find(|a| a.group == *name && a.role.is_some())
            .and_then(|a| a.role)
            .filter(|_| *part == Part::Department);
        let role = role.map(|r| format!(", role: {r:?}")).unwrap_or_default();
        s.push_str(&format!(
            "        (name: {}, part: {}{role}, count: 0, ties: None),\n",
            quoted(name),
            part_name(*part)
        ));
    }
    s.push_str("    ],\n    agents: [\n");
    for a in agents {
        let mut extra = String::new();
        if let Some(start) = a.start {
            extra.push_str(&format!(", start: {start:?}"));
        }
        if let Some(needs) = &a.needs {
            let v: Vec<String> = needs.iter().map(|x| format!("{x}")).collect();
            extra.push_str(&format!(", needs: [{}]", v.join(", ")));
        }
        s.push_str(&format!(
            "        (id: {}, group: {}{extra}),\n",
            quoted(&a.id),
            quoted(&a.group)
        ));
    }
    s.push_str("    ],\n    ties: [\n");
    for &(a, b, channel) in ties {
        let channel = channel
            .map(|c| format!(", channel: {c:?}"))
            .unwrap_or_default();
        s.push_str(&format!(
            "        (from: {}, to: {}{channel}),\n",
            quoted(&agents[a].id),
            quoted(&agents[b].id)
        ));
    }
    s.push_str("    ],\n)\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> ImportOptions {
        ImportOptions {
            name: "Acme".into(),
            steps: 52,
            step_unit: "week".into(),
            seed: 7,
            min_weight: None,
        }
    }

    const AGENTS: &str = "id,part,group,role,start,needs,email
ana,department,Product,Product,,,ana@acme.example
ben,Department,Product,,,,ben@acme.example
cy,department,Support,Support,,,cy@acme.example
dee,existing_customer,Shops,,Advocate,0.8;0.2;0.5;0.5,
eli,new_customer,Prospects,,,,
";
    const TIES: &str = "source,target,weight,channel
ana,ben,12,
ben,ana,3,
ben,cy,1,
cy,dee,5,Support
dee,eli,2,
";

    fn csv<'a>(name: &'a str, text: &'a str) -> Csv<'a> {
        Csv { name, text }
    }

    #[test]
    fn a_small_organisation_becomes_a_valid_scenario() {
        let done = import(csv("agents.csv", AGENTS), csv("ties.csv", TIES), &options()).unwrap();
        assert_eq!(
            (done.agents, done.groups, done.ties, done.merged),
            (5, 4, 4, 1)
        );
        assert_eq!(
            done.ignored,
            [("agents.csv".to_owned(), vec!["email".to_owned()])]
        );
        let scenario = crate::parse_str(&done.text, "acme.scenario.ron")
            .unwrap_or_else(|e| panic!("{e}\n{}", done.text));
        assert_eq!(scenario.name, "Acme");
        assert_eq!(scenario.named_ties.len(), 4);
        let sim = siloscope_model::sim::Simulation::new(&scenario, Default::default()).unwrap();
        assert_eq!(sim.network().agents(), 5);
        assert_eq!(sim.network().ties(), 8, "each tie both ways");
        let dee = scenario.find_agent("dee").unwrap();
        assert_eq!(sim.lifecycle(dee), Some(Lifecycle::Advocate));
        // Light ties can be left out.
        let heavy = ImportOptions {
            min_weight: Some(3.0),
            ..options()
        };
        let done = import(csv("agents.csv", AGENTS), csv("ties.csv", TIES), &heavy).unwrap();
        assert_eq!((done.ties, done.light, done.merged), (2, 2, 1));
    }

    #[test]
    fn every_problem_is_reported_with_file_line_column_and_field() {
        let agents = "id,part,group
ana,department,Product
ana,department,Support
bo#1,partner,Resellers
cy,customer,Product
dan,martian,Mars
";
        let ties = "source,target,weight
ana,zed,1
ana,ana,1
ana,cy,lots
ana,cy
";
        let errors = import(csv("a.csv", agents), csv("t.csv", ties), &options()).unwrap_err();
        let shown: Vec<String> = errors.0.iter().map(|e| e.to_string()).collect();
        let expected = [
            "a.csv:3:1: id: duplicate id \"ana\" (first on line 2)",
            "a.csv:4:1: id: \"bo#1\" is not a usable id",
            "a.csv:5:4: part: group \"Product\" is departments on line 2",
            "a.csv:6:5: part: unknown part \"martian\"",
            "t.csv:2:5: target: unknown agent \"zed\" (not in a.csv)",
            "t.csv:3:5: target: a tie from \"ana\" to itself",
            "t.csv:4:8: weight: \"lots\" is not a weight",
            "t.csv:5:1: 2 fields, but the header has 3",
        ];
        assert_eq!(shown.len(), expected.len(), "{shown:#?}");
        for (got, want) in shown.iter().zip(expected) {
            assert!(got.starts_with(want), "{got}\n  wanted {want}");
        }
        let empty = import(csv("a.csv", ""), csv("t.csv", TIES), &options()).unwrap_err();
        assert!(
            empty
                .to_string()
                .starts_with("a.csv:1:1: the file is empty"),
            "{empty}"
        );
    }
}
