//! Network files in Parquet (feature `parquet`): the rows of a Parquet
//! file as records, like a CSV file's, for what pandas, Polars, DuckDB or
//! Spark write.
//!
//! The first record is the header: the names of the file's top-level
//! columns, at row 1. Each row's cells become text: strings as they are,
//! integers and booleans written out (ids are often integers), numbers as
//! Rust writes them, a list (e.g. `needs` as a list of doubles) joined by
//! `;`, null as empty; cells are kept exactly (not trimmed). A row's fields are positioned at (row, column),
//! rows from 1. The file is read whole (it is compressed; a network of ten
//! million ties is tens of megabytes) and decoded a row at a time.

use super::records::{Record, Source, Stop};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;
use parquet::record::reader::RowIter;
use std::io::{BufRead, Read};

/// The rows of a Parquet file.
pub(crate) struct ParquetRows {
    header: Option<Vec<String>>,
    rows: RowIter<'static>,
    row: u64,
    data: Vec<u8>,
    ends: Vec<usize>,
    starts: Vec<(u64, u64)>,
    /// Every cell is kept exactly (as a quoted CSV field is).
    quoted: Vec<bool>,
}

impl ParquetRows {
    /// Read the whole file and open it as Parquet; the error says why not.
    pub(crate) fn read(mut reader: Box<dyn BufRead + '_>) -> Result<ParquetRows, String> {
        let mut bytes = Vec::new();
        reader
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read the file: {e}"))?;
        if bytes.len() as u64 > super::MAX_NETWORK_FILE_BYTES {
            return Err(format!(
                "the file grew past the {}-byte limit for network files while it was read",
                super::MAX_NETWORK_FILE_BYTES
            ));
        }
        let file = SerializedFileReader::new(bytes::Bytes::from(bytes))
            .map_err(|e| format!("not a readable Parquet file: {e}"))?;
        let header = file
            .metadata()
            .file_metadata()
            .schema()
            .get_fields()
            .iter()
            .map(|f| f.name().to_owned())
            .collect();
        Ok(ParquetRows {
            header: Some(header),
            rows: RowIter::from_file_into(Box::new(file)),
            row: 0,
            data: Vec::new(),
            ends: Vec::new(),
            starts: Vec::new(),
            quoted: Vec::new(),
        })
    }
}

/// A cell as text, appended to `out`.
fn write_cell(field: &Field, out: &mut Vec<u8>) {
    use std::io::Write as _;
    // Writing to a Vec cannot fail.
    let _ = match field {
        Field::Null => Ok(()),
        Field::Str(s) => out.write_all(s.as_bytes()),
        Field::Bytes(b) => out.write_all(b.data()),
        Field::Bool(v) => write!(out, "{v}"),
        Field::Byte(v) => write!(out, "{v}"),
        Field::Short(v) => write!(out, "{v}"),
        Field::Int(v) => write!(out, "{v}"),
        Field::Long(v) => write!(out, "{v}"),
        Field::UByte(v) => write!(out, "{v}"),
        Field::UShort(v) => write!(out, "{v}"),
        Field::UInt(v) => write!(out, "{v}"),
        Field::ULong(v) => write!(out, "{v}"),
        Field::Float(v) => write!(out, "{v}"),
        Field::Double(v) => write!(out, "{v}"),
        Field::ListInternal(list) => {
            for (i, element) in list.elements().iter().enumerate() {
                if i > 0 {
                    out.push(b';');
                }
                write_cell(element, out);
            }
            Ok(())
        }
        other => write!(out, "{other}"),
    };
}

impl Source for ParquetRows {
    fn next_record(&mut self) -> Result<Option<Record<'_>>, Stop> {
        self.data.clear();
        self.ends.clear();
        self.starts.clear();
        if let Some(header) = self.header.take() {
            for (i, name) in header.iter().enumerate() {
                self.data.extend_from_slice(name.as_bytes());
                self.ends.push(self.data.len());
                self.starts.push((1, i as u64 + 1));
            }
        } else {
            loop {
                let row = match self.rows.next() {
                    None => return Ok(None),
                    Some(Err(e)) => {
                        return Err(Stop {
                            line: self.row + 1,
                            column: 1,
                            message: format!("cannot decode this row of the Parquet file: {e}"),
                        });
                    }
                    Some(Ok(row)) => row,
                };
                self.row += 1;
                for (i, (_, field)) in row.get_column_iter().enumerate() {
                    write_cell(field, &mut self.data);
                    self.ends.push(self.data.len());
                    self.starts.push((self.row, i as u64 + 1));
                }
                if !self.data.iter().all(u8::is_ascii_whitespace) {
                    break;
                }
                self.data.clear();
                self.ends.clear();
                self.starts.clear();
            }
        }
        if let Err(e) = std::str::from_utf8(&self.data) {
            let field = self.ends.partition_point(|&end| end <= e.valid_up_to());
            let (line, column) = self.starts[field.min(self.starts.len() - 1)];
            return Err(Stop {
                line,
                column,
                message: "this cell is not UTF-8 text".into(),
            });
        }
        let line = self.starts.first().map_or(self.row, |s| s.0);
        self.quoted.clear();
        self.quoted.resize(self.ends.len(), true);
        Ok(Some(Record {
            line,
            data: &self.data,
            ends: &self.ends,
            starts: &self.starts,
            quoted: &self.quoted,
        }))
    }
}
