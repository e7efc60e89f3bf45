//! Reading an agents file and a ties file into the scenario's terms:
//! agents into their groups, ties between agent indices; every problem
//! located at its row and column.

use super::MAX_ERRORS;
use super::records::{Record, Source, Stop};
use crate::import::{parse_needs, parse_part, variant};
use crate::{ErrorKind, Group, NamedTie, ScenarioError, text};
use siloscope_model::agent::{Channel, Lifecycle, NEED_DIMS, Needs, Part, Role};
use std::collections::{HashMap, HashSet};

/// An agent read from an agents file, not yet given its index.
pub(crate) struct FileAgent {
    pub(crate) id: String,
    pub(crate) group: usize,
    pub(crate) needs: Option<Needs>,
    pub(crate) start: Option<Lifecycle>,
}

/// The problems of one file, up to [`MAX_ERRORS`].
struct Problems<'e> {
    file: String,
    errors: &'e mut Vec<ScenarioError>,
    count: usize,
}

impl Problems<'_> {
    /// Record a problem; `false` once there are too many to go on.
    fn add(
        &mut self,
        (line, column): (u64, u64),
        field: &str,
        message: impl Into<String>,
        kind: ErrorKind,
    ) -> bool {
        if self.count == MAX_ERRORS {
            return false;
        }
        self.count += 1;
        self.errors.push(ScenarioError {
            file: self.file.clone(),
            line: line as usize,
            column: column as usize,
            path: text::message(field),
            message: text::message(if self.count == MAX_ERRORS {
                format!(
                    "{}; {MAX_ERRORS} problems in this file, reading stopped",
                    message.into()
                )
            } else {
                message.into()
            }),
            kind,
        });
        self.count < MAX_ERRORS
    }

    /// Whether `row` has a field count other than the header's `width`
    /// (a field too many would be lost, one too few read as empty): then
    /// the problem is recorded, and `Some` says whether to go on.
    fn wrong_width(&mut self, row: &Record<'_>, width: usize) -> Option<bool> {
        let n = row.len();
        (n != width).then(|| {
            let message = format!(
                "{n} field{}, but the header has {width}",
                if n == 1 { "" } else { "s" }
            );
            self.add((row.line, 1), "", message, ErrorKind::Validation)
        })
    }

    fn stop(&mut self, stop: Stop) {
        self.add(
            (stop.line, stop.column),
            "",
            stop.message,
            ErrorKind::Syntax,
        );
    }
}

/// The columns of a header: for each known column (by its first name), its
/// index; unknown and repeated columns are problems.
fn columns(
    header: &Record<'_>,
    known: &[&[&str]],
    problems: &mut Problems<'_>,
) -> Vec<Option<usize>> {
    let mut at: Vec<Option<usize>> = vec![None; known.len()];
    let names: Vec<&str> = known.iter().map(|k| k[0]).collect();
    for i in 0..header.len() {
        let name = header.get(i).trim().to_ascii_lowercase();
        match known.iter().position(|k| k.contains(&name.as_str())) {
            Some(k) if at[k].is_some() => {
                problems.add(
                    header.at(i),
                    &name,
                    format!("the column \"{}\" is given twice", names[k]),
                    ErrorKind::Validation,
                );
            }
            Some(k) => at[k] = Some(i),
            None => {
                problems.add(
                    header.at(i),
                    &name,
                    format!(
                        "unknown column \"{name}\"; columns are {}",
                        names.join(", ")
                    ),
                    ErrorKind::Validation,
                );
            }
        }
    }
    at
}

