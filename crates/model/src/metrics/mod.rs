//! What a step reports: the numbers a workshop watches, and how they become
//! tidy rows.
//!
//! Every step yields a [`StepReport`]; [`StepReport::rows`] flattens it into
//! `(metric, part, value)` rows for CSV, charts and statistics. `part` is
//! `all`, one of the four part labels, a lifecycle label for the funnel
//! counts, or a department's name for its E-I index. Metrics with no
//! observation in a step (a mean over nothing) produce no row rather than
//! a NaN.

mod catalogue;
pub mod headline;

use crate::agent::{Lifecycle, Part};
use crate::flow::FlowEvent;
use crate::knob::Knob;
use crate::silo_index::ei_index;
pub use catalogue::{METRICS, Metric, label, metric, short_label};

/// Running totals since step 0.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Totals {
    /// Needs raised.
    pub needs_raised: u64,
    /// Needs that reached Product.
    pub needs_reached: u64,
    /// Loops closed.
    pub loops_closed: u64,
    /// Acquisitions by word of mouth.
    pub acquisitions_word_of_mouth: u64,
    /// Acquisitions by campaign.
    pub acquisitions_campaign: u64,
    /// Churn events.
    pub churn: u64,
    /// Returns.
    pub returns: u64,
    /// Staff flows within departments.
    pub flows_internal: u64,
    /// Staff flows across departments.
    pub flows_external: u64,
    /// All cost.
    pub cost: f64,
    /// All self-service savings.
    pub savings: f64,
    /// All revenue.
    pub revenue: f64,
    /// Net present value of profit: each step's revenue − cost discounted
    /// by `(1 + model.discount_rate)^(step + 1)`.
    pub npv: f64,
    /// Customers lost to the competitor.
    pub lost_to_competitor: u64,
    /// Newcomers who took a leaver's place.
    pub arrivals: u64,
    /// Contacts that expired waiting for staff time.
    pub contacts_expired: u64,
    /// Per group: customers lost — churn (the competitor included) and
    /// active customers who left the market — for each segment's retention.
    pub segment_churn: Vec<u64>,
    /// Per group: active customers summed over steps, for each segment's
    /// retention.
    pub segment_customer_steps: Vec<u64>,
}

impl Totals {
    /// Profit since step 0: revenue − cost.
    pub fn profit(&self) -> f64 {
        self.revenue - self.cost
    }
}

/// A department's staff flows since step 0: shares that crossed a silo
/// wall and shares inside the department, for its E-I index.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DepartmentFlows {
    /// Shares across a wall (counted for both departments).
    pub external: u64,
    /// Shares inside the department.
    pub internal: u64,
}

