//! Which policy a run is under, as a room should read it. A run started
//! under `connected` whose silo permeability was then changed by hand is no
//! longer "connected": the app highlights a preset, and names the policy
//! of a run, only while every knob that policy sets still has its value.

use siloscope_model::sim::Simulation;
use std::fmt;

/// The policy a run is under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InForce<'a> {
    /// This policy, exactly.
    Policy(&'a str),
    /// This policy, with knobs changed since.
    Changed(&'a str),
    /// No named policy: the scenario's knob values (and any changes).
    ScenarioKnobs,
}

impl<'a> InForce<'a> {
    /// What `sim` is under now.
    pub fn of(sim: &'a Simulation) -> InForce<'a> {
        let Some(name) = sim.policy() else {
            return InForce::ScenarioKnobs;
        };
        let Some(policy) = sim.scenario().policy(name) else {
            return InForce::Changed(name);
        };
        let knobs = sim.knobs();
        if policy.values.iter().all(|&(k, v)| knobs.get(k) == v) {
            InForce::Policy(name)
        } else {
            InForce::Changed(name)
        }
    }

    /// Whether it is exactly the policy `name`.
    pub fn is(&self, name: &str) -> bool {
        *self == InForce::Policy(name)
    }
}

impl fmt::Display for InForce<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InForce::Policy(name) => f.write_str(name),
            InForce::Changed(name) => write!(f, "{name}, knobs changed"),
            InForce::ScenarioKnobs => f.write_str("(scenario knobs)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::Session;
    use siloscope_model::knob::Knob;

    #[test]
    fn a_policy_is_in_force_until_one_of_its_knobs_changes() {
        let path = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
            .join("scenarios/workshop.scenario.ron");
        let sc = siloscope_scenario::files::read_scenario(&path).unwrap();
        let mut s = Session::new(&sc, Some("connected".into()), Some(1)).unwrap();
        assert_eq!(InForce::of(s.sim()), InForce::Policy("connected"));
        assert!(InForce::of(s.sim()).is("connected"));
        let was = s.sim().knobs().get(Knob::SiloPermeability);
        s.set_knob(Knob::SiloPermeability, was / 2.0).unwrap();
        let now = InForce::of(s.sim());
        assert_eq!(now, InForce::Changed("connected"));
        assert!(!now.is("connected"));
        assert_eq!(now.to_string(), "connected, knobs changed");
        // Back to the policy's value, or the policy chosen again.
        s.set_knob(Knob::SiloPermeability, was).unwrap();
        assert!(InForce::of(s.sim()).is("connected"));
        s.set_knob(Knob::SiloPermeability, was / 2.0).unwrap();
        s.apply_policy("inside_out").unwrap();
        assert_eq!(InForce::of(s.sim()), InForce::Policy("inside_out"));
        let plain = Session::new(&sc, None, Some(1)).unwrap();
        let shown = InForce::of(plain.sim());
        assert!(shown == InForce::ScenarioKnobs || matches!(shown, InForce::Policy(_)));
    }
}