/// Read the agents of an agents file. `groups` are the scenario's;
/// `taken` holds the ids the scenario names itself; `room` is how many
/// agents the limits leave.
pub(crate) fn read_agents(
    file: String,
    records: &mut dyn Source,
    groups: &[Group],
    taken: &HashSet<&str>,
    room: u64,
    errors: &mut Vec<ScenarioError>,
) -> Vec<FileAgent> {
    let mut p = Problems {
        file,
        errors,
        count: 0,
    };
    let mut out = Vec::new();
    let header = match records.next_record() {
        Ok(Some(h)) => h,
        Ok(None) => {
            p.add((1, 1), "", "the file is empty; it needs a header row: id,group (then part, role, start, needs as wanted)", ErrorKind::Validation);
            return out;
        }
        Err(stop) => {
            p.stop(stop);
            return out;
        }
    };
    const KNOWN: &[&[&str]] = &[
        &["id"],
        &["group", "department"],
        &["part"],
        &["role"],
        &["start"],
        &["needs"],
    ];
    let cols = columns(&header, KNOWN, &mut p);
    let (header_line, width) = (header.line, header.len());
    let [id_col, group_col, part_col, role_col, start_col, needs_col] =
        [0, 1, 2, 3, 4, 5].map(|k| cols[k]);
    let (Some(id_col), Some(group_col)) = (id_col, group_col) else {
        p.add(
            (header_line, 1),
            "",
            "the header needs an \"id\" and a \"group\" column",
            ErrorKind::Validation,
        );
        return out;
    };
    if p.count > 0 {
        return out;
    }
    let by_name: HashMap<&str, usize> = groups
        .iter()
        .enumerate()
        .rev()
        .map(|(i, g)| (g.name.as_str(), i))
        .collect();
    // Ids read so far, with their line, for "first on line N".
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut go_on = true;
    while go_on {
        let row = match records.next_record() {
            Ok(Some(row)) => row,
            Ok(None) => break,
            Err(stop) => {
                p.stop(stop);
                break;
            }
        };
        if out.len() as u64 >= room {
            p.add(row.at(0), "", format!("more agents than limits.max_agents allows ({} here after the scenario's own); raise the limit", room), ErrorKind::Validation);
            break;
        }
        if let Some(go_on) = p.wrong_width(&row, width) {
            if !go_on {
                break;
            }
            continue;
        }
        let mut ok = true;
        let mut bad = |p: &mut Problems<'_>, col: usize, field: &str, message: String| {
            ok = false;
            p.add(row.at(col), field, message, ErrorKind::Validation)
        };
        let id = row.get(id_col);
        if id.is_empty() || id.contains('#') {
            go_on &= bad(
                &mut p,
                id_col,
                "id",
                format!(
                    "\"{id}\" is not a usable id: it must be non-empty and contain no '#' (generated agents are \"<group>#<i>\")"
                ),
            );
        } else if taken.contains(id) {
            go_on &= bad(
                &mut p,
                id_col,
                "id",
                format!("an agent with id \"{id}\" is already defined in the scenario's `agents`"),
            );
        } else if let Some(first) = seen.get(id) {
            go_on &= bad(
                &mut p,
                id_col,
                "id",
                format!("duplicate id \"{id}\" (first on line {first})"),
            );
        }
        let group_name = row.get(group_col);
        let Some(&g) = by_name.get(group_name) else {
            let names: Vec<String> = groups.iter().map(|g| format!("\"{}\"", g.name)).collect();
            go_on &= bad(
                &mut p,
                group_col,
                "group",
                format!(
                    "unknown group \"{group_name}\"; groups are: {}",
                    names.join(", ")
                ),
            );
            continue;
        };
        let group = &groups[g];
        if let Some(c) = part_col.filter(|&c| !row.get(c).is_empty()) {
            match parse_part(row.get(c)) {
                Some(part) if part == group.part => {}
                Some(part) => {
                    go_on &= bad(
                        &mut p,
                        c,
                        "part",
                        format!(
                            "\"{group_name}\" is a group of part {:?}, not {part:?}",
                            group.part
                        ),
                    )
                }
                None => {
                    go_on &= bad(
                        &mut p,
                        c,
                        "part",
                        format!(
                            "unknown part \"{}\"; parts are department, partner, existing_customer, new_customer",
                            row.get(c)
                        ),
                    )
                }
            }
        }
        if let Some(c) = role_col.filter(|&c| !row.get(c).is_empty()) {
            match variant::<Role>(row.get(c)) {
                Some(role) if group.part == Part::Department && role == group.role => {}
                Some(_) if group.part != Part::Department => {
                    go_on &= bad(
                        &mut p,
                        c,
                        "role",
                        "a role applies to departments only".into(),
                    )
                }
                Some(role) => {
                    go_on &= bad(
                        &mut p,
                        c,
                        "role",
                        format!(
                            "\"{group_name}\" is a {:?} department, not {role:?}",
                            group.role
                        ),
                    )
                }
                None => {
                    go_on &= bad(
                        &mut p,
                        c,
                        "role",
                        format!(
                            "unknown role \"{}\"; roles are Product, Marketing, Sales, Support, Operations, Communications, Leadership, Other",
                            row.get(c)
                        ),
                    )
                }
            }
        }
        let customer = group.part.is_customer();
        let start = match start_col.map(|c| (c, row.get(c))) {
            None | Some((_, "")) => None,
            Some((c, _)) if !customer => {
                go_on &= bad(
                    &mut p,
                    c,
                    "start",
                    "`start` applies to existing and new customers only".into(),
                );
                None
            }
            Some((c, s)) => {
                let state = variant::<Lifecycle>(s);
                if state.is_none() {
                    go_on &= bad(
                        &mut p,
                        c,
                        "start",
                        format!(
                            "unknown lifecycle state \"{s}\"; states are Unaware, Aware, Considering, Customer, Advocate, Churned, Returning"
                        ),
                    );
                }
                state
            }
        };
        let needs = match needs_col.map(|c| (c, row.get(c))) {
            None | Some((_, "")) => None,
            Some((c, _)) if !customer => {
                go_on &= bad(
                    &mut p,
                    c,
                    "needs",
                    "`needs` applies to existing and new customers only".into(),
                );
                None
            }
            Some((c, s)) => {
                let needs = parse_needs(s);
                if needs.is_none() {
                    go_on &= bad(
                        &mut p,
                        c,
                        "needs",
                        format!("\"{s}\" is not {NEED_DIMS} numbers in 0 to 1 separated by ';'"),
                    );
                }
                needs
            }
        };
        if !id.is_empty() && !seen.contains_key(id) {
            seen.insert(id.to_owned(), row.line);
        }
        if ok {
            out.push(FileAgent {
                id: id.to_owned(),
                group: g,
                needs,
                start,
            });
        }
    }
    if p.count == 0 && out.is_empty() {
        p.add(
            (header_line + 1, 1),
            "",
            "no agents: the file has a header but no rows",
            ErrorKind::Validation,
        );
    }
    out
}

