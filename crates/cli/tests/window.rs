//! The workshop app in a real window: Xvfb and Mesa's software Vulkan
//! (`.ci/run` installs `xvfb mesa-vulkan-drivers libvulkan1`). The app
//! computes steps, saves a screenshot and exits; the picture must show the
//! organisation (every part's colour, enough drawn pixels) and the panels.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The virtual screen: room for the largest window the tests open.
const WIDTH: u32 = 1920;
const HEIGHT: u32 = 1080;

/// How to get a display: Xvfb through `xvfb-run`, else the one we have.
fn display_wrapper() -> Option<Vec<String>> {
    let found = |cmd: &str| {
        std::env::var_os("PATH")
            .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(cmd).is_file()))
    };
    if found("xvfb-run") {
        Some(vec![
            "xvfb-run".into(),
            "-a".into(),
            "-s".into(),
            format!("-screen 0 {WIDTH}x{HEIGHT}x24"),
        ])
    } else if std::env::var_os("DISPLAY").is_some() {
        Some(Vec::new())
    } else {
        None
    }
}

struct Rgba {
    width: usize,
    height: usize,
    data: Vec<u8>,
}

impl Rgba {
    fn read(path: &Path) -> Rgba {
        let decoder =
            png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        let channels = info.color_type.samples();
        assert!(channels >= 3, "{:?}", info.color_type);
        let mut data = Vec::with_capacity(info.width as usize * info.height as usize * 4);
        for px in buf[..info.buffer_size()].chunks(channels) {
            data.extend_from_slice(&[px[0], px[1], px[2], 255]);
        }
        Rgba {
            width: info.width as usize,
            height: info.height as usize,
            data,
        }
    }

    fn pixel(&self, x: usize, y: usize) -> [u8; 3] {
        let i = (y * self.width + x) * 4;
        [self.data[i], self.data[i + 1], self.data[i + 2]]
    }

    /// Pixels of the box `x0..x1, y0..y1`, given as shares of the size.
    fn region(&self, x: (f32, f32), y: (f32, f32)) -> Vec<[u8; 3]> {
        let (w, h) = (self.width as f32, self.height as f32);
        let mut out = Vec::new();
        for py in (y.0 * h) as usize..(y.1 * h) as usize {
            for px in (x.0 * w) as usize..(x.1 * w) as usize {
                out.push(self.pixel(px, py));
            }
        }
        out
    }
}

/// Hue in degrees, saturation and value of an sRGB pixel.
fn hsv(p: [u8; 3]) -> (f32, f32, f32) {
    let [r, g, b] = p.map(|c| f32::from(c) / 255.0);
    let max = r.max(g).max(b);
    let min = r.min(g).min(b);
    let d = max - min;
    let hue = if d == 0.0 {
        0.0
    } else if max == r {
        60.0 * ((g - b) / d).rem_euclid(6.0)
    } else if max == g {
        60.0 * ((b - r) / d + 2.0)
    } else {
        60.0 * ((r - g) / d + 4.0)
    };
    (hue, if max == 0.0 { 0.0 } else { d / max }, max)
}

fn hue_near(p: [u8; 3], hue: f32) -> bool {
    let (h, s, v) = hsv(p);
    let dh = (h - hue).abs().min(360.0 - (h - hue).abs());
    dh < 22.0 && s > 0.35 && v > 0.3
}

const BACKGROUND: [u8; 3] = [15, 18, 23];

/// Run the app unattended with `args`, and read its screenshot; `None`
/// where no window can be opened (outside CI).
fn screenshot(name: &str, args: &[&str]) -> Option<Rgba> {
    screenshot_logged(name, args).map(|(img, _)| img)
}

