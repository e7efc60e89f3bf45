//! Networks by reference: a scenario that names an agents file and a ties
//! file gives exactly the scenario, and the run, of the same organisation
//! embedded; every problem in the files is located (file, line, column,
//! column name); hostile files are refused without a panic.

use proptest::prelude::*;
use siloscope_model::sim::{RunOptions, Simulation};
use siloscope_scenario::network::MAX_ERRORS;
use siloscope_scenario::{ErrorKind, Scenario, ScenarioErrors, parse_str, parse_str_with};
use std::collections::BTreeMap;

/// A small organisation: generated staff and customers, one agent named in
/// the scenario, `{network}` where the rest goes.
fn scenario(rest: &str) -> String {
    format!(
        r#"Scenario(
    name: "by reference",
    steps: 30,
    groups: [
        (name: "Sales", part: Department, role: Sales, count: 3, ties: Complete),
        (name: "Support", part: Department, role: Support, count: 2, ties: Complete),
        (name: "Customers", part: ExistingCustomer, count: 6, ties: Random(density: 0.3), arpu: 2.0),
        (name: "Prospects", part: NewCustomer, count: 4, ties: Mixed),
    ],
    links: [ (from: "Support", to: "Customers", ties: PerMember(2), channel: Support) ],
    agents: [ (id: "boss", group: "Sales") ],
{rest}
)
"#
    )
}

const AGENTS_CSV: &str = "id,group,start,needs\n\
c1,Customers,Advocate,0.9;0.1;0.5;0.5\n\
p1,Prospects,,\n\
\"Lee, Ann\",Support,,\n\
c2,Customers,,0.2;0.2;0.2;0.2\n";

const TIES_CSV: &str = "from,to,channel\n\
boss,c1,Sales\n\
Sales#0,c2,\n\
c1,p1,\n\
\"Lee, Ann\",c2,Support\n\
c1,c2,\n";

/// The same organisation with every agent and tie in the scenario.
const EMBEDDED: &str = r#"    agents: [
        (id: "c1", group: "Customers", start: Advocate, needs: [0.9, 0.1, 0.5, 0.5]),
        (id: "p1", group: "Prospects"),
        (id: "Lee, Ann", group: "Support"),
        (id: "c2", group: "Customers", needs: [0.2, 0.2, 0.2, 0.2]),
    ],
    ties: [
        (from: "boss", to: "c1", channel: Sales),
        (from: "Sales#0", to: "c2"),
        (from: "c1", to: "p1"),
        (from: "Lee, Ann", to: "c2", channel: Support),
        (from: "c1", to: "c2"),
    ],"#;

const REFERENCED: &str = r#"    network: (agents: "org.agents.csv", ties: "org.ties.csv"),"#;

fn files(agents: &str, ties: &str) -> BTreeMap<String, Vec<u8>> {
    BTreeMap::from([
        ("org.agents.csv".to_owned(), agents.as_bytes().to_vec()),
        ("org.ties.csv".to_owned(), ties.as_bytes().to_vec()),
    ])
}

fn referenced(agents: &str, ties: &str) -> Result<Scenario, ScenarioErrors> {
    parse_str_with(
        &scenario(REFERENCED),
        "org.scenario.ron",
        &files(agents, ties),
    )
}

/// The embedded form, with the named agents in the order the referenced
/// form gives them (the scenario's own first, then the file's).
fn embedded() -> Scenario {
    // `boss` is in the scenario's own `agents` in both forms: merge the
    // two lists into one.
    let text = scenario(EMBEDDED).replace(
        "    agents: [ (id: \"boss\", group: \"Sales\") ],\n    agents: [\n",
        "    agents: [\n        (id: \"boss\", group: \"Sales\"),\n",
    );
    parse_str(&text, "org.scenario.ron").unwrap_or_else(|e| panic!("{e}"))
}

