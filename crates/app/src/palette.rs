//! The app's colours, in one place: the parts, the kinds of travelling
//! items, trust, and the few colours text and charts use to stand out.
//! The organisation is drawn on a dark background, so every colour here is
//! chosen to read on [`BACKGROUND`] (and on egui's dark theme). The colours
//! the debrief shares are defined in [`siloscope_workshop::look`].

use bevy::prelude::*;
use bevy_egui::egui::Color32;
use siloscope_model::agent::Part;
use siloscope_model::flow::FlowKind;
use siloscope_workshop::look;

/// A shared sRGB colour as bevy's.
fn rgb(c: look::Rgb) -> Color {
    Color::srgb_u8(c[0], c[1], c[2])
}

/// Colour of a part.
pub fn part_color(part: Part) -> Color {
    rgb(look::part_rgb(part))
}

/// Colour of an item kind.
pub fn flow_color(kind: FlowKind) -> Color {
    rgb(look::flow_rgb(kind))
}

/// What a blocked item leaves at the wall.
pub const BLOCKED: Color = Color::srgb(1.0, 0.1, 0.2);
/// Background.
pub const BACKGROUND: Color = Color::srgb(0.06, 0.07, 0.09);

/// A part's colour tinted by trust: toward dark red below neutral, toward
/// white above.
pub fn trust_tint(base: Color, trust: f32) -> Color {
    let s = base.to_srgba();
    let [r, g, b] = look::trust_tint([s.red, s.green, s.blue], trust);
    Color::srgba(r, g, b, s.alpha)
}

/// The base colour for trust shown on its own (a neighbour's trust in the
/// inspector), before [`trust_tint`].
pub const TRUST_BASE: Color = Color::srgb(0.8, 0.8, 0.8);

/// Churned customers on the charts.
pub const CHURNED: Color = Color::srgb(look::CHURNED[0], look::CHURNED[1], look::CHURNED[2]);

/// A tie of the selected agent, by its trust: red when low, green when
/// high.
pub fn trust_ramp(trust: f32) -> Color {
    Color::srgb(1.0 - trust, 0.35 + 0.65 * trust, 0.35)
}

/// Text that says something is wrong (a scenario file with errors).
pub const ERROR_TEXT: Color32 = Color32::from_rgb(255, 120, 120);
/// The story's note in presenter mode.
pub const STORY_TEXT: Color32 = Color32::from_gray(235);
/// Behind each figure of presenter mode's callout: a shade lighter than
/// the panel, so the cards read as one row of numbers.
pub const CALLOUT_FILL: Color32 = Color32::from_gray(38);
/// What presenter mode highlights.
pub const HIGHLIGHT_TEXT: Color32 = Color32::from_rgb(255, 210, 90);
/// Where a run branched, on the timeline and the charts.
pub const BRANCH: Color32 = Color32::from_rgb(look::BRANCH[0], look::BRANCH[1], look::BRANCH[2]);
/// Behind the names over the organisation: the background, nearly
/// opaque, so ties passing under a name do not cross it out.
pub const LABEL_PLATE: Color32 = Color32::from_rgba_premultiplied(12, 14, 18, 200);
/// Group names over the organisation.
pub const LABEL_TEXT: Color32 = Color32::from_gray(230);
/// Secondary text and symbols in the legend.
pub const MUTED: Color32 = Color32::from_gray(200);
/// B − A that is better for the organisation (blue-green, told apart from
/// worse by colour-blind viewers too, and by the ⏶/⏷ beside it).
pub const BETTER: Color32 = Color32::from_rgb(look::BETTER[0], look::BETTER[1], look::BETTER[2]);
/// B − A that is worse for the organisation.
pub const WORSE: Color32 = Color32::from_rgb(look::WORSE[0], look::WORSE[1], look::WORSE[2]);

/// Where knobs changed, on the charts: white, faint.
pub fn change_mark() -> Color32 {
    Color32::from_rgba_unmultiplied(255, 255, 255, 90)
}

/// A bevy colour as egui's.
pub fn to_egui(c: Color) -> Color32 {
    let s = c.to_srgba();
    Color32::from_rgba_unmultiplied(
        (s.red * 255.0) as u8,
        (s.green * 255.0) as u8,
        (s.blue * 255.0) as u8,
        (s.alpha * 255.0) as u8,
    )
}
