//! A scenario's story, as data: the guided tour for the room.
//!
//! A scenario may carry a `story`, an ordered list of steps, each with a
//! title, a short note for the room, and actions: choose a policy, set
//! knobs, run (or rewind) to a step, switch the A/B comparison on or off,
//! focus the view on a part, highlight a mechanism. A step may also name
//! the figures its note talks about and the charts that show it, which
//! presenter mode puts on screen beside the note, so the room can check
//! the claim; a step that names none shows the figures and charts of the
//! mechanism it highlights ([`Mechanism::figures`], [`Mechanism::charts`]).
//! These types only say what a step asks for; performing it on the runs is
//! the workshop's job (`siloscope-workshop`, `story.rs`).

use crate::agent::Part;
use crate::knob::Knob;
use serde::{Deserialize, Serialize};

/// One step of a story.
#[derive(Clone, Debug, PartialEq)]
pub struct StoryStep {
    /// Shown large.
    pub title: String,
    /// Shown under the title: what to look at, what it means.
    pub note: String,
    /// Performed in order when the step is entered.
    pub actions: Vec<StoryAction>,
    /// The headline figures its note talks about, by metric name (see
    /// [`crate::metrics::headline::HEADLINES`]); empty: the highlighted
    /// mechanism's.
    pub figures: Vec<&'static str>,
    /// The charts that show it; empty: the highlighted mechanism's.
    pub charts: Vec<Chart>,
}

/// Most figures a step's callout shows.
pub const MAX_FIGURES: usize = 5;
/// Most charts in a step's strip.
pub const MAX_CHARTS: usize = 3;

/// The figures shown when a step highlights nothing and names none: what a
/// policy gains and what it pays.
pub const DEFAULT_FIGURES: [&str; 3] = ["customer_trust_in_org", "customers", "profit_total"];
/// The charts shown when a step highlights nothing and names none.
pub const DEFAULT_CHARTS: [Chart; 2] = [Chart::Trust, Chart::Money];

impl StoryStep {
    /// The mechanism the step highlights (its last `Highlight`), if any.
    pub fn highlight(&self) -> Option<Mechanism> {
        self.actions.iter().rev().find_map(|a| match a {
            StoryAction::Highlight(m) => Some(*m),
            _ => None,
        })
    }

    /// The figures presenter mode shows for this step: its own, else its
    /// highlighted mechanism's, else [`DEFAULT_FIGURES`].
    pub fn figures_shown(&self) -> &[&'static str] {
        if !self.figures.is_empty() {
            return &self.figures;
        }
        self.highlight()
            .map_or(&DEFAULT_FIGURES, Mechanism::figures)
    }

    /// The charts presenter mode shows for this step: its own, else its
    /// highlighted mechanism's, else [`DEFAULT_CHARTS`].
    pub fn charts_shown(&self) -> &[Chart] {
        if !self.charts.is_empty() {
            return &self.charts;
        }
        self.highlight().map_or(&DEFAULT_CHARTS, Mechanism::charts)
    }
}

/// A chart presenter mode can show in a story step's strip (the app's
/// charts, and the trade-off of A and B).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub enum Chart {
    /// Trust toward each part.
    Trust,
    /// Acquisitions by source, cumulative.
    Acquisitions,
    /// Advocates and churned customers.
    Customers,
    /// The silo E-I index of the flows.
    SiloIndex,
    /// Revenue, cost and profit so far.
    Money,
    /// Feedback loop closure and needs reaching Product.
    Loop,
    /// Profit against trust, A and B (only while comparing).
    TradeOff,
}

/// What a story step does.
#[derive(Clone, Debug, PartialEq)]
pub enum StoryAction {
    /// Switch run A to a policy (from the current step on).
    Policy(String),
    /// Set knobs of run A.
    Set(Vec<(Knob, f32)>),
    /// Run both runs to this step (forward by computing, back by rewinding).
    RunTo(u32),
    /// Compare: run B is the same scenario and seed under this policy from
    /// step 0, in lock-step with A.
    Compare(String),
    /// Back to run A alone.
    CompareOff,
    /// Frame a part (or the whole organisation).
    Focus(Focus),
    /// Make one mechanism stand out in the view.
    Highlight(Mechanism),
}

