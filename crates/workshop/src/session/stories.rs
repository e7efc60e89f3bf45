//! What the inspector tells about one agent: the lifecycle states it went
//! through, the last items it sent or received, why its last lifecycle
//! change came (its satisfaction and trust as the deciding step perceived
//! them, and the chance the model's rule gave the change at that
//! standing), and the last moves of its trust in the organisation. A
//! newcomer taking a customer's slot (market turnover) starts a new story.
//! Kept by the session per agent, after every step, and restored with the
//! snapshots on a rewind.

use siloscope_model::agent::{Lifecycle, Source};
use siloscope_model::assumptions::ModelParams;
use siloscope_model::flow::{FlowEvent, FlowKind};
use siloscope_model::lifecycle::{churn_chance, competitor_chance};
use siloscope_model::sim::Simulation;
use std::collections::VecDeque;

/// Items remembered per agent for the inspector.
pub const ITEMS_REMEMBERED: usize = 12;

/// Moves of trust remembered per customer.
pub const TRUST_MOVES_REMEMBERED: usize = 6;

/// A change of trust in the organisation worth telling the room about:
/// smaller drifts add up until they reach it.
pub const TRUST_MOVE: f32 = 0.02;

/// One item an agent sent or received.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ItemSeen {
    /// The step it moved in.
    pub step: u32,
    /// What it was.
    pub kind: FlowKind,
    /// The agent at the other end.
    pub other: u32,
    /// `true` if this agent sent it.
    pub sent: bool,
    /// `false` if a silo wall stopped it.
    pub passed: bool,
}

/// A lifecycle change, and where the customer stood when the model's rule
/// decided it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Change {
    /// Steps computed when it was seen (the step it took effect in is one
    /// less).
    pub step: u32,
    /// The state left.
    pub from: Lifecycle,
    /// The state entered.
    pub to: Lifecycle,
    /// Satisfaction as perceived at the start of that step: what the rule
    /// saw.
    pub satisfaction: f32,
    /// Trust in the organisation as perceived at the start of that step.
    pub trust: f32,
    /// A newcomer took the slot (market turnover): the customer before it
    /// left the market, and the story starts again.
    pub newcomer: bool,
}

/// Trust in the organisation moving by at least [`TRUST_MOVE`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrustMove {
    /// Steps computed when it had moved.
    pub step: u32,
    /// Where it stood at the last move told.
    pub from: f32,
    /// Where it stands now.
    pub to: f32,
}

/// What the inspector tells about one agent.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AgentStory {
    /// Lifecycle states entered, each with the number of steps computed
    /// when it was first seen (the first entry is the starting state, at 0).
    pub states: Vec<(u32, Lifecycle)>,
    /// The last [`ITEMS_REMEMBERED`] items it sent or received, oldest
    /// first.
    pub items: VecDeque<ItemSeen>,
    /// Its last lifecycle change, and why.
    pub last_change: Option<Change>,
    /// The last [`TRUST_MOVES_REMEMBERED`] moves of its trust in the
    /// organisation, oldest first.
    pub trust_moves: VecDeque<TrustMove>,
    /// The trust in the organisation last told (moves are counted from it).
    told: f32,
}

impl AgentStory {
    /// The items it sent or received in the `window` steps up to and
    /// including the step of `change`: what happened to it just before.
    pub fn items_before(&self, change: &Change, window: u32) -> impl Iterator<Item = &ItemSeen> {
        let last = change.step.saturating_sub(1);
        self.items
            .iter()
            .filter(move |i| i.step <= last && i.step + window > last)
    }
}

/// Every agent's story at the start of a run.
pub(super) fn initial(sim: &Simulation) -> Vec<AgentStory> {
    (0..sim.network().agents() as u32)
        .map(|a| AgentStory {
            states: sim.lifecycle(a).map(|s| (0, s)).into_iter().collect(),
            told: if sim.lifecycle(a).is_some() {
                sim.trust_in_org(a)
            } else {
                0.0
            },
            ..AgentStory::default()
        })
        .collect()
}

