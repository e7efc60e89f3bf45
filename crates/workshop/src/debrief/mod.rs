//! The debrief a workshop takes home: one self-contained HTML page (no
//! external resources: it opens offline in any browser, and prints), made
//! from a session ([`crate::record`]) by the app or by
//! `siloscope debrief <session> --out debrief.html`.
//!
//! What it holds, in order:
//! - where the room left the runs: the headline figures of A and B with
//!   B − A coloured better or worse, the charts (A solid, B dashed, the
//!   timeline before the last rewind dotted, knob changes, the branch and
//!   the notes marked), the trade-off of A and B, and the organisation as
//!   it stood;
//! - the runs as they were before the story started, when the story was
//!   told over them;
//! - the live edits, the facilitator's notes, and the room's predictions
//!   against what the run did;
//! - the scenario's story, step by step, performed afresh: each step's
//!   note, the figures it talks about (A, B and B − A), its charts and the
//!   organisation at that step.
//!
//! Charts and pictures are inline SVG ([`svg`], [`picture`]); a short
//! script checks in the browser that each has a drawn area and marks, and
//! writes the count into the page (`#render-check`), where a reader and
//! the browser test see it.

mod html;
mod picture;
mod room;
mod svg;

use crate::compare::{Runs, Side};
use crate::headline::{HEADLINES, headline};
use crate::in_force::InForce;
use crate::layout::{Layout, Picture, layout};
use crate::look::charts::{Chart, chart_of, chart_specs, title_of};
use crate::record::{Note, Parts};
use crate::session::Session;
use crate::story;
use html::{diff_cell, esc, head};
use siloscope_model::metrics::{StepReport, short_label};
use siloscope_model::sim::SimError;
use siloscope_scenario::Scenario;
use std::fmt::Write;
use svg::{Dash, Line, Marks};

/// The page's generator tag: a file holding it is a debrief siloscope
/// wrote, which a new debrief may replace.
pub const GENERATOR: &str = r#"<meta name="generator" content="siloscope debrief">"#;

/// Where the session came from, for the page's header and footer.
#[derive(Clone, Debug)]
pub struct About {
    /// The session file, as named.
    pub session: String,
    /// When it was saved.
    pub saved: String,
    /// The scenario file.
    pub scenario_path: String,
    /// The hash of its bytes.
    pub scenario_hash: String,
}

/// One run as it stands, for a live web view (the participatory room's
/// facilitator page): the organisation laid out as `picture`, then each
/// chart of the run so far, as inline SVG in one HTML fragment.
pub fn live(session: &Session, picture: Picture) -> String {
    let sim = session.sim();
    let l = layout(session.scenario(), sim.network(), picture, sim.seed());
    let mut out = String::from("<div class=\"live\">");
    let now = format!(
        "The organisation, {} {}",
        session.scenario().step_unit,
        session.step_index()
    );
    let _ = write!(
        out,
        "<figure><figcaption>{}</figcaption>{}</figure>",
        esc(&now),
        picture::picture(sim, &l, &now)
    );
    let line = [Line {
        history: session.history(),
        dash: Dash::Solid,
    }];
    for spec in chart_specs() {
        let _ = write!(
            out,
            "<figure><figcaption>{}</figcaption>{}</figure>",
            esc(spec.title),
            svg::chart(&spec, session.horizon(), &line, &Marks::default())
        );
    }
    out.push_str("</div>");
    out
}

/// The debrief of a session of `scenario` (the app's, or one restored
/// from a file), as one HTML page.
///
/// Performing the story computes its runs afresh (a few hundred steps for
/// the shipped scenarios).
pub fn page(scenario: &Scenario, s: &Parts<'_>, about: &About) -> Result<String, SimError> {
    let d = Debrief {
        scenario,
        unit: &scenario.step_unit,
        layout: layout(
            scenario,
            s.runs.a().sim().network(),
            Picture::default(),
            s.runs.a().seed(),
        ),
    };
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">{GENERATOR}<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{} — workshop debrief</title><style>{}</style></head><body><main>",
        esc(&scenario.name),
        html::style()
    );
    let _ = write!(
        out,
        "<h1>{} — workshop debrief</h1><p class=\"meta\">Session saved {} · scenario <code>{}</code> (hash {}) · seed {}</p>",
        esc(&scenario.name),
        esc(&crate::record::when(&about.saved)),
        esc(&file_name(&about.scenario_path)),
        esc(&about.scenario_hash),
        s.runs.a().seed()
    );
    if !scenario.description.trim().is_empty() {
        let _ = write!(
            out,
            "<p class=\"note\">{}</p>",
            esc(scenario.description.trim())
        );
    }

    out.push_str("<h2>Where the room left it</h2>");
    d.runs(&mut out, s.runs, s.notes);
    if let Some(before) = s.before_story {
        out.push_str("<h2>Before the story</h2><p>The runs as they were when the story started (the story restarts from step 0).</p>");
        d.runs(&mut out, before, &[]);
    }

    out.push_str("<h2>Changes made live</h2>");
    d.edits(&mut out, s);
    out.push_str("<h2>Notes</h2>");
    d.notes(&mut out, s.notes);
    out.push_str("<h2>Predictions</h2>");
    d.predictions(&mut out, s);

    out.push_str("<h2>The story</h2>");
    let start = s.before_story.unwrap_or(s.runs).a();
    d.story(&mut out, start)?;

    let _ = writeln!(
        out,
        "<footer><p>Made by siloscope {} from <code>{}</code>. <code>siloscope replay {}</code> rebuilds the session exactly; the scenario file must be unchanged (same hash).</p><p id=\"render-check\">figures drawn: not checked (this page's script did not run)</p></footer></main>{}</body></html>",
        env!("CARGO_PKG_VERSION"),
        esc(&file_name(&about.session)),
        esc(&file_name(&about.session)),
        html::RENDER_CHECK
    );
    Ok(out)
}

