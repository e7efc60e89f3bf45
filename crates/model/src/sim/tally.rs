//! What the report counts of the customers, kept up to date by changes.
//!
//! The report gives, every step, the customers per part and lifecycle
//! state, the active customers' mean satisfaction per part, and their
//! revenue per part and per segment. Counting these from every agent each
//! step would cost the same whether anything happened or not, so the
//! [`Tally`] is moved when an agent's part of it changes: its lifecycle
//! state (the switch, a newcomer), its satisfaction while active (its
//! perception), or its spend while active (a switch, an upsell). Measuring
//! then reads the tally in O(parts + segments).
//!
//! The sums are kept in fixed point (satisfaction and spend in units of
//! 2⁻³² each), so adding and removing agents gives the same bits in any
//! order: a floating-point sum kept by changes would depend on the order
//! the changes came in, and drift from a sum taken from scratch. An
//! agent's satisfaction or spend is rounded toward zero to that unit
//! (below 2.3 × 10⁻¹⁰, far below anything the report shows). With at most
//! 2³¹ agents, satisfaction (at most 1) sums within an `i64`, and spend (at
//! most `1e9` ARPU × 100 `arpu_scale` × 100 `wallet_max`, under 2⁴⁴) within
//! an `i128`.

use crate::agent::{Lifecycle, Part};
use crate::network::Network;
use crate::sim::Simulation;

/// Fixed-point units per 1.0.
const UNIT: f64 = 4_294_967_296.0;

/// The fixed-point value of a satisfaction in 0 to 1.
#[inline]
fn fixed_sat(x: f32) -> i64 {
    debug_assert!(x.is_nan() || (0.0..=1.0).contains(&x), "satisfaction {x}");
    // `max` maps NaN to 0, as the saturating cast would; the product is
    // then in 0 to 2³², exact in `f32` (a power of two), and truncated as
    // the cast would.
    #[allow(clippy::manual_clamp, reason = "clamp keeps NaN; max maps it to 0")]
    let x = x.max(0.0).min(1.0) * UNIT as f32;
    // SAFETY: `x` is finite and in 0 to 2³², within `i64`.
    unsafe { x.to_int_unchecked::<i64>() }
}

/// The fixed-point value of a spend.
#[inline]
fn fixed_spend(x: f32) -> i128 {
    (f64::from(x) * UNIT) as i128
}

/// The report's customer counts and sums (see the module).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Tally {
    /// Customer-part agents per part and lifecycle state.
    pub lifecycle: [[u32; 7]; 4],
    /// Per part: the active customers' satisfaction, in fixed point.
    sat: [i64; 4],
    /// Per part: the active customers' spend per step, in fixed point.
    revenue: [i128; 4],
    /// Per group: the active customers' spend per step, in fixed point.
    segment_revenue: Vec<i128>,
    /// Per group: active customers.
    pub segment_customers: Vec<u32>,
}

/// One customer's share of the tally.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Share {
    pub part: Part,
    pub group: u32,
    pub state: u8,
    pub sat: f32,
    pub spend: f32,
}

impl Tally {
    /// An empty tally for `groups` groups.
    pub fn new(groups: usize) -> Tally {
        Tally {
            segment_revenue: vec![0; groups],
            segment_customers: vec![0; groups],
            ..Tally::default()
        }
    }

    /// Every customer-part agent unaware: `part_customers` of each part.
    pub fn unaware(groups: usize, part_customers: [u32; 4]) -> Tally {
        let mut tally = Tally::new(groups);
        for (p, &n) in part_customers.iter().enumerate() {
            tally.lifecycle[p][Lifecycle::Unaware as usize] = n;
        }
        tally
    }

    /// Customer `a`, counted unaware, starts in state `state`, spending
    /// `spend`, satisfied 0 (until its first perception).
    pub fn wake(&mut self, net: &Network, a: u32, state: Lifecycle, spend: f32) {
        let (part, group) = (net.part[a as usize], net.group[a as usize]);
        self.lifecycle[part.index()][Lifecycle::Unaware as usize] -= 1;
        self.add(Share {
            part,
            group,
            state: state as u8,
            sat: 0.0,
            spend,
        });
    }

    /// Count a customer in.
    #[inline]
    pub fn add(&mut self, s: Share) {
        self.lifecycle[s.part.index()][s.state as usize] += 1;
        if Lifecycle::from_u8(s.state).is_active_customer() {
            let (p, g) = (s.part.index(), s.group as usize);
            self.sat[p] += fixed_sat(s.sat);
            self.revenue[p] += fixed_spend(s.spend);
            self.segment_revenue[g] += fixed_spend(s.spend);
            self.segment_customers[g] += 1;
        }
    }

    /// Count a customer out (as it was counted in).
    #[inline]
    pub fn remove(&mut self, s: Share) {
        self.lifecycle[s.part.index()][s.state as usize] -= 1;
        if Lifecycle::from_u8(s.state).is_active_customer() {
            let (p, g) = (s.part.index(), s.group as usize);
            self.sat[p] -= fixed_sat(s.sat);
            self.revenue[p] -= fixed_spend(s.spend);
            self.segment_revenue[g] -= fixed_spend(s.spend);
            self.segment_customers[g] -= 1;
        }
    }

    /// A customer of `part` is now `now` satisfied, not `was`: moved in the
    /// sum when it is `active` (an active customer's), without branching on
    /// it (perception moves every customer it visits, prospects among
    /// them, and a branch there is mispredicted often enough to cost a
    /// tenth of perception).
    #[inline]
    pub fn satisfaction_moves(&mut self, active: bool, part: Part, was: f32, now: f32) {
        self.sat[part.index()] += (fixed_sat(now) - fixed_sat(was)) * i64::from(active);
    }

