use super::stories;
use super::*;
use siloscope_model::flow::FlowKind;
use siloscope_scenario::{Action, parse_str};

const WORKSHOP: &str = include_str!("../../../../scenarios/workshop.scenario.ron");

fn workshop() -> Scenario {
    parse_str(WORKSHOP, "workshop.scenario.ron").expect("the workshop scenario is valid")
}

fn session() -> Session {
    Session::new(&workshop(), None, None).unwrap()
}

#[test]
fn steps_stop_at_the_horizon_and_history_keeps_every_report() {
    let mut scenario = workshop();
    scenario.steps = 5;
    let mut s = Session::new(&scenario, None, None).unwrap();
    for k in 0..5 {
        assert_eq!(s.step().map(|r| r.step), Some(k));
    }
    assert!(s.at_end());
    assert!(s.step().is_none());
    assert_eq!(s.step_index(), 5);
    let steps: Vec<u32> = s.history().iter().map(|r| r.step).collect();
    assert_eq!(steps, [0, 1, 2, 3, 4]);
    assert!(s.history().iter().all(|r| r.flows.is_empty()));
}

#[test]
fn items_of_the_last_step_are_kept_for_display() {
    let mut s = session();
    s.advance_to(3);
    assert!(
        !s.last_flows().is_empty(),
        "the workshop moves items every step"
    );
    let kinds: std::collections::HashSet<_> = s.last_flows().iter().map(|f| f.kind).collect();
    assert!(kinds.contains(&FlowKind::Internal));
}

#[test]
fn a_live_knob_change_reaches_the_core_and_marks_the_next_step() {
    let mut s = session();
    s.advance_to(4);
    s.set_knob(Knob::Transparency, 0.9).unwrap();
    assert_eq!(s.sim().knobs().get(Knob::Transparency), 0.9);
    let report = s.step().unwrap();
    assert_eq!(report.step, 4);
    assert!(report.knob_changes.contains(&(Knob::Transparency, 0.9)));
    assert_eq!(
        s.edits(),
        [LoggedEdit {
            step: 4,
            edit: Edit::Knob(Knob::Transparency, 0.9)
        }]
    );
    // Refused values leave no trace.
    assert!(s.set_knob(Knob::Transparency, 7.0).is_err());
    assert_eq!(s.edits().len(), 1);
}

#[test]
fn reloading_replays_live_edits_to_the_same_state() {
    let mut s = session();
    s.advance_to(6);
    s.apply_policy("connected").unwrap();
    s.advance_to(9);
    s.set_knob(Knob::SiloPermeability, 0.1).unwrap();
    s.schedule(Intervention {
        at: 12,
        action: Action::Campaign {
            duration: 3,
            reach: 0.2,
        },
    })
    .unwrap();
    s.advance_to(15);
    let before = s.sim().state_hash();

    let done = s.reload(&workshop()).unwrap();
    assert_eq!(done.step, 15);
    assert_eq!(done.replayed, 3);
    assert!(done.refused.is_empty());
    assert_eq!(s.sim().state_hash(), before, "replay is exact");
    assert_eq!(s.history().len(), 15);
}

#[test]
fn reloading_a_changed_file_takes_effect_and_reports_refused_edits() {
    let mut s = session();
    s.advance_to(3);
    s.apply_policy("connected").unwrap();
    s.advance_to(5);
    let mut changed = workshop();
    changed.policies.retain(|p| p.name != "connected");
    changed.steps = 4;
    let done = s.reload(&changed).unwrap();
    assert_eq!(done.step, 4, "the new horizon caps the replay");
    assert_eq!(done.replayed, 0);
    assert_eq!(done.refused.len(), 1);
    assert!(done.refused[0].contains("connected"), "{:?}", done.refused);
    assert_eq!(s.horizon(), 4);
}

#[test]
fn reset_returns_to_step_zero_with_the_same_seed_and_no_edits() {
    let mut fresh = session();
    fresh.advance_to(8);
    let mut s = session();
    s.advance_to(5);
    s.set_knob(Knob::MarketingPush, 1.0).unwrap();
    s.schedule(Intervention {
        at: 6,
        action: Action::Set(vec![(Knob::Transparency, 0.0)]),
    })
    .unwrap();
    s.advance_to(7);
    s.reset().unwrap();
    assert_eq!(s.step_index(), 0);
    assert!(s.edits().is_empty() && s.history().is_empty());
    assert_eq!(
        s.scenario().interventions,
        workshop().interventions,
        "live interventions are gone"
    );
    s.advance_to(8);
    assert_eq!(s.sim().state_hash(), fresh.sim().state_hash());
}

