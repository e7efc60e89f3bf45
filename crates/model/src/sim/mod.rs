//! The simulation: its state, how it starts, and where the rest lives.
//!
//! - `mod.rs` (here): [`Simulation`]'s state and [`Simulation::new`];
//! - `controls.rs`: knobs, policies and interventions set live;
//! - `inspect.rs`: reading the state, its size and its hash;
//! - `played.rs`: agents a person decides for, step by step;
//! - `step/`: the step, one file per mechanism (its `mod.rs` shows the
//!   phases; `docs/domain.md` says which file models which claim).
//!
//! A step runs in six phases — interventions, perception, delivery,
//! decisions, apply, forget and measure — each reading the state the
//! previous phases left and writing into buffers; every random draw comes
//! from the run's dynamics stream in a fixed order, so the same scenario
//! and seed give bit-identical runs. The mechanisms, with their knobs and
//! assumptions, are documented in their files under `step/`, in
//! `docs/domain.md` (claim → mechanism → file) and in `docs/model.md`
//! (equations and defaults).

mod activity;
mod attributes;
mod controls;
mod inspect;
pub mod played;
mod step;
mod tally;

use crate::agent::{Lifecycle, Needs, Source};
use crate::assumptions::ModelParams;
use crate::flow::{Backlogs, FlightQueue};
use crate::knob::{Knob, KnobValues};
use crate::metrics::{DepartmentFlows, StepReport, Totals};
use crate::network::{BuildError, Network};
use crate::rng::{SimRng, Stream};
use crate::scenario::{Generator, Scenario};
use crate::trust::{Evidence, NEUTRAL, TRUST_CLASSES};
use activity::BitSet;
pub use activity::Visits;
pub use played::{Decision, NeedChoice};
use std::sync::Arc;
use tally::Tally;

/// No channel used yet.
const NO_CHANNEL: u8 = u8::MAX;
/// No answer heard yet.
const NEVER: u32 = u32::MAX;

/// How to start a run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunOptions {
    /// The starting policy (else the scenario's).
    pub policy: Option<String>,
    /// The seed (else the scenario's).
    pub seed: Option<u64>,
    /// Record every item movement in [`StepReport::flows`] (for the app).
    pub record_flows: bool,
}

/// Why a simulation could not start or a control was refused.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SimError {
    /// The network could not be built.
    #[error(transparent)]
    Build(#[from] BuildError),
    /// An unknown policy.
    #[error("{0}")]
    UnknownPolicy(String),
    /// A knob value outside the scenario's range.
    #[error("{knob} = {value} is out of range; allowed {min} to {max}")]
    KnobOutOfRange {
        /// The knob.
        knob: Knob,
        /// The refused value.
        value: f32,
        /// Smallest allowed.
        min: f32,
        /// Largest allowed.
        max: f32,
    },
    /// A campaign that cannot run: no steps, or a reach outside 0 to 1.
    #[error(
        "a campaign needs a duration of at least 1 step and a reach from 0 to 1; got {duration} steps at reach {reach}"
    )]
    InvalidCampaign {
        /// The refused duration.
        duration: u32,
        /// The refused reach.
        reach: f32,
    },
    /// An intervention scheduled before the current step.
    #[error("cannot schedule at step {at}: the run is already at step {now}")]
    InThePast {
        /// The requested step.
        at: u32,
        /// The next step to compute.
        now: u32,
    },
    /// A decision the agent cannot make (`played.rs`).
    #[error("agent {agent} cannot decide that: {why}")]
    NotPlayable {
        /// The agent.
        agent: u32,
        /// Why not.
        why: String,
    },
}

