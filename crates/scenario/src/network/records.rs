//! CSV records read as a stream, each field with the line and column it
//! starts at.
//!
//! A network file can hold ten million ties: it is read in one pass over a
//! buffered reader, one record at a time, into buffers that are reused, so
//! reading costs time linear in the file and memory bounded by the longest
//! record. Fields are separated by commas; a field in double quotes may hold
//! commas, line breaks and `""` for a quote. Lines may end in LF, CR LF or
//! CR (even mixed); inside a quoted field every byte is kept as it is.
//! Lines and columns are counted as an editor shows them (columns in
//! characters). A leading byte-order mark is skipped. Fields without quotes
//! are trimmed of surrounding whitespace; a quoted field is kept exactly
//! inside its quotes (an id `" a "` written by `import` reads back as it
//! was), and spaces or tabs around the quotes are not part of it (`"a" ,`
//! is `a`). A record whose fields are all empty (a blank line) is passed
//! over. A record's separators count toward its size limit with its text,
//! so a line of commas alone is bounded too.

use std::io::{self, BufRead};

/// Longest record read, in bytes: anything longer is not an agent or a tie
/// (a file with no line breaks, say) and ends the reading.
pub(crate) const MAX_RECORD_BYTES: usize = 1 << 20;

/// Why reading stopped before the end of the file.
#[derive(Debug)]
pub(crate) struct Stop {
    /// Where: 1-based line and column.
    pub(crate) line: u64,
    pub(crate) column: u64,
    /// What happened.
    pub(crate) message: String,
}

/// One record: its fields and where each starts.
pub(crate) struct Record<'a> {
    /// The line the record starts on.
    pub(crate) line: u64,
    /// The fields' text, one after another (UTF-8).
    pub(super) data: &'a [u8],
    /// Where each field ends in `data`.
    pub(super) ends: &'a [usize],
    /// Where each field starts in the file: line and column.
    pub(super) starts: &'a [(u64, u64)],
    /// Whether each field was quoted (kept exactly, not trimmed).
    pub(super) quoted: &'a [bool],
}

/// Where records come from: a CSV file ([`Records`]) or, with the
/// `parquet` feature, a Parquet file. The first record is the header.
pub(crate) trait Source {
    /// The next record with at least one non-empty field; `Ok(None)` at
    /// the end. After an `Err` reading is over.
    fn next_record(&mut self) -> Result<Option<Record<'_>>, Stop>;
}

impl<R: BufRead> Source for Records<R> {
    fn next_record(&mut self) -> Result<Option<Record<'_>>, Stop> {
        self.next()
    }
}

impl<'a> Record<'a> {
    /// How many fields.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// Field `i`, trimmed; empty where the record has fewer fields. Fields
    /// are UTF-8 (checked when the record was read).
    pub(crate) fn get(&self, i: usize) -> &'a str {
        let Some(&end) = self.ends.get(i) else {
            return "";
        };
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        let text = std::str::from_utf8(&self.data[start..end]).unwrap_or("");
        if self.quoted.get(i).copied().unwrap_or(false) {
            text
        } else {
            text.trim()
        }
    }

    /// Line and column where field `i` starts (the record's start where it
    /// has no such field).
    pub(crate) fn at(&self, i: usize) -> (u64, u64) {
        self.starts
            .get(i)
            .copied()
            .unwrap_or((self.line, self.starts.first().map_or(1, |s| s.1)))
    }
}

/// What the parser is in the middle of.
#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// At the start of a field (nothing read yet).
    FieldStart,
    /// In a field without quotes.
    Unquoted,
    /// Inside quotes.
    Quoted,
    /// Just read a quote inside quotes: a second one is a literal quote.
    QuoteInQuoted,
    /// Spaces or tabs before anything else in a field (an opening quote may
    /// follow them: ` "a"` is `a`).
    LeadingSpace,
    /// Spaces or tabs after a closing quote: dropped if the field ends
    /// there (`"a" ,` is `a`), kept if text follows.
    AfterQuote,
}

