use super::*;

fn options() -> ImportOptions {
    ImportOptions {
        name: "Acme".into(),
        steps: 52,
        step_unit: "week".into(),
        seed: 7,
        min_weight: None,
    }
}

const AGENTS: &str = "id,part,group,role,start,needs,email
ana,department,Product,Product,,,ana@acme.example
ben,Department,Product,,,,ben@acme.example
cy,department,Support,Support,,,cy@acme.example
dee,existing_customer,Shops,,Advocate,0.8;0.2;0.5;0.5,
eli,new_customer,Prospects,,,,
";
const TIES: &str = "source,target,weight,channel
ana,ben,12,
ben,ana,3,
ben,cy,1,
cy,dee,5,Support
dee,eli,2,
";

fn csv<'a>(name: &'a str, text: &'a str) -> Csv<'a> {
    Csv { name, text }
}

#[test]
fn a_small_organisation_becomes_a_valid_scenario() {
    let done = import(csv("agents.csv", AGENTS), csv("ties.csv", TIES), &options()).unwrap();
    assert_eq!(
        (done.agents, done.groups, done.ties, done.merged),
        (5, 4, 4, 1)
    );
    assert_eq!(
        done.ignored,
        [("agents.csv".to_owned(), vec!["email".to_owned()])]
    );
    let scenario = crate::parse_str(&done.embedded(), "acme.scenario.ron")
        .unwrap_or_else(|e| panic!("{e}\n{}", done.embedded()));
    assert_eq!(scenario.name, "Acme");
    assert_eq!(scenario.named_ties.len(), 4);
    let sim = siloscope_model::sim::Simulation::new(&scenario, Default::default()).unwrap();
    assert_eq!(sim.network().agents(), 5);
    assert_eq!(sim.network().ties(), 8, "each tie both ways");
    let dee = scenario.find_agent("dee").unwrap();
    assert_eq!(sim.lifecycle(dee), Some(Lifecycle::Advocate));
    // Light ties can be left out.
    let heavy = ImportOptions {
        min_weight: Some(3.0),
        ..options()
    };
    let done = import(csv("agents.csv", AGENTS), csv("ties.csv", TIES), &heavy).unwrap();
    assert_eq!((done.ties, done.light, done.merged), (2, 2, 1));
}

#[test]
fn every_problem_is_reported_with_file_line_column_and_field() {
    let agents = "id,part,group
ana,department,Product
ana,department,Support
bo#1,partner,Resellers
cy,customer,Product
dan,martian,Mars
";
    let ties = "source,target,weight
ana,zed,1
ana,ana,1
ana,cy,lots
ana,cy
";
    let errors = import(csv("a.csv", agents), csv("t.csv", ties), &options()).unwrap_err();
    let shown: Vec<String> = errors.shown.iter().map(|e| e.to_string()).collect();
    let expected = [
        "a.csv:3:1: id: duplicate id \"ana\" (first on line 2)",
        "a.csv:4:1: id: \"bo#1\" is not a usable id",
        "a.csv:5:4: part: group \"Product\" is departments on line 2",
        "a.csv:6:5: part: unknown part \"martian\"",
        "t.csv:2:5: target: unknown agent \"zed\" (not in a.csv)",
        "t.csv:3:5: target: a tie from \"ana\" to itself",
        "t.csv:4:8: weight: \"lots\" is not a weight",
        "t.csv:5:1: 2 fields, but the header has 3",
    ];
    assert_eq!(shown.len(), expected.len(), "{shown:#?}");
    for (got, want) in shown.iter().zip(expected) {
        assert!(got.starts_with(want), "{got}\n  wanted {want}");
    }
    let empty = import(csv("a.csv", ""), csv("t.csv", TIES), &options()).unwrap_err();
    assert!(
        empty
            .to_string()
            .starts_with("a.csv:1:1: the file is empty"),
        "{empty}"
    );
}

#[test]
fn a_channel_between_two_departments_is_refused_at_its_row() {
    let ties = "source,target,channel\nana,ben,Sales\n";
    let e = import(csv("agents.csv", AGENTS), csv("ties.csv", ties), &options()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "ties.csv:2:9: channel: a channel applies only to ties between the organisation (departments, partners) and customers"
    );
}

#[test]
fn at_most_a_hundred_problems_are_shown_per_file_and_the_rest_counted() {
    let mut agents = String::from("id,part,group\n");
    for i in 0..250 {
        agents.push_str(&format!("a{i},bogus,G\n"));
    }
    let e = import(
        csv("agents.csv", &agents),
        csv("ties.csv", TIES),
        &options(),
    )
    .unwrap_err();
    let from_agents: Vec<&ImportError> =
        e.shown.iter().filter(|e| e.file == "agents.csv").collect();
    assert_eq!(from_agents.len(), 100);
    assert_eq!(e.hidden, [("agents.csv".to_owned(), 150)]);
    // Every problem counted (250 parts and the ties to agents that are not
    // there), and the hidden ones said as a count, not at a place.
    let ties_problems = e.shown.len() - 100;
    assert!(ties_problems > 0, "{e}");
    assert_eq!(e.total(), 250 + ties_problems);
    let lines: Vec<String> = e.to_string().lines().map(str::to_owned).collect();
    assert_eq!(
        lines[99],
        "agents.csv:101:5: part: unknown part \"bogus\"; parts are department, partner, existing_customer, new_customer"
    );
    assert_eq!(
        lines[100],
        "agents.csv: and 150 more problems in this file, not shown"
    );
    assert!(lines[101].starts_with("ties.csv:"), "{}", lines[101]);
}
