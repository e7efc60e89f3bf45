//! The resolved scenario: what a simulation is built from.
//!
//! A [`Scenario`] is a scenario file after validation, with every name
//! resolved to an index: groups of agents and how they are tied, the knob
//! catalogue as this scenario wants it, the policies on offer, scheduled
//! interventions, the model's assumptions and the story for the room.
//! Reading and checking the file is `siloscope-scenario`'s job; this module
//! only holds the result, so the model never sees RON.

use crate::agent::{Channel, Lifecycle, Needs, Part, Role};
use crate::assumptions::ModelParams;
use crate::knob::{Knob, KnobSpec, KnobValues};
use crate::policy::Policy;
use crate::story::StoryStep;
use serde::Deserialize;

/// Most agents any scenario may ask for, whatever its `limits` say.
pub const HARD_MAX_AGENTS: u64 = 5_000_000;
/// Most directed ties any scenario may ask for, whatever its `limits` say.
pub const HARD_MAX_TIES: u64 = 50_000_000;
/// Most steps a run may have.
pub const MAX_STEPS: u32 = 1_000_000;

/// A validated scenario, with names resolved to indices.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// The file it came from, as named by the caller.
    pub file: String,
    /// Title.
    pub name: String,
    /// The story, for the room.
    pub description: String,
    /// Base seed.
    pub seed: u64,
    /// Steps in a run.
    pub steps: u32,
    /// What one step stands for.
    pub step_unit: String,
    /// The policy a run starts under, if any.
    pub start_policy: Option<String>,
    /// Most agents.
    pub max_agents: u64,
    /// Most directed ties.
    pub max_ties: u64,
    /// The starting offering.
    pub offering: Needs,
    /// What each need dimension stands for, for people.
    pub need_names: [String; crate::agent::NEED_DIMS],
    /// Groups, in file order; agent indices run through them in order.
    pub groups: Vec<Group>,
    /// Generated ties between groups.
    pub links: Vec<Link>,
    /// Agents named in the file.
    pub named_agents: Vec<NamedAgent>,
    /// Ties named in the file, with endpoints resolved.
    pub named_ties: Vec<NamedTie>,
    /// The knob catalogue with this scenario's overrides, by [`Knob::index`].
    pub knobs: Vec<KnobSpec>,
    /// Policies on offer: the presets (as overridden) then the scenario's own.
    pub policies: Vec<Policy>,
    /// Scheduled interventions, sorted by step (file order within a step).
    pub interventions: Vec<Intervention>,
    /// The model's assumptions.
    pub model: ModelParams,
    /// The guided tour for the room, if the file has one.
    pub story: Vec<StoryStep>,
}

/// A group of agents, resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    /// Unique name.
    pub name: String,
    /// The part it belongs to.
    pub part: Part,
    /// What the department does (`Other` for non-departments).
    pub role: Role,
    /// Generated members.
    pub generated: u32,
    /// Index of the first member; members are `first .. first + size`.
    pub first: u32,
    /// All members: generated then named.
    pub size: u32,
    /// Ties within the group.
    pub generator: Generator,
    /// Mean needs (customer parts).
    pub needs: Needs,
    /// Spread of individual needs (customer parts).
    pub need_spread: f32,
    /// Share starting as advocates (customer parts).
    pub advocates: f32,
    /// Starting lifecycle state (customer parts).
    pub start: Lifecycle,
    /// Revenue per active customer per step, the segment's ARPU (customer
    /// parts; 0 when none is declared).
    pub arpu: f32,
    /// Newcomers per step as a share of the group: each step each member
    /// leaves the market with this chance and an unaware newcomer takes
    /// their place (customer parts; only with `model.trade_offs`).
    pub arrivals: f32,
    /// Staff time per member per step (departments and partners); `None`
    /// takes `model.staff_capacity`.
    pub capacity: Option<f32>,
}

/// Generated ties between two groups, resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    /// Index of one group.
    pub from: usize,
    /// Index of the other group.
    pub to: usize,
    /// How many ties.
    pub ties: LinkTies,
    /// Channel for touchpoint ties.
    pub channel: Option<Channel>,
}

/// An agent named in the file.
#[derive(Clone, Debug, PartialEq)]
pub struct NamedAgent {
    /// Its id.
    pub id: String,
    /// Its group's index.
    pub group: usize,
    /// Its agent index.
    pub index: u32,
    /// Its own needs, if given.
    pub needs: Option<Needs>,
    /// Its own starting state, if given.
    pub start: Option<Lifecycle>,
}

/// A tie named in the file.
#[derive(Clone, Debug, PartialEq)]
pub struct NamedTie {
    /// Agent index at one end.
    pub from: u32,
    /// Agent index at the other end.
    pub to: u32,
    /// Channel for touchpoint ties.
    pub channel: Option<Channel>,
}