/// Everything one step measured.
#[derive(Clone, Debug, Default)]
pub struct StepReport {
    /// The step that was just computed (0-based).
    pub step: u32,
    /// Mean trust per `(from part, to part)` pair, index `from * 4 + to`
    /// (NaN where there are no such ties).
    pub trust_pair: [f64; 16],
    /// Mean trust from each part.
    pub trust_from: [f64; 4],
    /// Mean trust toward each part.
    pub trust_toward: [f64; 4],
    /// Mean trust from customer parts to the organisation.
    pub customer_trust_in_org: f64,
    /// Mean trust on silo walls.
    pub trust_across_silos: f64,
    /// Mean satisfaction of active customers per part (NaN if none).
    pub satisfaction: [f64; 4],
    /// Agents per lifecycle state per part.
    pub lifecycle: [[u32; 7]; 4],
    /// Acquisitions this step by word of mouth.
    pub acquisitions_word_of_mouth: u32,
    /// Acquisitions this step by campaign.
    pub acquisitions_campaign: u32,
    /// Churn events this step.
    pub churn: u32,
    /// Returns this step.
    pub returns: u32,
    /// Needs raised this step.
    pub needs_raised: u32,
    /// Needs reaching Product this step.
    pub needs_reached: u32,
    /// Sum of their latencies.
    pub need_latency_sum: u64,
    /// Needs blocked at walls.
    pub needs_blocked: u32,
    /// Needs dropped (no route, too many hops).
    pub needs_dropped: u32,
    /// Answers delivered.
    pub loops_closed: u32,
    /// Sum of their loop times.
    pub loop_time_sum: u64,
    /// Offering updates.
    pub offering_changes: u32,
    /// Staff flows within departments.
    pub flows_internal: u32,
    /// Staff flows across departments.
    pub flows_external: u32,
    /// Flows blocked at walls.
    pub flows_blocked: u32,
    /// Cumulative flows of each department, by group index (zero for
    /// non-departments).
    pub department_flows: Vec<DepartmentFlows>,
    /// Names of the groups, for department rows (shared between reports).
    pub group_names: std::sync::Arc<[String]>,
    /// Peer help given.
    pub peer_help: u32,
    /// Pushes.
    pub pushes: u32,
    /// Cross-sell offers.
    pub cross_sells: u32,
    /// Inconsistent answers.
    pub inconsistent_answers: u32,
    /// Staff cost.
    pub cost_staff: f64,
    /// Self-service cost.
    pub cost_self_service: f64,
    /// Self-service savings.
    pub savings_self_service: f64,
    /// Campaign spend.
    pub cost_campaign: f64,
    /// Push cost.
    pub cost_push: f64,
    /// Items in flight after the step.
    pub items_in_flight: u32,
    /// Revenue this step by part (the spend of active customers).
    pub revenue: [f64; 4],
    /// Revenue this step by group (zero for staff and partners).
    pub segment_revenue: Vec<f64>,
    /// Active customers at the end of this step by group.
    pub segment_customers: Vec<u32>,
    /// Customers lost this step by group: churn (the competitor included)
    /// and active customers who left the market.
    pub segment_churn: Vec<u32>,
    /// The part of each group (shared between reports).
    pub group_parts: std::sync::Arc<[Part]>,
    /// Running cost of openness this step: extranet, community and the
    /// rewards paid to customers who help peers.
    pub cost_openness: f64,
    /// Whether the run has the trade-offs (`model.trade_offs`): staff
    /// capacity, the market's turnover and the competitor. Their metrics
    /// have rows only then.
    pub trade_offs: bool,
    /// Contacts waiting for staff time at the end of the step.
    pub queue_length: u32,
    /// Contacts staff answered this step.
    pub contacts_served: u32,
    /// Steps those contacts waited, summed.
    pub wait_sum: u64,
    /// Contacts that expired unanswered this step.
    pub contacts_expired: u32,
    /// Staff time available this step (staff and partners).
    pub staff_time: f64,
    /// Staff time used this step.
    pub staff_time_used: f64,
    /// Customers lost to the competitor this step.
    pub lost_to_competitor: u32,
    /// Newcomers this step.
    pub arrivals: u32,
    /// The discount rate per step (`model.discount_rate`), for lifetime
    /// values.
    pub discount_rate: f64,
    /// Knobs changed at the start of this step (interventions, policy
    /// switches, live changes), for marking chart time axes.
    pub knob_changes: Vec<(Knob, f32)>,
    /// Items that moved this step, when recording is on.
    pub flows: Vec<FlowEvent>,
    /// Totals since step 0, including this step.
    pub totals: Totals,
}

fn mean(sum: u64, n: u32) -> Option<f64> {
    (n > 0).then(|| sum as f64 / f64::from(n))
}

fn share(a: u64, b: u64) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

