//! A way back: `model: (trade_offs: false)` is the model before the
//! trade-offs. Every shipped scenario, run without the trade-offs and with
//! the presets as they were then (before each preset was rebased on one
//! shared baseline), reproduced bit for bit the state hash it had before
//! the trade-offs existed (measured at commit 7f1c74c). The hashes were
//! pinned again once, when a campaign's reach came to be drawn by
//! geometric skips, one draw per prospect reached instead of one per
//! prospect (`docs/model.md`, "What a step costs"):
//! the same chances drawn in another order. Two were pinned again when a
//! customer with no touchpoint stopped drawing for a contact, and one with
//! no peer for asking a peer, so that a step can pass over an active
//! customer with nothing to do (`crates/model/src/sim/activity.rs`): the
//! Bass reduction's customers have neither, some of `all_about_you`'s have
//! no peer. Such a draw decided nothing (there was nowhere to turn), so
//! only the order of the other draws moved. All but the Bass reduction's
//! were pinned again when customers' needs came to be drawn from a
//! counter-based stream, when first read, instead of in a row at the start
//! of the run (`crates/model/src/sim/attributes.rs`), so that a run on a
//! large market starts without visiting its prospects: the same
//! distribution, other words; the workshop's again when its seed became 1
//! (42 until then), on which every claim of its story holds. The way back keeps the previous model's
//! mechanisms, equations and distributions, and its runs bit for bit from
//! that change on.

use siloscope_model::sim::{RunOptions, Simulation};
use siloscope_scenario::parse_str_with;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).to_path_buf()
}

/// The presets before the shared baseline, in the knob catalogue's order.
const PREVIOUS_PRESETS: [(&str, [f32; 13]); 5] = [
    (
        "inside_out",
        [
            0.15, 0.1, 0.1, 0.3, 0.2, 0.05, 0.3, 0.5, 0.01, 0.1, 0.6, 0.1, 0.0,
        ],
    ),
    (
        "outside_in",
        [
            0.3, 0.1, 0.8, 0.6, 0.4, 0.2, 0.2, 0.3, 0.01, 0.2, 0.4, 0.4, 0.0,
        ],
    ),
    (
        "connected",
        [
            0.8, 0.85, 0.8, 0.85, 0.5, 0.8, 0.05, 0.1, 0.002, 0.5, 0.2, 0.8, 0.7,
        ],
    ),
    (
        "viral_campaign",
        [
            0.15, 0.1, 0.1, 0.3, 0.2, 0.1, 0.3, 0.9, 0.04, 0.1, 0.5, 0.1, 0.0,
        ],
    ),
    (
        "all_about_you",
        [
            0.3, 0.15, 0.5, 0.7, 0.6, 0.1, 0.8, 0.6, 0.01, 0.1, 0.5, 0.2, 0.0,
        ],
    ),
];

/// The hashes before the trade-offs: each shipped scenario under its own
/// start policy and seed after all its steps, then the workshop under two
/// presets.
const PREVIOUS_HASHES: [(&str, Option<&str>, u64); 10] = [
    ("acme_imported.scenario.ron", None, 0xf029_a684_6e9c_7c74),
    ("all_about_you.scenario.ron", None, 0x60b0_1fbf_9e76_5213),
    ("grounding/bass.scenario.ron", None, 0x8ddd_9db0_3036_25b6),
    (
        "omnichannel_self_service.scenario.ron",
        None,
        0x7aac_bad0_b4ac_68f1,
    ),
    ("regional_2000.scenario.ron", None, 0x02fb_d19b_577a_28dd),
    ("silos_and_trust.scenario.ron", None, 0xc3b5_7a21_6c0f_38a7),
    (
        "viral_vs_word_of_mouth.scenario.ron",
        None,
        0x9b7c_8094_a7cb_6038,
    ),
    ("workshop.scenario.ron", None, 0xba6b_9600_79a4_758c),
    (
        "workshop.scenario.ron",
        Some("inside_out"),
        0xba6b_9600_79a4_758c,
    ),
    (
        "workshop.scenario.ron",
        Some("connected"),
        0x522a_c5b1_6a01_0c59,
    ),
];

/// Scenario text `src` as the previous model ran it: the trade-offs off,
/// and the previous presets given as the file's first policies (so the
/// file's own policies built on a preset build on the previous one).
fn as_previously(src: &str) -> String {
    let mut presets = String::new();
    for (name, values) in PREVIOUS_PRESETS {
        let knobs: Vec<String> = siloscope_model::knob::Knob::ALL
            .iter()
            .zip(values)
            .map(|(k, v)| format!("{:?}: {v}", k.name()))
            .collect();
        presets += &format!("{name:?}: (knobs: {{ {} }}),\n", knobs.join(", "));
    }
    let mut out = src.to_owned();
    if let Some(at) = out.find("    policies: {") {
        out.insert_str(at + "    policies: {".len(), &format!("\n{presets}"));
    } else {
        let at = out.find("    groups: [").expect("a groups section");
        out.insert_str(at, &format!("    policies: {{\n{presets}}},\n"));
    }
    if out.contains("trade_offs: false") {
        // Already the previous model's (the grounding scenarios).
    } else if let Some(at) = out.find("    model: (") {
        out.insert_str(at + "    model: (".len(), "trade_offs: false, ");
    } else {
        let at = out.find("    groups: [").unwrap();
        out.insert_str(at, "    model: (trade_offs: false),\n");
    }
    out
}

#[test]
fn without_the_trade_offs_every_shipped_scenario_runs_as_before() {
    let mut found = Vec::new();
    for (file, policy, _) in PREVIOUS_HASHES {
        let path = root().join("scenarios").join(file);
        let src = as_previously(&std::fs::read_to_string(&path).unwrap());
        let beside = siloscope_scenario::network::Beside::scenario(&path);
        let sc = parse_str_with(&src, file, &beside).unwrap_or_else(|e| panic!("{e}"));
        assert!(!sc.model.trade_offs);
        let options = RunOptions {
            policy: policy.map(str::to_owned),
            ..Default::default()
        };
        let mut sim = Simulation::new(&sc, options).unwrap();
        sim.run(sc.steps, |_| {});
        found.push((file, policy, sim.state_hash()));
    }
    assert_eq!(
        found,
        PREVIOUS_HASHES.to_vec(),
        "the model without the trade-offs no longer reproduces the previous model"
    );
}

#[test]
fn the_previous_presets_stand_apart_from_todays() {
    // A guard for the test above: if the presets had not changed, it would
    // prove nothing about the way back from them.
    for (name, values) in PREVIOUS_PRESETS {
        let now = siloscope_model::policy::preset(name).unwrap();
        let same = now.values.iter().zip(values).all(|((_, a), b)| *a == b);
        assert!(!same, "{name} did not change");
    }
}
