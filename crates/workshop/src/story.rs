//! Stories: a scenario's guided tour for the room.
//!
//! A scenario may carry a `story`, an ordered list of steps, each with a
//! title, a short note for the room, and actions: choose a policy, set
//! knobs, run (or rewind) to a step, switch the A/B comparison on or off,
//! focus the view on a part, highlight a mechanism. The app's presenter
//! mode shows one step at a time in large type and advances with the arrow
//! keys. Performing a story is deterministic: the same steps from the same
//! start always leave the runs in the same state, so stepping *back* is
//! done by performing the story again from the start.
//!
//! ```ron
//! story: [
//!     (
//!         title: "Silos",
//!         note: "Each department trusts itself; needs stop at the walls.",
//!         actions: [Policy("inside_out"), RunTo(26), Focus(Department), Highlight(SiloWalls)],
//!     ),
//! ]
//! ```

use crate::compare::Runs;
use siloscope_model::sim::SimError;
pub use siloscope_model::story::{Chart, Focus, Mechanism, StoryAction, StoryStep};

/// How the view is staged after a story step: each step says what it
/// frames and highlights (the whole organisation and nothing, unless it
/// says otherwise).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Staging {
    /// What to frame.
    pub focus: Focus,
    /// What to make stand out.
    pub highlight: Option<Mechanism>,
}

/// How a story step stages the view: what its actions frame and
/// highlight (the last of each), without performing it.
pub fn staging_of(step: &StoryStep) -> Staging {
    let mut staging = Staging::default();
    for action in &step.actions {
        match action {
            StoryAction::Focus(focus) => staging.focus = *focus,
            StoryAction::Highlight(m) => staging.highlight = Some(*m),
            _ => {}
        }
    }
    staging
}

/// Perform one story step on the runs, in order, and say how to stage the
/// view ([`staging_of`]). Stops at the first action the runs refuse (a
/// validated scenario's story is refused nothing).
pub fn perform(step: &StoryStep, runs: &mut Runs) -> Result<Staging, SimError> {
    for action in &step.actions {
        match action {
            StoryAction::Policy(name) => runs.a_mut().apply_policy(name)?,
            StoryAction::Set(values) => {
                for &(knob, value) in values {
                    runs.a_mut().set_knob(knob, value)?;
                }
            }
            StoryAction::RunTo(step) => runs.goto(*step),
            StoryAction::Compare(policy) => runs.compare(policy)?,
            StoryAction::CompareOff => runs.set_comparing(false),
            StoryAction::Focus(_) | StoryAction::Highlight(_) => {}
        }
    }
    Ok(staging_of(step))
}

