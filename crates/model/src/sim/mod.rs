//! The simulation: state, the step in explicit phases, and the controls the
//! app and the CLI use.
//!
//! A step `t` runs in six phases, each computing from the state the
//! previous phases left and writing into buffers, so the result never
//! depends on the order agents are visited in beyond the fixed index order
//! of RNG draws:
//!
//! 1. **Interventions** scheduled at `t`, then live knob changes, apply.
//! 2. **Perception**: each customer's satisfaction and trust in the
//!    organisation are computed from the state at the start of the step.
//! 3. **Delivery**: needs and answers due at `t` arrive; needs hop on toward
//!    Product (or stop at a wall), reach Product (the offering moves, an
//!    answer may be sent), answers close loops.
//! 4. **Decisions**: every agent acts, reading only the start-of-step state
//!    and writing evidence, lifecycle changes and new items to buffers.
//! 5. **Apply**: evidence is added to ties, lifecycle states switch, the
//!    offering moves toward the needs that reached Product.
//! 6. **Forget and measure**: all evidence decays by λ, and the step report
//!    is filled.
//!
//! Every random draw comes from the run's dynamics stream in that order, so
//! the same scenario and seed give bit-identical runs. The mechanisms, with
//! their knobs and assumptions, are documented on the functions that
//! implement them and in `docs/model.md`.

use crate::agent::{Lifecycle, NEED_DIMS, Needs, Part, Role, Source};
use crate::assumptions::ModelParams;
use crate::flow::{FlightQueue, FlowEvent, FlowKind, Item};
use crate::knob::{Knob, KnobValues};
use crate::lifecycle;
use crate::metrics::{StepReport, Totals};
use crate::network::{BuildError, NO_TIE, Network, TieKind};
use crate::rng::{SimRng, Stream};
use crate::scenario::{Action, Intervention, Scenario};
use crate::trust::{Evidence, NEUTRAL, TRUST_CLASSES, WALL_CLASS};

/// No channel used yet.
const NO_CHANNEL: u8 = u8::MAX;
/// No answer heard yet.
const NEVER: u32 = u32::MAX;
/// Steps after an answer during which a churned customer is more open to
/// returning.
const ANSWER_MEMORY: u32 = 4;
/// A peer helps only if at least this satisfied themselves.
const HELPER_SATISFACTION: f32 = 0.5;

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
}

/// One simulated organisation.
#[derive(Clone, Debug)]
pub struct Simulation {
    scenario: Scenario,
    seed: u64,
    policy: Option<String>,
    net: Network,
    ev: Evidence,
    pair_count: [u64; TRUST_CLASSES],
    knobs: KnobValues,
    params: ModelParams,
    step: u32,
    rng: SimRng,
    state: Vec<u8>,
    next_state: Vec<u8>,
    needs: Vec<Needs>,
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
    campaigns: Vec<(u32, f32)>,
    next_intervention: usize,
    queue: FlightQueue,
    pending: Vec<(u32, f32, f32)>,
    pulls: Vec<Needs>,
    exposures: Vec<u32>,
    live_changes: Vec<(Knob, f32)>,
    /// Per group: fully mixed (`ties: Mixed`), and then the voice of its
    /// customers as a share of its members at the start of the step.
    mixed: Vec<bool>,
    mixed_voice: Vec<f32>,
    /// Per fully mixed group: the chance that none of its referring
    /// customers persuades a member, for a referral strength of 1 step
    /// (`Π (1 − q·w)`, kept as the counts of advocates and customers).
    mixed_referrers: Vec<(u32, u32)>,
    /// Step each agent last became an active customer (0 for those who
    /// start as one).
    adopted_at: Vec<u32>,
    record_flows: bool,
    department_flows: Vec<(u64, u64)>,
    report: StepReport,
}

