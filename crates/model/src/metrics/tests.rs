use super::*;

#[test]
fn every_row_names_a_catalogued_metric_and_is_finite() {
    let mut r = StepReport {
        trust_from: [0.5; 4],
        trust_toward: [0.5; 4],
        ..Default::default()
    };
    r.satisfaction = [f64::NAN, f64::NAN, 0.7, f64::NAN];
    r.group_names = vec!["Product".to_owned()].into();
    r.department_flows = vec![DepartmentFlows {
        external: 1,
        internal: 3,
    }];
    let mut rows = Vec::new();
    r.rows(|m, p, v| rows.push((m, p.to_owned(), v)));
    for (m, _, v) in &rows {
        assert!(metric(m).is_some(), "{m} is not in METRICS");
        assert!(v.is_finite());
    }
    // A mean over nothing gives no row, not NaN.
    assert!(
        !rows
            .iter()
            .any(|(m, p, _)| *m == "satisfaction" && p == "new_customers")
    );
    assert!(
        rows.iter()
            .any(|(m, p, v)| *m == "ei_index_department" && p == "Product" && *v == -0.5)
    );
    assert!(!rows.iter().any(|(m, _, _)| *m == "need_latency"));
}

#[test]
fn every_metric_has_one_name_and_labels_for_people() {
    let mut names: Vec<&str> = METRICS.iter().map(|m| m.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), METRICS.len(), "metric names are unique");
    for m in METRICS {
        assert!(!m.label.is_empty() && !m.meaning.is_empty(), "{}", m.name);
        assert!(
            !m.short.is_empty() && m.short.len() <= m.label.len(),
            "{}: the short label is the shorter",
            m.name
        );
        assert_eq!(label(m.name), m.label);
        assert_eq!(short_label(m.name), m.short);
    }
    assert_eq!(label("no_such_metric"), "no_such_metric");
}
