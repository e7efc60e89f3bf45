//! Headless app tests: `MinimalPlugins`, the workshop plugin, and a clock
//! advanced by hand.

use super::workshop::*;
use bevy::prelude::*;
use bevy::time::TimeUpdateStrategy;
use siloscope_model::knob::Knob;
use std::path::PathBuf;
use std::time::Duration;

const WORKSHOP: &str = include_str!("../../../scenarios/workshop.scenario.ron");

/// A scratch copy of the workshop scenario, removed on drop.
pub(crate) struct Scratch(pub(crate) PathBuf);

impl Scratch {
    pub(crate) fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("siloscope-app-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("workshop.scenario.ron");
        std::fs::write(&path, WORKSHOP).unwrap();
        Scratch(path)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(self.0.parent().unwrap());
    }
}

/// The workshop scenario with another horizon (and without its story,
/// whose steps run to week 104).
fn with_steps(steps: u32) -> String {
    let cut = WORKSHOP
        .find("    // The story for presenter mode")
        .unwrap();
    let text = format!("{})\n", &WORKSHOP[..cut]);
    let edited = text.replacen("steps: 104", &format!("steps: {steps}"), 1);
    assert_ne!(edited, text, "the edit applies");
    edited
}

pub(crate) fn app(path: &std::path::Path) -> App {
    let mut app = App::new();
    app.add_plugins(MinimalPlugins)
        .insert_resource(TimeUpdateStrategy::ManualDuration(Duration::from_millis(
            100,
        )))
        .insert_resource(Workshop::open(path, None, None).unwrap())
        .add_plugins(WorkshopPlugin);
    app.update(); // the first frame has no delta
    app
}

pub(crate) fn send(app: &mut App, command: Control) {
    app.world_mut().write_message(command);
    app.update();
}

pub(crate) fn workshop(app: &App) -> &Workshop {
    app.world().resource::<Workshop>()
}

fn step(app: &App) -> u32 {
    workshop(app).session().step_index()
}

#[test]
fn a_step_command_advances_exactly_one_step() {
    let file = Scratch::new("step");
    let mut app = app(&file.0);
    assert_eq!(step(&app), 0);
    send(&mut app, Control::Step);
    assert_eq!(step(&app), 1);
    for _ in 0..5 {
        app.update();
    }
    assert_eq!(step(&app), 1, "paused: time alone does not step");
    send(&mut app, Control::Step);
    assert_eq!(step(&app), 2);
    let stepped = app.world().resource::<Messages<Stepped>>();
    assert!(stepped.iter_current_update_messages().any(|s| s.0 == 1));
}

#[test]
fn playing_steps_with_the_clock_at_the_chosen_speed() {
    let file = Scratch::new("play");
    let mut app = app(&file.0);
    app.world_mut().resource_mut::<Playback>().steps_per_second = 10.0;
    send(&mut app, Control::TogglePlay);
    // 100 ms per frame at 10 steps per second: one step per frame.
    let after_toggle = step(&app);
    for _ in 0..10 {
        app.update();
    }
    assert_eq!(step(&app) - after_toggle, 10);
    send(&mut app, Control::TogglePlay);
    let paused_at = step(&app);
    app.update();
    assert_eq!(step(&app), paused_at);
    send(&mut app, Control::Faster);
    assert_eq!(app.world().resource::<Playback>().steps_per_second, 16.0);
}

#[test]
fn playback_stops_at_the_horizon() {
    let file = Scratch::new("horizon");
    let mut app = app(&file.0);
    app.world_mut().resource_mut::<Playback>().steps_per_second = 32.0;
    send(&mut app, Control::TogglePlay);
    let horizon = workshop(&app).session().horizon();
    for _ in 0..(horizon / 3 + 10) {
        app.update();
    }
    assert_eq!(step(&app), horizon);
    assert!(!app.world().resource::<Playback>().playing);
    assert!(
        workshop(&app)
            .notice
            .as_deref()
            .unwrap()
            .contains("end of the run")
    );
    // Play at the horizon does nothing but say why.
    send(&mut app, Control::TogglePlay);
    assert!(!app.world().resource::<Playback>().playing);
    let notice = workshop(&app).notice.clone().unwrap_or_default();
    assert!(notice.contains("reset (R)"), "{notice}");
    // Rewound: neither "end of the run" nor "at its horizon" holds any more.
    send(&mut app, Control::Goto(20));
    assert_eq!(workshop(&app).notice, None);
}

