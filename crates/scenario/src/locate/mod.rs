//! Finding where a field path lies in RON source text.
//!
//! serde forgets positions once a value is parsed, but validation errors
//! must still name a line and column. [`locate`] skims the text (without
//! building values) along a [`FieldPath`] and returns where the value, or a
//! map key, starts. It understands exactly the RON this project writes:
//! structs and tuples `Name(..)`/`(..)`, lists `[..]`, maps `{..}`, strings
//! (plain and raw), chars, numbers, identifiers, `Some(..)`, comments and
//! `#![enable(..)]` attributes.

mod cursor;

use cursor::Cursor;

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

/// A 1-based line and column, as an editor shows them: an LF, a CR LF
/// pair and a lone CR each end one line, and columns count characters
/// (a CR is no column).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1, in characters.
    pub column: usize,
}

/// Whether the byte at `i` ends a line: an LF, or a CR not followed by an
/// LF (a CR LF pair ends its line once, at the LF).
fn ends_line(bytes: &[u8], i: usize) -> bool {
    match bytes[i] {
        b'\n' => true,
        b'\r' => bytes.get(i + 1) != Some(&b'\n'),
        _ => false,
    }
}

impl Position {
    /// The position of byte offset `offset` in `src` (an offset inside a
    /// character counts as that character's start).
    pub fn of_offset(src: &str, offset: usize) -> Position {
        let mut end = offset.min(src.len());
        while !src.is_char_boundary(end) {
            end -= 1;
        }
        let (mut line, mut line_start) = (1, 0);
        for i in (0..end).filter(|&i| ends_line(src.as_bytes(), i)) {
            line += 1;
            line_start = i + 1;
        }
        // Only the CR of a CR LF pair can be left before `end`.
        let column = src[line_start..end].chars().filter(|&c| c != '\r').count() + 1;
        Position { line, column }
    }
}

/// Where the value at `path` starts in `src`, if it can be found. Lines
/// may end in LF, CR LF or CR, as in the file: the position is the
/// editor's either way.
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

/// The byte range of the value at `path` in `src`, if it can be found.
pub fn span(src: &str, path: &FieldPath) -> Option<std::ops::Range<usize>> {
    let mut cur = Cursor {
        src: src.as_bytes(),
        pos: 0,
    };
    cur.skip_attributes();
    let start = cur.value_at(&path.0)?;
    cur.pos = start;
    cur.skip_value();
    (cur.pos > start).then_some(start..cur.pos)
}

/// Where one more item goes in the collection (struct, tuple, list or
/// map) whose value starts at byte `open`: the offset after its last item
/// (and that item's comma), whether a comma must come first, and the
/// offset of its first item, if it has one.
pub fn end_of_items(src: &str, open: usize) -> Option<(usize, bool, Option<usize>)> {
    let mut cur = Cursor {
        src: src.as_bytes(),
        pos: open,
    };
    cur.end_of_items()
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

/// The byte offset of a 1-based position (lines and columns as
/// [`Position`] counts them). A column past the end of its line gives the
/// line's end; a line past the end of `src`, the end of `src`.
pub fn offset_of(src: &str, pos: Position) -> usize {
    let line_start = match pos.line {
        0 | 1 => 0,
        line => (0..src.len())
            .filter(|&i| ends_line(src.as_bytes(), i))
            .nth(line - 2)
            .map_or(src.len(), |i| i + 1),
    };
    let rest = &src[line_start..];
    let line_end = rest.find(['\r', '\n']).unwrap_or(rest.len());
    line_start
        + rest[..line_end]
            .char_indices()
            .nth(pos.column.saturating_sub(1))
            .map_or(line_end, |(i, _)| i)
}

/// A validation error at `path` in `src`, positioned at the deepest part of
/// the path that can be found in the text (the start of the file if none).
/// The message and the path are escaped and shortened
/// ([`crate::text::message`]): they may quote any text from the file.
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
        path: crate::text::message(path.to_string()),
        message: crate::text::message(message),
        kind: super::ErrorKind::Validation,
    }
}

#[cfg(test)]
mod tests;
