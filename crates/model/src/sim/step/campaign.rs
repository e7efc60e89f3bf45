//! **Campaigns** (seed 003, against word of mouth in `word_of_mouth.rs`):
//! who a campaign reaches, and what it costs.
//!
//! **Models:** each step every unaware prospect is reached with
//! probability `reach = min(1, campaign_reach + running campaigns)` (the
//! knob, and the campaigns scheduled or started live,
//! `interventions.rs`); the campaign pays `model.cost_campaign_contact`
//! times `reach` for every unaware prospect.
//!
//! **Cost:** the prospects reached are found by geometric skips, one draw
//! per member landed on, so a campaign costs what it reaches.
//!
//! **Knob:** `campaign_reach`. Assumption: `model.cost_campaign_contact`.
//!
//! **Feeds:** `cost_campaign`, `acquisitions_campaign` (through
//! `word_of_mouth.rs`).
//!
//! **Leaves out:** targeting: a campaign reaches every prospect alike.

use crate::agent::Lifecycle;
use crate::knob::Knob;
use crate::rng::Skips;
use crate::sim::Simulation;

impl Simulation {
    /// This step's campaign reach: the knob and the running campaigns, at
    /// most 1.
    pub(super) fn campaign_reach(&self) -> f32 {
        let reach = self.knobs.get(Knob::CampaignReach)
            + self.campaigns.iter().map(|c| c.reach).sum::<f32>();
        reach.min(1.0)
    }

    /// Phase 4, first: the unaware prospects this step's campaign reaches,
    /// each independently with chance `reach`, and what that costs
    /// (`model.cost_campaign_contact` × reach for every unaware prospect).
    ///
    /// The prospects reached are found by skipping over the customer
    /// groups' members by geometric draws (Batagelj & Brandes 2005, as the
    /// graph generators do): one draw per member landed on instead of one
    /// per prospect, so a campaign costs what it reaches. A member landed
    /// on who is not unaware is passed over, which is the same as drawing
    /// for every member and ignoring those who are not prospects.
    pub(super) fn reach_by_campaign(&mut self) {
        let reach = self.reach;
        if reach <= 0.0 {
            return;
        }
        let members: u32 = self.part_customers.iter().sum();
        let awake: u32 = (0..self.awake.words())
            .map(|w| self.awake.word(w).count_ones())
            .sum();
        self.report.cost_campaign +=
            f64::from(reach * self.params.cost_campaign_contact) * f64::from(members - awake);
        for g in 0..self.scenario.groups.len() {
            let group = &self.scenario.groups[g];
            if !group.part.is_customer() {
                continue;
            }
            let mut hits = Skips::new(group.first..group.first + group.size, reach);
            while let Some(a) = hits.next(&mut self.rng) {
                if self.state[a as usize] == Lifecycle::Unaware as u8 {
                    self.reached.set(a, true);
                }
            }
        }
    }
}
