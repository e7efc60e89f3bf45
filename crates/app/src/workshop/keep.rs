//! Sessions that are never lost: the workshop is saved to a session file
//! ([`siloscope_workshop::record`]) every few seconds while it changes and
//! a last time when the app closes; a session that did not close (a crash,
//! a closed lid, a killed window) is offered back when the scenario is
//! opened again, and restored exactly where it was. Also here: the
//! facilitator's notes and the room's predictions, and the debrief page.

use super::{Control, Playback, StoryAt, Until, Workshop};
use crate::view::View;
use bevy::prelude::*;
use siloscope_workshop::compare::Side;
use siloscope_workshop::debrief::{About, page};
use siloscope_workshop::layout::Picture;
use siloscope_workshop::record::{
    Autosave, ChangedElsewhere, MAX_NOTES, MAX_TEXT_CHARS, Parts, SessionFile, SessionInfo, hex,
    mark_ended, rfc3339, unfinished,
};
use siloscope_workshop::story;
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime};

/// Where the session is saved, and what is offered back.
#[derive(Resource, Default)]
pub struct Keeping {
    /// Saves the session (`None`: it is not saved, as in the headless
    /// tests, or where there is no home directory).
    pub autosave: Option<Autosave>,
    /// The directory new session files go to.
    dir: Option<PathBuf>,
    /// The scenario file the session file is about.
    scenario: PathBuf,
    /// The newest session of this scenario that did not end, offered back.
    pub offer: Option<SessionInfo>,
    /// The last failure to save, told once.
    failed: Option<String>,
}

impl Keeping {
    /// Save sessions of the scenario at `scenario` in `dir` (a new file);
    /// with `offer`, offer back the newest session of it that did not end.
    pub fn in_dir(dir: &Path, scenario: &Path, offer: bool) -> Keeping {
        Keeping {
            autosave: Some(Autosave::new(dir, scenario, SystemTime::now())),
            dir: Some(dir.to_owned()),
            scenario: scenario.to_owned(),
            offer: offer
                .then(|| unfinished(dir, scenario).into_iter().next())
                .flatten(),
            failed: None,
        }
    }

    /// The directory session files go to.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// Save at the next frame (whatever the time since the last save).
    pub fn save_soon(&mut self) {
        if let Some(a) = &mut self.autosave {
            a.soon();
        }
    }

    /// Go on saving into the file of a restored session.
    pub fn continuing(file: &SessionFile, path: &Path, scenario: &Path) -> Keeping {
        Keeping {
            autosave: Some(Autosave::at(path.to_owned(), Some(file.bytes_hash()))),
            dir: path.parent().map(Path::to_owned),
            scenario: scenario.to_owned(),
            offer: None,
            failed: None,
        }
    }
}

/// What the view showed when a session was saved.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Seen {
    /// The picture of the organisation.
    pub picture: Picture,
    /// The agent inspected, and its run.
    pub inspected: Option<(Side, u32)>,
}

/// The session as a file saves it: the workshop's, with what the view
/// shows (none in the headless tests, which have no view).
pub fn parts<'a>(w: &'a Workshop, view: Option<&View>) -> Parts<'a> {
    let mut parts = w.parts();
    if let Some(v) = view {
        parts.picture = v.picture;
        // Run B's agent only while B is shown (the view goes back to A
        // when the comparison ends, maybe a frame later than this save).
        let side = if w.runs.comparing() {
            v.selected_side
        } else {
            Side::A
        };
        parts.inspected = v.selected.map(|a| (side, a));
    }
    parts
}

