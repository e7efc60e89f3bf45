//! Text from a file that reaches a message is shown, not obeyed: control
//! characters are escaped (an `ESC ] 0 ; … BEL` that would retitle the
//! terminal, an `ESC [ 2 J` that would clear it) and a huge name is cut in
//! the middle. Ordinary non-ASCII text is left as it is.

use siloscope_scenario::parse_str;

/// Retitles the terminal, rings the bell, clears the screen; then a C1
/// CSI (U+009B) and DEL.
const HOSTILE: &str = "Ops\u{1b}]0;owned\u{7}\u{1b}[2J\u{9b}2J\u{7f}";
/// How [`HOSTILE`] must be shown.
const SHOWN: &str = "Ops\\u{1b}]0;owned\\u{7}\\u{1b}[2J\\u{9b}2J\\u{7f}";

/// Whether a terminal could take `text` for a command.
fn has_controls(text: &str) -> bool {
    text.chars().any(char::is_control)
}

/// The first error for a scenario body, as it would be printed.
fn first_error(body: &str, file: &str) -> (String, String, String) {
    let src = format!(
        "Scenario(\n    name: \"m\",\n    groups: [ (name: \"Café\", part: Department, count: 3) ],\n{body}\n)\n"
    );
    let errors = parse_str(&src, file).expect_err("refused");
    let first = errors.iter().next().unwrap();
    (first.to_string(), first.path.clone(), first.message.clone())
}

/// A RON string literal holding `text` (control characters as escapes, so
/// that the file itself is plain).
fn ron_string(text: &str) -> String {
    format!("{text:?}")
}

#[test]
fn a_name_quoted_in_a_validation_message_is_escaped() {
    let (shown, _, message) = first_error(
        &format!(
            "    links: [ (from: {}, to: \"Café\", ties: Density(0.5)) ],",
            ron_string(HOSTILE)
        ),
        "m.scenario.ron",
    );
    assert!(!has_controls(&shown), "{shown:?}");
    assert!(
        message.contains(&format!("unknown group \"{SHOWN}\"")),
        "{message}"
    );
    // Ordinary non-ASCII text is not escaped.
    assert!(message.contains("groups are: \"Café\""), "{message}");
}

#[test]
fn a_key_in_a_field_path_and_a_name_in_a_parser_message_are_escaped() {
    // A knob's key is part of the path and of the message.
    let (shown, path, _) = first_error(
        &format!("    knobs: {{ {}: (value: 0.5) }},", ron_string(HOSTILE)),
        "m.scenario.ron",
    );
    assert!(!has_controls(&shown), "{shown:?}");
    assert!(path.contains(SHOWN), "{path}");
    // A duplicate map key is quoted by a message from deserialising, before
    // validation.
    let key = ron_string(HOSTILE);
    let (shown, _, message) = first_error(
        &format!(
            "    policies: {{ {key}: (base: \"connected\"), {key}: (base: \"inside_out\") }},"
        ),
        "m.scenario.ron",
    );
    assert!(!has_controls(&shown), "{shown:?}");
    assert!(
        message.contains(&format!("duplicate key \"{SHOWN}\"")),
        "{message}"
    );
}

#[test]
fn a_file_name_with_control_characters_is_escaped_when_shown() {
    let (shown, _, _) = first_error("    steps: 0,", "evil\u{1b}[2J.scenario.ron");
    assert!(
        shown.starts_with("evil\\u{1b}[2J.scenario.ron:4:12: steps:"),
        "{shown}"
    );
}

#[test]
fn a_huge_name_made_of_escapes_gives_a_short_message() {
    let name = "\u{1b}[2J".repeat(200_000);
    let (shown, _, message) = first_error(
        &format!(
            "    links: [ (from: {}, to: \"Café\", ties: Density(0.5)) ],",
            ron_string(&name)
        ),
        "m.scenario.ron",
    );
    assert!(!has_controls(&shown));
    assert!(
        message.chars().count() < 700,
        "{} characters",
        message.chars().count()
    );
    assert!(message.contains("characters left out"), "{message}");
    assert!(message.ends_with("groups are: \"Café\""), "{message}");
}

/// Every import error for these CSVs, one a line, as printed.
fn import_errors(agents: &str, ties: &str, agents_name: &str) -> (String, Vec<String>) {
    let errors = crate::import_csvs(agents_name, agents, ties).unwrap_err();
    let messages = errors.shown.iter().map(|e| e.message.clone()).collect();
    (errors.to_string(), messages)
}

#[test]
fn ids_quoted_in_import_errors_are_escaped_one_message_a_line() {
    let agents = format!("id,part,group\nana,department,Café\n\"{HOSTILE}\",departmint,Café\n");
    let ties = format!("source,target\nana,\"{HOSTILE}x\"\nana,\"b\nen\"\n");
    let (shown, messages) = import_errors(&agents, &ties, "agents.csv");
    assert!(!has_controls(&shown.replace('\n', " ")), "{shown:?}");
    let lines: Vec<&str> = shown.lines().collect();
    assert_eq!(lines.len(), 3, "{shown}");
    assert!(lines[0].starts_with("agents.csv:3:"), "{shown}");
    assert!(
        lines[1].contains(&format!("unknown agent \"{SHOWN}x\"")),
        "{shown}"
    );
    // A line break inside a quoted cell stays inside its message.
    assert!(lines[2].contains("unknown agent \"b\\nen\""), "{shown}");
    assert!(messages.iter().all(|m| !has_controls(m)), "{messages:?}");
}

#[test]
fn an_unknown_megabyte_id_gives_a_short_message() {
    let id = "z".repeat(1_000_000);
    let (shown, messages) = import_errors(
        "id,part,group\nana,department,Product\n",
        &format!("source,target\nana,{id}\n"),
        "agents.csv",
    );
    assert_eq!(messages.len(), 1);
    assert!(
        shown.chars().count() < 700,
        "{} characters",
        shown.chars().count()
    );
    assert!(messages[0].starts_with("unknown agent \"zzz"), "{shown}");
    assert!(
        messages[0].ends_with("zzz\" (not in agents.csv)"),
        "{shown}"
    );
}

#[test]
fn a_csv_file_name_and_column_name_with_control_characters_are_escaped() {
    let agents = "id,part,group,\u{1b}[2J\nana,department,Product,x\n";
    let (shown, _) = import_errors(
        agents,
        "source,target\nana,nobody\n",
        "evil\u{1b}]0;x\u{7}.csv",
    );
    // The ties file names the agents file in its message.
    assert!(
        shown.contains("(not in evil\\u{1b}]0;x\\u{7}.csv)"),
        "{shown}"
    );
    assert!(!has_controls(&shown), "{shown:?}");
    // Ignored columns are reported ready to be shown.
    let done = crate::import_csvs("agents\u{7}.csv", agents, "source,target\n")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        done.ignored,
        [("agents\\u{7}.csv".to_owned(), vec!["\\u{1b}[2j".to_owned()])]
    );
}

#[test]
fn csv_file_names_with_line_breaks_stay_inside_the_scenario_comment() {
    for name in ["agents\n)\nbroken.csv", "agents\r)broken.csv"] {
        let done = crate::import_csvs(
            name,
            "id,part,group\nana,department,Product\n",
            "source,target\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            done.embedded()
                .starts_with("// Imported by `siloscope import` from agents\\"),
            "{}",
            done.embedded()
        );
        siloscope_scenario::parse_str(&done.embedded(), "imported.scenario.ron")
            .unwrap_or_else(|e| panic!("{name:?}: {e}\n{}", done.embedded()));
    }
}
