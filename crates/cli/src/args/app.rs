//! `siloscope app`'s arguments: the workshop app, how it opens, and its
//! unattended runs.

use super::{parse_scale, parse_size};
use std::path::PathBuf;

#[derive(Clone, Copy, Default, clap::ValueEnum)]
pub(crate) enum PictureArg {
    /// Customers inside the organisation's extranet.
    #[default]
    Inside,
    /// Parts as separate circles, customers as the input.
    Separate,
}

#[derive(clap::Args, Default)]
pub(crate) struct AppArgs {
    /// Scenario file [default: scenarios/workshop.scenario.ron].
    pub(crate) scenario: Option<PathBuf>,
    /// Policy to start under (a preset or one the scenario defines).
    #[arg(long)]
    pub(crate) policy: Option<String>,
    /// Seed (default: the scenario's).
    #[arg(long)]
    pub(crate) seed: Option<u64>,
    /// The picture on opening: customers inside the organisation (nested
    /// rings) or the parts as separate circles.
    #[arg(long, value_enum, default_value = "inside")]
    pub(crate) picture: PictureArg,
    /// Agent to inspect on opening, e.g. "Small business#3".
    #[arg(long)]
    pub(crate) inspect: Option<String>,
    /// Open comparing with run B under this policy (same scenario and seed).
    #[arg(long)]
    pub(crate) compare: Option<String>,
    /// Open in presenter mode (full screen, the scenario's story), at story
    /// step N (default 1).
    #[arg(long, value_name = "N", num_args = 0..=1, require_equals = true, default_missing_value = "1")]
    pub(crate) present: Option<usize>,
    /// Interface scale for a projector or a small screen, 0.5 to 3 (1 = 100 %); Ctrl + / Ctrl - change it in the app.
    #[arg(long, value_parser = parse_scale)]
    pub(crate) scale: Option<f32>,
    /// The window's size in pixels, e.g. 1280x720 (default 1600x900).
    #[arg(long, value_name = "WxH", value_parser = parse_size)]
    pub(crate) size: Option<(u32, u32)>,
    /// Restore a saved workshop session (*.session.ron; the app saves one
    /// every few seconds in ~/.local/share/siloscope/sessions, or
    /// $SILOSCOPE_SESSIONS) exactly where it was, and go on saving into it.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["scenario", "policy", "seed", "compare", "present"])]
    pub(crate) session: Option<PathBuf>,
    /// Open the room to phones on opening, listening on this address:
    /// 0.0.0.0:8737 for the room's network, 127.0.0.1:8737 for this
    /// computer only (the app's 📱 Room button does the same).
    #[arg(long, value_name = "ADDR:PORT")]
    pub(crate) room: Option<std::net::SocketAddr>,
    /// Unattended: compute this many steps, save --screenshot, exit.
    #[arg(long, requires = "screenshot")]
    pub(crate) steps: Option<u32>,
    /// Unattended: save the window as PNG and exit (after --steps steps if
    /// given, else as it opened, e.g. at a --present story step).
    #[arg(long, conflicts_with = "frames")]
    pub(crate) screenshot: Option<PathBuf>,
    /// Unattended: step once per frame for this many frames, print whole
    /// frame times, frames per second, the time to the first picture and
    /// the CPU time per frame, exit.
    #[arg(long, conflicts_with = "steps")]
    pub(crate) frames: Option<u32>,
}
