//! `timeseries.parquet` (feature `parquet`): the time series as a Parquet
//! file, with the same columns and rows as `timeseries.csv`, for Polars,
//! DuckDB, pandas/pyarrow or Spark.
//!
//! Column types: `run`, `seed` unsigned 64-bit; `step` unsigned 32-bit;
//! `condition`, `policy`, `metric`, `part` UTF-8 strings (dictionary
//! encoded, so the repeated labels cost almost nothing); one nullable
//! double per swept knob (null where a condition does not set it); `value`
//! double. Snappy compression, one row group per chunk of runs. The file is
//! written under a temporary name and renamed into place when complete; a
//! batch that fails first leaves no temporary file behind.

use parquet::basic::Compression;
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int32Type, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use rayon::prelude::*;
use siloscope_files::AtomicFile;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Streams run files (CSV rows without a header) into a Parquet file.
pub struct TimeSeriesParquet {
    /// `None` once finished.
    writer: Option<SerializedFileWriter<AtomicFile>>,
    knobs: usize,
    path: PathBuf,
}

/// One row group's columns.
#[derive(Default)]
struct Columns {
    run: Vec<i64>,
    condition: Vec<ByteArray>,
    policy: Vec<ByteArray>,
    /// Per knob: the values present, and a definition level per row.
    knobs: Vec<(Vec<f64>, Vec<i16>)>,
    seed: Vec<i64>,
    step: Vec<i32>,
    metric: Vec<ByteArray>,
    part: Vec<ByteArray>,
    value: Vec<f64>,
}

impl Columns {
    fn extend(&mut self, other: Columns) {
        self.run.extend(other.run);
        self.condition.extend(other.condition);
        self.policy.extend(other.policy);
        if self.knobs.is_empty() {
            self.knobs = other.knobs;
        } else {
            for (mine, theirs) in self.knobs.iter_mut().zip(other.knobs) {
                mine.0.extend(theirs.0);
                mine.1.extend(theirs.1);
            }
        }
        self.seed.extend(other.seed);
        self.step.extend(other.step);
        self.metric.extend(other.metric);
        self.part.extend(other.part);
        self.value.extend(other.value);
    }
}

fn parquet_error(e: parquet::errors::ParquetError) -> io::Error {
    io::Error::other(e)
}

