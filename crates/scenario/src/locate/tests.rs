use super::*;

const SRC: &str = r#"#![enable(implicit_some)]
// a comment with ( and "
Scenario(
    name: "x (with parens)",
    groups: [
        (name: "A", part: Department, count: 3),
        (
            name: "B", /* block ( */ part: Partner,
            count: many,
        ),
    ],
    knobs: { "transparency": (value: 0.5, max: 2.0) },
    interventions: [ (at: 3, action: Set({ "silo_permeability": 7.0 })),
                     (at: 4, action: Campaign(duration: 2, reach: 9.0)) ],
)
"#;

fn at(path: FieldPath) -> Option<(usize, usize)> {
    locate(SRC, &path).map(|p| (p.line, p.column))
}

#[test]
fn finds_struct_fields_list_items_and_nested_fields() {
    let r = FieldPath::root();
    assert_eq!(at(r.field("name")), Some((4, 11)));
    assert_eq!(at(r.field("groups").index(0).field("count")), Some((6, 46)));
    assert_eq!(at(r.field("groups").index(1).field("count")), Some((9, 20)));
    assert_eq!(at(r.field("groups").index(1).field("part")), Some((8, 44)));
}

#[test]
fn finds_map_keys_and_values_and_enum_variants() {
    let r = FieldPath::root();
    assert_eq!(
        at(r.field("knobs").key_name("transparency")),
        Some((12, 14))
    );
    assert_eq!(
        at(r.field("knobs").key("transparency").field("max")),
        Some((12, 48))
    );
    let set = r
        .field("interventions")
        .index(0)
        .field("action")
        .variant("Set");
    assert_eq!(at(set.key("silo_permeability")), Some((13, 65)));
    let camp = r
        .field("interventions")
        .index(1)
        .field("action")
        .variant("Campaign");
    assert_eq!(at(camp.field("reach")), Some((14, 67)));
}

#[test]
fn paths_parsed_from_text_find_the_same_places() {
    for (text, want) in [
        ("groups[1].count", (9, 20)),
        ("knobs.transparency.max", (12, 48)),
        ("interventions[1].action.Campaign.reach", (14, 67)),
        ("interventions[0].action.Set.silo_permeability", (13, 65)),
    ] {
        assert_eq!(at(FieldPath::parse(text)), Some(want), "{text}");
        assert_eq!(FieldPath::parse(text).to_string(), text);
    }
    assert_eq!(FieldPath::parse(".").0, vec![]);
}

/// The text of the value at a position (for "found ..." messages).
#[test]
fn token_at_reads_one_value() {
    assert_eq!(token_at("(count: \"many\", x: 1)", 8), "\"many\"");
    assert_eq!(token_at("[1.5e3, 2]", 1), "1.5e3");
    assert_eq!(
        token_at("Random(density: 0.1) tail", 0),
        "Random(density: 0.1)"
    );
}

#[test]
fn missing_paths_give_none() {
    let r = FieldPath::root();
    assert_eq!(at(r.field("nope")), None);
    assert_eq!(at(r.field("groups").index(5)), None);
    assert_eq!(at(r.field("knobs").key("nope")), None);
}

/// Found by fuzzing: a character that starts no value (a control
/// character, a stray closing bracket) once stopped the cursor, and
/// the search looped forever.
#[test]
fn stray_characters_do_not_stop_the_search() {
    let b = FieldPath::root().field("b");
    let at = |line, column| Some(Position { line, column });
    assert_eq!(locate("(\u{17} a: 1, b: 2)", &b), at(1, 13));
    assert_eq!(locate("(a: 1 ] }, b: 2)", &b), at(1, 15));
    let first_b = FieldPath::root().index(0).field("b");
    assert_eq!(locate("[(é\u{17}: 1, b: 2)]", &first_b), at(1, 13));
    // Offsets inside a character, and position zero, are clamped.
    assert_eq!(Position::of_offset("é", 1), Position { line: 1, column: 1 });
    assert_eq!(offset_of("ab", Position { line: 0, column: 0 }), 0);
}

/// Found by fuzzing: an escape or a raw string cut off by the end of
/// the file left the cursor past the end, and slicing panicked.
#[test]
fn text_cut_off_at_the_end_is_not_read_past() {
    let in_map = FieldPath::root().field("m").key("k");
    for src in ["(m: {\"a\\", "(m: {'a\\", "(m: {r#\"a\"", "(m: {r##\"a\"#"] {
        assert_eq!(locate(src, &in_map), None, "{src:?}");
        assert!(token_at(src, 5).len() <= src.len());
    }
}

#[test]
fn long_messages_keep_their_start_and_end() {
    let name = "x".repeat(1_000_000);
    let e = error_at(
        "",
        "f",
        &FieldPath::root(),
        format!("unknown group \"{name}\"; groups are: A"),
    );
    assert!(
        e.message.starts_with("unknown group \"xxx"),
        "{}",
        &e.message[..40]
    );
    assert!(e.message.ends_with("xx\"; groups are: A"));
    assert!(e.message.contains("(999") && e.message.chars().count() < 700);
}

#[test]
fn paths_display_like_rust_expressions() {
    let p = FieldPath::root().field("groups").index(2).field("count");
    assert_eq!(p.to_string(), "groups[2].count");
    let k = FieldPath::root()
        .field("knobs")
        .key("transparency")
        .field("max");
    assert_eq!(k.to_string(), "knobs.transparency.max");
    assert_eq!(FieldPath::root().to_string(), "(file)");
}

/// An LF, a CR LF pair and a lone CR each end one line; a CR is no
/// column; a position and its offset convert both ways.
#[test]
fn positions_count_lines_as_an_editor_does() {
    let src = "ab\r\ncé\rd\n\re\r\n";
    let pos = |line, column| Position { line, column };
    for (offset, want) in [
        (0, pos(1, 1)),
        (2, pos(1, 3)),  // the CR of CR LF: the end of line 1
        (3, pos(1, 3)),  // its LF: still the end of line 1
        (4, pos(2, 1)),  // 'c'
        (5, pos(2, 2)),  // 'é'
        (6, pos(2, 2)),  // inside 'é'
        (7, pos(2, 3)),  // the lone CR
        (8, pos(3, 1)),  // 'd'
        (10, pos(4, 1)), // the lone CR after an LF is a line of its own
        (11, pos(5, 1)), // 'e'
        (14, pos(6, 1)), // the end
    ] {
        assert_eq!(Position::of_offset(src, offset), want, "offset {offset}");
    }
    for (p, want) in [
        (pos(1, 1), 0),
        (pos(1, 3), 2),
        (pos(1, 9), 2), // past the end of its line: the line's end
        (pos(2, 2), 5),
        (pos(2, 3), 7),
        (pos(3, 1), 8),
        (pos(4, 1), 10),
        (pos(5, 1), 11),
        (pos(6, 1), 14),
        (pos(60, 1), 14),
    ] {
        assert_eq!(offset_of(src, p), want, "{p:?}");
    }
}

/// Text straight from a file, not made all LF first, is located the same:
/// a `//` comment ends at a lone CR.
#[test]
fn fields_are_found_in_text_with_any_line_endings() {
    let b = FieldPath::root().field("b");
    let lf = "(\n  // a\n  a: 1, // b\n  b: 2,\n)";
    for ending in ["\r\n", "\r"] {
        let src = lf.replace('\n', ending);
        assert_eq!(
            locate(&src, &b),
            Some(Position { line: 4, column: 6 }),
            "{src:?}"
        );
    }
    assert_eq!(locate(lf, &b), Some(Position { line: 4, column: 6 }));
}
