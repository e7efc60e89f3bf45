//! A run to and from its saved form ([`crate::record::RunRecord`]): the
//! starting policy and seed, the live edits, the step on screen and the
//! timeline kept from before the last rewind. Rebuilding computes the run
//! from step 0 along its edits, so it is the saved run bit for bit.

use super::{Edit, LoggedEdit, Session, apply_edit};
use crate::record::{ActionRecord, EditKind, EditRecord, Fnv, GhostRecord, MAX_EDITS, RunRecord};
use siloscope_model::knob::Knob;
use siloscope_scenario::{Action, FieldPath, Intervention, Scenario};

/// Why a saved run cannot be rebuilt: where in the file, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct Refusal {
    /// The field of the session file.
    pub path: FieldPath,
    /// What is wrong with it.
    pub message: String,
}

impl Refusal {
    pub(crate) fn at(path: FieldPath, message: impl Into<String>) -> Refusal {
        Refusal {
            path,
            message: message.into(),
        }
    }
}

impl Session {
    /// This run as a session file saves it.
    pub fn record(&self) -> RunRecord {
        RunRecord {
            policy: self.start.policy.clone(),
            seed: self.start.seed,
            step: self.step_index(),
            edits: self
                .edits
                .iter()
                .map(|e| edit_record(self.scenario(), e))
                .collect(),
            ghost: (!self.ghost.is_empty()).then(|| GhostRecord {
                steps: self.ghost.len() as u32,
                edits: self
                    .ghost_edits
                    .iter()
                    .map(|e| edit_record(self.scenario(), e))
                    .collect(),
                branched_at: self.branched_at,
            }),
        }
    }

    /// Rebuild a saved run of `scenario`; `at` is where `run` is in the
    /// session file, for the refusal.
    pub fn restore(
        scenario: &Scenario,
        run: &RunRecord,
        at: &FieldPath,
    ) -> Result<Session, Refusal> {
        let horizon = scenario.steps;
        within(run.step, horizon, at.field("step"))?;
        let fresh = || {
            Session::new(scenario, run.policy.clone(), run.seed)
                .map_err(|e| Refusal::at(at.field("policy"), e.to_string()))
        };
        let mut session = fresh()?;
        let edits = logged_edits(scenario, &run.edits, &at.field("edits"))?;
        if let Some(ghost) = &run.ghost {
            let here = at.field("ghost");
            within(ghost.steps, horizon, here.field("steps"))?;
            if let Some(b) = ghost.branched_at.filter(|&b| b > ghost.steps) {
                return Err(Refusal::at(
                    here.field("branched_at"),
                    format!("step {b} is past the old timeline's end ({})", ghost.steps),
                ));
            }
            let mut old = fresh()?;
            old.replay(
                logged_edits(scenario, &ghost.edits, &here.field("edits"))?,
                ghost.steps,
                &here.field("edits"),
            )?;
            session.ghost = old.history;
            session.ghost_edits = old.edits;
            session.branched_at = ghost.branched_at;
        }
        session.replay(edits, run.step, &at.field("edits"))?;
        Ok(session)
    }

    /// Compute to `target` applying `edits` at their steps, each refused
    /// edit named; edits of later steps are kept for their steps.
    fn replay(
        &mut self,
        edits: Vec<LoggedEdit>,
        target: u32,
        at: &FieldPath,
    ) -> Result<(), Refusal> {
        let mut edits = edits.into_iter().enumerate().peekable();
        loop {
            while let Some((i, e)) = edits.next_if(|(_, e)| e.step <= self.step_index()) {
                apply_edit(&mut self.sim, &e.edit)
                    .map_err(|why| Refusal::at(at.index(i).field("edit"), why.to_string()))?;
                self.edits.push(e);
                self.applied += 1;
            }
            if self.step_index() >= target || self.step().is_none() {
                break;
            }
        }
        self.edits.extend(edits.map(|(_, e)| e));
        Ok(())
    }

    /// A hash of everything the room can see of this run and everything
    /// that decides its future: the simulation's state, the history, the
    /// edits (made and waiting), the old timeline, the agents' stories and
    /// the items that moved last. Equal for a run and its restored copy.
    pub fn state_hash(&self) -> u64 {
        let mut h = Fnv::new();
        h.u64(self.sim.state_hash());
        h.debug(&self.start);
        h.debug(&self.edits);
        h.u64(self.applied as u64);
        h.debug(&self.history);
        h.debug(&self.last_flows);
        h.debug(&self.stories);
        h.debug(&self.ghost);
        h.debug(&self.branched_at);
        h.finish()
    }
}

