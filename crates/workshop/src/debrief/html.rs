//! The page's parts that are plain HTML: escaping, the style sheet, tables
//! and the check that every chart rendered.

use crate::headline::{Headline, Verdict};
use crate::look::{BETTER, WORSE};
use std::fmt::Write;

/// `text` safe inside HTML text and attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters and the invisible marks that reverse the
            // direction of text (a note could hold them) are shown, not
            // passed to the browser.
            c if (c.is_control() && c != '\n' && c != '\t')
                || matches!(c, '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') =>
            {
                let _ = write!(out, "\\u{{{:04X}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

/// `#rrggbb`.
pub fn css(rgb: [u8; 3]) -> String {
    format!("#{:02x}{:02x}{:02x}", rgb[0], rgb[1], rgb[2])
}

/// The style sheet: a light page to print or read at a desk, with the
/// charts and pictures on the app's dark ground so their colours mean
/// what they meant on the projector.
pub fn style() -> String {
    format!(
        r#"
body {{ font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d2128; background: #f6f7f9; margin: 0; }}
main {{ max-width: 1260px; margin: 0 auto; padding: 24px 28px 60px; }}
h1 {{ font-size: 28px; margin: 8px 0 4px; }}
h2 {{ font-size: 21px; margin: 34px 0 10px; border-bottom: 2px solid #d9dde3; padding-bottom: 4px; }}
h3 {{ font-size: 18px; margin: 26px 0 6px; }}
.meta {{ color: #58606c; font-size: 13px; }}
.note {{ font-size: 16px; max-width: 62em; }}
table {{ border-collapse: collapse; margin: 8px 0 14px; font-variant-numeric: tabular-nums; }}
th, td {{ padding: 4px 12px; border-bottom: 1px solid #e1e4e8; text-align: right; vertical-align: top; }}
td.text, th.text {{ text-align: left; }}
td.text {{ overflow-wrap: anywhere; }}
td.nowrap, th.nowrap {{ white-space: nowrap; }}
thead th {{ background: #eceff3; }}
.better {{ color: #11708a; font-weight: 600; }}
.worse {{ color: #b4530f; font-weight: 600; }}
.swatch-better {{ background: {better}; }}
.swatch-worse {{ background: {worse}; }}
.strip {{ display: flex; flex-wrap: wrap; gap: 12px; }}
figure {{ margin: 0; background: #101218; border-radius: 6px; padding: 8px 10px 6px; color: #e6e9ee; }}
figure figcaption {{ font-weight: 600; font-size: 14px; margin-bottom: 4px; }}
.callout {{ display: flex; flex-wrap: wrap; gap: 10px; margin: 10px 0 14px; }}
.card {{ background: #101218; color: #f2f4f7; border-radius: 6px; padding: 8px 14px; min-width: 150px; }}
.card .label {{ font-size: 13px; color: #b8bec8; }}
.card .value {{ font-size: 24px; font-weight: 650; font-variant-numeric: tabular-nums; }}
.card .diff {{ font-size: 15px; font-weight: 600; }}
.card .diff.better {{ color: {better}; }}
.card .diff.worse {{ color: {worse}; }}
.empty {{ color: #6b7380; font-style: italic; }}
.hit {{ color: #11708a; font-weight: 600; }}
.miss {{ color: #b4530f; font-weight: 600; }}
footer {{ margin-top: 40px; color: #6b7380; font-size: 13px; }}
@media print {{ body {{ background: white; }} figure, .card {{ break-inside: avoid; }} }}
"#,
        better = css(BETTER),
        worse = css(WORSE)
    )
}

/// The check a browser runs on the page: every chart and picture is an
/// SVG with a drawn area and at least one mark; the result is written into
/// the page (`#render-check`), where a reader and a test can see it.
pub const RENDER_CHECK: &str = r#"
<script>
addEventListener('load', () => {
  const figures = [...document.querySelectorAll('svg.drawn')];
  let ok = 0;
  for (const svg of figures) {
    const box = svg.getBoundingClientRect();
    const marks = [...svg.querySelectorAll('path, circle, polyline, line')]
      .filter(m => { const b = m.getBBox(); return b.width > 0 || b.height > 0; });
    const drawn = box.width > 0 && box.height > 0 && marks.length > 0;
    svg.setAttribute('data-rendered', drawn ? 'yes' : 'no');
    if (drawn) ok += 1;
  }
  const check = document.getElementById('render-check');
  check.textContent = `figures drawn: ${ok} of ${figures.length}`;
});
</script>
"#;

/// A table's head; the columns numbered in `text` hold text (aligned
/// left), the others numbers (aligned right).
pub fn head(out: &mut String, columns: &[&str], text: &[usize]) {
    out.push_str("<table><thead><tr>");
    for (i, c) in columns.iter().enumerate() {
        let class = if text.contains(&i) {
            " class=\"text\""
        } else {
            ""
        };
        let _ = write!(out, "<th{class}>{}</th>", esc(c));
    }
    out.push_str("</tr></thead><tbody>");
}

/// B − A as a table cell: coloured and said better or worse (a fall in
/// churn is better: an arrow would point the wrong way).
pub fn diff_cell(h: &Headline, d: f64, verdict: Verdict) -> String {
    let text = esc(&h.format(d, true));
    match verdict {
        Verdict::Better => format!("<td class=\"better\">{text} better</td>"),
        Verdict::Worse => format!("<td class=\"worse\">{text} worse</td>"),
        Verdict::Even => format!("<td>{text}</td>"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_for_html() {
        assert_eq!(
            esc("<b>\"A&B\"</b> it's\u{7}"),
            "&lt;b&gt;&quot;A&amp;B&quot;&lt;/b&gt; it&#39;s\\u{0007}"
        );
        assert_eq!(esc("ab\u{202e}cd"), "ab\\u{202E}cd", "no reversed text");
        assert_eq!(css([255, 0, 16]), "#ff0010");
    }
}
