//! `siloscope host` as a room uses it: a phone's page in a real browser
//! (Debian's Chromium, headless, driven through its DevTools protocol)
//! joins, sees its seat and decides; the facilitator opens the round and
//! the run moves on; the facilitator's page shows who decided and the
//! organisation; the session it saved replays exactly. Screenshots of both
//! pages go to `$SILOSCOPE_SHOTS` when set (to look at), else a temporary
//! directory.

use crate::support::{bin, chromium, siloscope, text};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tungstenite::{Message, WebSocket};

/// Chromium headless with a DevTools connection to its one page.
struct Chrome {
    child: Child,
    ws: WebSocket<TcpStream>,
    id: u64,
}

impl Drop for Chrome {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Chrome {
    fn launch(chromium: &Path, profile: &Path) -> Chrome {
        let mut child = Command::new(chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("chromium starts");
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let port = loop {
            let line = lines
                .next()
                .expect("chromium says where DevTools listen")
                .unwrap();
            if let Some(rest) = line.split("ws://127.0.0.1:").nth(1) {
                break rest.split('/').next().unwrap().to_owned();
            }
        };
        // Keep reading chromium's stderr so it never blocks on it.
        std::thread::spawn(move || for _ in lines {});
        let list: Value =
            serde_json::from_str(&http_get(&format!("127.0.0.1:{port}"), "/json/list")).unwrap();
        let page = list
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["type"] == "page")
            .expect("a page")["webSocketDebuggerUrl"]
            .as_str()
            .unwrap()
            .to_owned();
        let stream = TcpStream::connect(format!("127.0.0.1:{port}")).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        let (ws, _) = tungstenite::client(page, stream).expect("DevTools connection");
        Chrome { child, ws, id: 0 }
    }

    fn call(&mut self, method: &str, params: Value) -> Value {
        self.id += 1;
        let id = self.id;
        self.ws
            .send(Message::text(
                json!({"id": id, "method": method, "params": params}).to_string(),
            ))
            .unwrap();
        loop {
            let message = match self.ws.read() {
                Ok(m) => m,
                // A signal to the test process (a child ending) interrupts
                // the read; nothing was lost, read again.
                Err(tungstenite::Error::Io(e)) if e.kind() == std::io::ErrorKind::Interrupted => {
                    continue;
                }
                Err(e) => panic!("{method}: {e}"),
            };
            if let Message::Text(t) = message {
                let v: Value = serde_json::from_str(t.as_str()).unwrap();
                if v["id"] == id {
                    assert!(v["error"].is_null(), "{method}: {v}");
                    return v["result"].clone();
                }
            }
        }
    }

    fn eval(&mut self, js: &str) -> Value {
        let r = self.call(
            "Runtime.evaluate",
            json!({"expression": js, "returnByValue": true, "awaitPromise": true}),
        );
        assert!(r["exceptionDetails"].is_null(), "{js}: {r}");
        r["result"]["value"].clone()
    }

    /// Until `js` is true in the page, within 15 s.
    fn wait(&mut self, js: &str, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(15);
        // Before the page has loaded, its elements are not there yet.
        let guarded =
            format!("(() => {{ try {{ return !!({js}); }} catch (e) {{ return false; }} }})()");
        while self.eval(&guarded) != json!(true) {
            assert!(
                Instant::now() < deadline,
                "waited 15 s for {what}; the page says: {}",
                self.eval("document.body.innerText")
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn open(&mut self, url: &str, width: u32, height: u32, mobile: bool) {
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile}),
        );
        self.call("Page.navigate", json!({"url": url}));
        self.wait("document.readyState === 'complete'", url);
    }

    /// On the phone's page: find the seats, take `seat` as `name`; the
    /// page's text once the seat shows.
    fn take_seat(&mut self, name: &str, seat: &str) -> String {
        self.eval(&format!(
            "document.getElementById('name').value = '{name}'; document.getElementById('find').click(); true"
        ));
        let radio = format!("document.querySelector('input[value=\"{seat}\"]')");
        self.wait(&format!("{radio} !== null"), "the seats");
        self.eval(&format!(
            "{radio}.click(); document.getElementById('take').click(); true"
        ));
        self.wait(
            "!document.getElementById('play').hidden && document.getElementById('sees').children.length > 0",
            "the seat",
        );
        self.text()
    }