/// Start the story over and perform its steps `0..=last`: the state the
/// room sees at step `last`, however it got there.
pub fn perform_to(story: &[StoryStep], last: usize, runs: &mut Runs) -> Result<Staging, SimError> {
    runs.restart()?;
    let mut staging = Staging::default();
    for step in story.iter().take(last + 1) {
        staging = perform(step, runs)?;
    }
    Ok(staging)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::Session;
    use siloscope_model::agent::Part;
    use siloscope_model::knob::Knob;
    use siloscope_scenario::{Scenario, parse_str};

    fn workshop() -> Scenario {
        let text = include_str!("../../../scenarios/workshop.scenario.ron");
        parse_str(text, "workshop.scenario.ron").unwrap()
    }

    /// The last report of a run, and a measure of it.
    fn last(s: &Session) -> &siloscope_model::metrics::StepReport {
        s.history().last().expect("the story has run")
    }

    fn loop_closure(s: &Session) -> f64 {
        let t = &last(s).totals;
        t.loops_closed as f64 / t.needs_raised.max(1) as f64
    }

    fn need_reach(s: &Session) -> f64 {
        let t = &last(s).totals;
        t.needs_reached as f64 / t.needs_raised.max(1) as f64
    }

    /// Active existing customers (customers and advocates).
    fn kept(s: &Session) -> u32 {
        let l = &last(s).lifecycle[Part::ExistingCustomer.index()];
        l[siloscope_model::agent::Lifecycle::Customer as usize]
            + l[siloscope_model::agent::Lifecycle::Advocate as usize]
    }

    /// The shipped workshop story, performed step by step, leaves the runs
    /// in the state each step's note describes.
    #[test]
    fn the_workshop_story_tells_the_seeds_argument() {
        let scenario = workshop();
        let story = &scenario.story;
        assert!((3..10).contains(&story.len()), "under 10 steps");
        let mut runs = Runs::new(Session::new(&scenario, None, None).unwrap());
        let mut stagings = Vec::new();
        let check = |i: usize, runs: &Runs| match i {
            0 => {
                assert_eq!(runs.a().step_index(), 0);
                assert_eq!(runs.a().sim().policy(), Some("inside_out"));
            }
            1 => {
                // Silos: needs die at the walls, contacts queue, trust goes
                // nowhere. About one need in twenty reaches Product by week
                // 26 (28 of 525 over seeds 1 to 12; 0 of 41 on this seed).
                let a = runs.a();
                assert_eq!(a.step_index(), 26);
                assert!(need_reach(a) < 0.1, "{}", need_reach(a));
                assert!(last(a).queue_length > 0);
                assert!((last(a).customer_trust_in_org - 0.5).abs() < 0.03);
            }
            2 => {
                let a = runs.a();
                assert!(last(a).totals.churn > 40);
                assert!(last(a).totals.lost_to_competitor > 10);
                assert!(loop_closure(a) < 0.01);
            }
            3 => {
                // Outside-in is one-way: needs are written up, the silos
                // stop most, answers do not come back.
                let a = runs.a();
                assert_eq!((a.step_index(), a.sim().policy()), (52, Some("outside_in")));
                assert!(last(a).totals.needs_raised > 500);
                assert!(need_reach(a) < 0.1 && loop_closure(a) < 0.01);
                assert!(!runs.comparing());
            }
            4 => {
                // Connected is two-way, on the same seed.
                let (a, b) = (runs.a(), runs.b().expect("comparing"));
                assert_eq!(b.sim().policy(), Some("connected"));
                assert_eq!((b.step_index(), b.seed()), (52, a.seed()));
                assert!(loop_closure(b) > 0.2 && loop_closure(b) > 50.0 * loop_closure(a));
                assert!(last(b).customer_trust_in_org > last(a).customer_trust_in_org + 0.1);
                assert!(kept(b) > kept(a));
            }
            5 => {
                // The price: half as much again, busier staff, and more
                // profit within the year. (Busier staff in each of seeds
                // 1 to 7 and 42, by 0.04 to 0.18 of their time; a longer
                // queue at week 52 in six of the eight only.)
                let (a, b) = (runs.a(), runs.b().unwrap());
                let (ta, tb) = (&last(a).totals, &last(b).totals);
                assert!(
                    (1.3..1.7).contains(&(tb.cost / ta.cost)),
                    "{}",
                    tb.cost / ta.cost
                );
                let busy = |s| last(s).staff_utilisation().expect("with the trade-offs");
                assert!(busy(b) > busy(a) + 0.02);
                assert!(tb.profit() > ta.profit());
            }
            6 => {
                // Opening up in week 13: close on trust, customers lost stay lost.
                let (a, b) = (runs.a(), runs.b().unwrap());
                assert_eq!(a.branched_at(), Some(13));
                let gap = last(b).customer_trust_in_org - last(a).customer_trust_in_org;
                assert!((0.0..0.1).contains(&gap), "trust gap {gap}");
                assert!(kept(a) < kept(b));
            }
            7 => {
                // Word of mouth beats the viral campaign, which is cheaper
                // and earns less.
                let (a, b) = (runs.a(), runs.b().unwrap());
                assert_eq!(b.sim().policy(), Some("viral_campaign"));
                assert_eq!(a.step_index(), 104);
                let (ta, tb) = (&last(a).totals, &last(b).totals);
                // Connected wins 2.0 to 2.7 times the campaign's word of
                // mouth over two years (seeds 1 to 6 and 42, run alone).
                assert!(
                    2 * ta.acquisitions_word_of_mouth > 3 * tb.acquisitions_word_of_mouth,
                    "{ta:?} {tb:?}"
                );
                assert!(tb.acquisitions_campaign > 2 * ta.acquisitions_campaign.max(1));
                // The campaign's customers churn 1.36 to 1.89 times as
                // often (seeds 1 to 6 and 42, run alone).
                assert!(
                    4 * tb.churn > 5 * ta.churn,
                    "churn {} vs {}",
                    tb.churn,
                    ta.churn
                );
                assert!(tb.cost < ta.cost && tb.profit() < ta.profit());
            }
            _ => assert!(runs.comparing()),
        };
        for (i, step) in story.iter().enumerate() {
            stagings.push(perform(step, &mut runs).unwrap());
            check(i, &runs);
        }
        assert_eq!(
            stagings[1],
            Staging {
                focus: Focus::Department,
                highlight: Some(Mechanism::SiloWalls)
            }
        );
        assert_eq!(stagings[8], Staging::default());
    }

    /// Stepping back re-performs the story from the start: the same state
    /// as getting there forwards.
    #[test]
    fn performing_to_a_step_equals_performing_each_step_in_order() {
        let scenario = workshop();
        let mut forward = Runs::new(Session::new(&scenario, None, None).unwrap());
        for step in &scenario.story[..7] {
            perform(step, &mut forward).unwrap();
        }
        let mut jumped = Runs::new(Session::new(&scenario, None, None).unwrap());
        // Wander first: compare on, edits, another step.
        jumped.compare("all_about_you").unwrap();
        jumped.a_mut().set_knob(Knob::Transparency, 0.1).unwrap();
        jumped.goto(70);
        let staging = perform_to(&scenario.story, 6, &mut jumped).unwrap();
        assert_eq!(staging.focus, Focus::All);
        for (f, j) in [
            (forward.a(), jumped.a()),
            (forward.b().unwrap(), jumped.b().unwrap()),
        ] {
            assert_eq!(f.step_index(), j.step_index());
            assert_eq!(f.sim().state_hash(), j.sim().state_hash());
            assert_eq!(f.edits(), j.edits());
        }
    }
}
