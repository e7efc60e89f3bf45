//! Applying the [`Control`]s the panels and shortcuts send: play, step,
//! rewind, live edits, compare, the story, export, opening another
//! scenario.

use super::{Control, Playback, Stepped, StoryAt, Until, Workshop};
use bevy::prelude::*;
use siloscope_scenario::files;
use siloscope_workshop::compare::{Runs, Side};
use siloscope_workshop::session::Session;
use siloscope_workshop::story;
use siloscope_workshop::watch::FileWatch;
use std::path::Path;

pub(super) fn apply_commands(
    mut commands: MessageReader<Control>,
    mut workshop: ResMut<Workshop>,
    mut playback: ResMut<Playback>,
    mut stepped: MessageWriter<Stepped>,
    hosting: Option<Res<super::Hosting>>,
) {
    for command in commands.read() {
        let w = &mut *workshop;
        if let Some(why) = hosting
            .as_deref()
            .and_then(|h| super::room::refused(h, command, playback.playing))
        {
            w.notice = Some(why);
            continue;
        }
        let result: anyhow::Result<()> = match command {
            Control::TogglePlay => {
                if !playback.playing && w.session().at_end() {
                    w.tell_until(
                        "the run is at its horizon: reset (R) to play it again".to_owned(),
                        Until::AtEnd,
                    );
                }
                playback.playing = !playback.playing && !w.session().at_end();
                playback.owed = 0.0;
                Ok(())
            }
            Control::Pause => {
                playback.playing = false;
                Ok(())
            }
            Control::Step => {
                playback.playing = false;
                if w.runs.step() {
                    stepped.write(Stepped(w.session().step_index() - 1));
                }
                Ok(())
            }
            Control::Reset => w.runs.reset().map_err(Into::into).map(|()| {
                playback.playing = false;
                w.notice = Some(format!("reset to step 0 (seed {})", w.session().seed()));
            }),
            Control::NewSeed => {
                let seed = w.session().seed().wrapping_add(1);
                w.runs.reseed(seed).map_err(Into::into).map(|()| {
                    playback.playing = false;
                    w.notice = Some(format!("new seed {seed}: the organisation is regenerated"));
                    w.rebuilt();
                })
            }
            Control::Faster => {
                playback.faster();
                Ok(())
            }
            Control::Slower => {
                playback.slower();
                Ok(())
            }
            Control::SetKnob(k, v) => w.edited().set_knob(*k, *v).map_err(Into::into),
            Control::Policy(name) => {
                let side = w.runs.comparing().then_some(w.editing);
                let session = w.edited();
                let result = session.apply_policy(name);
                let step = session.step_index();
                result.map_err(Into::into).map(|()| {
                    let on = side
                        .map(|s| format!(" on {}", s.label()))
                        .unwrap_or_default();
                    w.notice = Some(format!("policy {name}{on} from step {step}"));
                })
            }
            Control::Schedule(iv) => w.edited().schedule(iv.clone()).map_err(Into::into),
            Control::Open(path) => open(w, path).map(|()| playback.playing = false),
            Control::ExportCsv(path) => export(w, path),
            Control::Goto(step) => {
                playback.playing = false;
                goto(w, *step, &mut stepped);
                Ok(())
            }
            Control::StepBack => {
                playback.playing = false;
                let step = w.session().step_index().saturating_sub(1);
                goto(w, step, &mut stepped);
                Ok(())
            }
            Control::Compare(policy) => w.runs.compare(policy).map_err(Into::into).map(|()| {
                w.notice = Some(format!(
                    "comparing: A {} and B {policy}, same seed, in lock-step",
                    policy_name(w.session())
                ));
                w.rebuilt();
            }),
            Control::SetComparing(on) => {
                w.runs.set_comparing(*on);
                if !w.runs.comparing() {
                    w.editing = Side::A;
                }
                w.rebuilt();
                Ok(())
            }
            Control::Edit(side) => {
                w.editing = *side;
                Ok(())
            }
            Control::Present(on) => {
                w.presenting = *on;
                playback.playing = false;
                if *on && hosting.is_some() {
                    // The story restarts the run: not the room's.
                    w.story = None;
                    w.notice = Some(
                        "presenting the room's run; the story would restart it: close the room to tell it"
                            .into(),
                    );
                    Ok(())
                } else if *on && !w.scenario().story.is_empty() {
                    tell(w, 0)
                } else {
                    w.story = None;
                    Ok(())
                }
            }
            Control::StoryNext => match w.story {
                Some(at) if at.index + 1 < w.scenario().story.len() => {
                    playback.playing = false;
                    let step = w.scenario().story[at.index + 1].clone();
                    let staging = story::perform(&step, &mut w.runs);
                    w.rebuilt();
                    staging.map_err(Into::into).map(|staging| {
                        w.story = Some(StoryAt {
                            index: at.index + 1,
                            staging,
                        });
                    })
                }
                Some(_) => {
                    w.notice = Some("that was the story's last step".into());
                    Ok(())
                }
                None if !w.scenario().story.is_empty() => tell(w, 0),
                None => {
                    w.notice = Some("this scenario has no story".into());
                    Ok(())
                }
            },
            Control::StoryBack => match w.story {
                Some(at) if at.index > 0 => tell(w, at.index - 1),
                _ => Ok(()),
            },
            Control::RestoreSession(_)
            | Control::DeclineSession
            | Control::AddNote(_)
            | Control::RemoveNote(_)
            | Control::AddPrediction(_)
            | Control::RemovePrediction(_)
            | Control::ExportDebrief(_) => {
                // Sessions, notes and the debrief: `keep.rs`.
                Ok(())
            }
            Control::RestoreRuns => {
                if let Some(runs) = w.before_story.take() {
                    w.runs = runs;
                    w.story = None;
                    w.presenting = false;
                    w.editing = Side::A;
                    playback.playing = false;
                    w.notice = Some(format!(
                        "back to your run at step {}",
                        w.session().step_index()
                    ));
                    w.rebuilt();
                }
                Ok(())
            }
        };
        if let Err(e) = result {
            w.notice = Some(format!("{e:#}"));
        }
    }
}

