//! A run file's rows, written as the CSV writer writes them, without its
//! cost per field.
//!
//! Every row of a run starts with the same fields (run, condition, policy,
//! the swept knobs, seed): they are written as CSV once, and copied into
//! each row. A row's own fields are the step and the value (numbers) and
//! the metric and the part (names from the model's catalogue), which need
//! no quoting; one that would (a comma, a quote, a line break) sends its
//! row through the CSV writer. A thousand-run batch writes four million
//! rows, and the CSV writer's care per field cost a few percent of it.

use std::io;

/// A run file's rows, as bytes.
pub(super) struct Rows {
    /// The shared fields as CSV, ending in the delimiter.
    prefix: Vec<u8>,
    /// The shared fields, for a row that goes through the CSV writer.
    shared: Vec<String>,
    bytes: Vec<u8>,
}

impl Rows {
    /// Rows that all start with `shared`: at least two fields (a record of
    /// one empty field would be written `""`, not as an empty field among
    /// others).
    pub(super) fn new(shared: Vec<String>) -> io::Result<Rows> {
        debug_assert!(shared.len() >= 2, "rows share at least two fields");
        let mut prefix = record(shared.iter().map(String::as_str))?;
        // A record of several fields ends in its terminator alone.
        debug_assert_eq!(prefix.last(), Some(&b'\n'));
        prefix.pop();
        prefix.push(b',');
        Ok(Rows {
            prefix,
            shared,
            bytes: Vec::new(),
        })
    }

    /// Add the row `shared, step, metric, part, value`.
    pub(super) fn push(
        &mut self,
        step: &str,
        metric: &str,
        part: &str,
        value: &str,
    ) -> io::Result<()> {
        let own = [step, metric, part, value];
        if own.iter().all(|f| plain(f)) {
            self.bytes.extend_from_slice(&self.prefix);
            for (i, field) in own.into_iter().enumerate() {
                if i > 0 {
                    self.bytes.push(b',');
                }
                self.bytes.extend_from_slice(field.as_bytes());
            }
            self.bytes.push(b'\n');
        } else {
            let row = record(self.shared.iter().map(String::as_str).chain(own))?;
            self.bytes.extend_from_slice(&row);
        }
        Ok(())
    }

    /// The rows written.
    pub(super) fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
}

/// Whether the CSV writer writes `field` as it is, unquoted: when it holds
/// no delimiter, quote or line break. (An empty field goes through the
/// writer too, which costs nothing: the batch writes none.)
fn plain(field: &str) -> bool {
    !field.is_empty()
        && !field
            .bytes()
            .any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
}

/// One record of `fields`, as the batch's CSV writer writes it.
fn record<'a>(fields: impl IntoIterator<Item = &'a str>) -> io::Result<Vec<u8>> {
    let mut w = writer();
    w.write_record(fields)?;
    w.into_inner().map_err(|e| e.into_error())
}

/// The CSV writer of run files (no header).
pub(super) fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows are the bytes the CSV writer writes, whatever the shared
    /// fields hold and whichever own fields need quoting.
    #[test]
    fn rows_are_what_the_csv_writer_writes() {
        let awkward = [
            "plain",
            "",
            "a,b",
            "say \"hi\"",
            "two\nlines",
            "cr\r",
            " spaced ",
            "#",
            "é",
        ];
        for shared in [
            vec!["7", "connected", "connected", "1"],
            vec!["0", "a,b", "say \"hi\"", "", "0.5", "12"],
            awkward.to_vec(),
        ] {
            let shared: Vec<String> = shared.into_iter().map(String::from).collect();
            let mut rows = Rows::new(shared.clone()).unwrap();
            let mut w = writer();
            let own_fields = [
                ["1", "customers", "all", "42"],
                ["2", "trust_from", "existing_customer", "0.51234"],
                ["3", "odd,metric", "all", "-1.5"],
                ["4", "x", "a\"part", "0"],
                ["5", "x", "", "0"],
                ["6", "x", "line\nbreak", "1e-7"],
            ];
            for own in own_fields {
                rows.push(own[0], own[1], own[2], own[3]).unwrap();
                w.write_record(shared.iter().map(String::as_str).chain(own))
                    .unwrap();
            }
            let expected = w.into_inner().unwrap();
            assert_eq!(
                String::from_utf8(rows.into_bytes()).unwrap(),
                String::from_utf8(expected).unwrap(),
                "{shared:?}"
            );
        }
    }
}
