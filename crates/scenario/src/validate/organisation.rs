//! The organisation a scenario describes: its groups and their tie
//! generators, the links between groups, the agents and ties it names.
//! Names are resolved to indices; every problem is reported at its field.

use super::{Checker, DEFAULT_NEED_SPREAD, MAX_ARPU, MAX_CAPACITY, MAX_NEED_SPREAD, NEUTRAL_NEEDS};
use crate::format::ScenarioFile;
use crate::locate::FieldPath;
use crate::{Group, Link, NamedAgent, NamedTie};
use siloscope_model::agent::{Lifecycle, Part, Role};
use siloscope_model::scenario::{Generator, LinkTies};
use std::collections::{HashMap, HashSet};

pub(super) fn check_groups(c: &mut Checker<'_>, raw: &ScenarioFile, max_agents: u64) -> Vec<Group> {
    let root = FieldPath::root().field("groups");
    if raw.groups.is_empty() {
        c.err(
            &root,
            "there are no groups; an organisation needs at least one",
        );
    }
    let mut groups = Vec::with_capacity(raw.groups.len());
    // Names seen: a set, so thousands of groups (an import) check in
    // linear time.
    let mut names: HashSet<&str> = HashSet::with_capacity(raw.groups.len());
    for (i, g) in raw.groups.iter().enumerate() {
        let p = root.index(i);
        if g.name.trim().is_empty() || g.name.contains('#') {
            c.err(
                &p.field("name"),
                format!(
                    "\"{}\" is not a usable group name: it must be non-empty and contain no '#'",
                    g.name
                ),
            );
        } else if !names.insert(g.name.as_str()) {
            c.err(
                &p.field("name"),
                format!("a group called \"{}\" is already defined", g.name),
            );
        }
        if g.count > max_agents {
            c.err(
                &p.field("count"),
                format!(
                    "{} is out of range; allowed 0 to {max_agents} (limits.max_agents)",
                    g.count
                ),
            );
        }
        let n = g.count.min(max_agents);
        check_generator(c, &p.field("ties"), &g.ties, n);
        let customer = g.part.is_customer();
        if matches!(g.ties, Generator::Mixed) && !customer {
            c.err(
                &p.field("ties"),
                "Mixed applies to customer groups only (it is how word of mouth reaches prospects); staff and partners need drawn ties",
            );
        }
        if g.part != Part::Department && g.role.is_some() {
            c.err(&p.field("role"), "a role applies to departments only");
        }
        for (field, given) in [
            ("needs", g.needs.is_some()),
            ("need_spread", g.need_spread.is_some()),
            ("advocates", g.advocates.is_some()),
            ("start", g.start.is_some()),
            ("arpu", g.arpu.is_some()),
            ("arrivals", g.arrivals.is_some()),
        ] {
            if given && !customer {
                c.err(
                    &p.field(field),
                    format!("`{field}` applies to existing and new customers only"),
                );
            }
        }
        let needs = match &g.needs {
            Some(v) => c.needs(&p.field("needs"), v).unwrap_or(NEUTRAL_NEEDS),
            None => NEUTRAL_NEEDS,
        };
        let need_spread = g.need_spread.unwrap_or(DEFAULT_NEED_SPREAD);
        c.range(&p.field("need_spread"), need_spread, 0.0, MAX_NEED_SPREAD);
        let advocates = g.advocates.unwrap_or(0.0);
        c.range(&p.field("advocates"), advocates, 0.0, 1.0);
        if g.capacity.is_some() && customer {
            c.err(
                &p.field("capacity"),
                "`capacity` applies to departments and partners only (staff time); customers' load is `model.contact_rate`",
            );
        }
        let arpu = g.arpu.unwrap_or(0.0);
        c.range(&p.field("arpu"), arpu, 0.0, MAX_ARPU);
        let arrivals = g.arrivals.unwrap_or(0.0);
        c.range(&p.field("arrivals"), arrivals, 0.0, 1.0);
        if let Some(capacity) = g.capacity {
            c.range(&p.field("capacity"), capacity, 0.0, MAX_CAPACITY);
        }
        let default_start = if g.part == Part::NewCustomer {
            Lifecycle::Unaware
        } else {
            Lifecycle::Customer
        };
        groups.push(Group {
            name: g.name.clone(),
            part: g.part,
            role: if g.part == Part::Department {
                g.role.unwrap_or(Role::Other)
            } else {
                Role::Other
            },
            generated: n as u32,
            first: 0,
            size: n as u32,
            generator: g.ties.clone(),
            needs,
            need_spread,
            advocates,
            start: g.start.unwrap_or(default_start),
            arpu,
            arrivals,
            capacity: g.capacity,
        });
    }
    // Named agents join their groups after the generated members (groups
    // found by name in a map: an import may have thousands).
    let mut named = vec![0u32; groups.len()];
    let index = group_map(&groups);
    for a in &raw.agents {
        if let Some(&g) = index.get(a.group.as_str()) {
            named[g] = named[g].saturating_add(1);
        }
    }
    drop(index);
    add_members(&mut groups, &named);
    groups
}