fn policy_name(s: &Session) -> &str {
    s.sim().policy().unwrap_or("(scenario knobs)")
}

/// Both runs to `step`; the view animates the items of the step that led
/// there.
pub(super) fn goto(w: &mut Workshop, step: u32, stepped: &mut MessageWriter<Stepped>) {
    w.runs.goto(step);
    let now = w.session().step_index();
    if now > 0 {
        stepped.write(Stepped(now - 1));
    }
}

/// Tell the story from the start to step `index` (stepping back performs
/// it again from the start: the same state as going forward).
fn tell(w: &mut Workshop, index: usize) -> anyhow::Result<()> {
    if w.story.is_none() && w.before_story.is_none() {
        // The story restarts the runs: keep the facilitator's own (from
        // before the first telling, until they are restored).
        w.before_story = Some(w.runs.clone());
    }
    let story = w.scenario().story.clone();
    let staging = story::perform_to(&story, index, &mut w.runs)?;
    w.story = Some(StoryAt { index, staging });
    w.editing = Side::A;
    w.rebuilt();
    Ok(())
}

pub(super) fn export(w: &mut Workshop, path: &Path) -> anyhow::Result<()> {
    let mut written = vec![path.to_owned()];
    w.session()
        .write_csv(path)
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    if let Some(b) = w.runs.b() {
        let path_b = path.with_file_name(format!(
            "{}_B.csv",
            path.file_stem().unwrap_or_default().to_string_lossy()
        ));
        b.write_csv(&path_b)
            .map_err(|e| anyhow::anyhow!("{}: {e}", path_b.display()))?;
        written.push(path_b);
    }
    let names: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
    w.notice = Some(format!("saved {}", names.join(" and ")));
    Ok(())
}

/// Switch to another scenario file; on error the current run stays.
pub(super) fn open(w: &mut Workshop, path: &Path) -> anyhow::Result<()> {
    let (read, network) = files::read_scenario_watched(path);
    match read {
        Ok(scenario) => {
            w.runs = Runs::new(Session::new(&scenario, None, None)?);
            w.editing = Side::A;
            w.story = None;
            w.before_story = None;
            w.notes.clear();
            w.predictions.clear();
            w.sources = siloscope_workshop::record::Sources::of(path, &network).ok();
            w.path = path.to_owned();
            w.watch = FileWatch::with(path, network);
            w.errors = None;
            w.notice = Some(format!("opened {}", path.display()));
            w.rebuilt();
            Ok(())
        }
        Err(errors) => {
            w.errors = Some(errors.to_string());
            Err(anyhow::anyhow!(
                "{} has errors; still showing {}",
                path.display(),
                w.path.display()
            ))
        }
    }
}
