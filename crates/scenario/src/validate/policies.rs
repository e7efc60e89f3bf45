//! What a scenario lets the room change: its knob catalogue, its
//! policies, its scheduled interventions and its story. Each knob value is
//! checked against the knob's range and each policy name against the
//! policies on offer.

use super::Checker;
use crate::format::{ActionSpec, ScenarioFile, StoryActionSpec};
use crate::locate::FieldPath;
use crate::{Action, Intervention};
use siloscope_model::knob::{KNOB_COUNT, Knob, KnobSpec};
use siloscope_model::metrics::headline::{HEADLINES, headline};
use siloscope_model::policy::{self, PRESET_NAMES, Policy};
use siloscope_model::story::{MAX_CHARTS, MAX_FIGURES, StoryAction, StoryStep};

pub(super) fn check_knobs(c: &mut Checker<'_>, raw: &ScenarioFile) -> Vec<KnobSpec> {
    let root = FieldPath::root().field("knobs");
    let mut specs: Vec<KnobSpec> = Knob::ALL.iter().map(|k| k.spec()).collect();
    for (name, o) in raw.knobs.iter() {
        let Some(k) = c.knob_name(&root.key_name(name), name) else {
            continue;
        };
        let p = root.key(name);
        let hard = k.spec();
        let s = &mut specs[k.index()];
        if let Some(v) = o.min {
            s.min = v;
        }
        if let Some(v) = o.max {
            s.max = v;
        }
        if let Some(v) = o.value {
            s.value = v;
        }
        if let Some(v) = o.step {
            s.step = v;
        }
        if let Some(u) = &o.unit {
            s.unit = u.clone();
        }
        if let Some(d) = &o.description {
            s.description = d.clone();
        }
        let s = s.clone();
        let ok_min = c.range(&p.field("min"), s.min, hard.min, hard.max);
        let ok_max = c.range(&p.field("max"), s.max, hard.min, hard.max);
        if ok_min && ok_max && s.min >= s.max {
            c.err(
                &p.field("max"),
                format!("{} must be above min ({})", s.max, s.min),
            );
        } else if ok_min && ok_max {
            c.range(&p.field("value"), s.value, s.min, s.max);
            if !(s.step > 0.0 && s.step <= s.max - s.min) {
                c.err(
                    &p.field("step"),
                    format!(
                        "{} is out of range; allowed above 0 up to {} (max - min)",
                        s.step,
                        s.max - s.min
                    ),
                );
            }
        }
    }
    specs
}

fn check_knob_values(
    c: &mut Checker<'_>,
    p: &FieldPath,
    values: &crate::format::OrderedMap<f32>,
    knobs: &[KnobSpec],
) -> Vec<(Knob, f32)> {
    let mut out = Vec::new();
    for (name, v) in values.iter() {
        let Some(k) = c.knob_name(&p.key_name(name), name) else {
            continue;
        };
        let s = &knobs[k.index()];
        if c.range(&p.key(name), *v, s.min, s.max) {
            out.push((k, *v));
        }
    }
    out.sort_by_key(|(k, _)| *k);
    out
}