#[test]
fn a_policy_change_reaches_the_core() {
    let file = Scratch::new("policy");
    let mut app = app(&file.0);
    send(&mut app, Control::Step);
    send(&mut app, Control::Policy("connected".into()));
    let connected = workshop(&app)
        .scenario()
        .policy("connected")
        .unwrap()
        .values
        .clone();
    let sim = workshop(&app).session().sim();
    assert_eq!(sim.policy(), Some("connected"));
    for (k, v) in connected {
        assert_eq!(sim.knobs().get(k), v, "{k}");
    }
    send(&mut app, Control::SetKnob(Knob::SiloPermeability, 0.05));
    assert_eq!(
        workshop(&app)
            .session()
            .sim()
            .knobs()
            .get(Knob::SiloPermeability),
        0.05
    );
    send(&mut app, Control::Step);
    let last = workshop(&app).session().history().last().unwrap();
    assert!(last.knob_changes.contains(&(Knob::SiloPermeability, 0.05)));
    // Out of range: refused, and the room is told why.
    send(&mut app, Control::SetKnob(Knob::SiloPermeability, 3.0));
    assert!(
        workshop(&app)
            .notice
            .as_deref()
            .unwrap()
            .contains("out of range")
    );
}

#[test]
fn a_modified_scenario_file_rebuilds_the_simulation() {
    let file = Scratch::new("reload");
    let mut app = app(&file.0);
    for _ in 0..3 {
        send(&mut app, Control::Step);
    }
    let generation = workshop(&app).generation;
    std::fs::write(&file.0, with_steps(60)).unwrap();
    // The file is polled every 250 ms; frames are 100 ms apart.
    for _ in 0..4 {
        app.update();
    }
    let w = workshop(&app);
    assert_eq!(w.session().horizon(), 60, "{:?} {:?}", w.errors, w.notice);
    assert_eq!(
        w.session().step_index(),
        3,
        "replayed to the step on screen"
    );
    assert!(w.generation > generation);
    assert!(w.errors.is_none());
}

#[test]
fn an_invalid_edit_keeps_the_last_good_run_and_surfaces_the_error() {
    let file = Scratch::new("invalid");
    let mut app = app(&file.0);
    for _ in 0..2 {
        send(&mut app, Control::Step);
    }
    // A good edit first: rebuilt and replayed, and the room is told.
    std::fs::write(&file.0, format!("{WORKSHOP}\n// edited\n")).unwrap();
    for _ in 0..4 {
        app.update();
    }
    let told = workshop(&app).notice.clone().unwrap_or_default();
    assert!(told.contains("rebuilt and replayed"), "{told}");
    let hash = workshop(&app).session().sim().state_hash();
    let broken = WORKSHOP.replacen("steps: 104", "steps: \"many\"", 1);
    std::fs::write(&file.0, &broken).unwrap();
    for _ in 0..4 {
        app.update();
    }
    let w = workshop(&app);
    assert_eq!(w.notice, None, "the reload's notice no longer holds");
    let errors = w.errors.as_deref().expect("the error is shown");
    let line = broken.lines().position(|l| l.contains("\"many\"")).unwrap() + 1;
    assert!(
        errors.contains(&format!("workshop.scenario.ron:{line}:")) && errors.contains("steps"),
        "{errors}"
    );
    assert_eq!(
        w.session().sim().state_hash(),
        hash,
        "the last good run is untouched"
    );
    // It keeps running.
    send(&mut app, Control::Step);
    assert_eq!(step(&app), 3);
    // Fixing the file clears the error.
    std::fs::write(&file.0, WORKSHOP).unwrap();
    for _ in 0..4 {
        app.update();
    }
    assert!(workshop(&app).errors.is_none());
}

