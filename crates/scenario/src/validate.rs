//! From a parsed [`ScenarioFile`] to a checked [`Scenario`].
//!
//! Validation collects *every* problem it can find, each with its position
//! and field path, rather than stopping at the first. A value out of range
//! names the value and the range; an unknown name lists the names allowed.

use super::format::{ActionSpec, ScenarioFile, StoryActionSpec};
use super::locate::{FieldPath, error_at};
use super::{
    Action, Group, HARD_MAX_AGENTS, HARD_MAX_TIES, Intervention, Link, MAX_STEPS, NamedAgent,
    NamedTie, Scenario, ScenarioError, ScenarioErrors,
};
use siloscope_model::agent::{Lifecycle, NEED_DIMS, Needs, Part, Role};
use siloscope_model::knob::{KNOB_COUNT, Knob, KnobSpec};
use siloscope_model::policy::{self, PRESET_NAMES, Policy};
use siloscope_model::scenario::{Generator, LinkTies};
use siloscope_model::story::{StoryAction, StoryStep};

/// Default spread of individual needs around a segment's mean.
const DEFAULT_NEED_SPREAD: f32 = 0.15;
/// Largest allowed spread of individual needs.
const MAX_NEED_SPREAD: f32 = 0.5;
/// Default offering and segment needs: the middle of the need space.
const NEUTRAL_NEEDS: Needs = [0.5; NEED_DIMS];

struct Checker<'a> {
    src: &'a str,
    file: &'a str,
    errors: Vec<ScenarioError>,
}

impl Checker<'_> {
    /// Record an error at `path`, positioned at the deepest part of the path
    /// that can be found in the text.
    fn err(&mut self, path: &FieldPath, message: impl Into<String>) {
        self.errors
            .push(error_at(self.src, self.file, path, message));
    }

    /// Check `lo <= v <= hi` (NaN fails); the message shows `v` as written.
    fn range<T: Into<f64> + std::fmt::Display + Copy>(
        &mut self,
        path: &FieldPath,
        v: T,
        lo: T,
        hi: T,
    ) -> bool {
        let (x, l, h): (f64, f64, f64) = (v.into(), lo.into(), hi.into());
        if x >= l && x <= h {
            true
        } else {
            self.err(path, format!("{v} is out of range; allowed {lo} to {hi}"));
            false
        }
    }

    fn needs(&mut self, path: &FieldPath, v: &[f32]) -> Option<Needs> {
        if v.len() != NEED_DIMS {
            self.err(
                path,
                format!(
                    "needs have {NEED_DIMS} dimensions, found a list of {}",
                    v.len()
                ),
            );
            return None;
        }
        let mut out = [0.0; NEED_DIMS];
        let mut ok = true;
        for (i, x) in v.iter().enumerate() {
            ok &= self.range(&path.index(i), *x, 0.0, 1.0);
            out[i] = *x;
        }
        ok.then_some(out)
    }

    fn knob_name(&mut self, path: &FieldPath, name: &str) -> Option<Knob> {
        let k = Knob::from_name(name);
        if k.is_none() {
            self.err(
                path,
                format!("unknown knob \"{name}\"; knobs are: {}", Knob::names()),
            );
        }
        k
    }
}

