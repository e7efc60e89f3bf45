//! The runs of one replicate share its network.
//!
//! A run's network comes from its seed alone (the scenario's generators on
//! the seed's network stream), and every condition of replicate `k` runs
//! with the same seed: so the conditions of a replicate run on one graph.
//! A batch builds it once, at the first of those runs to start, and drops
//! it after the last has finished, instead of building it again for every
//! condition. The runs are taken replicate by replicate, so that only a
//! few networks are held at once (about one per thread). A run on a
//! shared network is the same bits as on its own: the network is read
//! only, and what it builds lazily (the trust classes' neutral sums, the
//! holders of each kind of tie) depends on the graph alone.
//!
//! An organisation's own network (every tie named: imported, or in files
//! beside the scenario) draws nothing to build, so every seed builds the
//! same one ([`Network::seed_free`]). Then every run of the batch shares
//! the first network built, held to the end: for a large organisation,
//! building is a fifth of a run or more (1,000,000 agents and 10,000,000
//! ties: 7.8 s to build, 135 ms a step).

use crate::experiment::Experiment;
use crate::seed::replicate_seed;
use siloscope_model::network::Network;
use siloscope_model::sim::SimError;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Each replicate's network, while some of its runs are still to finish.
pub(super) struct Networks<'a> {
    exp: &'a Experiment,
    slots: Vec<Slot>,
    /// A network every seed builds alike, once one is built: every run's.
    seed_free: Mutex<Option<Arc<Network>>>,
    /// How many networks were built (for tests).
    built: AtomicUsize,
}

struct Slot {
    /// The network, from the first run that asked for it to the last that
    /// finished.
    net: Mutex<Option<Arc<Network>>>,
    /// Its runs still to finish.
    left: AtomicUsize,
}

impl<'a> Networks<'a> {
    /// For the runs `ids` of `exp`.
    pub(super) fn new(exp: &'a Experiment, ids: &[usize]) -> Self {
        let slots: Vec<Slot> = (0..exp.replicates)
            .map(|_| Slot {
                net: Mutex::new(None),
                left: AtomicUsize::new(0),
            })
            .collect();
        for &id in ids {
            slots[exp.run(id).1 as usize]
                .left
                .fetch_add(1, Ordering::Relaxed);
        }
        Self {
            exp,
            slots,
            seed_free: Mutex::new(None),
            built: AtomicUsize::new(0),
        }
    }

    /// `ids` in the order that shares networks best: replicate by
    /// replicate, each replicate's conditions in order.
    pub(super) fn order(exp: &Experiment, ids: &mut [usize]) {
        ids.sort_by_key(|&id| {
            let (c, k) = exp.run(id);
            (k, c)
        });
    }

    /// The network of run `id`'s replicate: built by the first of its runs
    /// to ask (the others wait for it rather than build it twice).
    pub(super) fn get(&self, id: usize) -> Result<Arc<Network>, SimError> {
        let shared = || {
            self.seed_free
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .clone()
        };
        if let Some(net) = shared() {
            return Ok(net);
        }
        let k = self.exp.run(id).1;
        // A thread that panicked while building left nothing in the slot:
        // the next builds it.
        let mut slot = self.slots[k as usize]
            .net
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(net) = &*slot {
            return Ok(Arc::clone(net));
        }
        // One built meanwhile by another replicate's run, on another
        // thread, serves this replicate too.
        if let Some(net) = shared() {
            return Ok(net);
        }
        let seed = replicate_seed(self.exp.seed, k);
        let net = Arc::new(Network::build(&self.exp.scenario, seed)?);
        self.built.fetch_add(1, Ordering::Relaxed);
        if net.seed_free {
            *self
                .seed_free
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(Arc::clone(&net));
        } else {
            *slot = Some(Arc::clone(&net));
        }
        Ok(net)
    }

