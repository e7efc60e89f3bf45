//! A run's starting attributes: each customer's needs and lifecycle state,
//! what it spends, and the sets and tally kept from them.
//!
//! They come from the run's own Agents stream, so that changing the
//! dynamics never changes who the customers are. The stream is
//! counter-based ([`Keyed`]): customer `a`'s need in dimension `d` is
//! word `5a + d`, and whether a member of a group that starts as customers
//! with an advocate share strictly between 0 and 1 starts as an advocate is
//! word `5a + 4`. A customer's needs are therefore drawn when they are
//! first read ([`NeedTable`]), not when the run starts, and are the same
//! whichever customers are read first.
//!
//! Starting a run costs O(groups) plus O(1) per member that does not start
//! unaware, per staff member and per member of a fully mixed group (visited
//! every step), besides the per-agent arrays: a run on a large market of
//! prospects tied by a network starts without visiting them.

use crate::agent::{Lifecycle, NEED_DIMS, Needs, Part};
use crate::network::Network;
use crate::rng::{Keyed, SimRng, Stream};
use crate::scenario::{Generator, Scenario};
use crate::sim::activity::BitSet;
use crate::sim::tally::Tally;

/// Words of the Agents stream per agent: one per need dimension, then
/// whether it starts as an advocate.
const WORDS_PER_AGENT: u64 = NEED_DIMS as u64 + 1;

/// A run's starting attributes (see the module).
pub(super) struct Start {
    pub state: Vec<u8>,
    pub needs: NeedTable,
    pub spend: Vec<f32>,
    pub awake: BitSet,
    pub active: BitSet,
    pub in_between: BitSet,
    pub always: BitSet,
    pub part_customers: [u32; 4],
    pub tally: Tally,
}

impl Start {
    /// The starting attributes of a run of `scenario` with seed `seed` on
    /// `net`.
    pub fn draw(scenario: &Scenario, net: &Network, seed: u64) -> Start {
        let n = net.agents();
        let words = Keyed::new(seed, Stream::Agents);
        let mut state = vec![Lifecycle::Unaware as u8; n];
        let mut needs = NeedTable::new(scenario, words, n);
        for g in scenario.groups.iter().filter(|g| g.part.is_customer()) {
            if g.start == Lifecycle::Unaware {
                continue;
            }
            let customers = g.start == Lifecycle::Customer;
            for a in g.first..g.first + g.size {
                let advocate = if customers && SimRng::chance_draws(g.advocates) {
                    words.unit(u64::from(a) * WORDS_PER_AGENT + NEED_DIMS as u64) < g.advocates
                } else {
                    customers && SimRng::chance_without_draw(g.advocates)
                };
                state[a as usize] = if advocate {
                    Lifecycle::Advocate
                } else {
                    g.start
                } as u8;
            }
        }
        for a in &scenario.named_agents {
            if let Some(v) = a.needs {
                needs.set(a.index, v);
            }
            if let Some(s) = a.start {
                state[a.index as usize] = s as u8;
            }
        }

        // The customers who do not start unaware: the members of groups
        // that do not start so, and named agents.
        let mut awake = BitSet::summarised(n);
        let mut active = BitSet::new(n);
        let mut in_between = BitSet::summarised(n);
        let mut always = BitSet::summarised(n);
        let mut part_customers = [0u32; 4];
        let mut starters = Vec::new();
        for g in &scenario.groups {
            let members = g.first..g.first + g.size;
            if g.part.is_customer() {
                part_customers[g.part.index()] += g.size;
                if g.start != Lifecycle::Unaware {
                    starters.extend(members.clone());
                }
            }
            if !g.part.is_customer() && g.part != Part::Partner
                || g.part.is_customer() && g.generator == Generator::Mixed
            {
                for a in members {
                    always.set(a, true);
                }
            }
        }
        starters.extend(
            scenario
                .named_agents
                .iter()
                .filter(|a| a.start.is_some())
                .map(|a| a.index),
        );
        starters.sort_unstable();
        starters.dedup();
        let mut spend = vec![0.0f32; n];
        let mut tally = Tally::unaware(scenario.groups.len(), part_customers);
        for a in starters {
            let ai = a as usize;
            let s = Lifecycle::from_u8(state[ai]);
            if !net.part[ai].is_customer() || s == Lifecycle::Unaware {
                continue;
            }
            awake.set(a, true);
            active.set(a, s.is_active_customer());
            in_between.set(a, !s.is_active_customer());
            if s.is_active_customer() {
                let g = &scenario.groups[net.group[ai] as usize];
                spend[ai] = g.arpu * scenario.model.arpu_scale;
            }
            tally.wake(net, a, s, spend[ai]);
        }
        Start {
            state,
            needs,
            spend,
            awake,
            active,
            in_between,
            always,
            part_customers,
            tally,
        }
    }
}

impl super::Simulation {
    /// Agent `a`'s needs.
    #[inline]
    pub(in crate::sim) fn needs_of(&self, a: u32) -> Needs {
        // The group is read only for needs never kept.
        self.needs
            .kept(a)
            .unwrap_or_else(|| self.needs.drawn(a, self.net.group[a as usize]))
    }
}