/// Validate and resolve a parsed scenario.
pub(super) fn validate(
    raw: ScenarioFile,
    src: &str,
    file: &str,
) -> Result<Scenario, ScenarioErrors> {
    let mut c = Checker {
        src,
        file,
        errors: Vec::new(),
    };
    let root = FieldPath::root();

    if raw.name.trim().is_empty() {
        c.err(
            &root.field("name"),
            "the name is empty; give the scenario a title",
        );
    }
    if raw.steps == 0 || raw.steps > MAX_STEPS {
        c.err(
            &root.field("steps"),
            format!("{} is out of range; allowed 1 to {MAX_STEPS}", raw.steps),
        );
    }
    let lim = &raw.limits;
    let max_agents = lim.max_agents.min(HARD_MAX_AGENTS);
    let max_ties = lim.max_ties.min(HARD_MAX_TIES);
    if lim.max_agents == 0 || lim.max_agents > HARD_MAX_AGENTS {
        c.err(
            &root.field("limits").field("max_agents"),
            format!(
                "{} is out of range; allowed 1 to {HARD_MAX_AGENTS}",
                lim.max_agents
            ),
        );
    }
    if lim.max_ties > HARD_MAX_TIES {
        c.err(
            &root.field("limits").field("max_ties"),
            format!(
                "{} is out of range; allowed 0 to {HARD_MAX_TIES}",
                lim.max_ties
            ),
        );
    }
    let offering = match &raw.offering {
        Some(v) => c.needs(&root.field("offering"), v).unwrap_or(NEUTRAL_NEEDS),
        None => NEUTRAL_NEEDS,
    };
    for row in raw.model.out_of_range() {
        c.err(
            &root.field("model").field(row.name),
            format!(
                "{} is out of range; allowed {} to {} ({})",
                row.value, row.min, row.max, row.meaning
            ),
        );
    }

    let groups = check_groups(&mut c, &raw, max_agents);
    let (links, link_rows) = check_links(&mut c, &raw, &groups);
    let named_agents = check_agents(&mut c, &raw, &groups);
    let named_ties = check_ties(&mut c, &raw, &groups, &named_agents);
    let knobs = check_knobs(&mut c, &raw);
    let policies = check_policies(&mut c, &raw, &knobs);
    let start_policy = raw.policy.clone();
    if let Some(p) = &start_policy {
        check_policy_name(&mut c, &root.field("policy"), p, &policies);
    }
    let interventions = check_interventions(&mut c, &raw, &knobs, &policies);
    let story = check_story(&mut c, &raw, &knobs, &policies);

    let total_agents: u64 = groups.iter().map(|g| u64::from(g.size)).sum();
    if total_agents > max_agents {
        c.err(
            &root.field("groups"),
            format!(
                "the organisation would have {total_agents} agents, over limits.max_agents = {max_agents}"
            ),
        );
    }
    check_tie_budget(
        &mut c,
        &groups,
        &links,
        &link_rows,
        named_ties.len() as u64,
        max_ties,
    );

    if !c.errors.is_empty() {
        return Err(ScenarioErrors(c.errors));
    }
    let mut interventions = interventions;
    interventions.sort_by_key(|i| i.at);
    Ok(Scenario {
        file: file.to_owned(),
        name: raw.name,
        description: raw.description,
        seed: raw.seed,
        steps: raw.steps,
        step_unit: raw.step_unit.unwrap_or_else(|| "step".to_owned()),
        start_policy,
        max_agents,
        max_ties,
        offering,
        groups,
        links,
        named_agents,
        named_ties,
        knobs,
        policies,
        interventions,
        model: raw.model,
        story,
    })
}

fn check_groups(c: &mut Checker<'_>, raw: &ScenarioFile, max_agents: u64) -> Vec<Group> {
    let root = FieldPath::root().field("groups");
    if raw.groups.is_empty() {
        c.err(
            &root,
            "there are no groups; an organisation needs at least one",
        );
    }
    let mut groups = Vec::with_capacity(raw.groups.len());
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
        } else if raw.groups[..i].iter().any(|h| h.name == g.name) {
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
        });
    }
    // Named agents join their groups after the generated members.
    for a in &raw.agents {
        if let Some(g) = groups.iter_mut().find(|g| g.name == a.group) {
            g.size = g.size.saturating_add(1);
        }
    }
    let mut first: u64 = 0;
    for g in &mut groups {
        g.first = first.min(u64::from(u32::MAX)) as u32;
        first += u64::from(g.size);
    }
    groups
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

