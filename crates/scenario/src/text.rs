//! User text made safe for messages and terminals, and line endings made
//! one kind.
//!
//! A name, id or path quoted in a message comes from a file, and a file can
//! hold anything: an `ESC ] 0 ; … BEL` sequence that retitles the terminal,
//! `ESC [ 2 J` that clears it, a million characters. [`printable`] escapes
//! control characters (they are shown as Rust writes them: `\u{1b}`, `\n`)
//! and [`shorten`] cuts what is too long in the middle; [`message`] does
//! both, and every error message that quotes user text goes through it.
//! [`terminal`] is the last line of defence where the command line prints.
//!
//! Files written on Windows end lines with CR LF, and old Mac files with a
//! lone CR. [`normalise_line_endings`] makes every break an LF, so that a
//! line and column count the way an editor shows them.

use std::borrow::Cow;

/// Longest message kept whole: a message quoting a name from a file (a
/// 10 MB group name, say) keeps its start and end.
pub const MAX_MESSAGE_CHARS: usize = 600;

/// Longest line [`terminal`] prints whole: room for a whole message with
/// its file, position and field path in front.
pub const MAX_LINE_CHARS: usize = 2_000;

/// Whether `c` must not reach a terminal as it is: C0 controls, DEL, C1
/// controls (U+0080–U+009F, where U+009B opens an escape sequence on some
/// terminals), the Unicode line and paragraph separators, and the
/// bidirectional overrides and isolates that reorder what is shown.
fn unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with the characters [`unsafe_char`] finds escaped, except those
/// `keep` keeps.
fn escape(text: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !text.chars().any(|c| unsafe_char(c) && !keep(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if unsafe_char(c) && !keep(c) {
            // `\n`, `\t`, `\0`; `\u{1b}` for the rest.
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `text` with every control character escaped (`ESC` as `\u{1b}`, a line
/// break as `\n`), so it shows as one line and cannot drive a terminal.
/// Other text, "café" or "東京" alike, is left as it is; text with nothing
/// to escape is not copied. Escaping twice changes nothing more.
pub fn printable(text: &str) -> Cow<'_, str> {
    escape(text, |_| false)
}

/// `text` cut to at most about `max` characters: its first half and last
/// quarter are kept around a note of how much was left out.
pub fn shorten(text: &str, max: usize) -> Cow<'_, str> {
    let n = text.chars().count();
    if n <= max {
        return Cow::Borrowed(text);
    }
    let (head, tail) = (max / 2, max / 4);
    let start: String = text.chars().take(head).collect();
    let end: String = text.chars().skip(n - tail).collect();
    Cow::Owned(format!(
        "{start}… ({} characters left out) …{end}",
        n - head - tail
    ))
}

/// A message (or a field path) fit to show: control characters escaped
/// ([`printable`]) and at most about [`MAX_MESSAGE_CHARS`] long
/// ([`shorten`]).
pub fn message(text: impl Into<String>) -> String {
    let text = text.into();
    match printable(&text) {
        Cow::Borrowed(_) => shorten(&text, MAX_MESSAGE_CHARS).into_owned(),
        Cow::Owned(escaped) => shorten(&escaped, MAX_MESSAGE_CHARS).into_owned(),
    }
}

/// Text about to be printed to a terminal, perhaps several messages one a
/// line: control characters other than the line breaks between them are
/// escaped, and each line is cut to [`MAX_LINE_CHARS`].
pub fn terminal(text: &str) -> Cow<'_, str> {
    let escaped = escape(text, |c| c == '\n');
    if escaped.lines().all(|l| l.len() <= MAX_LINE_CHARS) {
        // No line can be over the limit in characters either.
        return escaped;
    }
    let lines: Vec<Cow<'_, str>> = escaped
        .split('\n')
        .map(|l| shorten(l, MAX_LINE_CHARS))
        .collect();
    Cow::Owned(lines.join("\n"))
}

/// `text` with every line break an LF: a CR LF pair and a lone CR (as old
/// Mac files end lines) each become one LF, so lines and columns count as
/// an editor shows them. Text with no CR (every LF file) is not copied.
pub fn normalise_line_endings(text: &str) -> Cow<'_, str> {
    if !text.contains('\r') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('\r') {
        out.push_str(&rest[..i]);
        out.push('\n');
        rest = &rest[i + 1..];
        if let Some(after) = rest.strip_prefix('\n') {
            rest = after;
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_and_other_text_kept() {
        assert_eq!(
            printable("a\u{1b}]0;owned\u{7}\u{1b}[2Jb"),
            "a\\u{1b}]0;owned\\u{7}\\u{1b}[2Jb"
        );
        assert_eq!(printable("x\ny\tz\r\0"), "x\\ny\\tz\\r\\0");
        // DEL, C1 (CSI is U+009B), a bidirectional override.
        assert_eq!(
            printable("\u{7f}\u{9b}2J\u{202e}"),
            "\\u{7f}\\u{9b}2J\\u{202e}"
        );
        for kept in ["café", "東京", "a \"quoted\" \\ name", "ünïcödé – ok"] {
            assert!(matches!(printable(kept), Cow::Borrowed(_)), "{kept}");
        }
        let once = printable("\u{1b}[31mred").into_owned();
        assert_eq!(printable(&once), once);
    }

    #[test]
    fn long_text_keeps_its_start_and_end() {
        assert_eq!(shorten("short", 10), "short");
        let long = format!("<{}>", "é".repeat(10_000));
        let cut = shorten(&long, 600);
        assert!(cut.starts_with("<éé") && cut.ends_with("éé>"), "{cut}");
        assert!(cut.contains("(9552 characters left out)"), "{cut}");
        assert!(cut.chars().count() < 650);
    }

    #[test]
    fn messages_are_escaped_then_cut() {
        let id = "\u{1b}".repeat(1_000_000);
        let m = message(format!("unknown agent \"{id}\""));
        assert!(!m.chars().any(char::is_control), "{m}");
        assert!(m.starts_with("unknown agent \"\\u{1b}"), "{m}");
        assert!(m.ends_with("\\u{1b}\""), "{m}");
        assert!(m.chars().count() <= MAX_MESSAGE_CHARS + 50);
        assert_eq!(message("plain"), "plain");
    }

    #[test]
    fn the_terminal_gets_one_line_per_message_each_cut() {
        let text = format!("first \u{1b}[2J\nsecond {}", "y".repeat(100_000));
        let shown = terminal(&text);
        let lines: Vec<&str> = shown.lines().collect();
        assert_eq!(lines.len(), 2, "{shown}");
        assert_eq!(lines[0], "first \\u{1b}[2J");
        assert!(lines[1].starts_with("second yyy") && lines[1].chars().count() < 2_100);
        assert!(matches!(terminal("ok\nfine"), Cow::Borrowed(_)));
    }

    #[test]
    fn every_line_break_becomes_one_lf() {
        assert_eq!(normalise_line_endings("a\r\nb\rc\nd\r"), "a\nb\nc\nd\n");
        // LF then CR is two breaks, as an editor shows it.
        assert_eq!(normalise_line_endings("a\n\rb\r\r\nc"), "a\n\nb\n\nc");
        assert!(matches!(normalise_line_endings("a\nb\n"), Cow::Borrowed(_)));
    }
}
