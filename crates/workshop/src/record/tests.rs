use super::*;
use crate::compare::{Runs, Side};
use crate::session::Session;
use siloscope_model::knob::Knob;
use siloscope_scenario::{Action, Intervention, Scenario};
use std::path::{Path, PathBuf};

fn scenario_path() -> PathBuf {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scenarios/workshop.scenario.ron"
    ))
    .to_owned()
}

pub(super) fn scenario() -> Scenario {
    siloscope_scenario::files::read_scenario(&scenario_path()).unwrap()
}

/// A session as a facilitator leaves it: edits on A, a rewind that keeps
/// the old timeline, a branch, B compared and edited, a scheduled
/// campaign, the story started, notes and predictions.
fn busy(sc: &Scenario) -> Restored {
    let mut runs = Runs::new(Session::new(sc, None, None).unwrap());
    runs.goto(20);
    runs.a_mut().set_knob(Knob::Transparency, 0.8).unwrap();
    runs.goto(40);
    runs.compare("connected").unwrap();
    runs.goto(25);
    runs.a_mut().apply_policy("connected").unwrap();
    runs.b_mut()
        .unwrap()
        .set_knob(Knob::ExtranetOpenness, 0.3)
        .unwrap();
    runs.a_mut()
        .schedule(Intervention {
            at: 30,
            action: Action::Campaign {
                duration: 4,
                reach: 0.05,
            },
        })
        .unwrap();
    runs.goto(33);
    let before_story = runs.clone();
    let mut story = Runs::new(Session::new(sc, Some("inside_out".into()), Some(7)).unwrap());
    story.goto(12);
    Restored {
        editing: Side::A,
        presenting: true,
        story: Some(2),
        before_story: Some(before_story),
        picture: crate::layout::Picture::Separate,
        inspected: Some((Side::A, 17)),
        notes: vec![Note {
            step: 12,
            side: Side::A,
            agent: Some(sc.agent_id(300)),
            text: "she left \"here\", after two unanswered needs\nand a push".into(),
        }],
        predictions: vec![Prediction {
            metric: "loop_closure_share".into(),
            step: 52,
            value: 0.3,
            by: "Sales".into(),
            side: Side::B,
        }],
        ..Restored::new(story)
    }
}

pub(super) fn sources() -> Sources {
    Sources::of(&scenario_path(), &[]).unwrap()
}

#[test]
fn a_session_restores_bit_for_bit_and_goes_on_identically() {
    let sc = scenario();
    let mut saved = busy(&sc);
    let record = saved
        .parts()
        .record(&sources(), "2026-11-29T10:00:00Z".into(), false);
    let text = to_text(&record);
    let file = SessionFile::parse(text.as_bytes(), "x.session.ron").unwrap();
    assert_eq!(file.record, record, "the text reads back as written");
    let mut restored = file.restore(&file.scenario().unwrap()).unwrap();
    assert_eq!(
        restored.parts().state_hash(),
        saved.parts().state_hash(),
        "restored exactly"
    );
    assert_eq!(hex(restored.parts().state_hash()), record.state);
    // What was saved comes back as it was: the old timeline, the branch,
    // the edits waiting for their steps.
    let (a, b) = (
        saved.before_story.as_ref().unwrap(),
        restored.before_story.as_ref().unwrap(),
    );
    assert_eq!(
        format!("{:?}", a.a().ghost()),
        format!("{:?}", b.a().ghost())
    );
    assert!(!b.a().ghost().is_empty());
    assert_eq!(b.a().branched_at(), Some(25));
    assert_eq!(a.a().edits(), b.a().edits());
    assert_eq!(b.b().unwrap().edits().len(), 1);
    // The future is the same too: both runs step on identically, and a
    // rewind restores the same past.
    for s in [&mut saved, &mut restored] {
        let runs = s.before_story.as_mut().unwrap();
        runs.goto(60);
        runs.goto(10);
        runs.goto(45);
    }
    assert_eq!(restored.parts().state_hash(), saved.parts().state_hash());
}

