//! GraphML and GEXF import: the same organisation as the CSV pair, and
//! errors located in the XML.
//!
//! `scenarios/data/karate.{graphml,gexf}` and `karate_{agents,ties}.csv`
//! were written once by networkx 3.6.1 (Zachary's karate club, each member
//! a staff member of the group they joined after the split):
//!
//! ```python
//! g = nx.karate_club_graph()
//! for n, d in g.nodes(data=True):
//!     d["department"] = "Hi's group" if d.pop("club") == "Mr. Hi" else "Officer's group"
//!     d["part"] = "department"
//! nx.write_graphml(g, "karate.graphml"); nx.write_gexf(g, "karate.gexf")
//! # and the same nodes and edges (with their weight) as the CSV pair
//! ```

use siloscope_scenario::import::{
    Csv, GraphAttributes, ImportOptions, Imported, import, import_graph,
};
use std::path::PathBuf;

fn data(name: &str) -> String {
    let path =
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../scenarios/data")).join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn options() -> ImportOptions {
    ImportOptions {
        name: "Imported".into(),
        steps: 10,
        step_unit: "week".into(),
        seed: 1,
        min_weight: None,
    }
}

fn from_csv(agents: &str, ties: &str) -> Imported {
    let csv = |name, text| Csv { name, text };
    import(csv("agents.csv", agents), csv("ties.csv", ties), &options())
        .unwrap_or_else(|e| panic!("{e}"))
}

fn from_graph(name: &str, text: &str, attributes: &GraphAttributes) -> Imported {
    import_graph(Csv { name, text }, attributes, &options()).unwrap_or_else(|e| panic!("{e}"))
}

/// The scenario without its comments (which name the source files).
fn organisation(done: &Imported) -> String {
    let scenario = siloscope_scenario::parse_str(&done.embedded(), "imported.scenario.ron")
        .unwrap_or_else(|e| panic!("{e}\n{}", done.embedded()));
    assert_eq!(scenario.named_agents.len(), done.agents);
    done.embedded()
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn graphml_and_gexf_written_by_networkx_import_to_the_organisation_of_the_csv_pair() {
    let csv = from_csv(&data("karate_agents.csv"), &data("karate_ties.csv"));
    assert_eq!((csv.agents, csv.groups, csv.ties), (34, 2, 78));
    let attributes = GraphAttributes::default();
    for file in ["karate.graphml", "karate.gexf"] {
        let graph = from_graph(file, &data(file), &attributes);
        assert_eq!(organisation(&graph), organisation(&csv), "{file}");
        assert!(graph.ignored.is_empty(), "{file}: {:?}", graph.ignored);
    }
    // Light ties are left out as from the CSV pair (weight is an edge
    // attribute in GraphML and an XML attribute in GEXF).
    let heavy = ImportOptions {
        min_weight: Some(3.0),
        ..options()
    };
    let light = |done: Imported| (done.ties, done.light);
    let csv = import(
        Csv {
            name: "a.csv",
            text: &data("karate_agents.csv"),
        },
        Csv {
            name: "t.csv",
            text: &data("karate_ties.csv"),
        },
        &heavy,
    );
    let expected = light(csv.unwrap());
    assert!(expected.1 > 10, "{expected:?}");
    for file in ["karate.graphml", "karate.gexf"] {
        let text = data(file);
        let done = import_graph(
            Csv {
                name: file,
                text: &text,
            },
            &attributes,
            &heavy,
        );
        assert_eq!(light(done.unwrap()), expected, "{file}");
    }
}

/// The example organisation (every part, roles, starting states,
/// touchpoint channels) written as GraphML and as GEXF, the way tools
/// write them: attributes declared once, values per node and edge.
fn write_graphs(agents: &str, ties: &str) -> (String, String) {
    let rows = |text: &str| -> Vec<Vec<String>> {
        text.lines()
            .skip(1)
            .map(|l| l.split(',').map(str::to_owned).collect())
            .collect()
    };
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('"', "&quot;")
    };
    let (agents, ties) = (rows(agents), rows(ties));
    let node_attrs = ["part", "department", "role", "start"];
    let mut graphml = String::from(
        "<?xml version='1.0' encoding='utf-8'?>\n<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n",
    );
    for (i, a) in node_attrs.iter().enumerate() {
        graphml +=
            &format!("  <key id=\"n{i}\" for=\"node\" attr.name=\"{a}\" attr.type=\"string\"/>\n");
    }
    graphml += "  <key id=\"e0\" for=\"edge\" attr.name=\"channel\" attr.type=\"string\"/>\n  <graph edgedefault=\"undirected\">\n";
    let mut gexf = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<gexf xmlns=\"http://gexf.net/1.3\" version=\"1.3\">\n  <graph defaultedgetype=\"undirected\">\n    <attributes class=\"node\">\n",
    );
    for (i, a) in node_attrs.iter().enumerate() {
        gexf += &format!("      <attribute id=\"{i}\" title=\"{a}\" type=\"string\"/>\n");
    }
    gexf += "    </attributes>\n    <attributes class=\"edge\">\n      <attribute id=\"0\" title=\"channel\" type=\"string\"/>\n    </attributes>\n    <nodes>\n";
    for a in &agents {
        graphml += &format!("    <node id=\"{}\">", esc(&a[0]));
        gexf += &format!(
            "      <node id=\"{}\" label=\"{}\"><attvalues>",
            esc(&a[0]),
            esc(&a[0])
        );
        for (i, v) in a[1..].iter().enumerate() {
            if !v.is_empty() {
                graphml += &format!("<data key=\"n{i}\">{}</data>", esc(v));
                gexf += &format!("<attvalue for=\"{i}\" value=\"{}\"/>", esc(v));
            }
        }
        graphml += "</node>\n";
        gexf += "</attvalues></node>\n";
    }
    gexf += "    </nodes>\n    <edges>\n";
    for (i, t) in ties.iter().enumerate() {
        let channel = t.get(2).filter(|c| !c.is_empty());
        graphml += &format!(
            "    <edge source=\"{}\" target=\"{}\">",
            esc(&t[0]),
            esc(&t[1])
        );
        gexf += &format!(
            "      <edge id=\"{i}\" source=\"{}\" target=\"{}\">",
            esc(&t[0]),
            esc(&t[1])
        );
        if let Some(c) = channel {
            graphml += &format!("<data key=\"e0\">{c}</data>");
            gexf += &format!("<attvalues><attvalue for=\"0\" value=\"{c}\"/></attvalues>");
        }
        graphml += "</edge>\n";
        gexf += "</edge>\n";
    }
    graphml += "  </graph>\n</graphml>\n";
    gexf += "    </edges>\n  </graph>\n</gexf>\n";
    (graphml, gexf)
}

