//! Played agents (`crates/model/src/sim/played.rs`): each choice a person
//! makes for an agent replaces the rule at its decision point, nobody's
//! choice changes a run that nobody plays, and choices an agent cannot
//! make are refused.

use super::mechanisms::scenario;
use siloscope_model::agent::{Lifecycle, Part, Role, Source};
use siloscope_model::knob::Knob;
use siloscope_model::sim::*;

fn sim() -> Simulation {
    Simulation::new(&scenario(), RunOptions::default()).unwrap()
}

/// Agents of a part (and role, for staff).
fn agents(sim: &Simulation, keep: impl Fn(Part, Role) -> bool) -> Vec<u32> {
    let net = sim.network();
    (0..net.agents() as u32)
        .filter(|&a| keep(net.part[a as usize], net.role_of(a)))
        .collect()
}

fn active_customers(sim: &Simulation) -> Vec<u32> {
    (0..sim.network().agents() as u32)
        .filter(|&a| sim.lifecycle(a).is_some_and(Lifecycle::is_active_customer))
        .collect()
}

/// Run `steps` steps, deciding `decision` for every agent `who` picks
/// before each.
fn play(
    sim: &mut Simulation,
    steps: u32,
    who: impl Fn(&Simulation) -> Vec<u32>,
    decision: Decision,
) -> Vec<siloscope_model::metrics::StepReport> {
    (0..steps)
        .map(|_| {
            for a in who(sim) {
                sim.decide_for(a, decision).unwrap();
            }
            sim.step().clone()
        })
        .collect()
}

#[test]
fn a_run_nobody_decides_for_is_the_run_of_the_rules() {
    let (mut plain, mut played) = (sim(), sim());
    for _ in 0..30 {
        // An empty decision leaves everything to the rules.
        for a in active_customers(&played) {
            played.decide_for(a, Decision::default()).unwrap();
        }
        assert!(played.decisions().is_empty());
        plain.step();
        played.step();
        assert_eq!(plain.state_hash(), played.state_hash());
    }
}

#[test]
fn a_decision_waits_in_the_state_for_one_step_then_is_spent() {
    let mut s = sim();
    s.run(5, |_| {});
    let before = s.state_hash();
    let c = active_customers(&s)[0];
    let stay = Decision {
        leave: Some(false),
        ..Decision::default()
    };
    s.decide_for(c, stay).unwrap();
    assert_ne!(s.state_hash(), before, "a waiting decision is state");
    assert_eq!(s.decisions(), &[(c, stay)]);
    s.step();
    assert!(s.decisions().is_empty());
}

#[test]
fn customers_who_choose_not_to_contact_or_ask_make_no_contact_and_get_no_help() {
    let mut s = sim();
    s.set_knob(Knob::CommunityEnablement, 1.0).unwrap();
    let quiet = Decision {
        contact: Some(false),
        ask_peer: Some(false),
        ..Decision::default()
    };
    let reports = play(&mut s, 20, active_customers, quiet);
    for r in &reports {
        assert_eq!(r.contacts_served, 0, "step {}", r.step);
        assert_eq!(r.cost_self_service, 0.0, "step {}", r.step);
        assert_eq!(r.peer_help, 0, "step {}", r.step);
    }
    // The same organisation under the rules does contact and help.
    let mut rules = sim();
    rules.set_knob(Knob::CommunityEnablement, 1.0).unwrap();
    let mut served = 0;
    let mut helped = 0;
    rules.run(20, |r| {
        served += r.contacts_served;
        helped += r.peer_help;
    });
    assert!(
        served > 20 && helped > 0,
        "{served} served, {helped} helped"
    );
}

