//! Runs of one organisation at the same seeds share their networks.
//!
//! A run's network comes from its scenario's organisation (the groups,
//! the links between them, the named ties, the limits) and its seed, and
//! from nothing else: not the policy, the knobs or the model's assumptions
//! ([`Network::build`] reads none of them). A sensitivity screen, the
//! optimiser and calibration run many variants of one scenario (a knob or
//! an assumption moved, a policy added) on the same few seeds, so
//! [`SeedNetworks`] builds each seed's network once and shares it while
//! the networks held stay under a budget of memory (past it, a run builds
//! its own, as it would alone). A network every seed builds alike
//! ([`Network::seed_free`]: an organisation's own, every tie named) is
//! built once for every seed, whatever its size. A run on a shared network
//! is the same bits as on its own: the network is read only.
//!
//! A scenario whose organisation is not the one the networks were made for
//! (another scenario passed by mistake) gets a network of its own, never a
//! shared one.

use siloscope_model::network::{BuildError, Network};
use siloscope_model::scenario::{Group, Link, Scenario};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

/// Networks held at most, in bytes, unless every seed builds the same
/// one: 256 MiB (the workshop's network is under 0.1 MB, an organisation
/// of 100,000 people and a million directed ties about 15 MB: 14.5 bytes
/// a tie, by the core bench).
pub const DEFAULT_BUDGET: usize = 256 << 20;

/// The ends (from, to) of a scenario's first and last named ties.
type Ends = Option<((u32, u32), (u32, u32))>;

/// What of a scenario its network is built from (the named ties by their
/// count and ends: a variant of one scenario shares them).
#[derive(Clone, Debug, PartialEq)]
struct Organisation {
    groups: Vec<Group>,
    links: Vec<Link>,
    named_ties: usize,
    ends: Ends,
    max_ties: u64,
}

impl Organisation {
    fn of(scenario: &Scenario) -> Organisation {
        let (named_ties, ends) = Organisation::named(scenario);
        Organisation {
            groups: scenario.groups.clone(),
            links: scenario.links.clone(),
            named_ties,
            ends,
            max_ties: scenario.max_ties,
        }
    }

    /// Whether `scenario` builds its network from this organisation,
    /// compared in place (an imported organisation can have a group per
    /// person: no copy of them per run).
    fn matches(&self, scenario: &Scenario) -> bool {
        (self.named_ties, self.ends) == Organisation::named(scenario)
            && self.max_ties == scenario.max_ties
            && self.groups == scenario.groups
            && self.links == scenario.links
    }

    /// The named ties, by their count and the ends of the first and last.
    fn named(scenario: &Scenario) -> (usize, Ends) {
        let end = |t: &siloscope_model::scenario::NamedTie| (t.from, t.to);
        let ends = scenario
            .named_ties
            .first()
            .zip(scenario.named_ties.last())
            .map(|(a, b)| (end(a), end(b)));
        (scenario.named_ties.len(), ends)
    }
}

/// The networks of one organisation's seeds, shared by the runs at them.
#[derive(Debug)]
pub struct SeedNetworks {
    organisation: Organisation,
    budget: usize,
    held: Mutex<Held>,
}

#[derive(Debug, Default)]
struct Held {
    by_seed: HashMap<u64, Arc<Network>>,
    bytes: usize,
    /// The network every seed builds, once one is built.
    seed_free: Option<Arc<Network>>,
    /// Networks built (for tests).
    built: usize,
}

impl SeedNetworks {
    /// For runs of `scenario` and its variants, holding at most `budget`
    /// bytes of networks built from seeds.
    pub fn new(scenario: &Scenario, budget: usize) -> SeedNetworks {
        SeedNetworks {
            organisation: Organisation::of(scenario),
            budget,
            held: Mutex::new(Held::default()),
        }
    }

    fn held(&self) -> MutexGuard<'_, Held> {
        // A run that panicked leaves the map as it was: still usable.
        self.held
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The network of `scenario` at `seed`: shared when it is held, else
    /// built (and held, within the budget).
    pub fn get(&self, scenario: &Scenario, seed: u64) -> Result<Arc<Network>, BuildError> {
        // Compared in place: nothing beside a run, even with a group per
        // person.
        if self.organisation.matches(scenario) {
            let held = self.held();
            if let Some(net) = held.seed_free.as_ref().or(held.by_seed.get(&seed)) {
                return Ok(Arc::clone(net));
            }
        } else {
            return Network::build(scenario, seed).map(Arc::new);
        }
        // Built outside the lock: other seeds' runs go on meanwhile (two
        // runs of one seed may both build it; the first kept is shared).
        let net = Arc::new(Network::build(scenario, seed)?);
        let mut held = self.held();
        held.built += 1;
        if net.seed_free {
            held.seed_free.get_or_insert_with(|| Arc::clone(&net));
        } else if !held.by_seed.contains_key(&seed) {
            let bytes = net.heap_bytes();
            if held.bytes + bytes <= self.budget {
                held.bytes += bytes;
                held.by_seed.insert(seed, Arc::clone(&net));
            }
        }
        Ok(net)
    }

    /// How many networks were built so far.
    pub fn built(&self) -> usize {
        self.held().built
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn scenario(name: &str) -> Scenario {
        let path = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../scenarios")).join(name);
        siloscope_scenario::files::read_scenario(&path).unwrap()
    }

    #[test]
    fn each_seed_is_built_once_within_the_budget_and_only_for_its_organisation() {
        let workshop = scenario("workshop.scenario.ron");
        let networks = SeedNetworks::new(&workshop, DEFAULT_BUDGET);
        let mut variant = workshop.clone();
        variant.model.forgetting = 0.9;
        let a = networks.get(&workshop, 1).unwrap();
        assert!(
            Arc::ptr_eq(&a, &networks.get(&variant, 1).unwrap()),
            "a variant shares"
        );
        assert!(
            !Arc::ptr_eq(&a, &networks.get(&workshop, 2).unwrap()),
            "another seed does not"
        );
        assert_eq!(networks.built(), 2);
        // Another organisation gets its own, never a held one.
        let mut other = workshop.clone();
        other.groups[0].size += 1;
        other.groups[0].generated += 1;
        for g in &mut other.groups[1..] {
            g.first += 1;
        }
        assert!(!Arc::ptr_eq(&a, &networks.get(&other, 1).unwrap()));
        // With no budget, nothing is held.
        let none = SeedNetworks::new(&workshop, 0);
        let b = none.get(&workshop, 1).unwrap();
        assert!(!Arc::ptr_eq(&b, &none.get(&workshop, 1).unwrap()));
        assert_eq!(none.built(), 2);
    }

    #[test]
    fn an_organisations_own_network_is_built_once_for_every_seed() {
        let own = scenario("acme_imported.scenario.ron");
        // Even with no budget: it is one network, whatever the seed.
        let networks = SeedNetworks::new(&own, 0);
        let a = networks.get(&own, 1).unwrap();
        assert!(a.seed_free);
        for seed in [2, 3, 99] {
            assert!(Arc::ptr_eq(&a, &networks.get(&own, seed).unwrap()));
        }
        assert_eq!(networks.built(), 1);
    }
}
