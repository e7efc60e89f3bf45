//! Writing the imported organisation as a scenario: one group per distinct
//! group, every agent and tie named — embedded in the scenario file, or in
//! an agents file and a ties file beside it ([`crate::network`]).

use super::{Agent, ImportOptions};
use crate::text::printable;
use siloscope_model::agent::{Channel, Part};
use siloscope_model::scenario::{HARD_MAX_AGENTS, HARD_MAX_TIES};

pub(super) fn quoted(s: &str) -> String {
    ron::to_string(s).unwrap_or_else(|_| format!("{s:?}"))
}

/// What was imported, ready to be written in either form.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Organisation {
    pub(super) options: ImportOptions,
    pub(super) agents: Vec<Agent>,
    pub(super) groups: Vec<(String, Part, u64)>,
    pub(super) ties: Vec<(usize, usize, Option<Channel>)>,
    /// The files it was read from, for the scenario's opening comment.
    pub(super) agents_file: String,
    pub(super) ties_file: String,
}

/// A scenario that names its network files, and their contents.
#[derive(Clone, Debug, PartialEq)]
pub struct Referenced {
    /// The scenario file (RON).
    pub scenario: String,
    /// The agents file (CSV): `id,group`, then `start` and `needs` where
    /// any agent has them.
    pub agents: String,
    /// The ties file (CSV): `from,to`, then `channel` where any tie has one.
    pub ties: String,
}

/// A CSV field: in quotes (doubled inside) when it holds a comma, a quote,
/// a line break or surrounding spaces, else as it is.
fn csv_field(s: &str) -> std::borrow::Cow<'_, str> {
    let plain = !s.contains([',', '"', '\n', '\r']) && s.trim() == s;
    if plain {
        s.into()
    } else {
        format!("\"{}\"", s.replace('"', "\"\"")).into()
    }
}