impl StepReport {
    /// Every row of this step, in [`METRICS`] order: `emit(metric, part,
    /// value)`.
    pub fn rows(&self, mut emit: impl FnMut(&'static str, &str, f64)) {
        let mut opt = |m: &'static str, p: &str, v: Option<f64>| {
            if let Some(v) = v.filter(|v| v.is_finite()) {
                emit(m, p, v);
            }
        };
        for part in Part::ALL {
            opt(
                "trust_from",
                part.label(),
                Some(self.trust_from[part.index()]),
            );
        }
        for part in Part::ALL {
            opt(
                "trust_toward",
                part.label(),
                Some(self.trust_toward[part.index()]),
            );
        }
        opt(
            "customer_trust_in_org",
            "all",
            Some(self.customer_trust_in_org),
        );
        opt("trust_across_silos", "all", Some(self.trust_across_silos));
        let customer_parts = [Part::ExistingCustomer, Part::NewCustomer];
        for part in customer_parts {
            opt(
                "satisfaction",
                part.label(),
                Some(self.satisfaction[part.index()]),
            );
        }
        for part in customer_parts {
            let l = &self.lifecycle[part.index()];
            let active = l[Lifecycle::Customer as usize] + l[Lifecycle::Advocate as usize];
            opt("customers", part.label(), Some(f64::from(active)));
        }
        for part in customer_parts {
            let v = self.lifecycle[part.index()][Lifecycle::Advocate as usize];
            opt("advocates", part.label(), Some(f64::from(v)));
        }
        for part in customer_parts {
            let v = self.lifecycle[part.index()][Lifecycle::Churned as usize];
            opt("churned", part.label(), Some(f64::from(v)));
        }
        for state in Lifecycle::ALL {
            let n: u32 = customer_parts
                .iter()
                .map(|p| self.lifecycle[p.index()][state as usize])
                .sum();
            opt("lifecycle", state.label(), Some(f64::from(n)));
        }
        let count = |v: u32| Some(f64::from(v));
        opt(
            "acquisitions_word_of_mouth",
            "all",
            count(self.acquisitions_word_of_mouth),
        );
        opt(
            "acquisitions_campaign",
            "all",
            count(self.acquisitions_campaign),
        );
        opt(
            "acquisitions_word_of_mouth_total",
            "all",
            Some(self.totals.acquisitions_word_of_mouth as f64),
        );
        opt(
            "acquisitions_campaign_total",
            "all",
            Some(self.totals.acquisitions_campaign as f64),
        );
        opt("churn", "all", count(self.churn));
        opt("returns", "all", count(self.returns));
        opt("needs_raised", "all", count(self.needs_raised));
        opt("needs_reached_product", "all", count(self.needs_reached));
        opt(
            "need_latency",
            "all",
            mean(self.need_latency_sum, self.needs_reached),
        );
        opt("needs_blocked", "all", count(self.needs_blocked));
        opt("needs_dropped", "all", count(self.needs_dropped));
        let t = &self.totals;
        opt(
            "need_reach_share",
            "all",
            share(t.needs_reached, t.needs_raised),
        );
        opt("loop_closed", "all", count(self.loops_closed));
        opt(
            "loop_time",
            "all",
            mean(self.loop_time_sum, self.loops_closed),
        );
        opt(
            "loop_closure_share",
            "all",
            share(t.loops_closed, t.needs_raised),
        );
        opt("offering_changes", "all", count(self.offering_changes));
        opt(
            "flows_within_departments",
            "all",
            count(self.flows_internal),
        );
        opt(
            "flows_across_departments",
            "all",
            count(self.flows_external),
        );
        opt("flows_blocked", "all", count(self.flows_blocked));
        opt(
            "ei_index_flow",
            "all",
            ei_index(
                f64::from(self.flows_external),
                f64::from(self.flows_internal),
            ),
        );
        opt(
            "ei_index_flow_cumulative",
            "all",
            ei_index(t.flows_external as f64, t.flows_internal as f64),
        );
        for (name, f) in self.group_names.iter().zip(&self.department_flows) {
            if f.external + f.internal > 0 {
                let ei = ei_index(f.external as f64, f.internal as f64);
                opt("ei_index_department", name, ei);
            }
        }
        opt("peer_help", "all", count(self.peer_help));
        opt("pushes", "all", count(self.pushes));
        opt("cross_sells", "all", count(self.cross_sells));
        opt(
            "inconsistent_answers",
            "all",
            count(self.inconsistent_answers),
        );
        opt("cost_staff", "all", Some(self.cost_staff));
        opt("cost_self_service", "all", Some(self.cost_self_service));
        opt(
            "savings_self_service",
            "all",
            Some(self.savings_self_service),
        );
        opt("cost_campaign", "all", Some(self.cost_campaign));
        opt("cost_push", "all", Some(self.cost_push));
        opt("cost_total", "all", Some(self.cost_total()));
        opt("items_in_flight", "all", count(self.items_in_flight));
        self.economy_rows(&mut opt);
    }