/// A stream of records from a reader.
pub(crate) struct Records<R> {
    src: R,
    /// Position of the next byte: line, column (characters), and whether
    /// the last byte was a CR (an LF right after it ends no new line).
    line: u64,
    column: u64,
    after_cr: bool,
    /// At the start of the stream (a byte-order mark may come).
    fresh: bool,
    /// The current record: its unescaped bytes, where each field ends in
    /// them, and where each field starts in the file.
    data: Vec<u8>,
    ends: Vec<usize>,
    starts: Vec<(u64, u64)>,
    quoted: Vec<bool>,
    /// Where the open quote of an unfinished quoted field is.
    quote_at: (u64, u64),
    /// Where the spaces after a closing quote start in `data`.
    trail_from: usize,
    done: bool,
}

impl<R: BufRead> Records<R> {
    pub(crate) fn new(src: R) -> Records<R> {
        Records {
            src,
            line: 1,
            column: 1,
            after_cr: false,
            fresh: true,
            data: Vec::new(),
            ends: Vec::new(),
            starts: Vec::new(),
            quoted: Vec::new(),
            quote_at: (1, 1),
            trail_from: 0,
            done: false,
        }
    }

    /// The next record with at least one non-empty field; `Ok(None)` at the
    /// end. After an `Err` (unreadable, a record too long, an unclosed
    /// quote, text that is not UTF-8 in a record) reading is over.
    pub(crate) fn next(&mut self) -> Result<Option<Record<'_>>, Stop> {
        loop {
            if self.done {
                return Ok(None);
            }
            let line = self.read_record()?;
            let blank =
                self.data.iter().all(u8::is_ascii_whitespace) && !self.quoted.contains(&true);
            if self.ends.is_empty() || blank {
                continue;
            }
            if let Err(e) = std::str::from_utf8(&self.data) {
                let bad = e.valid_up_to();
                let field = self.ends.partition_point(|&end| end <= bad);
                let (line, column) = self.starts[field.min(self.starts.len() - 1)];
                self.done = true;
                return Err(Stop {
                    line,
                    column,
                    message: format!(
                        "the file is not UTF-8 text (invalid byte 0x{:02x} in this field); save it as UTF-8",
                        self.data[bad]
                    ),
                });
            }
            return Ok(Some(Record {
                line,
                data: &self.data,
                ends: &self.ends,
                starts: &self.starts,
                quoted: &self.quoted,
            }));
        }
    }

    /// Read one record into the buffers; returns the line it starts on.
    /// Sets `done` at the end of the stream.
    fn read_record(&mut self) -> Result<u64, Stop> {
        self.data.clear();
        self.ends.clear();
        self.starts.clear();
        self.quoted.clear();
        let first_line = self.line;
        let mut state = State::FieldStart;
        loop {
            let chunk = match self.src.fill_buf() {
                Ok(c) => c,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.done = true;
                    return Err(self.stop(format!("cannot read the file: {e}")));
                }
            };
            if chunk.is_empty() {
                self.done = true;
                if matches!(state, State::Quoted) {
                    return Err(Stop {
                        line: self.quote_at.0,
                        column: self.quote_at.1,
                        message: "a quoted field is not closed: the file ends inside it".into(),
                    });
                }
                if state == State::AfterQuote {
                    self.data.truncate(self.trail_from);
                }
                if state == State::FieldStart && !self.ends.is_empty() {
                    // An empty last field after a comma.
                    self.starts.push((self.line, self.column));
                    self.quoted.push(false);
                }
                if state != State::FieldStart || !self.ends.is_empty() {
                    self.ends.push(self.data.len());
                }
                return Ok(first_line);
            }
            let mut record_over = false;
            // A byte-order mark (Windows editors write one) is not text.
            let mut used = if self.fresh && chunk.starts_with(b"\xef\xbb\xbf") {
                3
            } else {
                0
            };
            self.fresh = false;
            while used < chunk.len() {
                let b = chunk[used];
                used += 1;
                let newline = b == b'\n' || b == b'\r';
                let continues_crlf = b == b'\n' && self.after_cr;
                self.after_cr = b == b'\r';
                if continues_crlf {
                    // The LF of a CR LF: the line was counted at the CR
                    // (inside quotes, the byte is kept all the same).
                    if state == State::Quoted {
                        self.data.push(b);
                    }
                    continue;
                }
                // Where this byte is, before it moves the position.
                let here = (self.line, self.column);
                if newline {
                    self.line += 1;
                    self.column = 1;
                } else if b & 0xc0 != 0x80 {
                    self.column += 1;
                }
                match state {
                    State::FieldStart | State::LeadingSpace | State::Unquoted => {
                        if state == State::FieldStart {
                            self.starts.push(here);
                            self.quoted.push(false);
                        }
                        // Nothing but spaces or tabs read in this field yet.
                        let at_start = state != State::Unquoted;
                        match b {
                            b',' => {
                                self.ends.push(self.data.len());
                                state = State::FieldStart;
                            }
                            _ if newline => {
                                self.ends.push(self.data.len());
                                record_over = true;
                                break;
                            }
                            b'"' if at_start => {
                                self.quote_at = here;
                                if let Some(q) = self.quoted.last_mut() {
                                    *q = true;
                                }
                                state = State::Quoted;
                            }
                            b' ' | b'\t' if at_start => state = State::LeadingSpace,
                            _ => {
                                self.data.push(b);
                                state = State::Unquoted;
                            }
                        }
                    }
                    State::AfterQuote => match b {
                        b' ' | b'\t' => self.data.push(b),
                        b',' => {
                            self.data.truncate(self.trail_from);
                            self.ends.push(self.data.len());
                            state = State::FieldStart;
                        }
                        _ if newline => {
                            self.data.truncate(self.trail_from);
                            self.ends.push(self.data.len());
                            record_over = true;
                            break;
                        }
                        _ => {
                            self.data.push(b);
                            state = State::Unquoted;
                        }
                    },
                    State::Quoted => match b {
                        b'"' => state = State::QuoteInQuoted,
                        _ => self.data.push(b),
                    },
                    State::QuoteInQuoted => match b {
                        b'"' => {
                            self.data.push(b'"');
                            state = State::Quoted;
                        }
                        b',' => {
                            self.ends.push(self.data.len());
                            state = State::FieldStart;
                        }
                        _ if newline => {
                            self.ends.push(self.data.len());
                            record_over = true;
                            break;
                        }
                        b' ' | b'\t' => {
                            self.trail_from = self.data.len();
                            self.data.push(b);
                            state = State::AfterQuote;
                        }
                        _ => {
                            // Text after the closing quote: kept, as most
                            // readers do.
                            self.data.push(b);
                            state = State::Unquoted;
                        }
                    },
                }
                // Separators count too: a line of commas alone holds a
                // field's bookkeeping per comma.
                if self.data.len() + self.ends.len() > MAX_RECORD_BYTES {
                    self.done = true;
                    return Err(Stop {
                        line: first_line,
                        column: 1,
                        message: format!(
                            "this record is over {MAX_RECORD_BYTES} bytes long; a row is one agent or one tie (is the file CSV?)"
                        ),
                    });
                }
            }
            self.src.consume(used);
            if record_over {
                return Ok(first_line);
            }
        }
    }

    fn stop(&self, message: String) -> Stop {
        Stop {
            line: self.line,
            column: self.column,
            message,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A field's text and where it starts (line, column).
    type Field = (String, (u64, u64));

    /// Every record as (line, fields), and why reading stopped early.
    fn all(text: &[u8]) -> (Vec<(u64, Vec<Field>)>, Option<String>) {
        // A tiny buffer: records and CR LF pairs cross chunk boundaries.
        let mut r = Records::new(io::BufReader::with_capacity(3, text));
        let mut out = Vec::new();
        loop {
            match r.next() {
                Ok(Some(rec)) => out.push((
                    rec.line,
                    (0..rec.len())
                        .map(|i| (rec.get(i).to_owned(), rec.at(i)))
                        .collect(),
                )),
                Ok(None) => return (out, None),
                Err(e) => return (out, Some(format!("{}:{}: {}", e.line, e.column, e.message))),
            }
        }
    }

    fn f(s: &str, line: u64, col: u64) -> Field {
        (s.to_owned(), (line, col))
    }

    #[test]
    fn fields_carry_their_line_and_column_under_every_line_ending() {
        for text in [
            "id,group\na,Sales\n\nb , Support\n".to_owned(),
            "id,group\r\na,Sales\r\n\r\nb , Support\r\n".to_owned(),
            "id,group\ra,Sales\r\rb , Support".to_owned(),
        ] {
            let (records, stop) = all(text.as_bytes());
            assert_eq!(stop, None);
            assert_eq!(
                records,
                vec![
                    (1, vec![f("id", 1, 1), f("group", 1, 4)]),
                    (2, vec![f("a", 2, 1), f("Sales", 2, 3)]),
                    (4, vec![f("b", 4, 1), f("Support", 4, 4)]),
                ],
                "{text:?}"
            );
        }
    }

    #[test]
    fn spaces_around_quotes_are_not_part_of_the_field() {
        let (records, stop) = all("\"Sales\" ,\t\"A\"\t, \"x\" y,\"b\"  \n\"c\" \t".as_bytes());
        assert_eq!(stop, None);
        let fields: Vec<&str> = records
            .iter()
            .flat_map(|r| r.1.iter().map(|f| f.0.as_str()))
            .collect();
        assert_eq!(fields, ["Sales", "A", "x y", "b", "c"]);
        assert_eq!(
            records[0].1[1].1,
            (1, 10),
            "a field starts where its spaces do"
        );
    }

    #[test]
    fn a_line_of_separators_alone_is_bounded() {
        let commas = vec![b','; MAX_RECORD_BYTES + 1];
        let (records, stop) = all(&commas);
        assert!(records.is_empty());
        assert!(stop.unwrap().contains("this record is over"));
    }

    #[test]
    fn quoted_fields_hold_commas_quotes_and_line_breaks() {
        let (records, stop) =
            all("id,group\n\"a,\"\"b\"\"\",\"two\r\nlines\"\nc,é,\"x\"\n".as_bytes());
        assert_eq!(stop, None);
        assert_eq!(
            records[1],
            (2, vec![f("a,\"b\"", 2, 1), f("two\r\nlines", 2, 11)])
        );
        // Columns count characters: `é` is one.
        assert_eq!(
            records[2],
            (4, vec![f("c", 4, 1), f("é", 4, 3), f("x", 4, 5)])
        );
    }

    #[test]
    fn a_byte_order_mark_is_skipped_and_columns_start_after_it() {
        let (records, _) = all(b"\xef\xbb\xbfid,group\nx,y\n");
        assert_eq!(records[0], (1, vec![f("id", 1, 1), f("group", 1, 4)]));
    }

    #[test]
    fn an_unclosed_quote_a_huge_record_and_bad_utf8_stop_with_a_position() {
        let (_, stop) = all(b"id\n\"open\nmore\n");
        assert_eq!(
            stop.as_deref(),
            Some("2:1: a quoted field is not closed: the file ends inside it")
        );
        let huge = vec![b'x'; MAX_RECORD_BYTES + 10];
        let (_, stop) = all(&[b"id\n".as_slice(), &huge].concat());
        assert!(stop.unwrap().starts_with("2:1: this record is over"));
        let (records, stop) = all(b"id,group\nok,\xff\xfe\n");
        assert_eq!(records.len(), 1);
        assert!(
            stop.unwrap()
                .starts_with("2:4: the file is not UTF-8 text (invalid byte 0xff"),
        );
    }

    #[test]
    fn a_last_line_without_a_break_and_an_empty_last_field_are_read() {
        let (records, _) = all(b"a,b\nc,");
        assert_eq!(records[1], (2, vec![f("c", 2, 1), f("", 2, 3)]));
    }
}