impl TimeSeriesParquet {
    /// Start `path` for a series with these swept knob columns.
    pub fn create(path: &Path, knobs: &[String]) -> io::Result<TimeSeriesParquet> {
        let knob_fields: String = knobs
            .iter()
            .map(|k| format!("  OPTIONAL DOUBLE {k};\n"))
            .collect();
        let schema = format!(
            "message timeseries {{
  REQUIRED INT64 run (INTEGER(64,false));
  REQUIRED BYTE_ARRAY condition (STRING);
  REQUIRED BYTE_ARRAY policy (STRING);
{knob_fields}  REQUIRED INT64 seed (INTEGER(64,false));
  REQUIRED INT32 step (INTEGER(32,false));
  REQUIRED BYTE_ARRAY metric (STRING);
  REQUIRED BYTE_ARRAY part (STRING);
  REQUIRED DOUBLE value;
}}"
        );
        let schema = Arc::new(parse_message_type(&schema).map_err(parquet_error)?);
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_created_by(format!("siloscope {}", env!("CARGO_PKG_VERSION")))
            .build();
        let file = AtomicFile::create(path)?;
        let writer =
            SerializedFileWriter::new(file, schema, Arc::new(props)).map_err(parquet_error)?;
        Ok(TimeSeriesParquet {
            writer: Some(writer),
            knobs: knobs.len(),
            path: path.to_owned(),
        })
    }

    /// Append the rows of these run files, in order, as one row group.
    pub fn append(&mut self, runs: &[&[u8]]) -> io::Result<()> {
        let parsed: Vec<io::Result<Columns>> = runs
            .par_iter()
            .map(|bytes| columns(bytes, self.knobs))
            .collect();
        let mut all = Columns::default();
        for c in parsed {
            all.extend(c?);
        }
        if all.run.is_empty() {
            return Ok(());
        }
        let writer = self.writer.as_mut().expect("appending to a finished file");
        let mut group = writer.next_row_group().map_err(parquet_error)?;
        let mut knobs = all.knobs.iter();
        let mut index = 0;
        while let Some(mut column) = group.next_column().map_err(parquet_error)? {
            let knob_columns = 3..3 + self.knobs;
            let written = match index {
                0 => column
                    .typed::<Int64Type>()
                    .write_batch(&all.run, None, None),
                1 => column
                    .typed::<ByteArrayType>()
                    .write_batch(&all.condition, None, None),
                2 => column
                    .typed::<ByteArrayType>()
                    .write_batch(&all.policy, None, None),
                i if knob_columns.contains(&i) => {
                    let (values, defined) = knobs.next().expect("one column per knob");
                    column
                        .typed::<DoubleType>()
                        .write_batch(values, Some(defined), None)
                }
                i => match i - 3 - self.knobs {
                    0 => column
                        .typed::<Int64Type>()
                        .write_batch(&all.seed, None, None),
                    1 => column
                        .typed::<Int32Type>()
                        .write_batch(&all.step, None, None),
                    2 => column
                        .typed::<ByteArrayType>()
                        .write_batch(&all.metric, None, None),
                    3 => column
                        .typed::<ByteArrayType>()
                        .write_batch(&all.part, None, None),
                    _ => column
                        .typed::<DoubleType>()
                        .write_batch(&all.value, None, None),
                },
            };
            written.map_err(parquet_error)?;
            column.close().map_err(parquet_error)?;
            index += 1;
        }
        group.close().map_err(parquet_error)?;
        crate::output::stall_if_asked(&self.path, || {
            let _ = writer.flush();
        });
        Ok(())
    }

    /// Write the footer, flush to disk and move the file into place.
    pub fn finish(mut self) -> io::Result<()> {
        let writer = self.writer.take().expect("finished once");
        writer.into_inner().map_err(parquet_error)?.commit()
    }
}

/// The columns of one run file.
fn columns(bytes: &[u8], knobs: usize) -> io::Result<Columns> {
    let mut c = Columns {
        knobs: vec![(Vec::new(), Vec::new()); knobs],
        ..Columns::default()
    };
    let bad =
        |what: &str, text: &str| io::Error::other(format!("bad {what} {text:?} in a run file"));
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes);
    for record in reader.records() {
        let record = record.map_err(io::Error::other)?;
        let field = |i: usize| record.get(i).unwrap_or("");
        let run: u64 = field(0).parse().map_err(|_| bad("run", field(0)))?;
        c.run.push(run as i64);
        c.condition.push(ByteArray::from(field(1)));
        c.policy.push(ByteArray::from(field(2)));
        for (k, (values, defined)) in c.knobs.iter_mut().enumerate() {
            let text = field(3 + k);
            if text.is_empty() {
                defined.push(0);
            } else {
                values.push(text.parse().map_err(|_| bad("knob value", text))?);
                defined.push(1);
            }
        }
        let at = 3 + knobs;
        let seed: u64 = field(at).parse().map_err(|_| bad("seed", field(at)))?;
        // Stored as the same 64 bits; the column is annotated unsigned.
        c.seed.push(seed as i64);
        let step: u32 = field(at + 1)
            .parse()
            .map_err(|_| bad("step", field(at + 1)))?;
        c.step.push(step as i32);
        c.metric.push(ByteArray::from(field(at + 2)));
        c.part.push(ByteArray::from(field(at + 3)));
        let value: f64 = field(at + 4)
            .parse()
            .map_err(|_| bad("value", field(at + 4)))?;
        c.value.push(value);
    }
    Ok(c)
}
