//! A run with played agents' decisions: logged like any edit, it rewinds,
//! replays and restores from its session file bit for bit, and differs
//! from the rules' run on the same seed.

use super::tests::{refusal, scenario, sources};
use super::*;
use crate::compare::Runs;
use crate::session::{Edit, Session};
use siloscope_model::agent::{Lifecycle, Part, Role};
use siloscope_model::sim::{Decision, NeedChoice, Simulation};

/// The first active customers of the run, and its Product staff.
fn cast(sim: &Simulation) -> (Vec<u32>, Vec<u32>) {
    let net = sim.network();
    let customers = (0..net.agents() as u32)
        .filter(|&a| sim.lifecycle(a).is_some_and(Lifecycle::is_active_customer))
        .take(6)
        .collect();
    let product = (0..net.agents() as u32)
        .filter(|&a| net.part[a as usize] == Part::Department && net.role_of(a) == Role::Product)
        .collect();
    (customers, product)
}

/// The workshop run with a room playing: every few steps six customers
/// complain (or leave) and Product sits on needs or handles them.
fn played_run(to: u32) -> Session {
    let mut s = Session::new(&scenario(), None, None).unwrap();
    while s.step_index() < to {
        if s.step_index() % 4 == 1 {
            let (customers, product) = cast(s.sim());
            for (i, c) in customers.into_iter().enumerate() {
                let d = if i == 5 {
                    Decision {
                        leave: Some(true),
                        ..Decision::default()
                    }
                } else {
                    Decision {
                        contact: Some(true),
                        complain: Some(true),
                        ..Decision::default()
                    }
                };
                s.decide(c, d).unwrap();
            }
            let needs = if s.step_index() % 8 == 1 {
                NeedChoice::Hold
            } else {
                NeedChoice::Handle
            };
            for p in product {
                s.decide(
                    p,
                    Decision {
                        needs: Some(needs),
                        ..Decision::default()
                    },
                )
                .unwrap();
            }
        }
        s.step();
    }
    s
}

#[test]
fn a_played_run_rewinds_and_replays_bit_for_bit_and_is_not_the_rules_run() {
    let mut s = played_run(40);
    assert!(
        s.edits()
            .iter()
            .any(|e| matches!(e.edit, Edit::Decide(_, d) if d.complain == Some(true)))
    );
    let hashes: Vec<u64> = (0..=40)
        .map(|t| {
            s.goto(t);
            s.sim().state_hash()
        })
        .collect();
    // Back and forth again: the same states.
    for t in [3, 17, 40, 9, 33] {
        s.goto(t);
        assert_eq!(s.sim().state_hash(), hashes[t as usize], "step {t}");
    }
    // The rules alone, same seed: another run from the first decision on.
    // (At step 1 the room's first decisions wait in the state.)
    let mut rules = Session::new(&scenario(), None, None).unwrap();
    assert_eq!(rules.sim().state_hash(), hashes[0]);
    rules.goto(2);
    assert_ne!(rules.sim().state_hash(), hashes[2]);
    // Compared with a preset on the same seed, as the room would.
    let mut runs = Runs::new(played_run(30));
    runs.compare("connected").unwrap();
    runs.goto(30);
    assert!(runs.b().is_some_and(|b| b.step_index() == 30));
}

#[test]
fn a_played_session_restores_from_its_file_exactly() {
    let sc = scenario();
    let mut saved = Restored::new(Runs::new(played_run(30)));
    let record = saved
        .parts()
        .record(&sources(), "2026-11-29T10:00:00Z".into(), false);
    let text = to_text(&record);
    assert!(
        text.contains("Decide(") && text.contains("complain: Some(true)"),
        "{text}"
    );
    let file = SessionFile::parse(text.as_bytes(), "x.session.ron").unwrap();
    let mut restored = file.restore(&sc).unwrap();
    assert_eq!(restored.parts().state_hash(), saved.parts().state_hash());
    for r in [&mut saved, &mut restored] {
        r.runs.goto(50);
        r.runs.goto(12);
    }
    assert_eq!(restored.parts().state_hash(), saved.parts().state_hash());
    // The debrief tells what the room decided, in words.
    let about = crate::debrief::About {
        session: "x.session.ron".into(),
        saved: "2026-11-29T10:00:00Z".into(),
        scenario_path: "workshop.scenario.ron".into(),
        scenario_hash: "0".into(),
    };
    let page = crate::debrief::page(&sc, &saved.parts(), &about).unwrap();
    assert!(
        page.contains("(played): contacts, complains"),
        "no played edit in the debrief"
    );
}

#[test]
fn a_decision_for_an_unknown_agent_or_one_it_cannot_make_is_refused_where_it_is() {
    let record = Restored::new(Runs::new(played_run(10))).parts().record(
        &sources(),
        "2026-11-29T10:00:00Z".into(),
        false,
    );
    let text = to_text(&record);
    let (line, agent) = text
        .lines()
        .enumerate()
        .find_map(|(i, l)| {
            let at = l.find("Decide(agent: \"")? + "Decide(agent: \"".len();
            Some((i + 1, l[at..].split('"').next()?.to_owned()))
        })
        .expect("a decision in the file");
    let e = refusal(&text.replacen(&agent, "Nobody#1", 1));
    assert!(
        e.starts_with(&format!("x.session.ron:{line}:"))
            && e.contains("no agent \"Nobody#1\" in the scenario"),
        "{e}"
    );
    let e = refusal(&text.replacen("complain: Some(true)", "complian: Some(true)", 1));
    assert!(e.contains("complian"), "{e}");
    // A leave given to a department instead of a customer: refused when
    // the run is rebuilt, naming the edit.
    let staff = scenario().agent_id(0);
    let e = refusal(&text.replacen(&agent, &staff, 1));
    assert!(e.contains("cannot decide that"), "{e}");
}
