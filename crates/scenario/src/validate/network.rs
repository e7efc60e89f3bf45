//! The organisation's files: the agents and ties a scenario's `network`
//! names, read after its groups are known and checked like its own
//! `agents` and `ties` ([`crate::network`]).

use super::Checker;
use super::organisation::Ids;
use crate::format::ScenarioFile;
use crate::locate::FieldPath;
use crate::network::{FileAgent, NetworkFiles, Source, read_agents, read_ties, records};
use crate::{ErrorKind, Group, NamedAgent, NamedTie};
use std::collections::HashSet;

/// Open the file the scenario names at `field` and read its records, or
/// record why not: the file as messages name it, and its records.
fn open<'f>(
    c: &mut Checker<'_>,
    files: &'f dyn NetworkFiles,
    field: &'static str,
    name: &str,
) -> Option<(String, Box<dyn Source + 'f>)> {
    let opened = files.open(name).and_then(|opened| {
        let shown = opened.shown.clone();
        records(opened, name).map(|r| (shown, r))
    });
    match opened {
        Ok(opened) => Some(opened),
        Err(why) => {
            let path = FieldPath::root().field("network").field(field);
            c.err(&path, format!("cannot read \"{name}\": {why}"));
            if let Some(e) = c.errors.last_mut() {
                e.kind = ErrorKind::Io;
            }
            None
        }
    }
}

/// The agents of the agents file, if the scenario names one; `room` is how
/// many agents the limits leave after the scenario's own.
pub(super) fn agents(
    c: &mut Checker<'_>,
    raw: &ScenarioFile,
    files: &dyn NetworkFiles,
    groups: &[Group],
    room: u64,
) -> Vec<FileAgent> {
    let Some(spec) = &raw.network else {
        return Vec::new();
    };
    if spec.agents.is_none() && spec.ties.is_none() {
        c.err(
            &FieldPath::root().field("network"),
            "name an agents file, a ties file or both, e.g. `network: (agents: \"org.agents.csv\", ties: \"org.ties.csv\")`",
        );
    }
    let Some(name) = &spec.agents else {
        return Vec::new();
    };
    let Some((shown, mut records)) = open(c, files, "agents", name) else {
        return Vec::new();
    };
    let taken: HashSet<&str> = raw.agents.iter().map(|a| a.id.as_str()).collect();
    read_agents(shown, &mut *records, groups, &taken, room, &mut c.errors)
}

/// The file's agents as named agents, after the scenario's own in each
/// group: `next[g]` is the index the next member of group `g` gets.
pub(super) fn place(named: &mut Vec<NamedAgent>, agents: Vec<FileAgent>, next: &mut [u32]) {
    named.reserve(agents.len());
    for a in agents {
        named.push(NamedAgent {
            id: a.id,
            group: a.group,
            index: next[a.group],
            needs: a.needs,
            start: a.start,
        });
        next[a.group] += 1;
    }
}

/// The ties of the ties file, if the scenario names one; `room` is how
/// many relationships the limits leave after the scenario's own.
pub(super) fn ties(
    c: &mut Checker<'_>,
    raw: &ScenarioFile,
    files: &dyn NetworkFiles,
    ids: &Ids<'_>,
    room: u64,
) -> Vec<NamedTie> {
    let Some(name) = raw.network.as_ref().and_then(|n| n.ties.as_ref()) else {
        return Vec::new();
    };
    let Some((shown, mut records)) = open(c, files, "ties", name) else {
        return Vec::new();
    };
    read_ties(
        shown,
        &mut *records,
        &|id| ids.resolve(id),
        room,
        &mut c.errors,
    )
}
