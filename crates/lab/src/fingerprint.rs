//! Fingerprints of work: FNV-1a over a value's debug text, hashed as it
//! is written (the text of an organisation of millions of ties is never
//! held whole), short and stable across platforms, and over the identity
//! of the model that computes it. Batch manifests and run checks, and the
//! journals of sensitivity screens, the optimiser and calibration carry
//! them, so a resume never mixes two pieces of work, nor the runs of two
//! models: a siloscope whose model gives other results refuses the work
//! of this one instead of finishing it with its own runs.

use siloscope_model::knob::Knob;
use siloscope_model::metrics::StepReport;
use siloscope_model::sim::{RunOptions, Simulation};
use std::fmt::{Debug, Write};
use std::sync::OnceLock;

/// The fingerprint of `value`'s debug text and of [`model_identity`], as
/// 16 hexadecimal digits.
pub fn of_debug(value: &dyn Debug) -> String {
    let mut h = Fnv(0xcbf2_9ce4_8422_2325);
    write!(h, "{} {value:?}", model_identity()).expect("hashing cannot fail");
    format!("{:016x}", h.0)
}

/// What the model computes, as 16 hexadecimal digits: the state hash of a
/// small organisation with every mechanism at work after a run of it
/// ([`PROBE`]). A change to the model that changes any result of that run
/// changes it (every change of the golden hashes has so far); run once per
/// process, in about a millisecond.
pub fn model_identity() -> &'static str {
    static IDENTITY: OnceLock<String> = OnceLock::new();
    IDENTITY.get_or_init(|| format!("{:016x}", probe(PROBE)))
}

/// The state hash that a run of the probe scenario `source` ends in, with
/// every knob at its middle value; `on_step` sees each step's report.
fn probe_with(source: &str, on_step: impl FnMut(&StepReport)) -> u64 {
    let scenario =
        siloscope_scenario::parse_str(source, "probe.scenario.ron").expect("the probe is valid");
    let mut sim = Simulation::new(&scenario, RunOptions::default()).expect("the probe builds");
    for knob in Knob::ALL {
        sim.set_knob(knob, 0.5)
            .expect("the middle of every knob is valid");
    }
    sim.run(scenario.steps, on_step);
    sim.state_hash()
}

fn probe(source: &str) -> u64 {
    probe_with(source, |_| {})
}

/// A small organisation with every part and every mechanism at work
/// (fully mixed and networked customers, pooled and independent word of
/// mouth, partners, channels, a campaign, the market's turnover), run for
/// its steps with every knob at its middle: the state it ends
/// in is what [`model_identity`] is.
const PROBE: &str = r#"Scenario(
    name: "model identity probe",
    seed: 7,
    steps: 40,
    model: (independent_referrals: 0.5, referral_window: 8.0),
    groups: [
        (name: "Product", part: Department, role: Product, count: 8, ties: SmallWorld(k: 4, rewire: 0.1)),
        (name: "Marketing", part: Department, role: Marketing, count: 6, ties: Complete),
        (name: "Sales", part: Department, role: Sales, count: 6, ties: Complete),
        (name: "Support", part: Department, role: Support, count: 10, ties: SmallWorld(k: 4, rewire: 0.1)),
        (name: "Leadership", part: Department, role: Leadership, count: 4, ties: Complete),
        (name: "Resellers", part: Partner, count: 6, ties: Random(density: 0.3)),
        (name: "Small business", part: ExistingCustomer, count: 60, ties: ScaleFree(m: 2),
         needs: [0.8, 0.3, 0.6, 0.4], need_spread: 0.15, advocates: 0.2, arpu: 2.0, arrivals: 0.02),
        (name: "Enterprise", part: ExistingCustomer, count: 40, ties: Mixed,
         needs: [0.3, 0.8, 0.4, 0.7], advocates: 0.1, arpu: 6.0),
        (name: "Prospects", part: NewCustomer, count: 80, ties: Random(density: 0.05), arrivals: 0.01),
    ],
    links: [
        (from: "Leadership", to: "Product", ties: Density(0.5)),
        (from: "Product", to: "Support", ties: Density(0.2)),
        (from: "Sales", to: "Marketing", ties: Density(0.3)),
        (from: "Support", to: "Sales", ties: Density(0.2)),
        (from: "Resellers", to: "Sales", ties: Density(0.3)),
        (from: "Small business", to: "Support", ties: PerMember(1)),
        (from: "Small business", to: "Resellers", ties: PerMember(1)),
        (from: "Small business", to: "Marketing", ties: PerMember(1), channel: App),
        (from: "Enterprise", to: "Sales", ties: PerMember(1)),
        (from: "Prospects", to: "Marketing", ties: PerMember(1), channel: App),
        (from: "Prospects", to: "Small business", ties: PerMember(2)),
    ],
    interventions: [(at: 5, action: Campaign(duration: 10, reach: 0.05))],
)"#;

