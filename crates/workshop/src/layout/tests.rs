use super::*;
use siloscope_scenario::parse_str;

fn workshop() -> (Scenario, Network) {
    let s = parse_str(
        include_str!("../../../../scenarios/workshop.scenario.ron"),
        "workshop.scenario.ron",
    )
    .unwrap();
    let net = Network::build(&s, s.seed).unwrap();
    (s, net)
}

#[test]
fn every_agent_is_placed_inside_its_group_region() {
    let (s, net) = workshop();
    for picture in [Picture::Extranet, Picture::Separate] {
        let l = layout(&s, &net, picture, 7);
        assert_eq!(l.pos.len(), net.agents());
        for (a, p) in l.pos.iter().enumerate() {
            assert!(p[0].is_finite() && p[1].is_finite());
            let region = &l.groups[net.group[a] as usize];
            assert!(
                region.contains(*p),
                "{picture:?}: agent {a} at {p:?} outside {region:?}"
            );
        }
    }
}

/// Organisations missing whole parts (or with an empty group) still get
/// a finite picture with every agent inside its region.
#[test]
fn lopsided_organisations_are_laid_out() {
    let groups = [
        r#"(name: "Product", part: Department, role: Product, count: 4)"#,
        r#"(name: "Only", part: Department, role: Support, count: 1)"#,
        r#"(name: "Customers", part: ExistingCustomer, count: 30, ties: Random(density: 0.2))"#,
        r#"(name: "Prospects", part: NewCustomer, count: 1)"#,
        r#"(name: "Partners", part: Partner, count: 5, ties: Complete)"#,
        r#"(name: "Nobody", part: ExistingCustomer, count: 0), (name: "P", part: Department, count: 2)"#,
    ];
    for g in groups {
        let src = format!("Scenario(name: \"lopsided\", groups: [{g}])");
        let s = parse_str(&src, "lopsided.scenario.ron").unwrap();
        let net = Network::build(&s, s.seed).unwrap();
        for picture in [Picture::Extranet, Picture::Separate] {
            let l = layout(&s, &net, picture, 5);
            assert_eq!(l.pos.len(), net.agents(), "{g}");
            for (a, p) in l.pos.iter().enumerate() {
                assert!(p[0].is_finite() && p[1].is_finite(), "{g}: {p:?}");
                assert!(l.groups[net.group[a] as usize].contains(*p), "{g}: {p:?}");
            }
            for r in &l.groups {
                assert!(
                    r.centre.iter().all(|c| c.is_finite()) && r.outer.is_finite(),
                    "{g}"
                );
            }
        }
    }
}

#[test]
fn the_same_seed_gives_the_same_layout_and_another_seed_another() {
    let (s, net) = workshop();
    let a = layout(&s, &net, Picture::Extranet, 1);
    assert_eq!(a, layout(&s, &net, Picture::Extranet, 1));
    assert_ne!(a.pos, layout(&s, &net, Picture::Extranet, 2).pos);
}

#[test]
fn departments_are_separate_clusters_and_parts_nest_as_rings() {
    let (s, net) = workshop();
    let l = layout(&s, &net, Picture::Extranet, 3);
    let depts: Vec<usize> = (0..s.groups.len())
        .filter(|&g| s.groups[g].part == Part::Department)
        .collect();
    assert_eq!(depts.len(), 6);
    for (i, &a) in depts.iter().enumerate() {
        for &b in &depts[i + 1..] {
            let (ra, rb) = (l.groups[a], l.groups[b]);
            let d = (ra.centre[0] - rb.centre[0]).hypot(ra.centre[1] - rb.centre[1]);
            assert!(d > ra.outer + rb.outer, "departments {a} and {b} overlap");
        }
    }
    // Rings in the order of seed 003, each outside the one before.
    let order: Vec<Part> = l.parts.iter().map(|f| f.part).collect();
    assert_eq!(order, Part::ALL);
    for w in l.parts.windows(2) {
        assert!(w[1].inner > w[0].outer, "{w:?}");
    }
}

#[test]
fn separate_circles_do_not_overlap_and_customers_come_first() {
    let (s, net) = workshop();
    let l = layout(&s, &net, Picture::Separate, 3);
    for (i, a) in l.parts.iter().enumerate() {
        for b in &l.parts[i + 1..] {
            let d = (a.centre[0] - b.centre[0]).hypot(a.centre[1] - b.centre[1]);
            assert!(d > a.outer + b.outer, "{a:?} overlaps {b:?}");
        }
    }
    let x = |part: Part| l.parts.iter().find(|f| f.part == part).unwrap().centre[0];
    assert!(x(Part::NewCustomer) < x(Part::ExistingCustomer));
    assert!(x(Part::ExistingCustomer) < x(Part::Department));
    assert!(x(Part::Department) < x(Part::Partner));
}

#[test]
fn refinement_pulls_tied_agents_together() {
    let (s, net) = workshop();
    let mean_tie_length = |pos: &[[f32; 2]]| {
        let (mut sum, mut n) = (0.0f64, 0u32);
        for a in 0..net.agents() {
            for t in net.offsets[a] as usize..net.offsets[a + 1] as usize {
                let b = net.target[t] as usize;
                if net.group[a] == net.group[b] {
                    sum += f64::from((pos[a][0] - pos[b][0]).hypot(pos[a][1] - pos[b][1]));
                    n += 1;
                }
            }
        }
        sum / f64::from(n)
    };
    let (groups, _) = regions(&s, Picture::Extranet);
    let mut rng = SimRng::new(5, Stream::Layout);
    let mut pos: Vec<[f32; 2]> = (0..net.agents())
        .map(|a| groups[net.group[a] as usize].sample(&mut rng))
        .collect();
    let before = mean_tie_length(&pos);
    refine(&net, &groups, &mut pos, 60);
    let after = mean_tie_length(&pos);
    assert!(after < 0.8 * before, "{before} -> {after}");
}

#[test]
fn clamping_snaps_to_the_nearer_edge_of_a_sector() {
    let r = Region {
        centre: [0.0, 0.0],
        inner: 1.0,
        outer: 2.0,
        start: 0.0,
        sweep: 1.0,
    };
    assert!(r.contains([1.5, 0.1]));
    assert!(!r.contains([0.0, 0.0]));
    let q = r.clamp([1.5, -0.2]);
    assert!(q[1].abs() < 1e-5 && (q[0] - 1.5).abs() < 0.02, "{q:?}");
    let q = r.clamp([0.2, 0.0]);
    assert!((q[0] - 1.0).abs() < 1e-5);
}