#[test]
fn complaints_carry_needs_in_where_nobody_listens() {
    // Nobody listens and the extranet is shut: under the rules no need
    // is ever raised.
    let closed = [
        (Knob::FeedbackListening, 0.0),
        (Knob::ExtranetOpenness, 0.0),
    ];
    let mut rules = sim();
    let mut s = sim();
    for (k, v) in closed {
        rules.set_knob(k, v).unwrap();
        s.set_knob(k, v).unwrap();
    }
    rules.run(10, |r| assert_eq!(r.needs_raised, 0));
    let complain = Decision {
        complain: Some(true),
        ..Decision::default()
    };
    for _ in 0..10 {
        let who = active_customers(&s);
        for &a in &who {
            s.decide_for(a, complain).unwrap();
        }
        // Every complainer with a touchpoint gets a need in.
        let with_touchpoint = who
            .iter()
            .filter(|&&a| {
                !s.network()
                    .ties_of_kind(a, siloscope_model::network::TieKind::Touchpoint)
                    .is_empty()
            })
            .count() as u32;
        assert_eq!(s.step().needs_raised, with_touchpoint);
    }
}

#[test]
fn customers_leave_or_stay_as_they_choose() {
    let mut s = sim();
    s.run(10, |_| {});
    let who = active_customers(&s);
    let (go, stay) = who.split_at(who.len() / 2);
    for &a in go {
        s.decide_for(
            a,
            Decision {
                leave: Some(true),
                ..Decision::default()
            },
        )
        .unwrap();
    }
    for &a in stay {
        s.decide_for(
            a,
            Decision {
                leave: Some(false),
                ..Decision::default()
            },
        )
        .unwrap();
    }
    let churned = s.step().churn;
    assert_eq!(churned as usize, go.len());
    for &a in go {
        assert_eq!(s.lifecycle(a), Some(Lifecycle::Churned));
    }
    for &a in stay {
        assert!(s.lifecycle(a).unwrap().is_active_customer());
    }
}

#[test]
fn a_customer_who_refers_brings_an_unaware_peer_in_by_word_of_mouth() {
    let mut s = sim();
    s.set_knob(Knob::CampaignReach, 0.0).unwrap();
    s.set_knob(Knob::ReferralStrength, 0.0).unwrap();
    let net = s.network().clone();
    // A customer with an unaware prospect among its peers.
    let unaware_peers = |s: &Simulation, c: u32| -> Vec<u32> {
        net.ties_of_kind(c, siloscope_model::network::TieKind::Peer)
            .map(|t| net.target[t])
            .filter(|&p| s.lifecycle(p) == Some(Lifecycle::Unaware))
            .collect()
    };
    let c = active_customers(&s)
        .into_iter()
        .find(|&c| !unaware_peers(&s, c).is_empty())
        .expect("a customer knows a prospect");
    let before = unaware_peers(&s, c);
    s.decide_for(
        c,
        Decision {
            refer: Some(true),
            ..Decision::default()
        },
    )
    .unwrap();
    s.step();
    let told: Vec<u32> = before
        .iter()
        .copied()
        .filter(|&p| s.lifecycle(p) != Some(Lifecycle::Unaware))
        .collect();
    assert_eq!(told.len(), 1, "one peer told: {told:?}");
    assert_eq!(s.source(told[0]), Source::WordOfMouth);
}

#[test]
fn staff_who_handle_needs_carry_them_through_walls_nobody_crosses() {
    let shut = |s: &mut Simulation| {
        s.set_knob(Knob::SiloPermeability, 0.0).unwrap();
        s.set_knob(Knob::FeedbackListening, 1.0).unwrap();
    };
    let staff = |s: &Simulation| agents(s, |p, _| p == Part::Department);
    let mut rules = sim();
    shut(&mut rules);
    let mut reached_by_rule = 0;
    let mut blocked_by_rule = 0;
    rules.run(30, |r| {
        reached_by_rule += r.needs_reached;
        blocked_by_rule += r.needs_blocked;
    });
    assert!(blocked_by_rule > 0, "the walls stop needs under the rules");

    let mut s = sim();
    shut(&mut s);
    let handle = Decision {
        needs: Some(NeedChoice::Handle),
        ..Decision::default()
    };
    let reports = play(&mut s, 30, staff, handle);
    let blocked: u32 = reports.iter().map(|r| r.needs_blocked).sum();
    let reached: u32 = reports.iter().map(|r| r.needs_reached).sum();
    assert_eq!(blocked, 0);
    assert!(
        reached > reached_by_rule,
        "{reached} against {reached_by_rule}"
    );

    // Product sitting on every need: none reaches it.
    let mut s = sim();
    let product = |s: &Simulation| agents(s, |p, r| p == Part::Department && r == Role::Product);
    let hold = Decision {
        needs: Some(NeedChoice::Hold),
        ..Decision::default()
    };
    let reports = play(&mut s, 30, product, hold);
    assert!(reports.iter().all(|r| r.needs_reached == 0));
}