impl Simulation {
    /// Build the organisation of `scenario` and put it at step 0.
    pub fn new(scenario: &Scenario, options: RunOptions) -> Result<Simulation, SimError> {
        let seed = options.seed.unwrap_or(scenario.seed);
        let knobs = scenario
            .initial_knobs(options.policy.as_deref())
            .map_err(SimError::UnknownPolicy)?;
        let net = Network::build(scenario, seed)?;
        let n = net.agents();
        let mut pair_count = [0u64; TRUST_CLASSES];
        for &p in &net.trust_class {
            pair_count[p as usize] += 1;
        }

        // Initial attributes come from their own stream so that changing
        // the dynamics never changes who the customers are.
        let mut rng = SimRng::new(seed, Stream::Agents);
        let mut state = vec![0u8; n];
        let mut needs = vec![[0.0; NEED_DIMS]; n];
        for g in &scenario.groups {
            if !g.part.is_customer() {
                continue;
            }
            for a in g.first..g.first + g.size {
                let mut v = g.needs;
                for x in &mut v {
                    *x = (*x + g.need_spread * (2.0 * rng.unit() - 1.0)).clamp(0.0, 1.0);
                }
                needs[a as usize] = v;
                let mut s = g.start;
                if s == Lifecycle::Customer && rng.chance(g.advocates) {
                    s = Lifecycle::Advocate;
                }
                state[a as usize] = s as u8;
            }
        }
        for a in &scenario.named_agents {
            if let Some(v) = a.needs {
                needs[a.index as usize] = v;
            }
            if let Some(s) = a.start {
                state[a.index as usize] = s as u8;
            }
        }
        let p = &scenario.model;
        let max_delay = p.max_hops * (p.hop_delay + p.wall_delay) + 1;
        let groups = scenario.groups.len();
        let report = StepReport {
            department_flows: vec![(0, 0); groups],
            group_names: scenario
                .groups
                .iter()
                .map(|g| {
                    if g.part == Part::Department {
                        g.name.clone()
                    } else {
                        String::new()
                    }
                })
                .collect(),
            ..StepReport::default()
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
            needs,
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
            pending: Vec::new(),
            pulls: Vec::new(),
            exposures: Vec::new(),
            live_changes: Vec::new(),
            mixed: scenario
                .groups
                .iter()
                .map(|g| g.generator == crate::scenario::Generator::Mixed)
                .collect(),
            mixed_voice: vec![0.0; scenario.groups.len()],
            mixed_referrers: vec![(0, 0); scenario.groups.len()],
            adopted_at: vec![0; n],
            record_flows: options.record_flows,
            department_flows: vec![(0, 0); groups],
            report,
            net,
            scenario: scenario.clone(),
        })
    }

    // ----- controls -------------------------------------------------------

    /// Set a knob; it takes effect from the next step and is marked in that
    /// step's report. Refused outside the scenario's range.
    pub fn set_knob(&mut self, knob: Knob, value: f32) -> Result<(), SimError> {
        self.check_knob(knob, value)?;
        self.knobs.set(knob, value);
        self.live_changes.push((knob, value));
        Ok(())
    }

    /// Switch to a policy the scenario offers, from the next step.
    pub fn apply_policy(&mut self, name: &str) -> Result<(), SimError> {
        let policy = self
            .scenario
            .policy(name)
            .cloned()
            .ok_or_else(|| self.unknown_policy(name))?;
        for (k, v) in policy.values {
            self.knobs.set(k, v);
            self.live_changes.push((k, v));
        }
        self.policy = Some(name.to_owned());
        Ok(())
    }

    /// Schedule an intervention live. It must not lie in the past
    /// (`at >= step_index()`); within its step it runs after the ones the
    /// scenario scheduled. A policy must exist and knob values must be in
    /// range.
    pub fn schedule(&mut self, iv: Intervention) -> Result<(), SimError> {
        if iv.at < self.step {
            return Err(SimError::InThePast {
                at: iv.at,
                now: self.step,
            });
        }
        match &iv.action {
            Action::Set(values) => {
                for &(knob, value) in values {
                    self.check_knob(knob, value)?;
                }
            }
            Action::Policy(name) => {
                if self.scenario.policy(name).is_none() {
                    return Err(self.unknown_policy(name));
                }
            }
            &Action::Campaign { duration, reach } => {
                if duration == 0 || !(0.0..=1.0).contains(&reach) {
                    return Err(SimError::InvalidCampaign { duration, reach });
                }
            }
        }
        let ivs = &mut self.scenario.interventions;
        let at = ivs.partition_point(|other| other.at <= iv.at);
        ivs.insert(at.max(self.next_intervention), iv);
        Ok(())
    }

    /// `Ok` if `value` is within the scenario's range for `knob`.
    fn check_knob(&self, knob: Knob, value: f32) -> Result<(), SimError> {
        let spec = self.scenario.knob_spec(knob);
        if value >= spec.min && value <= spec.max {
            Ok(())
        } else {
            Err(SimError::KnobOutOfRange {
                knob,
                value,
                min: spec.min,
                max: spec.max,
            })
        }
    }

    fn unknown_policy(&self, name: &str) -> SimError {
        SimError::UnknownPolicy(format!(
            "unknown policy \"{name}\"; this scenario offers: {}",
            self.scenario.policy_names().join(", ")
        ))
    }

    /// Record item movements in each report's `flows` (or stop).
    pub fn set_record_flows(&mut self, on: bool) {
        self.record_flows = on;
    }

    // ----- state ----------------------------------------------------------

    /// The next step to compute (= steps computed so far).
    pub fn step_index(&self) -> u32 {
        self.step
    }

    /// The scenario this run was built from.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The run's seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The policy last applied by name, if any.
    pub fn policy(&self) -> Option<&str> {
        self.policy.as_deref()
    }

    /// Current knob values.
    pub fn knobs(&self) -> &KnobValues {
        &self.knobs
    }

    /// The organisation's graph.
    pub fn network(&self) -> &Network {
        &self.net
    }

    /// Trust on directed tie `t`.
    pub fn trust(&self, t: usize) -> f32 {
        self.ev.trust(t)
    }

    /// Evidence `(r, s)` on tie `t`.
    pub fn evidence(&self, t: usize) -> (f32, f32) {
        (self.ev.positive()[t], self.ev.negative()[t])
    }

    /// Lifecycle state of a customer-part agent (`None` for staff and
    /// partners).
    pub fn lifecycle(&self, agent: u32) -> Option<Lifecycle> {
        self.net.part[agent as usize]
            .is_customer()
            .then(|| Lifecycle::from_u8(self.state[agent as usize]))
    }

    /// An agent's needs (zero for staff and partners).
    pub fn needs(&self, agent: u32) -> Needs {
        self.needs[agent as usize]
    }

    /// How much the organisation knows about a customer, in `[0, 1]`.
    pub fn knowledge(&self, agent: u32) -> f32 {
        self.knowledge[agent as usize]
    }

    /// A customer's satisfaction at the start of the last step.
    pub fn satisfaction(&self, agent: u32) -> f32 {
        self.sat[agent as usize]
    }

    /// A customer's mean trust in the organisation at the start of the last
    /// step.
    pub fn trust_in_org(&self, agent: u32) -> f32 {
        self.trust_org[agent as usize]
    }

    /// How a customer first heard of the organisation.
    pub fn source(&self, agent: u32) -> Source {
        match self.source[agent as usize] {
            1 => Source::WordOfMouth,
            2 => Source::Campaign,
            _ => Source::None,
        }
    }

    /// The organisation's current offering.
    pub fn offering(&self) -> Needs {
        self.offering
    }

    /// The last step's report.
    pub fn report(&self) -> &StepReport {
        &self.report
    }

    /// Totals since step 0.
    pub fn totals(&self) -> &Totals {
        &self.report.totals
    }

    /// Bytes held by the simulation's state (network, evidence, agents,
    /// queue), measured from capacities.
    pub fn heap_bytes(&self) -> usize {
        fn v<T>(x: &Vec<T>) -> usize {
            x.capacity() * std::mem::size_of::<T>()
        }
        self.net.heap_bytes()
            + self.ev.heap_bytes()
            + self.queue.heap_bytes()
            + v(&self.state)
            + v(&self.next_state)
            + v(&self.needs)
            + v(&self.knowledge)
            + v(&self.relief)
            + v(&self.last_channel)
            + v(&self.source)
            + v(&self.persuasion)
            + v(&self.heard_back)
            + v(&self.sat)
            + v(&self.trust_org)
            + v(&self.pending)
            + v(&self.pulls)
            + v(&self.exposures)
            + v(&self.report.flows)
    }

    /// A hash of the whole dynamic state (FNV-1a over the bits of every
    /// state array, the offering and the totals), for determinism checks.
    pub fn state_hash(&self) -> u64 {
        let mut h = Fnv::new();
        h.u32(self.step);
        h.bytes(&self.state);
        for x in self
            .ev
            .positive()
            .iter()
            .chain(self.ev.negative())
            .chain(&self.knowledge)
            .chain(&self.relief)
        {
            h.u32(x.to_bits());
        }
        for x in self.offering {
            h.u32(x.to_bits());
        }
        h.bytes(&self.source);
        h.bytes(&self.last_channel);
        let t = &self.report.totals;
        for x in [
            t.needs_raised,
            t.needs_reached,
            t.loops_closed,
            t.acquisitions_word_of_mouth,
            t.acquisitions_campaign,
            t.churn,
            t.returns,
            t.flows_internal,
            t.flows_external,
            t.cost.to_bits(),
            t.savings.to_bits(),
        ] {
            h.u64(x);
        }
        h.u64(self.queue.len() as u64);
        h.finish()
    }

    // ----- the step ---------------------------------------------------------

    /// Compute one step and return its report.
    pub fn step(&mut self) -> &StepReport {
        let t = self.step;
        self.report.reset(t);
        self.apply_interventions(t);
        self.perceive();
        self.deliver(t);
        self.decide(t);
        self.apply();
        self.forget_and_measure();
        self.step += 1;
        &self.report
    }

    /// Run `steps` steps, calling `on_step` after each.
    pub fn run(&mut self, steps: u32, mut on_step: impl FnMut(&StepReport)) {
        for _ in 0..steps {
            on_step(self.step());
        }
    }

    /// Phase 1: scheduled interventions at `t`, then live changes.
    fn apply_interventions(&mut self, t: u32) {
        let ivs = &self.scenario.interventions;
        while self.next_intervention < ivs.len() && ivs[self.next_intervention].at <= t {
            let iv = &ivs[self.next_intervention];
            self.next_intervention += 1;
            if iv.at < t {
                continue;
            }
            match &iv.action {
                Action::Set(values) => {
                    for &(k, v) in values {
                        self.knobs.set(k, v);
                        self.report.knob_changes.push((k, v));
                    }
                }
                Action::Policy(name) => {
                    if let Some(p) = self.scenario.policy(name) {
                        for &(k, v) in &p.values {
                            self.knobs.set(k, v);
                            self.report.knob_changes.push((k, v));
                        }
                        self.policy = Some(name.clone());
                    }
                }
                Action::Campaign { duration, reach } => {
                    self.campaigns.push((t.saturating_add(*duration), *reach));
                }
            }
        }
        self.report.knob_changes.append(&mut self.live_changes);
        self.campaigns.retain(|&(end, _)| end > t);
    }

    /// Phase 2: satisfaction and trust in the organisation, per customer.
    fn perceive(&mut self) {
        self.mix();
        let personalisation = self.knobs.get(Knob::Personalisation);
        let p = &self.params;
        for a in 0..self.net.agents() {
            if !self.net.part[a].is_customer() {
                continue;
            }
            self.sat[a] = lifecycle::satisfaction(
                &self.offering,
                &self.needs[a],
                self.knowledge[a],
                personalisation,
                self.relief[a],
                p.gap_sensitivity,
            );
            self.relief[a] *= p.relief_decay;
            let ties = self.net.ties_of_kind(a as u32, TieKind::Touchpoint);
            self.trust_org[a] = if ties.is_empty() {
                NEUTRAL
            } else {
                let n = ties.len() as f32;
                self.ev.settled()[ties].iter().sum::<f32>() / n
            };
        }
    }

    /// Chance that a staff member is too stretched to respond this step.
    fn busy_chance(&self) -> f32 {
        self.knobs.get(Knob::EfficiencyPressure) * self.params.responsiveness_cut
    }

    fn flow(&mut self, from: u32, to: u32, kind: FlowKind, passed: bool) {
        if self.record_flows {
            self.report.flows.push(FlowEvent {
                from,
                to,
                kind,
                passed,
            });
        }
    }

    fn is_product(&self, a: u32) -> bool {
        self.net.part[a as usize] == Part::Department && self.net.role_of(a) == Role::Product
    }

    /// Phase 3: needs and answers due at `t` arrive.
    fn deliver(&mut self, t: u32) {
        let items = self.queue.take(t);
        for item in &items {
            match item.kind {
                FlowKind::Need => self.need_arrives(t, *item),
                FlowKind::Answer => self.answer_arrives(t, *item),
                _ => {}
            }
        }
        self.queue.give_back(t, items);
    }

    /// A need arrives at a staff member or partner: Product takes it in,
    /// anyone else passes it one hop along the route to Product. Crossing a
    /// wall succeeds with probability `silo_permeability`; a stretched staff
    /// member (efficiency pressure) holds it a step.
    fn need_arrives(&mut self, t: u32, item: Item) {
        let p = &self.params;
        let (hop_delay, wall_delay, max_hops) = (p.hop_delay, p.wall_delay, p.max_hops);
        let v = item.at;
        if self.is_product(v) {
            self.need_reaches_product(t, item);
            return;
        }
        if u32::from(item.hops) >= max_hops {
            self.report.needs_dropped += 1;
            return;
        }
        if self.rng.chance(self.busy_chance()) {
            let held = Item {
                hops: item.hops + 1,
                ..item
            };
            self.queue.push(t, t + 1, held);
            return;
        }
        let r = self.net.route[v as usize];
        if r == NO_TIE {
            self.report.needs_dropped += 1;
            return;
        }
        self.report.cost_staff += f64::from(self.params.cost_need_hop);
        let w = self.net.target[r as usize];
        let wall = self.net.kind_of(r as usize) == TieKind::Wall;
        if wall && !self.rng.chance(self.knobs.get(Knob::SiloPermeability)) {
            self.report.needs_blocked += 1;
            self.flow(v, w, FlowKind::Need, false);
            return;
        }
        self.flow(v, w, FlowKind::Need, true);
        let due = t + hop_delay + if wall { wall_delay } else { 0 };
        let next = Item {
            at: w,
            hops: item.hops + 1,
            walls: item.walls + u16::from(wall),
            ..item
        };
        self.queue.push(t, due, next);
    }

    /// The feedback loop, inward half: the offering moves toward the need,
    /// the organisation learns about this customer, and with probability
    /// `transparency` (less when stretched) it answers. The answer must
    /// cross the same walls back.
    fn need_reaches_product(&mut self, t: u32, item: Item) {
        let c = item.origin as usize;
        self.report.needs_reached += 1;
        self.report.need_latency_sum += u64::from(t - item.created);
        self.pulls.push(self.needs[c]);
        self.knowledge[c] += self.params.knowledge_gain * (1.0 - self.knowledge[c]);
        let answer = self.knobs.get(Knob::Transparency) * (1.0 - self.busy_chance());
        if !self.rng.chance(answer) {
            return;
        }
        let permeability = self.knobs.get(Knob::SiloPermeability);
        for _ in 0..item.walls {
            if !self.rng.chance(permeability) {
                self.report.flows_blocked += 1;
                return;
            }
        }
        let p = &self.params;
        let delay =
            (u32::from(item.hops) * p.hop_delay + u32::from(item.walls) * p.wall_delay).max(1);
        let back = Item {
            kind: FlowKind::Answer,
            at: item.origin,
            ..item
        };
        self.queue.push(t, t + delay, back);
    }

    /// The feedback loop closes: positive evidence on the customer's tie to
    /// the touchpoint the need entered through (or spread over all its
    /// touchpoints when it came through the extranet).
    fn answer_arrives(&mut self, t: u32, item: Item) {
        let c = item.origin;
        self.report.loops_closed += 1;
        self.report.loop_time_sum += u64::from(t - item.created);
        self.heard_back[c as usize] = t;
        let w = self.params.w_answer;
        if item.entry_tie != NO_TIE {
            self.pending.push((item.entry_tie, w, 0.0));
            let from = self.net.target[item.entry_tie as usize];
            self.flow(from, c, FlowKind::Answer, true);
        } else {
            let ties = self.net.ties_of_kind(c, TieKind::Touchpoint);
            let share = w / ties.len().max(1) as f32;
            for tie in ties {
                self.pending.push((tie as u32, share, 0.0));
            }
        }
    }

    /// Phase 4: every agent acts on the start-of-step state.
    fn decide(&mut self, t: u32) {
        for a in 0..self.net.agents() as u32 {
            match self.net.part[a as usize] {
                Part::Department => self.staff_acts(a),
                Part::Partner => {}
                Part::ExistingCustomer | Part::NewCustomer => self.customer_acts(t, a),
            }
        }
    }

    /// Add evidence to a tie (buffered until phase 5).
    #[inline]
    fn add_evidence(&mut self, tie: usize, positive: f32, negative: f32) {
        self.pending.push((tie as u32, positive, negative));
    }

    /// Both directions of a relationship get the same evidence.
    #[inline]
    fn mutual(&mut self, tie: usize, positive: f32) {
        self.add_evidence(tie, positive, 0.0);
        let back = self.net.reverse[tie];
        if back != NO_TIE {
            self.add_evidence(back as usize, positive, 0.0);
        }
    }

    /// A random tie from a range, if it is not empty.
    #[inline]
    fn pick(&mut self, ties: std::ops::Range<usize>) -> Option<usize> {
        (!ties.is_empty()).then(|| ties.start + self.rng.below(ties.len() as u32) as usize)
    }

    /// A staff member shares with a colleague (a wall passes it with
    /// probability `silo_permeability`), shares with a partner
    /// (`transparency`), and does their role's pushing: Marketing pushes
    /// messages (`marketing_push`), Sales makes offers
    /// (`cross_sell_pressure`).
    fn staff_acts(&mut self, s: u32) {
        let p = &self.params;
        let (share_rate, w_share, w_push, push_match) =
            (p.share_rate, p.w_share, p.w_push, p.push_match);
        if self.rng.chance(share_rate)
            && let Some(t) = self.pick(self.net.ties_of_kinds(s, TieKind::Internal, TieKind::Wall))
        {
            let other = self.net.target[t];
            let (gs, go) = (
                self.net.group[s as usize] as usize,
                self.net.group[other as usize] as usize,
            );
            if self.net.kind_of(t) == TieKind::Internal {
                self.report.flows_internal += 1;
                self.department_flows[gs].1 += 1;
                self.mutual(t, w_share);
                self.flow(s, other, FlowKind::Internal, true);
            } else if self.rng.chance(self.knobs.get(Knob::SiloPermeability)) {
                self.report.flows_external += 1;
                self.department_flows[gs].0 += 1;
                self.department_flows[go].0 += 1;
                self.mutual(t, w_share);
                self.flow(s, other, FlowKind::Internal, true);
            } else {
                self.report.flows_blocked += 1;
                self.flow(s, other, FlowKind::Internal, false);
            }
        }
        if self
            .rng
            .chance(share_rate * self.knobs.get(Knob::Transparency))
            && let Some(t) = self.pick(self.net.ties_of_kind(s, TieKind::Partner))
        {
            self.mutual(t, w_share);
            let other = self.net.target[t];
            self.flow(s, other, FlowKind::Internal, true);
        }
        let (knob, kind) = match self.net.role_of(s) {
            Role::Marketing => (Knob::MarketingPush, FlowKind::Push),
            Role::Sales => (Knob::CrossSellPressure, FlowKind::CrossSell),
            _ => return,
        };
        if !self.rng.chance(self.knobs.get(knob)) {
            return;
        }
        let Some(t) = self.pick(self.net.ties_of_kind(s, TieKind::Touchpoint)) else {
            return;
        };
        let c = self.net.target[t];
        let state = Lifecycle::from_u8(self.state[c as usize]);
        if kind == FlowKind::CrossSell && !state.is_active_customer() {
            return;
        }
        self.report.cost_push += f64::from(self.params.cost_push);
        if kind == FlowKind::Push {
            self.report.pushes += 1;
            if state == Lifecycle::Unaware {
                self.exposures.push(c);
            }
        } else {
            self.report.cross_sells += 1;
        }
        // A push or offer that matches the need is welcome; one that does
        // not is noise for the organisation's gain (seed 002). A push
        // promotes the offering; a cross-sell offer is whatever else the
        // organisation wants to sell: a random point of the need space.
        let pitch = if kind == FlowKind::Push {
            self.offering
        } else {
            std::array::from_fn(|_| self.rng.unit())
        };
        let fit = 1.0 - crate::agent::need_gap(&self.needs[c as usize], &pitch);
        let back = self.net.reverse[t];
        if back != NO_TIE {
            if fit >= push_match {
                self.add_evidence(back as usize, 0.5 * w_push, 0.0);
            } else {
                self.add_evidence(back as usize, 0.0, w_push);
            }
        }
        self.flow(s, c, kind, true);
    }

    /// The voice of each fully mixed group's customers, from the states at
    /// the start of the step: advocates count 1, customers
    /// `model.customer_voice`, over the group's size.
    fn mix(&mut self) {
        if !self.mixed.contains(&true) {
            return;
        }
        let voice = self.params.customer_voice;
        for (g, group) in self.scenario.groups.iter().enumerate() {
            if !self.mixed[g] || group.size == 0 {
                continue;
            }
            let (mut advocates, mut customers) = (0u32, 0u32);
            for a in group.first..group.first + group.size {
                match self.referrer(a) {
                    Some(Lifecycle::Advocate) => advocates += 1,
                    Some(_) => customers += 1,
                    None => {}
                }
            }
            self.mixed_voice[g] = (advocates as f32 + voice * customers as f32) / group.size as f32;
            self.mixed_referrers[g] = (advocates, customers);
        }
    }

    /// An agent's lifecycle state if it refers peers now: an active
    /// customer within `model.referral_window` steps of becoming one.
    #[inline]
    fn referrer(&self, a: u32) -> Option<Lifecycle> {
        let state = Lifecycle::from_u8(self.state[a as usize]);
        if !state.is_active_customer() {
            return None;
        }
        let window = self.params.referral_window;
        (window <= 0.0 || ((self.step - self.adopted_at[a as usize]) as f32) < window)
            .then_some(state)
    }

    /// The chance per step that word of mouth exposes prospect `c`, and its
    /// trust in its most trusted referring peer.
    fn referral_chance(&self, c: u32) -> (f32, f32) {
        let q = self.knobs.get(Knob::ReferralStrength);
        let (x, best, none) = self.word_of_mouth(c, q);
        let b = self.params.independent_referrals;
        let wom = if b > 0.0 {
            (1.0 - b) * q * x + b * (1.0 - none)
        } else {
            q * x
        };
        (wom, best)
    }

    /// Trust-weighted share of an agent's peers who refer (customers, see
    /// [`Self::referrer`]), its trust in the most trusted of them
    /// (word-of-mouth pressure), and, when referrals are independent, the
    /// chance that none of them persuades it at strength `q`. In a fully
    /// mixed group, the group's share, heard at neutral trust.
    fn word_of_mouth(&self, c: u32, q: f32) -> (f32, f32, f32) {
        let g = self.net.group[c as usize] as usize;
        let voice = self.params.customer_voice;
        let independent = self.params.independent_referrals > 0.0;
        if self.mixed[g] {
            let none = if independent {
                let (advocates, customers) = self.mixed_referrers[g];
                (1.0 - q).clamp(0.0, 1.0).powi(advocates as i32)
                    * (1.0 - q * voice).clamp(0.0, 1.0).powi(customers as i32)
            } else {
                1.0
            };
            return (self.mixed_voice[g], NEUTRAL, none);
        }
        let ties = self.net.ties_of_kind(c, TieKind::Peer);
        if ties.is_empty() {
            return (0.0, 0.0, 1.0);
        }
        let n = ties.len() as f32;
        let (mut x, mut best, mut none) = (0.0f32, 0.0f32, 1.0f32);
        let settled = &self.ev.settled()[ties.clone()];
        for (t, &trust) in ties.zip(settled) {
            let w = match self.referrer(self.net.target[t]) {
                Some(Lifecycle::Advocate) => 1.0,
                Some(_) => voice,
                None => continue,
            };
            let w = w * trust / NEUTRAL;
            x += w;
            best = best.max(trust);
            if independent {
                none *= (1.0 - q * w).clamp(0.0, 1.0);
            }
        }
        (x / n, best, none)
    }

    /// Where an exposed prospect goes: a customer at once with probability
    /// `model.instant_adoption` (counted as an acquisition by its source),
    /// otherwise aware.
    fn exposed(&mut self, by_campaign: bool) -> Lifecycle {
        if self.rng.chance(self.params.instant_adoption) {
            if by_campaign {
                self.report.acquisitions_campaign += 1;
            } else {
                self.report.acquisitions_word_of_mouth += 1;
            }
            Lifecycle::Customer
        } else {
            Lifecycle::Aware
        }
    }

    /// A customer or prospect acts according to their lifecycle state.
    fn customer_acts(&mut self, t: u32, c: u32) {
        let ci = c as usize;
        let state = Lifecycle::from_u8(self.state[ci]);
        let sat = self.sat[ci];
        let trust_org = self.trust_org[ci];
        let next = match state {
            Lifecycle::Customer | Lifecycle::Advocate => {
                self.contact(t, c);
                self.ask_peer(c);
                if self.offering_changed
                    && self.rng.chance(
                        self.knobs.get(Knob::ExtranetOpenness) * self.knobs.get(Knob::Transparency),
                    )
                    && let Some(tie) = self.pick(self.net.ties_of_kind(c, TieKind::Touchpoint))
                {
                    // Changes are shared back with customers inside the
                    // extranet (seed 003: "free dissemination").
                    self.add_evidence(tie, self.params.w_share, 0.0);
                }
                if self.rng.chance(lifecycle::churn_chance(
                    self.params.churn_rate,
                    sat,
                    trust_org,
                )) {
                    self.report.churn += 1;
                    Lifecycle::Churned
                } else {
                    let can_advocate = sat >= self.params.advocate_satisfaction
                        && trust_org >= self.params.advocate_trust;
                    match state {
                        Lifecycle::Customer
                            if can_advocate && self.rng.chance(self.params.advocate_rate) =>
                        {
                            Lifecycle::Advocate
                        }
                        Lifecycle::Advocate
                            if !can_advocate && self.rng.chance(self.params.advocate_rate) =>
                        {
                            Lifecycle::Customer
                        }
                        s => s,
                    }
                }
            }
            Lifecycle::Unaware => {
                let reach = self.knobs.get(Knob::CampaignReach)
                    + self.campaigns.iter().map(|c| c.1).sum::<f32>();
                let reach = reach.min(1.0);
                self.report.cost_campaign += f64::from(reach * self.params.cost_campaign_contact);
                let (wom, best) = self.referral_chance(c);
                let (chance, campaign_share) = lifecycle::exposure_to(reach, wom);
                if self.rng.chance(chance) {
                    let campaign = self.rng.unit() < campaign_share;
                    if campaign {
                        self.source[ci] = Source::Campaign as u8;
                        self.persuasion[ci] = self.params.campaign_persuasion;
                    } else {
                        self.source[ci] = Source::WordOfMouth as u8;
                        self.persuasion[ci] = best;
                    }
                    self.exposed(campaign)
                } else {
                    state
                }
            }
            Lifecycle::Aware => {
                if self
                    .rng
                    .chance(self.params.consider_rate * self.persuasion[ci])
                {
                    Lifecycle::Considering
                } else if self.rng.chance(self.params.lapse_rate) {
                    self.source[ci] = Source::None as u8;
                    Lifecycle::Unaware
                } else {
                    state
                }
            }
            Lifecycle::Considering => {
                if self.rng.chance(self.params.convert_rate * sat) {
                    if self.source[ci] == Source::WordOfMouth as u8 {
                        self.report.acquisitions_word_of_mouth += 1;
                    } else {
                        self.report.acquisitions_campaign += 1;
                    }
                    Lifecycle::Customer
                } else if self.rng.chance(self.params.lapse_rate) {
                    Lifecycle::Aware
                } else {
                    state
                }
            }
            Lifecycle::Churned => {
                let heard =
                    self.heard_back[ci] != NEVER && t - self.heard_back[ci] <= ANSWER_MEMORY;
                let (x, _, _) = self.word_of_mouth(c, 0.0);
                let pull = if heard { 1.0 } else { x.min(1.0) };
                if self.rng.chance(self.params.return_rate * pull) {
                    Lifecycle::Returning
                } else {
                    state
                }
            }
            Lifecycle::Returning => {
                if self.rng.chance(self.params.consider_rate * sat) {
                    self.report.returns += 1;
                    Lifecycle::Customer
                } else if self.rng.chance(self.params.lapse_rate) {
                    Lifecycle::Churned
                } else {
                    state
                }
            }
        };
        self.next_state[ci] = next as u8;
    }

    /// An active customer contacts the organisation through one of their
    /// touchpoints (`model.contact_rate`):
    /// - through self-service with probability `self_service`: cheap, less
    ///   personal evidence (`model.w_self_service`), served at the segment
    ///   level; tracked into segment intelligence for Product with
    ///   probability `model.tracking_rate` (seed 001);
    /// - otherwise by staff, who are too stretched to respond with
    ///   probability `efficiency_pressure · model.responsiveness_cut`
    ///   (negative evidence, seed 004); a response is good evidence with
    ///   probability equal to the customer's satisfaction, and with
    ///   probability `feedback_listening` the need is passed on toward
    ///   Product;
    /// - switching channel, the answer contradicts the other channel with
    ///   probability `1 - omnichannel_consistency` (negative evidence).
    ///
    /// Separately, with probability `extranet_openness · contact_rate`, the
    /// customer's need goes straight to Product through the extranet.
    fn contact(&mut self, t: u32, c: u32) {
        let ci = c as usize;
        if self
            .rng
            .chance(self.knobs.get(Knob::ExtranetOpenness) * self.params.contact_rate)
            && !self.net.product_staff.is_empty()
        {
            let staff = &self.net.product_staff;
            let target = staff[self.rng.below(staff.len() as u32) as usize];
            self.raise_need(t, c, target, NO_TIE);
        }
        if !self.rng.chance(self.params.contact_rate) {
            return;
        }
        let Some(tie) = self.pick(self.net.ties_of_kind(c, TieKind::Touchpoint)) else {
            return;
        };
        let s = self.net.target[tie];
        if self.rng.chance(self.knobs.get(Knob::SelfService)) {
            self.report.cost_self_service += f64::from(self.params.cost_self_service);
            self.report.savings_self_service +=
                f64::from(self.params.cost_contact - self.params.cost_self_service).max(0.0);
            let segment_level = lifecycle::satisfaction(
                &self.offering,
                &self.needs[ci],
                0.0,
                0.0,
                self.relief[ci],
                self.params.gap_sensitivity,
            );
            if self.rng.unit() < segment_level {
                self.add_evidence(tie, self.params.w_self_service, 0.0);
            } else {
                self.add_evidence(tie, 0.0, self.params.w_self_service);
            }
            if self.rng.chance(self.params.tracking_rate) {
                // Tracking knows *about* the segment, not about this customer.
                let g = self.net.group[ci] as usize;
                self.pulls.push(self.group_needs[g]);
            }
        } else if self.rng.chance(self.busy_chance()) {
            self.add_evidence(tie, 0.0, self.params.w_contact);
        } else {
            self.report.cost_staff += f64::from(self.params.cost_contact);
            if self.rng.unit() < self.sat[ci] {
                self.add_evidence(tie, self.params.w_contact, 0.0);
            } else {
                self.add_evidence(tie, 0.0, self.params.w_contact);
            }
            if self.rng.chance(self.knobs.get(Knob::FeedbackListening)) {
                let back = self.net.reverse[tie];
                if back != NO_TIE {
                    self.add_evidence(back as usize, self.params.w_feedback, 0.0);
                }
                self.raise_need(t, c, s, tie as u32);
            }
        }
        let channel = self.net.channel[tie];
        let last = self.last_channel[ci];
        if last != NO_CHANNEL
            && last != channel
            && self
                .rng
                .chance(1.0 - self.knobs.get(Knob::OmnichannelConsistency))
        {
            self.report.inconsistent_answers += 1;
            self.add_evidence(tie, 0.0, self.params.w_inconsistency);
        }
        self.last_channel[ci] = channel;
    }

    /// A need starts travelling from customer `c`, arriving at `at` after
    /// one hop.
    fn raise_need(&mut self, t: u32, c: u32, at: u32, entry_tie: u32) {
        self.report.needs_raised += 1;
        self.flow(c, at, FlowKind::Need, true);
        let item = Item {
            kind: FlowKind::Need,
            at,
            origin: c,
            entry_tie,
            created: t,
            hops: 1,
            walls: 0,
        };
        self.queue.push(t, t + self.params.hop_delay, item);
    }

    /// A customer with an unmet need asks a peer (probability
    /// `community_enablement · (1 − satisfaction)`); a satisfied active peer
    /// helps, which relieves the need for a while and builds trust both ways
    /// (seed 001).
    fn ask_peer(&mut self, c: u32) {
        let ci = c as usize;
        let chance = self.knobs.get(Knob::CommunityEnablement) * (1.0 - self.sat[ci]);
        if !self.rng.chance(chance) {
            return;
        }
        let Some(tie) = self.pick(self.net.ties_of_kind(c, TieKind::Peer)) else {
            return;
        };
        let peer = self.net.target[tie] as usize;
        if !Lifecycle::from_u8(self.state[peer]).is_active_customer()
            || self.sat[peer] < HELPER_SATISFACTION
        {
            return;
        }
        self.relief[ci] = (self.relief[ci] + self.params.peer_relief).min(1.0);
        self.report.peer_help += 1;
        let w = self.params.w_peer;
        self.mutual(tie, w);
        self.flow(peer as u32, c, FlowKind::PeerHelp, true);
    }

    /// Phase 5: evidence, lifecycle changes and offering changes take effect.
    fn apply(&mut self) {
        for &(tie, r, s) in &self.pending {
            self.ev.add(tie as usize, r, s);
        }
        self.pending.clear();
        let mut exposures = std::mem::take(&mut self.exposures);
        for &c in &exposures {
            let ci = c as usize;
            if self.next_state[ci] == Lifecycle::Unaware as u8 {
                self.next_state[ci] = self.exposed(true) as u8;
                self.source[ci] = Source::Campaign as u8;
                self.persuasion[ci] = self.params.campaign_persuasion;
            }
        }
        exposures.clear();
        self.exposures = exposures;
        if self.params.referral_window > 0.0 {
            let next_step = self.step + 1;
            for (a, (now, next)) in self.state.iter().zip(&self.next_state).enumerate() {
                if Lifecycle::from_u8(*next).is_active_customer()
                    && !Lifecycle::from_u8(*now).is_active_customer()
                {
                    self.adopted_at[a] = next_step;
                }
            }
        }
        self.state.copy_from_slice(&self.next_state);
        let rate = self.params.offering_learning;
        for target in &self.pulls {
            for (o, t) in self.offering.iter_mut().zip(target) {
                *o += rate * (t - *o);
            }
        }
        self.report.offering_changes = self.pulls.len() as u32;
        self.offering_changed = !self.pulls.is_empty();
        self.pulls.clear();
    }

    /// Phase 6: forget, then fill the report.
    fn forget_and_measure(&mut self) {
        let mut sums = [0.0f64; TRUST_CLASSES];
        self.ev
            .forget_and_sum(self.params.forgetting, &self.net.trust_class, &mut sums);
        // Walls have their own class; as a part pair they are
        // Department→Department ties like the internal ones.
        let dd = Part::Department.index() * 4 + Part::Department.index();
        let mut pair_sum = [0.0f64; 16];
        let mut pair_n = [0u64; 16];
        pair_sum.copy_from_slice(&sums[..16]);
        pair_n.copy_from_slice(&self.pair_count[..16]);
        pair_sum[dd] += sums[WALL_CLASS];
        pair_n[dd] += self.pair_count[WALL_CLASS];
        let r = &mut self.report;
        let ratio = |num: f64, den: u64| if den > 0 { num / den as f64 } else { f64::NAN };
        for i in 0..16 {
            r.trust_pair[i] = ratio(pair_sum[i], pair_n[i]);
        }
        for p in 0..4 {
            let from: f64 = (0..4).map(|q| pair_sum[p * 4 + q]).sum();
            let from_n: u64 = (0..4).map(|q| pair_n[p * 4 + q]).sum();
            r.trust_from[p] = ratio(from, from_n);
            let to: f64 = (0..4).map(|q| pair_sum[q * 4 + p]).sum();
            let to_n: u64 = (0..4).map(|q| pair_n[q * 4 + p]).sum();
            r.trust_toward[p] = ratio(to, to_n);
        }
        let org = [Part::Department.index(), Part::Partner.index()];
        let cust = [Part::ExistingCustomer.index(), Part::NewCustomer.index()];
        let (mut num, mut den) = (0.0, 0u64);
        for c in cust {
            for o in org {
                num += pair_sum[c * 4 + o];
                den += pair_n[c * 4 + o];
            }
        }
        r.customer_trust_in_org = ratio(num, den);
        r.trust_across_silos = ratio(sums[WALL_CLASS], self.pair_count[WALL_CLASS]);

        let mut sat_sum = [0.0f64; 4];
        let mut sat_n = [0u32; 4];
        for a in 0..self.net.agents() {
            let part = self.net.part[a];
            if !part.is_customer() {
                continue;
            }
            let s = self.state[a] as usize;
            r.lifecycle[part.index()][s] += 1;
            if Lifecycle::from_u8(self.state[a]).is_active_customer() {
                sat_sum[part.index()] += f64::from(self.sat[a]);
                sat_n[part.index()] += 1;
            }
        }
        for p in 0..4 {
            r.satisfaction[p] = if sat_n[p] > 0 {
                sat_sum[p] / f64::from(sat_n[p])
            } else {
                f64::NAN
            };
        }
        r.department_flows.clone_from(&self.department_flows);
        r.items_in_flight = self.queue.len() as u32;

        let t = &mut r.totals;
        t.needs_raised += u64::from(r.needs_raised);
        t.needs_reached += u64::from(r.needs_reached);
        t.loops_closed += u64::from(r.loops_closed);
        t.acquisitions_word_of_mouth += u64::from(r.acquisitions_word_of_mouth);
        t.acquisitions_campaign += u64::from(r.acquisitions_campaign);
        t.churn += u64::from(r.churn);
        t.returns += u64::from(r.returns);
        t.flows_internal += u64::from(r.flows_internal);
        t.flows_external += u64::from(r.flows_external);
        t.cost += r.cost_staff + r.cost_self_service + r.cost_campaign + r.cost_push;
        t.savings += r.savings_self_service;
    }
}

/// FNV-1a, 64-bit: a stable hash for determinism checks (std's hashers are
/// randomly keyed or unspecified across versions).
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }

    fn bytes(&mut self, b: &[u8]) {
        for &x in b {
            self.0 ^= u64::from(x);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn u32(&mut self, x: u32) {
        self.bytes(&x.to_le_bytes());
    }

    fn u64(&mut self, x: u64) {
        self.bytes(&x.to_le_bytes());
    }

    fn finish(&self) -> u64 {
        self.0
    }
}
