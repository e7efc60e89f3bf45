//! **Interventions**: what a scenario schedules and a facilitator changes
//! live — "open the extranet in month six", "run a campaign for eight
//! weeks", "switch to connected now".
//!
//! **Models:** phase 1 of the step. Interventions scheduled at step `t` apply in
//! file order (`Set` knobs, switch `Policy`, start a `Campaign`), then the
//! live changes made since the last step. Every knob change is marked in
//! the step's report (`knob_changes`), so charts can show it.
//!
//! **Knobs:** any. A campaign adds its `reach` to `campaign_reach` for
//! `duration` steps (capped at 1; see `word_of_mouth.rs`).
//!
//! **Feeds:** `StepReport::knob_changes`.
//!
//! **Leaves out:** interventions that change the network (new ties, new staff).

use crate::scenario::Action;
use crate::sim::{Campaign, Simulation};

impl Simulation {
    /// Phase 1: scheduled interventions at `t`, then live changes.
    pub(super) fn apply_interventions(&mut self, t: u32) {
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
                    self.campaigns.push(Campaign {
                        end: t.saturating_add(*duration),
                        reach: *reach,
                    });
                }
            }
        }
        self.report.knob_changes.append(&mut self.live_changes);
        self.campaigns.retain(|c| c.end > t);
    }
}