#[test]
fn reset_and_new_seed_return_to_step_zero() {
    let file = Scratch::new("reset");
    let mut app = app(&file.0);
    for _ in 0..4 {
        send(&mut app, Control::Step);
    }
    let seed = workshop(&app).session().seed();
    send(&mut app, Control::Reset);
    assert_eq!(step(&app), 0);
    assert_eq!(workshop(&app).session().seed(), seed);
    let generation = workshop(&app).generation;
    send(&mut app, Control::NewSeed);
    assert_eq!(workshop(&app).session().seed(), seed + 1);
    assert!(workshop(&app).generation > generation, "a new organisation");
}

#[test]
fn opening_a_broken_file_keeps_the_current_run() {
    let file = Scratch::new("open");
    let mut app = app(&file.0);
    let other = file.0.with_file_name("broken.scenario.ron");
    std::fs::write(&other, "Scenario(name: 3)").unwrap();
    send(&mut app, Control::Open(other.clone()));
    let w = workshop(&app);
    assert_eq!(w.path, file.0);
    assert!(
        w.errors
            .as_deref()
            .unwrap()
            .contains("broken.scenario.ron:1:")
    );
    std::fs::write(&other, with_steps(10)).unwrap();
    send(&mut app, Control::Open(other.clone()));
    let w = workshop(&app);
    assert_eq!(w.path, other);
    assert_eq!(w.session().horizon(), 10);
    assert!(w.errors.is_none());
}

#[test]
fn exporting_writes_the_run_as_csv() {
    let file = Scratch::new("export");
    let mut app = app(&file.0);
    send(&mut app, Control::Step);
    let out = file.0.with_file_name("run.csv");
    send(&mut app, Control::ExportCsv(out.clone()));
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.starts_with("run,policy,seed,step,metric,part,value\n"));
    assert!(text.lines().count() > 20);
    assert!(
        workshop(&app)
            .notice
            .as_deref()
            .unwrap()
            .starts_with("saved")
    );
}

#[test]
fn comparing_steps_both_runs_in_lock_step_and_edits_stay_on_one_side() {
    let file = Scratch::new("compare");
    let mut app = app(&file.0);
    send(&mut app, Control::Compare("inside_out".into()));
    // The workshop starts inside-out: the same policy on both sides.
    app.world_mut().resource_mut::<Playback>().steps_per_second = 10.0;
    send(&mut app, Control::TogglePlay);
    for _ in 0..12 {
        app.update();
    }
    send(&mut app, Control::Pause);
    let w = workshop(&app);
    let (a, b) = (w.runs.a(), w.runs.b().expect("comparing"));
    assert!(a.step_index() >= 10);
    assert_eq!(a.step_index(), b.step_index());
    assert_eq!(a.sim().state_hash(), b.sim().state_hash());
    assert_eq!(format!("{:?}", a.history()), format!("{:?}", b.history()));

    // An edit on B changes B only.
    send(
        &mut app,
        Control::Edit(siloscope_workshop::compare::Side::B),
    );
    send(&mut app, Control::SetKnob(Knob::Transparency, 0.95));
    send(&mut app, Control::Step);
    let w = workshop(&app);
    assert!(w.runs.a().edits().is_empty());
    assert_eq!(w.runs.b().unwrap().edits().len(), 1);
    assert_ne!(
        w.runs.a().sim().state_hash(),
        w.runs.b().unwrap().sim().state_hash()
    );

    // Off and on again: A went on alone, the same B comes back caught up.
    send(&mut app, Control::SetComparing(false));
    assert!(workshop(&app).runs.b().is_none());
    assert_eq!(workshop(&app).editing, siloscope_workshop::compare::Side::A);
    send(&mut app, Control::Step);
    send(&mut app, Control::SetComparing(true));
    let w = workshop(&app);
    let b = w.runs.b().unwrap();
    assert_eq!(b.step_index(), w.runs.a().step_index());
    assert_eq!(b.edits().len(), 1, "B kept its edit");
}