fn group_names(groups: &[Group]) -> String {
    groups
        .iter()
        .map(|g| format!("\"{}\"", g.name))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The resolved links, and for each the index of its entry in the file.
fn check_links(
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

fn check_agents(c: &mut Checker<'_>, raw: &ScenarioFile, groups: &[Group]) -> Vec<NamedAgent> {
    let root = FieldPath::root().field("agents");
    let mut next: Vec<u32> = groups.iter().map(|g| g.first + g.generated).collect();
    let mut out = Vec::new();
    for (i, a) in raw.agents.iter().enumerate() {
        let p = root.index(i);
        if a.id.trim().is_empty() || a.id.contains('#') {
            c.err(&p.field("id"), format!("\"{}\" is not a usable id: it must be non-empty and contain no '#' (generated agents use \"<group>#<i>\")", a.id));
        } else if raw.agents[..i].iter().any(|b| b.id == a.id) {
            c.err(
                &p.field("id"),
                format!("an agent with id \"{}\" is already defined", a.id),
            );
        }
        let Some(g) = group_index(groups, &a.group) else {
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
    out
}

fn check_ties(
    c: &mut Checker<'_>,
    raw: &ScenarioFile,
    groups: &[Group],
    named: &[NamedAgent],
) -> Vec<NamedTie> {
    let root = FieldPath::root().field("ties");
    let resolve = |id: &str| -> Option<(u32, Part)> {
        if let Some(a) = named.iter().find(|a| a.id == id) {
            return Some((a.index, groups[a.group].part));
        }
        let (name, k) = id.rsplit_once('#')?;
        let k: u32 = k.parse().ok()?;
        let g = groups.iter().find(|g| g.name == name)?;
        (k < g.generated).then(|| (g.first + k, g.part))
    };
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

fn check_knobs(c: &mut Checker<'_>, raw: &ScenarioFile) -> Vec<KnobSpec> {
    let root = FieldPath::root().field("knobs");
    let mut specs: Vec<KnobSpec> = Knob::ALL.iter().map(|k| k.spec()).collect();
    for (name, o) in raw.knobs.iter() {
        let Some(k) = c.knob_name(&root.key_name(name), name) else {
            continue;
        };
        let p = root.key(name);
        let hard = k.spec();
        let s = &mut specs[k.index()];
        if let Some(v) = o.min {
            s.min = v;
        }
        if let Some(v) = o.max {
            s.max = v;
        }
        if let Some(v) = o.value {
            s.value = v;
        }
        if let Some(v) = o.step {
            s.step = v;
        }
        if let Some(u) = &o.unit {
            s.unit = u.clone();
        }
        if let Some(d) = &o.description {
            s.description = d.clone();
        }
        let s = s.clone();
        let ok_min = c.range(&p.field("min"), s.min, hard.min, hard.max);
        let ok_max = c.range(&p.field("max"), s.max, hard.min, hard.max);
        if ok_min && ok_max && s.min >= s.max {
            c.err(
                &p.field("max"),
                format!("{} must be above min ({})", s.max, s.min),
            );
        } else if ok_min && ok_max {
            c.range(&p.field("value"), s.value, s.min, s.max);
            if !(s.step > 0.0 && s.step <= s.max - s.min) {
                c.err(
                    &p.field("step"),
                    format!(
                        "{} is out of range; allowed above 0 up to {} (max - min)",
                        s.step,
                        s.max - s.min
                    ),
                );
            }
        }
    }
    specs
}

fn check_knob_values(
    c: &mut Checker<'_>,
    p: &FieldPath,
    values: &super::format::OrderedMap<f32>,
    knobs: &[KnobSpec],
) -> Vec<(Knob, f32)> {
    let mut out = Vec::new();
    for (name, v) in values.iter() {
        let Some(k) = c.knob_name(&p.key_name(name), name) else {
            continue;
        };
        let s = &knobs[k.index()];
        if c.range(&p.key(name), *v, s.min, s.max) {
            out.push((k, *v));
        }
    }
    out.sort_by_key(|(k, _)| *k);
    out
}

fn check_policies(c: &mut Checker<'_>, raw: &ScenarioFile, knobs: &[KnobSpec]) -> Vec<Policy> {
    let root = FieldPath::root().field("policies");
    let mut policies: Vec<Policy> = policy::presets();
    // Presets must fit this scenario's knob ranges unless the scenario
    // overrides them; a silently clamped preset would lie to the room.
    for preset in &policies {
        if raw.policies.iter().any(|(n, _)| n == preset.name) {
            continue;
        }
        for (k, v) in &preset.values {
            let s = &knobs[k.index()];
            if !(*v >= s.min && *v <= s.max) {
                c.err(
                    &FieldPath::root().field("knobs").key(k.name()),
                    format!(
                        "the preset \"{}\" sets {k} = {v}, outside this scenario's range {} to {}; widen the range or override the preset under `policies`",
                        preset.name, s.min, s.max
                    ),
                );
            }
        }
    }
    for (name, spec) in raw.policies.iter() {
        let p = root.key(name);
        if name.trim().is_empty() {
            c.err(&root.key_name(name), "a policy needs a non-empty name");
            continue;
        }
        let is_preset = PRESET_NAMES.contains(&name);
        let base = spec.base.as_deref().or(is_preset.then_some(name));
        let mut values: [Option<f32>; KNOB_COUNT] = [None; KNOB_COUNT];
        let mut description = spec.description.clone();
        if let Some(b) = base {
            match policies.iter().find(|q| q.name == b) {
                Some(q) => {
                    for (k, v) in &q.values {
                        values[k.index()] = Some(*v);
                    }
                    description = description.or_else(|| Some(q.description.clone()));
                }
                None if b == name => {
                    c.err(&p.field("base"), format!("\"{b}\" cannot be its own base; a base must be a preset or a policy defined above"));
                }
                None if raw.policies.iter().any(|(other, _)| other == b) => {
                    c.err(&p.field("base"), format!("\"{b}\" is defined below this policy; a base must be defined above it, so bases cannot form a cycle"));
                }
                None => {
                    let names: Vec<_> = policies.iter().map(|q| q.name.as_str()).collect();
                    c.err(&p.field("base"), format!("unknown policy \"{b}\"; a base must be a preset or a policy defined above: {}", names.join(", ")));
                }
            }
        }
        for (k, v) in check_knob_values(c, &p.field("knobs"), &spec.knobs, knobs) {
            values[k.index()] = Some(v);
        }
        let policy = Policy {
            name: name.to_owned(),
            description: description.unwrap_or_default(),
            values: Knob::ALL
                .iter()
                .filter_map(|k| values[k.index()].map(|v| (*k, v)))
                .collect(),
        };
        match policies.iter_mut().find(|q| q.name == name) {
            Some(q) => *q = policy,
            None => policies.push(policy),
        }
    }
    policies
}

fn check_interventions(
    c: &mut Checker<'_>,
    raw: &ScenarioFile,
    knobs: &[KnobSpec],
    policies: &[Policy],
) -> Vec<Intervention> {
    let root = FieldPath::root().field("interventions");
    let mut out = Vec::new();
    for (i, iv) in raw.interventions.iter().enumerate() {
        let p = root.index(i);
        if iv.at >= raw.steps {
            c.err(
                &p.field("at"),
                format!(
                    "{} is out of range; allowed 0 to {} (the run has {} steps)",
                    iv.at,
                    raw.steps.saturating_sub(1),
                    raw.steps
                ),
            );
        }
        let ap = p.field("action");
        let action = match &iv.action {
            ActionSpec::Set(values) => Action::Set(check_set(c, &ap.variant("Set"), values, knobs)),
            ActionSpec::Policy(name) => {
                check_policy_name(c, &ap.variant("Policy"), name, policies);
                Action::Policy(name.clone())
            }
            ActionSpec::Campaign { duration, reach } => {
                let vp = ap.variant("Campaign");
                if *duration == 0 {
                    c.err(
                        &vp.field("duration"),
                        "0 is out of range; a campaign runs at least 1 step",
                    );
                }
                c.range(&vp.field("reach"), *reach, 0.0, 1.0);
                Action::Campaign {
                    duration: *duration,
                    reach: *reach,
                }
            }
        };
        out.push(Intervention { at: iv.at, action });
    }
    out
}

/// A `Set` action: at least one knob, each known and in range.
fn check_set(
    c: &mut Checker<'_>,
    p: &FieldPath,
    values: &super::format::OrderedMap<f32>,
    knobs: &[KnobSpec],
) -> Vec<(Knob, f32)> {
    if values.0.is_empty() {
        c.err(
            p,
            "sets no knob; name at least one, like Set({\"transparency\": 0.8})",
        );
    }
    check_knob_values(c, p, values, knobs)
}

/// A policy named in the file must be one on offer.
fn check_policy_name(c: &mut Checker<'_>, p: &FieldPath, name: &str, policies: &[Policy]) {
    if !policies.iter().any(|q| q.name == name) {
        let names: Vec<_> = policies.iter().map(|q| q.name.as_str()).collect();
        c.err(
            p,
            format!(
                "unknown policy \"{name}\"; policies are: {}",
                names.join(", ")
            ),
        );
    }
}

fn check_story(
    c: &mut Checker<'_>,
    raw: &ScenarioFile,
    knobs: &[KnobSpec],
    policies: &[Policy],
) -> Vec<StoryStep> {
    let root = FieldPath::root().field("story");
    let mut out = Vec::new();
    for (i, step) in raw.story.iter().enumerate() {
        let p = root.index(i);
        if step.title.trim().is_empty() {
            c.err(&p.field("title"), "is empty; a story step needs a title");
        }
        let mut actions = Vec::new();
        for (j, action) in step.actions.iter().enumerate() {
            let ap = p.field("actions").index(j);
            actions.push(match action {
                StoryActionSpec::Policy(name) => {
                    check_policy_name(c, &ap.variant("Policy"), name, policies);
                    StoryAction::Policy(name.clone())
                }
                StoryActionSpec::Set(values) => {
                    StoryAction::Set(check_set(c, &ap.variant("Set"), values, knobs))
                }
                StoryActionSpec::RunTo(n) => {
                    if *n > raw.steps {
                        c.err(
                            &ap.variant("RunTo"),
                            format!(
                                "{n} is out of range; allowed 0 to {} (the run has {} steps)",
                                raw.steps, raw.steps
                            ),
                        );
                    }
                    StoryAction::RunTo(*n)
                }
                StoryActionSpec::Compare(name) => {
                    check_policy_name(c, &ap.variant("Compare"), name, policies);
                    StoryAction::Compare(name.clone())
                }
                StoryActionSpec::CompareOff => StoryAction::CompareOff,
                StoryActionSpec::Focus(f) => StoryAction::Focus(*f),
                StoryActionSpec::Highlight(m) => StoryAction::Highlight(*m),
            });
        }
        out.push(StoryStep {
            title: step.title.clone(),
            note: step.note.clone(),
            actions,
        });
    }
    out
}

/// Expected number of undirected ties a group's generator makes.
pub(crate) fn expected_group_ties(g: &Generator, n: u64) -> f64 {
    let pairs = n as f64 * n.saturating_sub(1) as f64 / 2.0;
    match g {
        Generator::None | Generator::Mixed => 0.0,
        Generator::Complete => pairs,
        Generator::Random { density } => density * pairs,
        Generator::SmallWorld { k, .. } => n as f64 * *k as f64 / 2.0,
        Generator::ScaleFree { m } => n as f64 * *m as f64,
    }
}

/// Expected number of undirected ties a link makes.
pub(crate) fn expected_link_ties(t: &LinkTies, n_from: u64, n_to: u64) -> f64 {
    match t {
        LinkTies::Density(d) => d * n_from as f64 * n_to as f64,
        LinkTies::PerMember(k) => (*k * n_from) as f64,
    }
}

fn check_tie_budget(
    c: &mut Checker<'_>,
    groups: &[Group],
    links: &[Link],
    link_rows: &[usize],
    named: u64,
    max_ties: u64,
) {
    // Directed ties: each relationship carries trust both ways.
    let mut parts: Vec<(f64, FieldPath)> = Vec::new();
    for (i, g) in groups.iter().enumerate() {
        let e = 2.0 * expected_group_ties(&g.generator, u64::from(g.generated));
        parts.push((e, FieldPath::root().field("groups").index(i).field("ties")));
    }
    for (link, &i) in links.iter().zip(link_rows) {
        let e = 2.0
            * expected_link_ties(
                &link.ties,
                u64::from(groups[link.from].size),
                u64::from(groups[link.to].size),
            );
        parts.push((e, FieldPath::root().field("links").index(i).field("ties")));
    }
    let total: f64 = parts.iter().map(|(e, _)| e).sum::<f64>() + 2.0 * named as f64;
    if total > max_ties as f64 {
        let (_, worst) = parts
            .iter()
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .cloned()
            .unwrap_or((0.0, FieldPath::root().field("ties")));
        c.err(
            &worst,
            format!(
                "the organisation would have about {:.0} directed ties, over limits.max_ties = {max_ties}; this is the largest contributor",
                total
            ),
        );
    }
}
