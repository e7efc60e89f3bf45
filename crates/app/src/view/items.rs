//! Travelling items: each item that moved in the last step travels along
//! its tie, coloured by kind; one a wall stopped halts half way. While the
//! run is paused the last step's items travel again every couple of
//! seconds, so a paused picture (a story step, say) still shows where
//! needs go and where they stop.

use super::{MAX_PARTICLES, UNIT, View};
use crate::workshop::{Stepped, Workshop};
use bevy::prelude::*;
use siloscope_model::flow::FlowKind;
use siloscope_workshop::story::Mechanism;

pub(super) struct Particle {
    pub(super) from: Vec2,
    pub(super) to: Vec2,
    pub(super) kind: FlowKind,
    pub(super) passed: bool,
    pub(super) born: f32,
}

#[derive(Resource, Default)]
pub(super) struct Particles {
    pub(super) live: Vec<Particle>,
    /// Seconds a particle takes to cross its tie.
    pub(super) duration: f32,
    /// The animation clock: real time, but a slow frame (a window being
    /// set up, a shader compiling) advances it by at most 1/20 s, so items
    /// are not skipped over.
    pub(super) clock: f32,
    /// When the last items were sent off (on the clock); none yet: a
    /// paused picture replays the last step at once.
    sent: Option<f32>,
}

/// Seconds between two replays of the last step's items while paused.
const REPLAY_EVERY: f32 = 2.2;

/// Item kinds a highlighted mechanism is made of.
fn kinds_of(m: Mechanism) -> &'static [FlowKind] {
    match m {
        Mechanism::SiloWalls => &[FlowKind::Internal, FlowKind::Need],
        Mechanism::FeedbackLoop => &[FlowKind::Need, FlowKind::Answer],
        Mechanism::Campaign => &[FlowKind::Push, FlowKind::CrossSell],
        Mechanism::WordOfMouth => &[FlowKind::PeerHelp],
    }
}

pub(super) fn spawn_particles(
    mut stepped: MessageReader<Stepped>,
    workshop: Res<Workshop>,
    view: Res<View>,
    mut particles: ResMut<Particles>,
    playback: Res<crate::workshop::Playback>,
) {
    let stepped = stepped.read().count() > 0;
    let replay = !playback.playing
        && particles
            .sent
            .is_none_or(|t| particles.clock - t > REPLAY_EVERY);
    if !(stepped || replay) || !view.show_items {
        return;
    }
    let Some(l) = view.layout.as_ref() else {
        return;
    };
    particles.duration = if playback.playing {
        (0.9 / playback.steps_per_second).clamp(0.12, 1.2)
    } else {
        0.9
    };
    let now = particles.clock;
    particles.sent = Some(now);
    particles.live.retain(|p| now - p.born < 0.3);
    let highlight = workshop.staging().highlight;
    for (side, session) in workshop.runs.shown() {
        let offset = view.offset(side);
        let flows = session.last_flows();
        // An even sample when more moved than can be shown.
        let stride = flows.len().div_ceil(MAX_PARTICLES).max(1);
        for f in flows.iter().step_by(stride) {
            let (Some(a), Some(b)) = (l.pos.get(f.from as usize), l.pos.get(f.to as usize)) else {
                continue;
            };
            if highlight.is_some_and(|m| !kinds_of(m).contains(&f.kind)) {
                continue;
            }
            particles.live.push(Particle {
                from: Vec2::new(a[0], a[1]) * UNIT + offset,
                to: Vec2::new(b[0], b[1]) * UNIT + offset,
                kind: f.kind,
                passed: f.passed,
                born: now,
            });
        }
    }
}
