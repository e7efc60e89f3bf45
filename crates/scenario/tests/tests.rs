//! Integration tests of the scenario format, in one binary.

mod graph;
mod import;
mod line_endings;
mod malformed;
mod messages;
mod network;

/// Import CSV texts (the agents' under this file name, the ties' as
/// `ties.csv`) with fixed options.
fn import_csvs(
    agents_name: &str,
    agents: &str,
    ties: &str,
) -> Result<siloscope_scenario::import::Imported, siloscope_scenario::import::ImportErrors> {
    use siloscope_scenario::import::{Csv, ImportOptions, import};
    let options = ImportOptions {
        name: "Imported".into(),
        steps: 10,
        step_unit: "week".into(),
        seed: 1,
        min_weight: None,
    };
    let agents = Csv {
        name: agents_name,
        text: agents,
    };
    let ties = Csv {
        name: "ties.csv",
        text: ties,
    };
    import(agents, ties, &options)
}
