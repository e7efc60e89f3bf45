//! Reading the CSVs: a header and rows, each cell with its line and
//! column for error messages; parts and enum values as the scenario
//! format spells them.

use super::{Csv, ImportError};
use crate::network::records::Records;
use crate::text;
use siloscope_model::agent::Part;
use std::collections::HashMap;

/// A parsed CSV: its header (lower-cased) and rows with their lines. The
/// text's line breaks must all be LF (see [`crate::text::normalise_line_endings`]):
/// the reader's line numbers and `lines` must agree.
pub(super) struct Table<'a> {
    pub(super) file: &'a str,
    /// A CSV's text (empty for a table read from XML).
    pub(super) text: &'a str,
    pub(super) lines: Vec<&'a str>,
    pub(super) header: Vec<String>,
    pub(super) rows: Vec<(u64, Vec<String>)>,
    /// For a table read from XML, whose rows are numbered 1, 2, … instead
    /// of by line: where each cell is (line, column), by (row, column
    /// index), and where each row's element is, by (row, `usize::MAX`).
    pub(super) cells: Option<HashMap<(u64, usize), (u64, u64)>>,
    /// How errors name each column, where that is not its header (an XML
    /// attribute the column was read from).
    pub(super) labels: Option<Vec<String>>,
    /// Why reading stopped before the end of the file, if it did: what its
    /// rows lack may be in the part not read. Always shown, however many
    /// problems come before it.
    pub(super) stop: Option<ImportError>,
}

impl Table<'_> {
    /// Where field `c` of the CSV row starting on `line` starts: the row
    /// read again from there (a quoted field may span lines, or hold a
    /// quote), which only an error costs.
    fn field_at(&self, line: u64, c: usize) -> Option<(u64, u64)> {
        let first = self
            .lines
            .get(usize::try_from(line.checked_sub(1)?).ok()?)?;
        let offset = (first.as_ptr() as usize).checked_sub(self.text.as_ptr() as usize)?;
        let mut records = Records::new(self.text.get(offset..)?.as_bytes());
        let record = records.next().ok()??;
        let (l, column) = record.at(c);
        Some((line + l - 1, column))
    }

    /// The line a row starts on (a CSV row is numbered by it already).
    pub(super) fn line_of(&self, row: u64) -> u64 {
        match &self.cells {
            Some(cells) => cells.get(&(row, usize::MAX)).map_or(row, |p| p.0),
            None => row,
        }
    }

    pub(super) fn column(&self, names: &[&str]) -> Option<usize> {
        self.header.iter().position(|h| names.contains(&h.as_str()))
    }

    pub(super) fn error(
        &self,
        line: u64,
        col: Option<usize>,
        message: impl Into<String>,
    ) -> ImportError {
        let (line, column) = match &self.cells {
            Some(cells) => col
                .and_then(|c| cells.get(&(line, c)))
                .or_else(|| cells.get(&(line, usize::MAX)))
                .copied()
                .unwrap_or((line, 1)),
            None => col
                .and_then(|c| self.field_at(line, c))
                .unwrap_or((line, 1)),
        };
        ImportError {
            file: self.file.to_owned(),
            line,
            column,
            field: col
                .and_then(|c| self.labels.as_ref().unwrap_or(&self.header).get(c))
                .map(|h| text::message(h.as_str()))
                .unwrap_or_default(),
            message: text::message(message),
        }
    }
}

