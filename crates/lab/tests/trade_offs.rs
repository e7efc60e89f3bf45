//! The trade-offs (`model.trade_offs`): revenue, staff capacity, the market
//! and the cost of openness each do what `docs/model.md` says, and without
//! them the model is the one before them.

use siloscope_model::agent::Part;
use siloscope_model::knob::Knob;
use siloscope_model::sim::{RunOptions, Simulation};
use siloscope_scenario::parse_str;

/// A small organisation like the mechanism tests' one, with revenue per
/// segment, prospects that turn over, and `model` as given.
fn small(model: &str) -> Simulation {
    let src = format!(
        r#"Scenario(
    name: "trade-offs",
    seed: 11,
    steps: 60,
    model: ({model}),
    groups: [
        (name: "Product", part: Department, role: Product, count: 6, ties: Complete),
        (name: "Support", part: Department, role: Support, count: 8, ties: Complete),
        (name: "Marketing", part: Department, role: Marketing, count: 5, ties: Complete),
        (name: "Sales", part: Department, role: Sales, count: 5, ties: Complete, capacity: 4.0),
        (name: "Resellers", part: Partner, count: 4, ties: Complete),
        (name: "Customers", part: ExistingCustomer, count: 80, ties: Random(density: 0.08),
         needs: [0.8, 0.2, 0.6, 0.4], need_spread: 0.2, arpu: 3.0),
        (name: "Prospects", part: NewCustomer, count: 80, ties: Random(density: 0.02),
         arpu: 1.5, arrivals: 0.01),
    ],
    links: [
        (from: "Support", to: "Product", ties: Density(0.3)),
        (from: "Marketing", to: "Product", ties: Density(0.3)),
        (from: "Sales", to: "Support", ties: Density(0.3)),
        (from: "Resellers", to: "Sales", ties: Density(0.5)),
        (from: "Customers", to: "Support", ties: PerMember(1), channel: Support),
        (from: "Customers", to: "Sales", ties: PerMember(1), channel: Sales),
        (from: "Customers", to: "Resellers", ties: PerMember(1)),
        (from: "Customers", to: "Marketing", ties: PerMember(1), channel: App),
        (from: "Prospects", to: "Marketing", ties: PerMember(1), channel: App),
        (from: "Prospects", to: "Customers", ties: PerMember(3)),
    ],
)"#
    );
    let sc = parse_str(&src, "trade-offs.scenario.ron").unwrap_or_else(|e| panic!("{e}"));
    Simulation::new(&sc, RunOptions::default()).unwrap()
}

fn set(sim: &mut Simulation, knobs: &[(Knob, f32)]) {
    for &(k, v) in knobs {
        sim.set_knob(k, v).unwrap();
    }
}

fn customers_of(sim: &Simulation) -> Vec<u32> {
    let net = sim.network();
    (0..net.agents() as u32)
        .filter(|&a| net.part[a as usize].is_customer())
        .collect()
}

#[test]
fn revenue_is_the_sum_of_active_customers_spend_and_closes_over_the_run() {
    let mut sim = small("trade_offs: true");
    set(&mut sim, &[(Knob::CrossSellPressure, 0.8)]);
    let customers = customers_of(&sim);
    let mut summed = 0.0;
    for _ in 0..60 {
        let report = sim.step().clone();
        let mut by_part = [0.0f64; 4];
        for &a in &customers {
            if sim.lifecycle(a).is_some_and(|l| l.is_active_customer()) {
                by_part[sim.network().part[a as usize].index()] += f64::from(sim.spend(a));
            } else {
                assert_eq!(
                    sim.spend(a),
                    0.0,
                    "agent {a} spends without being a customer"
                );
            }
        }
        assert_eq!(report.revenue, by_part, "step {}", report.step);
        let segments: f64 = report.segment_revenue.iter().sum();
        assert!((segments - report.revenue_total()).abs() < 1e-9);
        summed += report.revenue_total();
        assert!((report.totals.revenue - summed).abs() < 1e-6);
        let profit = report.revenue_total() - report.cost_total();
        assert!((report.profit() - profit).abs() < 1e-12);
    }
    assert!(summed > 60.0 * 80.0, "customers paid: {summed}");
    // Net present value discounts: below the undiscounted profit when
    // profit is positive.
    let t = sim.totals();
    assert!(t.profit() > 0.0 && t.npv < t.profit() && t.npv > 0.9 * t.profit());
}

