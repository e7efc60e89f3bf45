//! Every metric's name, labels and meaning: the one list the outputs, the
//! CLI summary, the app's charts and experiment files all take them from.

/// A metric: its name in the outputs, its labels for people and what it
/// means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Metric {
    /// The name in time series, summaries and experiment files.
    pub name: &'static str,
    /// A label for people that stands on its own (tables, the CLI
    /// summary).
    pub label: &'static str,
    /// The shortest label, where a chart's title or a table's heading says
    /// the rest (chart legends, the A/B table).
    pub short: &'static str,
    /// What it measures.
    pub meaning: &'static str,
}

/// Every metric, in the order rows are written: the one place that names
/// and explains them.
pub const METRICS: &[Metric] = &[
    Metric {
        name: "trust_from",
        label: "trust from the part",
        short: "trust from",
        meaning: "mean trust on ties from agents of the part (how much the part trusts others)",
    },
    Metric {
        name: "trust_toward",
        label: "trust toward the part",
        short: "trust toward",
        meaning: "mean trust on ties toward agents of the part (how much others trust the part)",
    },
    Metric {
        name: "customer_trust_in_org",
        label: "customer trust in the organisation",
        short: "customer trust",
        meaning: "mean trust on ties from customers and prospects to staff and partners",
    },
    Metric {
        name: "trust_across_silos",
        label: "trust across silo walls",
        short: "trust across walls",
        meaning: "mean trust on ties between staff of different departments",
    },
    Metric {
        name: "satisfaction",
        label: "satisfaction",
        short: "satisfaction",
        meaning: "mean satisfaction of active customers of the part",
    },
    Metric {
        name: "customers",
        label: "active customers",
        short: "active customers",
        meaning: "active customers (customer or advocate) of the part",
    },
    Metric {
        name: "advocates",
        label: "advocates",
        short: "advocates",
        meaning: "advocates of the part",
    },
    Metric {
        name: "churned",
        label: "churned",
        short: "churned",
        meaning: "churned former customers of the part",
    },
    Metric {
        name: "lifecycle",
        label: "customers by lifecycle state",
        short: "lifecycle",
        meaning: "agents of the customer parts in each lifecycle state (part = state)",
    },
    Metric {
        name: "acquisitions_word_of_mouth",
        label: "acquired by word of mouth",
        short: "word of mouth",
        meaning: "prospects converted this step who first heard through a peer",
    },
    Metric {
        name: "acquisitions_campaign",
        label: "acquired by campaign",
        short: "campaign",
        meaning: "prospects converted this step who first heard through a campaign or push",
    },
    Metric {
        name: "acquisitions_word_of_mouth_total",
        label: "acquired by word of mouth, so far",
        short: "word of mouth",
        meaning: "acquisitions by word of mouth since step 0",
    },
    Metric {
        name: "acquisitions_campaign_total",
        label: "acquired by campaign, so far",
        short: "campaign",
        meaning: "acquisitions by campaign since step 0",
    },
    Metric {
        name: "churn",
        label: "churn",
        short: "churn",
        meaning: "customers who churned this step",
    },
    Metric {
        name: "returns",
        label: "returns",
        short: "returns",
        meaning: "churned customers who came back this step",
    },
    Metric {
        name: "needs_raised",
        label: "needs raised",
        short: "needs raised",
        meaning: "customer needs passed on toward Product this step",
    },
    Metric {
        name: "needs_reached_product",
        label: "needs that reached Product",
        short: "reached Product",
        meaning: "needs that reached Product this step",
    },
    Metric {
        name: "need_latency",
        label: "steps for a need to reach Product",
        short: "need latency",
        meaning: "mean steps from raising to reaching Product, of those that reached it this step",
    },
    Metric {
        name: "needs_blocked",
        label: "needs stopped at a wall",
        short: "blocked at walls",
        meaning: "needs stopped at a silo wall this step",
    },
    Metric {
        name: "needs_dropped",
        label: "needs dropped",
        short: "needs dropped",
        meaning: "needs dropped for lack of a route or of time this step",
    },
    Metric {
        name: "need_reach_share",
        label: "needs reaching Product (share)",
        short: "reached Product",
        meaning: "share of all needs raised so far that reached Product",
    },
    Metric {
        name: "loop_closed",
        label: "loops closed",
        short: "loops closed",
        meaning: "answers that reached the customer this step (feedback loop closed)",
    },
    Metric {
        name: "loop_time",
        label: "steps to close a loop",
        short: "loop time",
        meaning: "mean steps from raising a need to the customer hearing back, this step",
    },
    Metric {
        name: "loop_closure_share",
        label: "loops closed (share)",
        short: "loop closure",
        meaning: "share of all needs raised so far whose loop closed",
    },
    Metric {
        name: "offering_changes",
        label: "changes to the offering",
        short: "offering changes",
        meaning: "needs and tracked intelligence that changed the offering this step",
    },
    Metric {
        name: "flows_within_departments",
        label: "shares inside departments",
        short: "inside",
        meaning: "items shared between staff of the same department this step",
    },
    Metric {
        name: "flows_across_departments",
        label: "shares across silo walls",
        short: "across walls",
        meaning: "items that crossed a silo wall this step",
    },
    Metric {
        name: "flows_blocked",
        label: "shares stopped at a wall",
        short: "blocked",
        meaning: "items a silo wall stopped this step",
    },
    Metric {
        name: "ei_index_flow",
        label: "silo E-I index",
        short: "E-I",
        meaning: "E-I index of staff information flow this step (-1 all inside, +1 all across)",
    },
    Metric {
        name: "ei_index_flow_cumulative",
        label: "silo E-I index, so far",
        short: "E-I so far",
        meaning: "E-I index of all staff information flow so far",
    },
    Metric {
        name: "ei_index_department",
        label: "E-I index of a department",
        short: "E-I",
        meaning: "cumulative E-I index of one department's flows (part = department)",
    },
    Metric {
        name: "peer_help",
        label: "customers helped by a peer",
        short: "peer help",
        meaning: "customers helped by a peer this step",
    },
    Metric {
        name: "pushes",
        label: "marketing pushes",
        short: "marketing pushes",
        meaning: "marketing pushes this step",
    },
    Metric {
        name: "cross_sells",
        label: "cross-sell offers",
        short: "cross-sell offers",
        meaning: "cross-sell offers this step",
    },
    Metric {
        name: "inconsistent_answers",
        label: "contradicting answers",
        short: "contradictions",
        meaning: "contacts where the channel contradicted another channel this step",
    },
    Metric {
        name: "cost_staff",
        label: "staff effort",
        short: "staff effort",
        meaning: "staff effort this step (contacts and need handling); with model.trade_offs, the staff time paid for, whether used or not",
    },
    Metric {
        name: "cost_self_service",
        label: "self-service cost",
        short: "self-service cost",
        meaning: "self-service running cost this step",
    },
    Metric {
        name: "savings_self_service",
        label: "self-service savings",
        short: "self-service savings",
        meaning: "staff effort saved by self-service this step (with model.trade_offs, staff time freed for other work, in cost units)",
    },
    Metric {
        name: "cost_campaign",
        label: "campaign spend",
        short: "campaign spend",
        meaning: "campaign spend this step",
    },
    Metric {
        name: "cost_push",
        label: "push and offer cost",
        short: "push and offer cost",
        meaning: "push and offer cost this step",
    },
    Metric {
        name: "cost_total",
        label: "total cost",
        short: "total cost",
        meaning: "all costs this step",
    },
    Metric {
        name: "items_in_flight",
        label: "items in flight",
        short: "items in flight",
        meaning: "needs and answers travelling at the end of the step",
    },
    Metric {
        name: "revenue",
        label: "revenue",
        short: "revenue",
        meaning: "revenue this step: what active customers spend (their segment's ARPU, raised by offers and pushes that fit), all and by part",
    },
    Metric {
        name: "revenue_segment",
        label: "revenue by segment",
        short: "revenue",
        meaning: "revenue this step from the customers of one segment (part = the segment's name)",
    },
    Metric {
        name: "revenue_total",
        label: "revenue since the start",
        short: "revenue so far",
        meaning: "revenue since step 0",
    },
    Metric {
        name: "revenue_per_customer",
        label: "revenue per active customer",
        short: "revenue per customer",
        meaning: "revenue this step divided by the active customers",
    },
    Metric {
        name: "cost_openness",
        label: "cost of openness",
        short: "openness cost",
        meaning: "running cost of the extranet and the community this step, and the rewards paid to customers who helped peers",
    },
    Metric {
        name: "cost_cumulative",
        label: "cost since the start",
        short: "cost so far",
        meaning: "all costs since step 0",
    },
    Metric {
        name: "profit",
        label: "profit",
        short: "profit",
        meaning: "revenue − all costs this step",
    },
    Metric {
        name: "profit_total",
        label: "profit since the start",
        short: "profit so far",
        meaning: "revenue − all costs since step 0",
    },
    Metric {
        name: "npv",
        label: "net present value of profit",
        short: "NPV",
        meaning: "profit since step 0, each step's discounted at model.discount_rate per step",
    },
    Metric {
        name: "clv",
        label: "customer lifetime value",
        short: "lifetime value",
        meaning: "lifetime revenue of one customer of the segment (part = the segment's name): revenue per customer m and retention per step r so far (customers lost per customer-step) give m·r/(1 + d − r), d the discount rate; costs are not split by segment",
    },
    Metric {
        name: "queue_length",
        label: "contacts waiting",
        short: "contacts waiting",
        meaning: "contacts waiting for staff time at the end of the step (with model.trade_offs)",
    },
    Metric {
        name: "waiting_time",
        label: "waiting time",
        short: "waiting time",
        meaning: "mean steps waited by the contacts staff answered this step (0 = answered at once; with model.trade_offs)",
    },
    Metric {
        name: "contacts_expired",
        label: "contacts expired",
        short: "expired",
        meaning: "contacts that waited model.max_wait steps without staff time and were dropped unanswered this step (with model.trade_offs)",
    },
    Metric {
        name: "staff_utilisation",
        label: "staff utilisation",
        short: "utilisation",
        meaning: "share of staff and partners' time used this step (with model.trade_offs)",
    },
    Metric {
        name: "lost_to_competitor",
        label: "lost to the competitor",
        short: "lost to competitor",
        meaning: "customers who left for the competitor this step, counted in churn too (with model.trade_offs)",
    },
    Metric {
        name: "arrivals",
        label: "newcomers",
        short: "newcomers",
        meaning: "members of customer groups replaced by an unaware newcomer this step (market turnover, with model.trade_offs)",
    },
];

/// The metric called `name`, if there is one.
pub fn metric(name: &str) -> Option<&'static Metric> {
    METRICS.iter().find(|m| m.name == name)
}

/// The label of the metric called `name` (the name itself if there is no
/// such metric).
pub fn label(name: &str) -> &str {
    metric(name).map_or(name, |m| m.label)
}

/// The short label of the metric called `name` (the name itself if there
/// is no such metric).
pub fn short_label(name: &str) -> &str {
    metric(name).map_or(name, |m| m.short)
}
