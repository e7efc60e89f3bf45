//! The example dataset: `scenarios/data/acme_{agents,ties}.csv` is the
//! network of `scenarios/silos_and_trust.scenario.ron` written out as an
//! analyst's CSVs would be (ids without '#'), and
//! `scenarios/acme_imported.scenario.ron` with its network files
//! `scenarios/acme_imported.{agents,ties}.csv` is what `siloscope import`
//! makes of them. All are generated here and must match the committed files; set
//! `SILOSCOPE_REGENERATE=1` to rewrite them after a deliberate change.

use siloscope_model::agent::{Channel, Part};
use siloscope_model::network::TieKind;
use siloscope_model::sim::{RunOptions, Simulation};
use siloscope_scenario::import::{Csv, ImportOptions, Referenced, import};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const AGENTS: &str = "scenarios/data/acme_agents.csv";
const TIES: &str = "scenarios/data/acme_ties.csv";
const SCENARIO: &str = "scenarios/acme_imported.scenario.ron";
const NETWORK_AGENTS: &str = "scenarios/acme_imported.agents.csv";
const NETWORK_TIES: &str = "scenarios/acme_imported.ties.csv";

fn root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn source() -> Simulation {
    let scenario = siloscope_scenario::files::read_scenario(
        &root().join("scenarios/silos_and_trust.scenario.ron"),
    )
    .unwrap();
    Simulation::new(&scenario, RunOptions::default()).unwrap()
}

fn id(sim: &Simulation, a: u32) -> String {
    sim.scenario().agent_id(a).replace('#', "-")
}

/// The example CSVs, generated.
fn example() -> (String, String) {
    let sim = source();
    let (sc, net) = (sim.scenario(), sim.network());
    let mut agents = String::from("id,part,group,role,start\n");
    for a in 0..net.agents() as u32 {
        let group = &sc.groups[net.group[a as usize] as usize];
        let role = if group.part == Part::Department {
            format!("{:?}", group.role)
        } else {
            String::new()
        };
        let start = sim
            .lifecycle(a)
            .map(|s| format!("{s:?}"))
            .unwrap_or_default();
        agents.push_str(&format!(
            "{},{},{},{role},{start}\n",
            id(&sim, a),
            group.part.label(),
            group.name
        ));
    }
    let mut ties = String::from("source,target,channel\n");
    for a in 0..net.agents() {
        for t in net.offsets[a] as usize..net.offsets[a + 1] as usize {
            let b = net.target[t];
            if (b as usize) < a {
                continue;
            }
            let channel = if net.kind_of(t) == TieKind::Touchpoint {
                format!("{:?}", Channel::from_u8(net.channel[t]))
            } else {
                String::new()
            };
            ties.push_str(&format!(
                "{},{},{channel}\n",
                id(&sim, a as u32),
                id(&sim, b)
            ));
        }
    }
    (agents, ties)
}

/// What `siloscope import --agents … --ties … --name "Acme (imported)"`
/// writes: the scenario and its network files.
fn imported(agents: &str, ties: &str) -> Referenced {
    let options = ImportOptions {
        name: "Acme (imported)".into(),
        steps: 104,
        step_unit: "week".into(),
        seed: 1,
        min_weight: None,
    };
    import(
        Csv {
            name: AGENTS,
            text: agents,
        },
        Csv {
            name: TIES,
            text: ties,
        },
        &options,
    )
    .unwrap_or_else(|e| panic!("{e}"))
    .referenced("acme_imported.agents.csv", "acme_imported.ties.csv")
}

fn check(path: &str, generated: &str) {
    let file = root().join(path);
    if std::env::var_os("SILOSCOPE_REGENERATE").is_some() {
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, generated).unwrap();
    }
    let committed = std::fs::read_to_string(&file).unwrap_or_default();
    assert!(
        committed == generated,
        "{path} is out of date; regenerate with SILOSCOPE_REGENERATE=1 cargo test --test tests import"
    );
}

#[test]
fn the_example_dataset_and_its_scenario_are_up_to_date() {
    let (agents, ties) = example();
    check(AGENTS, &agents);
    check(TIES, &ties);
    let written = imported(&agents, &ties);
    check(SCENARIO, &written.scenario);
    check(NETWORK_AGENTS, &written.agents);
    check(NETWORK_TIES, &written.ties);
}