pub(super) fn check_policies(
    c: &mut Checker<'_>,
    raw: &ScenarioFile,
    knobs: &[KnobSpec],
) -> Vec<Policy> {
    let root = FieldPath::root().field("policies");
    let mut policies: Vec<Policy> = policy::presets();
    // Presets must fit this scenario's knob ranges unless the scenario
    // overrides them; a silently clamped preset would lie to the room.
    for preset in &policies {
        if raw.policies.iter().any(|(n, _)| n == preset.name) {
            continue;
        }
        for (k, v) in &preset.values {
            let s = &knobs[k.index()];
            if !(*v >= s.min && *v <= s.max) {
                c.err(
                    &FieldPath::root().field("knobs").key(k.name()),
                    format!(
                        "the preset \"{}\" sets {k} = {v}, outside this scenario's range {} to {}; widen the range or override the preset under `policies`",
                        preset.name, s.min, s.max
                    ),
                );
            }
        }
    }
    for (name, spec) in raw.policies.iter() {
        let p = root.key(name);
        if name.trim().is_empty() {
            c.err(&root.key_name(name), "a policy needs a non-empty name");
            continue;
        }
        let is_preset = PRESET_NAMES.contains(&name);
        let base = spec.base.as_deref().or(is_preset.then_some(name));
        let mut values: [Option<f32>; KNOB_COUNT] = [None; KNOB_COUNT];
        let mut description = spec.description.clone();
        if let Some(b) = base {
            match policies.iter().find(|q| q.name == b) {
                Some(q) => {
                    for (k, v) in &q.values {
                        values[k.index()] = Some(*v);
                    }
                    description = description.or_else(|| Some(q.description.clone()));
                }
                None if b == name => {
                    c.err(&p.field("base"), format!("\"{b}\" cannot be its own base; a base must be a preset or a policy defined above"));
                }
                None if raw.policies.iter().any(|(other, _)| other == b) => {
                    c.err(&p.field("base"), format!("\"{b}\" is defined below this policy; a base must be defined above it, so bases cannot form a cycle"));
                }
                None => {
                    let names: Vec<_> = policies.iter().map(|q| q.name.as_str()).collect();
                    c.err(&p.field("base"), format!("unknown policy \"{b}\"; a base must be a preset or a policy defined above: {}", names.join(", ")));
                }
            }
        }
        for (k, v) in check_knob_values(c, &p.field("knobs"), &spec.knobs, knobs) {
            values[k.index()] = Some(v);
        }
        let policy = Policy {
            name: name.to_owned(),
            description: description.unwrap_or_default(),
            values: Knob::ALL
                .iter()
                .filter_map(|k| values[k.index()].map(|v| (*k, v)))
                .collect(),
        };
        match policies.iter_mut().find(|q| q.name == name) {
            Some(q) => *q = policy,
            None => policies.push(policy),
        }
    }
    policies
}

pub(super) fn check_interventions(
    c: &mut Checker<'_>,
    raw: &ScenarioFile,
    knobs: &[KnobSpec],
    policies: &[Policy],
) -> Vec<Intervention> {
    let root = FieldPath::root().field("interventions");
    let mut out = Vec::new();
    for (i, iv) in raw.interventions.iter().enumerate() {
        let p = root.index(i);
        if iv.at >= raw.steps {
            c.err(
                &p.field("at"),
                format!(
                    "{} is out of range; allowed 0 to {} (the run has {} steps)",
                    iv.at,
                    raw.steps.saturating_sub(1),
                    raw.steps
                ),
            );
        }
        let ap = p.field("action");
        let action = match &iv.action {
            ActionSpec::Set(values) => Action::Set(check_set(c, &ap.variant("Set"), values, knobs)),
            ActionSpec::Policy(name) => {
                check_policy_name(c, &ap.variant("Policy"), name, policies);
                Action::Policy(name.clone())
            }
            ActionSpec::Campaign { duration, reach } => {
                let vp = ap.variant("Campaign");
                if *duration == 0 {
                    c.err(
                        &vp.field("duration"),
                        "0 is out of range; a campaign runs at least 1 step",
                    );
                }
                c.range(&vp.field("reach"), *reach, 0.0, 1.0);
                Action::Campaign {
                    duration: *duration,
                    reach: *reach,
                }
            }
        };
        out.push(Intervention { at: iv.at, action });
    }
    out
}

/// A `Set` action: at least one knob, each known and in range.
fn check_set(
    c: &mut Checker<'_>,
    p: &FieldPath,
    values: &crate::format::OrderedMap<f32>,
    knobs: &[KnobSpec],
) -> Vec<(Knob, f32)> {
    if values.0.is_empty() {
        c.err(
            p,
            "sets no knob; name at least one, like Set({\"transparency\": 0.8})",
        );
    }
    check_knob_values(c, p, values, knobs)
}