struct Debrief<'a> {
    scenario: &'a Scenario,
    unit: &'a str,
    layout: Layout,
}

impl Debrief<'_> {
    /// Runs A and B as they stand: who they are, the figures, the charts
    /// and the organisation.
    fn runs(&self, out: &mut String, runs: &Runs, notes: &[Note]) {
        let a = runs.a();
        let b = runs.b();
        let _ = write!(
            out,
            "<p><b>Run A</b> (solid): {}, at {} {} of {}.",
            esc(&policy_since(a, self.unit)),
            esc(self.unit),
            a.step_index(),
            a.horizon()
        );
        if let Some(b) = b {
            let _ = write!(
                out,
                " <b>Run B</b> (dashed): {}, the same seed, in lock-step.",
                esc(&policy_since(b, self.unit))
            );
        }
        if let Some(at) = a.branched_at().filter(|&s| s > 0)
            && !a.ghost().is_empty()
        {
            let _ = write!(
                out,
                " The dotted line is run A as it was before the change at {} {at} (the amber line); faint white lines mark knob changes, white flags the notes.",
                esc(self.unit)
            );
        }
        out.push_str("</p>");
        match (a.history().last(), b.and_then(|b| b.history().last())) {
            (None, _) => out.push_str("<p class=\"empty\">No step was run.</p>"),
            (Some(ra), rb) => figures_table(out, ra, rb),
        }
        let marks = marks(a, notes);
        let lines = lines(a, b);
        out.push_str("<div class=\"strip\">");
        for spec in chart_specs() {
            figure(
                out,
                spec.title,
                &svg::chart(&spec, a.horizon(), &lines, &marks),
            );
        }
        if let Some(b) = b {
            figure(
                out,
                title_of(Chart::TradeOff),
                &svg::trade_off(a.history(), b.history()),
            );
        }
        self.pictures(out, runs);
        out.push_str("</div>");
        out.push_str(PICTURE_KEY);
    }

    /// The organisation of A (and B) at the step shown, as figures of the
    /// strip open.
    fn pictures(&self, out: &mut String, runs: &Runs) {
        for (side, s) in runs.shown() {
            let title = format!(
                "The organisation, run {} at {} {}",
                side.label(),
                self.unit,
                s.step_index()
            );
            figure(
                out,
                &title,
                &picture::picture(s.sim(), &self.layout, &title),
            );
        }
        out.push_str("</div>");
    }

    /// The scenario's story performed afresh from step 0 on A's starting
    /// policy and seed, as presenter mode tells it.
    fn story(&self, out: &mut String, start: &Session) -> Result<(), SimError> {
        let steps = &self.scenario.story;
        if steps.is_empty() {
            out.push_str("<p class=\"empty\">This scenario has no story.</p>");
            return Ok(());
        }
        let mut runs = Runs::new(Session::new(
            &start.original_scenario(),
            start.start_policy().map(str::to_owned),
            Some(start.seed()),
        )?);
        for (i, step) in steps.iter().enumerate() {
            story::perform(step, &mut runs)?;
            let _ = write!(
                out,
                "<h3>{} of {}: {}</h3><p class=\"note\">{}</p>",
                i + 1,
                steps.len(),
                esc(&step.title),
                esc(&step.note)
            );
            let a = runs.a();
            let b = runs.b();
            if let Some(ra) = a.history().last() {
                callout(
                    out,
                    step.figures_shown(),
                    ra,
                    b.and_then(|b| b.history().last()),
                );
            }
            let lines = lines(a, b);
            let marks = marks(a, &[]);
            out.push_str("<div class=\"strip\">");
            for &kind in step.charts_shown() {
                match (chart_of(kind), b) {
                    (Some(spec), _) => figure(
                        out,
                        spec.title,
                        &svg::chart(&spec, a.horizon(), &lines, &marks),
                    ),
                    (None, Some(b)) => figure(
                        out,
                        title_of(kind),
                        &svg::trade_off(a.history(), b.history()),
                    ),
                    (None, None) => {}
                }
            }
            // Compared, A and B side by side on a row of their own.
            if b.is_some() {
                out.push_str("</div><div class=\"strip\">");
            }
            self.pictures(out, &runs);
            out.push_str("</div>");
        }
        Ok(())
    }
}

