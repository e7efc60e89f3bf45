//! Played agents: a person in the room decides for an agent what its rules
//! would otherwise leave to chance.
//!
//! Before a step, [`Simulation::decide_for`] gives an agent a [`Decision`]
//! for that step only. Each choice it makes (`Some`) replaces the rule at
//! one decision point; a choice left open (`None`) and every agent nobody
//! plays keep the rules, so bots fill the empty seats. Where a choice
//! replaces a chance, the step still draws the chance and then takes the
//! choice, so a run where nobody decides draws exactly what it drew before
//! (same hashes), and a choice changes later draws only through what it
//! sets going (a complaint's need, a referral) or stops (a held need is
//! not worked on).
//!
//! | choice | who | replaces |
//! |---|---|---|
//! | `contact` | an active customer | the chance to contact a touchpoint (`model.contact_rate`) |
//! | `complain` | an active customer | (implies `contact`) the need enters the organisation at the touchpoint's staff member and travels toward Product, as a need passed on by listening does |
//! | `ask_peer` | an active customer | the chance to ask a peer (`community_enablement · (1 − satisfaction)`) |
//! | `refer` | an active customer | nothing: one more act. They tell an unaware peer, who is exposed by word of mouth in this step's phase 5 |
//! | `leave` | an active customer | the churn draw (and leaving for the competitor); `Some(false)` stays this step |
//! | `needs` | any staff member | for the needs arriving at them this step: `Handle` passes each on one hop, across a silo wall if the route crosses one (the wall's chance, `silo_permeability`, is the head's choice), and at Product takes it in and answers (the `transparency` chance); `Hold` keeps each a step (a hop, as a stretched staff member does) |
//! | `offer` | Marketing or Sales staff | the chance to push a message (`marketing_push`) or make a cross-sell offer (`cross_sell_pressure`) |
//!
//! Staff time still binds: a handled need or an offer still needs the
//! staff member's time with the trade-offs on. A choice an agent cannot
//! make (a prospect asked to leave, a partner asked to pass needs on) is
//! refused with [`SimError::NotPlayable`], naming the agent and why.
//!
//! The decisions are part of the state until the step consumes them
//! ([`Simulation::state_hash`] covers them), and a facilitator's session
//! logs them as edits, so rewinding and replaying a played run gives it
//! back bit for bit.

use super::{SimError, Simulation};
use crate::agent::{Lifecycle, Part, Role};
use serde::{Deserialize, Serialize};

/// What a participant chose for their agent for one step. Each `Some`
/// replaces the rule at one decision point (see the module's table);
/// `None` leaves it to the rule.
///
/// In a session file (RON) only the choices made are written, e.g.
/// `(contact: Some(true), complain: Some(true))`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Decision {
    /// A customer contacts a touchpoint this step (or not).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<bool>,
    /// A customer's contact is a complaint: its need enters the
    /// organisation. `Some(true)` implies `contact`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub complain: Option<bool>,
    /// A customer asks a peer for help (or not).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ask_peer: Option<bool>,
    /// A customer tells an unaware peer about the organisation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refer: Option<bool>,
    /// A customer leaves (or stays this step).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leave: Option<bool>,
    /// A staff member handles or holds the needs arriving at them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub needs: Option<NeedChoice>,
    /// Marketing pushes a message, Sales makes an offer (or not).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offer: Option<bool>,
}

/// What a staff member does with the needs that reach them in a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NeedChoice {
    /// Pass each on one hop toward Product, across a wall if the route
    /// crosses one; at Product, take it in and answer.
    Handle,
    /// Sit on each for a step.
    Hold,
}

impl Decision {
    /// Whether it leaves everything to the rules.
    pub fn is_empty(&self) -> bool {
        *self == Decision::default()
    }