/// Read a CSV into a [`Table`] with the reader of network files
/// ([`Records`]): a quoted field left open, a record over
/// [`MAX_RECORD_BYTES`](crate::network::records::MAX_RECORD_BYTES) or a
/// column it reads given twice is reported at its place, blank lines are passed over
/// but counted, and every row keeps the line it starts on. Only the cells
/// of the columns named in `read` are kept (the others are empty, and a
/// row ends at the last column read): a wide export with dozens of columns
/// the import ignores costs no memory for them.
pub(super) fn read_table<'a>(
    csv_file: Csv<'a>,
    read: &[&str],
    errors: &mut Vec<ImportError>,
) -> Option<Table<'a>> {
    let at = |(line, column): (u64, u64), field: &str, message: String| ImportError {
        file: csv_file.name.to_owned(),
        line,
        column,
        field: text::message(field),
        message: text::message(message),
    };
    let empty = || "the file is empty; it needs a header row".to_owned();
    if csv_file.text.trim().is_empty() {
        errors.push(at((1, 1), "", empty()));
        return None;
    }
    let mut records = Records::new(csv_file.text.as_bytes());
    let header: Vec<String> = match records.next() {
        Ok(Some(r)) => {
            let names: Vec<String> = (0..r.len())
                .map(|i| r.get(i).trim().to_ascii_lowercase())
                .collect();
            for (i, name) in names.iter().enumerate() {
                // A column the import does not read may come twice (it
                // is only reported as ignored).
                if read.contains(&name.as_str()) && names[..i].contains(name) {
                    errors.push(at(
                        r.at(i),
                        name,
                        format!("the column \"{name}\" is given twice; which one is meant?"),
                    ));
                }
            }
            names
        }
        Ok(None) => {
            errors.push(at((1, 1), "", empty()));
            return None;
        }
        Err(stop) => {
            errors.push(at((stop.line, stop.column), "", stop.message));
            return None;
        }
    };
    let kept: Vec<bool> = header.iter().map(|h| read.contains(&h.as_str())).collect();
    let width = kept.iter().rposition(|&k| k).map_or(0, |last| last + 1);
    let mut rows = Vec::new();
    let mut stop = None;
    loop {
        match records.next() {
            Ok(Some(r)) => {
                if r.len() != header.len() {
                    let message = format!(
                        "{} {}, but the header has {}",
                        r.len(),
                        if r.len() == 1 { "field" } else { "fields" },
                        header.len()
                    );
                    errors.push(at((r.line, 1), "", message));
                    continue;
                }
                let cells = (0..width).map(|i| {
                    if kept[i] {
                        r.get(i).to_owned()
                    } else {
                        String::new()
                    }
                });
                rows.push((r.line, cells.collect()));
            }
            Ok(None) => break,
            Err(stopped) => {
                stop = Some(at((stopped.line, stopped.column), "", stopped.message));
                break;
            }
        }
    }
    Some(Table {
        file: csv_file.name,
        text: csv_file.text,
        lines: csv_file.text.lines().collect(),
        header,
        rows,
        cells: None,
        labels: None,
        stop,
    })
}

/// A part as the import reads it: `department`, `partner`,
/// `existing_customer`, `new_customer`, the scenario spellings
/// (`Department`, …) and plurals.
pub fn parse_part(text: &str) -> Option<Part> {
    let t: String = text
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    match t.trim_end_matches('s') {
        "department" | "inside" | "staff" => Some(Part::Department),
        "partner" => Some(Part::Partner),
        "existingcustomer" | "customer" => Some(Part::ExistingCustomer),
        "newcustomer" | "prospect" => Some(Part::NewCustomer),
        _ => None,
    }
}

/// A unit variant of one of the scenario's enums, by its scenario name.
pub(crate) fn variant<T: serde::de::DeserializeOwned>(text: &str) -> Option<T> {
    if !text.chars().all(|c| c.is_ascii_alphanumeric()) || text.is_empty() {
        return None;
    }
    ron::from_str(text).ok()
}

/// A cell of needs: the need dimensions' values in 0 to 1 separated by `;`
/// (`0.8;0.2;0.5;0.5`), or `None` if it is not that.
pub(crate) fn parse_needs(text: &str) -> Option<siloscope_model::agent::Needs> {
    let mut needs = [0.0; siloscope_model::agent::NEED_DIMS];
    let mut values = text.split(';');
    for slot in &mut needs {
        *slot = values
            .next()?
            .trim()
            .parse::<f32>()
            .ok()
            .filter(|v| (0.0..=1.0).contains(v))?;
    }
    values.next().is_none().then_some(needs)
}
