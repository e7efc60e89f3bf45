//! Files saved on Windows (CR LF), on an old Mac (a lone CR) or by a tool
//! that mixes them report every error where an editor shows it: each kind
//! of break is one line, and a CR is no column.

use siloscope_scenario::{parse_bytes, parse_str};

/// The text with its LF breaks written as `ending`; `"mixed"` cycles
/// through CR LF, CR and LF.
fn with_endings(lf: &str, ending: &str) -> String {
    let mut out = String::new();
    for (i, line) in lf.split('\n').enumerate() {
        if i > 0 {
            out.push_str(match ending {
                "mixed" => ["\r\n", "\r", "\n"][i % 3],
                other => other,
            });
        }
        out.push_str(line);
    }
    out
}

const ENDINGS: [&str; 4] = ["\n", "\r\n", "\r", "mixed"];

const GROUP: &str =
    r#"    groups: [ (name: "Product", part: Department, role: Product, count: 3) ],"#;

/// Scenarios with their first error on line 4 or 5, and where it must be
/// reported: (text, line, column, field path, message start).
fn broken() -> Vec<(String, usize, usize, &'static str, &'static str)> {
    let file = |lines: &[&str]| {
        format!(
            "Scenario(\n    name: \"endings\",\n{}\n)\n",
            lines.join("\n")
        )
    };
    vec![
        // Validation, positioned by siloscope.
        (
            file(&[
                GROUP,
                r#"    links: [ (from: "Product", to: "Sales", ties: Density(0.5)) ],"#,
            ]),
            4,
            36,
            "links[0].to",
            "unknown group \"Sales\"",
        ),
        // A type error, positioned by ron and then moved to the value.
        (
            file(&[GROUP, "    steps: \"ten\","]),
            4,
            12,
            "steps",
            "expected integer",
        ),
        // A syntax error, positioned by ron.
        (
            file(&[GROUP, "    steps: 10 20,"]),
            4,
            15,
            "",
            "expected comma",
        ),
        // An unknown field.
        (
            file(&[GROUP, "    stpes: 3,"]),
            4,
            5,
            "stpes",
            "unknown field `stpes`",
        ),
        // A control character, named in the message.
        (
            file(&[GROUP, "   \0 steps: 3,"]),
            4,
            4,
            "",
            "expected identifier, found the control character U+0000",
        ),
        // A line comment ends at the line break, whichever it is.
        (
            file(&[GROUP, "    // the length of a run", "    steps: \"x\","]),
            5,
            12,
            "steps",
            "expected integer",
        ),
        (
            file(&[GROUP, "    /* a block", "       comment */ steps: \"x\","]),
            5,
            26,
            "steps",
            "expected integer",
        ),
        // A raw string over two lines.
        (
            file(&[GROUP, "    description: r\"two", "lines\", steps: \"x\","]),
            5,
            16,
            "steps",
            "expected integer",
        ),
        // Non-ASCII before the error: columns are characters.
        (
            file(&[
                GROUP,
                r#"    links: [ (from: "Product", to: "Café", ties: Density(0.5)) ],"#,
            ]),
            4,
            36,
            "links[0].to",
            "unknown group \"Café\"",
        ),
    ]
}

#[test]
fn scenario_errors_are_where_an_editor_shows_them_whatever_the_line_endings() {
    for (lf, line, column, path, message) in broken() {
        for ending in ENDINGS {
            let src = with_endings(&lf, ending);
            let errors = parse_str(&src, "endings.scenario.ron")
                .expect_err(&format!("{ending:?}: {src:?} should be refused"));
            let first = errors.iter().next().unwrap();
            assert_eq!(
                (first.line, first.column, first.path.as_str()),
                (line, column, path),
                "{ending:?}: {first} in {src:?}"
            );
            assert!(first.message.starts_with(message), "{ending:?}: {first}");
        }
    }
}

