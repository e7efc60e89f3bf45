//! Finding where a field path lies in RON source text.
//!
//! serde forgets positions once a value is parsed, but validation errors
//! must still name a line and column. [`locate`] skims the text (without
//! building values) along a [`FieldPath`] and returns where the value, or a
//! map key, starts. It understands exactly the RON this project writes:
//! structs and tuples `Name(..)`/`(..)`, lists `[..]`, maps `{..}`, strings
//! (plain and raw), chars, numbers, identifiers, `Some(..)`, comments and
//! `#![enable(..)]` attributes.

use std::fmt;

/// One step of a path into a scenario file.
#[derive(Clone, Debug, PartialEq)]
pub enum Segment {
    /// A named struct field: `.name`.
    Field(&'static str),
    /// A list element: `[i]`.
    Index(usize),
    /// A map value, by key: `.key`.
    Key(String),
    /// A map key itself (for errors about the key, such as an unknown knob).
    KeyName(String),
    /// An enum variant wrapping the rest: `.Variant`.
    Variant(&'static str),
    /// A name from a path written as text (as serde reports it): a struct
    /// field, a map key or an enum variant, whichever the text has there.
    Name(String),
}

/// A path from the top of a file to one value, displayed like
/// `groups[2].count`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FieldPath(pub Vec<Segment>);

impl FieldPath {
    /// The empty path (the whole file).
    pub fn root() -> Self {
        Self(Vec::new())
    }

    /// This path extended by a field.
    pub fn field(&self, name: &'static str) -> Self {
        self.with(Segment::Field(name))
    }

    /// This path extended by a list index.
    pub fn index(&self, i: usize) -> Self {
        self.with(Segment::Index(i))
    }

    /// This path extended by a map key (pointing at the value).
    pub fn key(&self, k: &str) -> Self {
        self.with(Segment::Key(k.to_owned()))
    }

    /// This path extended by a map key (pointing at the key).
    pub fn key_name(&self, k: &str) -> Self {
        self.with(Segment::KeyName(k.to_owned()))
    }

    /// This path extended by an enum variant.
    pub fn variant(&self, v: &'static str) -> Self {
        self.with(Segment::Variant(v))
    }

    /// Parse a path as serde_path_to_error prints it (`groups[2].count`,
    /// `knobs.transparency.max`). `"."` and `""` are the root.
    pub fn parse(text: &str) -> Self {
        let mut segs = Vec::new();
        for part in text.split('.').filter(|p| !p.is_empty()) {
            let (name, mut rest) = part.split_once('[').map_or((part, ""), |(n, r)| (n, r));
            if !name.is_empty() {
                segs.push(Segment::Name(name.to_owned()));
            }
            while let Some((index, after)) = rest.split_once(']') {
                if let Ok(i) = index.parse() {
                    segs.push(Segment::Index(i));
                }
                rest = after.strip_prefix('[').unwrap_or(after);
            }
        }
        Self(segs)
    }

    fn with(&self, s: Segment) -> Self {
        let mut v = self.0.clone();
        v.push(s);
        Self(v)
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for s in &self.0 {
            match s {
                Segment::Index(i) => write!(f, "[{i}]")?,
                Segment::Field(n) | Segment::Variant(n) => {
                    if !first {
                        f.write_str(".")?;
                    }
                    f.write_str(n)?;
                }
                Segment::Key(k) | Segment::KeyName(k) | Segment::Name(k) => {
                    if !first {
                        f.write_str(".")?;
                    }
                    f.write_str(k)?;
                }
            }
            first = false;
        }
        if first {
            f.write_str("(file)")?;
        }
        Ok(())
    }
}

/// A 1-based line and column (columns count characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1, in characters.
    pub column: usize,
}

impl Position {
    /// The position of byte offset `offset` in `src`.
    pub fn of_offset(src: &str, offset: usize) -> Position {
        let mut end = offset.min(src.len());
        while !src.is_char_boundary(end) {
            end -= 1;
        }
        let before = &src[..end];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        Position { line, column }
    }
}

/// Where the value at `path` starts in `src`, if it can be found.
///
/// Complexity: O(length of `src`); each byte is skimmed at most once per
/// call.
pub fn locate(src: &str, path: &FieldPath) -> Option<Position> {
    let mut cur = Cursor {
        src: src.as_bytes(),
        pos: 0,
    };
    cur.skip_attributes();
    let offset = cur.value_at(&path.0)?;
    Some(Position::of_offset(src, offset))
}

/// Whether `src` holds nothing but whitespace and comments.
pub fn is_blank(src: &str) -> bool {
    let mut cur = Cursor {
        src: src.as_bytes(),
        pos: 0,
    };
    cur.skip_ws();
    cur.pos >= src.len()
}

/// The source text of the single value starting at byte `offset`,
/// shortened to at most 40 characters.
pub fn token_at(src: &str, offset: usize) -> String {
    let mut cur = Cursor {
        src: src.as_bytes(),
        pos: offset,
    };
    cur.skip_value();
    let text = src.get(offset..cur.pos).unwrap_or("").trim();
    if text.chars().count() > 40 {
        format!("{}…", text.chars().take(39).collect::<String>())
    } else {
        text.to_owned()
    }
}

/// The byte offset of a 1-based position.
pub fn offset_of(src: &str, pos: Position) -> usize {
    let line_start: usize = src
        .split_inclusive('\n')
        .take(pos.line.saturating_sub(1))
        .map(str::len)
        .sum();
    let line = &src[line_start.min(src.len())..];
    line_start
        + line
            .char_indices()
            .nth(pos.column.saturating_sub(1))
            .map_or(line.len(), |(i, _)| i)
}

struct Cursor<'a> {
    src: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.src.get(self.pos).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Skip whitespace and comments (`//…` and nested `/* … */`).
    fn skip_ws(&mut self) {
        loop {
            match self.peek() {
                Some(b) if b.is_ascii_whitespace() => self.pos += 1,
                Some(b'/') if self.src.get(self.pos + 1) == Some(&b'/') => {
                    while let Some(b) = self.peek() {
                        self.pos += 1;
                        if b == b'\n' {
                            break;
                        }
                    }
                }
                Some(b'/') if self.src.get(self.pos + 1) == Some(&b'*') => {
                    self.pos += 2;
                    let mut depth = 1;
                    while depth > 0 && self.pos < self.src.len() {
                        if self.src[self.pos..].starts_with(b"/*") {
                            depth += 1;
                            self.pos += 2;
                        } else if self.src[self.pos..].starts_with(b"*/") {
                            depth -= 1;
                            self.pos += 2;
                        } else {
                            self.pos += 1;
                        }
                    }
                }
                _ => return,
            }
        }
    }

