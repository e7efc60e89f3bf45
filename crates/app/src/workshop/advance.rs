//! Time: stepping the runs while playing, at the chosen speed, and
//! noticing that the scenario file or a network file it names changed
//! (rebuilt and replayed to the step on screen, or its errors shown while
//! the last good run goes on).

use super::{MAX_STEPS_PER_FRAME, Playback, Stepped, Until, Workshop};
use bevy::prelude::*;
use siloscope_scenario::files;
use siloscope_workshop::compare::Side;

pub(super) fn watch_scenario(time: Res<Time>, mut workshop: ResMut<Workshop>) {
    let w = &mut *workshop;
    if !w.watch_timer.tick(time.delta()).just_finished() {
        return;
    }
    let Some(changed) = w.watch.changed_file() else {
        return;
    };
    let (read, network) = files::read_scenario_watched(&w.path);
    // The scenario may now name other network files.
    w.watch.also(network);
    match read {
        Ok(scenario) => match w.runs.reload(&scenario) {
            Ok(done) => {
                w.errors = None;
                w.sources =
                    siloscope_workshop::record::Sources::of(&w.path, &w.watch.also_paths()).ok();
                let mut notice = format!(
                    "{} changed: rebuilt and replayed to step {}",
                    changed.display(),
                    done.step
                );
                if !done.refused.is_empty() {
                    notice.push_str(&format!("; not replayed: {}", done.refused.join("; ")));
                }
                w.tell_until(notice, Until::FileGood);
                // The story's staging may no longer fit the new file.
                if w.story.is_some_and(|at| at.index >= scenario.story.len()) {
                    w.story = None;
                }
                if !w.runs.comparing() {
                    w.editing = Side::A;
                }
                w.rebuilt();
            }
            Err(e) => w.errors = Some(format!("{}: {e}", w.path.display())),
        },
        Err(_) if !w.path.exists() => {
            w.errors = Some(format!(
                "{} is gone (deleted or moved); the run goes on with the version read last, and reloads when the file is back",
                w.path.display()
            ));
        }
        Err(errors) => w.errors = Some(errors.to_string()),
    }
}

pub(super) fn advance(
    time: Res<Time>,
    mut workshop: ResMut<Workshop>,
    mut playback: ResMut<Playback>,
    mut stepped: MessageWriter<Stepped>,
) {
    if !playback.playing {
        return;
    }
    playback.owed += time.delta_secs() * playback.steps_per_second;
    let mut done = 0;
    while playback.owed >= 1.0 && done < MAX_STEPS_PER_FRAME {
        playback.owed -= 1.0;
        done += 1;
        if !workshop.runs.step() {
            break;
        }
        stepped.write(Stepped(workshop.session().step_index() - 1));
    }
    // A slow frame does not build up a backlog of steps.
    playback.owed = playback.owed.min(1.0);
    if workshop.session().at_end() {
        playback.playing = false;
        let notice = format!(
            "end of the run: {} {}s",
            workshop.session().horizon(),
            workshop.scenario().step_unit
        );
        workshop.tell_until(notice, Until::AtEnd);
    }
}

/// Status that no longer holds goes: "end of the run" (or "at its horizon")
/// once the run is rewound from its end, and a reload's notice once the file has errors
/// (the errors say what the run is now).
pub(super) fn expire_notices(mut workshop: ResMut<Workshop>) {
    let w = &mut *workshop;
    let Some((text, until)) = &w.held else {
        return;
    };
    // Replaced by another notice: nothing of it is shown any more.
    if w.notice.as_deref() != Some(text.as_str()) {
        w.held = None;
        return;
    }
    let holds = match until {
        Until::AtEnd => w.session().at_end(),
        Until::FileGood => w.errors.is_none(),
    };
    if !holds {
        w.notice = None;
        w.held = None;
    }
}