/// What the view frames.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
pub enum Focus {
    /// The whole organisation.
    #[default]
    All,
    /// The departments.
    Department,
    /// The partners.
    Partner,
    /// Existing customers.
    ExistingCustomer,
    /// Prospects.
    NewCustomer,
}

impl Focus {
    /// The part framed, if one.
    pub fn part(self) -> Option<Part> {
        match self {
            Focus::All => None,
            Focus::Department => Some(Part::Department),
            Focus::Partner => Some(Part::Partner),
            Focus::ExistingCustomer => Some(Part::ExistingCustomer),
            Focus::NewCustomer => Some(Part::NewCustomer),
        }
    }
}

/// A mechanism of the model the view can make stand out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub enum Mechanism {
    /// Ties across department boundaries and the items they stop.
    SiloWalls,
    /// Customers' needs travelling in and answers travelling back.
    FeedbackLoop,
    /// The organisation pushing messages and offers out.
    Campaign,
    /// Customers telling prospects; peers helping each other.
    WordOfMouth,
}

impl Mechanism {
    /// Every mechanism, in display order.
    pub const ALL: [Mechanism; 4] = [
        Mechanism::SiloWalls,
        Mechanism::FeedbackLoop,
        Mechanism::Campaign,
        Mechanism::WordOfMouth,
    ];

    /// The figures that show the mechanism at work.
    pub fn figures(self) -> &'static [&'static str] {
        match self {
            Mechanism::SiloWalls => &["need_reach_share", "queue_length", "customer_trust_in_org"],
            Mechanism::FeedbackLoop => &[
                "loop_closure_share",
                "need_reach_share",
                "customer_trust_in_org",
            ],
            Mechanism::Campaign => &[
                "acquisitions_campaign_total",
                "cost_cumulative",
                "customer_trust_in_org",
            ],
            Mechanism::WordOfMouth => {
                &["acquisitions_word_of_mouth_total", "advocates", "customers"]
            }
        }
    }

    /// The charts that show the mechanism at work.
    pub fn charts(self) -> &'static [Chart] {
        match self {
            Mechanism::SiloWalls => &[Chart::SiloIndex, Chart::Loop],
            Mechanism::FeedbackLoop => &[Chart::Loop, Chart::Trust],
            Mechanism::Campaign => &[Chart::Acquisitions, Chart::Money],
            Mechanism::WordOfMouth => &[Chart::Acquisitions, Chart::Customers],
        }
    }

    /// A short name for the room.
    pub fn label(self) -> &'static str {
        match self {
            Mechanism::SiloWalls => "silo walls",
            Mechanism::FeedbackLoop => "the feedback loop",
            Mechanism::Campaign => "the campaign",
            Mechanism::WordOfMouth => "word of mouth",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::headline::headline;

    /// Every figure a mechanism or the default names is a headline figure.
    #[test]
    fn default_figures_are_headline_figures() {
        for name in Mechanism::ALL
            .iter()
            .flat_map(|m| m.figures())
            .chain(&DEFAULT_FIGURES)
        {
            assert!(headline(name).is_some(), "{name}");
        }
        for m in Mechanism::ALL {
            assert!(m.figures().len() <= MAX_FIGURES && m.charts().len() <= MAX_CHARTS);
        }
    }

    /// A step shows its own figures and charts, else its highlighted
    /// mechanism's, else the defaults.
    #[test]
    fn a_step_shows_its_own_figures_else_its_mechanisms() {
        let mut step = StoryStep {
            title: "Silos".into(),
            note: String::new(),
            actions: vec![
                StoryAction::RunTo(26),
                StoryAction::Highlight(Mechanism::SiloWalls),
            ],
            figures: Vec::new(),
            charts: Vec::new(),
        };
        assert_eq!(step.highlight(), Some(Mechanism::SiloWalls));
        assert_eq!(step.figures_shown(), Mechanism::SiloWalls.figures());
        assert_eq!(step.charts_shown(), Mechanism::SiloWalls.charts());
        step.figures = vec!["churned"];
        step.charts = vec![Chart::Customers];
        assert_eq!(step.figures_shown(), ["churned"]);
        assert_eq!(step.charts_shown(), [Chart::Customers]);
        step.actions.clear();
        step.figures.clear();
        step.charts.clear();
        assert_eq!(step.figures_shown(), DEFAULT_FIGURES);
        assert_eq!(step.charts_shown(), DEFAULT_CHARTS);
    }
}
