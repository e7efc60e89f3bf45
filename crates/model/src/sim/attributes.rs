//! A run's starting attributes: each customer's needs and lifecycle state,
//! what it spends, and the sets and tally kept from them.
//!
//! They come from the run's own Agents stream, so that changing the
//! dynamics never changes who the customers are. Each member of a customer
//! group takes four words of the stream for its needs (one per dimension),
//! then, in a group that starts as customers with an advocate share
//! strictly between 0 and 1, one for whether it starts as an advocate; the
//! words are generated in bulk, a block of members at a time, and read in
//! that order, so the result is the same as drawing them one by one.
//!
//! Everything else costs O(groups) plus O(1) per member that does not start
//! unaware, per staff member and per member of a fully mixed group (visited
//! every step): a run on a large market of prospects tied by a network
//! starts without visiting them, beyond generating their needs.

use crate::agent::{Lifecycle, NEED_DIMS, Needs, Part};
use crate::network::Network;
use crate::rng::{SimRng, Stream};
use crate::scenario::{Generator, Scenario};
use crate::sim::activity::BitSet;
use crate::sim::tally::Tally;

/// Members whose words are generated at a time.
const BLOCK: usize = 1024;

/// A run's starting attributes (see the module).
pub(super) struct Start {
    pub state: Vec<u8>,
    pub needs: Vec<Needs>,
    pub spend: Vec<f32>,
    pub awake: BitSet,
    pub active: BitSet,
    pub always: BitSet,
    pub part_customers: [u32; 4],
    pub tally: Tally,
}

impl Start {
    /// The starting attributes of a run of `scenario` with seed `seed` on
    /// `net`.
    pub fn draw(scenario: &Scenario, net: &Network, seed: u64) -> Start {
        let n = net.agents();
        let mut rng = SimRng::new(seed, Stream::Agents);
        let mut state = vec![Lifecycle::Unaware as u8; n];
        let mut needs = vec![[0.0; NEED_DIMS]; n];
        let mut words = Vec::new();
        for g in scenario.groups.iter().filter(|g| g.part.is_customer()) {
            let customers = g.start == Lifecycle::Customer;
            let advocate_drawn = customers && SimRng::chance_draws(g.advocates);
            let per_member = NEED_DIMS + usize::from(advocate_drawn);
            let members = g.first as usize..(g.first + g.size) as usize;
            for block in members.step_by(BLOCK) {
                let end = (block + BLOCK).min((g.first + g.size) as usize);
                words.resize((end - block) * per_member, 0);
                rng.fill_u32(&mut words);
                for (a, w) in (block..end).zip(words.chunks_exact(per_member)) {
                    let mut v = g.needs;
                    for (x, &word) in v.iter_mut().zip(w) {
                        *x = (*x + g.need_spread * (2.0 * SimRng::unit_of(word) - 1.0))
                            .clamp(0.0, 1.0);
                    }
                    needs[a] = v;
                    let advocate = if advocate_drawn {
                        SimRng::unit_of(w[NEED_DIMS]) < g.advocates
                    } else {
                        customers && SimRng::chance_without_draw(g.advocates)
                    };
                    state[a] = if advocate {
                        Lifecycle::Advocate
                    } else {
                        g.start
                    } as u8;
                }
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

        // The customers who do not start unaware: the members of groups
        // that do not start so, and named agents.
        let mut awake = BitSet::new(n);
        let mut active = BitSet::new(n);
        let mut always = BitSet::new(n);
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
            always,
            part_customers,
            tally,
        }
    }
}