#[test]
fn the_scrubber_rewinds_and_playing_on_replays_the_same_run() {
    let file = Scratch::new("rewind");
    let mut app = app(&file.0);
    send(&mut app, Control::Goto(20));
    send(&mut app, Control::Policy("connected".into()));
    send(&mut app, Control::Goto(40));
    let at_40 = workshop(&app).session().sim().state_hash();
    send(&mut app, Control::Goto(7));
    assert_eq!(step(&app), 7);
    send(&mut app, Control::StepBack);
    assert_eq!(step(&app), 6);
    // One step per 100 ms frame, so play stops exactly at 40.
    app.world_mut().resource_mut::<Playback>().steps_per_second = 10.0;
    send(&mut app, Control::TogglePlay);
    while step(&app) < 40 {
        app.update();
    }
    send(&mut app, Control::Pause);
    assert_eq!(
        workshop(&app).session().sim().state_hash(),
        at_40,
        "replayed with the policy switch at step 20"
    );
    assert!(workshop(&app).session().ghost().is_empty());
}

#[test]
fn presenter_mode_tells_the_story_forward_and_back() {
    let file = Scratch::new("story");
    let mut app = app(&file.0);
    send(&mut app, Control::Present(true));
    let w = workshop(&app);
    assert!(w.presenting);
    assert_eq!(w.story.map(|s| s.index), Some(0));
    let steps = w.scenario().story.len();
    for i in 1..5 {
        send(&mut app, Control::StoryNext);
        assert_eq!(workshop(&app).story.unwrap().index, i);
    }
    // Step 5 of the story ("Connected is two-way") compares at week 52.
    let w = workshop(&app);
    assert!(w.runs.comparing());
    assert_eq!(w.runs.b().unwrap().sim().policy(), Some("connected"));
    assert_eq!(w.session().step_index(), 52);
    let there = w.session().sim().state_hash();
    send(&mut app, Control::StoryNext);
    send(&mut app, Control::StoryBack);
    let w = workshop(&app);
    assert_eq!(w.story.unwrap().index, 4);
    assert_eq!(w.session().sim().state_hash(), there, "back is exact");
    for _ in 0..steps + 2 {
        send(&mut app, Control::StoryNext);
    }
    assert_eq!(
        workshop(&app).story.unwrap().index,
        steps - 1,
        "stops at the end"
    );
    send(&mut app, Control::Present(false));
    let w = workshop(&app);
    assert!(!w.presenting && w.story.is_none());
    assert_eq!(w.staging(), siloscope_workshop::story::Staging::default());
}

#[test]
fn the_run_from_before_the_story_can_be_restored() {
    let file = Scratch::new("restore");
    let mut app = app(&file.0);
    send(&mut app, Control::Goto(9));
    send(&mut app, Control::SetKnob(Knob::Transparency, 0.95));
    let mine = workshop(&app).session().sim().state_hash();
    send(&mut app, Control::Present(true));
    send(&mut app, Control::StoryNext);
    assert_ne!(workshop(&app).session().sim().state_hash(), mine);
    send(&mut app, Control::RestoreRuns);
    let w = workshop(&app);
    assert_eq!(w.session().step_index(), 9);
    assert_eq!(w.session().sim().state_hash(), mine);
    assert_eq!(w.session().edits().len(), 1, "the live edit is back");
    assert!(!w.presenting && w.story.is_none() && w.before_story.is_none());
}

// ---- The app never panics on user action (issue 7) ----

/// A scenario of one part only, or two: `groups` is RON for the groups.
fn only(groups: &str) -> String {
    format!("Scenario(name: \"lopsided\", steps: 20, groups: [{groups}])")
}

/// Everything a facilitator can do to a run, in one go: play, step, rewind,
/// compare, edit B, tell the story, export. Nothing may panic; the run
/// must still be at a sensible step afterwards.
fn use_everything(app: &mut App, dir: &std::path::Path) {
    send(app, Control::TogglePlay);
    for _ in 0..5 {
        app.update();
    }
    send(app, Control::Step);
    send(app, Control::Goto(3));
    send(app, Control::StepBack);
    send(app, Control::Compare("connected".into()));
    send(app, Control::Edit(siloscope_workshop::compare::Side::B));
    send(app, Control::SetKnob(Knob::Transparency, 1.0));
    send(app, Control::Goto(u32::MAX));
    send(app, Control::Present(true));
    send(app, Control::StoryNext);
    send(app, Control::StoryBack);
    send(app, Control::Present(false));
    send(app, Control::RestoreRuns);
    send(app, Control::ExportCsv(dir.join("export.csv")));
    send(app, Control::SetComparing(false));
    send(app, Control::Reset);
    send(app, Control::NewSeed);
    let w = workshop(app);
    assert_eq!(w.session().step_index(), 0, "{:?}", w.notice);
}