/// Clear what in `scenario` changes no run — where its file is, its story
/// for presenter mode, the names of its need dimensions — leaving the
/// content runs depend on.
pub fn keep_run_content(scenario: &mut siloscope_scenario::Scenario) {
    scenario.file.clear();
    scenario.story.clear();
    scenario.need_names = Default::default();
}

/// FNV-1a over the bytes of text written to it.
struct Fnv(u64);

impl Write for Fnv {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        for b in s.bytes() {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The probe puts every mechanism to work, so that a change to any of
    /// them changes what it ends in.
    #[test]
    fn the_probe_puts_every_mechanism_to_work() {
        let mut seen: Vec<(&str, u64)> = Vec::new();
        let mut count = |name: &'static str, n: u64| match seen.iter_mut().find(|(m, _)| *m == name)
        {
            Some((_, total)) => *total += n,
            None => seen.push((name, n)),
        };
        probe_with(PROBE, |r| {
            for (name, n) in [
                ("needs raised", r.needs_raised),
                ("needs reaching Product", r.needs_reached),
                ("needs blocked at a wall", r.needs_blocked),
                ("loops closed", r.loops_closed),
                ("contacts served", r.contacts_served),
                ("peer help", r.peer_help),
                ("pushes", r.pushes),
                ("cross-sells", r.cross_sells),
                ("inconsistent answers", r.inconsistent_answers),
                (
                    "acquisitions by word of mouth",
                    r.acquisitions_word_of_mouth,
                ),
                ("acquisitions by the campaign", r.acquisitions_campaign),
                ("churn", r.churn),
                ("arrivals", r.arrivals),
                ("offering changes", r.offering_changes),
                ("flows inside", r.flows_internal),
                ("flows outside", r.flows_external),
            ] {
                count(name, u64::from(n));
            }
            count("revenue", u64::from(r.revenue.iter().sum::<f64>() > 0.0));
            count("staff time used", u64::from(r.staff_time_used > 0.0));
        });
        let idle: Vec<&str> = seen
            .iter()
            .filter(|(_, n)| *n == 0)
            .map(|(m, _)| *m)
            .collect();
        assert!(idle.is_empty(), "the probe never saw: {idle:?}");
    }

    /// The identity is the probe's, the same at every call, and it moves
    /// with what the model computes, not with what only people read.
    #[test]
    fn the_identity_follows_what_the_model_computes() {
        assert_eq!(model_identity(), format!("{:016x}", probe(PROBE)));
        assert_eq!(model_identity(), model_identity());
        let assumption = PROBE.replace(
            "referral_window: 8.0)",
            "referral_window: 8.0, forgetting: 0.96)",
        );
        assert_ne!(assumption, PROBE);
        assert_ne!(probe(&assumption), probe(PROBE));
        let renamed = PROBE.replace("model identity probe", "renamed");
        assert_eq!(probe(&renamed), probe(PROBE));
        // A fingerprint is of the model's identity and the content, so the
        // same content under another model does not match.
        let with = |identity: &str| {
            let mut h = Fnv(0xcbf2_9ce4_8422_2325);
            write!(h, "{identity} {:?}", "work").unwrap();
            format!("{:016x}", h.0)
        };
        assert_eq!(of_debug(&"work"), with(model_identity()));
        assert_ne!(with("0000000000000000"), with(model_identity()));
    }
}