#[test]
fn the_state_hash_sees_every_part_of_a_session() {
    let sc = scenario();
    let base = busy(&sc);
    let h = base.parts().state_hash();
    let mut other = base.clone();
    other.runs.goto(13);
    assert_ne!(other.parts().state_hash(), h, "a step");
    let mut other = base.clone();
    other.notes[0].text.push('!');
    assert_ne!(other.parts().state_hash(), h, "a note");
    let mut other = base.clone();
    other.story = Some(3);
    assert_ne!(other.parts().state_hash(), h, "the story step");
    let mut other = base.clone();
    other.inspected = Some((Side::A, 18));
    assert_ne!(other.parts().state_hash(), h, "the agent inspected");
    let mut other = base.clone();
    other.picture = crate::layout::Picture::Extranet;
    assert_ne!(other.parts().state_hash(), h, "the picture");
    let mut other = base.clone();
    other.before_story.as_mut().unwrap().set_comparing(false);
    assert_ne!(other.parts().state_hash(), h, "B shown or not");
    let mut other = base.clone();
    other
        .before_story
        .as_mut()
        .unwrap()
        .b_mut()
        .unwrap()
        .set_knob(Knob::Transparency, 0.1)
        .unwrap();
    assert_ne!(other.parts().state_hash(), h, "an edit of B");
}

fn saved_text() -> String {
    let sc = scenario();
    let record = busy(&sc)
        .parts()
        .record(&sources(), "2026-11-29T10:00:00Z".into(), false);
    to_text(&record)
}

/// The one-line error of restoring (or reading) `text`.
pub(super) fn refusal(text: &str) -> String {
    let file = match SessionFile::parse(text.as_bytes(), "x.session.ron") {
        Err(e) => return e.to_string(),
        Ok(f) => f,
    };
    match file.restore(&scenario()) {
        Err(e) => e.to_string(),
        Ok(_) => panic!("restored:\n{text}"),
    }
}