/// After a step: each agent's lifecycle change (with where it stood when
/// the step's rule decided it), trust moves, and the items that moved.
///
/// A step perceives satisfaction and trust at its start and decides on
/// them; the simulation reports those same values after the step, so they
/// are read now. Trust read after step `t` settled from evidence up to the
/// end of step `t - 1`. An unaware prospect is not perceived while it stays
/// unaware (nothing it does depends on it): for one, the simulation reports
/// what it would perceive now, a step later.
pub(super) fn record(stories: &mut [AgentStory], sim: &Simulation, flows: &[FlowEvent]) {
    let now = sim.step_index();
    let step = now.saturating_sub(1);
    for (a, story) in stories.iter_mut().enumerate() {
        let a = a as u32;
        let Some(state) = sim.lifecycle(a) else {
            continue;
        };
        let (satisfaction, trust) = (sim.satisfaction(a), sim.trust_in_org(a));
        if now > 0 && sim.arrived_at(a) == now {
            // A newcomer in the slot: the last customer's story is not its.
            let from = story.states.last().map_or(state, |&(_, s)| s);
            *story = AgentStory {
                states: vec![(now, state)],
                last_change: Some(Change {
                    step: now,
                    from,
                    to: state,
                    satisfaction,
                    trust,
                    newcomer: true,
                }),
                told: trust,
                ..AgentStory::default()
            };
            continue;
        }
        if let Some(&(_, from)) = story.states.last()
            && from != state
        {
            story.states.push((now, state));
            story.last_change = Some(Change {
                step: now,
                from,
                to: state,
                satisfaction,
                trust,
                newcomer: false,
            });
        }
        if (trust - story.told).abs() >= TRUST_MOVE {
            if story.trust_moves.len() == TRUST_MOVES_REMEMBERED {
                story.trust_moves.pop_front();
            }
            story.trust_moves.push_back(TrustMove {
                step: now,
                from: story.told,
                to: trust,
            });
            story.told = trust;
        }
    }
    for f in flows {
        for (agent, other, sent) in [(f.from, f.to, true), (f.to, f.from, false)] {
            if now > 0 && sim.arrived_at(agent) == now {
                // The customer who sent or got it has left the market.
                continue;
            }
            let items = &mut stories[agent as usize].items;
            if items.len() == ITEMS_REMEMBERED {
                items.pop_front();
            }
            items.push_back(ItemSeen {
                step,
                kind: f.kind,
                other,
                sent,
                passed: f.passed,
            });
        }
    }
}

/// A percentage for people: one decimal below 10 %, whole above.
fn percent(p: f32) -> String {
    let v = 100.0 * p;
    if v < 10.0 {
        format!("{v:.1} %")
    } else {
        format!("{v:.0} %")
    }
}

/// Why a lifecycle change came, in plain words: the model's rule for it,
/// the customer's standing when it was decided, and the chance that gave
/// it each step; `unit` names a step ("week"), `source` is where the
/// customer first heard of the organisation.
pub fn explain(change: &Change, p: &ModelParams, source: Source, unit: &str) -> String {
    use Lifecycle::*;
    let (s, t) = (change.satisfaction, change.trust);
    let when = format!("in {unit} {}", change.step);
    if change.newcomer {
        return format!(
            "A newcomer {when}: the customer here before left the market (the segment's turnover), and someone who has not heard of the organisation took its place."
        );
    }
    let standing = format!("satisfaction {s:.2}, trust in the organisation {t:.2}");
    let per = format!("each {unit}");
    match (change.from, change.to) {
        (Customer | Advocate, Churned) => {
            let leave = churn_chance(p.churn_rate, s, t);
            let competitor = if p.trade_offs {
                format!(
                    ", and {} to the competitor",
                    percent(competitor_chance(p.competitor_rate, s, t))
                )
            } else {
                String::new()
            };
            format!(
                "Left {when}. It stood at {standing}: a customer standing so leaves with a chance of {} {per}{competitor}, more the lower either is. A chance, not a verdict: customers at higher satisfaction leave too, only less often.",
                percent(leave)
            )
        }
        (Customer, Advocate) => format!(
            "Became an advocate {when}: {standing}, both at or above what advocates need ({:.2} and {:.2}), which gives a chance of {} {per}.",
            p.advocate_satisfaction,
            p.advocate_trust,
            percent(p.advocate_rate)
        ),
        (Advocate, Customer) => format!(
            "Stopped advocating {when}: {standing}; advocates need satisfaction {:.2} and trust {:.2}, and one that falls short stops with a chance of {} {per}.",
            p.advocate_satisfaction,
            p.advocate_trust,
            percent(p.advocate_rate)
        ),
        (Considering, Customer) => format!(
            "Became a customer {when}, {}: a prospect considering with satisfaction {s:.2} buys with a chance of {} {per}.",
            heard_through(source),
            percent(p.convert_rate * s)
        ),
        (Unaware, Aware) => format!(
            "Heard of the organisation {when}, {}.",
            heard_through(source)
        ),
        (Aware, Considering) => format!("Started considering {when}, {}.", heard_through(source)),
        (Aware, Unaware) | (Considering, Aware) | (Returning, Churned) => format!(
            "Lost interest {when}: with nothing to keep it going, interest lapses with a chance of {} {per}.",
            percent(p.lapse_rate)
        ),
        (Churned, Returning) => format!(
            "Began to come back {when}: an answer to one of its needs, or word of mouth around it, pulls a former customer back (at most {} {per}).",
            percent(p.return_rate)
        ),
        (Returning, Customer) => format!(
            "Came back as a customer {when}: {standing}; a returning customer comes back with a chance of {} {per}.",
            percent(p.consider_rate * s)
        ),
        (from, to) => format!(
            "Went from {} to {} {when} ({standing}).",
            from.label(),
            to.label()
        ),
    }
}

/// Where a customer first heard of the organisation, as the end of a
/// sentence.
fn heard_through(source: Source) -> &'static str {
    match source {
        Source::WordOfMouth => "through word of mouth",
        Source::Campaign => "through a campaign or a marketing push",
        Source::None => "from the start of the run",
    }
}