#[test]
fn a_fitting_cross_sell_raises_spend_and_a_poor_one_does_not() {
    let offers = [(Knob::CrossSellPressure, 1.0), (Knob::MarketingPush, 0.0)];
    // Every offer fits (push_match 0): spend climbs to the wallet's limit.
    let mut fits = small("trade_offs: true, push_match: 0.0, wallet_uplift: 0.2, wallet_max: 2.0");
    set(&mut fits, &offers);
    // No offer fits (push_match 1 needs a perfect match): spend stays at
    // the ARPU, and trust suffers.
    let mut misses =
        small("trade_offs: true, push_match: 1.0, wallet_uplift: 0.2, wallet_max: 2.0");
    set(&mut misses, &offers);
    fits.run(40, |_| {});
    misses.run(40, |_| {});
    assert!(fits.totals().revenue > misses.totals().revenue * 1.1);
    let customers = customers_of(&fits);
    let upsold = customers
        .iter()
        .filter(|&&a| fits.spend(a) > 3.0 + 1e-6 && fits.spend(a) <= 6.0 + 1e-6)
        .count();
    assert!(upsold > 10, "{upsold} customers spend more than their ARPU");
    for &a in &customers_of(&misses) {
        let s = misses.spend(a);
        assert!(s == 0.0 || s == 3.0 || s == 1.5, "agent {a} spends {s}");
    }
    assert!(
        misses.report().customer_trust_in_org < fits.report().customer_trust_in_org,
        "offers that miss cost trust"
    );
}

#[test]
fn with_zero_capacity_nothing_is_answered_and_contacts_queue_then_expire() {
    let mut sim = small("trade_offs: true, staff_capacity: 0.0, max_wait: 5");
    // Sales declares its own capacity: take it away too.
    let mut sc = sim.scenario().clone();
    for g in &mut sc.groups {
        g.capacity = None;
    }
    sim = Simulation::new(&sc, RunOptions::default()).unwrap();
    set(
        &mut sim,
        &[(Knob::SelfService, 0.0), (Knob::ExtranetOpenness, 0.0)],
    );
    let mut queue = Vec::new();
    let (mut served, mut expired, mut reached) = (0, 0, 0);
    sim.run(30, |r| {
        queue.push(r.queue_length);
        served += r.contacts_served;
        expired += r.contacts_expired;
        reached += r.needs_reached + r.loops_closed + r.flows_internal + r.cross_sells;
    });
    assert_eq!(served, 0, "no staff time, no answers");
    assert_eq!(
        reached, 0,
        "nothing is handed on, answered, shared or offered"
    );
    assert!(
        queue[5] > queue[0] && queue[0] > 0,
        "the queue grows: {queue:?}"
    );
    assert!(expired > 0, "contacts expire after max_wait");
    assert_eq!(sim.report().cost_staff, 0.0, "no capacity, nothing paid");
}

