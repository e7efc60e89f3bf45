//! Presenter mode: the organisation large, the story step (or the run's
//! state) in large type at the bottom, and the figures that let the room
//! check the note: a callout of the numbers it talks about (A's, or A's
//! and B's with B − A coloured better or worse and how often B is ahead over 30
//! paired seeds) and, on the right, a strip of the charts that show it,
//! with the branch of a rewound run marked and its old line dotted.
//!
//! Which figures and charts: the story step's own (`figures:`,
//! `charts:` in the scenario), else those of the mechanism it highlights,
//! else trust, customers and profit with the trust and money charts
//! ([`siloscope_workshop::story::StoryStep::figures_shown`]).

use super::charts::{
    TRADE_OFF_TITLE, chart_of, plot, seeds_won, trade_off, verdict_color, verdict_text,
};
use super::{policy_of, policy_since};
use crate::palette;
use crate::workshop::{LuckCheck, Playback, Workshop};
use bevy_egui::egui;
use siloscope_model::metrics::headline::{Better, HEADLINES, Headline, headline};
use siloscope_model::metrics::short_label;
use siloscope_model::story::{Chart, DEFAULT_CHARTS, DEFAULT_FIGURES};
use siloscope_workshop::luck::Spread;

/// The share of the window's width the chart strip takes.
const STRIP_SHARE: f32 = 0.3;