/// Restore the session in `file` into the workshop: the same runs, step,
/// comparison, story step, notes and predictions; the scenario must be
/// the one open, with the bytes it was saved with. Returns what the view
/// showed, for the view to show again.
pub fn restore(w: &mut Workshop, file: &SessionFile) -> anyhow::Result<Seen> {
    let saved_for = file.scenario_path();
    let saved_for = saved_for.canonicalize().unwrap_or(saved_for);
    let open = w.path.canonicalize().unwrap_or_else(|_| w.path.clone());
    if saved_for != open {
        anyhow::bail!(
            "{} is a session of {}, not of the scenario open ({})",
            file.file,
            saved_for.display(),
            w.path.display()
        );
    }
    let scenario = file.scenario()?;
    let r = file.restore(&scenario)?;
    w.story = match r.story {
        Some(i) => Some(StoryAt {
            index: i,
            staging: story::staging_of(&scenario.story[i]),
        }),
        None => None,
    };
    w.runs = r.runs;
    w.editing = r.editing;
    w.presenting = r.presenting;
    w.before_story = r.before_story;
    w.notes = r.notes;
    w.predictions = r.predictions;
    w.sources = Some(file.sources());
    w.errors = None;
    w.rebuilt();
    Ok(Seen {
        picture: r.picture,
        inspected: r.inspected,
    })
}

/// Sessions, notes, predictions and the debrief, as the controls ask.
pub(super) fn apply_keep_controls(
    mut controls: MessageReader<Control>,
    mut workshop: ResMut<Workshop>,
    mut keeping: ResMut<Keeping>,
    mut playback: ResMut<Playback>,
    mut view: Option<ResMut<View>>,
) {
    for control in controls.read() {
        let w = &mut *workshop;
        let result: anyhow::Result<()> = match control {
            Control::RestoreSession(path) => SessionFile::read(path)
                .map_err(anyhow::Error::from)
                .and_then(|file| {
                    // The session on screen ends here (saved, closed), so
                    // it is not offered back as one a crash interrupted.
                    if keeping.autosave.as_ref().is_some_and(|a| a.path() != path) {
                        end(w, view.as_deref(), &mut keeping, Instant::now());
                    }
                    let seen = restore(w, &file)?;
                    if let Some(v) = view.as_deref_mut() {
                        v.picture = seen.picture;
                        v.selected = seen.inspected.map(|(_, a)| a);
                        v.selected_side = seen.inspected.map_or(Side::A, |(side, _)| side);
                        v.fit = true;
                    }
                    playback.playing = false;
                    keeping.autosave = Some(Autosave::at(path.clone(), Some(file.bytes_hash())));
                    keeping.offer = None;
                    w.notice = Some(format!(
                        "restored the session saved {}, at {} {}",
                        siloscope_workshop::record::when(&file.record.saved),
                        w.scenario().step_unit,
                        w.session().step_index()
                    ));
                    info!(
                        "restored {} exactly: state {}",
                        path.display(),
                        file.record.state
                    );
                    Ok(())
                }),
            Control::DeclineSession => match keeping.offer.take() {
                Some(offer) => mark_ended(&offer.path).map_err(|e| anyhow::anyhow!(e)),
                None => Ok(()),
            },
            Control::AddNote(note) => {
                if w.notes.len() >= MAX_NOTES {
                    Err(anyhow::anyhow!("at most {MAX_NOTES} notes"))
                } else {
                    let mut note = note.clone();
                    note.text = note.text.chars().take(MAX_TEXT_CHARS).collect();
                    w.notes.push(note);
                    Ok(())
                }
            }
            Control::RemoveNote(i) => {
                if *i < w.notes.len() {
                    w.notes.remove(*i);
                }
                Ok(())
            }
            Control::AddPrediction(p) => {
                let mut p = p.clone();
                p.by = p.by.chars().take(MAX_TEXT_CHARS).collect();
                // What a session file would refuse is refused here.
                let problem = p
                    .problems()
                    .into_iter()
                    .map(|(_, why)| why)
                    .chain(p.step_problem(w.session().horizon()))
                    .next();
                if let Some(why) = problem {
                    Err(anyhow::anyhow!(why))
                } else if w.predictions.len() >= MAX_NOTES {
                    Err(anyhow::anyhow!("at most {MAX_NOTES} predictions"))
                } else {
                    w.predictions.push(p);
                    Ok(())
                }
            }
            Control::RemovePrediction(i) => {
                if *i < w.predictions.len() {
                    w.predictions.remove(*i);
                }
                Ok(())
            }
            Control::ExportDebrief(path) => debrief(w, &keeping, path),
            _ => Ok(()),
        };
        if let Err(e) = result {
            w.notice = Some(format!("{e:#}"));
        }
    }
}

