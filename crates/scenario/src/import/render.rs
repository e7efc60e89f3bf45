//! Writing the imported organisation as a scenario file: one group per
//! distinct group, every agent and tie named.

use super::{Agent, ImportOptions};
use crate::text::printable;
use siloscope_model::agent::{Channel, Part};

pub(super) fn quoted(s: &str) -> String {
    ron::to_string(s).unwrap_or_else(|_| format!("{s:?}"))
}

pub(super) fn render(
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
    // The names go into a `//` comment: a line break in one (a CR too)
    // would end it and put the rest of the name into the scenario.
    let (agents_file, ties_file) = (printable(agents_file), printable(ties_file));
    let from = if agents_file == ties_file {
        agents_file.to_string()
    } else {
        format!("{agents_file} and {ties_file}")
    };
    let mut s = String::new();
    s.push_str(&format!(
        "// Imported by `siloscope import` from {from}:\n// {} agents in {} groups, {} ties. Edit knobs, policies, interventions\n// and the model below as for any scenario. Declare each customer group's\n// `arpu` (revenue per customer per step; 0 = none declared) to see revenue,\n// profit and lifetime value, and a prospect group's `arrivals` (the share\n// replaced by newcomers each step) to keep the market moving.\n//\n// What to watch: how siloed your departments are (the E-I index of the\n// drawn ties beside its random-mixing baseline, in `siloscope run`'s\n// summary, and of the flows over time), and how trust and customers move\n// under each policy on *your* network.\n",
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
    // Each group's role: the first its members name (one pass).
    let mut roles: std::collections::HashMap<&str, siloscope_model::agent::Role> =
        std::collections::HashMap::new();
    for a in agents {
        if let Some(r) = a.role {
            roles.entry(a.group.as_str()).or_insert(r);
        }
    }
    for (name, part, _) in groups {
        let role = roles
            .get(name.as_str())
            .copied()
            .filter(|_| *part == Part::Department);
        let role = role.map(|r| format!(", role: {r:?}")).unwrap_or_default();
        let revenue = if part.is_customer() {
            ", arpu: 0.0"
        } else {
            ""
        };
        s.push_str(&format!(
            "        (name: {}, part: {}{role}, count: 0, ties: None{revenue}),\n",
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