/// `step` is at most the scenario's `horizon`, else refused at `at`.
fn within(step: u32, horizon: u32, at: FieldPath) -> Result<(), Refusal> {
    if step > horizon {
        return Err(Refusal::at(
            at,
            format!("step {step} is past the scenario's horizon ({horizon} steps)"),
        ));
    }
    Ok(())
}

fn edit_record(scenario: &Scenario, e: &LoggedEdit) -> EditRecord {
    let named = |values: &[(Knob, f32)]| -> Vec<(String, f32)> {
        values
            .iter()
            .map(|(k, v)| (k.name().to_owned(), *v))
            .collect()
    };
    EditRecord {
        step: e.step,
        edit: match &e.edit {
            Edit::Knob(k, v) => EditKind::Knob(k.name().to_owned(), *v),
            Edit::Policy(name) => EditKind::Policy(name.clone()),
            Edit::Schedule(iv) => EditKind::Schedule {
                at: iv.at,
                action: match &iv.action {
                    Action::Set(values) => ActionRecord::Set(named(values)),
                    Action::Policy(name) => ActionRecord::Policy(name.clone()),
                    Action::Campaign { duration, reach } => ActionRecord::Campaign {
                        duration: *duration,
                        reach: *reach,
                    },
                },
            },
            Edit::Decide(agent, decision) => EditKind::Decide {
                agent: scenario.agent_id(*agent),
                choices: *decision,
            },
        },
    }
}

/// The saved edits as the session's, in order of their steps (none past
/// the scenario's horizon), knobs and agents found by name.
fn logged_edits(
    scenario: &Scenario,
    edits: &[EditRecord],
    at: &FieldPath,
) -> Result<Vec<LoggedEdit>, Refusal> {
    let horizon = scenario.steps;
    if edits.len() > MAX_EDITS {
        return Err(Refusal::at(
            at.clone(),
            format!("{} edits; at most {MAX_EDITS}", edits.len()),
        ));
    }
    let knob = |name: &str, at: FieldPath| {
        Knob::from_name(name).ok_or_else(|| {
            Refusal::at(
                at,
                format!("unknown knob \"{name}\"; knobs: {}", Knob::names()),
            )
        })
    };
    let mut out = Vec::with_capacity(edits.len());
    for (i, e) in edits.iter().enumerate() {
        let here = at.index(i);
        within(e.step, horizon, here.field("step"))?;
        if let Some(before) = out.last().map(|l: &LoggedEdit| l.step)
            && e.step < before
        {
            return Err(Refusal::at(
                here.field("step"),
                format!(
                    "step {} comes after an edit of step {before}: edits are in the order they were made",
                    e.step
                ),
            ));
        }
        let edit = match &e.edit {
            EditKind::Knob(name, v) => Edit::Knob(knob(name, here.field("edit"))?, *v),
            EditKind::Policy(name) => Edit::Policy(name.clone()),
            EditKind::Schedule { at: step, action } => Edit::Schedule(Intervention {
                at: *step,
                action: match action {
                    ActionRecord::Set(values) => Action::Set(
                        values
                            .iter()
                            .map(|(name, v)| Ok((knob(name, here.field("edit"))?, *v)))
                            .collect::<Result<_, Refusal>>()?,
                    ),
                    ActionRecord::Policy(name) => Action::Policy(name.clone()),
                    ActionRecord::Campaign { duration, reach } => Action::Campaign {
                        duration: *duration,
                        reach: *reach,
                    },
                },
            }),
            EditKind::Decide { agent, choices } => {
                let a = scenario.find_agent(agent).ok_or_else(|| {
                    Refusal::at(
                        here.field("edit").field("agent"),
                        format!(
                            "no agent \"{agent}\" in the scenario; ids are a group name and a number, e.g. \"{}\"",
                            scenario.agent_id(0)
                        ),
                    )
                })?;
                Edit::Decide(a, *choices)
            }
        };
        out.push(LoggedEdit { step: e.step, edit });
    }
    Ok(out)
}