    /// Skip `#![enable(...)]` lines at the top of a file.
    fn skip_attributes(&mut self) {
        loop {
            self.skip_ws();
            if self.src[self.pos..].starts_with(b"#!") {
                self.pos += 2;
                if self.peek() == Some(b'[') {
                    self.skip_balanced();
                }
            } else {
                return;
            }
        }
    }

    fn ident(&mut self) -> &[u8] {
        let start = self.pos;
        while let Some(b) = self.peek() {
            if b.is_ascii_alphanumeric() || b == b'_' {
                self.pos += 1;
            } else {
                break;
            }
        }
        &self.src[start..self.pos]
    }

    fn skip_string(&mut self) {
        // At the opening quote.
        self.pos += 1;
        while let Some(b) = self.peek() {
            self.pos += 1;
            match b {
                b'\\' => self.pos += 1,
                b'"' => break,
                _ => {}
            }
        }
        // An escape at the very end must not leave the cursor past it.
        self.pos = self.pos.min(self.src.len());
    }

    fn skip_raw_string(&mut self) {
        // At `r`, followed by hashes and a quote.
        self.pos += 1;
        let mut hashes = 0;
        while self.eat(b'#') {
            hashes += 1;
        }
        if !self.eat(b'"') {
            return;
        }
        while self.pos < self.src.len() {
            if self.src[self.pos] == b'"'
                && self.src[self.pos + 1..]
                    .iter()
                    .take(hashes)
                    .filter(|b| **b == b'#')
                    .count()
                    == hashes
            {
                self.pos = (self.pos + 1 + hashes).min(self.src.len());
                return;
            }
            self.pos += 1;
        }
    }

    fn skip_char(&mut self) {
        self.pos += 1;
        while let Some(b) = self.peek() {
            self.pos += 1;
            match b {
                b'\\' => self.pos += 1,
                b'\'' => break,
                _ => {}
            }
        }
        self.pos = self.pos.min(self.src.len());
    }