/// Add `extra[g]` members to each group `g` and place the groups one
/// after another: agent indices run through them in order.
pub(super) fn add_members(groups: &mut [Group], extra: &[u32]) {
    for (g, n) in groups.iter_mut().zip(extra) {
        g.size = g.size.saturating_add(*n);
    }
    let mut first: u64 = 0;
    for g in groups.iter_mut() {
        g.first = first.min(u64::from(u32::MAX)) as u32;
        first += u64::from(g.size);
    }
}

fn check_generator(c: &mut Checker<'_>, p: &FieldPath, gen_: &Generator, n: u64) {
    match gen_ {
        Generator::None | Generator::Complete | Generator::Mixed => {}
        Generator::Random { density } => {
            c.range(&p.variant("Random").field("density"), *density, 0.0, 1.0);
        }
        Generator::SmallWorld { k, rewire } => {
            let vp = p.variant("SmallWorld");
            if *k % 2 != 0 || *k == 0 {
                c.err(
                    &vp.field("k"),
                    format!(
                        "{k} must be a positive even number (neighbours on each side of the ring)"
                    ),
                );
            } else if *k >= n {
                c.err(
                    &vp.field("k"),
                    format!(
                        "{k} is out of range; allowed 2 to {} (below the group's count, {n})",
                        n.saturating_sub(1)
                    ),
                );
            }
            c.range(&vp.field("rewire"), *rewire, 0.0, 1.0);
        }
        Generator::ScaleFree { m } => {
            if *m == 0 || *m >= n {
                c.err(
                    &p.variant("ScaleFree").field("m"),
                    format!(
                        "{m} is out of range; allowed 1 to {} (below the group's count, {n})",
                        n.saturating_sub(1)
                    ),
                );
            }
        }
    }
}

fn group_index(groups: &[Group], name: &str) -> Option<usize> {
    groups.iter().position(|g| g.name == name)
}

/// Groups by name (the first of a repeated name, as `group_index` finds).
fn group_map(groups: &[Group]) -> HashMap<&str, usize> {
    let mut map = HashMap::with_capacity(groups.len());
    for (i, g) in groups.iter().enumerate() {
        map.entry(g.name.as_str()).or_insert(i);
    }
    map
}

