//! **What a workshop wants to see**: the step's report.
//!
//! **Models:** phase 6, after forgetting. Trust is averaged per pair of parts,
//! from and toward each part, customers toward the organisation, and across
//! silo walls; the customers per lifecycle state, their mean satisfaction
//! and the active customers' revenue by part and by segment are read from
//! the tally kept by changes (`sim/tally.rs`), so measuring costs nothing
//! per customer; each department's cumulative flows are copied for
//! the E-I index; the running cost of openness is paid
//! (`cost_of_openness.rs`); the step's counts are added to the run's
//! totals, and its profit, discounted, to the net present value.
//!
//! **Knobs:** none.
//!
//! **Feeds:** every metric: [`crate::metrics::StepReport`] and its
//! [`crate::metrics::Totals`]; the metric names and meanings are listed
//! once, in [`crate::metrics::METRICS`].
//!
//! **Leaves out:** per-agent histories (the workshop session keeps those).

use crate::agent::Part;
use crate::sim::Simulation;
use crate::trust::{TRUST_CLASSES, WALL_CLASS};

impl Simulation {
    /// Phase 6: fill the report from the state after forgetting; `sums` is
    /// the settled trust per trust class.
    pub(super) fn measure(&mut self, sums: &[f64; TRUST_CLASSES]) {
        // Walls have their own class; as a part pair they are
        // Department→Department ties like the internal ones.
        let dd = Part::Department.index() * 4 + Part::Department.index();
        let mut pair_sum = [0.0f64; 16];
        let mut pair_n = [0u64; 16];
        pair_sum.copy_from_slice(&sums[..16]);
        pair_n.copy_from_slice(&self.pair_count[..16]);
        pair_sum[dd] += sums[WALL_CLASS];
        pair_n[dd] += self.pair_count[WALL_CLASS];
        let r = &mut self.report;
        let ratio = |num: f64, den: u64| if den > 0 { num / den as f64 } else { f64::NAN };
        for i in 0..16 {
            r.trust_pair[i] = ratio(pair_sum[i], pair_n[i]);
        }
        for p in 0..4 {
            let from: f64 = (0..4).map(|q| pair_sum[p * 4 + q]).sum();
            let from_n: u64 = (0..4).map(|q| pair_n[p * 4 + q]).sum();
            r.trust_from[p] = ratio(from, from_n);
            let to: f64 = (0..4).map(|q| pair_sum[q * 4 + p]).sum();
            let to_n: u64 = (0..4).map(|q| pair_n[q * 4 + p]).sum();
            r.trust_toward[p] = ratio(to, to_n);
        }
        let org = [Part::Department.index(), Part::Partner.index()];
        let cust = [Part::ExistingCustomer.index(), Part::NewCustomer.index()];
        let (mut num, mut den) = (0.0, 0u64);
        for c in cust {
            for o in org {
                num += pair_sum[c * 4 + o];
                den += pair_n[c * 4 + o];
            }
        }
        r.customer_trust_in_org = ratio(num, den);
        r.trust_across_silos = ratio(sums[WALL_CLASS], self.pair_count[WALL_CLASS]);

        // The customers, from the tally kept by changes (`tally.rs`).
        let tally = &self.tally;
        r.lifecycle = tally.lifecycle;
        for p in 0..4 {
            r.satisfaction[p] = tally.satisfaction(p);
            r.revenue[p] = tally.revenue(p);
        }
        for (g, x) in r.segment_revenue.iter_mut().enumerate() {
            *x = tally.segment_revenue(g);
        }
        r.segment_customers.clone_from(&tally.segment_customers);
        r.department_flows.clone_from(&self.department_flows);
        r.items_in_flight = (self.queue.len() + self.backlogs.len()) as u32;
        r.queue_length = self.waiting.len() as u32;
        let active = r.active_customers();
        self.pay_for_openness(active);

        let r = &mut self.report;
        let cost = r.cost_total();
        let revenue = r.revenue_total();
        let discount = f64::from(1.0 + self.params.discount_rate).powf(f64::from(r.step) + 1.0);
        let t = &mut r.totals;
        t.revenue += revenue;
        t.npv += (revenue - cost) / discount;
        t.lost_to_competitor += u64::from(r.lost_to_competitor);
        t.arrivals += u64::from(r.arrivals);
        t.contacts_expired += u64::from(r.contacts_expired);
        for (total, &n) in t.segment_churn.iter_mut().zip(&r.segment_churn) {
            *total += u64::from(n);
        }
        for (total, &n) in t
            .segment_customer_steps
            .iter_mut()
            .zip(&r.segment_customers)
        {
            *total += u64::from(n);
        }
        t.needs_raised += u64::from(r.needs_raised);
        t.needs_reached += u64::from(r.needs_reached);
        t.loops_closed += u64::from(r.loops_closed);
        t.acquisitions_word_of_mouth += u64::from(r.acquisitions_word_of_mouth);
        t.acquisitions_campaign += u64::from(r.acquisitions_campaign);
        t.churn += u64::from(r.churn);
        t.returns += u64::from(r.returns);
        t.flows_internal += u64::from(r.flows_internal);
        t.flows_external += u64::from(r.flows_external);
        t.cost += cost;
        t.savings += r.savings_self_service;
    }
}