    /// Skip a bracketed group, starting at its opening bracket.
    fn skip_balanced(&mut self) {
        let mut depth = 0usize;
        while let Some(b) = self.peek() {
            match b {
                b'(' | b'[' | b'{' => {
                    depth += 1;
                    self.pos += 1;
                }
                b')' | b']' | b'}' => {
                    self.pos += 1;
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return;
                    }
                }
                b'"' => self.skip_string(),
                b'\'' => self.skip_char(),
                b'r' if matches!(self.src.get(self.pos + 1), Some(b'"' | b'#')) => {
                    self.skip_raw_string()
                }
                b'/' if matches!(self.src.get(self.pos + 1), Some(b'/' | b'*')) => self.skip_ws(),
                _ => self.pos += 1,
            }
        }
    }

    /// Skip one value of any kind.
    fn skip_value(&mut self) {
        self.skip_ws();
        match self.peek() {
            Some(b'"') => self.skip_string(),
            Some(b'\'') => self.skip_char(),
            Some(b'r') if matches!(self.src.get(self.pos + 1), Some(b'"' | b'#')) => {
                self.skip_raw_string()
            }
            Some(b'(' | b'[' | b'{') => self.skip_balanced(),
            Some(_) => {
                let start = self.pos;
                while let Some(b) = self.peek() {
                    if b.is_ascii_alphanumeric() || matches!(b, b'_' | b'+' | b'-' | b'.') {
                        self.pos += 1;
                    } else {
                        break;
                    }
                }
                if self.pos == start {
                    // Not a value (a stray bracket, a control character):
                    // step over one character so the callers' loops end.
                    self.pos += 1;
                    while self.peek().is_some_and(|b| b & 0xC0 == 0x80) {
                        self.pos += 1;
                    }
                    return;
                }
                let save = self.pos;
                self.skip_ws();
                if self.peek() == Some(b'(') {
                    self.skip_balanced();
                } else {
                    self.pos = save;
                }
            }
            None => {}
        }
    }

    /// Skip whitespace and one separating comma, if there is one.
    fn skip_comma(&mut self) {
        self.skip_ws();
        self.eat(b',');
    }

    /// The offset of the value at `path`, starting from the value at the
    /// cursor.
    fn value_at(&mut self, path: &[Segment]) -> Option<usize> {
        self.skip_ws();
        if path.is_empty() {
            return Some(self.pos);
        }
        let start = self.pos;
        let ident = self.ident().to_vec();
        self.skip_ws();
        // `Some(x)` is transparent.
        if ident == b"Some" && self.peek() == Some(b'(') {
            self.pos += 1;
            return self.value_at(path);
        }
        match &path[0] {
            Segment::Name(name) => match self.peek() {
                Some(b'(') if ident == name.as_bytes() => {
                    // A struct variant's field, or a newtype variant's content.
                    let at_paren = self.pos;
                    if let Some(Segment::Name(field)) = path.get(1)
                        && let Some(found) = self.in_struct_named(field.as_bytes(), &path[2..])
                    {
                        return Some(found);
                    }
                    self.pos = at_paren;
                    if path.len() == 1 {
                        return Some(self.variant_or_content(start));
                    }
                    self.pos = at_paren + 1;
                    self.value_at(&path[1..])
                }
                Some(b'(') => self.in_struct_named(name.as_bytes(), &path[1..]),
                Some(b'{') if ident.is_empty() => self.in_map(name, false, &path[1..]),
                _ => None,
            },
            Segment::Variant(v) => {
                if ident != v.as_bytes() || self.peek() != Some(b'(') {
                    return None;
                }
                if path.len() == 1 {
                    Some(self.variant_or_content(start))
                } else if matches!(path.get(1), Some(Segment::Field(_))) {
                    self.in_struct(&path[1..])
                } else {
                    self.pos += 1;
                    self.value_at(&path[1..])
                }
            }
            Segment::Field(_) => {
                if self.peek() != Some(b'(') {
                    return None;
                }
                self.in_struct(path)
            }
            Segment::Index(i) => match self.peek() {
                Some(b'[') | Some(b'(') => self.in_seq(*i, &path[1..]),
                _ => None,
            },
            Segment::Key(k) | Segment::KeyName(k) => {
                if !ident.is_empty() || self.peek() != Some(b'{') {
                    self.pos = start;
                    return None;
                }
                let want_key = matches!(path[0], Segment::KeyName(_));
                self.in_map(k, want_key, &path[1..])
            }
        }
    }

    /// At the `(` of a variant whose name starts at `start`: the content of
    /// a newtype variant (`Compare("x")` points at `"x"`), the name of a
    /// struct variant (`Range(from: …)` points at `Range`).
    fn variant_or_content(&mut self, start: usize) -> usize {
        self.pos += 1;
        self.skip_ws();
        let content = self.pos;
        let is_struct = !self.ident().is_empty() && {
            self.skip_ws();
            self.peek() == Some(b':')
        };
        if is_struct { start } else { content }
    }

    /// At `(`: find the named field `path[0]` and continue inside it.
    fn in_struct(&mut self, path: &[Segment]) -> Option<usize> {
        let Segment::Field(name) = &path[0] else {
            return None;
        };
        self.in_struct_named(name.as_bytes(), &path[1..])
    }

    /// At `(`: find the field `name` and continue inside it with `rest`.
    fn in_struct_named(&mut self, name: &[u8], rest: &[Segment]) -> Option<usize> {
        self.pos += 1;
        loop {
            self.skip_ws();
            match self.peek() {
                None | Some(b')') => return None,
                _ => {}
            }
            let save = self.pos;
            let id = self.ident().to_vec();
            self.skip_ws();
            if !id.is_empty() && self.eat(b':') {
                if id == name {
                    return self.value_at(rest);
                }
                self.skip_value();
            } else {
                self.pos = save;
                self.skip_value();
            }
            self.skip_comma();
        }
    }

    /// At `[` or `(`: find element `index` and continue inside it.
    fn in_seq(&mut self, index: usize, rest: &[Segment]) -> Option<usize> {
        self.pos += 1;
        for i in 0.. {
            self.skip_ws();
            match self.peek() {
                None | Some(b']') | Some(b')') => return None,
                _ => {}
            }
            if i == index {
                return self.value_at(rest);
            }
            self.skip_value();
            self.skip_comma();
        }
        None
    }

    /// At `{`: find the entry whose key is `key`; return the key's offset
    /// (`want_key`) or continue inside its value.
    fn in_map(&mut self, key: &str, want_key: bool, rest: &[Segment]) -> Option<usize> {
        self.pos += 1;
        loop {
            self.skip_ws();
            match self.peek() {
                None | Some(b'}') => return None,
                _ => {}
            }
            let key_start = self.pos;
            self.skip_value();
            let raw = &self.src[key_start..self.pos];
            let text = std::str::from_utf8(raw).unwrap_or("");
            let unquoted = text
                .strip_prefix('"')
                .and_then(|t| t.strip_suffix('"'))
                .unwrap_or(text);
            self.skip_ws();
            if !self.eat(b':') {
                return None;
            }
            if unquoted == key {
                return if want_key {
                    Some(key_start)
                } else {
                    self.value_at(rest)
                };
            }
            self.skip_value();
            self.skip_comma();
        }
    }
}