/// Write the debrief of the session as it is now.
fn debrief(w: &mut Workshop, keeping: &Keeping, path: &Path) -> anyhow::Result<()> {
    let about = About {
        session: keeping.autosave.as_ref().map_or_else(
            || "(a session not saved)".to_owned(),
            |a| a.path().display().to_string(),
        ),
        saved: rfc3339(SystemTime::now()),
        scenario_path: w.path.display().to_string(),
        scenario_hash: w
            .sources
            .as_ref()
            .map_or_else(|| "unknown".to_owned(), |s| s.scenario.hash.clone()),
    };
    let scenario = w.session().original_scenario();
    let html = page(&scenario, &w.parts(), &about)?;
    siloscope_lab::output::write_atomic(path, html.as_bytes())
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    w.notice = Some(format!("wrote the debrief to {}", path.display()));
    Ok(())
}

/// Save the session when due and changed; a new file when another
/// scenario was opened (the old session ends).
pub(super) fn keep_session(
    mut workshop: ResMut<Workshop>,
    mut keeping: ResMut<Keeping>,
    view: Option<Res<View>>,
) {
    let now = Instant::now();
    let k = &mut *keeping;
    let view = view.as_deref();
    if k.autosave.is_some() && k.scenario != workshop.path {
        end(&workshop, view, k, now);
        if let Some(dir) = &k.dir {
            k.autosave = Some(Autosave::new(dir, &workshop.path, SystemTime::now()));
        }
        k.scenario = workshop.path.clone();
        k.offer = None;
    }
    let Some(autosave) = k.autosave.as_mut().filter(|a| a.due(now)) else {
        return;
    };
    let Some(sources) = &workshop.sources else {
        return;
    };
    match autosave.save(&parts(&workshop, view), sources, false, now) {
        Ok(_) => k.failed = None,
        Err(e) if e.get_ref().is_some_and(|e| e.is::<ChangedElsewhere>()) => {
            // Another program saved over this session's file: go on in a
            // new one rather than lose either.
            if let Some(dir) = &k.dir {
                let old = autosave.path().display().to_string();
                let mut next = Autosave::new(dir, &workshop.path, SystemTime::now());
                next.soon();
                workshop.notice = Some(format!(
                    "{old} was changed by another program: the session goes on in {}",
                    next.path().display()
                ));
                k.autosave = Some(next);
            }
        }
        Err(e) => {
            let why = format!(
                "the session could not be saved to {}: {e}",
                autosave.path().display()
            );
            if k.failed.as_ref() != Some(&why) {
                workshop.tell_until(why.clone(), Until::FileGood);
                k.failed = Some(why);
            }
        }
    }
}

/// The last save, marked ended, when the app closes.
pub(super) fn end_session(
    mut exits: MessageReader<AppExit>,
    workshop: Res<Workshop>,
    mut keeping: ResMut<Keeping>,
    view: Option<Res<View>>,
) {
    if exits.read().next().is_some() {
        end(&workshop, view.as_deref(), &mut keeping, Instant::now());
    }
}

fn end(w: &Workshop, view: Option<&View>, k: &mut Keeping, now: Instant) {
    if let (Some(autosave), Some(sources)) = (k.autosave.as_mut(), &w.sources) {
        let parts = parts(w, view);
        match autosave.save(&parts, sources, true, now) {
            Ok(_) => info!(
                "session saved to {} (state {})",
                autosave.path().display(),
                hex(parts.state_hash())
            ),
            Err(e) => error!(
                "the session could not be saved to {}: {e}",
                autosave.path().display()
            ),
        }
    }
}