#[test]
fn marketing_and_sales_push_and_offer_as_they_choose() {
    let mut s = sim();
    s.set_knob(Knob::MarketingPush, 1.0).unwrap();
    s.set_knob(Knob::CrossSellPressure, 0.0).unwrap();
    let marketing =
        |s: &Simulation| agents(s, |p, r| p == Part::Department && r == Role::Marketing);
    let sales = |s: &Simulation| agents(s, |p, r| p == Part::Department && r == Role::Sales);
    let no = Decision {
        offer: Some(false),
        ..Decision::default()
    };
    let yes = Decision {
        offer: Some(true),
        ..Decision::default()
    };
    let reports: Vec<_> = (0..20)
        .map(|_| {
            for a in marketing(&s) {
                s.decide_for(a, no).unwrap();
            }
            for a in sales(&s) {
                s.decide_for(a, yes).unwrap();
            }
            s.step().clone()
        })
        .collect();
    assert!(reports.iter().all(|r| r.pushes == 0));
    assert!(reports.iter().map(|r| r.cross_sells).sum::<u32>() > 0);
}

#[test]
fn choices_an_agent_cannot_make_are_refused_with_the_reason() {
    let mut s = sim();
    let net = s.network().clone();
    let first = |part: Part| (0..net.agents() as u32).find(|&a| net.part[a as usize] == part);
    let prospect = (0..net.agents() as u32)
        .find(|&a| s.lifecycle(a) == Some(Lifecycle::Unaware))
        .unwrap();
    let customer = active_customers(&s)[0];
    let support = (0..net.agents() as u32)
        .find(|&a| net.part[a as usize] == Part::Department && net.role_of(a) == Role::Support)
        .unwrap();
    let leave = Decision {
        leave: Some(true),
        ..Decision::default()
    };
    let handle = Decision {
        needs: Some(NeedChoice::Handle),
        ..Decision::default()
    };
    let offer = Decision {
        offer: Some(true),
        ..Decision::default()
    };
    let cases = [
        (
            prospect,
            leave,
            "only an active customer decides; this one is unaware",
        ),
        (
            first(Part::Partner).unwrap(),
            handle,
            "only staff handle or hold needs",
        ),
        (
            first(Part::Department).unwrap(),
            leave,
            "a customer's choices",
        ),
        (
            customer,
            offer,
            "only Marketing (a push) and Sales (an offer)",
        ),
        (
            support,
            offer,
            "only Marketing (a push) and Sales (an offer)",
        ),
        (
            customer,
            Decision {
                complain: Some(true),
                contact: Some(false),
                ..Decision::default()
            },
            "complain needs contact too",
        ),
        (9_999, leave, "there is no agent 9999"),
    ];
    for (agent, decision, says) in cases {
        let err = s.decide_for(agent, decision).unwrap_err();
        assert!(
            matches!(err, SimError::NotPlayable { agent: a, .. } if a == agent),
            "{err:?}"
        );
        assert!(err.to_string().contains(says), "{err}");
    }
    assert!(s.decisions().is_empty(), "nothing refused is kept");
}