#[test]
fn efficiency_pressure_buys_less_capacity_for_less_cost_and_longer_waits() {
    let run = |pressure: f32| {
        let mut sim = small("trade_offs: true, staff_capacity: 1.0");
        set(&mut sim, &[(Knob::EfficiencyPressure, pressure)]);
        let (mut cost, mut wait, mut served, mut expired) = (0.0, 0u64, 0u32, 0u32);
        sim.run(40, |r| {
            cost += r.cost_staff;
            wait += r.wait_sum;
            served += r.contacts_served;
            expired += r.contacts_expired;
        });
        (cost, wait as f64 / f64::from(served), expired)
    };
    let (cost_lean, wait_lean, expired_lean) = run(1.0);
    let (cost_full, wait_full, expired_full) = run(0.0);
    // 24 staff at capacity 1 (Sales 4) are paid for; the 4 partners'
    // time is their own firms'. The bill is exact.
    let capacity = 6.0 + 8.0 + 5.0 + 5.0 * 4.0;
    assert!((cost_full - 40.0 * capacity).abs() < 1e-6, "{cost_full}");
    assert!(
        (cost_lean - 40.0 * capacity * 0.5).abs() < 1e-6,
        "{cost_lean}"
    );
    assert!(wait_lean > wait_full, "{wait_lean} vs {wait_full}");
    assert!(expired_lean > expired_full);
}

#[test]
fn self_service_and_peer_help_take_load_off_staff() {
    // The load: staff time used, and the contacts that reached staff
    // (served or expired) per active customer and step. A busy
    // organisation's time used is capped by its capacity (waiting needs
    // take up what contacts leave), and peers keep
    // customers, who contact staff too: contacts per customer show what a
    // relieved customer saves.
    // Over four seeds, 100 steps each (about 7,500 contacts).
    let load = |knobs: &[(Knob, f32)]| {
        let scenario = small("trade_offs: true").scenario().clone();
        let (mut used, mut contacts, mut customers) = (0.0, 0u32, 0u32);
        for seed in 1..=4 {
            let options = RunOptions {
                seed: Some(seed),
                ..RunOptions::default()
            };
            let mut sim = Simulation::new(&scenario, options).unwrap();
            set(&mut sim, knobs);
            sim.run(100, |r| {
                used += r.staff_time_used;
                contacts += r.contacts_served + r.contacts_expired;
                customers += r.active_customers();
            });
        }
        (used, f64::from(contacts) / f64::from(customers))
    };
    let none = [(Knob::SelfService, 0.0), (Knob::CommunityEnablement, 0.0)];
    let self_service = [(Knob::SelfService, 0.9), (Knob::CommunityEnablement, 0.0)];
    let peers = [(Knob::SelfService, 0.0), (Knob::CommunityEnablement, 1.0)];
    let (base_used, base_rate) = load(&none);
    let (ss_used, ss_rate) = load(&self_service);
    let (_, peer_rate) = load(&peers);
    assert!(ss_used < 0.5 * base_used, "{ss_used} vs {base_used}");
    assert!(ss_rate < 0.5 * base_rate, "{ss_rate} vs {base_rate}");
    // Measured: about 7 % fewer contacts per customer and step; each
    // rate's sampling noise is under 1.5 % at these counts.
    assert!(peer_rate < 0.97 * base_rate, "{peer_rate} vs {base_rate}");
}

#[test]
fn the_market_turns_over_and_the_competitor_takes_unheld_customers() {
    let mut sim = small("trade_offs: true, competitor_rate: 0.2");
    let mut sc = sim.scenario().clone();
    let prospects = sc
        .groups
        .iter()
        .position(|g| g.name == "Prospects")
        .unwrap();
    sc.groups[prospects].arrivals = 0.5;
    sim = Simulation::new(&sc, RunOptions::default()).unwrap();
    let (mut arrivals, mut lost, mut churn) = (0, 0, 0);
    sim.run(30, |r| {
        arrivals += r.arrivals;
        lost += r.lost_to_competitor;
        churn += r.churn;
    });
    // About half of 80 prospects a step.
    assert!((30 * 30..=30 * 50).contains(&arrivals), "{arrivals}");
    assert!(lost > 0 && churn >= lost, "{lost} lost of {churn} churned");
    // Without the trade-offs neither happens.
    let mut previous = sim.scenario().clone();
    previous.model.trade_offs = false;
    let mut sim = Simulation::new(&previous, RunOptions::default()).unwrap();
    sim.run(30, |r| assert_eq!(r.arrivals + r.lost_to_competitor, 0));
    let metrics: Vec<&str> = {
        let mut m = Vec::new();
        sim.report().rows(|name, _, _| m.push(name));
        m
    };
    assert!(!metrics.contains(&"queue_length") && metrics.contains(&"revenue"));
}

