//! The scenario file as written: serde types that mirror the RON text.
//!
//! These types only say what is *syntactically* allowed. Meaning (ranges,
//! references between groups, caps) is checked in [`super::validate`], which
//! turns a [`ScenarioFile`] into a [`super::Scenario`]. Every struct denies
//! unknown fields so a typo is an error, not a silently ignored line.

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use siloscope_model::agent::{Channel, Lifecycle, Part, Role};
use siloscope_model::scenario::{Generator, LinkTies};
use std::fmt;
use std::marker::PhantomData;

/// A whole `*.scenario.ron` file.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename = "Scenario", deny_unknown_fields)]
pub struct ScenarioFile {
    /// Title shown in the app and in outputs.
    pub name: String,
    /// The story this scenario tells, for the room.
    #[serde(default)]
    pub description: String,
    /// Base seed of the run (the CLI's `--seed` overrides it).
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Steps in a run (the CLI's `--steps` overrides it).
    #[serde(default = "default_steps")]
    pub steps: u32,
    /// What one step stands for, e.g. `"week"`; only used for labels.
    #[serde(default)]
    pub step_unit: Option<String>,
    /// The policy a run starts under (a preset or one of `policies`).
    #[serde(default)]
    pub policy: Option<String>,
    /// Caps on the size of the generated organisation.
    #[serde(default)]
    pub limits: LimitsSpec,
    /// The organisation's starting offering, a point in the need space.
    #[serde(default)]
    pub offering: Option<Vec<f32>>,
    /// What each need dimension stands for (default: reliability, price,
    /// service, ease of use).
    #[serde(default)]
    pub need_names: Option<Vec<String>>,
    /// Groups of agents: departments, partner groups, customer segments,
    /// prospect pools.
    pub groups: Vec<GroupSpec>,
    /// Ties generated between two groups.
    #[serde(default)]
    pub links: Vec<LinkSpec>,
    /// Agents named one by one, added to a group.
    #[serde(default)]
    pub agents: Vec<AgentSpec>,
    /// Ties named one by one, between agent ids.
    #[serde(default)]
    pub ties: Vec<TieSpec>,
    /// Agents and ties kept in CSV files beside the scenario (see
    /// [`crate::network`]), for organisations too large to embed.
    #[serde(default)]
    pub network: Option<NetworkSpec>,
    /// Overrides of the knob catalogue (value, range, step, unit, text).
    #[serde(default)]
    pub knobs: OrderedMap<KnobOverride>,
    /// Policies: new ones, or overrides of the presets.
    #[serde(default)]
    pub policies: OrderedMap<PolicySpec>,
    /// Scheduled changes during a run.
    #[serde(default)]
    pub interventions: Vec<InterventionSpec>,
    /// The model's assumptions (rates, delays, weights), all with defaults.
    #[serde(default)]
    pub model: siloscope_model::assumptions::ModelParams,
    /// A guided tour for the room (see [`siloscope_model::story`]).
    #[serde(default)]
    pub story: Vec<StoryStepSpec>,
}

/// One step of a story, as written.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoryStepSpec {
    /// Shown large.
    pub title: String,
    /// What to look at, for the room.
    #[serde(default)]
    pub note: String,
    /// Performed in order.
    #[serde(default)]
    pub actions: Vec<StoryActionSpec>,
    /// The headline figures the note talks about (metric names).
    #[serde(default)]
    pub figures: Vec<String>,
    /// The charts that show it.
    #[serde(default)]
    pub charts: Vec<siloscope_model::story::Chart>,
}

/// A story action, as written.
#[derive(Clone, Debug, Deserialize)]
pub enum StoryActionSpec {
    /// Switch run A to a policy.
    Policy(String),
    /// Set knobs of run A.
    Set(OrderedMap<f32>),
    /// Run (or rewind) to a step.
    RunTo(u32),
    /// Compare with run B under a policy.
    Compare(String),
    /// Run A alone again.
    CompareOff,
    /// Frame a part, or `All`.
    Focus(siloscope_model::story::Focus),
    /// Make a mechanism stand out.
    Highlight(siloscope_model::story::Mechanism),
}

fn default_seed() -> u64 {
    1
}

fn default_steps() -> u32 {
    200
}

/// Caps that keep a hostile or mistaken file from exhausting memory.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct LimitsSpec {
    /// Most agents the organisation may have.
    pub max_agents: u64,
    /// Most directed ties the organisation may have.
    pub max_ties: u64,
}

impl Default for LimitsSpec {
    fn default() -> Self {
        Self {
            max_agents: 200_000,
            max_ties: 4_000_000,
        }
    }
}

