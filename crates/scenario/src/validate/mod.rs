//! From a parsed [`ScenarioFile`] to a checked [`Scenario`].
//!
//! Validation collects *every* problem it can find, each with its position
//! and field path, rather than stopping at the first. A value out of range
//! names the value and the range; an unknown name lists the names allowed.

mod network;
mod organisation;
mod policies;

use super::format::ScenarioFile;
use super::locate::{FieldPath, error_at};
use super::{
    Group, HARD_MAX_AGENTS, HARD_MAX_TIES, Link, MAX_STEPS, Scenario, ScenarioError, ScenarioErrors,
};
use organisation::{Ids, add_members, check_agents, check_groups, check_links, check_ties};
use policies::{check_interventions, check_knobs, check_policies, check_policy_name, check_story};
use siloscope_model::agent::{DEFAULT_NEED_NAMES, NEED_DIMS, Needs};
use siloscope_model::knob::Knob;
use siloscope_model::scenario::{Generator, LinkTies};

/// Default spread of individual needs around a segment's mean.
const DEFAULT_NEED_SPREAD: f32 = 0.15;
/// Largest allowed spread of individual needs.
const MAX_NEED_SPREAD: f32 = 0.5;
/// Largest revenue per customer per step a segment may declare.
const MAX_ARPU: f32 = 1.0e9;
/// Largest staff time per member per step a group may declare.
const MAX_CAPACITY: f32 = 1000.0;
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
    files: &dyn crate::network::NetworkFiles,
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

    let need_names = check_need_names(&mut c, raw.need_names.as_deref());
    let mut groups = check_groups(&mut c, &raw, max_agents);
    // The agents file's members join their groups before anything is
    // placed by index: links and ties see the groups at their full size.
    let so_far: u64 = groups.iter().map(|g| u64::from(g.size)).sum();
    let file_agents = network::agents(
        &mut c,
        &raw,
        files,
        &groups,
        max_agents.saturating_sub(so_far),
    );
    if !file_agents.is_empty() {
        let mut extra = vec![0u32; groups.len()];
        for a in &file_agents {
            extra[a.group] = extra[a.group].saturating_add(1);
        }
        add_members(&mut groups, &extra);
    }
    let (links, link_rows) = check_links(&mut c, &raw, &groups);
    let (mut named_agents, mut next) = check_agents(&mut c, &raw, &groups);
    network::place(&mut named_agents, file_agents, &mut next);
    let ids = Ids::new(&groups, &named_agents);
    let mut named_ties = check_ties(&mut c, &raw, &ids);
    // The ties file is read only when the agents are all good: otherwise
    // every tie of an agent with a problem would be reported as unknown.
    if c.errors.is_empty() {
        let room = (max_ties / 2).saturating_sub(named_ties.len() as u64);
        named_ties.extend(network::ties(&mut c, &raw, files, &ids, room));
    }
    drop(ids);
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
        need_names,
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

/// Longest name of a need dimension (it labels a row of the inspector).
const NEED_NAME_MAX: usize = 40;

/// The need dimensions' names: one per dimension, each a short non-empty
/// text; the defaults where the file gives none.
fn check_need_names(c: &mut Checker<'_>, names: Option<&[String]>) -> [String; NEED_DIMS] {
    let defaults = DEFAULT_NEED_NAMES.map(str::to_owned);
    let Some(names) = names else {
        return defaults;
    };
    let path = FieldPath::root().field("need_names");
    if names.len() != NEED_DIMS {
        c.err(
            &path,
            format!(
                "needs {NEED_DIMS} names, one per need dimension; found {}",
                names.len()
            ),
        );
        return defaults;
    }
    let mut out = defaults;
    for (i, name) in names.iter().enumerate() {
        let trimmed = name.trim();
        if trimmed.is_empty() || trimmed.chars().count() > NEED_NAME_MAX {
            c.err(
                &path.index(i),
                format!("must be 1 to {NEED_NAME_MAX} characters long"),
            );
        } else if names[..i].iter().any(|n| n.trim() == trimmed) {
            c.err(&path.index(i), format!("\"{trimmed}\" is named twice"));
        } else {
            out[i] = trimmed.to_owned();
        }
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