/// The figures and charts presenter mode shows now.
pub(super) fn shown(w: &Workshop) -> (&[&'static str], &[Chart]) {
    match w.story {
        Some(at) => {
            let step = &w.scenario().story[at.index];
            (step.figures_shown(), step.charts_shown())
        }
        None => (&DEFAULT_FIGURES, &DEFAULT_CHARTS),
    }
}

/// Presenter mode's panels: the story (or the run's state) with its
/// callout at the bottom, the chart strip on the right.
pub(super) fn presenter(root: &mut egui::Ui, w: &Workshop, playback: &Playback, luck: &LuckCheck) {
    let (figures, charts) = shown(w);
    egui::Panel::bottom("story")
        .resizable(false)
        .show(root, |ui| {
            ui.add_space(8.0);
            story_text(ui, w, playback);
            ui.add_space(6.0);
            callout(ui, w, figures, luck);
            ui.add_space(8.0);
        });
    let width = root.available_width() * STRIP_SHARE;
    egui::Panel::right("strip")
        .exact_size(width)
        .resizable(false)
        .show(root, |ui| strip(ui, w, charts));
}

/// The step's title and note, and where the story stands.
fn story_text(ui: &mut egui::Ui, w: &Workshop, playback: &Playback) {
    let session = w.session();
    let unit = &w.scenario().step_unit;
    let story = &w.scenario().story;
    let playing = if playback.playing { " · playing" } else { "" };
    match w.story {
        Some(at) => {
            let step = &story[at.index];
            ui.label(egui::RichText::new(&step.title).size(38.0).strong());
            ui.add_space(4.0);
            ui.label(
                egui::RichText::new(&step.note)
                    .size(25.0)
                    .color(palette::STORY_TEXT),
            );
            ui.add_space(4.0);
            ui.horizontal(|ui| {
                ui.label(
                    egui::RichText::new(format!(
                        "{} of {} · {unit} {}{playing} · Right: next · Left: back · Space: play · Esc: leave",
                        at.index + 1,
                        story.len(),
                        session.step_index()
                    ))
                    .size(16.0)
                    .weak(),
                );
                if let Some(m) = at.staging.highlight {
                    ui.label(
                        egui::RichText::new(format!("highlighting {}", m.label()))
                            .size(16.0)
                            .color(palette::HIGHLIGHT_TEXT),
                    );
                }
            });
        }
        None => {
            ui.label(egui::RichText::new(&w.scenario().name).size(38.0).strong());
            ui.label(
                egui::RichText::new(format!(
                    "{unit} {} of {} · {}{playing} · this scenario has no story · Space: play · Esc: leave",
                    session.step_index(),
                    session.horizon(),
                    policy_of(session)
                ))
                .size(22.0),
            );
        }
    }
}

/// The callout: one card per figure, side by side, read from the back of
/// the room. Alone, A's value now and at the start of the run; comparing,
/// A's and B's, B − A coloured better or worse, and how often B is ahead over
/// the paired seeds once they are replayed.
fn callout(ui: &mut egui::Ui, w: &Workshop, figures: &[&'static str], luck: &LuckCheck) {
    let a = w.session();
    let Some(now) = a.history().last() else {
        ui.label(
            egui::RichText::new(
                "Space to play, Right for the next step: the figures appear with the first step",
            )
            .size(20.0)
            .weak(),
        );
        return;
    };
    let b = w.runs.b().and_then(|b| b.history().last());
    let spreads = luck.luck.as_ref().and_then(|l| l.at(a.step_index()));
    let shown: Vec<&Headline> = figures
        .iter()
        .filter_map(|name| headline(name))
        .filter(|h| (h.value)(now).is_finite() || b.is_some_and(|b| (h.value)(b).is_finite()))
        .collect();
    if shown.is_empty() {
        return;
    }
    let gap = ui.spacing().item_spacing.x;
    let card =
        ((ui.available_width() - gap * (shown.len() - 1) as f32) / shown.len() as f32).min(420.0);
    ui.horizontal(|ui| {
        for h in shown {
            let index = HEADLINES.iter().position(|x| x.metric == h.metric);
            let spread = spreads.as_ref().zip(index).map(|(s, i)| s[i]);
            egui::Frame::group(ui.style())
                .fill(palette::CALLOUT_FILL)
                .inner_margin(egui::Margin::symmetric(12, 8))
                .show(ui, |ui| {
                    ui.set_width(card - 26.0);
                    ui.vertical(|ui| {
                        ui.label(egui::RichText::new(short_label(h.metric)).size(19.0));
                        match b {
                            None => alone(ui, h, a.history(), now, &w.scenario().step_unit),
                            Some(b) => compared(ui, h, now, b, spread),
                        }
                    });
                });
        }
    });
}

/// A figure of run A alone: now, large, and where it started.
fn alone(
    ui: &mut egui::Ui,
    h: &Headline,
    history: &[siloscope_model::metrics::StepReport],
    now: &siloscope_model::metrics::StepReport,
    unit: &str,
) {
    ui.label(
        egui::RichText::new(h.format((h.value)(now), false))
            .size(40.0)
            .strong(),
    );
    if let Some(first) = history.first().filter(|f| f.step < now.step) {
        let v = (h.value)(first);
        if v.is_finite() {
            ui.label(
                egui::RichText::new(format!(
                    "from {} in {unit} {}",
                    h.format(v, false),
                    first.step + 1
                ))
                .size(17.0)
                .weak(),
            );
        }
    }
}

/// A figure of A and B: both, B − A judged, and over the paired seeds.
fn compared(
    ui: &mut egui::Ui,
    h: &Headline,
    a: &siloscope_model::metrics::StepReport,
    b: &siloscope_model::metrics::StepReport,
    spread: Option<Spread>,
) {
    let (d, verdict) = h.compare(a, b);
    ui.horizontal(|ui| {
        ui.label(egui::RichText::new("A").size(22.0).weak());
        ui.label(
            egui::RichText::new(h.format((h.value)(a), false))
                .size(36.0)
                .strong(),
        );
        ui.add_space(10.0);
        ui.label(egui::RichText::new("B").size(22.0).weak());
        ui.label(
            egui::RichText::new(h.format((h.value)(b), false))
                .size(36.0)
                .strong(),
        );
    });
    ui.horizontal_wrapped(|ui| {
        ui.label(verdict_text(&h.format(d, true), verdict).size(22.0));
        if let Some(s) = spread {
            ui.label(seeds_text(h, &s));
        }
    });
}

/// In how many of the paired seeds B is ahead, coloured only when the
/// 95 % interval of B − A leaves out zero.
fn seeds_text(h: &Headline, s: &Spread) -> egui::RichText {
    let Some((won, n)) = seeds_won(s).filter(|_| h.better != Better::Neither) else {
        return egui::RichText::new("");
    };
    let text = egui::RichText::new(format!("B better on {won} of {n} seeds")).size(17.0);
    verdict_color(h, s, text)
}

/// The chart strip: the step's charts stacked, the trade-off only while
/// comparing.
fn strip(ui: &mut egui::Ui, w: &Workshop, charts: &[Chart]) {
    let b = w.runs.b();
    let shown: Vec<Chart> = charts
        .iter()
        .copied()
        .filter(|c| *c != Chart::TradeOff || b.is_some())
        .collect();
    ui.add_space(6.0);
    if let Some(b) = b {
        ui.label(
            egui::RichText::new(format!(
                "A: {} (solid) · B: {} (dashed)",
                policy_since(w.session(), &w.scenario().step_unit),
                policy_of(b)
            ))
            .size(18.0)
            .strong(),
        );
    }
    if shown.is_empty() {
        return;
    }
    let title = 30.0;
    let gap = ui.spacing().item_spacing.y;
    let height =
        (ui.available_height() - shown.len() as f32 * (title + gap) - 8.0) / shown.len() as f32;
    let size = egui::vec2(ui.available_width(), height.max(80.0));
    for kind in shown {
        match (kind, chart_of(kind), b) {
            (Chart::TradeOff, _, Some(b)) => {
                ui.label(egui::RichText::new(TRADE_OFF_TITLE).size(22.0).strong());
                trade_off(ui, w.session(), b, "presenter", size);
            }
            (_, Some(spec), _) => {
                ui.label(egui::RichText::new(spec.title).size(22.0).strong());
                plot(ui, w, &spec, "presenter", size);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::{Scratch, app, replayed, send, workshop};
    use crate::workshop::Control;
    use bevy::prelude::App;

    const SIZE: egui::Vec2 = egui::vec2(1600.0, 900.0);

    /// Every piece of text presenter mode draws for the app's state, with
    /// where it is, from a bare egui context the size of the window.
    fn texts(app: &App) -> Vec<(String, egui::Rect)> {
        let w = workshop(app);
        let playback = app.world().resource::<Playback>();
        let luck = app.world().resource::<LuckCheck>();
        let ctx = egui::Context::default();
        let input = egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(egui::Pos2::ZERO, SIZE)),
            ..Default::default()
        };
        let mut out = Vec::new();
        // The second pass lays the panels out at the size the first found.
        for _ in 0..2 {
            let mut full = ctx.run_ui(input.clone(), |ui| presenter(ui, w, playback, luck));
            // No renderer takes the font textures here.
            full.textures_delta.clear();
            out.clear();
            let mut shapes: Vec<egui::Shape> = full.shapes.into_iter().map(|c| c.shape).collect();
            while let Some(shape) = shapes.pop() {
                match shape {
                    egui::Shape::Text(t) => {
                        out.push((t.galley.text().to_owned(), t.visual_bounding_rect()));
                    }
                    egui::Shape::Vec(inner) => shapes.extend(inner),
                    _ => {}
                }
            }
        }
        out
    }

    /// Where `text` is drawn (the first place), or a failure listing what is.
    fn find(texts: &[(String, egui::Rect)], text: &str) -> egui::Rect {
        find_below(texts, text, f32::MIN)
    }

    /// Where `text` is drawn below `y` (the first place).
    fn find_below(texts: &[(String, egui::Rect)], text: &str, y: f32) -> egui::Rect {
        find_in(texts, text, y, (f32::MIN, f32::MAX))
    }

    /// Where `text` is drawn below `y` and starting between `x.0` and `x.1`
    /// (the first place): within one card of the callout.
    fn find_in(texts: &[(String, egui::Rect)], text: &str, y: f32, x: (f32, f32)) -> egui::Rect {
        texts
            .iter()
            .find(|(t, r)| t == text && r.min.y > y && (x.0..x.1).contains(&r.min.x))
            .map(|(_, r)| *r)
            .unwrap_or_else(|| {
                let all: Vec<&str> = texts.iter().map(|(t, _)| t.as_str()).collect();
                panic!("\"{text}\" is not drawn; drawn: {all:?}")
            })
    }

    /// The story step's figures are in the callout at the bottom, each
    /// with run A's value (and B's while comparing), and its charts are
    /// in the strip on the right.
    fn check_step(app: &App) -> Vec<(String, egui::Rect)> {
        let w = workshop(app);
        let at = w.story.expect("in the story").index;
        let step = &w.scenario().story[at];
        let texts = texts(app);
        let title = find(&texts, &step.title);
        assert!(
            title.min.y > SIZE.y * 0.5,
            "{}: the title is at the bottom",
            step.title
        );
        let a = w.session().history().last().unwrap();
        let b = w.runs.b().map(|b| b.history().last().unwrap());
        for name in step.figures_shown() {
            let h = headline(name).unwrap();
            if !(h.value)(a).is_finite() {
                continue;
            }
            // The callout is under the title, each value under its label.
            let label = find_below(&texts, short_label(name), title.max.y);
            // The card is the label's column: at most 420 points wide.
            let card = (label.min.x - 1.0, label.min.x + 400.0);
            find_in(
                &texts,
                &h.format((h.value)(a), false),
                label.max.y - 1.0,
                card,
            );
            if let Some(b) = b {
                let (d, _) = h.compare(a, b);
                find_in(
                    &texts,
                    &h.format((h.value)(b), false),
                    label.max.y - 1.0,
                    card,
                );
                assert!(
                    texts.iter().any(|(t, _)| t.starts_with(&h.format(d, true))),
                    "{name}: B − A is shown"
                );
            }
        }
        for chart in step.charts_shown() {
            let title = match chart_of(*chart) {
                Some(spec) => spec.title,
                None => TRADE_OFF_TITLE,
            };
            let r = find(&texts, title);
            assert!(
                r.min.x > SIZE.x * (1.0 - STRIP_SHARE) - 2.0 && r.max.y < title_y(&texts, step),
                "{title}: in the strip on the right, above the story"
            );
        }
        texts
    }

    fn title_y(texts: &[(String, egui::Rect)], step: &siloscope_model::story::StoryStep) -> f32 {
        find(texts, &step.title).min.y
    }

    #[test]
    fn presenter_mode_shows_each_story_steps_figures_and_charts() {
        let file = Scratch::new("presenter-figures");
        let mut app = app(&file.0);
        send(&mut app, Control::Present(true));
        // Step 1: nothing has run, so there is nothing to show but a hint.
        let texts = texts(&app);
        assert!(
            texts
                .iter()
                .any(|(t, _)| t.contains("the figures appear with the first step"))
        );
        // Step 2, "Silos": the silo walls' figures and charts.
        send(&mut app, Control::StoryNext);
        let texts = check_step(&app);
        assert!(
            texts
                .iter()
                .any(|(t, _)| t.starts_with("from ") && t.contains("week 1"))
        );
        // Step 5 compares: A, B, B − A and, once replayed, the seeds.
        for _ in 0..3 {
            send(&mut app, Control::StoryNext);
        }
        assert!(workshop(&app).runs.comparing());
        replayed(&mut app);
        let texts = check_step(&app);
        assert!(
            texts
                .iter()
                .any(|(t, _)| t.starts_with("B better on ") && t.ends_with(" of 30 seeds")),
            "the seeds are shown"
        );
        // Step 7 branched A at week 13: the strip says so and marks it.
        for _ in 0..2 {
            send(&mut app, Control::StoryNext);
        }
        assert_eq!(workshop(&app).session().branched_at(), Some(13));
        let texts = check_step(&app);
        find(
            &texts,
            "A: connected from week 13 (solid) · B: connected (dashed)",
        );
        find(&texts, "branched");
        find(&texts, "before the change");
    }
}