fn errors(agents: &str, ties: &str) -> Vec<String> {
    referenced(agents, ties)
        .expect_err("refused")
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn a_referenced_network_is_the_embedded_scenario_and_gives_the_same_run() {
    let by_reference = referenced(AGENTS_CSV, TIES_CSV).unwrap_or_else(|e| panic!("{e}"));
    let embedded = embedded();
    assert_eq!(by_reference.named_agents.len(), 5);
    assert_eq!(by_reference.named_ties.len(), 5);
    assert!(by_reference == embedded, "the resolved scenarios differ");
    let mut a = Simulation::new(&by_reference, RunOptions::default()).unwrap();
    let mut b = Simulation::new(&embedded, RunOptions::default()).unwrap();
    for _ in 0..30 {
        a.step();
        b.step();
        assert_eq!(a.state_hash(), b.state_hash(), "step {}", a.step_index());
    }
    // The file's agents joined their groups after the generated members.
    let lee = by_reference.find_agent("Lee, Ann").unwrap();
    let support = &by_reference.groups[1];
    assert_eq!(lee, support.first + support.generated);
}

#[test]
fn windows_files_read_alike() {
    let crlf = |s: &str| format!("\u{feff}{}", s.replace('\n', "\r\n"));
    let by_reference =
        referenced(&crlf(AGENTS_CSV), &crlf(TIES_CSV)).unwrap_or_else(|e| panic!("{e}"));
    assert!(by_reference == embedded());
}

#[test]
fn problems_in_the_agents_file_are_located_at_their_row_and_column() {
    let agents = "id,group,needs,start\n\
ok,Customers,,\n\
ok,Customers,,\n\
x#1,Sales,,\n\
y,Nowhere,,\n\
z,Customers,0.5;2,\n\
s,Sales,,Advocate\n\
w,Customers,,Bored\n";
    assert_eq!(
        errors(agents, TIES_CSV),
        [
            "org.agents.csv:3:1: id: duplicate id \"ok\" (first on line 2)",
            "org.agents.csv:4:1: id: \"x#1\" is not a usable id: it must be non-empty and contain no '#' (generated agents are \"<group>#<i>\")",
            "org.agents.csv:5:3: group: unknown group \"Nowhere\"; groups are: \"Sales\", \"Support\", \"Customers\", \"Prospects\"",
            "org.agents.csv:6:13: needs: \"0.5;2\" is not 4 numbers in 0 to 1 separated by ';'",
            "org.agents.csv:7:10: start: `start` applies to existing and new customers only",
            "org.agents.csv:8:14: start: unknown lifecycle state \"Bored\"; states are Unaware, Aware, Considering, Customer, Advocate, Churned, Returning",
        ]
    );
}

#[test]
fn a_part_or_role_column_must_agree_with_the_group() {
    let agents = "id,part,group,role\n\
a,department,Sales,Sales\n\
b,existing_customer,Sales,\n\
c,department,Support,Product\n\
d,customers,Customers,Sales\n";
    assert_eq!(
        errors(agents, TIES_CSV),
        [
            "org.agents.csv:3:3: part: \"Sales\" is a group of part Department, not ExistingCustomer",
            "org.agents.csv:4:22: role: \"Support\" is a Support department, not Product",
            "org.agents.csv:5:23: role: a role applies to departments only",
        ]
    );
}

#[test]
fn unknown_and_repeated_columns_and_a_missing_one_are_refused() {
    assert_eq!(
        errors("id,group,neds,ID\nc1,Customers,,\n", TIES_CSV),
        [
            "org.agents.csv:1:10: neds: unknown column \"neds\"; columns are id, group, part, role, start, needs",
            "org.agents.csv:1:15: id: the column \"id\" is given twice",
        ]
    );
    assert_eq!(
        errors("id,part\nc1,Customers\n", TIES_CSV),
        ["org.agents.csv:1:1: the header needs an \"id\" and a \"group\" column"]
    );
    assert_eq!(
        errors("", TIES_CSV),
        [
            "org.agents.csv:1:1: the file is empty; it needs a header row: id,group (then part, role, start, needs as wanted)"
        ]
    );
    assert_eq!(
        errors("id,group\n\n", TIES_CSV),
        ["org.agents.csv:2:1: no agents: the file has a header but no rows"]
    );
}

#[test]
fn problems_in_the_ties_file_are_located_at_their_row_and_column() {
    let ties = "source,target,channel\n\
boss,nobody,\n\
c1,c1,\n\
Sales#9,c2,\n\
boss,Sales#1,Support\n\
c1,c2,Pigeon\n";
    assert_eq!(
        errors(AGENTS_CSV, ties),
        [
            "org.ties.csv:2:6: to: no agent has id \"nobody\"; use an id of the agents file, of the scenario's `agents`, or \"<group>#<i>\" with i below the group's count",
            "org.ties.csv:3:4: to: a tie from \"c1\" to itself; ties join two different agents",
            "org.ties.csv:4:1: from: no agent has id \"Sales#9\"; use an id of the agents file, of the scenario's `agents`, or \"<group>#<i>\" with i below the group's count",
            "org.ties.csv:5:14: channel: a channel applies only to ties between the organisation (departments, partners) and customers",
            "org.ties.csv:6:7: channel: unknown channel \"Pigeon\"; channels are Support, Sales, Retail, App, Community, Reseller",
        ]
    );
}

#[test]
fn a_row_with_more_or_fewer_fields_than_the_header_is_refused() {
    assert_eq!(
        errors("id,group\nc1,Customers,Advocate\nc2\n", TIES_CSV),
        [
            "org.agents.csv:2:1: 3 fields, but the header has 2",
            "org.agents.csv:3:1: 1 field, but the header has 2",
        ]
    );
}

#[test]
fn a_quoted_id_is_kept_exactly_and_one_without_quotes_is_trimmed() {
    let sc = referenced(
        "id,group\n\" a \",Customers\n  a  ,Customers\n\"b\r\nc\",Customers\n",
        "from,to\n\" a \",a\n\"b\r\nc\",a\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let (spaced, plain) = (sc.find_agent(" a ").unwrap(), sc.find_agent("a").unwrap());
    assert_ne!(spaced, plain);
    assert!(sc.find_agent("b\r\nc").is_some());
    assert_eq!(sc.named_ties.len(), 2);
}

#[test]
fn an_id_the_scenario_names_itself_is_not_named_again() {
    assert_eq!(
        errors("id,group\nboss,Sales\n", TIES_CSV),
        [
            "org.agents.csv:2:1: id: an agent with id \"boss\" is already defined in the scenario's `agents`"
        ]
    );
}

#[test]
fn a_file_that_cannot_be_read_is_named_at_the_scenario_field() {
    let text = scenario(r#"    network: (agents: "gone.csv", ties: "org.ties.csv"),"#);
    let errs = parse_str_with(&text, "org.scenario.ron", &files(AGENTS_CSV, TIES_CSV))
        .expect_err("refused");
    let first = errs.iter().next().unwrap();
    assert_eq!(first.kind, ErrorKind::Io);
    assert_eq!(
        first.to_string(),
        "org.scenario.ron:12:23: network.agents: cannot read \"gone.csv\": no such file"
    );
    // Text given without a file cannot name files.
    let errs = parse_str(&scenario(REFERENCED), "org.scenario.ron").expect_err("refused");
    let shown = errs.to_string();
    assert!(
        shown.starts_with("org.scenario.ron:12:23: network.agents: cannot read \"org.agents.csv\": network files are named relative to the scenario file"),
        "{shown}"
    );
    let errs = parse_str(&scenario("    network: (),"), "x.scenario.ron").expect_err("refused");
    assert!(
        errs.to_string()
            .contains("network: name an agents file, a ties file or both"),
        "{errs}"
    );
}

#[test]
fn the_limits_stop_a_file_with_too_many_rows() {
    let text = scenario(REFERENCED).replace(
        "    steps: 30,\n",
        "    steps: 30,\n    limits: (max_agents: 18, max_ties: 1000),\n",
    );
    // 16 agents before the file (15 generated and boss): room for two.
    let errs = parse_str_with(&text, "org.scenario.ron", &files(AGENTS_CSV, TIES_CSV))
        .expect_err("refused")
        .to_string();
    assert!(
        errs.starts_with("org.agents.csv:4:1: more agents than limits.max_agents allows (2 here after the scenario's own)"),
        "{errs}"
    );
}

#[test]
fn reporting_stops_after_so_many_problems() {
    let mut agents = String::from("id,group\n");
    for i in 0..10 * MAX_ERRORS {
        agents.push_str(&format!("a{i},Nowhere\n"));
    }
    let errs = errors(&agents, TIES_CSV);
    assert_eq!(errs.len(), MAX_ERRORS);
    assert!(
        errs.last()
            .unwrap()
            .ends_with("problems in this file, reading stopped"),
        "{}",
        errs.last().unwrap()
    );
}

#[test]
fn files_beside_a_scenario_on_disk_are_read_and_reported_for_watching() {
    let dir = std::env::temp_dir().join(format!("siloscope-network-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("data")).unwrap();
    let path = dir.join("org.scenario.ron");
    std::fs::write(
        &path,
        scenario(r#"    network: (agents: "data/org.agents.csv", ties: "data/org.ties.csv"),"#),
    )
    .unwrap();
    std::fs::write(dir.join("data/org.agents.csv"), AGENTS_CSV).unwrap();
    std::fs::write(dir.join("data/org.ties.csv"), TIES_CSV).unwrap();
    let (read, watched) = siloscope_scenario::files::read_scenario_watched(&path);
    let read = read.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(read.named_ties, embedded().named_ties);
    assert_eq!(
        watched,
        [
            dir.join("data/org.agents.csv"),
            dir.join("data/org.ties.csv")
        ]
    );
    // A directory in place of a file is refused, naming the field.
    std::fs::remove_file(dir.join("data/org.ties.csv")).unwrap();
    std::fs::create_dir(dir.join("data/org.ties.csv")).unwrap();
    let errs = siloscope_scenario::files::read_scenario(&path)
        .expect_err("refused")
        .to_string();
    assert!(
        errs.contains("network.ties: cannot read \"data/org.ties.csv\": is a directory"),
        "{errs}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Any bytes as either file: refused with located errors or read, never
    /// a panic.
    #[test]
    fn any_bytes_are_read_or_refused_with_a_position(
        agents in proptest::collection::vec(any::<u8>(), 0..200),
        ties in proptest::collection::vec(any::<u8>(), 0..200),
        header in any::<bool>(),
    ) {
        let mut a = if header { b"id,group\n".to_vec() } else { Vec::new() };
        a.extend(agents);
        let mut t = if header { b"from,to\n".to_vec() } else { Vec::new() };
        t.extend(ties);
        let files = BTreeMap::from([
            ("org.agents.csv".to_owned(), a),
            ("org.ties.csv".to_owned(), t),
        ]);
        if let Err(errs) = parse_str_with(&scenario(REFERENCED), "org.scenario.ron", &files) {
            for e in errs.iter() {
                prop_assert!(e.line >= 1 && e.column >= 1, "{e}");
                prop_assert!(!e.to_string().chars().any(char::is_control), "{e}");
            }
        }
    }
}

/// Parquet network files (feature `parquet`): integer ids, strings, nulls;
/// the same organisation as the CSV pair, and problems at (row, column).
#[cfg(feature = "parquet")]
mod parquet_files {
    use super::*;
    use parquet::data_type::{ByteArray, ByteArrayType, Int64Type};
    use parquet::file::writer::SerializedFileWriter;
    use parquet::schema::parser::parse_message_type;
    use std::sync::Arc;

    /// A column of a Parquet file: integers, or strings (`None` is null).
    enum Column {
        Ints(Vec<i64>),
        Strings(Vec<Option<&'static str>>),
    }

    fn parquet(schema: &str, columns: Vec<Column>) -> Vec<u8> {
        let schema = Arc::new(parse_message_type(schema).unwrap());
        let mut bytes = Vec::new();
        let mut writer = SerializedFileWriter::new(&mut bytes, schema, Default::default()).unwrap();
        let mut group = writer.next_row_group().unwrap();
        for column in columns {
            let mut writing = group.next_column().unwrap().unwrap();
            match column {
                Column::Ints(v) => {
                    writing
                        .typed::<Int64Type>()
                        .write_batch(&v, None, None)
                        .unwrap();
                }
                Column::Strings(v) => {
                    let present: Vec<ByteArray> =
                        v.iter().flatten().map(|s| ByteArray::from(*s)).collect();
                    let defined: Vec<i16> = v.iter().map(|s| i16::from(s.is_some())).collect();
                    writing
                        .typed::<ByteArrayType>()
                        .write_batch(&present, Some(&defined), None)
                        .unwrap();
                }
            }
            writing.close().unwrap();
        }
        group.close().unwrap();
        writer.close().unwrap();
        bytes
    }

    const AGENTS: &str = "message agents { REQUIRED INT64 id; REQUIRED BYTE_ARRAY group (UTF8); OPTIONAL BYTE_ARRAY start (UTF8); OPTIONAL BYTE_ARRAY needs (UTF8); }";
    const TIES: &str = "message ties { REQUIRED INT64 source; REQUIRED INT64 target; OPTIONAL BYTE_ARRAY channel (UTF8); }";

    fn read(agents: Vec<u8>, ties: Vec<u8>) -> Result<Scenario, ScenarioErrors> {
        let text =
            scenario(r#"    network: (agents: "org.agents.parquet", ties: "org.ties.PARQUET"),"#);
        let files = BTreeMap::from([
            ("org.agents.parquet".to_owned(), agents),
            ("org.ties.PARQUET".to_owned(), ties),
        ]);
        parse_str_with(&text, "org.scenario.ron", &files)
    }

    fn agents(groups: [&'static str; 3]) -> Vec<u8> {
        parquet(
            AGENTS,
            vec![
                Column::Ints(vec![1, 2, 3]),
                Column::Strings(groups.map(Some).to_vec()),
                Column::Strings(vec![Some("Advocate"), None, None]),
                Column::Strings(vec![Some("0.9;0.1;0.5;0.5"), None, None]),
            ],
        )
    }

    #[test]
    fn a_parquet_pair_is_the_csv_pair() {
        let ties = parquet(
            TIES,
            vec![
                Column::Ints(vec![1, 1, 3]),
                Column::Ints(vec![2, 3, 2]),
                Column::Strings(vec![None, Some("Support"), None]),
            ],
        );
        let from_parquet = read(agents(["Customers", "Prospects", "Support"]), ties)
            .unwrap_or_else(|e| panic!("{e}"));
        let csv = referenced(
            "id,group,start,needs\n1,Customers,Advocate,0.9;0.1;0.5;0.5\n2,Prospects,,\n3,Support,,\n",
            "from,to,channel\n1,2,\n1,3,Support\n3,2,\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(from_parquet == csv, "the scenarios differ");
        assert_eq!(from_parquet.named_ties.len(), 3);
    }

    #[test]
    fn problems_in_a_parquet_file_are_at_their_row_and_column() {
        let ties = parquet(
            TIES,
            vec![
                Column::Ints(vec![1]),
                Column::Ints(vec![9]),
                Column::Strings(vec![None]),
            ],
        );
        let errs = read(agents(["Customers", "Nowhere", "Support"]), ties.clone())
            .expect_err("refused")
            .to_string();
        assert!(
            errs.starts_with("org.agents.parquet:2:2: group: unknown group \"Nowhere\""),
            "{errs}"
        );
        let errs = read(agents(["Customers", "Prospects", "Support"]), ties)
            .expect_err("refused")
            .to_string();
        assert!(
            errs.starts_with("org.ties.PARQUET:1:2: to: no agent has id \"9\""),
            "{errs}"
        );
        let errs = read(b"PAR1 not really".to_vec(), Vec::new())
            .expect_err("refused")
            .to_string();
        assert!(
            errs.contains(
                "network.agents: cannot read \"org.agents.parquet\": not a readable Parquet file"
            ),
            "{errs}"
        );
    }
}

/// Without the `parquet` feature a Parquet file is refused with what to do.
#[cfg(not(feature = "parquet"))]
#[test]
fn without_the_parquet_feature_a_parquet_file_says_how_to_get_it() {
    let text = scenario(r#"    network: (agents: "org.agents.parquet"),"#);
    let files = BTreeMap::from([("org.agents.parquet".to_owned(), b"PAR1".to_vec())]);
    let errs = parse_str_with(&text, "org.scenario.ron", &files)
        .expect_err("refused")
        .to_string();
    assert!(
        errs.contains("network.agents: cannot read \"org.agents.parquet\": this siloscope was built without Parquet (build it with `--features parquet`)"),
        "{errs}"
    );
}