    /// The active customers' satisfaction, summed anew by a pass over all
    /// of them: per part, [`fixed_sat`] of each one's satisfaction is added
    /// to `sums` (in any order: the sums are integers).
    #[inline]
    pub fn add_satisfaction(sums: &mut [i64; 4], part: Part, sat: f32, active: bool) {
        sums[part.index()] += fixed_sat(sat) * i64::from(active);
    }

    /// The active customers' satisfaction sums are `sums`, taken anew by
    /// [`Self::add_satisfaction`] over every one of them.
    pub fn set_satisfaction(&mut self, sums: [i64; 4]) {
        self.sat = sums;
    }

    /// An active customer of `part` in group `group` now spends `now`, not
    /// `was`.
    #[inline]
    pub fn spend_moves(&mut self, part: Part, group: u32, was: f32, now: f32) {
        let d = fixed_spend(now) - fixed_spend(was);
        self.revenue[part.index()] += d;
        self.segment_revenue[group as usize] += d;
    }

    /// Bytes held on the heap.
    pub fn heap_bytes(&self) -> usize {
        self.segment_revenue.capacity() * std::mem::size_of::<i128>()
            + self.segment_customers.capacity() * std::mem::size_of::<u32>()
    }

    /// Active customers of part `p`.
    #[inline]
    pub fn active(&self, p: usize) -> u32 {
        self.lifecycle[p][Lifecycle::Customer as usize]
            + self.lifecycle[p][Lifecycle::Advocate as usize]
    }

    /// The active customers' mean satisfaction in part `p` (NaN with none).
    pub fn satisfaction(&self, p: usize) -> f64 {
        match self.active(p) {
            0 => f64::NAN,
            n => self.sat[p] as f64 / UNIT / f64::from(n),
        }
    }

    /// The active customers' revenue per step in part `p`.
    pub fn revenue(&self, p: usize) -> f64 {
        self.revenue[p] as f64 / UNIT
    }

    /// The active customers' revenue per step in group `g`.
    pub fn segment_revenue(&self, g: usize) -> f64 {
        self.segment_revenue[g] as f64 / UNIT
    }
}

impl Simulation {
    /// Agent `a`'s share of the tally now.
    #[inline]
    pub(in crate::sim) fn share(&self, a: usize) -> Share {
        Share {
            part: self.net.part[a],
            group: self.net.group[a],
            state: self.state[a],
            sat: self.sat[a],
            spend: self.spend[a],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn share(state: Lifecycle, sat: f32, spend: f32) -> Share {
        Share {
            part: Part::NewCustomer,
            group: 1,
            state: state as u8,
            sat,
            spend,
        }
    }

    #[test]
    fn fixed_sat_truncates_as_the_f64_product_would() {
        // The definition the sums were first kept by: the saturating cast
        // of the product in f64, for a satisfaction in 0 to 1 or NaN (0).
        let by_f64 = |x: f32| (f64::from(x) * UNIT) as i64;
        let mut xs = vec![0.0, -0.0, 1.0, 0.5, 1e-45, 1e-12, 2.3e-10, f32::NAN];
        xs.extend((0..10_000).map(|i| (i as f32 * 0.618_034).fract()));
        xs.extend((0..10_000).map(|i| f32::from_bits(0x3f80_0000 - i)));
        xs.extend((1..150).map(|e| 2f32.powi(-e) * 1.37));
        for x in xs {
            assert_eq!(fixed_sat(x), by_f64(x), "{x:e}");
        }
        assert_eq!(fixed_sat(1.0), 1 << 32);
        assert_eq!(fixed_sat(f32::NAN), 0);
    }

    #[test]
    fn sums_kept_by_changes_do_not_depend_on_their_order() {
        let shares: Vec<Share> = (0..200)
            .map(|i| {
                let x = (i as f32 * 0.618_034).fract();
                let state = if i % 3 == 0 {
                    Lifecycle::Churned
                } else {
                    Lifecycle::Customer
                };
                share(state, x, 1000.0 * x + 0.1)
            })
            .collect();
        let mut forward = Tally::new(2);
        for &s in &shares {
            forward.add(s);
        }
        let mut backward = Tally::new(2);
        for &s in shares.iter().rev() {
            backward.add(s);
        }
        // Remove half and put it back, moving some satisfaction and spend
        // on the way.
        for &s in shares.iter().step_by(2) {
            backward.remove(s);
        }
        for &s in shares.iter().step_by(2).rev() {
            backward.add(Share {
                sat: 0.25,
                spend: 7.0,
                ..s
            });
            // Moving an inactive customer's satisfaction changes nothing.
            let active = Lifecycle::from_u8(s.state).is_active_customer();
            backward.satisfaction_moves(active, s.part, 0.25, s.sat);
            if active {
                backward.spend_moves(s.part, s.group, 7.0, s.spend);
            }
        }
        assert_eq!(forward, backward);
        let p = Part::NewCustomer.index();
        let active: Vec<&Share> = shares
            .iter()
            .filter(|s| Lifecycle::from_u8(s.state).is_active_customer())
            .collect();
        assert_eq!(forward.active(p) as usize, active.len());
        assert_eq!(forward.segment_customers[1] as usize, active.len());
        let mean = active.iter().map(|s| f64::from(s.sat)).sum::<f64>() / active.len() as f64;
        assert!((forward.satisfaction(p) - mean).abs() < 1e-9);
        let revenue: f64 = active.iter().map(|s| f64::from(s.spend)).sum();
        assert!((forward.revenue(p) - revenue).abs() < 1e-6 * revenue);
        assert_eq!(forward.revenue(p), forward.segment_revenue(1));
        assert!(Tally::new(2).satisfaction(p).is_nan());
    }
}
