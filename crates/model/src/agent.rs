//! Who is in the organisation: the four parts, department roles, customer
//! channels and the customer lifecycle.
//!
//! These are the nouns of the model (`docs/domain.md`, seed 003): *Inside*
//! (departments of staff), *Partners*, *Existing customers* and *New
//! customers*. Everything here is plain data; the rules live in the
//! mechanism modules.

use serde::{Deserialize, Serialize};

/// One of the organisation's four parts (seed 003).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Part {
    /// Staff in departments: the Inside.
    Department,
    /// Resellers, suppliers, agencies.
    Partner,
    /// Segments of customers the organisation already has.
    ExistingCustomer,
    /// Prospects, not yet customers.
    NewCustomer,
}

impl Part {
    /// All parts in their canonical order (the order of metric rows).
    pub const ALL: [Part; 4] = [
        Part::Department,
        Part::Partner,
        Part::ExistingCustomer,
        Part::NewCustomer,
    ];

    /// Dense index `0..4`.
    #[inline]
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The `snake_case` label used in CSV and JSON outputs.
    pub const fn label(self) -> &'static str {
        match self {
            Part::Department => "departments",
            Part::Partner => "partners",
            Part::ExistingCustomer => "existing_customers",
            Part::NewCustomer => "new_customers",
        }
    }

    /// Whether agents of this part are inside the organisation (staff or
    /// partners), as opposed to customers and prospects.
    #[inline]
    pub const fn is_org(self) -> bool {
        matches!(self, Part::Department | Part::Partner)
    }

    /// Whether agents of this part have needs and a lifecycle.
    #[inline]
    pub const fn is_customer(self) -> bool {
        !self.is_org()
    }
}

/// What a department does; decides which mechanisms its staff take part in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    /// Receives customer needs and changes the offering (the feedback loop's
    /// destination).
    Product,
    /// Sends marketing pushes and runs campaigns.
    Marketing,
    /// Makes offers, including cross-sell.
    Sales,
    /// Answers customers.
    Support,
    /// Runs the processes.
    Operations,
    /// Speaks for the organisation.
    Communications,
    /// Decides.
    Leadership,
    /// Any other department.
    #[default]
    Other,
}

/// The touchpoint channel a customer tie goes through (seed 001).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[repr(u8)]
pub enum Channel {
    /// Call centre, help desk.
    Support = 0,
    /// Account managers, sales calls.
    Sales = 1,
    /// Shops and retail outlets.
    Retail = 2,
    /// Self-service app and web.
    App = 3,
    /// Community forum, social.
    Community = 4,
    /// Through a partner (reseller).
    Reseller = 5,
}

impl Channel {
    /// All channels.
    pub const ALL: [Channel; 6] = [
        Channel::Support,
        Channel::Sales,
        Channel::Retail,
        Channel::App,
        Channel::Community,
        Channel::Reseller,
    ];

    /// The channel a tie gets when the scenario does not name one: the one
    /// its organisation-side end works through.
    pub const fn default_for(part: Part, role: Role) -> Channel {
        match (part, role) {
            (Part::Partner, _) => Channel::Reseller,
            (_, Role::Support) => Channel::Support,
            (_, Role::Sales) => Channel::Sales,
            (_, Role::Marketing) => Channel::App,
            (_, Role::Communications) => Channel::Community,
            _ => Channel::Retail,
        }
    }

    /// Decode from the byte stored per tie.
    pub const fn from_u8(v: u8) -> Channel {
        match v {
            0 => Channel::Support,
            1 => Channel::Sales,
            2 => Channel::Retail,
            3 => Channel::App,
            4 => Channel::Community,
            _ => Channel::Reseller,
        }
    }
}

