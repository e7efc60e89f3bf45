//! Target files (`*.targets.ron`): what is observed, and which factors may
//! move to reproduce it. Checked like scenarios: every problem located at
//! its line, column and field.
//!
//! ```ron
//! Targets(
//!     policy: "inside_out",   // the runs start from it (else the scenario's)
//!     vary: { "transparency": (0.0, 1.0), "model.forgetting": (0.95, 0.99) },
//!     targets: [
//!         // steps as in the time series: step 0 is the first
//!         (metric: "customer_trust_in_org", step: 52, value: 0.61, sd: 0.02),
//!         (metric: "customers", part: "existing_customers", step: 104, value: 170, sd: 10),
//!     ],
//! )
//! ```

use crate::sensitivity::{Factor, Range, Screen, check};
use serde::Deserialize;
use siloscope_scenario::format::OrderedMap;
use siloscope_scenario::locate::{FieldPath, error_at};
use siloscope_scenario::{ErrorKind, Scenario, ScenarioError, ScenarioErrors};
use std::path::Path;

/// One observation.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    /// The metric, as in the time series.
    pub metric: String,
    /// Its part (`all` for single-valued metrics).
    pub part: String,
    /// The step it is observed at.
    pub step: u32,
    /// The observed value.
    pub value: f64,
    /// Its uncertainty (a standard deviation, above 0).
    pub sd: f64,
}

/// A checked target file.
#[derive(Clone, Debug, PartialEq)]
pub struct Targets {
    /// The policy the runs start from.
    pub policy: Option<String>,
    /// The factors and their prior ranges.
    pub factors: Vec<Range>,
    /// The observations.
    pub targets: Vec<Target>,
}

#[derive(Deserialize)]
#[serde(rename = "Targets", deny_unknown_fields)]
struct TargetsFile {
    #[serde(default)]
    policy: Option<String>,
    vary: OrderedMap<(f64, f64)>,
    targets: Vec<TargetSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetSpec {
    metric: String,
    #[serde(default = "all")]
    part: String,
    step: u32,
    value: f64,
    sd: f64,
}

fn all() -> String {
    "all".into()
}

/// Read and check a target file against the scenario it calibrates.
pub fn read_targets(path: &Path, scenario: &Scenario) -> Result<Targets, ScenarioErrors> {
    const LIMIT: siloscope_files::Limit = siloscope_files::Limit {
        max_bytes: 1 << 20,
        what: "target files",
        expected: "a .targets.ron file",
    };
    let bytes = siloscope_scenario::files::read_limited(path, &LIMIT)?;
    let file = path.display().to_string();
    parse_targets(siloscope_scenario::utf8(&bytes, &file)?, &file, scenario)
}

/// Parse and check target text; `file` names it in messages.
pub fn parse_targets(
    src: &str,
    file: &str,
    scenario: &Scenario,
) -> Result<Targets, ScenarioErrors> {
    let raw: TargetsFile = siloscope_scenario::from_ron(src, file)?;
    let mut errors: Vec<ScenarioError> = Vec::new();
    let mut err =
        |path: &FieldPath, message: String| errors.push(error_at(src, file, path, message));
    let root = FieldPath::root();
    if let Some(p) = &raw.policy
        && scenario.policy(p).is_none()
    {
        err(
            &root.field("policy"),
            format!(
                "unknown policy \"{p}\"; policies are: {}",
                scenario.policy_names().join(", ")
            ),
        );
    }
    let screen = |metric: &str, part: &str, factors: Vec<Range>| Screen {
        metric: metric.to_owned(),
        part: part.to_owned(),
        policy: raw.policy.clone().filter(|p| scenario.policy(p).is_some()),
        against: None,
        factors,
        replicates: 2,
        steps: None,
        seed: None,
        jobs: 1,
    };
    let mut factors = Vec::new();
    if raw.vary.0.is_empty() {
        err(
            &root.field("vary"),
            "name at least one factor to calibrate, e.g. { \"transparency\": (0.0, 1.0) }".into(),
        );
    }
    for (name, &(low, high)) in raw.vary.iter() {
        let path = root.field("vary").key(name);
        let Some(factor) = Factor::parse(name) else {
            err(
                &path,
                format!("\"{name}\" is neither a knob nor a model assumption (model.<name>)"),
            );
            continue;
        };
        if !(low.is_finite() && high.is_finite() && low < high) {
            err(
                &path,
                format!("({low}, {high}) is not a range: the low end must be below the high end"),
            );
            continue;
        }
        let range = Range { factor, low, high };
        // The levels are checked as a screen checks them (a metric every
        // scenario has stands in for the targets').
        match check(
            scenario,
            &screen("customer_trust_in_org", "all", vec![range]),
        ) {
            Ok(()) => factors.push(range),
            Err(e) => err(&path, e.to_string()),
        }
    }
    if raw.targets.is_empty() {
        err(
            &root.field("targets"),
            "no targets: name at least one observed value".into(),
        );
    }
    let mut targets = Vec::new();
    for (i, t) in raw.targets.iter().enumerate() {
        let path = root.field("targets").index(i);
        let mut ok = true;
        if t.step >= siloscope_scenario::MAX_STEPS {
            err(
                &path.field("step"),
                format!(
                    "{} is out of range; allowed 0 to {} (numbered as in the time series, from 0)",
                    t.step,
                    siloscope_scenario::MAX_STEPS - 1
                ),
            );
            ok = false;
        }
        if !t.value.is_finite() {
            err(
                &path.field("value"),
                "the observed value must be a finite number".into(),
            );
            ok = false;
        }
        if !(t.sd.is_finite() && t.sd > 0.0) {
            err(
                &path.field("sd"),
                format!(
                    "{} is not an uncertainty: a standard deviation above 0",
                    t.sd
                ),
            );
            ok = false;
        }
        // The metric and its part, against a few steps of the scenario.
        if let Err(e) = check(scenario, &screen(&t.metric, &t.part, factors.clone())) {
            let field = if e.to_string().contains("unknown metric") {
                "metric"
            } else {
                "part"
            };
            err(&path.field(field), e.to_string());
            ok = false;
        }
        if ok {
            targets.push(Target {
                metric: t.metric.clone(),
                part: t.part.clone(),
                step: t.step,
                value: t.value,
                sd: t.sd,
            });
        }
    }
    if errors.is_empty() {
        Ok(Targets {
            policy: raw.policy,
            factors,
            targets,
        })
    } else {
        for e in &mut errors {
            e.kind = ErrorKind::Validation;
        }
        Err(ScenarioErrors(errors))
    }
}
