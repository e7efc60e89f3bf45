//! The seats a scenario offers the room, and what each may decide.
//!
//! - **Head of a department** (`head:<group>`), one per department group:
//!   decides for every member of its staff whether the needs reaching them
//!   are handled (passed on across the walls, answered at Product) or
//!   held; Marketing's and Sales's heads also decide whether their staff
//!   push messages or make offers. One person per head seat.
//! - **A customer of a segment** (`customer:<group>`), for each group of
//!   existing customers: each person who asks for one plays the next
//!   active customer of the segment nobody plays yet, and decides whether
//!   to contact the organisation, complain, ask a peer, refer a friend or
//!   leave.
//!
//! Prospects decide nothing (the model gives an unaware prospect no
//! choice to make) and partners neither.

use siloscope_model::agent::{Part, Role};
use siloscope_model::sim::Decision;
use siloscope_workshop::session::Session;

/// What a seat plays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeatKind {
    /// The head of a department: all its staff.
    Head {
        /// Whether its staff push or offer (Marketing, Sales).
        offers: bool,
    },
    /// One customer.
    Customer,
}

/// A seat of the room.
#[derive(Clone, Debug, PartialEq)]
pub struct Seat {
    /// The id a phone asks for (`head:Support`, `customer:Small business`).
    pub id: String,
    /// For people: "Head of Support", "A customer of Small business".
    pub title: String,
    /// What it plays.
    pub kind: SeatKind,
    /// The scenario's group it belongs to.
    pub group: usize,
    /// The agents it decides for.
    pub agents: Vec<u32>,
}

/// A seat a person may ask for: a head's, or a customer's of a segment
/// (which becomes a seat of its own when taken).
#[derive(Clone, Debug, PartialEq)]
pub struct Offer {
    /// The id to ask for.
    pub id: String,
    /// For people.
    pub title: String,
    /// What it plays.
    pub kind: SeatKind,
    /// The scenario's group.
    pub group: usize,
}

/// The seats `session`'s scenario offers, heads first, in the scenario's
/// order of groups.
pub fn offers(session: &Session) -> Vec<Offer> {
    let sc = session.scenario();
    let mut heads = Vec::new();
    let mut customers = Vec::new();
    for (g, group) in sc.groups.iter().enumerate() {
        if group.size == 0 {
            continue;
        }
        match group.part {
            Part::Department => heads.push(Offer {
                id: format!("head:{}", group.name),
                title: format!("Head of {}", group.name),
                kind: SeatKind::Head {
                    offers: matches!(group.role, Role::Marketing | Role::Sales),
                },
                group: g,
            }),
            Part::ExistingCustomer => customers.push(Offer {
                id: format!("customer:{}", group.name),
                title: format!("A customer of {}", group.name),
                kind: SeatKind::Customer,
                group: g,
            }),
            Part::Partner | Part::NewCustomer => {}
        }
    }
    heads.extend(customers);
    heads
}

impl SeatKind {
    /// `Ok` if a seat of this kind may make every choice of `d`, else
    /// which choice it may not.
    pub fn allows(self, d: &Decision) -> Result<(), String> {
        let customer = [
            ("contact", d.contact.is_some()),
            ("complain", d.complain.is_some()),
            ("ask_peer", d.ask_peer.is_some()),
            ("refer", d.refer.is_some()),
            ("leave", d.leave.is_some()),
        ];
        let (offers, customer_seat) = match self {
            SeatKind::Head { offers } => (offers, false),
            SeatKind::Customer => (false, true),
        };
        let mut refused: Vec<&str> = Vec::new();
        if !customer_seat {
            refused.extend(customer.iter().filter(|c| c.1).map(|c| c.0));
        }
        if customer_seat && d.needs.is_some() {
            refused.push("needs");
        }
        if !offers && d.offer.is_some() {
            refused.push("offer");
        }
        if refused.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "this seat cannot decide {}; it decides {}",
                refused.join(", "),
                self.choices().join(", ")
            ))
        }
    }

    /// The choices a seat of this kind makes, by their message names.
    pub fn choices(self) -> &'static [&'static str] {
        match self {
            SeatKind::Customer => &["contact", "complain", "ask_peer", "refer", "leave"],
            SeatKind::Head { offers: true } => &["needs", "offer"],
            SeatKind::Head { offers: false } => &["needs"],
        }
    }
}
