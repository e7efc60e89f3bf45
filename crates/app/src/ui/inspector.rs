//! The inspector (right): the selected agent's part, group, lifecycle
//! history and why its last change came, needs (by name) against the
//! offering, satisfaction, how well the organisation knows it, its trust
//! toward and from each neighbour, the last moves of its trust in the
//! organisation, the last items it sent or received, and while comparing,
//! where the same agent stands in the other run.

use super::policy_of;
use super::{part_name, pretty};
use crate::palette;
use crate::palette::{flow_color, part_color, to_egui, trust_tint};
use crate::view::{View, agent_trust};
use crate::workshop::Workshop;
use bevy::prelude::*;
use bevy_egui::egui;
use siloscope_workshop::compare::Side;

pub(super) fn inspector(ui: &mut egui::Ui, w: &Workshop, view: &View) {
    ui.heading("Inspector");
    let Some(a) = view.selected else {
        ui.label("Click an agent to see its part, its lifecycle, its needs, whom it trusts and what it knows.");
        return;
    };
    let session = w.runs.side(view.selected_side).unwrap_or(w.session());
    let sim = session.sim();
    let scenario = w.scenario();
    let net = sim.network();
    let part = net.part[a as usize];
    if w.runs.comparing() {
        ui.label(format!(
            "in run {} ({})",
            view.selected_side.label(),
            policy_of(session)
        ));
    }
    let group = &scenario.groups[net.group[a as usize] as usize];
    ui.label(
        egui::RichText::new(scenario.agent_id(a))
            .strong()
            .size(18.0),
    );
    ui.colored_label(
        to_egui(part_color(part)),
        format!("{} · {}", part_name(part), group.name),
    );
    ui.label(format!("trust shown: {:.2}", agent_trust(sim, a)));
    let other = match view.selected_side {
        Side::A => Side::B,
        Side::B => Side::A,
    };
    if w.runs.comparing()
        && let Some(there) = w.runs.side(other)
    {
        ui.label(
            egui::RichText::new(format!(
                "in run {} ({}): {}",
                other.label(),
                policy_of(there),
                standing(there.sim(), a)
            ))
            .color(palette::MUTED),
        );
    }
    if let Some(state) = sim.lifecycle(a) {
        ui.label(format!("lifecycle: {}", state.label()));
        if let Some(story) = session.story(a) {
            if let Some(change) = &story.last_change {
                why(ui, w, sim, a, story, change);
            }
            let path: Vec<String> = story
                .states
                .iter()
                .rev()
                .take(8)
                .rev()
                .map(|(t, s)| format!("{} at {t}", s.label()))
                .collect();
            ui.label(egui::RichText::new(format!("history: {}", path.join(", then "))).small());
        }
        ui.separator();
        ui.strong("Needs and how well they are met");
        let needs = sim.needs(a);
        let offering = sim.offering();
        egui::Grid::new("needs").show(ui, |ui| {
            for (i, (n, o)) in needs.iter().zip(offering).enumerate() {
                ui.label(&scenario.need_names[i]);
                ui.add(
                    egui::ProgressBar::new(*n)
                        .desired_width(90.0)
                        .text(format!("{n:.2}")),
                );
                ui.label(format!("offered {o:.2}"));
                ui.end_row();
            }
        });
        ui.label(format!("satisfaction: {:.2}", sim.satisfaction(a)));
        ui.label(format!(
            "trust in the organisation: {:.2}",
            sim.trust_in_org(a)
        ));
        let spend = sim.spend(a);
        if spend > 0.0 {
            let arpu = sim.scenario().groups[sim.network().group[a as usize] as usize].arpu
                * sim.scenario().model.arpu_scale;
            ui.label(format!(
                "spends {spend:.2} a {} ({:.0}% of the segment's ARPU, {arpu:.2})",
                sim.scenario().step_unit,
                if arpu > 0.0 {
                    100.0 * spend / arpu
                } else {
                    0.0
                }
            ));
        }
        ui.label(came_through(sim.source(a), state));
        if let Some(story) = session.story(a)
            && !story.trust_moves.is_empty()
        {
            ui.label(egui::RichText::new("Trust in the organisation moved").strong());
            for m in &story.trust_moves {
                // Trust read after a week settled from what came up to the
                // week before: that week's items are what moved it.
                let got: Vec<String> = story
                    .items
                    .iter()
                    .filter(|i| !i.sent && i.step + 2 == m.step)
                    .map(|i| pretty(i.kind.label()))
                    .collect();
                let because = if got.is_empty() {
                    String::new()
                } else {
                    format!(
                        " (after {} in {} {})",
                        got.join(", "),
                        scenario.step_unit,
                        m.step - 1
                    )
                };
                ui.colored_label(
                    to_egui(trust_tint(palette::TRUST_BASE, m.to)),
                    format!(
                        "{} {}: from {:.2} to {:.2}{because}",
                        scenario.step_unit, m.step, m.from, m.to
                    ),
                );
            }
        }
        ui.separator();
        ui.strong("Know me, not know about me");
        ui.label(format!(
            "the organisation knows this customer: {:.0}% (from needs of theirs that reached Product)",
            100.0 * sim.knowledge(a)
        ));
    }
    ui.separator();
    ui.strong("Trust with neighbours");
    let ties = net.offsets[a as usize] as usize..net.offsets[a as usize + 1] as usize;
    let mut rows: Vec<(u32, f32, f32)> = ties
        .map(|t| {
            let back = net.reverse[t];
            let from = if back == siloscope_model::network::NO_TIE {
                f32::NAN
            } else {
                sim.trust(back as usize)
            };
            (net.target[t], sim.trust(t), from)
        })
        .collect();
    rows.sort_by(|x, y| y.1.total_cmp(&x.1));
    egui::Grid::new("trust").striped(true).show(ui, |ui| {
        ui.label("neighbour");
        ui.label("trusts them");
        ui.label("trusted by");
        ui.end_row();
        for (b, to, from) in rows.iter().take(12) {
            ui.colored_label(
                to_egui(part_color(net.part[*b as usize])),
                scenario.agent_id(*b),
            );
            ui.colored_label(
                to_egui(trust_tint(palette::TRUST_BASE, *to)),
                format!("{to:.2}"),
            );
            ui.label(if from.is_nan() {
                "–".into()
            } else {
                format!("{from:.2}")
            });
            ui.end_row();
        }
    });
    if rows.len() > 12 {
        ui.label(egui::RichText::new(format!("… and {} more", rows.len() - 12)).small());
    }
    ui.separator();
    ui.strong("Items it knows (latest last)");
    if let Some(story) = session.story(a) {
        if story.items.is_empty() {
            ui.label("nothing has passed through yet");
        }
        for item in &story.items {
            let (verb, who) = if item.sent {
                ("sent", "to")
            } else {
                ("got", "from")
            };
            let status = if item.passed {
                ""
            } else {
                ", stopped at a silo wall"
            };
            ui.colored_label(
                to_egui(flow_color(item.kind)),
                format!(
                    "{} {}: {verb} {} {who} {}{status}",
                    scenario.step_unit,
                    item.step + 1,
                    pretty(item.kind.label()),
                    scenario.agent_id(item.other)
                ),
            );
        }
    }
}

