//! `siloscope host`: a participatory workshop without the app. Serves the
//! phones' page and the facilitator's page (controls, who has joined and
//! decided, the organisation and its charts) on the interface chosen, and
//! saves the session (the room's decisions with it) like the app does, so
//! `siloscope replay` and `siloscope debrief` take it afterwards.

use crate::args::HostArgs;
use crate::commands::shown_path;
use anyhow::{Context, Result};
use siloscope_room::server::{Host, outward_addr, serve};
use siloscope_scenario::files;
use siloscope_workshop::compare::Runs;
use siloscope_workshop::record::{Autosave, Restored, Sources, sessions_dir};
use siloscope_workshop::session::Session;
use std::net::TcpListener;
use std::process::ExitCode;
use std::time::{Instant, SystemTime};

pub(crate) fn run(args: HostArgs) -> Result<ExitCode> {
    let (scenario, network) = files::read_scenario_watched(&args.scenario);
    let scenario = scenario.map_err(|e| anyhow::anyhow!("{e}"))?;
    let session = Session::new(&scenario, args.policy.clone(), args.seed)
        .map_err(|e| anyhow::anyhow!("{}: {e}", shown_path(&args.scenario)))?;
    let sources = Sources::of(&args.scenario, &network).map_err(|e| anyhow::anyhow!(e))?;
    let listener = TcpListener::bind(args.listen)
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let addr = listener.local_addr()?;
    let host = Host::new(session);
    let server = serve(listener, host.clone())?;
    let (code, token) = {
        let g = host.lock();
        (
            g.room.code().to_owned(),
            g.room.facilitator_token().to_owned(),
        )
    };
    let shown = match outward_addr(addr) {
        Some(a) => {
            host.set_join_url(&format!("http://{a}"));
            a.to_string()
        }
        None => format!("<this machine's address>:{}", addr.port()),
    };
    println!(
        "siloscope host: {} ({}), seed {}",
        crate::commands::shown(&scenario.name),
        shown_path(&args.scenario),
        host.lock().session.seed()
    );
    println!("  phones:       http://{shown}/?code={code}   (room code {code})");
    println!(
        "  facilitator:  http://{shown}/facilitator?token={token}   (keep this link to yourself)"
    );
    if addr.ip().is_loopback() {
        println!(
            "Listening on {addr}: only this machine can connect. To let the room's phones in, listen on this machine's address on the room's network, e.g. --listen 0.0.0.0:{}.",
            addr.port()
        );
    }
    let mut autosave =
        sessions_dir().map(|dir| Autosave::new(&dir, &args.scenario, SystemTime::now()));
    if let Some(a) = &autosave {
        println!("  session:      {}", shown_path(a.path()));
    }
    println!("Ctrl-C ends it.");
    // Save what the room did as it goes (marked ended: the app does not
    // offer a hosted session back; `replay` and `debrief` take it); the
    // server runs on its own threads.
    let _server = server;
    loop {
        std::thread::sleep(std::time::Duration::from_millis(500));
        let now = Instant::now();
        if let Some(a) = autosave.as_mut().filter(|a| a.due(now)) {
            let runs = Runs::new(host.lock().session.clone());
            if let Err(e) = a.save(&Restored::new(runs).parts(), &sources, true, now) {
                eprintln!(
                    "warning: the session was not saved to {}: {e}",
                    shown_path(a.path())
                );
                autosave = None;
            }
        }
    }
}
