//! Scenario files: parse RON text, validate it, and resolve it into a
//! [`Scenario`] the simulation can build from.
//!
//! One parse path serves every caller: the CLI, the batch runner and the
//! app's asset loader all call [`parse_str`] or [`parse_bytes`] with the
//! text and a file name for messages, and get the same errors. Nothing here
//! touches the file system.
//!
//! A scenario describes *an organisation and a starting point*: groups of
//! agents and how they are tied, the knob catalogue as this scenario wants
//! it, the policies on offer, scheduled interventions and the model's
//! assumptions. See `README.md` for an annotated example.

mod error;
pub mod format;
pub mod locate;
mod validate;

pub(crate) use error::write_lines;
pub use error::{ErrorKind, ScenarioError, ScenarioErrors};
pub use format::{Generator, LinkTies};
pub use locate::{FieldPath, Position};

use crate::agent::{Channel, Lifecycle, Needs, Part, Role};
use crate::knob::{Knob, KnobSpec, KnobValues};
use crate::model::ModelParams;
use crate::policy::Policy;
use serde::de::DeserializeOwned;

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
    pub story: Vec<crate::story::StoryStep>,
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

/// Parse and validate a scenario from RON text. `file` names the source in
/// error messages.
pub fn parse_str(src: &str, file: &str) -> Result<Scenario, ScenarioErrors> {
    let raw: format::ScenarioFile = from_ron(src, file)?;
    validate::validate(raw, src, file)
}

/// Parse and validate a scenario from bytes, which must be UTF-8.
pub fn parse_bytes(bytes: &[u8], file: &str) -> Result<Scenario, ScenarioErrors> {
    parse_str(utf8(bytes, file)?, file)
}

/// The bytes as text, or an error at the first byte that is not UTF-8. A
/// leading byte-order mark (Windows editors write one) is dropped.
pub fn utf8<'a>(bytes: &'a [u8], file: &str) -> Result<&'a str, ScenarioError> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let valid = e.valid_up_to();
        // The valid prefix is UTF-8, so positions can be counted in it.
        let prefix = std::str::from_utf8(&bytes[..valid]).unwrap_or("");
        let pos = Position::of_offset(prefix, valid);
        ScenarioError {
            file: file.to_owned(),
            line: pos.line,
            column: pos.column,
            path: String::new(),
            message: format!(
                "the file is not UTF-8 text (invalid byte 0x{:02x})",
                bytes[valid]
            ),
            kind: ErrorKind::Syntax,
        }
    })
}

/// Deserialize any RON document with this project's conventions
/// (`implicit_some`, recursion limit) and positioned, path-named errors.
pub fn from_ron<T: DeserializeOwned>(src: &str, file: &str) -> Result<T, ScenarioError> {
    let options = ron::Options::default()
        .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
        .with_recursion_limit(64);
    let error = |e: ron::error::SpannedError, path: String| {
        let kind = match e.code {
            ron::Error::InvalidValueForType { .. }
            | ron::Error::MissingStructField { .. }
            | ron::Error::NoSuchStructField { .. }
            | ron::Error::NoSuchEnumVariant { .. }
            | ron::Error::DuplicateStructField { .. }
            | ron::Error::ExpectedDifferentStructName { .. }
            | ron::Error::ExpectedDifferentLength { .. }
            | ron::Error::Message(_) => ErrorKind::Type,
            _ => ErrorKind::Syntax,
        };
        let mut message = describe_ron_error(&e.code);
        // A control character is invisible in an editor: name it.
        let at = Position {
            line: e.span.start.line,
            column: e.span.start.col,
        };
        let here = src[locate::offset_of(src, at).min(src.len())..]
            .chars()
            .next();
        if kind == ErrorKind::Syntax
            && let Some(c) = here.filter(|c| c.is_control() && !c.is_whitespace())
        {
            message.push_str(&format!(
                ", found the control character U+{:04X}",
                u32::from(c)
            ));
        }
        ScenarioError {
            file: file.to_owned(),
            line: at.line,
            column: at.column,
            path,
            message,
            kind,
        }
    };
    if locate::is_blank(src) {
        return Err(ScenarioError {
            file: file.to_owned(),
            line: 1,
            column: 1,
            path: String::new(),
            message: "the file is empty (or only comments); expected a RON document such as `Scenario(name: \"…\", groups: [...])`".to_owned(),
            kind: ErrorKind::Syntax,
        });
    }
    let mut de = ron::Deserializer::from_str_with_options(src, &options)
        .map_err(|e| error(e, String::new()))?;
    match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Ok(value) => {
            de.end()
                .map_err(|e| error(de.span_error(e), String::new()))?;
            Ok(value)
        }
        Err(err) => {
            let path = err.path().to_string();
            // `?` stands for a field whose name was not read yet (a syntax
            // error where a field belongs): name its parent instead.
            let path = path.strip_suffix('?').unwrap_or(&path);
            let path = path.strip_suffix('.').unwrap_or(path);
            let path = path.to_owned();
            let code = err.into_inner();
            let relocate = is_value_type_error(&code);
            let mut e = error(de.span_error(code), path.clone());
            // ron reports a wrongly typed value where it stopped reading,
            // often past its end; point at the value itself and show it.
            if relocate
                && !path.is_empty()
                && let Some(pos) = locate::locate(src, &FieldPath::parse(&path))
            {
                e.line = pos.line;
                e.column = pos.column;
                let found = locate::token_at(src, locate::offset_of(src, pos));
                if !found.is_empty() && !e.message.contains("found") {
                    e.message = format!("{}, found {found}", e.message);
                }
            }
            Err(e)
        }
    }
}

/// Whether a ron error says a whole value had the wrong type (rather than
/// a character being out of place).
fn is_value_type_error(code: &ron::Error) -> bool {
    use ron::Error as E;
    matches!(
        code,
        E::ExpectedInteger
            | E::ExpectedFloat
            | E::ExpectedString
            | E::ExpectedBoolean
            | E::ExpectedChar
            | E::ExpectedArray
            | E::ExpectedMap
            | E::ExpectedOption
            | E::ExpectedUnit
            | E::ExpectedStructLike
            | E::ExpectedNamedStructLike(_)
            | E::ExpectedIdentifier
            | E::IntegerOutOfBounds
            | E::InvalidValueForType { .. }
            | E::ExpectedDifferentLength { .. }
    )
}

/// ron's message for an error, lower-cased at the start to read as the tail
/// of `file:line:col: path: message`.
fn describe_ron_error(code: &ron::Error) -> String {
    // Rust type names (`GroupSpec`) mean nothing to an analyst: say what
    // is missing or unknown, and what is allowed.
    let one_of = |names: &[&str]| {
        names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let text = match code {
        ron::Error::InvalidValueForType { expected, found } => {
            format!("expected {expected}, found {found}")
        }
        ron::Error::MissingStructField { field, .. } => format!("missing field `{field}`"),
        ron::Error::NoSuchStructField {
            expected, found, ..
        } => {
            format!(
                "unknown field `{found}`; expected one of {}",
                one_of(expected)
            )
        }
        ron::Error::NoSuchEnumVariant {
            expected, found, ..
        } => {
            format!(
                "unknown variant `{found}`; expected one of {}",
                one_of(expected)
            )
        }
        other => other.to_string(),
    };
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => text,
    }
}