/// Why the agent's last lifecycle change came: the rule, its standing
/// then, the chance that gave; and what reached it in the weeks before.
fn why(
    ui: &mut egui::Ui,
    w: &Workshop,
    sim: &siloscope_model::sim::Simulation,
    a: u32,
    story: &siloscope_workshop::session::AgentStory,
    change: &siloscope_workshop::session::Change,
) {
    let unit = &w.scenario().step_unit;
    ui.label(
        egui::RichText::new(siloscope_workshop::session::explain(
            change,
            &sim.scenario().model,
            sim.source(a),
            unit,
        ))
        .color(palette::MUTED),
    );
    let before: Vec<String> = story
        .items_before(change, WHY_WINDOW)
        .filter(|i| !i.sent)
        .map(|i| {
            let stopped = if i.passed { "" } else { ", stopped" };
            format!(
                "{} from {} ({unit} {}{stopped})",
                pretty(i.kind.label()),
                w.scenario().agent_id(i.other),
                i.step + 1
            )
        })
        .collect();
    if !before.is_empty() {
        ui.label(
            egui::RichText::new(format!(
                "in the {WHY_WINDOW} {unit}s up to it, it got: {}",
                before.join("; ")
            ))
            .small(),
        );
    }
}

/// Where an agent stands in a run, in one line: a customer's lifecycle,
/// satisfaction, trust and how well it is known; the trust staff show.
fn standing(sim: &siloscope_model::sim::Simulation, a: u32) -> String {
    match sim.lifecycle(a) {
        Some(state) => format!(
            "{}, satisfaction {:.2}, trust in the organisation {:.2}, known {:.0} %",
            state.label(),
            sim.satisfaction(a),
            sim.trust_in_org(a),
            100.0 * sim.knowledge(a)
        ),
        None => format!("trust shown {:.2}", agent_trust(sim, a)),
    }
}

/// Steps before a lifecycle change whose items the inspector lists.
const WHY_WINDOW: u32 = 4;

/// How a customer came to the organisation, in words that depend on where
/// it stands: a prospect no one has reached yet, a customer since the start,
/// or one won by word of mouth or a campaign.
fn came_through(
    source: siloscope_model::agent::Source,
    state: siloscope_model::agent::Lifecycle,
) -> &'static str {
    use siloscope_model::agent::{Lifecycle, Source};
    match (source, state) {
        (Source::WordOfMouth, _) => "came through word of mouth (a trusted customer)",
        (Source::Campaign, _) => "came through a campaign or a marketing push",
        (Source::None, Lifecycle::Unaware) => "not reached yet: has not heard of the organisation",
        (Source::None, _) => "a customer from the start of the run",
    }
}

#[cfg(test)]
mod tests {
    use super::came_through;
    use siloscope_model::agent::{Lifecycle, Source};

    #[test]
    fn how_a_customer_came_is_said_plainly() {
        assert!(came_through(Source::None, Lifecycle::Unaware).starts_with("not reached yet"));
        assert_eq!(
            came_through(Source::None, Lifecycle::Customer),
            "a customer from the start of the run"
        );
        assert_eq!(
            came_through(Source::None, Lifecycle::Churned),
            "a customer from the start of the run"
        );
        assert!(came_through(Source::WordOfMouth, Lifecycle::Advocate).contains("word of mouth"));
    }
}