#[test]
fn graphml_and_gexf_written_here_import_to_the_organisation_of_the_csv_pair() {
    let (agents, ties) = (data("acme_agents.csv"), data("acme_ties.csv"));
    let csv = from_csv(&agents, &ties);
    assert!(
        csv.agents > 200 && csv.ties > 1000,
        "{} {}",
        csv.agents,
        csv.ties
    );
    let (graphml, gexf) = write_graphs(&agents, &ties);
    let attributes = GraphAttributes::default();
    let expected = organisation(&csv);
    assert!(
        expected.contains("ExistingCustomer")
            && expected.contains("role: Support")
            && expected.contains("channel: Support"),
        "{expected}"
    );
    assert_eq!(
        organisation(&from_graph("acme.graphml", &graphml, &attributes)),
        expected
    );
    assert_eq!(
        organisation(&from_graph("acme.gexf", &gexf, &attributes)),
        expected
    );
    // Staff without a part attribute take the default part; a value under
    // an undeclared key is reported as ignored, like an extra CSV column.
    let staff = graphml
        .replace("<data key=\"n0\">departments</data>", "")
        .replacen(
            "</node>",
            "<data key=\"email\">ana@acme.example</data></node>",
            1,
        );
    assert!(!staff.contains(">departments<"));
    let defaulted = GraphAttributes {
        default_part: Some(siloscope_model::agent::Part::Department),
        ..GraphAttributes::default()
    };
    let done = from_graph("staff.graphml", &staff, &defaulted);
    assert_eq!(organisation(&done), expected);
    assert_eq!(
        done.ignored,
        [("staff.graphml".to_owned(), vec!["email".to_owned()])]
    );
    // Without a default, a node with no part is an error at the node.
    let errors = import_graph(
        Csv {
            name: "staff.graphml",
            text: &staff,
        },
        &GraphAttributes::default(),
        &options(),
    )
    .unwrap_err();
    assert!(
        errors.shown[0]
            .to_string()
            .starts_with("staff.graphml:9:5: part: no part"),
        "{errors}"
    );
    assert_eq!(
        errors.shown.len(),
        65,
        "one per staff member, none for their roles or ties: {errors}"
    );
}