/// One group of agents.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupSpec {
    /// Unique name; generated agents are called `"<name>#<i>"`.
    pub name: String,
    /// Which of the four parts the group belongs to.
    pub part: Part,
    /// For departments: what the department does.
    #[serde(default)]
    pub role: Option<Role>,
    /// How many agents to generate.
    pub count: u64,
    /// How the group's members are tied to each other.
    #[serde(default)]
    pub ties: Generator,
    /// For customers and prospects: the segment's mean needs.
    #[serde(default)]
    pub needs: Option<Vec<f32>>,
    /// For customers and prospects: spread of individual needs around the
    /// mean (uniform, ± this much).
    #[serde(default)]
    pub need_spread: Option<f32>,
    /// For existing customers: share that start as advocates.
    #[serde(default)]
    pub advocates: Option<f32>,
    /// For customers and prospects: the lifecycle state members start in.
    #[serde(default)]
    pub start: Option<Lifecycle>,
    /// For customers and prospects: revenue per active customer per step
    /// (the segment's ARPU).
    #[serde(default)]
    pub arpu: Option<f32>,
    /// For customers and prospects: newcomers per step as a share of the
    /// group (market turnover, with `model.trade_offs`).
    #[serde(default)]
    pub arrivals: Option<f32>,
    /// For departments and partners: staff time per member per step, in
    /// staff-handled contacts (else `model.staff_capacity`).
    #[serde(default)]
    pub capacity: Option<f32>,
}

/// Ties generated between two groups.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkSpec {
    /// Name of one group.
    pub from: String,
    /// Name of the other group.
    pub to: String,
    /// How many ties.
    pub ties: LinkTies,
    /// The channel of these ties when they are customer touchpoints.
    #[serde(default)]
    pub channel: Option<Channel>,
}

/// One agent named in the file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentSpec {
    /// Unique id (must not look like a generated `"<group>#<i>"` id).
    pub id: String,
    /// The group it joins.
    pub group: String,
    /// Its own needs (customers and prospects).
    #[serde(default)]
    pub needs: Option<Vec<f32>>,
    /// Its starting lifecycle state (customers and prospects).
    #[serde(default)]
    pub start: Option<Lifecycle>,
}

/// One tie named in the file (a relationship: trust flows both ways).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TieSpec {
    /// Agent id at one end.
    pub from: String,
    /// Agent id at the other end.
    pub to: String,
    /// Channel, when it is a customer touchpoint.
    #[serde(default)]
    pub channel: Option<Channel>,
}

/// The files an organisation is read from, named relative to the
/// scenario file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkSpec {
    /// A CSV of agents: `id,group`, then `part`, `role`, `start`, `needs`
    /// as wanted.
    #[serde(default)]
    pub agents: Option<String>,
    /// A CSV of ties: `from,to`, then `channel` as wanted.
    #[serde(default)]
    pub ties: Option<String>,
}

/// Overrides of one knob's catalogue entry; anything left out keeps the
/// catalogue's value.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnobOverride {
    /// Starting value.
    #[serde(default)]
    pub value: Option<f32>,
    /// Smallest value (not below the catalogue's hard minimum).
    #[serde(default)]
    pub min: Option<f32>,
    /// Largest value (not above the catalogue's hard maximum).
    #[serde(default)]
    pub max: Option<f32>,
    /// Slider step.
    #[serde(default)]
    pub step: Option<f32>,
    /// Unit label.
    #[serde(default)]
    pub unit: Option<String>,
    /// One-line description.
    #[serde(default)]
    pub description: Option<String>,
}

/// A policy defined or overridden in the file.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicySpec {
    /// A preset or earlier policy to start from.
    #[serde(default)]
    pub base: Option<String>,
    /// One line for the room.
    #[serde(default)]
    pub description: Option<String>,
    /// Knob values this policy sets.
    #[serde(default)]
    pub knobs: OrderedMap<f32>,
}

/// A scheduled change.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InterventionSpec {
    /// The step at whose start it takes effect.
    pub at: u32,
    /// What happens.
    pub action: ActionSpec,
}

/// What an intervention does.
#[derive(Clone, Debug, Deserialize)]
pub enum ActionSpec {
    /// Set knobs to values.
    Set(OrderedMap<f32>),
    /// Switch to a named policy.
    Policy(String),
    /// Run a campaign: extra reach per step for a number of steps.
    Campaign {
        /// Steps the campaign runs.
        duration: u32,
        /// Extra per-step chance of reaching an unaware prospect.
        reach: f32,
    },
}

/// A map that keeps its keys in file order and refuses duplicate keys
/// (a `BTreeMap` would keep the last of two and lose the first silently).
#[derive(Clone, Debug, PartialEq)]
pub struct OrderedMap<V>(pub Vec<(String, V)>);

impl<V> Default for OrderedMap<V> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<V> OrderedMap<V> {
    /// Iterate entries in file order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &V)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for OrderedMap<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MapVisitor<V>(PhantomData<V>);

        impl<'de, V: Deserialize<'de>> Visitor<'de> for MapVisitor<V> {
            type Value = OrderedMap<V>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map from names to values, like { \"name\": value }")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries: Vec<(String, V)> = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    if entries.iter().any(|(k, _)| *k == key) {
                        return Err(de::Error::custom(format_args!(
                            "duplicate key \"{key}\" (each may appear once)"
                        )));
                    }
                    let value = map.next_value()?;
                    entries.push((key, value));
                }
                Ok(OrderedMap(entries))
            }
        }

        deserializer.deserialize_map(MapVisitor(PhantomData))
    }
}