#[test]
fn hostile_session_files_get_located_errors() {
    let text = saved_text();
    let line_of = |needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;

    let cut = &text[..text.len() / 2];
    let e = refusal(cut);
    assert!(e.starts_with("x.session.ron:"), "{e}");

    let e = refusal(&text.replace("version: 1", "version: 7"));
    assert_eq!(
        e,
        format!(
            "x.session.ron:{}:14: version: version 7 was written by a newer siloscope; this one reads version 1",
            line_of("version: 1")
        )
    );

    let e = SessionFile::parse(b"Session(\xff)", "x.session.ron").unwrap_err();
    assert!(e.to_string().contains("not UTF-8"), "{e}");
    let e = SessionFile::parse(b"", "x.session.ron").unwrap_err();
    assert!(e.to_string().starts_with("x.session.ron:1:1:"), "{e}");

    let e = refusal(&text.replace("\"transparency\"", "\"transparence\""));
    let at = format!("x.session.ron:{}:", line_of("\"transparency\""));
    assert!(
        e.starts_with(&at) && e.contains("unknown knob \"transparence\""),
        "{e}"
    );

    let e = refusal(&text.replace("story: Some(2)", "story: Some(99)"));
    assert!(e.contains("room.story: story step 99"), "{e}");

    let e = refusal(&text.replace("\"loop_closure_share\"", "\"happiness\""));
    assert!(
        e.contains("predictions[0].metric: \"happiness\" is not a headline figure"),
        "{e}"
    );

    let e = refusal(&text.replacen("step: 33,", "step: 300,", 1));
    assert!(
        e.contains("step 300 is past the scenario's horizon (104 steps)"),
        "{e}"
    );

    let e = refusal(&text.replacen("(step: 25, edit: Policy", "(step: 10, edit: Policy", 1));
    assert!(e.contains("edits are in the order they were made"), "{e}");

    let e = refusal(&text.replace("hash: \"", "hash: \"zz"));
    assert!(
        e.contains("scenario.hash: a hash is 16 lowercase hex digits"),
        "{e}"
    );

    let e = refusal(&text.replacen("(step: 20, edit:", "(step: 200, edit:", 1));
    assert!(
        e.contains("step 200 is past the scenario's horizon (104 steps)"),
        "{e}"
    );

    let e = refusal(&text.replace("value: 0.3", "value: 1e300"));
    assert!(
        e.contains("predictions[0].value: a prediction is a number from"),
        "{e}"
    );

    let e = refusal(&text.replace("notes: [", "notes: [(step: 1, text: \"x\", colour: 3), "));
    assert!(e.contains("colour"), "an unknown field is named: {e}");

    // Inspecting an agent the scenario does not have.
    let e = refusal(&text.replace("agent: \"Marketing#5\"", "agent: \"Nobody#1\""));
    assert!(e.contains("room.inspected.agent: no agent"), "{e}");

    // A note about an agent the scenario does not have.
    let e = refusal(&text.replace("agent: Some(\"", "agent: Some(\"Nobody#1"));
    assert!(e.contains("notes[0].agent: no agent"), "{e}");

    // A session that is well formed but not the one its hash says.
    let state = text.lines().find(|l| l.contains("state:")).unwrap();
    let e = refusal(&text.replace(state, "    state: \"0000000000000000\","));
    assert!(e.contains("it was not restored exactly"), "{e}");

    // Huge: refused by its size before it is read.
    let dir = temp_dir("huge");
    let huge = dir.join("huge.session.ron");
    let f = std::fs::File::create(&huge).unwrap();
    f.set_len(MAX_SESSION_BYTES + 1).unwrap();
    let e = SessionFile::read(&huge).unwrap_err().to_string();
    assert!(
        e.contains("huge.session.ron") && e.contains("session files"),
        "{e}"
    );
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("siloscope-record-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_changed_scenario_is_refused_naming_the_file_and_both_hashes() {
    let dir = temp_dir("changed");
    let copy = dir.join("w.scenario.ron");
    std::fs::copy(scenario_path(), &copy).unwrap();
    let sc = siloscope_scenario::files::read_scenario(&copy).unwrap();
    let sources = Sources::of(&copy, &[]).unwrap();
    let record = Restored::new(Runs::new(Session::new(&sc, None, None).unwrap()))
        .parts()
        .record(&sources, "t".into(), false);
    let session = dir.join("s.session.ron");
    write(&session, &record, None).unwrap();
    let file = SessionFile::read(&session).unwrap();
    assert!(file.scenario().is_ok());

    let text = std::fs::read_to_string(&copy).unwrap();
    std::fs::write(&copy, text.replace("steps: 104", "steps: 103")).unwrap();
    let e = file.scenario().unwrap_err().to_string();
    let now = hex(hash_file(&copy).unwrap());
    assert_eq!(
        e,
        format!(
            "{}: the session was saved with {} at hash {}, but the file now has hash {now}: it changed since, so the session is not replayed against different content (open the scenario afresh, or restore the file as it was)",
            session.display(),
            record.scenario.path,
            record.scenario.hash,
        )
    );
    std::fs::remove_file(&copy).unwrap();
    let e = file.scenario().unwrap_err().to_string();
    assert!(e.contains("which cannot be read"), "{e}");
}

#[test]
fn autosave_writes_when_the_session_changed_and_offers_back_what_did_not_end() {
    let dir = temp_dir("autosave");
    let sc = scenario();
    let mut state = busy(&sc);
    let t0 = std::time::Instant::now();
    let mut save = Autosave::new(&dir, &scenario_path(), std::time::SystemTime::now());
    assert!(save.due(t0));
    assert!(save.save(&state.parts(), &sources(), false, t0).unwrap());
    assert!(!save.due(t0));
    assert!(save.due(t0 + Autosave::EVERY));
    // Nothing changed: nothing written.
    assert!(!save.save(&state.parts(), &sources(), false, t0).unwrap());
    state.runs.goto(20);
    assert!(save.save(&state.parts(), &sources(), false, t0).unwrap());
    let offered = unfinished(&dir, &scenario_path());
    assert_eq!(offered.len(), 1);
    assert_eq!(offered[0].path, save.path());
    assert_eq!(offered[0].record.runs.a.step, 20);
    let summary = offered[0].summary("week");
    assert!(
        summary.starts_with("saved ")
            && summary.ends_with(": week 20, presenting, story step 3, 1 note, 1 prediction"),
        "{summary}"
    );
    // Another scenario's sessions are not offered.
    assert!(unfinished(&dir, Path::new("other.scenario.ron")).is_empty());
    // Started afresh instead: no longer offered.
    mark_ended(save.path()).unwrap();
    assert!(unfinished(&dir, &scenario_path()).is_empty());
    // That was another writer: this autosave no longer saves over it.
    state.runs.goto(21);
    let e = save
        .save(&state.parts(), &sources(), false, t0)
        .unwrap_err();
    assert!(e.get_ref().unwrap().is::<ChangedElsewhere>(), "{e}");
    // Ended on purpose: not offered back, but still there to replay.
    let on_disk = SessionFile::read(save.path()).unwrap().bytes_hash();
    let mut save = Autosave::at(save.path().to_owned(), Some(on_disk));
    assert!(save.save(&state.parts(), &sources(), true, t0).unwrap());
    assert!(unfinished(&dir, &scenario_path()).is_empty());
    assert!(SessionFile::read(save.path()).unwrap().record.ended);
    // Every session of the scenario, ended or not, to reopen.
    assert_eq!(sessions_of(&dir, &scenario_path()).len(), 1);
    // No temporary file is left beside it.
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
}