fn group_names(groups: &[Group]) -> String {
    groups
        .iter()
        .map(|g| format!("\"{}\"", g.name))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The resolved links, and for each the index of its entry in the file.
pub(super) fn check_links(
    c: &mut Checker<'_>,
    raw: &ScenarioFile,
    groups: &[Group],
) -> (Vec<Link>, Vec<usize>) {
    let root = FieldPath::root().field("links");
    let mut links = Vec::new();
    let mut rows = Vec::new();
    for (i, l) in raw.links.iter().enumerate() {
        let p = root.index(i);
        let from = group_index(groups, &l.from);
        let to = group_index(groups, &l.to);
        if from.is_none() {
            c.err(
                &p.field("from"),
                format!(
                    "unknown group \"{}\"; groups are: {}",
                    l.from,
                    group_names(groups)
                ),
            );
        }
        if to.is_none() {
            c.err(
                &p.field("to"),
                format!(
                    "unknown group \"{}\"; groups are: {}",
                    l.to,
                    group_names(groups)
                ),
            );
        }
        let (Some(from), Some(to)) = (from, to) else {
            continue;
        };
        if from == to {
            c.err(&p.field("to"), format!("a link joins two different groups; for ties inside \"{}\" use the group's `ties`", l.to));
            continue;
        }
        match l.ties {
            LinkTies::Density(d) => {
                c.range(&p.field("ties").variant("Density"), d, 0.0, 1.0);
            }
            LinkTies::PerMember(k) => {
                let n_to = u64::from(groups[to].size);
                if k > n_to {
                    c.err(
                        &p.field("ties").variant("PerMember"),
                        format!(
                            "{k} is out of range; allowed 0 to {n_to} (the size of \"{}\")",
                            l.to
                        ),
                    );
                }
            }
        }
        if l.channel.is_some() && !is_touchpoint(groups[from].part, groups[to].part) {
            c.err(&p.field("channel"), "a channel applies only to ties between the organisation (departments, partners) and customers");
        }
        links.push(Link {
            from,
            to,
            ties: l.ties.clone(),
            channel: l.channel,
        });
        rows.push(i);
    }
    (links, rows)
}

/// Whether a tie between agents of these parts is a customer touchpoint.
fn is_touchpoint(a: Part, b: Part) -> bool {
    a.is_org() != b.is_org()
}

/// The agents the scenario names, and for each group the index its next
/// named member gets (the agents files's members come after them).
pub(super) fn check_agents(
    c: &mut Checker<'_>,
    raw: &ScenarioFile,
    groups: &[Group],
) -> (Vec<NamedAgent>, Vec<u32>) {
    let root = FieldPath::root().field("agents");
    let mut next: Vec<u32> = groups.iter().map(|g| g.first + g.generated).collect();
    let mut out = Vec::new();
    // Ids seen so far: a hash set, so a file of many named agents (an
    // imported organisation) is checked in time linear in its size.
    let mut seen: HashSet<&str> = HashSet::with_capacity(raw.agents.len());
    let index = group_map(groups);
    for (i, a) in raw.agents.iter().enumerate() {
        let p = root.index(i);
        if a.id.trim().is_empty() || a.id.contains('#') {
            c.err(&p.field("id"), format!("\"{}\" is not a usable id: it must be non-empty and contain no '#' (generated agents use \"<group>#<i>\")", a.id));
        } else if !seen.insert(a.id.as_str()) {
            c.err(
                &p.field("id"),
                format!("an agent with id \"{}\" is already defined", a.id),
            );
        }
        let Some(&g) = index.get(a.group.as_str()) else {
            c.err(
                &p.field("group"),
                format!(
                    "unknown group \"{}\"; groups are: {}",
                    a.group,
                    group_names(groups)
                ),
            );
            continue;
        };
        let customer = groups[g].part.is_customer();
        if !customer && (a.needs.is_some() || a.start.is_some()) {
            let field = if a.needs.is_some() { "needs" } else { "start" };
            c.err(
                &p.field(field),
                format!("`{field}` applies to existing and new customers only"),
            );
        }
        let needs = a.needs.as_ref().and_then(|v| c.needs(&p.field("needs"), v));
        out.push(NamedAgent {
            id: a.id.clone(),
            group: g,
            index: next[g],
            needs,
            start: a.start,
        });
        next[g] += 1;
    }
    (out, next)
}

/// Agents by id: named ones (the first of a repeated id, as reported) and
/// generated ones (`"<group>#<i>"`). Looked up once per tie end, so ties
/// are checked in time linear in their number.
pub(super) struct Ids<'a> {
    by_id: HashMap<&'a str, (u32, Part)>,
    by_group: HashMap<&'a str, usize>,
    groups: &'a [Group],
}

impl<'a> Ids<'a> {
    pub(super) fn new(groups: &'a [Group], named: &'a [NamedAgent]) -> Ids<'a> {
        let mut by_id = HashMap::with_capacity(named.len());
        for a in named {
            by_id
                .entry(a.id.as_str())
                .or_insert((a.index, groups[a.group].part));
        }
        Ids {
            by_id,
            by_group: group_map(groups),
            groups,
        }
    }

    /// The agent with this id: its index and part.
    pub(super) fn resolve(&self, id: &str) -> Option<(u32, Part)> {
        if let Some(&found) = self.by_id.get(id) {
            return Some(found);
        }
        let (name, k) = id.rsplit_once('#')?;
        let k: u32 = k.parse().ok()?;
        let g = &self.groups[*self.by_group.get(name)?];
        (k < g.generated).then(|| (g.first + k, g.part))
    }
}

pub(super) fn check_ties(c: &mut Checker<'_>, raw: &ScenarioFile, ids: &Ids<'_>) -> Vec<NamedTie> {
    let root = FieldPath::root().field("ties");
    let resolve = |id: &str| ids.resolve(id);
    let mut out = Vec::new();
    for (i, t) in raw.ties.iter().enumerate() {
        let p = root.index(i);
        let from = resolve(&t.from);
        let to = resolve(&t.to);
        for (field, id, r) in [("from", &t.from, from), ("to", &t.to, to)] {
            if r.is_none() {
                c.err(&p.field(field), format!("no agent has id \"{id}\"; use a named agent's id or \"<group>#<i>\" with i below the group's count"));
            }
        }
        let (Some((a, pa)), Some((b, pb))) = (from, to) else {
            continue;
        };
        if a == b {
            c.err(
                &p.field("to"),
                format!(
                    "a tie from \"{}\" to itself; ties join two different agents",
                    t.to
                ),
            );
            continue;
        }
        if t.channel.is_some() && !is_touchpoint(pa, pb) {
            c.err(&p.field("channel"), "a channel applies only to ties between the organisation (departments, partners) and customers");
        }
        out.push(NamedTie {
            from: a,
            to: b,
            channel: t.channel,
        });
    }
    out
}