/// [`screenshot`], with what the app wrote. With `$SILOSCOPE_SHOTS` set the
/// screenshot is kept there as `<name>.png`, to look at.
fn screenshot_logged(name: &str, args: &[&str]) -> Option<(Rgba, String)> {
    let Some(wrapper) = display_wrapper() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must be able to open a window: install xvfb (see .ci/run)"
        );
        eprintln!("skipped: no xvfb-run and no DISPLAY; .ci/run installs xvfb");
        return None;
    };
    let dir: PathBuf =
        std::env::temp_dir().join(format!("siloscope-window-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let shot = dir.join("shot.png");
    let runtime = dir.join("xdg");
    std::fs::create_dir_all(&runtime).unwrap();
    let mut cmd = Command::new("timeout");
    cmd.arg("300");
    cmd.args(&wrapper);
    cmd.arg(env!("CARGO_BIN_EXE_siloscope"))
        .arg("app")
        .args(args)
        .arg("--screenshot")
        .arg(&shot)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .env("XDG_RUNTIME_DIR", &runtime)
        .env("SILOSCOPE_SESSIONS", dir.join("sessions"))
        .env("WGPU_BACKEND", "vulkan");
    let out = cmd.output().expect("the app starts");
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "the app failed:\n{log}");
    // A draw bevy or wgpu refused (a pipeline, a mesh) is logged, not fatal.
    let refused: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("ERROR") && (l.contains("bevy_") || l.contains("wgpu")))
        .collect();
    assert!(refused.is_empty(), "the renderer refused: {refused:#?}");
    let img = Rgba::read(&shot);
    if let Some(keep) = std::env::var_os("SILOSCOPE_SHOTS") {
        std::fs::create_dir_all(&keep).unwrap();
        std::fs::copy(&shot, Path::new(&keep).join(format!("{name}.png"))).unwrap();
    }
    std::fs::remove_dir_all(&dir).unwrap();
    let size = args
        .iter()
        .position(|a| *a == "--size")
        .map(|i| args[i + 1])
        .unwrap_or("1600x900");
    assert_eq!(
        format!("{}x{}", img.width, img.height),
        size,
        "the window's size"
    );
    Some((img, log))
}

/// A graph is drawn in `region`: at least 1 pixel in 20 differs from the
/// background, and each of `parts` (name, hue) shows.
fn assert_graph(img: &Rgba, what: &str, x: (f32, f32), y: (f32, f32), parts: &[(&str, f32)]) {
    let graph = img.region(x, y);
    let drawn = graph
        .iter()
        .filter(|p| p.iter().zip(BACKGROUND).any(|(a, b)| a.abs_diff(b) > 24))
        .count();
    assert!(
        drawn * 20 > graph.len(),
        "{what}: only {drawn} of {} graph pixels are drawn",
        graph.len()
    );
    for (name, hue) in parts {
        let n = graph.iter().filter(|p| hue_near(**p, *hue)).count();
        assert!(n > 40, "{what}: {name}: {n} pixels of hue {hue}");
    }
}

/// Departments blue, partners purple, existing customers green, new
/// customers amber.
const PARTS: [(&str, f32); 4] = [
    ("departments", 218.0),
    ("partners", 275.0),
    ("existing customers", 152.0),
    ("new customers", 37.0),
];

#[test]
fn the_app_draws_the_organisation_and_its_panels_alone_and_compared() {
    let Some((img, log)) = screenshot_logged(
        "single",
        &["scenarios/workshop.scenario.ron", "--steps", "24"],
    ) else {
        return;
    };
    // The app says what it renders on, and on the CPU (Mesa's llvmpipe,
    // as in CI) draws less.
    assert!(log.contains("renderer: "), "{log}");
    assert_eq!(
        log.contains("(Cpu)"),
        log.contains("software rendering: no multisampling, no soft edges"),
        "{log}"
    );
    // The graph: the middle of the window, between the panels.
    assert_graph(&img, "graph", (0.3, 0.7), (0.15, 0.6), &PARTS);

    // The panels: the left (policy) and bottom (charts) strips are egui
    // panels full of text and lines (on the window's background: panels
    // have no fill of their own).
    for (name, x, y) in [
        ("policy panel", (0.0, 0.18), (0.2, 0.6)),
        ("charts", (0.05, 0.95), (0.8, 0.97)),
    ] {
        let px = img.region(x, y);
        let distinct: std::collections::HashSet<[u8; 3]> = px.iter().copied().collect();
        assert!(
            distinct.len() > 20,
            "{name}: {} distinct colours",
            distinct.len()
        );
        assert!(
            text(&px) > 800,
            "{name} looks empty: {} pixels of text",
            text(&px)
        );
    }

    // Compare mode: run A on the left half of the graph area, run B on the
    // right half, each a whole organisation.
    let Some(img) = screenshot(
        "compare",
        &[
            "scenarios/workshop.scenario.ron",
            "--policy",
            "outside_in",
            "--compare",
            "connected",
            "--steps",
            "24",
        ],
    ) else {
        return;
    };
    assert_graph(&img, "run A (left)", (0.23, 0.49), (0.2, 0.6), &PARTS);
    assert_graph(&img, "run B (right)", (0.51, 0.77), (0.2, 0.6), &PARTS);
}