/// One simulated organisation.
#[derive(Clone, Debug)]
pub struct Simulation {
    scenario: Scenario,
    seed: u64,
    policy: Option<String>,
    /// Shared between clones and runs on one network: it never changes
    /// once built.
    net: Arc<Network>,
    ev: Evidence,
    pair_count: [u64; TRUST_CLASSES],
    knobs: KnobValues,
    params: ModelParams,
    step: u32,
    rng: SimRng,
    state: Vec<u8>,
    next_state: Vec<u8>,
    needs: attributes::NeedTable,
    knowledge: Vec<f32>,
    relief: Vec<f32>,
    last_channel: Vec<u8>,
    source: Vec<u8>,
    persuasion: Vec<f32>,
    heard_back: Vec<u32>,
    sat: Vec<f32>,
    trust_org: Vec<f32>,
    group_needs: Vec<Needs>,
    offering: Needs,
    offering_changed: bool,
    campaigns: Vec<Campaign>,
    next_intervention: usize,
    queue: FlightQueue,
    /// Needs waiting for a staff member's time (with the trade-offs).
    backlogs: Backlogs,
    pending: Vec<PendingEvidence>,
    pulls: Vec<Needs>,
    exposures: Vec<u32>,
    live_changes: Vec<(Knob, f32)>,
    /// Played agents' decisions for the next step, by agent
    /// (`played.rs`).
    decisions: Vec<(u32, played::Decision)>,
    /// Prospects a played customer told this step, with how persuasive
    /// the teller is; exposed in phase 5.
    referred: Vec<(u32, f32)>,
    /// The peer ties word of mouth landed on this step, and whether the
    /// teller is an advocate (`step/word_of_mouth.rs`); kept to reuse its
    /// allocation.
    landed: Vec<(u32, bool)>,
    /// This step's referrers' peer ties and whether each is an advocate
    /// (`step/word_of_mouth.rs`); kept to reuse its allocation.
    tellers: Vec<(u32, u32, bool)>,
    /// Per group: fully mixed (`ties: Mixed`), and then the voice of its
    /// customers as a share of its members at the start of the step.
    mixed: Vec<bool>,
    mixed_voice: Vec<f32>,
    /// Per fully mixed group: the chance that none of its referring
    /// customers persuades a member, for a referral strength of 1 step
    /// (`Π (1 − q·w)`, kept as the counts of advocates and customers).
    mixed_referrers: Vec<Referrers>,
    /// Per agent: how many of its peers refer now (see
    /// `step/word_of_mouth.rs`), kept up to date as peers start and stop
    /// referring, so a prospect no peer talks to is not visited. Kept only
    /// while pooled word of mouth is on (`model.independent_referrals`
    /// under 1, which a run never changes); else always 0, and not held.
    peer_referrers: Vec<u32>,
    /// Per peer tie a→b, one bit: b refers now. An agent's ties are
    /// contiguous, so word of mouth finds its talking peers in a few
    /// words and reads nothing of the others. Kept and held with
    /// `peer_referrers`.
    talks: BitSet,
    /// Agents that referred peers when last counted.
    referring: BitSet,
    /// Agents whose referring may have changed since the last count: their
    /// lifecycle state changed, a newcomer took their slot, or their
    /// referral window closed (`step/word_of_mouth.rs`).
    recount: Vec<u32>,
    /// (step, agent): the step at which an agent's referral window closes,
    /// in step order (only with a window; an entry outlived by a later
    /// adoption is looked at and left as it is).
    window_closes: std::collections::VecDeque<(u32, u32)>,
    /// Agents at least one of whose peers refers now (kept with
    /// `peer_referrers`).
    hot: BitSet,
    /// Unaware prospects a referring peer told this step on its own
    /// (independent referrals, phase 4 only; see `step/word_of_mouth.rs`).
    told: BitSet,
    /// For each prospect in `told`: its trust in the most trusted peer
    /// who told it (read only while its bit is set).
    told_trust: Vec<f32>,
    /// Customer-part agents that are not unaware (`activity.rs`).
    awake: BitSet,
    /// Customer-part agents that are active customers (customers and
    /// advocates; `activity.rs`).
    active: BitSet,
    /// Customer-part agents that are awake but not active (aware,
    /// considering, churned, returning): `awake ∖ active`, kept with them,
    /// so that the decisions find them without a pass over every word of
    /// both (`activity.rs`).
    in_between: BitSet,
    /// Staff, and members of fully mixed groups: visited every step.
    always: BitSet,
    /// Agents a peer has relieved (relief above 0) since they arrived:
    /// perceived every step while awake (`activity.rs`).
    relieved: BitSet,
    /// Agents whose knowledge changed since their last perception.
    reperceive: BitSet,
    /// The offering and `personalisation` at the last perception phase:
    /// while they hold, an awake customer with no touchpoint, relief or
    /// new knowledge perceives what it perceived then (`activity.rs`).
    perceived_with: Option<(Needs, f32)>,
    /// The report's customer counts and sums, kept by changes
    /// (`tally.rs`).
    tally: Tally,
    /// Visit every awake customer in perception and decisions, passing
    /// over none (for tests: the runs must be the same bits).
    visit_everyone: bool,
    /// How many agents the last step perceived and let act.
    visits: Visits,
    /// Unaware prospects this step's campaign reaches (phase 4 only; see
    /// `step/word_of_mouth.rs`).
    reached: BitSet,
    /// This step's campaign reach (0 to 1), set at the start of phase 4.
    reach: f32,
    /// Agents whose lifecycle state changes this step, in index order.
    changed: Vec<u32>,
    /// Customer-part agents per part (they keep their slots).
    part_customers: [u32; 4],
    /// Step each agent last became an active customer (0 for those who
    /// start as one).
    adopted_at: Vec<u32>,
    /// Step the agent in each slot arrived in the market (0 for those
    /// there from the start; see `step/market.rs`). Held only with the
    /// trade-offs, whose market alone has newcomers ([`Self::arrival`]).
    arrived_at: Vec<u32>,
    /// What each active customer spends per step (`step/revenue.rs`).
    spend: Vec<f32>,
    /// Per group: revenue per active customer per step (its ARPU).
    group_arpu: Vec<f32>,
    /// Per group: newcomers per step as a share of the group.
    group_arrivals: Vec<f32>,
    /// Per group: staff time per member per step (0 for customer groups).
    group_capacity: Vec<f32>,
    /// Staff time each staff member and partner has left this step
    /// (`step/staff_time.rs`). Held only with the trade-offs: without them
    /// staff time is unlimited and never read.
    time_left: Vec<f32>,
    /// Contacts waiting for staff time, oldest first.
    waiting: Vec<Waiting>,
    record_flows: bool,
    department_flows: Vec<DepartmentFlows>,
    report: StepReport,
}

