//! Hostile files: each case is written to disk and read the way the CLI
//! reads it, and must give a clear error (file, and line, column and field
//! where the file has them) promptly, without a panic and without reading
//! or allocating more than the limits allow.
//!
//! The table in `docs/hostile-input.md` is generated from these cases and
//! must match them; set `SILOSCOPE_REGENERATE=1` to rewrite it after a
//! deliberate change to a message.

use siloscope_scenario::files::read_scenario;
use std::path::{Path, PathBuf};

/// What a case feeds siloscope.
enum Input {
    /// Bytes of a `.scenario.ron` file.
    Scenario(Vec<u8>),
    /// Text of a `.experiment.ron` file (next to `tiny.scenario.ron`).
    Experiment(String),
    /// A path made by the case (a directory, a device, a sparse file).
    Path(fn(&Path) -> PathBuf),
}

/// What must come back.
enum Expect {
    /// An error at this line and column, naming this field, whose first
    /// line contains the text.
    At(usize, usize, &'static str, &'static str),
    /// An error about the file as a whole, containing the text.
    File(&'static str),
    /// The file is accepted.
    Accepted,
}

struct Case {
    name: &'static str,
    holds: &'static str,
    input: Input,
    expect: Expect,
}

const GROUP: &str = r#"(name: "Product", part: Department, role: Product, count: 3)"#;

fn scenario(body: &str) -> Input {
    Input::Scenario(format!("Scenario(\n    name: \"hostile\",\n{body}\n)\n").into_bytes())
}

fn with_group(rest: &str) -> Input {
    scenario(&format!("    groups: [ {GROUP} ],\n{rest}"))
}

/// The input with its line breaks written as `ending` (`"\r\n"` as Windows
/// editors save, `"\r"` as old Macs did).
fn with_endings(input: Input, ending: &str) -> Input {
    match input {
        Input::Scenario(bytes) => Input::Scenario(
            String::from_utf8(bytes)
                .unwrap()
                .replace('\n', ending)
                .into_bytes(),
        ),
        Input::Experiment(text) => Input::Experiment(text.replace('\n', ending)),
        path => path,
    }
}

fn experiment(body: &str) -> Input {
    Input::Experiment(format!(
        "Experiment(\n    name: \"hostile\",\n    scenario: \"tiny.scenario.ron\",\n    policies: [\"inside_out\"],\n{body}\n)\n"
    ))
}

fn cases() -> Vec<Case> {
    use Expect::*;
    let c = |name, holds, input, expect| Case {
        name,
        holds,
        input,
        expect,
    };
    let huge_name = "g".repeat(1_000_000);
    vec![
        c("empty", "nothing (0 bytes)", Input::Scenario(Vec::new()), At(1, 1, "", "the file is empty")),
        c("comment_only", "only comments", Input::Scenario(b"// nothing yet\n/* still nothing */\n".to_vec()), At(1, 1, "", "the file is empty (or only comments)")),
        c(
            "not_utf8",
            "a byte that is not UTF-8 (0xff) in the name",
            Input::Scenario(b"Scenario(\n    name: \"caf\xff\",\n)\n".to_vec()),
            At(2, 15, "", "not UTF-8"),
        ),
        c(
            "nul_byte",
            "a NUL byte between fields",
            Input::Scenario(format!("Scenario(\n    name: \"x\",\0\n    groups: [ {GROUP} ],\n)\n").into_bytes()),
            At(2, 15, "", "found the control character U+0000"),
        ),
        c(
            "byte_order_mark",
            "a UTF-8 byte-order mark before `Scenario(` (as some Windows editors write)",
            Input::Scenario([&b"\xef\xbb\xbf"[..], format!("Scenario(name: \"bom\", groups: [ {GROUP} ])").as_bytes()].concat()),
            Accepted,
        ),
        c(
            "directory",
            "a directory passed as the file",
            Input::Path(|dir| {
                let path = dir.join("folder.scenario.ron");
                std::fs::create_dir(&path).unwrap();
                path
            }),
            File("is a directory"),
        ),
        c("missing", "a path where there is no file", Input::Path(|dir| dir.join("no-such.scenario.ron")), File("cannot read the file")),
        c("device", "`/dev/zero` (endless, reports length 0)", Input::Path(|_| PathBuf::from("/dev/zero")), File("is not a regular file")),
        c(
            "oversize",
            "a 17 MB file (sparse: nothing is read)",
            Input::Path(|dir| {
                let path = dir.join("oversize.scenario.ron");
                std::fs::File::create(&path).unwrap().set_len(17_000_000).unwrap();
                path
            }),
            File("over the 16777216-byte limit"),
        ),
        c(
            "crlf_line_endings",
            "lines ended by CR LF (as Windows editors save them), a link to an unknown group on line 4",
            with_endings(with_group(r#"    links: [ (from: "Product", to: "Sales", ties: Density(0.5)) ],"#), "\r\n"),
            At(4, 36, "links[0].to", "unknown group \"Sales\""),
        ),
        c(
            "cr_line_endings",
            "lines ended by a lone CR (as old Macs saved them), a `//` comment ending line 3 and an unknown group on line 4",
            with_endings(
                scenario(&format!(
                    "    groups: [ {GROUP} ], // one group\n    links: [ (from: \"Product\", to: \"Sales\", ties: Density(0.5)) ],"
                )),
                "\r",
            ),
            At(4, 36, "links[0].to", "unknown group \"Sales\""),
        ),
        c(
            "cr_line_endings_experiment",
            "an experiment with lines ended by a lone CR and `replicates: 4000000000` on line 5",
            with_endings(experiment("    replicates: 4000000000,"), "\r"),
            At(5, 17, "replicates", "allowed 1 to 100000"),
        ),
        c(
            "escape_sequences",
            "a link to a group whose name holds `ESC ] 0 ; … BEL ESC [ 2 J` (retitle the terminal, clear the screen)",
            with_group("    links: [ (from: \"Product\", to: \"Sales\u{1b}]0;owned\u{7}\u{1b}[2J\", ties: Density(0.5)) ],"),
            At(4, 36, "links[0].to", r#"unknown group "Sales\u{1b}]0;owned\u{7}\u{1b}[2J""#),
        ),
        c(
            "huge_count",
            "`count: 1000000000`",
            scenario(r#"    groups: [ (name: "C", part: ExistingCustomer, count: 1000000000) ],"#),
            At(3, 58, "groups[0].count", "out of range; allowed 0 to 200000"),
        ),
        c(
            "count_overflow",
            "`count: 99999999999999999999999` (beyond 64 bits)",
            scenario(r#"    groups: [ (name: "C", part: ExistingCustomer, count: 99999999999999999999999) ],"#),
            At(3, 58, "groups[0].count", "integer is out of bounds"),
        ),
        c(
            "negative_count",
            "`count: -3`",
            scenario(r#"    groups: [ (name: "C", part: ExistingCustomer, count: -3) ],"#),
            At(3, 58, "groups[0].count", "integer is out of bounds"),
        ),
        c(
            "limits_over_hard_cap",
            "`limits: (max_agents: 100000000)`",
            with_group("    limits: (max_agents: 100000000),"),
            At(4, 26, "limits.max_agents", "allowed 1 to 5000000"),
        ),
        c(
            "too_many_ties",
            "150,000 customers tied at density 0.5 (11 billion ties)",
            scenario(r#"    groups: [ (name: "C", part: ExistingCustomer, count: 150000, ties: Random(density: 0.5)) ],"#),
            At(3, 72, "groups[0].ties", "over limits.max_ties = 4000000"),
        ),
        c(
            "huge_steps",
            "`steps: 4000000000`",
            with_group("    steps: 4000000000,"),
            At(4, 12, "steps", "allowed 1 to 1000000"),
        ),
        c(
            "deep_nesting",
            "20,000 nested `[` where a string belongs",
            with_group(&format!("    description: {}{},", "[".repeat(20_000), "]".repeat(20_000))),
            At(4, 18, "description", "expected string"),
        ),
        c(
            "deep_some",
            "`Some(` nested 20,000 deep",
            with_group(&format!("    policy: {}\"connected\"{},", "Some(".repeat(20_000), ")".repeat(20_000))),
            At(4, 13, "policy", "expected string"),
        ),
        c(
            "enormous_name",
            "a link from a group whose name is 1,000,000 characters long",
            with_group(&format!("    links: [ (from: \"{huge_name}\", to: \"Product\", ties: Density(0.5)) ],")),
            At(4, 21, "links[0].from", "characters left out"),
        ),
        c(
            "nan",
            "`model: (forgetting: NaN)`",
            with_group("    model: (forgetting: NaN),"),
            At(4, 25, "model.forgetting", "NaN is out of range"),
        ),
        c(
            "infinity",
            "a knob value `inf`",
            with_group(r#"    knobs: { "transparency": (value: inf) },"#),
            At(4, 38, "knobs.transparency.value", "inf is out of range"),
        ),
        c(
            "negative_density",
            "`Random(density: -0.5)`",
            scenario(r#"    groups: [ (name: "C", part: ExistingCustomer, count: 10, ties: Random(density: -0.5)) ],"#),
            At(3, 84, "groups[0].ties.Random.density", "-0.5 is out of range"),
        ),
        c(
            "missing_agent",
            "a tie to an agent that does not exist",
            with_group(r#"    ties: [ (from: "Product#0", to: "Product#9") ],"#),
            At(4, 37, "ties[0].to", "no agent has id \"Product#9\""),
        ),
        c(
            "missing_group",
            "a link to a group that does not exist",
            with_group(r#"    links: [ (from: "Product", to: "Sales", ties: Density(0.5)) ],"#),
            At(4, 36, "links[0].to", "unknown group \"Sales\""),
        ),
        c(
            "missing_policy",
            "a story step comparing with a policy that does not exist",
            with_group(r#"    story: [ (title: "Compare", actions: [Compare("conected")]) ],"#),
            At(4, 51, "story[0].actions[0].Compare", "unknown policy \"conected\""),
        ),
        c(
            "duplicate_group",
            "two groups called `P`",
            scenario(r#"    groups: [ (name: "P", part: Department, count: 3), (name: "P", part: Partner, count: 2) ],"#),
            At(3, 63, "groups[1].name", "already defined"),
        ),
        c(
            "duplicate_agent",
            "two named agents with id `ann`",
            with_group(r#"    agents: [ (id: "ann", group: "Product"), (id: "ann", group: "Product") ],"#),
            At(4, 51, "agents[1].id", "already defined"),
        ),
        c(
            "duplicate_policy",
            "the policy `mine` defined twice",
            with_group(r#"    policies: { "mine": (base: "connected"), "mine": (base: "inside_out") },"#),
            At(4, 47, "policies", "duplicate key \"mine\""),
        ),
        c(
            "policy_cycle",
            "policies `a` and `b`, each based on the other",
            with_group(r#"    policies: { "a": (base: "b"), "b": (base: "a") },"#),
            At(4, 29, "policies.a.base", "bases cannot form a cycle"),
        ),
        c(
            "policy_own_base",
            "a policy based on itself",
            with_group(r#"    policies: { "a": (base: "a") },"#),
            At(4, 29, "policies.a.base", "cannot be its own base"),
        ),
        c(
            "experiment_of_itself",
            "an experiment whose `scenario` is the experiment file itself",
            Input::Experiment(
                "Experiment(\n    name: \"loop\",\n    scenario: \"experiment_of_itself.experiment.ron\",\n    policies: [\"inside_out\"],\n)\n".into(),
            ),
            At(3, 15, "scenario", "expected struct `Scenario` but found `Experiment`"),
        ),
        c(
            "experiment_of_a_directory",
            "an experiment whose `scenario` is `.`",
            Input::Experiment(
                "Experiment(\n    name: \"dir\",\n    scenario: \".\",\n    policies: [\"inside_out\"],\n)\n".into(),
            ),
            At(3, 15, "scenario", "is a directory"),
        ),
        c(
            "sweep_step_zero",
            "a sweep `Range(from: 0.0, to: 1.0, step: 0.0)`",
            experiment(r#"    sweeps: { "transparency": Range(from: 0.0, to: 1.0, step: 0.0) },"#),
            At(5, 31, "sweeps.transparency.Range", "step > 0"),
        ),
        c(
            "sweep_billion_values",
            "a sweep with step `1e-9` (a billion values)",
            experiment(r#"    sweeps: { "transparency": Range(from: 0.0, to: 1.0, step: 1e-9) },"#),
            At(5, 31, "sweeps.transparency.Range", "too many (at most 10000)"),
        ),
        c(
            "sweep_to_4e22",
            "a sweep `Range(from: 0.2, to: 4e22, step: 0.3)` (found by fuzzing: the count overflowed)",
            experiment(r#"    sweeps: { "transparency": Range(from: 0.2, to: 4e22, step: 0.3) },"#),
            At(5, 31, "sweeps.transparency.Range", "values is too many (at most 10000)"),
        ),
        c(
            "ten_million_runs",
            "two sweeps of 1,001 values each",
            experiment(
                r#"    sweeps: { "transparency": Range(from: 0.0, to: 1.0, step: 0.001), "silo_permeability": Range(from: 0.0, to: 1.0, step: 0.001) },"#,
            ),
            At(1, 1, "(file)", "runs planned; at most 1000000"),
        ),
        c(
            "grid_of_10_to_the_15",
            "four sweeps of 9,091 values each (6.8 × 10¹⁵ sweep points, never built)",
            experiment(&format!(
                "    sweeps: {{ {} }},",
                ["transparency", "silo_permeability", "feedback_listening", "personalisation"]
                    .map(|k| format!("\"{k}\": Range(from: 0.0, to: 1.0, step: 0.00011)"))
                    .join(", ")
            )),
            At(1, 1, "(file)", "runs planned; at most 1000000"),
        ),
        c(
            "sweep_value_twice",
            "a sweep `Values([0.5, 0.5])`",
            experiment(r#"    sweeps: { "transparency": Values([0.5, 0.5]) },"#),
            At(5, 31, "sweeps.transparency", "0.5 is listed twice"),
        ),
        c(
            "replicates",
            "`replicates: 4000000000`",
            experiment("    replicates: 4000000000,"),
            At(5, 17, "replicates", "allowed 1 to 100000"),
        ),
    ]
}

fn temp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("siloscope-hostile-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Read the case as the CLI reads it.
fn outcome(case: &Case, dir: &Path) -> Result<(), siloscope_scenario::ScenarioErrors> {
    match &case.input {
        Input::Scenario(bytes) => {
            let path = dir.join(format!("{}.scenario.ron", case.name));
            std::fs::write(&path, bytes).unwrap();
            read_scenario(&path).map(drop)
        }
        Input::Experiment(text) => {
            let path = dir.join(format!("{}.experiment.ron", case.name));
            std::fs::write(&path, text).unwrap();
            siloscope_lab::experiment::read(&path).map(drop)
        }
        Input::Path(make) => read_scenario(&make(dir)).map(drop),
    }
}

/// Every case's first message, checked against what the case expects.
fn table() -> String {
    let dir = temp_dir();
    std::fs::copy(
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
            .join("crates/workshop/tests/fuzz/tiny.scenario.ron"),
        dir.join("tiny.scenario.ron"),
    )
    .unwrap();
    let prefix = format!("{}/", dir.display());
    let mut rows = String::from("| case | the file holds | siloscope says |\n|---|---|---|\n");
    let mut wrong = Vec::new();
    for case in cases() {
        let started = std::time::Instant::now();
        let result = outcome(&case, &dir);
        let name = case.name;
        // Generous: every case is refused in milliseconds; a hang fails.
        assert!(
            started.elapsed().as_secs() < 20,
            "{name} took {:?}",
            started.elapsed()
        );
        let said = match (&result, &case.expect) {
            (Ok(()), Expect::Accepted) => "accepted".to_owned(),
            (Ok(()), _) => {
                wrong.push(format!("{name}: accepted"));
                continue;
            }
            (Err(e), Expect::Accepted) => {
                wrong.push(format!("{name}: refused: {e}"));
                continue;
            }
            (Err(errors), expect) => {
                let first = errors.iter().next().expect("at least one error");
                let shown = first.to_string();
                let (at, field, text) = match *expect {
                    Expect::At(line, column, field, text) => ((line, column), field, text),
                    Expect::File(text) => ((0, 0), "", text),
                    Expect::Accepted => unreachable!(),
                };
                if (first.line, first.column) != at
                    || first.path != field
                    || !first.message.contains(text)
                    || shown.chars().count() > 1_000
                {
                    wrong.push(format!(
                        "{name}: expected {at:?} {field:?} {text:?}, got {shown}"
                    ));
                }
                shown.replace(&prefix, "")
            }
        };
        let said = said.replace('|', "\\|");
        rows.push_str(&format!("| {name} | {} | `` {said} `` |\n", case.holds));
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    std::fs::remove_dir_all(&dir).unwrap();
    rows
}

#[test]
fn hostile_files_get_clear_errors_and_the_docs_table_matches() {
    let rows = table();
    let doc =
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join("docs/hostile-input.md");
    let text = std::fs::read_to_string(&doc).unwrap();
    let (start, end) = ("<!-- table: start -->\n", "<!-- table: end -->");
    let (Some(a), Some(b)) = (text.find(start), text.find(end)) else {
        panic!("docs/hostile-input.md lacks the table markers");
    };
    let committed = &text[a + start.len()..b];
    if committed != rows && std::env::var_os("SILOSCOPE_REGENERATE").is_some() {
        let updated = format!("{}{rows}{}", &text[..a + start.len()], &text[b..]);
        std::fs::write(&doc, updated).unwrap();
        return;
    }
    assert!(
        committed == rows,
        "docs/hostile-input.md is out of date; regenerate with SILOSCOPE_REGENERATE=1 cargo test --test tests hostile\n{rows}"
    );
}