/// An organisation with no partners and no prospects, compared and with the
/// presenter's panels: the view, charts and tables have nothing to draw for
/// two parts and must draw the rest.
#[test]
fn the_app_draws_an_organisation_missing_whole_parts() {
    let dir =
        std::env::temp_dir().join(format!("siloscope-window-lopsided-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("lopsided.scenario.ron");
    std::fs::write(
        &file,
        r#"Scenario(
    name: "no partners, no prospects",
    steps: 20,
    groups: [
        (name: "Product", part: Department, role: Product, count: 8, ties: Complete),
        (name: "Support", part: Department, role: Support, count: 10, ties: Complete),
        (name: "Customers", part: ExistingCustomer, count: 120, ties: Random(density: 0.03)),
        (name: "Nobody", part: NewCustomer, count: 0),
    ],
    links: [
        (from: "Support", to: "Product", ties: Density(0.3)),
        (from: "Customers", to: "Support", ties: PerMember(2)),
    ],
)"#,
    )
    .unwrap();
    let path = file.to_str().unwrap();
    let shot = screenshot(
        "lopsided",
        &[path, "--compare", "connected", "--steps", "12"],
    );
    std::fs::remove_dir_all(&dir).unwrap();
    let Some(img) = shot else {
        return;
    };
    let present = [PARTS[0], PARTS[2]];
    assert_graph(&img, "run A (left)", (0.23, 0.49), (0.2, 0.6), &present);
    assert_graph(&img, "run B (right)", (0.51, 0.77), (0.2, 0.6), &present);
}

/// Pixels of a region whose saturation and value pass `keep`.
fn count(px: &[[u8; 3]], keep: impl Fn(f32, f32) -> bool) -> usize {
    px.iter()
        .filter(|p| {
            let (_, s, v) = hsv(**p);
            keep(s, v)
        })
        .count()
}

/// Light text or lines on the dark panels (bright and nearly grey).
fn light(px: &[[u8; 3]]) -> usize {
    count(px, |s, v| v > 0.75 && s < 0.2)
}

/// Text or lines of any grey on the dark panels (egui's body text is a
/// mid grey).
fn text(px: &[[u8; 3]]) -> usize {
    count(px, |s, v| v > 0.45 && s < 0.25)
}

/// The callout cards' fill (`palette::CALLOUT_FILL`, grey 38, on the
/// window's background).
fn card(px: &[[u8; 3]]) -> usize {
    px.iter()
        .filter(|p| p.iter().all(|c| c.abs_diff(38) <= 3))
        .count()
}

/// Pixels of a region in saturated colour (chart lines, coloured figures).
fn coloured(px: &[[u8; 3]]) -> usize {
    count(px, |s, v| s > 0.45 && v > 0.45)
}

/// A 1280 × 720 screen and a 1920 × 1080 one, comparing: the organisation
/// of each run, the panels and the charts all fit.
#[test]
fn the_app_fits_a_small_screen_and_a_large_one() {
    for (size, graph) in [
        // The graph lies between the policy panel (21 % of the width) and
        // the right panel (30 %), under the top bar, over the charts.
        ("1280x720", ((0.22, 0.69), (0.16, 0.66))),
        ("1920x1080", ((0.19, 0.74), (0.12, 0.72))),
    ] {
        let Some(img) = screenshot(
            &format!("size-{size}"),
            &[
                "scenarios/workshop.scenario.ron",
                "--compare",
                "connected",
                "--steps",
                "24",
                "--size",
                size,
            ],
        ) else {
            return;
        };
        let ((x0, x1), y) = graph;
        let mid = (x0 + x1) / 2.0;
        assert_graph(&img, &format!("{size}: run A"), (x0, mid), y, &PARTS);
        assert_graph(&img, &format!("{size}: run B"), (mid, x1), y, &PARTS);
        for (name, x, y) in [
            ("policy panel", (0.0, 0.18), (0.2, 0.6)),
            ("B − A table", (0.75, 0.98), (0.15, 0.45)),
            ("charts", (0.02, 0.98), (0.8, 0.97)),
        ] {
            let px = img.region(x, y);
            assert!(
                text(&px) > 800,
                "{size}: {name}: only {} pixels of text",
                text(&px)
            );
        }
        let charts = img.region((0.02, 0.98), (0.8, 0.97));
        assert!(
            coloured(&charts) > 1000,
            "{size}: the charts' lines are drawn"
        );
    }
}

/// Every step of the workshop story in presenter mode: the organisation,
/// the callout of figures under the note and the chart strip on the
/// right are drawn.
#[test]
fn each_story_step_shows_its_figures_and_charts() {
    for step in 1..=9 {
        let Some(img) = screenshot(
            &format!("story-{step}"),
            &[
                "scenarios/workshop.scenario.ron",
                &format!("--present={step}"),
            ],
        ) else {
            return;
        };
        let what = format!("story step {step}");
        // The organisation: above the story, left of the strip (a step may
        // frame one part, so only some parts need show).
        let graph = img.region((0.05, 0.65), (0.1, 0.6));
        let drawn = graph
            .iter()
            .filter(|p| p.iter().zip(BACKGROUND).any(|(a, b)| a.abs_diff(b) > 24))
            .count();
        assert!(
            drawn * 20 > graph.len(),
            "{what}: the organisation is drawn"
        );
        // Step 2 frames the departments, so the customers' rings run on
        // past the graph area: none of them may show under the story (the
        // panels have no fill; the graph camera draws into its area only).
        if step == 2 {
            let under = img.region((0.0, 0.7), (0.7, 0.99));
            let leaked = under
                .iter()
                .filter(|p| PARTS[..3].iter().any(|&(_, hue)| hue_near(**p, hue)))
                .count();
            assert_eq!(leaked, 0, "{what}: the organisation shows under the story");
        }
        // The story: large light text at the bottom.
        let story = img.region((0.0, 0.68), (0.7, 0.99));
        assert!(
            light(&story) > 4000,
            "{what}: {} pixels of story text",
            light(&story)
        );
        // The callout: from step 2 on (step 1 runs nothing yet), a row of
        // cards under the note, with the figures in large type on them.
        let callout = img.region((0.0, 0.86), (0.8, 0.99));
        if step == 1 {
            assert!(
                card(&callout) < 5000,
                "{what}: no figures before the first step"
            );
        } else {
            assert!(
                card(&callout) > 30_000,
                "{what}: {} pixels of cards",
                card(&callout)
            );
            assert!(
                light(&callout) > 1000,
                "{what}: {} pixels of figures",
                light(&callout)
            );
        }
        // The strip: charts on the right, with coloured lines once the
        // runs have moved.
        let strip = img.region((0.71, 0.99), (0.02, 0.62));
        assert!(
            text(&strip) > 2000,
            "{what}: {} pixels of titles and axes",
            text(&strip)
        );
        if step > 1 {
            assert!(
                coloured(&strip) > 300,
                "{what}: {} pixels of chart lines",
                coloured(&strip)
            );
        }
    }
}

/// The room open in the app (`--room`): presenter mode shows its card
/// beside the organisation, and the QR code on the projector reads back,
/// from the screenshot, as the address the app gave; at 1280 × 720 the
/// room's window opens with a QR code that reads too.
#[test]
fn the_room_s_qr_code_on_the_projector_reads_back_as_its_address() {
    let Some((img, log)) = screenshot_logged(
        "room-presenter",
        &[
            "scenarios/workshop.scenario.ron",
            "--present=2",
            "--room",
            "127.0.0.1:0",
        ],
    ) else {
        return;
    };
    let url = log
        .lines()
        .find_map(|l| l.split("phones go to ").nth(1))
        .unwrap_or_else(|| panic!("the app gives the address:\n{log}"))
        .trim()
        .to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(img.width, img.height, |x, y| {
            let [r, g, b] = img.pixel(x, y);
            ((u32::from(r) * 3 + u32::from(g) * 6 + u32::from(b)) / 10) as u8
        });
    let grids = prepared.detect_grids();
    let read: Vec<String> = grids
        .iter()
        .filter_map(|g| g.decode().ok().map(|(_, text)| text))
        .collect();
    assert_eq!(
        (grids.len(), read),
        (1, vec![url]),
        "one QR code on screen (the card's; the room's window stays shut), of the join address"
    );
    // The card is on the left, the organisation still drawn beside it.
    let card = img.region((0.0, 0.16), (0.0, 0.6));
    assert!(
        text(&card) > 2000,
        "{} pixels of the card's text",
        text(&card)
    );
    let graph = img.region((0.2, 0.65), (0.1, 0.6));
    assert!(coloured(&graph) > 2000, "the organisation beside the card");

    let Some((img, _)) = screenshot_logged(
        "room-window",
        &[
            "scenarios/workshop.scenario.ron",
            "--room",
            "127.0.0.1:0",
            "--size",
            "1280x720",
        ],
    ) else {
        return;
    };
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(img.width, img.height, |x, y| {
            img.pixel(x, y)[1]
        });
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "the window shows the QR code");
    assert!(grids[0].decode().is_ok(), "and it reads");
}