/// Importing the example gives back the network it was taken from: the
/// same agents in the same groups and parts, and the same ties.
#[test]
fn the_imported_network_is_the_network_it_came_from() {
    let original = source();
    let scenario =
        siloscope_scenario::files::read_scenario(Path::new(&root().join(SCENARIO))).unwrap();
    let copy = Simulation::new(&scenario, RunOptions::default()).unwrap();
    let ties = |sim: &Simulation, name: &dyn Fn(u32) -> String| {
        let net = sim.network();
        let mut set = BTreeSet::new();
        for a in 0..net.agents() {
            for t in net.offsets[a] as usize..net.offsets[a + 1] as usize {
                let (x, y) = (name(a as u32), name(net.target[t]));
                set.insert((x.clone().min(y.clone()), x.max(y), net.kind_of(t) as u8));
            }
        }
        set
    };
    let original_ties = ties(&original, &|a| id(&original, a));
    let copied_ties = ties(&copy, &|a| copy.scenario().agent_id(a));
    assert_eq!(original_ties.len(), copied_ties.len());
    assert!(original_ties == copied_ties, "the tie sets differ");
    let parts = |sim: &Simulation| {
        let mut v: Vec<(String, u8)> = (0..sim.network().agents() as u32)
            .map(|a| {
                (
                    sim.scenario().groups[sim.network().group[a as usize] as usize]
                        .name
                        .clone(),
                    sim.network().part[a as usize] as u8,
                )
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(parts(&original), parts(&copy));
}

/// Every import error for a pair of CSV texts, as printed.
fn refused(agents: &str, ties: &str) -> Vec<String> {
    crate::import_csvs("agents.csv", agents, ties)
        .unwrap_err()
        .shown
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn an_import_csv_loses_nothing_without_a_word() {
    let ties = "source,target\nA,B\n";
    // A quote left open would swallow the rest of the file into one
    // field: refused at the quote, and no "no agents" beside it.
    assert_eq!(
        refused(
            "id,part,group\nA,department,X\nB,department,\"Y\nC,department,Y\n",
            ties
        ),
        ["agents.csv:3:14: a quoted field is not closed: the file ends inside it"]
    );
    // A column given twice: which one is meant is not guessed.
    assert_eq!(
        refused(
            "id,part,group,group\nA,department,X,Y\nB,department,X,Y\n",
            ties
        ),
        ["agents.csv:1:15: group: the column \"group\" is given twice; which one is meant?"]
    );
    // One the import does not read may come twice: it is only ignored.
    let notes = crate::import_csvs(
        "agents.csv",
        "id,notes,part,group,notes\nA,x,department,X,y\nB,,department,X,\n",
        ties,
    )
    .unwrap();
    assert_eq!((notes.agents, notes.ties), (2, 1));
    assert_eq!(
        notes.ignored,
        [("agents.csv".to_owned(), vec!["notes".to_owned()])]
    );
    assert_eq!(
        refused(
            "id,part,group\nA,department,X\nB,department,X\nC,department,X\n",
            "source,target,target\nA,B,C\n"
        ),
        ["ties.csv:1:15: target: the column \"target\" is given twice; which one is meant?"]
    );
    // Blank lines are passed over but counted: each error is where an
    // editor shows it.
    assert_eq!(
        refused(
            "id,part,group\n\nA,department,X\n\nB,departmnt,X\n",
            "source,target\n\n\nA,Q\n"
        ),
        [
            "agents.csv:5:3: part: unknown part \"departmnt\"; parts are department, partner, existing_customer, new_customer",
            "ties.csv:4:3: target: unknown agent \"Q\" (not in agents.csv)",
        ]
    );
    // A record longer than a network file's (a file without line breaks):
    // refused in the file imported, not in the file it would write.
    let long = format!("id,part,group\nA,department,{}\n", "x".repeat(1 << 20));
    let shown = refused(&long, ties);
    assert!(
        shown[0].starts_with("agents.csv:2:1: this record is over 1048576 bytes long"),
        "{shown:#?}"
    );
    // A row of the wrong length says so, in the singular where it is one.
    assert_eq!(
        refused("id,part,group\nA,department,X\nB\n", ties)[0],
        "agents.csv:3:1: 1 field, but the header has 3"
    );
}

#[test]
fn quotes_spaces_and_positions_read_as_an_analyst_means_them() {
    let ties = "source,target\n";
    // Spaces around quotes are not part of a name: one group, one id.
    let done = crate::import_csvs(
        "agents.csv",
        "\" id \",\"part\", \"group\"\n\"A\" ,department,\"Sales\"\nB,department,\"Sales\" \nC,department,\t\"Sales\"\t\n",
        "\"source\" ,target\nA,B\nB,C\n",
    )
    .unwrap();
    assert_eq!((done.agents, done.groups, done.ties), (3, 1, 2));
    // A field after a quoted one spanning lines, or after a stray quote, is
    // located where it is.
    assert_eq!(
        refused("id,part,group\n\"A\nB\",departmnt,X\n", ties),
        [
            "agents.csv:3:4: part: unknown part \"departmnt\"; parts are department, partner, existing_customer, new_customer"
        ]
    );
    assert_eq!(
        refused("id,part,group\n5\" screen,departmnt,X\n", ties),
        [
            "agents.csv:2:11: part: unknown part \"departmnt\"; parts are department, partner, existing_customer, new_customer"
        ]
    );
    // A header alone, without a line break: no agents, on the line there is.
    assert_eq!(
        refused("id,part,group", ties),
        ["agents.csv:1:1: no agents: an organisation needs at least one"]
    );
}

#[test]
fn why_a_file_was_not_read_to_its_end_is_always_shown() {
    let mut agents = String::from("id,part,group\n");
    for i in 0..150 {
        agents.push_str(&format!("a{i},bogus,G\n"));
    }
    agents.push_str("z,department,\"open\n");
    let e = crate::import_csvs("agents.csv", &agents, "source,target\na0,zed\n").unwrap_err();
    let lines: Vec<String> = e.to_string().lines().map(str::to_owned).collect();
    assert_eq!(
        lines[100],
        "agents.csv:152:14: a quoted field is not closed: the file ends inside it"
    );
    assert_eq!(
        lines[101],
        "agents.csv: and 50 more problems in this file, not shown"
    );
    // Ties to agents that may be in the part not read are not reported.
    assert_eq!(lines.len(), 102, "{lines:#?}");
    assert_eq!(e.total(), 151);
}

#[test]
fn ignored_columns_are_named_once_and_at_most_twenty() {
    let mut header = String::from("id,part,group,,");
    for i in 0..30 {
        header.push_str(&format!(",extra{i}"));
    }
    let row = format!("A,department,X{}\n", ",".repeat(32));
    let done =
        crate::import_csvs("agents.csv", &format!("{header}\n{row}"), "source,target\n").unwrap();
    let named = &done.ignored[0].1;
    assert_eq!(named.len(), 21, "{named:?}");
    assert_eq!(named[0], "(a column with no name)");
    assert_eq!(named[20], "and 11 more");
}
