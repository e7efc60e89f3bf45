//! The QR code a phone joins by: the phone page's address with the room's
//! code, as a square of dark and light modules, for the app to paint and
//! the facilitator's page to show as SVG.

use qrcodegen::{QrCode, QrCodeEcc};

/// Light modules around the code, as the standard asks (readers need the
/// quiet zone to find it).
pub const QUIET_ZONE: usize = 4;

/// A QR code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Qr {
    size: usize,
    dark: Vec<bool>,
}

impl Qr {
    /// The QR code of `text`, with medium error correction (a projected
    /// code is read from across a room, at an angle). `None` if the text
    /// is over what a QR code holds (about 2,300 characters).
    pub fn of(text: &str) -> Option<Qr> {
        let code = QrCode::encode_text(text, QrCodeEcc::Medium).ok()?;
        let size = usize::try_from(code.size()).ok()?;
        let dark = (0..size * size)
            .map(|i| {
                let (x, y) = ((i % size) as i32, (i / size) as i32);
                code.get_module(x, y)
            })
            .collect();
        Some(Qr { size, dark })
    }

    /// Modules along a side, without the quiet zone.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Whether the module at column `x`, row `y` is dark (outside the
    /// code: light).
    pub fn dark(&self, x: usize, y: usize) -> bool {
        x < self.size && y < self.size && self.dark[y * self.size + x]
    }

    /// Runs of dark modules, row by row: `(x, y, length)`, what a painter
    /// draws as one rectangle each.
    pub fn runs(&self) -> Vec<(usize, usize, usize)> {
        let mut runs = Vec::new();
        for y in 0..self.size {
            let mut x = 0;
            while x < self.size {
                if self.dark(x, y) {
                    let start = x;
                    while x < self.size && self.dark(x, y) {
                        x += 1;
                    }
                    runs.push((start, y, x - start));
                } else {
                    x += 1;
                }
            }
        }
        runs
    }

    /// The code as an SVG image, black on white with its quiet zone, one
    /// unit per module (it scales to any size without blurring).
    pub fn svg(&self) -> String {
        let side = self.size + 2 * QUIET_ZONE;
        let mut path = String::new();
        for (x, y, n) in self.runs() {
            use std::fmt::Write;
            let _ = write!(path, "M{} {}h{n}v1h-{n}z", x + QUIET_ZONE, y + QUIET_ZONE);
        }
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {side} {side}\" \
             shape-rendering=\"crispEdges\"><rect width=\"{side}\" height=\"{side}\" \
             fill=\"#fff\"/><path d=\"{path}\" fill=\"#000\"/></svg>"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Paint `qr` at `scale` pixels a module, with its quiet zone, and read
    /// it back as a phone's camera would.
    pub(crate) fn read_back(qr: &Qr, scale: usize) -> String {
        let side = (qr.size() + 2 * QUIET_ZONE) * scale;
        let mut img = rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| {
            let (mx, my) = (x / scale, y / scale);
            let dark =
                mx >= QUIET_ZONE && my >= QUIET_ZONE && qr.dark(mx - QUIET_ZONE, my - QUIET_ZONE);
            if dark { 0 } else { 255 }
        });
        let grids = img.detect_grids();
        assert_eq!(grids.len(), 1, "one code found");
        grids[0].decode().expect("the code reads").1
    }

    #[test]
    fn a_join_link_reads_back_from_its_code() {
        let url = "http://192.168.1.20:8737/?code=K7QX2M";
        let qr = Qr::of(url).expect("fits");
        assert_eq!(read_back(&qr, 4), url);
        // Medium correction for a 37-character link: version 3 (29
        // modules), big enough to read across a room when projected.
        assert_eq!(qr.size(), 29);
    }

    #[test]
    fn runs_cover_exactly_the_dark_modules() {
        let qr = Qr::of("http://10.0.0.7:8737/?code=ABCDEF").unwrap();
        let mut painted = vec![false; qr.size() * qr.size()];
        for (x, y, n) in qr.runs() {
            assert!(n > 0);
            for i in x..x + n {
                assert!(!painted[y * qr.size() + i], "no module painted twice");
                painted[y * qr.size() + i] = true;
            }
        }
        for y in 0..qr.size() {
            for x in 0..qr.size() {
                assert_eq!(painted[y * qr.size() + x], qr.dark(x, y), "({x}, {y})");
            }
        }
        assert!(!qr.dark(qr.size(), 0), "outside the code is light");
    }

    #[test]
    fn the_svg_draws_the_code_with_its_quiet_zone() {
        let qr = Qr::of("http://127.0.0.1:8737/?code=ABCDEF").unwrap();
        let svg = qr.svg();
        let side = qr.size() + 2 * QUIET_ZONE;
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.contains(&format!("viewBox=\"0 0 {side} {side}\"")));
        // The top-left finder pattern's first row: 7 dark modules, at the
        // quiet zone's corner.
        assert!(svg.contains(&format!("M{QUIET_ZONE} {QUIET_ZONE}h7v1h-7z")));
        assert_eq!(svg.matches('z').count(), qr.runs().len());
    }

    #[test]
    fn text_too_long_for_a_code_is_refused() {
        assert!(Qr::of(&"x".repeat(5000)).is_none());
    }
}