impl Organisation {
    /// The scenario with every agent and tie in it.
    pub(super) fn embedded(&self) -> String {
        let mut s = self.head();
        s.push_str("    agents: [\n");
        for a in &self.agents {
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
        for &(a, b, channel) in &self.ties {
            let channel = channel
                .map(|c| format!(", channel: {c:?}"))
                .unwrap_or_default();
            s.push_str(&format!(
                "        (from: {}, to: {}{channel}),\n",
                quoted(&self.agents[a].id),
                quoted(&self.agents[b].id)
            ));
        }
        s.push_str("    ],\n)\n");
        s
    }

    /// The scenario naming `agents_file` and `ties_file` (relative to it),
    /// and those files' contents.
    pub(super) fn referenced(&self, agents_file: &str, ties_file: &str) -> Referenced {
        let mut scenario = self.head();
        scenario.push_str(&format!(
            "    // The organisation's {} agents and {} ties, one per row.\n    network: (agents: {}, ties: {}),\n)\n",
            self.agents.len(),
            self.ties.len(),
            quoted(agents_file),
            quoted(ties_file)
        ));
        let with_start = self.agents.iter().any(|a| a.start.is_some());
        let with_needs = self.agents.iter().any(|a| a.needs.is_some());
        let mut agents = String::with_capacity(self.agents.len() * 24);
        agents.push_str("id,group");
        agents.push_str(if with_start { ",start" } else { "" });
        agents.push_str(if with_needs { ",needs" } else { "" });
        agents.push('\n');
        for a in &self.agents {
            agents.push_str(&csv_field(&a.id));
            agents.push(',');
            agents.push_str(&csv_field(&a.group));
            if with_start {
                agents.push(',');
                if let Some(start) = a.start {
                    agents.push_str(&format!("{start:?}"));
                }
            }
            if with_needs {
                agents.push(',');
                if let Some(needs) = &a.needs {
                    let v: Vec<String> = needs.iter().map(|x| format!("{x}")).collect();
                    agents.push_str(&v.join(";"));
                }
            }
            agents.push('\n');
        }
        let with_channel = self.ties.iter().any(|t| t.2.is_some());
        let mut ties = String::with_capacity(self.ties.len() * 24);
        ties.push_str(if with_channel {
            "from,to,channel\n"
        } else {
            "from,to\n"
        });
        for &(a, b, channel) in &self.ties {
            ties.push_str(&csv_field(&self.agents[a].id));
            ties.push(',');
            ties.push_str(&csv_field(&self.agents[b].id));
            if with_channel {
                ties.push(',');
                if let Some(c) = channel {
                    ties.push_str(&format!("{c:?}"));
                }
            }
            ties.push('\n');
        }
        Referenced {
            scenario,
            agents,
            ties,
        }
    }

    /// The scenario up to its groups: what both forms share.
    fn head(&self) -> String {
        let options = &self.options;
        let part_name = |p: Part| match p {
            Part::Department => "Department",
            Part::Partner => "Partner",
            Part::ExistingCustomer => "ExistingCustomer",
            Part::NewCustomer => "NewCustomer",
        };
        // The names go into a `//` comment: a line break in one (a CR too)
        // would end it and put the rest of the name into the scenario.
        let (agents_file, ties_file) = (printable(&self.agents_file), printable(&self.ties_file));
        let from = if agents_file == ties_file {
            agents_file.to_string()
        } else {
            format!("{agents_file} and {ties_file}")
        };
        let mut s = String::new();
        s.push_str(&format!(
            "// Imported by `siloscope import` from {from}:\n// {} agents in {} groups, {} ties. Edit knobs, policies, interventions\n// and the model below as for any scenario. Declare each customer group's\n// `arpu` (revenue per customer per step; 0 = none declared) to see revenue,\n// profit and lifetime value, and a prospect group's `arrivals` (the share\n// replaced by newcomers each step) to keep the market moving.\n//\n// What to watch: how siloed your departments are (the E-I index of the\n// drawn ties beside its random-mixing baseline, in `siloscope run`'s\n// summary, and of the flows over time), and how trust and customers move\n// under each policy on *your* network.\n",
            self.agents.len(),
            self.groups.len(),
            self.ties.len()
        ));
        s.push_str("Scenario(\n");
        s.push_str(&format!("    name: {},\n", quoted(&options.name)));
        s.push_str(&format!(
            "    seed: {},\n    steps: {},\n    step_unit: {},\n",
            options.seed,
            options.steps,
            quoted(&options.step_unit)
        ));
        // Room to grow: an analyst adding people or ties to the network
        // files should not meet a limit set at exactly what was imported.
        let defaults = crate::format::LimitsSpec::default();
        s.push_str(&format!(
            "    limits: (max_agents: {}, max_ties: {}),\n",
            with_room(
                self.agents.len() as u64,
                defaults.max_agents,
                HARD_MAX_AGENTS
            ),
            with_room(2 * self.ties.len() as u64, defaults.max_ties, HARD_MAX_TIES)
        ));
        s.push_str("    groups: [\n");
        // Each group's role: the first its members name (one pass).
        let mut roles: std::collections::HashMap<&str, siloscope_model::agent::Role> =
            std::collections::HashMap::new();
        for a in &self.agents {
            if let Some(r) = a.role {
                roles.entry(a.group.as_str()).or_insert(r);
            }
        }
        for (name, part, _) in &self.groups {
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
        s.push_str("    ],\n");
        s
    }
}

/// A limit with room to grow for an organisation that needs `needed`: the
/// default where that leaves a quarter to spare, else the next round number
/// (1, 2 or 5 × 10ᵏ) at least a quarter above `needed`, never above the
/// hard cap (nor below `needed`, which the checks then refuse by name).
fn with_room(needed: u64, default: u64, hard: u64) -> u64 {
    let wanted = needed.saturating_add(needed / 4).max(1);
    if wanted <= default {
        return default;
    }
    let mut scale = 1u64;
    loop {
        for step in [1, 2, 5] {
            let round = scale.saturating_mul(step);
            if round >= wanted {
                return round.min(hard).max(needed);
            }
        }
        scale = scale.saturating_mul(10);
    }
}

#[cfg(test)]
mod tests {
    use super::with_room;

    #[test]
    fn limits_leave_room_to_grow() {
        assert_eq!(with_room(265, 200_000, 5_000_000), 200_000, "the default");
        assert_eq!(with_room(160_000, 200_000, 5_000_000), 200_000);
        assert_eq!(
            with_room(170_000, 200_000, 5_000_000),
            500_000,
            "a quarter over the default"
        );
        assert_eq!(with_room(1_000_000, 200_000, 5_000_000), 2_000_000);
        assert_eq!(
            with_room(4_500_000, 200_000, 5_000_000),
            5_000_000,
            "the hard cap"
        );
        assert_eq!(
            with_room(6_000_000, 200_000, 5_000_000),
            6_000_000,
            "never below what is needed"
        );
    }
}