    /// Run `id` has finished: after the last run of its replicate, the
    /// network is dropped.
    pub(super) fn done(&self, id: usize) {
        let slot = &self.slots[self.exp.run(id).1 as usize];
        if slot.left.fetch_sub(1, Ordering::AcqRel) == 1 {
            *slot
                .net
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()) = None;
        }
    }

    /// How many networks were built so far.
    #[cfg(test)]
    pub(super) fn built(&self) -> usize {
        self.built.load(Ordering::Relaxed)
    }

    /// Whether replicate `k`'s network is held now.
    #[cfg(test)]
    pub(super) fn holds(&self, k: u32) -> bool {
        self.slots[k as usize]
            .net
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::super::runs::run_one;
    use super::*;
    use std::path::Path;

    fn experiment() -> Experiment {
        let src = r#"Experiment(
            name: "shared networks",
            scenario: "../workshop.scenario.ron",
            policies: ["inside_out", "connected", "viral_campaign"],
            replicates: 3,
            steps: 15,
            metrics: ["customer_trust_in_org", "advocates", "revenue"],
            seed: 11,
        )"#;
        let here = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
            .join("scenarios/experiments/shared.experiment.ron");
        crate::experiment::parse(src, &here).unwrap()
    }

    #[test]
    fn a_replicates_conditions_share_one_network_built_once_and_dropped_after_the_last() {
        let exp = experiment();
        assert_eq!((exp.conditions.len(), exp.replicates), (3, 3));
        let mut ids: Vec<usize> = (0..exp.runs()).collect();
        let networks = Networks::new(&exp, &ids);
        Networks::order(&exp, &mut ids);
        assert_eq!(
            ids.iter().map(|&id| exp.run(id)).collect::<Vec<_>>(),
            (0..3)
                .flat_map(|k| (0..3).map(move |c| (c, k)))
                .collect::<Vec<_>>(),
            "replicate by replicate"
        );
        let mut held = Vec::new();
        for (i, &id) in ids.iter().enumerate() {
            let net = networks.get(id).unwrap();
            let k = exp.run(id).1;
            if i % 3 > 0 {
                assert!(Arc::ptr_eq(&net, &held[k as usize]), "run {id} shares");
            } else {
                held.push(Arc::clone(&net));
            }
            networks.done(id);
            assert_eq!(networks.holds(k), i % 3 < 2, "after run {id}");
        }
        assert_eq!(networks.built(), 3, "one network per replicate");
    }

    #[test]
    fn an_organisations_own_network_is_built_once_for_the_whole_batch() {
        let src = r#"Experiment(
            name: "own network",
            scenario: "../acme_imported.scenario.ron",
            policies: ["inside_out", "connected"],
            replicates: 3,
            steps: 10,
            metrics: ["customer_trust_in_org", "revenue"],
            seed: 5,
        )"#;
        let here = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
            .join("scenarios/experiments/own.experiment.ron");
        let exp = crate::experiment::parse(src, &here).unwrap();
        // Every tie named: every seed builds the same network.
        let (a, b) = (
            Network::build(&exp.scenario, 1).unwrap(),
            Network::build(&exp.scenario, 2).unwrap(),
        );
        assert!(a.seed_free && b.seed_free);
        assert_eq!(
            (&a.offsets, &a.target, &a.kind, &a.channel),
            (&b.offsets, &b.target, &b.kind, &b.channel)
        );
        let generated = Network::build(&experiment().scenario, 1).unwrap();
        assert!(!generated.seed_free, "the workshop's network is drawn");

        let mut ids: Vec<usize> = (0..exp.runs()).collect();
        let networks = Networks::new(&exp, &ids);
        Networks::order(&exp, &mut ids);
        let first = networks.get(ids[0]).unwrap();
        for &id in &ids {
            assert!(Arc::ptr_eq(&networks.get(id).unwrap(), &first), "run {id}");
            networks.done(id);
        }
        assert_eq!(networks.built(), 1, "one network for the whole batch");
        // A run of another replicate on it is the same bits as on a network
        // built from its own seed.
        let last = ids[ids.len() - 1];
        let own = Network::build(&exp.scenario, replicate_seed(exp.seed, exp.run(last).1)).unwrap();
        assert_eq!(
            run_one(&exp, last, first).unwrap(),
            run_one(&exp, last, Arc::new(own)).unwrap()
        );
    }

    #[test]
    fn a_run_on_its_replicates_shared_network_is_the_same_bits_as_on_its_own() {
        // The second condition of each replicate runs on the network the
        // first one used (its lazily built parts filled in), and must
        // write what it writes on a network built for it alone.
        let exp = experiment();
        let ids: Vec<usize> = (0..exp.runs()).collect();
        let networks = Networks::new(&exp, &ids);
        for k in 0..exp.replicates as usize {
            let [first, second] = [k, exp.replicates as usize + k];
            let shared = networks.get(first).unwrap();
            run_one(&exp, first, Arc::clone(&shared)).unwrap();
            let own = Network::build(&exp.scenario, replicate_seed(exp.seed, k as u32)).unwrap();
            assert_eq!(
                run_one(&exp, second, shared).unwrap(),
                run_one(&exp, second, Arc::new(own)).unwrap(),
                "replicate {k}"
            );
        }
    }
}