#[test]
fn openness_costs_money_in_proportion_to_how_open() {
    let cost = |open: f32| {
        let mut sim = small("trade_offs: true");
        set(
            &mut sim,
            &[
                (Knob::ExtranetOpenness, open),
                (Knob::CommunityEnablement, open),
            ],
        );
        let mut total = 0.0;
        sim.run(20, |r| total += r.cost_openness);
        total
    };
    assert_eq!(cost(0.0), 0.0);
    assert!(cost(1.0) > cost(0.5) && cost(0.5) > 0.0);
}

#[test]
fn lifetime_value_follows_revenue_and_retention() {
    let mut sim = small("trade_offs: true");
    sim.run(30, |_| {});
    let r = sim.report();
    let g = r.group_names.iter().position(|n| n == "Customers").unwrap();
    let clv = r
        .lifetime_value(g)
        .expect("customers have a lifetime value");
    let m = r.segment_revenue[g] / f64::from(r.segment_customers[g]);
    let retention =
        1.0 - r.totals.segment_churn[g] as f64 / r.totals.segment_customer_steps[g] as f64;
    let expected = m * retention / (1.0 + r.discount_rate - retention);
    assert!(
        (clv - expected).abs() < 1e-9 && clv > 10.0 * m,
        "{clv} vs {expected}"
    );
    let rows: Vec<(String, f64)> = {
        let mut v = Vec::new();
        r.rows(|m, p, x| {
            if m == "clv" {
                v.push((p.to_owned(), x));
            }
        });
        v
    };
    assert!(rows.iter().any(|(p, x)| p == "Customers" && *x == clv));
    assert!(
        rows.iter().all(|(p, _)| p != "Product"),
        "only segments have one"
    );
    let _ = Part::ExistingCustomer;
}

/// Needs that find a staff member with no time wait in their backlog, each
/// step waited a hop; they move on when time comes back or are dropped when
/// their hops run out (counted at that step, though removed later). None is
/// lost or counted twice:
/// after every step, every need raised has reached Product, been stopped
/// at a wall, been dropped, or is still in flight (waiting or travelling).
#[test]
fn waiting_needs_are_worked_or_dropped_and_none_is_lost() {
    let mut sim = small("trade_offs: true, staff_capacity: 0.6, max_hops: 6");
    // Everything raised is a need (no answers go back), and plenty of them.
    set(
        &mut sim,
        &[
            (Knob::FeedbackListening, 1.0),
            (Knob::ExtranetOpenness, 1.0),
            (Knob::Transparency, 0.0),
        ],
    );
    let (mut raised, mut settled) = (0u64, 0u64);
    let (mut dropped, mut reached, mut most_waiting) = (0u64, 0u64, 0u32);
    for _ in 0..80 {
        let r = sim.step();
        raised += u64::from(r.needs_raised);
        settled += u64::from(r.needs_reached + r.needs_blocked + r.needs_dropped);
        dropped += u64::from(r.needs_dropped);
        reached += u64::from(r.needs_reached);
        most_waiting = most_waiting.max(r.items_in_flight);
        assert_eq!(
            raised,
            settled + u64::from(r.items_in_flight),
            "step {}: needs lost or counted twice",
            r.step
        );
    }
    // The test means something: staff were overloaded, needs waited and
    // ran out of hops, and others got through.
    assert!(
        dropped > 50 && reached > 50,
        "{dropped} dropped, {reached} reached"
    );
    assert!(most_waiting > 100, "{most_waiting}");
}