/// A validation error at `path` in `src`, positioned at the deepest part of
/// the path that can be found in the text (the start of the file if none).
pub fn error_at(
    src: &str,
    file: &str,
    path: &FieldPath,
    message: impl Into<String>,
) -> super::ScenarioError {
    let mut probe = path.clone();
    let pos = loop {
        if let Some(p) = locate(src, &probe) {
            break p;
        }
        if probe.0.pop().is_none() {
            break Position { line: 1, column: 1 };
        }
    };
    super::ScenarioError {
        file: file.to_owned(),
        line: pos.line,
        column: pos.column,
        path: path.to_string(),
        message: shorten(message.into()),
        kind: super::ErrorKind::Validation,
    }
}

/// Longest message kept whole: a message quoting a name from the file
/// (a 10 MB group name, say) keeps its start and end.
const MAX_MESSAGE_CHARS: usize = 600;

fn shorten(message: String) -> String {
    let n = message.chars().count();
    if n <= MAX_MESSAGE_CHARS {
        return message;
    }
    let (head, tail) = (MAX_MESSAGE_CHARS / 2, MAX_MESSAGE_CHARS / 4);
    let start: String = message.chars().take(head).collect();
    let end: String = message.chars().skip(n - tail).collect();
    format!("{start}… ({} characters left out) …{end}", n - head - tail)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = r#"#![enable(implicit_some)]
// a comment with ( and "
Scenario(
    name: "x (with parens)",
    groups: [
        (name: "A", part: Department, count: 3),
        (
            name: "B", /* block ( */ part: Partner,
            count: many,
        ),
    ],
    knobs: { "transparency": (value: 0.5, max: 2.0) },
    interventions: [ (at: 3, action: Set({ "silo_permeability": 7.0 })),
                     (at: 4, action: Campaign(duration: 2, reach: 9.0)) ],
)
"#;

    fn at(path: FieldPath) -> Option<(usize, usize)> {
        locate(SRC, &path).map(|p| (p.line, p.column))
    }

    #[test]
    fn finds_struct_fields_list_items_and_nested_fields() {
        let r = FieldPath::root();
        assert_eq!(at(r.field("name")), Some((4, 11)));
        assert_eq!(at(r.field("groups").index(0).field("count")), Some((6, 46)));
        assert_eq!(at(r.field("groups").index(1).field("count")), Some((9, 20)));
        assert_eq!(at(r.field("groups").index(1).field("part")), Some((8, 44)));
    }

    #[test]
    fn finds_map_keys_and_values_and_enum_variants() {
        let r = FieldPath::root();
        assert_eq!(
            at(r.field("knobs").key_name("transparency")),
            Some((12, 14))
        );
        assert_eq!(
            at(r.field("knobs").key("transparency").field("max")),
            Some((12, 48))
        );
        let set = r
            .field("interventions")
            .index(0)
            .field("action")
            .variant("Set");
        assert_eq!(at(set.key("silo_permeability")), Some((13, 65)));
        let camp = r
            .field("interventions")
            .index(1)
            .field("action")
            .variant("Campaign");
        assert_eq!(at(camp.field("reach")), Some((14, 67)));
    }

    #[test]
    fn paths_parsed_from_text_find_the_same_places() {
        for (text, want) in [
            ("groups[1].count", (9, 20)),
            ("knobs.transparency.max", (12, 48)),
            ("interventions[1].action.Campaign.reach", (14, 67)),
            ("interventions[0].action.Set.silo_permeability", (13, 65)),
        ] {
            assert_eq!(at(FieldPath::parse(text)), Some(want), "{text}");
            assert_eq!(FieldPath::parse(text).to_string(), text);
        }
        assert_eq!(FieldPath::parse(".").0, vec![]);
    }

    /// The text of the value at a position (for "found ..." messages).
    #[test]
    fn token_at_reads_one_value() {
        assert_eq!(token_at("(count: \"many\", x: 1)", 8), "\"many\"");
        assert_eq!(token_at("[1.5e3, 2]", 1), "1.5e3");
        assert_eq!(
            token_at("Random(density: 0.1) tail", 0),
            "Random(density: 0.1)"
        );
    }

    #[test]
    fn missing_paths_give_none() {
        let r = FieldPath::root();
        assert_eq!(at(r.field("nope")), None);
        assert_eq!(at(r.field("groups").index(5)), None);
        assert_eq!(at(r.field("knobs").key("nope")), None);
    }

    /// Found by fuzzing: a character that starts no value (a control
    /// character, a stray closing bracket) once stopped the cursor, and
    /// the search looped forever.
    #[test]
    fn stray_characters_do_not_stop_the_search() {
        let b = FieldPath::root().field("b");
        let at = |line, column| Some(Position { line, column });
        assert_eq!(locate("(\u{17} a: 1, b: 2)", &b), at(1, 13));
        assert_eq!(locate("(a: 1 ] }, b: 2)", &b), at(1, 15));
        let first_b = FieldPath::root().index(0).field("b");
        assert_eq!(locate("[(é\u{17}: 1, b: 2)]", &first_b), at(1, 13));
        // Offsets inside a character, and position zero, are clamped.
        assert_eq!(Position::of_offset("é", 1), Position { line: 1, column: 1 });
        assert_eq!(offset_of("ab", Position { line: 0, column: 0 }), 0);
    }

    /// Found by fuzzing: an escape or a raw string cut off by the end of
    /// the file left the cursor past the end, and slicing panicked.
    #[test]
    fn text_cut_off_at_the_end_is_not_read_past() {
        let in_map = FieldPath::root().field("m").key("k");
        for src in ["(m: {\"a\\", "(m: {'a\\", "(m: {r#\"a\"", "(m: {r##\"a\"#"] {
            assert_eq!(locate(src, &in_map), None, "{src:?}");
            assert!(token_at(src, 5).len() <= src.len());
        }
    }

    #[test]
    fn long_messages_keep_their_start_and_end() {
        let name = "x".repeat(1_000_000);
        let e = error_at(
            "",
            "f",
            &FieldPath::root(),
            format!("unknown group \"{name}\"; groups are: A"),
        );
        assert!(
            e.message.starts_with("unknown group \"xxx"),
            "{}",
            &e.message[..40]
        );
        assert!(e.message.ends_with("xx\"; groups are: A"));
        assert!(e.message.contains("(999") && e.message.chars().count() < 700);
        assert_eq!(shorten("short".into()), "short");
    }

    #[test]
    fn paths_display_like_rust_expressions() {
        let p = FieldPath::root().field("groups").index(2).field("count");
        assert_eq!(p.to_string(), "groups[2].count");
        let k = FieldPath::root()
            .field("knobs")
            .key("transparency")
            .field("max");
        assert_eq!(k.to_string(), "knobs.transparency.max");
        assert_eq!(FieldPath::root().to_string(), "(file)");
    }
}