#[test]
fn reseeding_changes_the_run() {
    let mut a = session();
    let mut b = session();
    b.reseed(a.seed() + 1).unwrap();
    assert_eq!(b.seed(), a.seed() + 1);
    a.advance_to(5);
    b.advance_to(5);
    assert_ne!(a.sim().state_hash(), b.sim().state_hash());
}

#[test]
fn scheduling_checks_the_step_and_the_action() {
    let mut s = session();
    s.advance_to(3);
    let past = Intervention {
        at: 2,
        action: Action::Campaign {
            duration: 1,
            reach: 0.1,
        },
    };
    assert!(matches!(s.schedule(past), Err(SimError::InThePast { .. })));
    let unknown = Intervention {
        at: 5,
        action: Action::Policy("nope".into()),
    };
    assert!(matches!(
        s.schedule(unknown),
        Err(SimError::UnknownPolicy(_))
    ));
    // A campaign the scenario format would refuse is refused live too.
    for (duration, reach) in [(0, 0.5), (3, f32::NAN), (3, -0.1), (3, 1.5)] {
        let campaign = Intervention {
            at: 5,
            action: Action::Campaign { duration, reach },
        };
        assert!(
            matches!(s.schedule(campaign), Err(SimError::InvalidCampaign { .. })),
            "{duration} {reach}"
        );
    }
    let set = Intervention {
        at: 5,
        action: Action::Set(vec![(Knob::SelfService, 0.8)]),
    };
    s.schedule(set).unwrap();
    s.advance_to(5);
    assert_ne!(
        s.sim().knobs().get(Knob::SelfService),
        0.8,
        "not before its step"
    );
    let report = s.step().unwrap();
    assert!(report.knob_changes.contains(&(Knob::SelfService, 0.8)));
    assert_eq!(s.sim().knobs().get(Knob::SelfService), 0.8);
}

#[test]
fn stories_follow_lifecycle_changes_and_remember_recent_items() {
    let mut s = session();
    s.advance_to(40);
    let customers: Vec<u32> = (0..s.sim().network().agents() as u32)
        .filter(|&a| s.sim().lifecycle(a).is_some())
        .collect();
    let moved = customers
        .iter()
        .find(|&&a| s.story(a).unwrap().states.len() > 1)
        .expect("some customer changed state in 40 steps");
    let story = s.story(*moved).unwrap();
    assert_eq!(story.states[0].0, 0);
    assert_eq!(
        story.states.last().unwrap().1,
        s.sim().lifecycle(*moved).unwrap()
    );
    assert!(
        story
            .states
            .windows(2)
            .all(|w| w[0].0 < w[1].0 && w[0].1 != w[1].1)
    );
    let busy = (0..s.sim().network().agents() as u32)
        .map(|a| s.story(a).unwrap().items.len())
        .max()
        .unwrap();
    assert_eq!(busy, ITEMS_REMEMBERED, "the busiest agent's memory is full");
    let staff = (0..s.sim().network().agents() as u32)
        .find(|&a| s.sim().lifecycle(a).is_none())
        .unwrap();
    assert!(s.story(staff).unwrap().states.is_empty());
}

