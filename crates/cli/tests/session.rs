//! `siloscope replay` and `siloscope debrief` on a saved workshop session,
//! and the debrief opened in a real browser: headless Chromium (Debian's
//! package, which `.ci/run` installs) loads the page offline, its script
//! counts the charts and pictures drawn, and a screenshot is taken.

use crate::support::{chromium, refused_with, siloscope, text};
use siloscope_model::knob::Knob;
use siloscope_workshop::compare::{Runs, Side};
use siloscope_workshop::record::{Note, Prediction, Restored, Sources, write};
use siloscope_workshop::session::Session;
use std::path::{Path, PathBuf};
use std::process::Command;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("siloscope-session-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A copy of the workshop scenario in `dir`, and a session of it saved
/// there: A rewound and branched, B compared, a note, a prediction.
fn saved_session(dir: &Path) -> (PathBuf, PathBuf) {
    let scenario = dir.join("workshop.scenario.ron");
    std::fs::copy(
        Path::new(crate::support::ROOT).join("scenarios/workshop.scenario.ron"),
        &scenario,
    )
    .unwrap();
    let sc = siloscope_scenario::files::read_scenario(&scenario).unwrap();
    let mut runs = Runs::new(Session::new(&sc, None, None).unwrap());
    runs.goto(40);
    runs.compare("connected").unwrap();
    runs.goto(13);
    runs.a_mut().set_knob(Knob::Transparency, 0.85).unwrap();
    runs.goto(70);
    let s = Restored {
        notes: vec![Note {
            step: 13,
            side: Side::A,
            agent: None,
            text: "Transparency up: will the loop close?".into(),
        }],
        predictions: vec![Prediction {
            metric: "loop_closure_share".into(),
            step: 52,
            value: 0.4,
            by: "Support".into(),
            side: Side::B,
        }],
        ..Restored::new(runs)
    };
    let record = s.parts().record(
        &Sources::of(&scenario, &[]).unwrap(),
        "2026-11-29T10:00:00Z".into(),
        false,
    );
    let session = dir.join("w.session.ron");
    write(&session, &record, None).unwrap();
    (scenario, session)
}

#[test]
fn replay_restores_a_session_exactly_and_refuses_a_changed_scenario() {
    let dir = temp_dir("replay");
    let (scenario, session) = saved_session(&dir);
    let out = siloscope(&["replay".as_ref(), session.as_os_str()]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}{stdout}", text(&out.stderr));
    assert!(stdout.contains("restored exactly (state "), "{stdout}");
    assert!(
        stdout.contains("run A: inside_out, knobs changed, seed"),
        "{stdout}"
    );
    assert!(
        stdout.contains("at week 70 of 104, 1 live edit, branched at week 13"),
        "{stdout}"
    );
    assert!(stdout.contains("run B: connected"), "{stdout}");
    assert!(
        stdout.contains("not closed: a crash or a closed window interrupted it"),
        "{stdout}"
    );
    assert!(stdout.contains("1 note, 1 prediction"), "{stdout}");

    let original = std::fs::read_to_string(&scenario).unwrap();
    std::fs::write(&scenario, original.replace("steps: 104", "steps: 100")).unwrap();
    let out = siloscope(&["replay".as_ref(), session.as_os_str()]);
    let stderr = refused_with(&out, &[]);
    assert!(
        stderr.contains("the session was saved with")
            && stderr.contains("but the file now has hash"),
        "{stderr}"
    );
    assert!(stderr.contains("workshop.scenario.ron"), "{stderr}");
    let out = siloscope(&["debrief".as_ref(), session.as_os_str()]);
    // No debrief of a changed scenario either, for the same reason.
    refused_with(&out, &["but the file now has hash"]);

    // Restored as it was: replayed again.
    std::fs::write(&scenario, original).unwrap();
    assert!(
        siloscope(&["replay".as_ref(), session.as_os_str()])
            .status
            .success()
    );

    // A hostile file: a located error, exit status 1, no panic.
    let bad = dir.join("bad.session.ron");
    std::fs::write(&bad, b"Session(version: 1, saved: 12)").unwrap();
    let out = siloscope(&["replay".as_ref(), bad.as_os_str()]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("bad.session.ron:1:"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// Chromium headless, offline, with a fresh profile, on `page`.
fn browse(chromium: &Path, profile: &Path, args: &[String], page: &Path) -> std::process::Output {
    Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--run-all-compositor-stages-before-draw",
            "--virtual-time-budget=5000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs")
}

#[test]
fn the_debrief_opens_in_a_browser_with_every_chart_drawn() {
    let dir = temp_dir("debrief");
    let (_, session) = saved_session(&dir);
    let page = dir.join("debrief.html");
    let out = siloscope(&[
        "debrief".as_ref(),
        session.as_os_str(),
        "--out".as_ref(),
        page.as_os_str(),
    ]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}{stdout}", text(&out.stderr));
    assert!(stdout.contains("charts and pictures"), "{stdout}");
    let html = std::fs::read_to_string(&page).unwrap();
    let figures = html.matches("<svg class=\"drawn").count();
    assert!(figures > 20, "{figures}");
    assert!(html.contains("Transparency up: will the loop close?"));

    // Writing the debrief over the session is refused.
    let out = siloscope(&[
        "debrief".as_ref(),
        session.as_os_str(),
        "--out".as_ref(),
        session.as_os_str(),
    ]);
    refused_with(&out, &["the debrief is an .html file"]);
    // Nor over any other file that is not a debrief: its scenario named
    // .html, notes; a debrief written before is replaced.
    let notes = dir.join("notes.html");
    std::fs::write(&notes, "<p>our own notes</p>").unwrap();
    let out = siloscope(&[
        "debrief".as_ref(),
        session.as_os_str(),
        "--out".as_ref(),
        notes.as_os_str(),
    ]);
    refused_with(&out, &["is not a debrief siloscope wrote"]);
    assert_eq!(
        std::fs::read_to_string(&notes).unwrap(),
        "<p>our own notes</p>"
    );
    let again = siloscope(&[
        "debrief".as_ref(),
        session.as_os_str(),
        "--out".as_ref(),
        page.as_os_str(),
    ]);
    assert!(again.status.success(), "{}", text(&again.stderr));

    let Some(chromium) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must open the debrief in a browser: install chromium (see .ci/run)"
        );
        eprintln!("skipped the browser: no chromium; .ci/run installs it");
        return;
    };
    let profile = dir.join("profile");
    let dom = browse(&chromium, &profile, &["--dump-dom".into()], &page);
    let dom_text = text(&dom.stdout);
    assert!(dom.status.success(), "{}", text(&dom.stderr));
    assert!(
        dom_text.contains(&format!("figures drawn: {figures} of {figures}")),
        "the page's own check: {}",
        dom_text
            .lines()
            .find(|l| l.contains("render-check"))
            .unwrap_or("no render check in the page")
    );
    assert_eq!(dom_text.matches("data-rendered=\"yes\"").count(), figures);
    for words in [
        "workshop debrief",
        "Where the room left it",
        "Transparency up: will the loop close?",
        "Predictions",
        "The story",
    ] {
        assert!(dom_text.contains(words), "{words}");
    }

    // A screenshot, for a person to look at (SILOSCOPE_SHOTS keeps it).
    let shots = std::env::var_os("SILOSCOPE_SHOTS").map_or_else(|| dir.clone(), PathBuf::from);
    std::fs::create_dir_all(&shots).unwrap();
    let shot = shots.join("debrief.png");
    let out = browse(
        &chromium,
        &profile,
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1280,2400".into(),
        ],
        &page,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let png = std::fs::read(&shot).unwrap();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 50_000,
        "{} bytes",
        png.len()
    );
}