/// Every agent's needs: a customer's drawn from the Agents stream when first
/// read, unless set (a named agent's, a newcomer's); zero for staff and
/// partners. Read with the agent's group (`Network::group`).
///
/// Reading costs a bit test and, for needs never kept, four words of
/// SplitMix64; [`Self::keep`] keeps them, for an agent read every step.
/// Starting a run allocates no needs at all: the values are allocated,
/// zeroed, at the first need kept (a run whose needs are only ever drawn,
/// a cascade's, never holds them).
#[derive(Clone, Debug)]
pub(super) struct NeedTable {
    words: Keyed,
    /// Each group's mean needs and spread, as the scenario gives them;
    /// `None` for staff and partners.
    groups: Vec<Option<(Needs, f32)>>,
    /// How many agents.
    agents: usize,
    /// Every agent's kept needs: empty until the first is kept.
    values: Vec<Needs>,
    kept: BitSet,
    /// The agents whose needs were set rather than drawn (all kept).
    given: BitSet,
}

impl NeedTable {
    fn new(scenario: &Scenario, words: Keyed, n: usize) -> NeedTable {
        NeedTable {
            words,
            groups: scenario
                .groups
                .iter()
                .map(|g| g.part.is_customer().then_some((g.needs, g.need_spread)))
                .collect(),
            agents: n,
            values: Vec::new(),
            kept: BitSet::new(n),
            given: BitSet::new(n),
        }
    }

    /// Agent `a`'s needs if they are kept.
    #[inline]
    pub fn kept(&self, a: u32) -> Option<Needs> {
        self.kept.contains(a).then(|| self.values[a as usize])
    }

    /// Agent `a`'s needs, kept from now on so that the next reads are a
    /// load.
    #[inline]
    pub fn keep(&mut self, a: u32, group: u32) -> Needs {
        if !self.kept.contains(a) {
            self.hold();
            self.values[a as usize] = self.drawn(a, group);
            self.kept.set(a, true);
        }
        self.values[a as usize]
    }

    /// [`Self::keep`] for the agents of bitset word `w` in `bits` (`group`
    /// is every agent's group), so that [`Self::value`] may read them.
    #[inline]
    pub fn keep_word(&mut self, w: usize, bits: u64, group: &[u32]) {
        let unkept = bits & !self.kept.word(w);
        if unkept != 0 {
            for a in crate::sim::activity::ones(w, unkept) {
                self.keep(a, group[a as usize]);
            }
        }
    }

    /// Agent `a`'s needs, which are kept.
    #[inline]
    pub fn value(&self, a: u32) -> &Needs {
        debug_assert!(self.kept.contains(a), "agent {a}'s needs are not kept");
        &self.values[a as usize]
    }

    /// Hold a value for every agent from now on (zeroed), at the first need
    /// kept.
    #[inline]
    fn hold(&mut self) {
        if self.values.is_empty() {
            self.allocate();
        }
    }

    #[cold]
    fn allocate(&mut self) {
        self.values = vec![[0.0; NEED_DIMS]; self.agents];
    }

    /// Sets agent `a`'s needs.
    pub fn set(&mut self, a: u32, needs: Needs) {
        self.hold();
        self.values[a as usize] = needs;
        self.kept.set(a, true);
        self.given.set(a, true);
    }

    /// Whether the table holds together: every agent set is kept, and
    /// every need kept and not set is what the stream gives (`group` is
    /// each agent's group).
    pub fn check(&self, group: &[u32]) -> Result<(), String> {
        self.kept.check("kept needs")?;
        self.given.check("given needs")?;
        for w in 0..self.kept.words() {
            if self.given.word(w) & !self.kept.word(w) != 0 {
                return Err(format!("needs set but not kept in word {w}"));
            }
            for a in crate::sim::activity::ones(w, self.kept.word(w) & !self.given.word(w)) {
                let drawn = self.drawn(a, group[a as usize]);
                if self.values[a as usize] != drawn {
                    return Err(format!(
                        "agent {a}: needs kept as {:?}, drawn as {drawn:?}",
                        self.values[a as usize]
                    ));
                }
            }
        }
        Ok(())
    }

    /// The needs the stream gives agent `a` of group `group`: each
    /// dimension the group's mean plus its spread times a uniform draw in
    /// [−1, 1), clamped to [0, 1].
    pub fn drawn(&self, a: u32, group: u32) -> Needs {
        let Some((mut v, spread)) = self.groups[group as usize] else {
            return [0.0; NEED_DIMS];
        };
        let first = u64::from(a) * WORDS_PER_AGENT;
        for (d, x) in v.iter_mut().enumerate() {
            let u = self.words.unit(first + d as u64);
            *x = (*x + spread * (2.0 * u - 1.0)).clamp(0.0, 1.0);
        }
        v
    }

    /// Bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.values.capacity() * std::mem::size_of::<Needs>()
            + self.kept.heap_bytes()
            + self.given.heap_bytes()
    }
}
