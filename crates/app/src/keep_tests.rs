//! Headless tests of sessions that are never lost: saved as the workshop
//! changes, restored exactly, offered back after a crash, ended on close;
//! notes, predictions and the debrief.

use super::tests::{Scratch, app, send, workshop};
use super::workshop::*;
use bevy::prelude::*;
use siloscope_model::knob::Knob;
use siloscope_workshop::compare::Side;
use siloscope_workshop::record::{Note, Prediction, SessionFile, hex};
use std::path::{Path, PathBuf};

fn sessions(file: &Scratch) -> PathBuf {
    file.0.parent().unwrap().join("sessions")
}

/// The app on `file`, saving sessions beside it (offering none back).
fn keeping_app(file: &Scratch, offer: bool) -> App {
    let mut app = app(&file.0);
    app.insert_resource(Keeping::in_dir(&sessions(file), &file.0, offer));
    app.update();
    app
}

fn saved_file(app: &mut App) -> PathBuf {
    app.world_mut().resource_mut::<Keeping>().save_soon();
    app.update();
    app.world()
        .resource::<Keeping>()
        .autosave
        .as_ref()
        .unwrap()
        .path()
        .to_owned()
}

fn state(app: &App) -> String {
    hex(workshop(app).parts().state_hash())
}

/// A facilitator's half hour: steps, a live edit, B compared, a rewind and
/// a branch, a note about an agent, a prediction, the story started.
fn busy(app: &mut App) {
    for _ in 0..6 {
        send(app, Control::Step);
    }
    send(app, Control::SetKnob(Knob::Transparency, 0.8));
    send(app, Control::Compare("connected".into()));
    send(app, Control::Goto(30));
    send(app, Control::Goto(12));
    send(app, Control::Policy("connected".into()));
    send(app, Control::Goto(20));
    let agent = workshop(app).scenario().agent_id(250);
    send(
        app,
        Control::AddNote(Note {
            step: 20,
            side: Side::A,
            agent: Some(agent),
            text: "she came back after the answer".into(),
        }),
    );
    send(
        app,
        Control::AddPrediction(Prediction {
            metric: "loop_closure_share".into(),
            step: 52,
            value: 0.3,
            by: "Sales".into(),
            side: Side::B,
        }),
    );
    send(app, Control::Present(true));
    send(app, Control::StoryNext);
}

#[test]
fn a_session_is_saved_as_it_changes_and_restored_exactly() {
    let file = Scratch::new("keep-restore");
    let mut first = keeping_app(&file, false);
    busy(&mut first);
    let saved = saved_file(&mut first);
    let record = SessionFile::read(&saved).unwrap().record;
    assert_eq!(
        record.state,
        state(&first),
        "the file holds the session as it is"
    );
    assert!(!record.ended, "still open");
    assert_eq!(record.notes.len(), 1);
    assert!(record.room.presenting && record.room.story == Some(1));
    assert!(record.room.before_story.is_some());

    // A second app (after the first was killed): restored exactly.
    let mut second = app(&file.0);
    assert_ne!(state(&second), record.state);
    send(&mut second, Control::RestoreSession(saved.clone()));
    let w = workshop(&second);
    assert_eq!(state(&second), record.state, "{:?}", w.notice);
    assert!(
        w.notice
            .as_deref()
            .unwrap()
            .starts_with("restored the session saved")
    );
    assert_eq!(w.story.map(|s| s.index), Some(1));
    assert_eq!(w.notes, workshop(&first).notes);
    assert_eq!(w.predictions, workshop(&first).predictions);
    // It goes on as the first would have: the same steps from here.
    for app in [&mut first, &mut second] {
        send(app, Control::RestoreRuns);
        for _ in 0..5 {
            send(app, Control::Step);
        }
    }
    assert_eq!(state(&first), state(&second));
    // And it goes on saving into the same file.
    let again = second
        .world()
        .resource::<Keeping>()
        .autosave
        .as_ref()
        .unwrap()
        .path()
        .to_owned();
    assert_eq!(again, saved);
}

#[test]
fn an_unclosed_session_is_offered_back_and_starting_afresh_ends_it() {
    let file = Scratch::new("keep-offer");
    let mut first = keeping_app(&file, false);
    send(&mut first, Control::Step);
    let saved = saved_file(&mut first);
    drop(first); // killed: never closed

    let mut second = keeping_app(&file, true);
    let offer = second
        .world()
        .resource::<Keeping>()
        .offer
        .clone()
        .expect("offered back");
    assert_eq!(offer.path, saved);
    assert!(
        offer.summary("week").contains(": week 1"),
        "{}",
        offer.summary("week")
    );
    send(&mut second, Control::DeclineSession);
    assert!(second.world().resource::<Keeping>().offer.is_none());
    assert!(SessionFile::read(&saved).unwrap().record.ended);
    let third = keeping_app(&file, true);
    let offered = third
        .world()
        .resource::<Keeping>()
        .offer
        .as_ref()
        .map(|o| o.path.clone());
    // Only the second app's own session, never closed either, may be offered.
    assert_ne!(offered.as_deref(), Some(saved.as_path()));
}