#[test]
fn every_problem_in_a_graph_file_is_located() {
    let bad = r#"<?xml version="1.0"?>
<graphml>
  <key id="g" for="node" attr.name="department"/>
  <key id="w" for="edge" attr.name="weight"/>
  <graph>
    <node id="ana"><data key="g">Sales</data><data key="p">department</data></node>
    <node id="ben"/>
    <node><data key="g">Sales</data></node>
    <edge source="ana" target="zed"/>
    <edge source="ana" target="ana"/>
    <edge source="ana" target="ben"><data key="w">lots</data></edge>
    <hyperedge/>
  </graph>
</graphml>
"#;
    let attributes = GraphAttributes {
        default_part: Some(siloscope_model::agent::Part::Department),
        ..GraphAttributes::default()
    };
    let errors = import_graph(
        Csv {
            name: "org.graphml",
            text: bad,
        },
        &attributes,
        &options(),
    )
    .unwrap_err();
    let shown: Vec<String> = errors.shown.iter().map(|e| e.to_string()).collect();
    let expected = [
        "org.graphml:7:5: department: no group: each agent needs its department",
        "org.graphml:8:5: id: <node> without an \"id\" attribute",
        "org.graphml:9:32: target: unknown agent \"zed\"",
        "org.graphml:10:32: target: a tie from \"ana\" to itself",
        "org.graphml:11:51: weight: \"lots\" is not a weight",
        "org.graphml:12:5: hyperedges are not supported",
    ];
    assert_eq!(shown.len(), expected.len(), "{shown:#?}");
    for (got, want) in shown.iter().zip(expected) {
        assert!(got.starts_with(want), "{got}\n  wanted {want}");
    }

    let refused = |name: &str, text: &str| -> String {
        import_graph(Csv { name, text }, &attributes, &options())
            .unwrap_err()
            .to_string()
    };
    let broken = refused(
        "broken.graphml",
        "<graphml>\n  <graph>\n    <node id=\"a\">\n  </graph>\n</graphml>\n",
    );
    assert!(
        broken.starts_with("broken.graphml:4:3: not well-formed XML"),
        "{broken}"
    );
    // No entity expansion: a DTD is refused outright.
    let laughs = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol1 \"&lol;&lol;&lol;&lol;\">]>\n<graphml><graph><node id=\"&lol1;\"/></graph></graphml>\n";
    let dtd = refused("lolz.graphml", laughs);
    assert!(
        dtd.starts_with("lolz.graphml:2:1: a DTD (<!DOCTYPE …>) is not accepted"),
        "{dtd}"
    );
    let other = refused("page.xml", "<html><body/></html>");
    assert!(
        other.starts_with("page.xml:1:1: the root element is <html>"),
        "{other}"
    );
    let empty = refused("empty.gexf", "<gexf><graph><nodes/></graph></gexf>");
    assert!(empty.starts_with("empty.gexf:1:7: no nodes"), "{empty}");
    // A CR LF file is located as an editor shows it.
    let crlf = bad.replace('\n', "\r\n");
    let again = import_graph(
        Csv {
            name: "org.graphml",
            text: &crlf,
        },
        &attributes,
        &options(),
    )
    .unwrap_err();
    assert_eq!(
        again
            .shown
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>(),
        shown
    );
}

