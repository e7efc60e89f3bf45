//! The controls a facilitator or a batch run uses between steps: set a
//! knob, switch policy, schedule an intervention. Each is checked against
//! the scenario (ranges, known policies, not in the past) and takes effect
//! from the next step, marked in that step's report.

use super::{SimError, Simulation};
use crate::knob::Knob;
use crate::scenario::{Action, Intervention};

impl Simulation {
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
}