#[test]
fn closing_the_app_saves_the_session_as_ended() {
    let file = Scratch::new("keep-close");
    let mut app = keeping_app(&file, false);
    send(&mut app, Control::Step);
    let saved = saved_file(&mut app);
    send(&mut app, Control::Step);
    app.world_mut().write_message(AppExit::Success);
    app.update();
    let record = SessionFile::read(&saved).unwrap().record;
    assert!(record.ended);
    assert_eq!(record.runs.a.step, 2, "the last state, saved on close");
    assert_eq!(record.state, state(&app));
}

#[test]
fn a_session_of_a_changed_scenario_is_refused_and_the_run_stays() {
    let file = Scratch::new("keep-changed");
    let mut first = keeping_app(&file, false);
    send(&mut first, Control::Step);
    let saved = saved_file(&mut first);
    let text = std::fs::read_to_string(&file.0).unwrap();
    std::fs::write(&file.0, format!("{text}\n// edited since\n")).unwrap();
    let mut second = app(&file.0);
    for _ in 0..3 {
        send(&mut second, Control::Step);
    }
    send(&mut second, Control::RestoreSession(saved));
    let w = workshop(&second);
    let notice = w.notice.as_deref().unwrap();
    assert!(
        notice.contains("at hash") && notice.contains("but the file now has hash"),
        "{notice}"
    );
    assert_eq!(w.session().step_index(), 3, "the run on screen stays");
}

#[test]
fn notes_and_predictions_are_checked_and_the_debrief_is_written() {
    let file = Scratch::new("keep-debrief");
    let mut app = keeping_app(&file, false);
    send(
        &mut app,
        Control::AddPrediction(Prediction {
            metric: "happiness".into(),
            step: 10,
            value: 1.0,
            by: String::new(),
            side: Side::A,
        }),
    );
    assert!(workshop(&app).predictions.is_empty());
    assert!(
        workshop(&app)
            .notice
            .as_deref()
            .unwrap()
            .contains("not a headline figure")
    );
    send(
        &mut app,
        Control::AddPrediction(Prediction {
            metric: "customers".into(),
            step: 0,
            value: 1.0,
            by: String::new(),
            side: Side::A,
        }),
    );
    assert!(workshop(&app).predictions.is_empty(), "after 0 steps");
    send(
        &mut app,
        Control::AddPrediction(Prediction {
            metric: "profit_total".into(),
            step: 10,
            value: 1e13,
            by: String::new(),
            side: Side::A,
        }),
    );
    assert!(
        workshop(&app).predictions.is_empty(),
        "refused as a session file would refuse it"
    );
    send(
        &mut app,
        Control::AddNote(Note {
            step: 0,
            side: Side::A,
            agent: None,
            text: "x".repeat(5_000),
        }),
    );
    assert_eq!(
        workshop(&app).notes[0].text.chars().count(),
        2_000,
        "kept short"
    );
    send(&mut app, Control::RemoveNote(0));
    assert!(workshop(&app).notes.is_empty());
    send(&mut app, Control::Step);
    let page = file.0.parent().unwrap().join("d.html");
    send(&mut app, Control::ExportDebrief(page.clone()));
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("workshop debrief") && html.contains("at week 1 of 104"));
    assert!(
        workshop(&app)
            .notice
            .as_deref()
            .unwrap()
            .starts_with("wrote the debrief")
    );
    let _ = Path::new(&page);
}

#[test]
fn a_session_file_changed_by_another_program_is_not_saved_over() {
    let file = Scratch::new("keep-elsewhere");
    let mut app = keeping_app(&file, false);
    send(&mut app, Control::Step);
    let saved = saved_file(&mut app);
    let theirs = std::fs::read_to_string(&saved).unwrap() + "// theirs\n";
    std::fs::write(&saved, &theirs).unwrap();
    send(&mut app, Control::Step);
    let next = saved_file(&mut app);
    assert_ne!(next, saved, "the session goes on in a new file");
    assert_eq!(
        std::fs::read_to_string(&saved).unwrap(),
        theirs,
        "theirs is kept"
    );
    let notice = workshop(&app).notice.clone().unwrap();
    assert!(
        notice.contains("was changed by another program"),
        "{notice}"
    );
    saved_file(&mut app);
    assert_eq!(SessionFile::read(&next).unwrap().record.runs.a.step, 2);
}

#[test]
fn reopening_another_session_closes_the_one_on_screen() {
    let file = Scratch::new("keep-switch");
    let mut other = keeping_app(&file, false);
    for _ in 0..4 {
        send(&mut other, Control::Step);
    }
    let theirs = saved_file(&mut other);
    drop(other);
    let mut app = keeping_app(&file, false);
    send(&mut app, Control::Step);
    let mine = saved_file(&mut app);
    assert_ne!(mine, theirs);
    send(&mut app, Control::RestoreSession(theirs.clone()));
    assert_eq!(workshop(&app).session().step_index(), 4);
    assert!(
        SessionFile::read(&mine).unwrap().record.ended,
        "the session left is closed, not offered back as a crash"
    );
    assert_eq!(
        saved_file(&mut app),
        theirs,
        "saving goes on in the reopened file"
    );
    let notice = workshop(&app).notice.clone().unwrap();
    assert!(notice.contains(" UTC, at week 4"), "{notice}");
}