#[test]
fn nothing_in_a_graph_file_is_passed_over_without_a_word() {
    let attributes = GraphAttributes {
        default_part: Some(siloscope_model::agent::Part::Department),
        ..GraphAttributes::default()
    };
    let refused = |name: &str, text: &str| -> Vec<String> {
        import_graph(Csv { name, text }, &attributes, &options())
            .unwrap_err()
            .shown
            .iter()
            .map(ToString::to_string)
            .collect()
    };
    // A second graph would lose its nodes and ties: refused at its place.
    let two = "<graphml><key id=\"g\" for=\"node\" attr.name=\"group\"/>\n<graph><node id=\"a\"><data key=\"g\">G</data></node></graph>\n<graph><node id=\"b\"><data key=\"g\">G</data></node></graph>\n</graphml>\n";
    assert_eq!(
        refused("two.graphml", two),
        [
            "two.graphml:3:1: a second <graph>: siloscope reads one graph per file; put everything in the first, or import each on its own"
        ]
    );
    let gexf = "<gexf><graph>\n<attributes class=\"node\"><attribute id=\"0\" title=\"group\"/></attributes>\n<nodes><node id=\"a\"><attvalues><attvalue for=\"0\" value=\"G\"/></attvalues></node></nodes>\n<edges/>\n<nodes><node id=\"c\"/></nodes>\n<edges><edge source=\"a\" target=\"c\"/></edges>\n</graph><graph/></gexf>\n";
    let shown = refused("two.gexf", gexf);
    for want in [
        "two.gexf:5:1: a second <nodes>: siloscope reads one list of nodes per graph",
        "two.gexf:6:1: a second <edges>: siloscope reads one list of edges per graph",
        "two.gexf:7:9: a second <graph>: siloscope reads one graph per file",
    ] {
        assert!(
            shown.iter().any(|s| s.starts_with(want)),
            "{want}\n{shown:#?}"
        );
    }
    // Two attributes that name one column (whatever their case), or one
    // given twice: refused at the second, not one picked.
    let collide = "<graphml><key id=\"g\" for=\"node\" attr.name=\"group\"/><key id=\"G\" for=\"node\" attr.name=\"Group\"/><key id=\"w\" for=\"edge\" attr.name=\"weight\"/>\n<graph>\n<node id=\"a\"><data key=\"g\">Sales</data><data key=\"G\">Support</data></node>\n<node id=\"b\"><data key=\"g\">Sales</data><data key=\"g\">Ops</data></node>\n<edge source=\"a\" target=\"b\"><data key=\"w\">2</data><data key=\"w\">5</data></edge>\n</graph></graphml>\n";
    assert_eq!(
        refused("collide.graphml", collide),
        [
            "collide.graphml:3:54: group: given twice, as \"group\" and as \"Group\"; which one is meant?",
            "collide.graphml:4:54: group: \"group\" is given twice for this element; which value is meant?",
            "collide.graphml:5:65: weight: \"weight\" is given twice for this element; which value is meant?",
        ]
    );
    // A value longer than a record of the files written is refused where
    // it is, not when those files are read back.
    let long = "x".repeat((1 << 20) + 1);
    let huge = format!(
        "<graphml><key id=\"g\" for=\"node\" attr.name=\"group\"/>\n<graph>\n<node id=\"a\"><data key=\"g\">{long}</data></node>\n</graph></graphml>\n"
    );
    assert_eq!(
        refused("huge.graphml", &huge),
        [
            "huge.graphml:3:28: group: this value is 1048577 bytes long, over the 1048576-byte limit for a node's or an edge's attributes"
        ]
    );
}

#[test]
fn attribute_names_are_matched_whatever_their_case() {
    let upper = "<graphml>\n<key id=\"g\" for=\"node\" attr.name=\"Group\"/><key id=\"p\" for=\"node\" attr.name=\"PART\"/><key id=\"w\" for=\"edge\" attr.name=\"Weight\"/>\n<graph>\n<node id=\"a\"><data key=\"g\">Sales</data><data key=\"p\">department</data></node>\n<node id=\"b\"><data key=\"g\">Ops</data><data key=\"p\">department</data></node>\n<node id=\"c\"><data key=\"g\">Ops</data><data key=\"p\">department</data></node>\n<edge source=\"a\" target=\"b\"><data key=\"w\">5</data></edge>\n<edge source=\"a\" target=\"c\"><data key=\"w\">1</data></edge>\n</graph></graphml>\n";
    let options = ImportOptions {
        min_weight: Some(2.0),
        ..options()
    };
    let done = import_graph(
        Csv {
            name: "upper.graphml",
            text: upper,
        },
        &GraphAttributes::default(),
        &options,
    )
    .unwrap();
    assert_eq!(
        (done.agents, done.groups, done.ties, done.light),
        (3, 2, 1, 1)
    );
    assert!(done.ignored.is_empty(), "{:?}", done.ignored);
}

/// Line and column of the first `needle` in `text`, as an editor counts.
fn position(text: &str, needle: &str) -> (usize, usize) {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} not in the text"));
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap().chars().count() + 1;
    (line, column)
}

