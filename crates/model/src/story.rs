//! A scenario's story, as data: the guided tour for the room.
//!
//! A scenario may carry a `story`, an ordered list of steps, each with a
//! title, a short note for the room, and actions: choose a policy, set
//! knobs, run (or rewind) to a step, switch the A/B comparison on or off,
//! focus the view on a part, highlight a mechanism. These types only say
//! what a step asks for; performing it on the runs is the workshop's job
//! (`siloscope-workshop`, `story.rs`).

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