/// How to read the pictures of the organisation.
const PICTURE_KEY: &str = "<p class=\"meta\">In the pictures each dot is an agent: departments blue, partners purple, existing customers green, prospects orange; paler the more it trusts (or, for staff, the more trust its ties hold), darker red the less. Advocates are the largest dots, unaware prospects and churned customers small and faint. Lines are the ties between staff and to partners; red ones cross a silo wall.</p>";

/// The last part of a path: the page shows file names, not where they
/// were on the facilitator's machine.
fn file_name(path: &str) -> String {
    std::path::Path::new(path)
        .file_name()
        .map_or_else(|| path.to_owned(), |n| n.to_string_lossy().into_owned())
}

/// What a chart marks on run A: where its knobs changed, where it
/// branched, and the notes pinned to it.
fn marks(a: &Session, notes: &[Note]) -> Marks {
    Marks {
        changes: a
            .history()
            .iter()
            .filter(|r| !r.knob_changes.is_empty())
            .map(|r| r.step)
            .collect(),
        branch: a.branched_at().filter(|&s| s > 0),
        notes: notes
            .iter()
            .filter(|n| n.side == Side::A)
            .map(|n| n.step)
            .collect(),
    }
}

/// A run's lines on a chart: A solid, its old timeline dotted once it
/// branched, B dashed.
fn lines<'a>(a: &'a Session, b: Option<&'a Session>) -> Vec<Line<'a>> {
    let mut lines = Vec::new();
    if a.branched_at().is_some() && !a.ghost().is_empty() {
        lines.push(Line {
            history: a.ghost(),
            dash: Dash::Dotted,
        });
    }
    lines.push(Line {
        history: a.history(),
        dash: Dash::Solid,
    });
    if let Some(b) = b {
        lines.push(Line {
            history: b.history(),
            dash: Dash::Dashed,
        });
    }
    lines
}

fn figure(out: &mut String, title: &str, svg: &str) {
    let _ = write!(
        out,
        "<figure><figcaption>{}</figcaption>{svg}</figure>",
        esc(title)
    );
}

/// The policy a run is under, with the step it took over when the run
/// branched: "connected from week 13".
fn policy_since(s: &Session, unit: &str) -> String {
    let policy = InForce::of(s.sim()).to_string();
    match s.branched_at().filter(|&at| at > 0) {
        Some(at) => format!("{policy} from {unit} {at}"),
        None => policy,
    }
}

/// The headline figures of A (and B, with B − A).
fn figures_table(out: &mut String, a: &StepReport, b: Option<&StepReport>) {
    match b {
        Some(_) => head(out, &["", "A", "B", "B − A"], &[0]),
        None => head(out, &["", "A"], &[0]),
    }
    for h in &HEADLINES {
        let x = (h.value)(a);
        let y = b.map(|b| (h.value)(b));
        if !x.is_finite() && !y.is_some_and(f64::is_finite) {
            continue;
        }
        let _ = write!(
            out,
            "<tr><td class=\"text\">{}</td><td>{}</td>",
            esc(short_label(h.metric)),
            esc(&h.format(x, false))
        );
        if let (Some(b), Some(y)) = (b, y) {
            let (d, verdict) = h.compare(a, b);
            let _ = write!(
                out,
                "<td>{}</td>{}",
                esc(&h.format(y, false)),
                diff_cell(h, d, verdict)
            );
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
}

/// A story step's figures as large cards: A, and B with B − A.
fn callout(out: &mut String, figures: &[&str], a: &StepReport, b: Option<&StepReport>) {
    out.push_str("<div class=\"callout\">");
    for name in figures {
        let Some(h) = headline(name) else { continue };
        let _ = write!(
            out,
            "<div class=\"card\"><div class=\"label\">{}</div><div class=\"value\">{}",
            esc(short_label(h.metric)),
            esc(&h.format((h.value)(a), false))
        );
        if let Some(b) = b {
            let (d, verdict) = h.compare(a, b);
            let class = match verdict {
                crate::headline::Verdict::Better => "better",
                crate::headline::Verdict::Worse => "worse",
                crate::headline::Verdict::Even => "",
            };
            let _ = write!(
                out,
                " → {}</div><div class=\"diff {class}\">B − A {}</div>",
                esc(&h.format((h.value)(b), false)),
                esc(&h.format(d, true))
            );
        } else {
            out.push_str("</div>");
        }
        out.push_str("</div>");
    }
    out.push_str("</div>");
}

#[cfg(test)]
mod tests;