#[test]
fn values_are_located_where_they_are_and_attributes_never_stand_in_for_others() {
    let attributes = GraphAttributes::default();
    // A value on its own line (as networkx writes <data>): located there,
    // not at the node's line.
    let karate = data("karate.graphml");
    let marker = "<node id=\"5\">\n      <data key=\"d1\">Hi's group</data>\n      <data key=\"d2\">department</data>";
    assert!(karate.contains(marker));
    let bad = karate.replacen(marker, &marker.replace(">department<", ">bogus<"), 1);
    let (line, column) = position(&bad, "bogus");
    let errors = import_graph(
        Csv {
            name: "k.graphml",
            text: &bad,
        },
        &attributes,
        &options(),
    )
    .unwrap_err();
    assert!(
        errors.to_string().starts_with(&format!(
            "k.graphml:{line}:{column}: part: unknown part \"bogus\""
        )),
        "{errors}"
    );
    // Several elements on one line: each error at its own element.
    let one_line = "<graphml><key id=\"g\" for=\"node\" attr.name=\"group\"/><key id=\"p\" for=\"node\" attr.name=\"part\"/><graph><node id=\"a\"><data key=\"g\">G</data><data key=\"p\">nope</data></node><node id=\"b\"><data key=\"g\">G</data><data key=\"p\">never</data></node></graph></graphml>";
    let errors = import_graph(
        Csv {
            name: "o.graphml",
            text: one_line,
        },
        &attributes,
        &options(),
    )
    .unwrap_err();
    let shown: Vec<String> = errors.shown.iter().map(ToString::to_string).collect();
    assert_eq!(shown.len(), 2, "{shown:#?}");
    for (got, word) in shown.iter().zip(["nope", "never"]) {
        let (line, column) = position(one_line, &format!(">{word}<"));
        assert!(
            got.starts_with(&format!(
                "o.graphml:{line}:{}: part: unknown part \"{word}\"",
                column + 1
            )),
            "{got}"
        );
    }

    // An attribute called `id`, or `group` while the group is read from
    // another, is kept apart: never the agent's id or group.
    let tricky = r#"<graphml>
<key id="i" for="node" attr.name="id"/><key id="t" for="node" attr.name="team"/><key id="g" for="node" attr.name="group"/>
<key id="p" for="node" attr.name="part"><default>department</default></key>
<graph>
<node id="a"><data key="i">c</data><data key="t">Sales</data><data key="g">red</data></node>
<node id="b"><data key="i">a</data><data key="t">Sal<!-- a comment -->es</data><data key="g">blue</data></node>
<node id="c"><data key="t">Support</data><data key="p">partner</data></node>
<edge source="a" target="b"/>
</graph>
</graphml>
"#;
    let team = GraphAttributes {
        group: vec!["team".into()],
        ..GraphAttributes::default()
    };
    let done = from_graph("t.graphml", tricky, &team);
    let sc = siloscope_scenario::parse_str(&done.embedded(), "t.scenario.ron").unwrap();
    let group_of = |id: &str| {
        sc.groups[sc.group_of(sc.find_agent(id).unwrap())]
            .name
            .clone()
    };
    // The comment does not cut "Sales" short; the key's default part holds
    // where a node gives none; the tie joins a and b, whatever `id` says.
    assert_eq!(
        (group_of("a"), group_of("b"), group_of("c")),
        ("Sales".into(), "Sales".into(), "Support".into())
    );
    let c = sc.find_agent("c").unwrap();
    assert_eq!(
        sc.groups[sc.group_of(c)].part,
        siloscope_model::agent::Part::Partner
    );
    assert_eq!(
        sc.groups[sc.group_of(sc.find_agent("a").unwrap())].part,
        siloscope_model::agent::Part::Department
    );
    let (a, b) = (sc.find_agent("a").unwrap(), sc.find_agent("b").unwrap());
    assert_eq!(sc.named_ties.len(), 1);
    assert_eq!((sc.named_ties[0].from, sc.named_ties[0].to), (a, b));
    assert_eq!(
        done.ignored,
        [(
            "t.graphml".to_owned(),
            vec!["id (attribute)".to_owned(), "group (attribute)".to_owned()]
        )]
    );

    // Thousands of namespace declarations are refused before reading (the
    // XML reader's cost grows with their square).
    let mut many = String::from("<graphml");
    for i in 0..1_500 {
        many += &format!(" xmlns:p{i}=\"u\"");
    }
    many += "><graph><node id=\"a\" xmlns:q=\"u\"/></graph></graphml>";
    let refused = import_graph(
        Csv {
            name: "ns.graphml",
            text: &many,
        },
        &attributes,
        &options(),
    )
    .unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("more than 1000 namespace declarations"),
        "{refused}"
    );
}
