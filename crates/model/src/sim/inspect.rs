//! Reading a run: its state agent by agent, its report and totals, the
//! memory it holds, and a hash of its whole dynamic state for determinism
//! checks (the golden hashes).

use super::Simulation;
use crate::agent::{Lifecycle, Needs, Source};
use crate::knob::KnobValues;
use crate::metrics::{StepReport, Totals};
use crate::network::Network;
use crate::scenario::Scenario;

impl Simulation {
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
        self.ev.at(t)
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
        self.needs_of(agent)
    }

    /// How much the organisation knows about a customer, in `[0, 1]`.
    pub fn knowledge(&self, agent: u32) -> f32 {
        self.knowledge[agent as usize]
    }

    /// A customer's satisfaction at the start of the last step. An unaware
    /// prospect is not perceived while it stays unaware (nothing it does
    /// depends on it): for one, what it would perceive now.
    pub fn satisfaction(&self, agent: u32) -> f32 {
        if self.unaware_customer(agent) {
            return self.perception(agent as usize).0;
        }
        self.sat[agent as usize]
    }

    /// A customer's mean trust in the organisation at the start of the last
    /// step (for an unaware prospect, as [`Self::satisfaction`] says: now).
    pub fn trust_in_org(&self, agent: u32) -> f32 {
        if self.unaware_customer(agent) {
            return self.perception(agent as usize).1;
        }
        self.trust_org[agent as usize]
    }

    pub(in crate::sim) fn unaware_customer(&self, agent: u32) -> bool {
        self.net.part[agent as usize].is_customer()
            && self.state[agent as usize] == Lifecycle::Unaware as u8
    }

    /// Steps computed when a newcomer took agent slot `agent` (market
    /// turnover, with the trade-offs); 0 for an agent there from the start.
    pub fn arrived_at(&self, agent: u32) -> u32 {
        assert!((agent as usize) < self.net.agents(), "no agent {agent}");
        self.arrival(agent as usize)
    }

    /// How a customer first heard of the organisation.
    pub fn source(&self, agent: u32) -> Source {
        match self.source[agent as usize] {
            1 => Source::WordOfMouth,
            2 => Source::Campaign,
            _ => Source::None,
        }
    }

    /// What agent `agent` spends per step now (0 unless an active
    /// customer; see `step/revenue.rs`).
    pub fn spend(&self, agent: u32) -> f32 {
        self.spend[agent as usize]
    }

    /// Staff time agent `agent` has left this step (with the trade-offs;
    /// see `step/staff_time.rs`).
    pub fn staff_time_left(&self, agent: u32) -> f32 {
        assert!((agent as usize) < self.net.agents(), "no agent {agent}");
        // Not held without the trade-offs, under which it stayed 0.
        self.time_left.get(agent as usize).copied().unwrap_or(0.0)
    }

    /// Contacts waiting for staff member `agent`'s time now.
    pub fn contacts_waiting_for(&self, agent: u32) -> usize {
        self.waiting.iter().filter(|w| w.staff == agent).count()
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
        self.heap_breakdown().iter().map(|(_, b)| b).sum()
    }

    /// [`Self::heap_bytes`] by what holds them, largest first: where the
    /// memory per tie goes.
    pub fn heap_breakdown(&self) -> Vec<(&'static str, usize)> {
        fn v<T>(x: &Vec<T>) -> usize {
            x.capacity() * std::mem::size_of::<T>()
        }
        let mut parts = vec![
            ("network", self.net.heap_bytes()),
            ("evidence", self.ev.heap_bytes()),
            ("queue", self.queue.heap_bytes()),
            ("backlogs", self.backlogs.heap_bytes()),
            ("state", v(&self.state) + v(&self.next_state)),
            ("needs", self.needs.heap_bytes()),
            ("knowledge", v(&self.knowledge)),
            ("relief", v(&self.relief)),
            ("last_channel", v(&self.last_channel)),
            ("source", v(&self.source)),
            ("persuasion", v(&self.persuasion)),
            ("heard_back", v(&self.heard_back)),
            ("sat", v(&self.sat)),
            ("trust_org", v(&self.trust_org)),
            ("pending", v(&self.pending)),
            ("pulls", v(&self.pulls)),
            ("exposures", v(&self.exposures)),
            ("flows", v(&self.report.flows)),
            ("arrived_at", v(&self.arrived_at)),
            ("peer_referrers", v(&self.peer_referrers)),
            ("told_trust", v(&self.told_trust)),
            (
                "bit sets",
                self.talks.heap_bytes()
                    + self.referring.heap_bytes()
                    + self.hot.heap_bytes()
                    + self.told.heap_bytes()
                    + self.awake.heap_bytes()
                    + self.always.heap_bytes()
                    + self.reached.heap_bytes()
                    + self.active.heap_bytes()
                    + self.in_between.heap_bytes()
                    + self.relieved.heap_bytes()
                    + self.reperceive.heap_bytes(),
            ),
            ("changed", v(&self.changed) + v(&self.recount)),
            ("tally", self.tally.heap_bytes()),
            (
                "window_closes",
                self.window_closes.capacity() * std::mem::size_of::<(u32, u32)>(),
            ),
            ("spend", v(&self.spend)),
            ("time_left", v(&self.time_left)),
            ("waiting", v(&self.waiting)),
            ("adopted_at", v(&self.adopted_at)),
            (
                "referred",
                v(&self.referred) + v(&self.decisions) + v(&self.landed) + v(&self.tellers),
            ),
            (
                "named agents and ties",
                v(&self.scenario.named_agents)
                    + self
                        .scenario
                        .named_agents
                        .iter()
                        .map(|a| a.id.capacity())
                        .sum::<usize>()
                    + v(&self.scenario.named_ties),
            ),
        ];
        parts.sort_by_key(|&(name, b)| (std::cmp::Reverse(b), name));
        parts
    }

    /// Check what the step keeps up to date by changes against a count from
    /// scratch: each agent's referring peers and the ties marked as theirs
    /// (none without pooled word of mouth), whether it refers and is hot
    /// (as the next step will count them), no prospect left marked told or
    /// reached,
    /// the awake and active sets, the state buffers agreeing between steps,
    /// an unaware agent having nothing its perception could change by, a
    /// customer the next perception passes over perceiving what it would
    /// perceive, the relieved set, the member count of every set, the
    /// needs held in backlogs, the report's tally against a count from
    /// scratch, and the evidence the forgetting pass passes over.
    /// For tests; O(agents + ties).
    #[doc(hidden)]
    pub fn check_consistency(&self) -> Result<(), String> {
        let unused_counts =
            !self.pools_referrals() && (!self.peer_referrers.is_empty() || self.talks.words() > 0);
        let unused_time =
            !self.params.trade_offs && (!self.time_left.is_empty() || !self.arrived_at.is_empty());
        if unused_counts || unused_time {
            return Err("per-agent state held that these parameters never use".into());
        }
        let mut next = self.clone();
        next.count_referrers();
        // Without pooled word of mouth nothing is counted or marked.
        let pooled = self.pools_referrals();
        for c in 0..self.net.agents() as u32 {
            let mut counted = 0;
            for t in self.net.ties_of_kind(c, crate::network::TieKind::Peer) {
                let talks = pooled && next.referrer(self.net.target[t]).is_some();
                if talks != (pooled && next.talks.contains(t as u32)) {
                    return Err(format!(
                        "step {}: agent {c}'s tie {t} marked {}, its peer refers: {talks}",
                        self.step, !talks
                    ));
                }
                counted += u32::from(talks);
            }
            if counted != next.referring_peers(c) {
                return Err(format!(
                    "step {}: agent {c} has {counted} referring peers, kept as {}",
                    self.step,
                    next.referring_peers(c)
                ));
            }
        }
        let at = |a: u32, what: &str| format!("step {}: agent {a}: {what}", self.step);
        for a in 0..self.net.agents() as u32 {
            let i = a as usize;
            let awake = self.net.part[i].is_customer() && self.state[i] != Lifecycle::Unaware as u8;
            if awake != self.awake.contains(a) {
                return Err(at(a, &format!("awake is {awake}, kept as {}", !awake)));
            }
            let active = self.net.part[i].is_customer()
                && Lifecycle::from_u8(self.state[i]).is_active_customer();
            if active != self.active.contains(a) {
                return Err(at(a, &format!("active is {active}, kept as {}", !active)));
            }
            if (awake && !active) != self.in_between.contains(a) {
                return Err(at(
                    a,
                    &format!(
                        "in between (awake, not active) kept as {}",
                        self.in_between.contains(a)
                    ),
                ));
            }
            // While the offering and personalisation hold, the next
            // perception passes over an awake customer without touchpoints,
            // relief or new knowledge: what it perceived must be what it
            // would perceive now.
            let key = (
                self.offering,
                self.knobs.get(crate::knob::Knob::Personalisation),
            );
            // With touchpoints, its trust moves, but its satisfaction was
            // kept (`perceive`).
            let kept = awake
                && self.perceived_with == Some(key)
                && !self.visit_everyone
                && !self.relieved.contains(a)
                && !self.reperceive.contains(a);
            let passed_over = kept
                && self
                    .net
                    .ties_of_kind(a, crate::network::TieKind::Touchpoint)
                    .is_empty();
            if kept {
                let (sat, trust) = self.perception(i);
                if sat.to_bits() != self.sat[i].to_bits()
                    || passed_over && trust.to_bits() != self.trust_org[i].to_bits()
                {
                    return Err(at(
                        a,
                        &format!(
                            "passed over by perception with satisfaction {} and trust {}, but perceives {sat} and {trust}",
                            self.sat[i], self.trust_org[i]
                        ),
                    ));
                }
            }
            if self.relief[i] != 0.0 && !self.relieved.contains(a) {
                return Err(at(a, "relieved but not marked so"));
            }
            if next.referring.contains(a) != next.referrer(a).is_some() {
                return Err(at(a, "whether it refers is kept wrong"));
            }
            if next.hot.contains(a) != (next.referring_peers(a) > 0) {
                return Err(at(a, "hot does not follow its count of referring peers"));
            }
            if self.told.contains(a) || self.reached.contains(a) {
                return Err(at(a, "still marked told or reached between steps"));
            }
            if self.next_state[i] != self.state[i] {
                return Err(at(a, "its next state differs from its state between steps"));
            }
            if self.unaware_customer(a) && (self.relief[i] != 0.0 || self.knowledge[i] != 0.0) {
                return Err(at(
                    a,
                    &format!(
                        "unaware with relief {} and knowledge {}: its perception would change while it is passed over",
                        self.relief[i], self.knowledge[i]
                    ),
                ));
            }
        }
        for (set, name) in [
            (&self.awake, "awake"),
            (&self.active, "active"),
            (&self.in_between, "in_between"),
            (&self.always, "always"),
            (&self.hot, "hot"),
            (&self.referring, "referring"),
            (&self.talks, "talks"),
            (&self.told, "told"),
            (&self.reached, "reached"),
            (&self.relieved, "relieved"),
            (&self.reperceive, "reperceive"),
        ] {
            set.check(name)
                .map_err(|e| format!("step {}: {e}", self.step))?;
        }
        self.needs
            .check(&self.net.group)
            .map_err(|e| format!("step {}: {e}", self.step))?;
        self.backlogs
            .check()
            .map_err(|e| format!("step {}: {e}", self.step))?;
        let mut tally = super::Tally::new(self.scenario.groups.len());
        for a in 0..self.net.agents() {
            if self.net.part[a].is_customer() {
                tally.add(self.share(a));
            }
        }
        if tally != self.tally {
            return Err(format!(
                "step {}: the tally kept by changes is {:?}, counted from scratch {tally:?}",
                self.step, self.tally
            ));
        }
        self.ev
            .check()
            .map_err(|e| format!("step {}: {e}", self.step))
    }

    /// Visit every awake customer in perception and decisions, passing over
    /// none that has nothing to do (`activity.rs`). For tests: a run must
    /// give the same bits either way.
    #[doc(hidden)]
    pub fn set_visit_everyone(&mut self, on: bool) {
        self.visit_everyone = on;
    }

    /// How many agents the last step perceived and let act: what its cost
    /// follows (`activity.rs`).
    pub fn visits(&self) -> super::Visits {
        self.visits
    }

    /// A hash of the whole dynamic state (FNV-1a over the bits of every
    /// state array, the offering and the totals), for determinism checks.
    pub fn state_hash(&self) -> u64 {
        let mut h = Fnv::new();
        h.u32(self.step);
        h.bytes(&self.state);
        let ties = 0..self.net.ties();
        for x in ties
            .clone()
            .map(|t| self.ev.at(t).0)
            .chain(ties.map(|t| self.ev.at(t).1))
            .chain(self.knowledge.iter().copied())
            .chain(self.relief.iter().copied())
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
        // Items in flight, waiting ones included (there are none waiting
        // without the trade-offs, whose hash stays the earlier model's).
        h.u64((self.queue.len() + self.backlogs.len()) as u64);
        // Decisions waiting for the next step (`played.rs`); none in a run
        // nobody plays, whose hash stays what it was.
        for (a, d) in &self.decisions {
            h.u32(*a);
            let flags = [d.contact, d.complain, d.ask_peer, d.refer, d.leave, d.offer];
            for f in flags {
                h.u32(f.map_or(2, u32::from));
            }
            h.u32(d.needs.map_or(2, |n| n as u32));
        }
        // Revenue changes no behaviour; with the trade-offs, spend, staff
        // time and the market are state too. Without them the hash is the
        // earlier model's, so its golden hashes hold.
        if self.params.trade_offs {
            let needs = (0..self.net.agents() as u32).flat_map(|a| self.needs_of(a));
            for x in self
                .spend
                .iter()
                .chain(&self.time_left)
                .copied()
                .chain(needs)
            {
                h.u32(x.to_bits());
            }
            for w in &self.waiting {
                for x in [w.staff, w.customer, w.tie, w.since] {
                    h.u32(x);
                }
            }
            for x in &self.arrived_at {
                h.u32(*x);
            }
            for x in [
                t.revenue.to_bits(),
                t.npv.to_bits(),
                t.lost_to_competitor,
                t.arrivals,
                t.contacts_expired,
            ] {
                h.u64(x);
            }
        }
        h.finish()
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