/// Read the ties of a ties file; `resolve` finds an agent (index and part)
/// by id; `room` is how many ties the limits leave.
pub(crate) fn read_ties(
    file: String,
    records: &mut dyn Source,
    resolve: &dyn Fn(&str) -> Option<(u32, Part)>,
    room: u64,
    errors: &mut Vec<ScenarioError>,
) -> Vec<NamedTie> {
    let mut p = Problems {
        file,
        errors,
        count: 0,
    };
    let mut out = Vec::new();
    let header = match records.next_record() {
        Ok(Some(h)) => h,
        Ok(None) => {
            p.add(
                (1, 1),
                "",
                "the file is empty; it needs a header row: from,to (then channel as wanted)",
                ErrorKind::Validation,
            );
            return out;
        }
        Err(stop) => {
            p.stop(stop);
            return out;
        }
    };
    const KNOWN: &[&[&str]] = &[&["from", "source"], &["to", "target"], &["channel"]];
    let cols = columns(&header, KNOWN, &mut p);
    let width = header.len();
    let (Some(from_col), Some(to_col), channel_col) = (cols[0], cols[1], cols[2]) else {
        p.add(
            (header.line, 1),
            "",
            "the header needs a \"from\" and a \"to\" column (or \"source\" and \"target\")",
            ErrorKind::Validation,
        );
        return out;
    };
    if p.count > 0 {
        return out;
    }
    loop {
        let row = match records.next_record() {
            Ok(Some(row)) => row,
            Ok(None) => break,
            Err(stop) => {
                p.stop(stop);
                break;
            }
        };
        if out.len() as u64 >= room {
            p.add(row.at(0), "", format!("more ties than limits.max_ties allows (room for {room} rows after the scenario's own ties, each row two directed ties); raise the limit"), ErrorKind::Validation);
            break;
        }
        if let Some(go_on) = p.wrong_width(&row, width) {
            if !go_on {
                break;
            }
            continue;
        }
        let mut go_on = true;
        let mut ends = [None, None];
        for (end, (col, field)) in [(from_col, "from"), (to_col, "to")].into_iter().enumerate() {
            let id = row.get(col);
            ends[end] = resolve(id);
            if ends[end].is_none() {
                go_on &= p.add(row.at(col), field, format!("no agent has id \"{id}\"; use an id of the agents file, of the scenario's `agents`, or \"<group>#<i>\" with i below the group's count"), ErrorKind::Validation);
            }
        }
        let channel = match channel_col.map(|c| (c, row.get(c))) {
            None | Some((_, "")) => None,
            Some((c, s)) => match variant::<Channel>(s) {
                Some(ch) => Some((c, ch)),
                None => {
                    go_on &= p.add(row.at(c), "channel", format!("unknown channel \"{s}\"; channels are Support, Sales, Retail, App, Community, Reseller"), ErrorKind::Validation);
                    ends = [None, None];
                    None
                }
            },
        };
        if let [Some((a, pa)), Some((b, pb))] = ends {
            if a == b {
                go_on &= p.add(
                    row.at(to_col),
                    "to",
                    format!(
                        "a tie from \"{}\" to itself; ties join two different agents",
                        row.get(to_col)
                    ),
                    ErrorKind::Validation,
                );
            } else if let Some((c, _)) = channel.filter(|_| pa.is_org() == pb.is_org()) {
                go_on &= p.add(row.at(c), "channel", "a channel applies only to ties between the organisation (departments, partners) and customers", ErrorKind::Validation);
            } else {
                out.push(NamedTie {
                    from: a,
                    to: b,
                    channel: channel.map(|(_, ch)| ch),
                });
            }
        }
        if !go_on {
            break;
        }
    }
    out
}
