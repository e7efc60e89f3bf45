//! A cursor that skims RON text without building values: it skips
//! whitespace, comments, attributes and whole values, and steps into
//! structs, tuples, lists and maps along a field path.

use super::Segment;

pub(super) struct Cursor<'a> {
    pub(super) src: &'a [u8],
    pub(super) pos: usize,
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

    /// Skip whitespace and comments (`//…` to the line break, whichever
    /// kind it is, and nested `/* … */`).
    pub(super) fn skip_ws(&mut self) {
        loop {
            match self.peek() {
                Some(b) if b.is_ascii_whitespace() => self.pos += 1,
                Some(b'/') if self.src.get(self.pos + 1) == Some(&b'/') => {
                    while let Some(b) = self.peek() {
                        self.pos += 1;
                        if b == b'\n' || b == b'\r' {
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
    pub(super) fn skip_attributes(&mut self) {
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
    pub(super) fn skip_value(&mut self) {
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

    /// At the opening bracket of a struct, tuple, list or map (or the name
    /// before a struct's `(`): the offset where one more item goes — after
    /// the last item, and after its comma when it has one —, whether a
    /// comma must come first, and the offset of the first item (`None` in
    /// an empty collection).
    pub(super) fn end_of_items(&mut self) -> Option<(usize, bool, Option<usize>)> {
        self.skip_ws();
        if self.peek().is_some_and(|b| b.is_ascii_alphabetic()) {
            self.ident();
            self.skip_ws();
        }
        let close = match self.peek()? {
            b'(' => b')',
            b'[' => b']',
            b'{' => b'}',
            _ => return None,
        };
        self.pos += 1;
        let (mut after, mut comma, mut first) = (self.pos, false, None);
        loop {
            self.skip_ws();
            match self.peek() {
                None => return None,
                Some(b) if b == close => return Some((after, !comma && first.is_some(), first)),
                _ => {}
            }
            first.get_or_insert(self.pos);
            let before = self.pos;
            self.skip_value();
            self.skip_ws();
            if self.eat(b':') {
                self.skip_value();
            }
            if self.pos == before {
                return None;
            }
            after = self.pos;
            self.skip_ws();
            comma = self.eat(b',');
            if comma {
                after = self.pos;
            }
        }
    }

    /// Skip whitespace and one separating comma, if there is one.
    fn skip_comma(&mut self) {
        self.skip_ws();
        self.eat(b',');
    }

    /// The offset of the value at `path`, starting from the value at the
    /// cursor.
    pub(super) fn value_at(&mut self, path: &[Segment]) -> Option<usize> {
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
    pub(super) fn in_map(&mut self, key: &str, want_key: bool, rest: &[Segment]) -> Option<usize> {
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