/// Where a customer or prospect is in their (non-linear) life with the
/// organisation (seed 004: "fits and starts, full of messy and iterative
/// loops").
///
/// ```text
///  Unaware ──exposure──▶ Aware ──▶ Considering ──convert──▶ Customer ◀──▶ Advocate
///     ▲                   │  ▲          │                     │  ▲          │
///     └──────forget───────┘  └──lapse───┘                churn│  │return    │churn
///                                                             ▼  │          ▼
///                                                            Churned ──▶ Returning
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[repr(u8)]
pub enum Lifecycle {
    /// Has not heard of the organisation.
    Unaware = 0,
    /// Has heard, through a campaign or a peer.
    Aware = 1,
    /// Weighing it up.
    Considering = 2,
    /// A paying customer.
    Customer = 3,
    /// A customer who recommends the organisation to peers.
    Advocate = 4,
    /// Left.
    Churned = 5,
    /// A former customer coming back.
    Returning = 6,
}

impl Lifecycle {
    /// All states in order.
    pub const ALL: [Lifecycle; 7] = [
        Lifecycle::Unaware,
        Lifecycle::Aware,
        Lifecycle::Considering,
        Lifecycle::Customer,
        Lifecycle::Advocate,
        Lifecycle::Churned,
        Lifecycle::Returning,
    ];

    /// Whether the agent currently buys from the organisation.
    #[inline]
    pub const fn is_active_customer(self) -> bool {
        matches!(self, Lifecycle::Customer | Lifecycle::Advocate)
    }

    /// The `snake_case` label used in outputs.
    pub const fn label(self) -> &'static str {
        match self {
            Lifecycle::Unaware => "unaware",
            Lifecycle::Aware => "aware",
            Lifecycle::Considering => "considering",
            Lifecycle::Customer => "customer",
            Lifecycle::Advocate => "advocate",
            Lifecycle::Churned => "churned",
            Lifecycle::Returning => "returning",
        }
    }

    /// Decode from the stored byte.
    pub const fn from_u8(v: u8) -> Lifecycle {
        match v {
            0 => Lifecycle::Unaware,
            1 => Lifecycle::Aware,
            2 => Lifecycle::Considering,
            3 => Lifecycle::Customer,
            4 => Lifecycle::Advocate,
            5 => Lifecycle::Churned,
            _ => Lifecycle::Returning,
        }
    }
}

/// How a prospect first heard of the organisation, kept so that each
/// acquisition records its source (seed 003).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[repr(u8)]
pub enum Source {
    /// Not yet exposed.
    None = 0,
    /// Through a trusted existing customer.
    WordOfMouth = 1,
    /// Through a campaign or a marketing push.
    Campaign = 2,
}

/// Number of dimensions of the need space. Needs, the offering and the
/// service a customer gets are points in `[0, 1]^NEED_DIMS`.
pub const NEED_DIMS: usize = 4;

/// A point in the need space.
pub type Needs = [f32; NEED_DIMS];

/// What the need dimensions stand for when a scenario does not say
/// (`need_names`): what an enterprise customer and a small business weigh
/// differently.
pub const DEFAULT_NEED_NAMES: [&str; NEED_DIMS] =
    ["reliability", "price", "service", "ease of use"];

/// Mean absolute difference between two need vectors, in `[0, 1]`.
#[inline]
pub fn need_gap(a: &Needs, b: &Needs) -> f32 {
    let mut sum = 0.0;
    for k in 0..NEED_DIMS {
        sum += (a[k] - b[k]).abs();
    }
    sum / NEED_DIMS as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_indices_are_dense_and_ordered() {
        for (i, p) in Part::ALL.iter().enumerate() {
            assert_eq!(p.index(), i);
        }
        assert!(Part::Department.is_org() && Part::Partner.is_org());
        assert!(Part::ExistingCustomer.is_customer() && Part::NewCustomer.is_customer());
    }

    #[test]
    fn lifecycle_and_channel_round_trip_through_bytes() {
        for s in Lifecycle::ALL {
            assert_eq!(Lifecycle::from_u8(s as u8), s);
        }
        for c in Channel::ALL {
            assert_eq!(Channel::from_u8(c as u8), c);
        }
    }

    #[test]
    fn need_gap_is_mean_absolute_difference() {
        assert_eq!(need_gap(&[0.0; 4], &[1.0; 4]), 1.0);
        assert!((need_gap(&[0.5, 0.5, 0.5, 0.5], &[0.5, 0.5, 0.5, 0.9]) - 0.1).abs() < 1e-6);
    }
}