    /// The rows of revenue, profit and value, then of capacity and the
    /// market (those only with the trade-offs).
    fn economy_rows(&self, opt: &mut impl FnMut(&'static str, &str, Option<f64>)) {
        let t = &self.totals;
        opt("revenue", "all", Some(self.revenue_total()));
        for part in [Part::ExistingCustomer, Part::NewCustomer] {
            opt("revenue", part.label(), Some(self.revenue[part.index()]));
        }
        for (g, name) in self.group_names.iter().enumerate() {
            if self.group_parts.get(g).is_some_and(|p| p.is_customer()) {
                opt(
                    "revenue_segment",
                    name,
                    self.segment_revenue.get(g).copied(),
                );
            }
        }
        opt("revenue_total", "all", Some(t.revenue));
        let active = self.active_customers();
        opt(
            "revenue_per_customer",
            "all",
            (active > 0).then(|| self.revenue_total() / f64::from(active)),
        );
        opt("cost_openness", "all", Some(self.cost_openness));
        opt("cost_cumulative", "all", Some(t.cost));
        opt("profit", "all", Some(self.profit()));
        opt("profit_total", "all", Some(t.profit()));
        opt("npv", "all", Some(t.npv));
        for (g, name) in self.group_names.iter().enumerate() {
            if self.group_parts.get(g).is_some_and(|p| p.is_customer()) {
                opt("clv", name, self.lifetime_value(g));
            }
        }
        if !self.trade_offs {
            return;
        }
        let count = |v: u32| Some(f64::from(v));
        opt("queue_length", "all", count(self.queue_length));
        opt(
            "waiting_time",
            "all",
            mean(self.wait_sum, self.contacts_served),
        );
        opt("contacts_expired", "all", count(self.contacts_expired));
        opt("staff_utilisation", "all", self.staff_utilisation());
        opt("lost_to_competitor", "all", count(self.lost_to_competitor));
        opt("arrivals", "all", count(self.arrivals));
    }

    /// All costs this step.
    pub fn cost_total(&self) -> f64 {
        self.cost_staff
            + self.cost_self_service
            + self.cost_campaign
            + self.cost_push
            + self.cost_openness
    }

    /// The share of staff and partners' time used this step; `None` when
    /// they had none (without the trade-offs, or with no staff).
    pub fn staff_utilisation(&self) -> Option<f64> {
        (self.staff_time > 0.0).then(|| self.staff_time_used / self.staff_time)
    }

    /// All revenue this step.
    pub fn revenue_total(&self) -> f64 {
        self.revenue.iter().sum()
    }

    /// Revenue − cost this step.
    pub fn profit(&self) -> f64 {
        self.revenue_total() - self.cost_total()
    }

    /// Lifetime value of one customer of group `g`, from this step's
    /// revenue per customer `m` and the segment's retention per step `r`
    /// over the run so far (customers lost — churned, to the competitor or
    /// out of the market — per customer-step): `m · r / (1 + d − r)` with
    /// `d` the discount rate per step (Gupta and Lehmann's formula for a
    /// customer who pays at the end of each period they stay). `m` is
    /// revenue, not margin: the cost to serve is not split by segment, so
    /// this is lifetime *revenue*. `None` without customers.
    pub fn lifetime_value(&self, g: usize) -> Option<f64> {
        let customers = *self.segment_customers.get(g)?;
        let exposure = *self.totals.segment_customer_steps.get(g)?;
        if customers == 0 || exposure == 0 {
            return None;
        }
        let m = self.segment_revenue[g] / f64::from(customers);
        let churn = *self.totals.segment_churn.get(g)? as f64 / exposure as f64;
        let r = (1.0 - churn).clamp(0.0, 1.0);
        let d = self.discount_rate;
        let denominator = 1.0 + d - r;
        (denominator > 0.0).then(|| m * r / denominator)
    }

    /// Active customers in the customer parts.
    pub fn active_customers(&self) -> u32 {
        [Part::ExistingCustomer, Part::NewCustomer]
            .iter()
            .map(|p| {
                let l = &self.lifecycle[p.index()];
                l[Lifecycle::Customer as usize] + l[Lifecycle::Advocate as usize]
            })
            .sum()
    }

    /// Clear the per-step counts, keeping totals and buffers.
    pub(crate) fn reset(&mut self, step: u32) {
        let totals = std::mem::take(&mut self.totals);
        let mut flows = std::mem::take(&mut self.flows);
        let mut changes = std::mem::take(&mut self.knob_changes);
        let department_flows = std::mem::take(&mut self.department_flows);
        let group_names = std::mem::take(&mut self.group_names);
        let group_parts = std::mem::take(&mut self.group_parts);
        let mut segment_revenue = std::mem::take(&mut self.segment_revenue);
        let mut segment_customers = std::mem::take(&mut self.segment_customers);
        let mut segment_churn = std::mem::take(&mut self.segment_churn);
        segment_revenue.fill(0.0);
        segment_customers.fill(0);
        segment_churn.fill(0);
        flows.clear();
        changes.clear();
        *self = StepReport {
            step,
            totals,
            flows,
            knob_changes: changes,
            department_flows,
            group_names,
            group_parts,
            segment_revenue,
            segment_customers,
            segment_churn,
            trade_offs: self.trade_offs,
            discount_rate: self.discount_rate,
            ..StepReport::default()
        };
    }
}

#[cfg(test)]
mod tests;