    /// The page's text.
    fn text(&mut self) -> String {
        self.eval("document.body.innerText")
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// A screenshot of the page, written to `path`; its size.
    fn screenshot(&mut self, path: &Path) -> (u32, u32) {
        let r = self.call("Page.captureScreenshot", json!({"format": "png"}));
        let bytes = base64(r["data"].as_str().unwrap());
        std::fs::write(path, &bytes).unwrap();
        let info = png::Decoder::new(std::io::Cursor::new(bytes))
            .read_info()
            .unwrap()
            .info()
            .clone();
        (info.width, info.height)
    }
}

/// The body of a GET (by its content-length: DevTools keep the
/// connection open).
fn http_get(addr: &str, path: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n\r\n"
    )
    .unwrap();
    let mut got = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = s.read(&mut chunk).unwrap();
        got.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&got).into_owned();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length = head.lines().find_map(|l| {
                l.to_ascii_lowercase()
                    .strip_prefix("content-length:")
                    .map(|v| v.trim().parse::<usize>().unwrap())
            });
            if n == 0 || length.is_some_and(|len| body.len() >= len) {
                return body.to_owned();
            }
        }
        assert!(n > 0, "the connection closed before the body");
    }
}

fn base64(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let digits: Vec<u8> = text.bytes().filter(|&c| c != b'=').map(value).collect();
    digits
        .chunks(4)
        .flat_map(|c| {
            let n = c.iter().fold(0u32, |acc, &d| (acc << 6) | u32::from(d)) << (6 * (4 - c.len()));
            let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
            bytes.into_iter().take(c.len() - 1)
        })
        .collect()
}

/// The host, killed when dropped.
struct Hosting(Child);