/// A headless session carried on and saved, killed halfway through writing
/// its file: the file is the last whole save, and replays exactly; run
/// again, it is carried on and saved.
#[test]
fn a_headless_session_killed_while_saving_keeps_its_last_save() {
    use siloscope_workshop::record::SessionFile;
    let dir = temp_dir("killed");
    let (_, session) = saved_session(&dir);
    let before = std::fs::read(&session).unwrap();
    let args: Vec<String> = ["replay", session.to_str().unwrap(), "--to", "104", "--save"]
        .map(String::from)
        .to_vec();
    crate::support::kill_while_writing(&args, "w.session.ron");
    assert_eq!(
        std::fs::read(&session).unwrap(),
        before,
        "the last save, whole"
    );
    let out = siloscope(&["replay".as_ref(), session.as_os_str()]);
    assert!(out.status.success(), "{}", text(&out.stderr));

    let out = siloscope(&args);
    let said = text(&out.stdout);
    assert!(out.status.success(), "{said}{}", text(&out.stderr));
    assert!(said.contains("carried on to week 104"), "{said}");
    let file = SessionFile::read(&session).unwrap();
    assert_eq!(file.record.runs.a.step, 104);
    assert!(said.contains(&format!(
        "saved to {} (state {})",
        session.display(),
        file.record.state
    )));
    let out = siloscope(&["replay".as_ref(), session.as_os_str()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("at week 104 of 104"));
}

/// What saving a session promises besides atomicity: a private file stays
/// private, a file changed by someone else since it was read is not saved
/// over, and a scenario named relative to the session is found from
/// anywhere.
#[test]
fn saving_keeps_permissions_and_refuses_to_lose_another_save() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir("save-rules");
    let (_, session) = saved_session(&dir);
    assert_eq!(
        std::fs::metadata(&session).unwrap().permissions().mode() & 0o777,
        0o600,
        "a new session is private"
    );
    std::fs::set_permissions(&session, std::fs::Permissions::from_mode(0o640)).unwrap();
    let out = siloscope(&[
        "replay".as_ref(),
        session.as_os_str(),
        "--to".as_ref(),
        "80".as_ref(),
        "--save".as_ref(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::metadata(&session).unwrap().permissions().mode() & 0o777,
        0o640
    );

    // Saved over since it was read: refused, naming the file.
    let file = siloscope_workshop::record::SessionFile::read(&session).unwrap();
    std::fs::write(
        &session,
        std::fs::read_to_string(&session).unwrap() + "// a comment\n",
    )
    .unwrap();
    let e = write(&session, &file.record, Some(file.bytes_hash())).unwrap_err();
    assert!(
        e.to_string().contains("was changed by another program"),
        "{e}"
    );

    // A scenario named relative to the session's folder, replayed from
    // elsewhere.
    let text_now = std::fs::read_to_string(&session).unwrap();
    let absolute = file.record.scenario.path.clone();
    std::fs::write(
        &session,
        text_now.replace(&absolute, "workshop.scenario.ron"),
    )
    .unwrap();
    let out = crate::support::bin()
        .current_dir("/")
        .args(["replay".as_ref(), session.as_os_str()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
}
