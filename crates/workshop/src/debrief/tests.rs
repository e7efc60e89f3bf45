use super::*;
use crate::record::{Note, Prediction, Restored};
use siloscope_model::knob::Knob;

fn workshop() -> Scenario {
    let text = include_str!("../../../../scenarios/workshop.scenario.ron");
    siloscope_scenario::parse_str(text, "workshop.scenario.ron").unwrap()
}

fn about() -> About {
    About {
        session: "w.session.ron".into(),
        saved: "2026-11-29T10:00:00Z".into(),
        scenario_path: "/s/workshop.scenario.ron".into(),
        scenario_hash: "0123456789abcdef".into(),
    }
}

/// A session: A edited and branched, B compared, a hostile note, two
/// predictions (one reached, one not).
fn session(sc: &Scenario) -> Restored {
    let mut runs = Runs::new(Session::new(sc, None, None).unwrap());
    runs.goto(30);
    runs.compare("connected").unwrap();
    runs.goto(20);
    runs.a_mut().set_knob(Knob::Transparency, 0.9).unwrap();
    runs.goto(60);
    Restored {
        notes: vec![Note {
            step: 20,
            side: Side::A,
            agent: None,
            text: "<script>alert('x')</script> & they said \"open up\"".into(),
        }],
        predictions: vec![
            Prediction {
                metric: "loop_closure_share".into(),
                step: 52,
                value: 0.3,
                by: "Sales & Marketing".into(),
                side: Side::B,
            },
            Prediction {
                metric: "customers".into(),
                step: 104,
                value: 120.0,
                by: String::new(),
                side: Side::A,
            },
        ],
        ..Restored::new(runs)
    }
}

#[test]
fn the_debrief_holds_the_session_and_the_story_and_nothing_external() {
    let sc = workshop();
    let s = session(&sc);
    let page = page(&sc, &s.parts(), &about()).unwrap();
    // Self-contained: no file or address is fetched.
    for external in ["src=", "<link", "@import", "url(", "https:", "href="] {
        assert!(!page.contains(external), "{external}");
    }
    assert_eq!(
        page.matches("http:").count(),
        page.matches("xmlns=\"http://www.w3.org/2000/svg\"").count(),
        "the only address is SVG's namespace"
    );
    // The note is text, not markup.
    assert!(!page.contains("<script>alert"));
    assert!(page.contains(
        "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; they said &quot;open up&quot;"
    ));
    // Where the room left it: both runs, the edit, the branch.
    assert!(page.contains("<b>Run A</b> (solid): "));
    assert!(
        page.contains("from week 20, at week 60 of 104"),
        "A branched at 20"
    );
    assert!(page.contains("<b>Run B</b> (dashed): connected"));
    assert!(page.contains("transparency set to 0.9"));
    assert!(page.contains("branched at step 20"));
    assert!(page.contains("a note at step 20"));
    // B − A judged.
    assert!(page.contains(" better</td>") && page.contains(" worse</td>"));
    // File names only: not where they were on the facilitator's machine.
    assert!(!page.contains("/s/workshop.scenario.ron") && page.contains("workshop.scenario.ron"));
    // Predictions: one held against the run, one not reached.
    assert!(page.contains("Sales &amp; Marketing"));
    assert!(page.contains("not reached (the run stopped at week 60)"));
    // Every story step, with its title and note, figures and charts.
    for (i, step) in sc.story.iter().enumerate() {
        let title = format!(
            "<h3>{} of {}: {}</h3>",
            i + 1,
            sc.story.len(),
            esc(&step.title)
        );
        assert!(page.contains(&title), "{title}");
        assert!(page.contains(&esc(&step.note)));
    }
    // Charts and pictures: the runs' six charts, the trade-off and two
    // pictures, then per story step its charts and pictures.
    let story_figures: usize = sc.story.iter().map(|st| st.charts_shown().len()).sum();
    let drawn = page.matches("<svg class=\"drawn").count();
    assert!(
        drawn >= 6 + 1 + 2 + story_figures + sc.story.len(),
        "{drawn}"
    );
    assert_eq!(drawn, page.matches("</svg>").count());
    assert!(page.contains("id=\"render-check\""));
}

#[test]
fn an_empty_session_says_so_rather_than_showing_empty_tables() {
    let sc = workshop();
    let s = Restored::new(Runs::new(Session::new(&sc, None, None).unwrap()));
    let page = page(&sc, &s.parts(), &about()).unwrap();
    assert!(page.contains("No step was run."));
    assert!(page.contains("No knob, policy or intervention was changed"));
    assert!(page.contains("No notes were pinned."));
    assert!(page.contains("No predictions were recorded."));
}