impl Simulation {
    /// Build the organisation of `scenario` and put it at step 0.
    pub fn new(scenario: &Scenario, options: RunOptions) -> Result<Simulation, SimError> {
        let seed = options.seed.unwrap_or(scenario.seed);
        let net = Network::build(scenario, seed)?;
        Simulation::on_network(scenario, Arc::new(net), options)
    }

    /// Start a run of `scenario` on a network already built for it (with
    /// [`Network::build`] on any seed), so that many runs share one graph:
    /// the run's seed then drives only its agents' attributes and its
    /// dynamics. `Simulation::new` is this on the network of the run's
    /// own seed.
    ///
    /// # Panics
    /// If `net` was not built for `scenario` (its agents' groups and parts
    /// differ).
    pub fn on_network(
        scenario: &Scenario,
        net: Arc<Network>,
        options: RunOptions,
    ) -> Result<Simulation, SimError> {
        assert!(
            net.agents() == scenario.agent_count() as usize
                && net.group_part.len() == scenario.groups.len()
                && scenario.groups.iter().enumerate().all(|(g, group)| {
                    // Groups are contiguous runs of agents.
                    let ends = [group.first, (group.first + group.size).max(1) - 1];
                    net.group_part[g] == group.part
                        && (group.size == 0
                            || ends.iter().all(|&a| net.group[a as usize] as usize == g))
                }),
            "the network was built for another scenario"
        );
        let seed = options.seed.unwrap_or(scenario.seed);
        let knobs = scenario
            .initial_knobs(options.policy.as_deref())
            .map_err(SimError::UnknownPolicy)?;
        let n = net.agents();
        let pair_count = net.class_ties;

        // Initial attributes come from their own stream so that changing
        // the dynamics never changes who the customers are.
        let start = attributes::Start::draw(scenario, &net, seed);
        let (state, awake) = (start.state, start.awake);
        let p = &scenario.model;
        // Per-agent state held only where the parameters, which a run
        // never changes, can use it (each read where it is not held is
        // guarded by the same parameter).
        let pooled = p.independent_referrals < 1.0;
        let max_delay = p.max_hops * (p.hop_delay + p.wall_delay) + 1;
        let groups = scenario.groups.len();
        let report = StepReport {
            department_flows: vec![DepartmentFlows::default(); groups],
            group_names: scenario.groups.iter().map(|g| g.name.clone()).collect(),
            group_parts: scenario.groups.iter().map(|g| g.part).collect(),
            segment_revenue: vec![0.0; groups],
            segment_customers: vec![0; groups],
            segment_churn: vec![0; groups],
            trade_offs: p.trade_offs,
            discount_rate: f64::from(p.discount_rate),
            totals: Totals {
                segment_churn: vec![0; groups],
                segment_customer_steps: vec![0; groups],
                ..Totals::default()
            },
            ..StepReport::default()
        };
        // The customers there from the start adopted at step 0.
        let window_closes = if p.referral_window > 0.0 {
            let closes = referral_window_steps(p.referral_window);
            (0..awake.words())
                .flat_map(|w| activity::ones(w, awake.word(w)))
                .filter(|&a| Lifecycle::from_u8(state[a as usize]).is_active_customer())
                .map(|a| (closes, a))
                .collect()
        } else {
            Default::default()
        };
        Ok(Simulation {
            seed,
            policy: options.policy.or_else(|| scenario.start_policy.clone()),
            ev: Evidence::new(net.ties()),
            pair_count,
            knobs,
            params: scenario.model.clone(),
            step: 0,
            rng: SimRng::new(seed, Stream::Dynamics),
            next_state: state.clone(),
            state,
            needs: start.needs,
            knowledge: vec![0.0; n],
            relief: vec![0.0; n],
            last_channel: vec![NO_CHANNEL; n],
            source: vec![Source::None as u8; n],
            persuasion: vec![0.0; n],
            heard_back: vec![NEVER; n],
            sat: vec![0.0; n],
            trust_org: vec![NEUTRAL; n],
            group_needs: scenario.groups.iter().map(|g| g.needs).collect(),
            offering: scenario.offering,
            offering_changed: false,
            campaigns: Vec::new(),
            next_intervention: 0,
            queue: FlightQueue::new(max_delay),
            // Needs wait in backlogs only with the trade-offs.
            backlogs: Backlogs::new(if p.trade_offs { n } else { 0 }, p.max_hops),
            pending: Vec::new(),
            pulls: Vec::new(),
            exposures: Vec::new(),
            live_changes: Vec::new(),
            decisions: Vec::new(),
            referred: Vec::new(),
            landed: Vec::new(),
            tellers: Vec::new(),
            mixed: scenario
                .groups
                .iter()
                .map(|g| g.generator == Generator::Mixed)
                .collect(),
            mixed_voice: vec![0.0; scenario.groups.len()],
            mixed_referrers: vec![Referrers::default(); scenario.groups.len()],
            peer_referrers: if pooled { vec![0; n] } else { Vec::new() },
            talks: BitSet::new(if pooled { net.ties() } else { 0 }),
            referring: BitSet::new(n),
            // Every customer who is not unaware is counted at the first step.
            recount: (0..awake.words())
                .flat_map(|w| activity::ones(w, awake.word(w)))
                .collect(),
            window_closes,
            hot: BitSet::summarised(n),
            told: BitSet::summarised(n),
            told_trust: vec![0.0; n],
            awake,
            active: start.active,
            in_between: start.in_between,
            always: start.always,
            relieved: BitSet::new(n),
            reperceive: BitSet::new(n),
            perceived_with: None,
            tally: start.tally,
            visit_everyone: false,
            visits: Visits::default(),
            reached: BitSet::summarised(n),
            reach: 0.0,
            changed: Vec::new(),
            part_customers: start.part_customers,
            adopted_at: vec![0; n],
            arrived_at: if p.trade_offs { vec![0; n] } else { Vec::new() },
            spend: start.spend,
            group_arpu: scenario
                .groups
                .iter()
                .map(|g| g.arpu * p.arpu_scale)
                .collect(),
            group_arrivals: scenario.groups.iter().map(|g| g.arrivals).collect(),
            group_capacity: scenario
                .groups
                .iter()
                .map(|g| {
                    if g.part.is_customer() {
                        0.0
                    } else {
                        g.capacity.unwrap_or(p.staff_capacity)
                    }
                })
                .collect(),
            time_left: if p.trade_offs {
                vec![0.0; n]
            } else {
                Vec::new()
            },
            waiting: Vec::new(),
            record_flows: options.record_flows,
            department_flows: vec![DepartmentFlows::default(); groups],
            report,
            net,
            scenario: scenario.clone(),
        })
    }
}

/// Steps a customer refers for under a referral window of `window` steps
/// (> 0): it refers while the steps since it adopted are under the window.
pub(in crate::sim) fn referral_window_steps(window: f32) -> u32 {
    window.ceil() as u32
}

/// Evidence waiting for phase 5 (apply), so every decision in a step reads
/// the trust at the start of the step.
#[derive(Clone, Copy, Debug, PartialEq)]
struct PendingEvidence {
    /// The directed tie it lands on.
    tie: u32,
    /// Positive evidence.
    positive: f32,
    /// Negative evidence.
    negative: f32,
}

/// A customer's contact waiting for a staff member's time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Waiting {
    /// The staff member (or partner) contacted.
    staff: u32,
    /// The customer.
    customer: u32,
    /// The touchpoint tie the contact came through.
    tie: u32,
    /// The step the contact was made.
    since: u32,
}

/// A campaign scheduled by an intervention.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Campaign {
    /// The first step it no longer runs.
    end: u32,
    /// Extra reach per step.
    reach: f32,
}

/// The customers of a fully mixed group who refer peers now, counted at
/// the start of the step.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Referrers {
    /// Advocates (a full voice each).
    advocates: u32,
    /// Other active customers (`model.customer_voice` each).
    customers: u32,
}