#[test]
fn a_byte_that_is_not_utf8_is_where_an_editor_shows_it() {
    let lf = format!("Scenario(\n    name: \"x\",\n{GROUP}\n    description: \"caf\u{1}\",\n)\n");
    for ending in ENDINGS {
        let mut bytes = with_endings(&lf, ending).into_bytes();
        let at = bytes.iter().position(|&b| b == 1).unwrap();
        bytes[at] = 0xff;
        let first = parse_bytes(&bytes, "x.scenario.ron")
            .unwrap_err()
            .0
            .remove(0);
        assert_eq!((first.line, first.column), (4, 22), "{ending:?}: {first}");
        assert!(first.message.contains("not UTF-8"), "{first}");
    }
}

#[test]
fn a_file_reads_the_same_whatever_its_line_endings() {
    let lf = format!(
        "// a comment\nScenario(\n    name: \"same\",\n    // groups\n{GROUP}\n    steps: 12,\n)\n"
    );
    let want = parse_str(&lf, "same.scenario.ron").unwrap();
    for ending in ENDINGS {
        let src = with_endings(&lf, ending);
        let got =
            parse_str(&src, "same.scenario.ron").unwrap_or_else(|e| panic!("{ending:?}: {e}"));
        assert_eq!(
            (got.name.as_str(), got.steps, got.groups.len()),
            (want.name.as_str(), want.steps, want.groups.len()),
            "{ending:?}"
        );
    }
}

const AGENTS: &str = "id,part,group\nana,department,Product\nben,department,Product\n\"c\ny\",department,Product,extra\nde,departmint,Product\nél,department,Product\n";
const TIES: &str =
    "source,target\nana,ben\nben,zed\n\"ana\",\"b\nen\"\nana,dee\nél,ana,\nél,ghost\n";

/// (file, line, column, field, message) of every import error.
fn import_errors(agents: &str, ties: &str) -> Vec<(String, u64, u64, String, String)> {
    crate::import_csvs("agents.csv", agents, ties)
        .unwrap_err()
        .shown
        .into_iter()
        .map(|e| (e.file, e.line, e.column, e.field, e.message))
        .collect()
}

#[test]
fn import_errors_are_where_an_editor_shows_them_whatever_the_line_endings() {
    let want = [
        ("agents.csv", 4, 1, "", "4 fields, but the header has 3"),
        ("agents.csv", 6, 4, "part", "unknown part \"departmint\""),
        ("ties.csv", 3, 5, "target", "unknown agent \"zed\""),
        ("ties.csv", 4, 7, "target", "unknown agent \"b"),
        ("ties.csv", 6, 5, "target", "unknown agent \"dee\""),
        ("ties.csv", 7, 1, "", "3 fields, but the header has 2"),
        ("ties.csv", 8, 4, "target", "unknown agent \"ghost\""),
    ];
    for ending in ENDINGS {
        let got = import_errors(&with_endings(AGENTS, ending), &with_endings(TIES, ending));
        assert_eq!(got.len(), want.len(), "{ending:?}: {got:?}");
        for (g, w) in got.iter().zip(want) {
            assert_eq!(
                (g.0.as_str(), g.1, g.2, g.3.as_str()),
                (w.0, w.1, w.2, w.3),
                "{ending:?}: {g:?}"
            );
            assert!(g.4.starts_with(w.4), "{ending:?}: {g:?}");
        }
    }
}

#[test]
fn imported_csvs_read_the_same_whatever_their_line_endings() {
    let agents = "id,part,group\nana,department,Product\nben,department,Product\ncy,existing_customer,Shops\n";
    let ties = "source,target,channel\nana,ben,\nben,cy,Support\n";
    let want = crate::import_csvs("a.csv", agents, ties).unwrap();
    for ending in ENDINGS {
        let (a, t) = (with_endings(agents, ending), with_endings(ties, ending));
        let got = crate::import_csvs("a.csv", &a, &t).unwrap_or_else(|e| panic!("{ending:?}: {e}"));
        assert_eq!(got, want, "{ending:?}");
    }
}
