//! **"Single view of the customer" is done for cross-sell, for revenue per
//! user** (seed 002), and customers pay for what they get: revenue.
//!
//! **Models:** each customer segment declares its ARPU (`arpu`: revenue per
//! active customer per step). A customer who becomes active — converts,
//! returns, or starts as one — spends their segment's ARPU each step. A
//! cross-sell offer or a marketing push that fits their needs
//! (`push_and_cross_sell.rs`) raises their spend by
//! `model.wallet_uplift · ARPU`, up to `model.wallet_max · ARPU` (share of
//! wallet); one that does not fit earns nothing and costs trust. Churn,
//! leaving for the competitor or leaving the market ends the spend; a
//! return restarts it at the ARPU (the share of wallet won before is
//! lost). Each step's revenue is the sum of active customers' spend
//! (`measure.rs`), by part and by segment.
//!
//! **Knobs:** `cross_sell_pressure`, `marketing_push` (through offers and
//! pushes that fit). Assumptions: each segment's `arpu` (times
//! `model.arpu_scale`), `model.wallet_uplift`, `model.wallet_max`,
//! `model.discount_rate` (for the value of a customer and of the run).
//!
//! **Feeds:** `revenue`, `revenue_segment`, `revenue_total`,
//! `revenue_per_customer`, `profit`, `profit_total`, `npv`, `clv`.
//!
//! **Leaves out:** prices and discounts; revenue from partners; payment
//! terms (revenue counts in the step it is earned). Revenue is bookkeeping:
//! it changes no other agent's behaviour, so a run's dynamics are the same
//! whatever the ARPU.

use crate::agent::Lifecycle;
use crate::sim::Simulation;

impl Simulation {
    /// An offer or a push that fits customer `c` raises their spend by
    /// `model.wallet_uplift · ARPU`, up to `model.wallet_max · ARPU`.
    pub(super) fn upsell(&mut self, c: u32) {
        let ci = c as usize;
        let g = self.net.group[ci];
        let arpu = self.group_arpu[g as usize];
        let most = self.params.wallet_max * arpu;
        let spend = (self.spend[ci] + self.params.wallet_uplift * arpu).min(most);
        if self.active.contains(c) {
            self.tally
                .spend_moves(self.net.part[ci], g, self.spend[ci], spend);
        }
        self.spend[ci] = spend;
    }

    /// Phase 5, in the lifecycle switch (which keeps the tally): customer
    /// `a`, if it becomes active, starts spending its segment's ARPU; if it
    /// stops being active, it stops spending.
    pub(super) fn settle_spend(&mut self, a: usize) {
        let (was, is) = (
            Lifecycle::from_u8(self.state[a]).is_active_customer(),
            Lifecycle::from_u8(self.next_state[a]).is_active_customer(),
        );
        if is && !was {
            self.spend[a] = self.group_arpu[self.net.group[a] as usize];
        } else if was && !is {
            self.spend[a] = 0.0;
        }
    }
}