#[test]
fn a_scenario_with_no_agents_of_some_parts_runs_without_a_panic() {
    let file = Scratch::new("lopsided");
    let dir = file.0.parent().unwrap().to_owned();
    let cases = [
        (
            "departments",
            r#"(name: "Product", part: Department, role: Product, count: 4)"#,
        ),
        (
            "customers",
            r#"(name: "Customers", part: ExistingCustomer, count: 30, ties: Random(density: 0.2))"#,
        ),
        (
            "prospects",
            r#"(name: "Prospects", part: NewCustomer, count: 30, ties: Random(density: 0.2))"#,
        ),
        (
            "partners",
            r#"(name: "Partners", part: Partner, count: 5, ties: Complete)"#,
        ),
        (
            "empty group",
            r#"(name: "Nobody", part: ExistingCustomer, count: 0)"#,
        ),
    ];
    let workshop_agents = workshop(&app(&file.0)).session().scenario().agent_count();
    for (name, groups) in cases {
        let path = dir.join(format!("{}.scenario.ron", name.replace(' ', "_")));
        std::fs::write(&path, only(groups)).unwrap();
        let mut app = app(&path);
        use_everything(&mut app, &dir);
        let w = workshop(&app);
        assert!(w.errors.is_none(), "{name}: {:?}", w.errors);
        // Opened from the workshop too, and back.
        let mut app = self::app(&file.0);
        send(&mut app, Control::Open(path.clone()));
        assert_eq!(
            workshop(&app).path,
            path,
            "{name}: {:?}",
            workshop(&app).errors
        );
        use_everything(&mut app, &dir);
        send(&mut app, Control::Open(file.0.clone()));
        let back = workshop(&app).session().scenario().agent_count();
        assert_eq!(back, workshop_agents, "{name}");
    }
}

#[test]
fn extreme_control_values_are_refused_or_clamped_never_a_panic() {
    let file = Scratch::new("extreme");
    let mut app = app(&file.0);
    send(&mut app, Control::Step);
    let hash = workshop(&app).session().sim().state_hash();
    for value in [
        f32::NAN,
        f32::INFINITY,
        f32::NEG_INFINITY,
        -1e30,
        1e30,
        -0.0001,
        1.0001,
    ] {
        send(&mut app, Control::SetKnob(Knob::SiloPermeability, value));
        let notice = workshop(&app).notice.clone().unwrap_or_default();
        assert!(notice.contains("out of range"), "{value}: {notice:?}");
    }
    let campaigns = [
        (0, 0.5),
        (5, f32::NAN),
        (5, -1.0),
        (5, 1e9),
        (u32::MAX, 2.0),
    ];
    for (duration, reach) in campaigns {
        let iv = siloscope_scenario::Intervention {
            at: 2,
            action: siloscope_scenario::Action::Campaign { duration, reach },
        };
        send(&mut app, Control::Schedule(iv));
        let notice = workshop(&app).notice.clone().unwrap_or_default();
        assert!(
            notice.contains("a campaign needs"),
            "{duration} {reach}: {notice:?}"
        );
    }
    let far = siloscope_scenario::Intervention {
        at: u32::MAX,
        action: siloscope_scenario::Action::Policy("connected".into()),
    };
    send(&mut app, Control::Schedule(far));
    send(&mut app, Control::Policy("no such policy".into()));
    send(&mut app, Control::Compare("no such policy".into()));
    assert!(!workshop(&app).runs.comparing());
    // Nothing refused touched the run.
    assert_eq!(workshop(&app).session().sim().state_hash(), hash);
    // The fastest speed, many times over, then the slowest: bounded.
    for _ in 0..50 {
        send(&mut app, Control::Faster);
    }
    send(&mut app, Control::TogglePlay);
    for _ in 0..200 {
        app.update();
    }
    let w = workshop(&app);
    assert_eq!(
        w.session().step_index(),
        w.session().horizon(),
        "played to the end"
    );
    for _ in 0..50 {
        send(&mut app, Control::Slower);
    }
    // Rewinding past the start and going far past the end stop at the ends.
    send(&mut app, Control::Goto(0));
    send(&mut app, Control::StepBack);
    assert_eq!(step(&app), 0);
    send(&mut app, Control::Goto(u32::MAX));
    assert_eq!(step(&app), 104);
    send(&mut app, Control::Step);
    assert_eq!(step(&app), 104);
    // A story step past the story's end, and back before its start.
    send(&mut app, Control::Present(true));
    for _ in 0..20 {
        send(&mut app, Control::StoryNext);
    }
    for _ in 0..20 {
        send(&mut app, Control::StoryBack);
    }
    assert_eq!(workshop(&app).story.map(|s| s.index), Some(0));
}