/// The app killed with SIGKILL mid-session loses nothing but the seconds
/// since the last save: the session file is whole, `siloscope replay`
/// rebuilds it exactly, and the app reopens it where it was (its state
/// hash is the one saved before the kill).
#[test]
fn a_killed_app_restores_its_session_exactly() {
    use siloscope_workshop::record::SessionFile;
    use std::os::unix::process::CommandExt;
    let Some(wrapper) = display_wrapper() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must be able to open a window: install xvfb (see .ci/run)"
        );
        eprintln!("skipped: no xvfb-run and no DISPLAY; .ci/run installs xvfb");
        return;
    };
    let dir = std::env::temp_dir().join(format!("siloscope-window-{}-killed", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let sessions = dir.join("sessions");
    let runtime = dir.join("xdg");
    std::fs::create_dir_all(&runtime).unwrap();
    let app = |args: &[&std::ffi::OsStr]| {
        let mut cmd = Command::new(&wrapper[0]);
        cmd.args(&wrapper[1..])
            .arg(env!("CARGO_BIN_EXE_siloscope"))
            .arg("app")
            .args(args)
            .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
            .env("XDG_RUNTIME_DIR", &runtime)
            .env("SILOSCOPE_SESSIONS", &sessions)
            .env("WGPU_BACKEND", "vulkan");
        cmd
    };
    // Playing (a step a frame), comparing, until killed.
    let mut child = app(&[
        "scenarios/workshop.scenario.ron".as_ref(),
        "--compare".as_ref(),
        "connected".as_ref(),
        "--frames".as_ref(),
        "100000".as_ref(),
    ])
    .process_group(0)
    .stdout(std::process::Stdio::null())
    .stderr(std::process::Stdio::null())
    .spawn()
    .expect("the app starts");
    let started = std::time::Instant::now();
    let file = loop {
        assert!(
            started.elapsed().as_secs() < 240,
            "no session file past step 20 in four minutes"
        );
        assert!(child.try_wait().unwrap().is_none(), "the app ended early");
        std::thread::sleep(std::time::Duration::from_millis(200));
        let found = std::fs::read_dir(&sessions)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .find(|p| p.to_string_lossy().ends_with(".session.ron"));
        if let Some(path) = found
            && SessionFile::read(&path).is_ok_and(|f| f.record.runs.a.step >= 20)
        {
            break path;
        }
    };
    // SIGKILL to the whole group: the app and its X server.
    let group = child.id() as i32;
    // SAFETY: kill(2) on a process group this test started.
    unsafe {
        libc::kill(-group, libc::SIGKILL);
    }
    child.wait().unwrap();

    let saved = SessionFile::read(&file).expect("the last save is whole");
    assert!(!saved.record.ended, "killed, not closed");
    assert!(saved.record.runs.comparing);
    let replay = Command::new(env!("CARGO_BIN_EXE_siloscope"))
        .arg("replay")
        .arg(&file)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&replay.stdout);
    assert!(
        replay.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&replay.stderr)
    );
    assert!(
        said.contains(&format!("restored exactly (state {})", saved.record.state)),
        "{said}"
    );

    // Reopened in the app, where it was.
    let shot = dir.join("restored.png");
    let out = app(&[
        "--session".as_ref(),
        file.as_os_str(),
        "--screenshot".as_ref(),
        shot.as_os_str(),
    ])
    .output()
    .unwrap();
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{log}");
    assert!(
        log.contains(&format!("exactly: state {}", saved.record.state)),
        "{log}"
    );
    // Closed without a step: the state it saves on closing is the one
    // saved before the kill.
    assert!(
        log.contains(&format!("(state {})", saved.record.state)),
        "{log}"
    );
    assert!(SessionFile::read(&file).unwrap().record.ended);
    let img = Rgba::read(&shot);
    assert_graph(
        &img,
        "restored, run A (left)",
        (0.23, 0.49),
        (0.2, 0.6),
        &PARTS,
    );
    assert_graph(
        &img,
        "restored, run B (right)",
        (0.51, 0.77),
        (0.2, 0.6),
        &PARTS,
    );
    let _ = std::fs::remove_dir_all(&dir);
}