    /// The choices it makes, in words ("contacts", "holds needs"), in the
    /// order of its fields.
    pub fn words(&self) -> Vec<&'static str> {
        let yes_no = |c: Option<bool>, yes, no| c.map(|c| if c { yes } else { no });
        [
            yes_no(self.contact, "contacts", "does not contact"),
            yes_no(self.complain, "complains", "does not complain"),
            yes_no(self.ask_peer, "asks a peer", "asks no peer"),
            yes_no(self.refer, "refers a friend", "refers nobody"),
            yes_no(self.leave, "leaves", "stays"),
            self.needs.map(|n| match n {
                NeedChoice::Handle => "handles needs",
                NeedChoice::Hold => "holds needs",
            }),
            yes_no(self.offer, "makes an offer", "makes no offer"),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    fn customer_choices(&self) -> bool {
        self.contact.is_some()
            || self.complain.is_some()
            || self.ask_peer.is_some()
            || self.refer.is_some()
            || self.leave.is_some()
    }
}

impl Simulation {
    /// Agent `a` decides `decision` for the next step (replacing what it
    /// decided before for that step). Refused for an unknown agent, for a
    /// choice its part, role or lifecycle state cannot make, and for a
    /// complaint without a contact.
    pub fn decide_for(&mut self, a: u32, decision: Decision) -> Result<(), SimError> {
        self.check_decision(a, &decision)?;
        match self.decisions.binary_search_by_key(&a, |&(agent, _)| agent) {
            Ok(i) if decision.is_empty() => {
                self.decisions.remove(i);
            }
            Ok(i) => self.decisions[i].1 = decision,
            Err(_) if decision.is_empty() => {}
            Err(i) => self.decisions.insert(i, (a, decision)),
        }
        Ok(())
    }

    /// The decisions waiting for the next step, by agent.
    pub fn decisions(&self) -> &[(u32, Decision)] {
        &self.decisions
    }

    fn check_decision(&self, a: u32, d: &Decision) -> Result<(), SimError> {
        let refuse = |why: String| SimError::NotPlayable {
            agent: a,
            why: why.clone(),
        };
        if a as usize >= self.net.agents() {
            return Err(refuse(format!(
                "there is no agent {a}; this organisation has {}",
                self.net.agents()
            )));
        }
        let part = self.net.part[a as usize];
        let customer = matches!(part, Part::ExistingCustomer | Part::NewCustomer);
        if d.customer_choices() {
            if !customer {
                return Err(refuse(format!(
                    "contact, complain, ask_peer, refer and leave are a customer's choices; this agent is one of the {}",
                    part.label().replace('_', " ")
                )));
            }
            let state = Lifecycle::from_u8(self.state[a as usize]);
            if !state.is_active_customer() {
                return Err(refuse(format!(
                    "only an active customer decides; this one is {}",
                    state.label()
                )));
            }
            if d.complain == Some(true) && d.contact == Some(false) {
                return Err(refuse(
                    "a complaint is a contact: complain needs contact too".into(),
                ));
            }
        }
        if d.needs.is_some() && part != Part::Department {
            return Err(refuse(format!(
                "only staff handle or hold needs; this agent is one of the {}",
                part.label().replace('_', " ")
            )));
        }
        if d.offer.is_some()
            && (part != Part::Department
                || !matches!(self.net.role_of(a), Role::Marketing | Role::Sales))
        {
            return Err(refuse(
                "only Marketing (a push) and Sales (an offer) decide on offers".into(),
            ));
        }
        Ok(())
    }

    /// Agent `a`'s decision for this step, if it made one.
    #[inline]
    pub(super) fn decision(&self, a: u32) -> Option<&Decision> {
        if self.decisions.is_empty() {
            return None;
        }
        self.decisions
            .binary_search_by_key(&a, |&(agent, _)| agent)
            .ok()
            .map(|i| &self.decisions[i].1)
    }

    /// The rule's outcome `rule` at one decision point, or agent `a`'s
    /// choice there.
    #[inline]
    pub(super) fn chosen(
        &self,
        a: u32,
        choice: impl Fn(&Decision) -> Option<bool>,
        rule: bool,
    ) -> bool {
        self.decision(a).and_then(choice).unwrap_or(rule)
    }
}