/// A scheduled intervention.
#[derive(Clone, Debug, PartialEq)]
pub struct Intervention {
    /// The step at whose start it takes effect.
    pub at: u32,
    /// What it does.
    pub action: Action,
}

/// What an intervention does.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Set knobs.
    Set(Vec<(Knob, f32)>),
    /// Switch to a policy.
    Policy(String),
    /// Run a campaign.
    Campaign {
        /// Steps it runs.
        duration: u32,
        /// Extra reach per step.
        reach: f32,
    },
}

impl Scenario {
    /// Total agents (generated and named).
    pub fn agent_count(&self) -> u32 {
        self.groups.last().map_or(0, |g| g.first + g.size)
    }

    /// The group an agent belongs to.
    pub fn group_of(&self, agent: u32) -> usize {
        self.groups.partition_point(|g| g.first + g.size <= agent)
    }

    /// The persistent id of an agent: `"<group>#<i>"` for generated agents,
    /// the file's id for named ones.
    pub fn agent_id(&self, agent: u32) -> String {
        let g = &self.groups[self.group_of(agent)];
        let k = agent - g.first;
        if k < g.generated {
            format!("{}#{}", g.name, k)
        } else {
            self.named_agents
                .iter()
                .find(|a| a.index == agent)
                .map_or_else(|| format!("{}#{}", g.name, k), |a| a.id.clone())
        }
    }

    /// The agent with id `id`, if there is one.
    pub fn find_agent(&self, id: &str) -> Option<u32> {
        if let Some(a) = self.named_agents.iter().find(|a| a.id == id) {
            return Some(a.index);
        }
        let (name, k) = id.rsplit_once('#')?;
        let k: u32 = k.parse().ok()?;
        let g = self.groups.iter().find(|g| g.name == name)?;
        (k < g.generated).then_some(g.first + k)
    }

    /// The policy called `name`, if the scenario offers it.
    pub fn policy(&self, name: &str) -> Option<&Policy> {
        self.policies.iter().find(|p| p.name == name)
    }

    /// A name for a new policy that no policy of the scenario has: `stem`,
    /// else `stem_2`, `stem_3`, ….
    pub fn free_policy_name(&self, stem: &str) -> String {
        (1..)
            .map(|i| {
                if i == 1 {
                    stem.to_owned()
                } else {
                    format!("{stem}_{i}")
                }
            })
            .find(|n| self.policy(n).is_none())
            .expect("some name is free")
    }

    /// The range of `knob` in this scenario.
    pub fn knob_spec(&self, knob: Knob) -> &KnobSpec {
        &self.knobs[knob.index()]
    }

    /// Knob values at step 0 under `policy` (or the scenario's starting
    /// policy when `None`): the scenario's knob values, then the policy.
    ///
    /// Returns `Err` with the list of known policies if `policy` is unknown.
    pub fn initial_knobs(&self, policy: Option<&str>) -> Result<KnobValues, String> {
        let mut values = KnobValues::defaults();
        for k in Knob::ALL {
            values.set(k, self.knobs[k.index()].value);
        }
        if let Some(name) = policy.or(self.start_policy.as_deref()) {
            let p = self.policy(name).ok_or_else(|| {
                format!(
                    "unknown policy \"{name}\"; this scenario offers: {}",
                    self.policy_names().join(", ")
                )
            })?;
            for (k, v) in &p.values {
                values.set(*k, *v);
            }
        }
        Ok(values)
    }

    /// Names of the policies on offer.
    pub fn policy_names(&self) -> Vec<&str> {
        self.policies.iter().map(|p| p.name.as_str()).collect()
    }
}

/// A generator for the ties inside one group.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub enum Generator {
    /// No ties.
    #[default]
    None,
    /// Every pair tied.
    Complete,
    /// A fully mixed population (customer parts only): everyone hears from
    /// everyone without drawn ties, so word of mouth reads the whole
    /// group's share of customers (the Bass model's assumption).
    Mixed,
    /// Each pair tied with probability `density` (Erdős–Rényi G(n, p)).
    Random {
        /// Probability of each pair.
        density: f64,
    },
    /// Watts–Strogatz: a ring where each member is tied to its `k` nearest
    /// neighbours (`k` even), each tie rewired with probability `rewire`.
    SmallWorld {
        /// Neighbours on the ring (even).
        k: u64,
        /// Probability of rewiring each tie.
        rewire: f64,
    },
    /// Barabási–Albert preferential attachment: each newcomer ties to `m`
    /// existing members chosen in proportion to their degree.
    ScaleFree {
        /// Ties per newcomer.
        m: u64,
    },
}

/// How many ties a link generates.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub enum LinkTies {
    /// Each (from, to) pair tied with this probability.
    Density(f64),
    /// Each member of `from` tied to this many distinct members of `to`.
    PerMember(u64),
}