#[test]
fn the_csv_export_holds_every_step() {
    let mut s = session();
    s.advance_to(3);
    let dir = std::env::temp_dir().join(format!("siloscope-session-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("run.csv");
    s.write_csv(&path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("run,policy,seed,step,metric,part,value"));
    let steps: std::collections::BTreeSet<&str> =
        lines.map(|l| l.split(',').nth(3).unwrap()).collect();
    assert_eq!(steps.into_iter().collect::<Vec<_>>(), ["0", "1", "2"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Whether two runs reported the same (reports hold NaN for undefined
/// means, so they are compared by their exact text).
fn same(a: &[StepReport], b: &[StepReport]) -> bool {
    a.len() == b.len() && format!("{a:?}") == format!("{b:?}")
}

/// A run with a policy switch, a knob change and a live intervention, and
/// what it looked like at every step.
fn edited_run(to: u32) -> (Session, Vec<u64>, Vec<Vec<FlowEvent>>) {
    let mut s = session();
    let mut hashes = vec![s.sim().state_hash()];
    let mut flows = vec![Vec::new()];
    for step in 0..to {
        match step {
            6 => s.apply_policy("connected").unwrap(),
            9 => s.set_knob(Knob::SiloPermeability, 0.1).unwrap(),
            11 => s
                .schedule(Intervention {
                    at: 20,
                    action: Action::Campaign {
                        duration: 3,
                        reach: 0.2,
                    },
                })
                .unwrap(),
            _ => {}
        }
        s.step();
        hashes.push(s.sim().state_hash());
        flows.push(s.last_flows().to_vec());
    }
    (s, hashes, flows)
}

#[test]
fn rewinding_restores_every_earlier_step_and_replaying_reproduces_the_run() {
    let (mut s, hashes, flows) = edited_run(40);
    let history = s.history().to_vec();
    let edits = s.edits().to_vec();
    let stories: Vec<AgentStory> = (0..s.sim().network().agents() as u32)
        .map(|a| s.story(a).unwrap().clone())
        .collect();
    for t in [33, 16, 13, 5, 0, 21, 8] {
        s.goto(t);
        assert_eq!(s.step_index(), t);
        assert_eq!(
            s.sim().state_hash(),
            hashes[t as usize],
            "state at step {t}"
        );
        assert!(
            same(s.history(), &history[..t as usize]),
            "history to step {t}"
        );
        assert_eq!(s.last_flows(), flows[t as usize], "items of step {t}");
        // Knobs show the edits made up to this step.
        let permeability = s.sim().knobs().get(Knob::SiloPermeability);
        assert_eq!(permeability == 0.1, t >= 9, "at step {t}");
        assert!(s.ghost().len() == 40 && s.branched_at().is_none());
    }
    // Playing forward again gives the original run exactly, edits included.
    s.goto(40);
    assert_eq!(s.sim().state_hash(), hashes[40]);
    assert!(same(s.history(), &history));
    assert_eq!(s.edits(), edits.as_slice());
    for (a, story) in stories.iter().enumerate() {
        assert_eq!(s.story(a as u32), Some(story), "agent {a}");
    }
    assert!(
        s.ghost().is_empty(),
        "the replay caught up with the old timeline"
    );
}

#[test]
fn an_edit_in_the_past_branches_and_keeps_the_old_timeline_as_a_ghost() {
    let (mut s, hashes, _) = edited_run(40);
    let old = s.history().to_vec();
    s.goto(10);
    // Step 11's live intervention is still to come on this timeline.
    assert_eq!(s.edits().len(), 3);
    s.set_knob(Knob::Transparency, 1.0).unwrap();
    assert_eq!(s.branched_at(), Some(10));
    let kept: Vec<u32> = s.edits().iter().map(|e| e.step).collect();
    assert_eq!(kept, [6, 9, 10], "the old future's edit is dropped");
    s.goto(40);
    assert_ne!(s.sim().state_hash(), hashes[40], "the future changed");
    assert!(same(&s.history()[..10], &old[..10]), "the past did not");
    assert!(!same(s.history(), &old));
    assert!(same(s.ghost(), &old));
    // Rewinding the branch makes it the ghost.
    let branch = s.history().to_vec();
    s.goto(30);
    assert!(same(s.ghost(), &branch));
    assert_eq!(s.branched_at(), None);
}

#[test]
fn snapshots_stay_bounded_and_thin_out_on_long_runs() {
    let mut scenario = workshop();
    scenario.steps = 700;
    let mut s = Session::new(&scenario, None, None).unwrap();
    let mut hashes = vec![s.sim().state_hash()];
    for _ in 0..700 {
        s.step();
        hashes.push(s.sim().state_hash());
        assert!(s.snapshot_steps().0.len() <= MAX_SNAPSHOTS);
    }
    let (steps, every) = s.snapshot_steps();
    assert_eq!(steps[0], 0);
    assert!(
        every > FIRST_SNAPSHOT_INTERVAL,
        "the interval grew: {every}"
    );
    assert!(steps.windows(2).all(|w| w[1] - w[0] == every));
    assert!(*steps.last().unwrap() + every > 700, "{steps:?}");
    for t in [699, 350, 1] {
        s.goto(t);
        assert_eq!(s.sim().state_hash(), hashes[t as usize], "step {t}");
    }
}

/// The inspector's "why": a customer's last lifecycle change carries its
/// satisfaction and trust from just before the step that decided it, and
/// the explanation gives the rule's chance at that standing; trust moves
/// chain, each at least [`stories::TRUST_MOVE`].
#[test]
fn a_churned_customer_says_where_it_stood_and_what_chance_it_had() {
    let scenario = workshop();
    let mut s = Session::new(&scenario, Some("inside_out".into()), None).unwrap();
    s.goto(52);
    let net = s.sim().network();
    let churned = (0..net.agents() as u32)
        .find(|&a| {
            s.story(a)
                .and_then(|st| st.last_change)
                .is_some_and(|c| c.to == siloscope_model::agent::Lifecycle::Churned && c.step > 1)
        })
        .expect("some customer churned under inside-out within a year");
    let change = s.story(churned).unwrap().last_change.unwrap();
    // Where it stood: as the step that decided it perceived it.
    let mut then = Session::new(&scenario, Some("inside_out".into()), None).unwrap();
    then.goto(change.step);
    assert_eq!(change.satisfaction, then.sim().satisfaction(churned));
    assert_eq!(change.trust, then.sim().trust_in_org(churned));
    assert!(!change.newcomer);
    let p = &scenario.model;
    let why = explain(&change, p, s.sim().source(churned), "week");
    assert!(
        why.starts_with(&format!("Left in week {}.", change.step)),
        "{why}"
    );
    let chance =
        siloscope_model::lifecycle::churn_chance(p.churn_rate, change.satisfaction, change.trust);
    assert!(why.contains(&format!("{:.1} %", 100.0 * chance)), "{why}");
    assert!(
        why.contains("to the competitor"),
        "the trade-offs are on: {why}"
    );

    let moves = &s.story(churned).unwrap().trust_moves;
    for pair in moves.iter().collect::<Vec<_>>().windows(2) {
        assert_eq!(pair[0].to, pair[1].from, "moves chain");
        assert!(pair[0].step < pair[1].step);
    }
    for m in moves {
        assert!((m.to - m.from).abs() >= stories::TRUST_MOVE);
    }
    // A rewind restores the stories as they were.
    let story = s.story(churned).unwrap().clone();
    s.goto(10);
    s.goto(52);
    assert_eq!(s.story(churned).unwrap(), &story);
}

/// The standing a change records is the one its rule decided on: every
/// customer that became an advocate had satisfaction and trust at or above
/// what advocates need, and every advocate that stopped fell short of one;
/// a newcomer taking a slot starts a story of its own.
#[test]
fn each_change_records_the_standing_its_rule_saw() {
    use siloscope_model::agent::Lifecycle::{Advocate, Customer, Unaware};
    let scenario = workshop();
    let p = &scenario.model;
    let mut s = Session::new(&scenario, Some("connected".into()), None).unwrap();
    let (mut became, mut stopped, mut newcomers) = (0, 0, 0);
    while s.step().is_some() {
        let now = s.step_index();
        for a in 0..s.sim().network().agents() as u32 {
            let Some(c) = s.story(a).and_then(|st| st.last_change) else {
                continue;
            };
            if c.step != now {
                continue;
            }
            match (c.newcomer, c.from, c.to) {
                (true, _, to) => {
                    newcomers += 1;
                    assert_eq!(to, Unaware);
                    let story = s.story(a).unwrap();
                    assert_eq!(story.states, vec![(now, Unaware)]);
                    assert!(story.items.is_empty() && story.trust_moves.is_empty());
                    let why = explain(&c, p, s.sim().source(a), "week");
                    assert!(
                        why.starts_with(&format!("A newcomer in week {now}")),
                        "{why}"
                    );
                }
                (false, Customer, Advocate) => {
                    became += 1;
                    assert!(c.satisfaction >= p.advocate_satisfaction, "{c:?}");
                    assert!(c.trust >= p.advocate_trust, "{c:?}");
                }
                (false, Advocate, Customer) => {
                    stopped += 1;
                    assert!(
                        c.satisfaction < p.advocate_satisfaction || c.trust < p.advocate_trust,
                        "{c:?}"
                    );
                }
                _ => {}
            }
        }
    }
    assert!(
        became > 50 && stopped > 0 && newcomers > 0,
        "{became} {stopped} {newcomers}"
    );
}

#[test]
fn every_lifecycle_change_is_explained_in_words() {
    use siloscope_model::agent::{Lifecycle::*, Source};
    let p = siloscope_model::assumptions::ModelParams::default();
    let states = [
        Unaware,
        Aware,
        Considering,
        Customer,
        Advocate,
        Churned,
        Returning,
    ];
    for from in states {
        for to in states {
            let change = Change {
                step: 7,
                from,
                to,
                satisfaction: 0.78,
                trust: 0.45,
                newcomer: false,
            };
            let why = explain(&change, &p, Source::WordOfMouth, "week");
            assert!(why.contains("in week 7"), "{from:?} -> {to:?}: {why}");
            assert!(why.ends_with('.'), "{why}");
        }
    }
}
