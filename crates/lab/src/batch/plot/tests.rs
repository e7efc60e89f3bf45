use super::*;

fn curves() -> Curves {
    // Two conditions, three steps; condition 1 sits 10 above condition 0.
    let mut c = Curves::new(vec!["advocates"], 2, 3);
    for seed in 0..4 {
        let s = f64::from(seed);
        for cond in 0..2 {
            let base = 10.0 * cond as f64;
            let values = [(1, base + s), (2, base + 2.0 * s), (3, base + 3.0 * s)];
            c.add(cond, "advocates", "new customers", &values);
        }
    }
    c
}

#[test]
fn curves_estimate_each_step_of_each_condition() {
    let figures = curves().figures(&["a".into(), "b".into()], 4);
    assert_eq!(figures.len(), 1);
    let panel = &figures[0].panels[0];
    assert_eq!(panel.part, "new customers");
    // Step 2 of condition 1: values 10, 12, 14, 16.
    let e = panel.bands[1][1];
    assert_eq!((e.n, e.mean), (4, 13.0));
    assert!((e.sd - (20.0f64 / 3.0).sqrt()).abs() < 1e-12);
    assert_eq!(panel.bands[0][0].mean, 1.5);
}

#[test]
fn metrics_without_values_get_no_figure_and_steps_out_of_range_are_ignored() {
    let mut c = Curves::new(vec!["churned", "advocates"], 1, 2);
    c.add(0, "advocates", "all", &[(0, 5.0), (1, 1.0), (3, 9.0)]);
    let figures = c.figures(&["a".into()], 1);
    assert_eq!(figures.len(), 1);
    assert_eq!(figures[0].metric, "advocates");
    let band = &figures[0].panels[0].bands[0];
    assert_eq!((band[0].n, band[0].mean, band[1].n), (1, 1.0, 0));
}

#[test]
fn gaps_split_the_band() {
    let e = |v: f64| Estimate {
        n: 2,
        mean: v,
        sd: 1.0,
        lo: v - 1.0,
        hi: v + 1.0,
    };
    let gap = Estimate {
        n: 0,
        mean: f64::NAN,
        sd: f64::NAN,
        lo: f64::NAN,
        hi: f64::NAN,
    };
    let runs = runs_of(&[e(1.0), gap, e(2.0), e(3.0), gap], |e| e.lo.is_finite());
    let steps: Vec<Vec<f64>> = runs
        .iter()
        .map(|r| r.iter().map(|p| p.0).collect())
        .collect();
    assert_eq!(steps, vec![vec![1.0], vec![3.0, 4.0]]);
}

#[test]
fn a_figure_renders_to_png_and_svg_with_its_text() {
    let figure = curves().figures(&["inside-out".into(), "connected".into()], 4)[0].clone();
    let svg = svg(&figure).unwrap();
    assert!(svg.starts_with("<svg"), "{}", &svg[..40.min(svg.len())]);
    for text in [
        "advocates",
        "inside-out",
        "connected",
        "new customers",
        "step",
    ] {
        assert!(svg.contains(text), "the SVG lacks {text:?}");
    }
    // The bands are polygons filled with a translucent colour.
    assert!(svg.contains("<polygon"), "no band in the SVG");

    let bytes = png(&figure).unwrap();
    let decoder = png::Decoder::new(io::Cursor::new(bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut pixels).unwrap();
    assert_eq!((info.width, info.height), figure.size());
    // The first condition's blue is drawn, and text (dark grey or black
    // anti-aliased glyphs) is present.
    let rgb: Vec<&[u8]> = pixels.chunks(3).collect();
    let blue = rgb.iter().filter(|p| p[..] == [0, 114, 178]).count();
    let dark = rgb.iter().filter(|p| p.iter().all(|&c| c < 60)).count();
    assert!(blue > 100, "{blue} blue pixels");
    assert!(dark > 500, "{dark} dark pixels");
}