/// A policy named in the file must be one on offer.
pub(super) fn check_policy_name(
    c: &mut Checker<'_>,
    p: &FieldPath,
    name: &str,
    policies: &[Policy],
) {
    if !policies.iter().any(|q| q.name == name) {
        let names: Vec<_> = policies.iter().map(|q| q.name.as_str()).collect();
        c.err(
            p,
            format!(
                "unknown policy \"{name}\"; policies are: {}",
                names.join(", ")
            ),
        );
    }
}

pub(super) fn check_story(
    c: &mut Checker<'_>,
    raw: &ScenarioFile,
    knobs: &[KnobSpec],
    policies: &[Policy],
) -> Vec<StoryStep> {
    let root = FieldPath::root().field("story");
    let mut out = Vec::new();
    for (i, step) in raw.story.iter().enumerate() {
        let p = root.index(i);
        if step.title.trim().is_empty() {
            c.err(&p.field("title"), "is empty; a story step needs a title");
        }
        let mut actions = Vec::new();
        for (j, action) in step.actions.iter().enumerate() {
            let ap = p.field("actions").index(j);
            actions.push(match action {
                StoryActionSpec::Policy(name) => {
                    check_policy_name(c, &ap.variant("Policy"), name, policies);
                    StoryAction::Policy(name.clone())
                }
                StoryActionSpec::Set(values) => {
                    StoryAction::Set(check_set(c, &ap.variant("Set"), values, knobs))
                }
                StoryActionSpec::RunTo(n) => {
                    if *n > raw.steps {
                        c.err(
                            &ap.variant("RunTo"),
                            format!(
                                "{n} is out of range; allowed 0 to {} (the run has {} steps)",
                                raw.steps, raw.steps
                            ),
                        );
                    }
                    StoryAction::RunTo(*n)
                }
                StoryActionSpec::Compare(name) => {
                    check_policy_name(c, &ap.variant("Compare"), name, policies);
                    StoryAction::Compare(name.clone())
                }
                StoryActionSpec::CompareOff => StoryAction::CompareOff,
                StoryActionSpec::Focus(f) => StoryAction::Focus(*f),
                StoryActionSpec::Highlight(m) => StoryAction::Highlight(*m),
            });
        }
        let mut figures = Vec::new();
        for (j, name) in step.figures.iter().enumerate() {
            match headline(name) {
                Some(h) if figures.contains(&h.metric) => c.err(
                    &p.field("figures").index(j),
                    format!("\"{name}\" is named twice; a figure is shown once"),
                ),
                Some(h) => figures.push(h.metric),
                None => {
                    let names: Vec<&str> = HEADLINES.iter().map(|h| h.metric).collect();
                    c.err(
                        &p.field("figures").index(j),
                        format!(
                            "unknown figure \"{name}\"; figures are: {}",
                            names.join(", ")
                        ),
                    );
                }
            }
        }
        if step.figures.len() > MAX_FIGURES {
            c.err(
                &p.field("figures").index(MAX_FIGURES),
                format!(
                    "one figure too many: a step shows at most {MAX_FIGURES} (the callout is read from the back of a room)"
                ),
            );
        }
        if step.charts.len() > MAX_CHARTS {
            c.err(
                &p.field("charts").index(MAX_CHARTS),
                format!("one chart too many: a step shows at most {MAX_CHARTS}"),
            );
        }
        for (j, chart) in step.charts.iter().enumerate() {
            if step.charts[..j].contains(chart) {
                c.err(
                    &p.field("charts").index(j),
                    format!("{chart:?} is named twice; a chart is shown once"),
                );
            }
        }
        out.push(StoryStep {
            title: step.title.clone(),
            note: step.note.clone(),
            actions,
            figures,
            charts: step.charts.clone(),
        });
    }
    out
}