#[test]
fn deleting_the_open_scenario_file_keeps_the_run_and_reloads_when_it_is_back() {
    let file = Scratch::new("deleted");
    let mut app = app(&file.0);
    for _ in 0..3 {
        send(&mut app, Control::Step);
    }
    std::fs::remove_file(&file.0).unwrap();
    for _ in 0..4 {
        app.update();
    }
    let errors = workshop(&app).errors.clone().expect("the loss is shown");
    assert!(errors.contains("is gone (deleted or moved)"), "{errors}");
    send(&mut app, Control::Step);
    assert_eq!(step(&app), 4, "the run goes on");
    send(&mut app, Control::Reset);
    send(
        &mut app,
        Control::ExportCsv(file.0.with_file_name("still.csv")),
    );
    assert!(file.0.with_file_name("still.csv").exists());
    // Back, as a shorter scenario: reloaded.
    std::fs::write(&file.0, with_steps(30)).unwrap();
    for _ in 0..4 {
        app.update();
    }
    let w = workshop(&app);
    assert!(w.errors.is_none(), "{:?}", w.errors);
    assert_eq!(w.session().horizon(), 30);
}

#[test]
fn hostile_reloads_keep_the_last_good_run() {
    let file = Scratch::new("hostile-reload");
    let mut app = app(&file.0);
    send(&mut app, Control::Compare("connected".into()));
    send(&mut app, Control::Present(true));
    send(&mut app, Control::StoryNext);
    let hash = workshop(&app).session().sim().state_hash();
    let comparing = workshop(&app).runs.comparing();
    let replacements: [(&str, Vec<u8>); 5] = [
        ("empty", Vec::new()),
        ("not UTF-8", b"Scenario(name: \"\xff\")".to_vec()),
        (
            "truncated",
            WORKSHOP.as_bytes()[..WORKSHOP.len() / 2].to_vec(),
        ),
        (
            "over the limits",
            WORKSHOP
                .replacen("count: 110", "count: 999999999", 1)
                .into_bytes(),
        ),
        (
            "a story for another organisation",
            WORKSHOP
                .replacen("Compare(\"connected\")", "Compare(\"nope\")", 1)
                .into_bytes(),
        ),
    ];
    for (what, bytes) in replacements {
        std::fs::write(&file.0, &bytes).unwrap();
        for _ in 0..4 {
            app.update();
        }
        let w = workshop(&app);
        assert!(w.errors.is_some(), "{what}: no error shown");
        assert_eq!(
            w.session().sim().state_hash(),
            hash,
            "{what}: the run changed"
        );
        assert_eq!(w.runs.comparing(), comparing, "{what}");
    }
    // Replaced by a directory: refused by kind, still no panic.
    std::fs::remove_file(&file.0).unwrap();
    std::fs::create_dir(&file.0).unwrap();
    for _ in 0..4 {
        app.update();
    }
    assert!(workshop(&app).errors.is_some());
    send(&mut app, Control::StoryNext);
    std::fs::remove_dir(&file.0).unwrap();
    // A valid file with no customers at all, while comparing and presenting.
    std::fs::write(
        &file.0,
        only(r#"(name: "Product", part: Department, role: Product, count: 4)"#),
    )
    .unwrap();
    for _ in 0..4 {
        app.update();
    }
    let w = workshop(&app);
    assert!(w.errors.is_none(), "{:?}", w.errors);
    assert_eq!(w.session().scenario().agent_count(), 4);
    send(&mut app, Control::StoryNext);
    send(&mut app, Control::Step);
}

/// Update until the background replay of A and B has finished.
pub(crate) fn replayed(app: &mut App) -> siloscope_workshop::luck::Luck {
    for _ in 0..600 {
        app.update();
        let check = app.world().resource::<LuckCheck>();
        if let Some(luck) = &check.luck {
            return luck.clone();
        }
        assert!(check.error.is_none(), "{:?}", check.error);
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("the replay did not finish in 30 s");
}

#[test]
fn comparing_replays_both_runs_on_paired_seeds_and_again_after_an_edit() {
    let file = Scratch::new("luck");
    let mut app = app(&file.0);
    send(&mut app, Control::Compare("connected".into()));
    send(&mut app, Control::Goto(20));
    assert!(app.world().resource::<LuckCheck>().pending());
    let first = replayed(&mut app);
    let spreads = first.at(20).expect("every step is kept");
    assert_eq!(spreads[0].diff.n, siloscope_workshop::luck::SEEDS as usize);
    assert!(spreads[0].diff.lo <= spreads[0].diff.hi);
    // Moving along the timeline needs no new replay.
    send(&mut app, Control::Goto(10));
    assert!(!app.world().resource::<LuckCheck>().pending());
    assert!(app.world().resource::<LuckCheck>().luck.is_some());
    // An edit to B changes what B is: the old replay goes, a new one comes.
    send(
        &mut app,
        Control::Edit(siloscope_workshop::compare::Side::B),
    );
    send(&mut app, Control::SetKnob(Knob::SiloPermeability, 0.0));
    assert!(app.world().resource::<LuckCheck>().luck.is_none());
    let second = replayed(&mut app);
    assert_ne!(first, second);
    // Stopping the comparison drops it.
    send(&mut app, Control::SetComparing(false));
    let check = app.world().resource::<LuckCheck>();
    assert!(check.luck.is_none() && !check.pending());
}

/// What the app shows is what `siloscope run` computes: the workshop
/// opened as `siloscope app --policy connected --seed 7` would open it,
/// stepped by hand and played by the clock, saves a time series
/// byte-identical to the one `siloscope run --policy connected --seed 7`
/// writes (the same writer, on a run started headless), and its state hash
/// is the headless run's.
#[test]
fn the_app_computes_the_same_run_as_the_command_line() {
    use siloscope_lab::output::TimeSeriesWriter;
    use siloscope_model::sim::{RunOptions, Simulation};
    let file = Scratch::new("same-run");
    let mut app = App::new();
    app.add_plugins(MinimalPlugins)
        .insert_resource(TimeUpdateStrategy::ManualDuration(Duration::from_millis(
            100,
        )))
        .insert_resource(Workshop::open(&file.0, Some("connected".into()), Some(7)).unwrap())
        .add_plugins(WorkshopPlugin);
    app.update();
    for _ in 0..5 {
        send(&mut app, Control::Step);
    }
    app.world_mut().resource_mut::<Playback>().steps_per_second = 10.0;
    send(&mut app, Control::TogglePlay);
    while step(&app) < 30 {
        app.update();
    }
    send(&mut app, Control::TogglePlay);
    let steps = step(&app);
    let saved = file.0.with_file_name("app.csv");
    send(&mut app, Control::ExportCsv(saved.clone()));

    // The command line's run: its options and writer (crates/cli/src/commands/run.rs).
    let scenario = siloscope_scenario::files::read_scenario(&file.0).unwrap();
    let options = RunOptions {
        policy: Some("connected".into()),
        seed: Some(7),
        record_flows: false,
    };
    let mut sim = Simulation::new(&scenario, options).unwrap();
    let mut writer = TimeSeriesWriter::new(Vec::new()).unwrap();
    sim.run(steps, |report| {
        writer.write(0, "connected", 7, report).unwrap()
    });
    let expected = writer.finish().unwrap();
    let app_run = workshop(&app).session().sim();
    assert_eq!(app_run.step_index(), sim.step_index());
    assert_eq!(app_run.state_hash(), sim.state_hash());
    let got = std::fs::read(&saved).unwrap();
    assert!(got.len() > 10_000, "{} bytes", got.len());
    assert!(
        got == expected,
        "the app's time series differs from the command line's"
    );
}
