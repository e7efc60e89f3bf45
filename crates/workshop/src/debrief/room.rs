//! The parts of the debrief that come from the room rather than the
//! model: the changes made live, the facilitator's notes and the room's
//! predictions held against what the run did.

use super::Debrief;
use super::html::{esc, head};
use crate::headline::headline;
use crate::record::{Note, Parts, Prediction};
use crate::session::Edit;
use siloscope_model::metrics::short_label;
use siloscope_scenario::Action;
use std::fmt::Write;

impl Debrief<'_> {
    /// The live edits of every run, in order.
    pub(super) fn edits(&self, out: &mut String, s: &Parts<'_>) {
        let mut edits = String::new();
        for (title, runs) in [("", Some(s.runs)), (" (before the story)", s.before_story)] {
            let Some(runs) = runs else { continue };
            for (side, session) in runs.shown() {
                for e in session.edits() {
                    let _ = write!(
                        edits,
                        "<tr><td class=\"text nowrap\">{} {}</td><td class=\"text nowrap\">{}{}</td><td class=\"text\">{}</td></tr>",
                        esc(self.unit),
                        e.step,
                        side.label(),
                        esc(title),
                        esc(&describe(session.scenario(), &e.edit))
                    );
                }
            }
        }
        if edits.is_empty() {
            out.push_str(
                "<p class=\"empty\">No knob, policy or intervention was changed during the runs.</p>",
            );
        } else {
            head(out, &["when", "run", "change"], &[0, 1, 2]);
            out.push_str(&edits);
            out.push_str("</tbody></table>");
        }
    }

    /// The facilitator's notes, by step.
    pub(super) fn notes(&self, out: &mut String, notes: &[Note]) {
        if notes.is_empty() {
            out.push_str("<p class=\"empty\">No notes were pinned.</p>");
            return;
        }
        let mut sorted: Vec<&Note> = notes.iter().collect();
        sorted.sort_by_key(|n| n.step);
        head(out, &["when", "run", "about", "note"], &[0, 1, 2, 3]);
        for n in sorted {
            let _ = write!(
                out,
                "<tr><td class=\"text nowrap\">{} {}</td><td class=\"text nowrap\">{}</td><td class=\"text nowrap\">{}</td><td class=\"text\">{}</td></tr>",
                esc(self.unit),
                n.step,
                n.side.label(),
                n.agent
                    .as_deref()
                    .map_or_else(|| "the organisation".to_owned(), esc),
                esc(&n.text).replace('\n', "<br>")
            );
        }
        out.push_str("</tbody></table>");
    }

    /// The room's predictions against what the run did.
    pub(super) fn predictions(&self, out: &mut String, s: &Parts<'_>) {
        if s.predictions.is_empty() {
            out.push_str("<p class=\"empty\">No predictions were recorded.</p>");
            return;
        }
        head(
            out,
            &[
                "figure",
                "after",
                "run",
                "by",
                "predicted",
                "the run",
                "off by",
            ],
            &[0, 2, 3],
        );
        for p in s.predictions {
            let Some(h) = headline(&p.metric) else {
                continue;
            };
            let result = outcome(s, p);
            let (got, off) = match result {
                Outcome::Value(v) => {
                    let diff = p.value - v;
                    // Within a tenth of the result (or 0.02 for a share):
                    // the room saw it coming.
                    let close = diff.abs() <= (0.1 * v.abs()).max(0.02);
                    (
                        format!("<td>{}</td>", esc(&h.format(v, false))),
                        format!(
                            "<td class=\"{}\">{}</td>",
                            if close { "hit" } else { "miss" },
                            esc(&h.format(diff, true))
                        ),
                    )
                }
                Outcome::NotReached(at) => (
                    format!(
                        "<td class=\"empty\">not reached (the run stopped at {} {at})</td>",
                        esc(self.unit)
                    ),
                    "<td></td>".to_owned(),
                ),
                Outcome::NoRun => (
                    "<td class=\"empty\">no such run</td>".to_owned(),
                    "<td></td>".to_owned(),
                ),
            };
            let _ = write!(
                out,
                "<tr><td class=\"text\">{}</td><td>{} {}</td><td class=\"text\">{}</td><td class=\"text\">{}</td><td>{}</td>{got}{off}</tr>",
                esc(short_label(h.metric)),
                esc(self.unit),
                p.step,
                p.side.label(),
                esc(&p.by),
                esc(&h.format(p.value, false)),
            );
        }
        out.push_str("</tbody></table><p class=\"meta\">Off by: the prediction minus what the run did; blue when within a tenth of what the run did (or 0.02), orange when further.</p>");
    }
}

/// What a prediction is held against.
enum Outcome {
    /// The figure after that many steps.
    Value(f64),
    /// The run stopped earlier, at this step.
    NotReached(u32),
    /// The run predicted about is not in the session.
    NoRun,
}

/// The figure a prediction is about, from the runs on screen, else the
/// runs before the story.
fn outcome(s: &Parts<'_>, p: &Prediction) -> Outcome {
    let h = headline(&p.metric);
    let runs = std::iter::once(s.runs).chain(s.before_story);
    let mut reached = None;
    for r in runs {
        let Some(session) = r.side(p.side) else {
            continue;
        };
        match (session.history().get(p.step as usize - 1), h) {
            (Some(report), Some(h)) => return Outcome::Value((h.value)(report)),
            _ => reached = reached.max(Some(session.step_index())),
        }
    }
    reached.map_or(Outcome::NoRun, Outcome::NotReached)
}

/// A live edit as the room would say it.
fn describe(scenario: &siloscope_scenario::Scenario, edit: &Edit) -> String {
    let knobs = |values: &[(siloscope_model::knob::Knob, f32)]| {
        values
            .iter()
            .map(|(k, v)| format!("{} {v}", k.name()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match edit {
        Edit::Knob(k, v) => format!("{} set to {v}", k.name()),
        Edit::Policy(name) => format!("switched to {name}"),
        Edit::Schedule(iv) => match &iv.action {
            Action::Set(values) => format!("scheduled at step {}: {}", iv.at, knobs(values)),
            Action::Policy(name) => format!("scheduled at step {}: switch to {name}", iv.at),
            Action::Campaign { duration, reach } => format!(
                "campaign from step {} for {duration} steps, reach +{reach}",
                iv.at
            ),
        },
        Edit::Decide(agent, decision) => format!(
            "{} (played): {}",
            scenario.agent_id(*agent),
            decision.words().join(", ")
        ),
    }
}