impl Drop for Hosting {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_room_plays_from_a_phone_in_a_browser_and_the_facilitators_page_shows_it() {
    let Some(chromium) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must test the room in a browser: install chromium (see .ci/run)"
        );
        eprintln!("skipped the browser: no chromium; .ci/run installs it");
        return;
    };
    let dir = std::env::temp_dir().join(format!("siloscope-host-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let shots = std::env::var_os("SILOSCOPE_SHOTS").map_or_else(|| dir.clone(), PathBuf::from);
    std::fs::create_dir_all(&shots).unwrap();
    let sessions = dir.join("sessions");
    let mut child = bin()
        .args([
            "host",
            "scenarios/workshop.scenario.ron",
            "--listen",
            "127.0.0.1:0",
        ])
        .env("SILOSCOPE_SESSIONS", &sessions)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap()).lines();
    let _host = Hosting(child);
    let mut said = String::new();
    let (mut phone, mut facilitator) = (None, None);
    while !said.contains("Ctrl-C ends it.") {
        let line = out.next().expect("host prints its links").unwrap();
        said.push_str(&line);
        said.push('\n');
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .map(str::to_owned);
        if line.trim_start().starts_with("phones:") {
            phone = url;
        } else if line.trim_start().starts_with("facilitator:") {
            facilitator = url;
        }
    }
    std::thread::spawn(move || for _ in out {});
    let (phone, facilitator) = (phone.expect("a phone link"), facilitator.unwrap());
    assert!(said.contains("only this machine can connect"), "{said}");
    let addr = phone
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let token = facilitator.split("token=").nth(1).unwrap().to_owned();

    // A phone joins as the head of Support.
    let mut c = Chrome::launch(&chromium, &dir.join("profile"));
    c.open(&phone, 412, 915, true);
    c.wait("!document.getElementById('join').hidden", "the join form");
    assert_eq!(
        c.eval("document.getElementById('code').value.length"),
        json!(6),
        "the code is filled in from the link"
    );
    let page = c.take_seat("Ana", "head:Support");
    assert!(
        page.contains("Head of Support") && page.contains("You head Support"),
        "{page}"
    );
    assert!(
        page.contains("Waiting for the facilitator to open a round"),
        "{page}"
    );
    let (w, h) = c.screenshot(&shots.join("host-phone-joined.png"));
    assert_eq!((w, h), (412, 915));

    // Another phone takes a customer's seat: a small business.
    let mut ben = Chrome::launch(&chromium, &dir.join("profile-ben"));
    ben.open(&phone, 390, 844, true);
    ben.wait("!document.getElementById('join').hidden", "the join form");
    let seen = ben.take_seat("Ben", "customer:Small business");
    assert!(
        seen.contains("Small business") && seen.contains("known after the first week"),
        "{seen}"
    );
    ben.screenshot(&shots.join("host-phone-customer.png"));

    // The facilitator opens a round; the phone decides to pass needs on.
    let (mut boss, _) = tungstenite::client(
        format!("ws://{addr}/ws/facilitator?token={token}"),
        TcpStream::connect(&addr).unwrap(),
    )
    .unwrap();
    boss.send(Message::text(
        json!({"type": "open", "steps": 2, "seconds": 300}).to_string(),
    ))
    .unwrap();
    c.wait(
        "!document.getElementById('decide').hidden",
        "the round on the phone",
    );
    c.eval("[...document.querySelectorAll('button[data-choice=needs]')].find(b => b.textContent === 'Pass them on').click(); true");
    c.eval("document.getElementById('send').click(); true");
    c.wait(
        "getComputedStyle(document.getElementById('sent')).display !== 'none'",
        "the decision sent",
    );
    c.screenshot(&shots.join("host-phone-decided.png"));
    // Ben complains; a customer is offered a customer's choices only.
    ben.wait(
        "!document.getElementById('decide').hidden",
        "the round on the customer's phone",
    );
    let offered = ben.eval(
        "[...new Set([...document.querySelectorAll('button[data-choice]')].map(b => b.dataset.choice))].join(' ')",
    );
    assert_eq!(offered, json!("contact complain ask_peer refer leave"));
    ben.eval("[...document.querySelectorAll('button[data-choice=complain]')].find(b => b.textContent === 'Complain').click(); true");
    ben.eval("document.getElementById('send').click(); true");
    // Everyone seated has decided: the round runs its two weeks.
    for phone in [&mut c, &mut ben] {
        phone.wait(
            "document.getElementById('step').textContent === 'Week 2 of 104'",
            "the round to run",
        );
    }
    let seen = ben.text();
    assert!(
        seen.contains("out of 100"),
        "the customer's satisfaction after a week: {seen}"
    );
    ben.screenshot(&shots.join("host-phone-customer-week-2.png"));
    drop(ben);

    // The facilitator's page: the code, Ana, the organisation and charts.
    c.open(&facilitator, 1280, 900, false);
    c.wait(
        "document.querySelectorAll('#view svg').length >= 5",
        "the organisation and its charts",
    );
    let page = c.text();
    assert!(
        page.contains("Ana")
            && page.contains("Ben (away)")
            && page.contains("Step 2 of 104")
            && page.contains("2 people seated"),
        "{page}"
    );
    c.wait(
        "document.getElementById('qr').complete && document.getElementById('qr').naturalWidth > 0",
        "the QR code to join by",
    );
    c.screenshot(&shots.join("host-facilitator.png"));
    // A projector's 1280 × 720: the code, the QR code, the round's
    // controls and the seats (scrolling within their card in a large
    // room) are all on the first screen.
    c.call(
        "Emulation.setDeviceMetricsOverride",
        json!({"width": 1280, "height": 720, "deviceScaleFactor": 1, "mobile": false}),
    );
    let below = c.eval(
        "['code', 'qr', 'open', 'seat-card'].filter(id => document.getElementById(id).getBoundingClientRect().bottom > 720).join(' ')",
    );
    assert_eq!(below, json!(""), "below the fold at 1280 × 720");
    assert_eq!(
        c.screenshot(&shots.join("host-facilitator-720.png")),
        (1280, 720)
    );

    // What the room did is saved, and replays exactly.
    let deadline = Instant::now() + Duration::from_secs(10);
    let file = loop {
        let found = std::fs::read_dir(&sessions).ok().and_then(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.path())
                .find(|p| p.to_string_lossy().ends_with(".session.ron"))
        });
        let decided = found
            .as_ref()
            .and_then(|p| std::fs::read_to_string(p).ok())
            .is_some_and(|t| t.contains("Decide("));
        if decided {
            break found.unwrap();
        }
        assert!(
            Instant::now() < deadline,
            "no session file with the room's decisions"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    let replay = siloscope(&["replay".as_ref(), file.as_os_str()]);
    assert!(replay.status.success(), "{}", text(&replay.stderr));
    drop(c);
    let _ = std::fs::remove_dir_all(&dir);
}
