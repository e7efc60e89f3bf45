//! Where sessions are saved, when, and which to offer back after a crash.
//!
//! Sessions live in one directory beside the user's data:
//! `$SILOSCOPE_SESSIONS` if set, else `$XDG_DATA_HOME/siloscope/sessions`,
//! else `~/.local/share/siloscope/sessions`. Each session is one file,
//! `<scenario>-<YYYYMMDD-HHMMSS>-<process>.session.ron` (a name no file
//! has yet), rewritten
//! atomically (a crash mid-write leaves the last whole save) every
//! [`Autosave::EVERY`] while something changed, and a last time with
//! `ended: true` when the workshop closes. A session that did not end is
//! one a crash, a closed lid or a killed window interrupted:
//! [`unfinished`] finds those of a scenario, newest first, for the app to
//! offer back.

use super::restore::{Parts, Sources};
use super::{Record, SessionFile, write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The directory sessions are saved in (see the module's docs); `None`
/// when there is no home to put it in.
pub fn sessions_dir() -> Option<PathBuf> {
    let set = |var: &str| {
        std::env::var_os(var)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    set("SILOSCOPE_SESSIONS")
        .or_else(|| set("XDG_DATA_HOME").map(|d| d.join("siloscope").join("sessions")))
        .or_else(|| {
            set("HOME").map(|h| {
                h.join(".local")
                    .join("share")
                    .join("siloscope")
                    .join("sessions")
            })
        })
}

/// Saves one session's file, when due and only when it changed.
#[derive(Clone, Debug)]
pub struct Autosave {
    path: PathBuf,
    /// The state hash and `ended` last written.
    written: Option<(u64, bool)>,
    /// The hash of the bytes last read or written there, which the file
    /// must still hold to be saved over.
    on_disk: Option<u64>,
    last: Option<Instant>,
}

impl Autosave {
    /// How often a changed session is saved.
    pub const EVERY: Duration = Duration::from_secs(3);

    /// A new session file in `dir` for the scenario at `scenario`, named
    /// by the time `now` and this process.
    pub fn new(dir: &Path, scenario: &Path, now: SystemTime) -> Autosave {
        let stem = scenario
            .file_name()
            .and_then(|n| n.to_str())
            .map(|n| n.strip_suffix(".scenario.ron").unwrap_or(n))
            .unwrap_or("session");
        let stem: String = stem
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || c == '_' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .take(60)
            .collect();
        let stamp = rfc3339(now)
            .replace(['-', ':'], "")
            .replace('T', "-")
            .trim_end_matches('Z')
            .to_owned();
        // A name nothing has yet (a second session of this process in the
        // same second gets `-2`, `-3`, …).
        let pid = std::process::id();
        let path = (1..)
            .map(|n| match n {
                1 => dir.join(format!("{stem}-{stamp}-{pid}.session.ron")),
                n => dir.join(format!("{stem}-{stamp}-{pid}-{n}.session.ron")),
            })
            .find(|p| p.symlink_metadata().is_err())
            .unwrap_or_else(|| dir.join(format!("{stem}-{stamp}-{pid}-last.session.ron")));
        Autosave::at(path, None)
    }

    /// Go on saving to `path`, which must hold the bytes of hash
    /// `on_disk` when saved over (a restored session keeps its file:
    /// [`SessionFile::bytes_hash`]; `None`: a new file).
    pub fn at(path: PathBuf, on_disk: Option<u64>) -> Autosave {
        Autosave {
            path,
            written: None,
            on_disk,
            last: None,
        }
    }

    /// The session file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Save at the next chance, whatever the time since the last save.
    pub fn soon(&mut self) {
        self.last = None;
    }

    /// Whether a save is due at `now` (the first always is).
    pub fn due(&self, now: Instant) -> bool {
        self.last
            .is_none_or(|t| now.duration_since(t) >= Autosave::EVERY)
    }

    /// Save the session if it changed since the last save (or `ended`
    /// did); returns whether the file was written. The directory is made
    /// if missing. A file changed by another program since is not saved
    /// over ([`super::ChangedElsewhere`]).
    pub fn save(
        &mut self,
        parts: &Parts<'_>,
        sources: &Sources,
        ended: bool,
        now: Instant,
    ) -> std::io::Result<bool> {
        self.last = Some(now);
        let hash = parts.state_hash();
        if self.written == Some((hash, ended)) {
            return Ok(false);
        }
        let record = parts.record_hashed(sources, rfc3339(SystemTime::now()), ended, hash);
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        self.on_disk = Some(write(&self.path, &record, self.on_disk)?);
        self.written = Some((hash, ended));
        Ok(true)
    }
}

/// A session file found in the sessions directory.
#[derive(Clone, Debug)]
pub struct SessionInfo {
    /// Its path.
    pub path: PathBuf,
    /// What it holds.
    pub record: Record,
}

/// The sessions in `dir` of the scenario at `scenario`, newest first.
/// Files that cannot be read or checked are passed over (the app reports
/// a session's problems when it is opened).
pub fn sessions_of(dir: &Path, scenario: &Path) -> Vec<SessionInfo> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let wanted = super::hash::absolute(scenario);
    let mut found: Vec<SessionInfo> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_str().is_some_and(|s| s.ends_with(".session.ron")))
        .filter_map(|path| {
            let file = SessionFile::read(&path).ok()?;
            (super::hash::absolute(&file.scenario_path()) == wanted).then_some(SessionInfo {
                path,
                record: file.record,
            })
        })
        .collect();
    found.sort_by(|a, b| {
        b.record
            .saved
            .cmp(&a.record.saved)
            .then(b.path.cmp(&a.path))
    });
    found
}

/// The sessions in `dir` of the scenario at `scenario` that did not end
/// (a crash, a closed lid, a killed window), newest first.
pub fn unfinished(dir: &Path, scenario: &Path) -> Vec<SessionInfo> {
    let mut found = sessions_of(dir, scenario);
    found.retain(|s| !s.record.ended);
    found
}

/// Mark the session at `path` as ended, so it is not offered back (the
/// facilitator chose to start afresh); the rest of it is kept to replay.
pub fn mark_ended(path: &Path) -> Result<(), String> {
    let file = SessionFile::read(path).map_err(|e| e.to_string())?;
    let expected = file.bytes_hash();
    let mut record = file.record;
    record.ended = true;
    write(path, &record, Some(expected))
        .map(|_| ())
        .map_err(|e| format!("{}: {e}", path.display()))
}

impl SessionInfo {
    /// What the session holds, in a line: "saved 2026-11-29 10:32 UTC:
    /// week 47, comparing with connected, 3 live edits, 2 notes".
    pub fn summary(&self, unit: &str) -> String {
        let r = &self.record;
        let saved = when(&r.saved);
        let mut parts = vec![format!("{unit} {}", r.runs.a.step)];
        if r.runs.comparing
            && let Some(b) = &r.runs.b
        {
            parts.push(format!(
                "comparing with {}",
                b.policy.as_deref().unwrap_or("the scenario's policy")
            ));
        }
        if r.room.presenting {
            parts.push(match r.room.story {
                Some(i) => format!("presenting, story step {}", i + 1),
                None => "presenting".to_owned(),
            });
        }
        let edits = r.runs.a.edits.len() + r.runs.b.as_ref().map_or(0, |b| b.edits.len());
        let plural = |n: usize, one: &str| format!("{n} {one}{}", if n == 1 { "" } else { "s" });
        if edits > 0 {
            parts.push(plural(edits, "live edit"));
        }
        if !r.notes.is_empty() {
            parts.push(plural(r.notes.len(), "note"));
        }
        if !r.predictions.is_empty() {
            parts.push(plural(r.predictions.len(), "prediction"));
        }
        format!("saved {saved}: {}", parts.join(", "))
    }
}

/// A saved time as people read it: `2026-11-29 10:32:05 UTC`.
pub fn when(saved: &str) -> String {
    saved.replacen('T', " ", 1).replace('Z', " UTC")
}

/// `t` as UTC in RFC 3339, to the second: `2026-11-29T10:32:05Z`.
pub fn rfc3339(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// The calendar date `days` after 1970-01-01 (H. Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_utc_calendar_dates() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let t = UNIX_EPOCH + Duration::from_secs(1_795_948_325);
        assert_eq!(rfc3339(t), "2026-11-29T10:32:05Z");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400);
        assert_eq!(rfc3339(leap), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn a_session_is_named_by_its_scenario_and_time() {
        let t = UNIX_EPOCH + Duration::from_secs(1_795_948_325);
        let a = Autosave::new(Path::new("/d"), Path::new("x/work shop.scenario.ron"), t);
        let name = a.path().file_name().unwrap().to_str().unwrap().to_owned();
        assert!(
            name.starts_with("work_shop-20261129-103205-") && name.ends_with(".session.ron"),
            "{name}"
        );
    }
}
